package opinions

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Who may send which opinions command, checked by Decide from the command's
// Envelope.Actor:
//
//   - create-opinion, push-changes, edit-text, submit-for-review, accept-amendment,
//     reject-amendment, open-vote, withdraw: a person (member or secretariat) whose
//     organisation is a member of the drafting group, as Prepare found it (GroupFacts):
//     only a group's members edit its drafts, and the secretariat role does not bypass
//     this;
//   - propose-amendment: a person acting for an organisation (any organisation of the
//     committee may propose in review);
//   - publish: the secretariat;
//   - record-outcome: a process (role system).

// checkRole refuses an actor whose role may never send cmd, whatever the opinion.
func checkRole(a events.Actor, cmd any) error {
	switch cmd.(type) {
	case RecordOutcome:
		if !authz.Is(a, authz.System) {
			return errcode.Forbidden.With("only the process that closes the vote records its outcome")
		}
	case Publish:
		if !authz.Is(a, authz.Secretariat) {
			return errcode.Forbidden.With("only the secretariat publishes opinions")
		}
	default:
		if !authz.IsPerson(a) {
			return errcode.Forbidden.With("the role %q may not draft or amend opinions", a.Role)
		}
	}
	return nil
}

// mayPropose checks propose-amendment's rule: the actor acts for an organisation.
func mayPropose(a events.Actor) error {
	if _, ok := authz.ActsFor(a); !ok {
		return errcode.Forbidden.With("only a person acting for an organisation of the committee proposes amendments")
	}
	return nil
}

// knownGroup checks that the command carries the facts of the group group, as Prepare
// gathers them: without them, nobody can tell who drafts (no GroupLookup configured).
func knownGroup(facts *GroupFacts, group uuid.UUID) error {
	if facts == nil || facts.ID != group {
		return errcode.Forbidden.With("the members of working group %s are not known: the drafting group cannot be checked", group)
	}
	return nil
}

// mayDraft checks that the actor's organisation is a member of the drafting group.
func mayDraft(a events.Actor, facts GroupFacts) error {
	if org, ok := authz.ActsFor(a); ok && facts.HasMember(org) {
		return nil
	}
	return errcode.Forbidden.With("only the members of working group %s edit its drafts", facts.ID)
}
