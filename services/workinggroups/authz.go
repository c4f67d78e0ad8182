package workinggroups

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Roles of the actors that may change working groups (events.Actor.Role). The bus's
// central table already refuses every other role (auditor, observer, system); Decide
// refuses them again, so that a command that bypassed the table is refused too.
const (
	roleSecretariat = "secretariat"
	roleMember      = "member"
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
	switch a.Role {
	case roleSecretariat, roleMember:
		return nil
	}
	return errcode.Forbidden.With("the role %q may not change working groups", a.Role)
}

// memberOrganisation is the organisation a member acts for; false when the actor is not
// a member or names no valid organisation.
func memberOrganisation(a events.Actor) (uuid.UUID, bool) {
	if a.Role != roleMember {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(a.Organisation)
	return id, err == nil && id != uuid.Nil
}

// mayLead checks create-group's rule: a member creates only groups its organisation leads.
func mayLead(a events.Actor, lead uuid.UUID) error {
	if a.Role == roleSecretariat {
		return nil
	}
	if org, ok := memberOrganisation(a); ok && org == lead {
		return nil
	}
	return errcode.Forbidden.With("a member may only create a working group its own organisation leads")
}

// mayManage checks the rule of add-member, remove-member and close-group: the
// secretariat, or a member of the group's lead organisation.
func mayManage(g Group, a events.Actor) error {
	if a.Role == roleSecretariat {
		return nil
	}
	if org, ok := memberOrganisation(a); ok && org == g.LeadOrganisation {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the lead organisation manages working group %s", g.ID)
}

// mayMeet checks the rule of the meeting commands: the secretariat, or a member whose
// organisation belongs to the group.
func mayMeet(g Group, a events.Actor) error {
	if a.Role == roleSecretariat {
		return nil
	}
	if org, ok := memberOrganisation(a); ok && g.IsMember(org) {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the group's member organisations run the meetings of working group %s", g.ID)
}
