package actionsheets

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Roles of the actors that may change action sheets (events.Actor.Role), as the bus's
// central table names them. That table refuses the other roles (auditor, observer,
// system) first; Decide refuses them again, so that a command that bypassed it is
// refused too.
const (
	roleSecretariat = "secretariat"
	roleMember      = "member"
)

// Who may send which actionsheets command, checked by Decide from the command's
// Envelope.Actor:
//
//   - create-sheet: the secretariat, for any owner; a member, only for a sheet its own
//     organisation owns;
//   - start-sheet, record-progress, complete-sheet, abandon-sheet, reschedule-sheet: the
//     secretariat, or a member of the sheet's owner organisation;
//   - import-sheets: the secretariat.

// checkRole refuses an actor whose role may never send cmd, whatever the sheet.
func checkRole(a events.Actor, cmd any) error {
	if _, ok := cmd.(ImportSheets); ok {
		if a.Role != roleSecretariat {
			return errcode.Forbidden.With("only the secretariat imports action sheets")
		}
		return nil
	}
	if a.Role != roleSecretariat && a.Role != roleMember {
		return errcode.Forbidden.With("the role %q may not change action sheets", a.Role)
	}
	return nil
}

// mayOwn checks that the actor may act on a sheet owned by owner: the secretariat, or a
// member acting for owner.
func mayOwn(a events.Actor, owner uuid.UUID) error {
	if a.Role == roleSecretariat {
		return nil
	}
	if org, err := uuid.Parse(a.Organisation); a.Role == roleMember && err == nil && org != uuid.Nil && org == owner {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the owner organisation %s acts on its action sheets", owner)
}
