package actionsheets

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/errcode"
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
		if !authz.Is(a, authz.Secretariat) {
			return errcode.Forbidden.With("only the secretariat imports action sheets")
		}
		return nil
	}
	if !authz.IsPerson(a) {
		return errcode.Forbidden.With("the role %q may not change action sheets", a.Role)
	}
	return nil
}

// mayOwn checks that the actor may act on a sheet owned by owner: the secretariat, or a
// member acting for owner.
func mayOwn(a events.Actor, owner uuid.UUID) error {
	if authz.Is(a, authz.Secretariat) || authz.MemberFor(a, owner) {
		return nil
	}
	return errcode.Forbidden.With("only the secretariat or the owner organisation %s acts on its action sheets", owner)
}
