package workinggroups

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Object-level rules of the working groups, checked by Decide from the command's
// Envelope.Actor (the bus's table has checked the role):
//
//   - create-group: the secretariat, for any lead; a member, only for a group its own
//     organisation leads;
//   - add-member, remove-member, close-group: the secretariat, or a member of the
//     group's lead organisation;
//   - schedule-meeting, record-attendance, publish-minutes: the secretariat, or a member
//     whose organisation belongs to the group.

// checkPerson refuses any actor that is neither the secretariat nor a member.
func checkPerson(a events.Actor) error {
	if authz.IsPerson(a) {
		return nil
	}
	return errcode.Forbidden.With("the role %q may not change working groups", a.Role)
}

// mayLead checks create-group's rule: a member creates only groups its organisation leads.
func mayLead(a events.Actor, lead uuid.UUID) error {
	if authz.Is(a, authz.Secretariat) || authz.MemberFor(a, lead) {
		return nil
	}
	return errcode.Forbidden.With("a member may only create a working group its own organisation leads")
}

// mayManage checks the rule of add-member, remove-member and close-group: the
// secretariat, or a member of the group's lead organisation.
func mayManage(g Group, a events.Actor) error {
	if authz.Is(a, authz.Secretariat) || authz.MemberFor(a, g.LeadOrganisation) {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the lead organisation manages working group %s", g.ID)
}

// mayMeet checks the rule of the meeting commands: the secretariat, or a member whose
// organisation belongs to the group.
func mayMeet(g Group, a events.Actor) error {
	if authz.Is(a, authz.Secretariat) {
		return nil
	}
	if org, ok := authz.ActsFor(a); ok && authz.Is(a, authz.Member) && g.IsMember(org) {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the group's member organisations run the meetings of working group %s", g.ID)
}
