package actionsheets

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Rejections of actionsheets commands. The codes are stable and append-only.
var (
	ErrSheetNotFound = errcode.New("sheet_not_found", http.StatusNotFound,
		"Cette fiche-action n'existe pas.", "This action sheet does not exist.")
	ErrSheetExists = errcode.New("sheet_exists", http.StatusConflict,
		"Une fiche-action ouverte porte déjà ce titre pour ce niveau.",
		"An open action sheet already has this title for this level.")
	ErrSheetNotPlanned = errcode.New("sheet_not_planned", http.StatusConflict,
		"Cette fiche-action n'est plus au stade prévu : elle a déjà été engagée.",
		"This action sheet is no longer planned: it has already been started.")
	ErrSheetNotInProgress = errcode.New("sheet_not_in_progress", http.StatusConflict,
		"Cette fiche-action n'est pas en cours : engagez-la d'abord.",
		"This action sheet is not in progress: start it first.")
	ErrSheetClosed = errcode.New("sheet_closed", http.StatusConflict,
		"Cette fiche-action est close (réalisée ou abandonnée).",
		"This action sheet is closed (done or abandoned).")
	ErrOrganisationNotFound = errcode.New("organisation_not_found", http.StatusNotFound,
		"Cette organisation n'est pas membre du comité.", "This organisation is not a member of the committee.")
	ErrProgressDateInFuture = errcode.New("progress_date_in_future", http.StatusUnprocessableEntity,
		"La date d'avancement ne peut pas être dans le futur.", "The progress date cannot be in the future.")
	ErrCSVInvalid = errcode.New("csv_invalid", http.StatusUnprocessableEntity,
		"Le fichier CSV comporte des erreurs ; aucune fiche-action n'a été importée.",
		"The CSV file has errors; no action sheet was imported.")
	ErrCSVTooLarge = errcode.New("csv_too_large", http.StatusRequestEntityTooLarge,
		"Le fichier CSV dépasse 500 lignes de données ; découpez-le.",
		"The CSV file has more than 500 data lines; split it.")
)

// Rejections lists every rejection code of the actionsheets context, including the
// shared errcode.DateInPast it uses for due dates and errcode.Forbidden.
func Rejections() []*errcode.Error {
	return []*errcode.Error{ErrSheetNotFound, ErrSheetExists, ErrSheetNotPlanned, ErrSheetNotInProgress,
		ErrSheetClosed, ErrOrganisationNotFound, ErrProgressDateInFuture, ErrCSVInvalid, ErrCSVTooLarge,
		errcode.DateInPast, errcode.Forbidden}
}

// Decide returns the events an actionsheets command produces against the board b, none
// when the command changes nothing, or a rejection. It is pure: the clock is the
// command's Envelope.Time, the actor its Envelope.Actor, the committee's organisations
// are in the command (Prepare).
//
// Checks come in this order: the actor's role (forbidden), the sheet's or the owner's
// existence (sheet_not_found, organisation_not_found), who may act on it (forbidden,
// see authz.go), then the sheet's own rules.
func Decide(b Board, cmd any) ([]events.Payload, error) {
	c, ok := cmd.(sent)
	if !ok {
		return nil, errcode.UnknownCommand.With("actionsheets: %T", cmd)
	}
	if err := checkRole(c.actor(), cmd); err != nil {
		return nil, err
	}
	switch cmd := cmd.(type) {
	case CreateSheet:
		return createSheet(b, cmd)
	case StartSheet:
		return startSheet(b, cmd)
	case RecordProgress:
		return recordProgress(b, cmd)
	case CompleteSheet:
		return completeSheet(b, cmd)
	case AbandonSheet:
		return abandonSheet(b, cmd)
	case RescheduleSheet:
		return rescheduleSheet(b, cmd)
	case ImportSheets:
		return importSheets(b, cmd)
	}
	return nil, errcode.UnknownCommand.With("actionsheets: %T", cmd)
}

func createSheet(b Board, cmd CreateSheet) ([]events.Payload, error) {
	owner, err := uuid.Parse(cmd.OrganisationID)
	if _, ok := cmd.Organisations[owner]; err != nil || !ok {
		return nil, ErrOrganisationNotFound.WithFields(map[string]string{"organisation_id": "organisation_not_found"}).
			With("%s", cmd.OrganisationID)
	}
	if err := mayOwn(cmd.Actor, owner); err != nil {
		return nil, err
	}
	if pastDue(cmd.DueDate, cmd.Time) {
		return nil, errcode.DateInPast.WithFields(map[string]string{"due_date": "future"}).With("%s", cmd.DueDate)
	}
	ev := newSheet(SheetIDFor(cmd.CommandID), owner, cmd)
	if _, taken := b.Sheet(ev.SheetID); taken || titleTaken(b, ev.Level, ev.Title) {
		return nil, ErrSheetExists.WithFields(map[string]string{"title": "unique"}).With("%s", ev.Title)
	}
	return []events.Payload{ev}, nil
}

func startSheet(b Board, cmd StartSheet) ([]events.Payload, error) {
	s, err := openSheet(b, cmd.SheetID, cmd.Actor)
	if err != nil {
		return nil, err
	}
	if s.Status != StatusPlanned {
		return nil, ErrSheetNotPlanned.With("%s is %s", s.ID, s.Status)
	}
	return []events.Payload{SheetStarted{SheetID: s.ID}}, nil
}

func recordProgress(b Board, cmd RecordProgress) ([]events.Payload, error) {
	s, err := inProgressSheet(b, cmd.SheetID, cmd.Actor)
	if err != nil {
		return nil, err
	}
	asOf := cmd.AsOf
	if asOf == "" {
		asOf = cmd.Time.UTC().Format(DateLayout)
	}
	// Tomorrow is already today somewhere (UTC+14): only later dates are in the future.
	if asOf > cmd.Time.UTC().Add(14*time.Hour).Format(DateLayout) {
		return nil, ErrProgressDateInFuture.WithFields(map[string]string{"as_of": "past"}).With("%s", asOf)
	}
	percent := 0
	if cmd.Percent != nil {
		percent = *cmd.Percent
	}
	return []events.Payload{ProgressRecorded{SheetID: s.ID, Percent: percent, Comment: strings.TrimSpace(cmd.Comment),
		AsOf: asOf}}, nil
}

func completeSheet(b Board, cmd CompleteSheet) ([]events.Payload, error) {
	s, err := inProgressSheet(b, cmd.SheetID, cmd.Actor)
	if err != nil {
		return nil, err
	}
	return []events.Payload{SheetCompleted{SheetID: s.ID, Comment: strings.TrimSpace(cmd.Comment)}}, nil
}

func abandonSheet(b Board, cmd AbandonSheet) ([]events.Payload, error) {
	s, err := openSheet(b, cmd.SheetID, cmd.Actor)
	if err != nil {
		return nil, err
	}
	return []events.Payload{SheetAbandoned{SheetID: s.ID, Reason: strings.TrimSpace(cmd.Reason),
		PreviousStatus: s.Status}}, nil
}

func rescheduleSheet(b Board, cmd RescheduleSheet) ([]events.Payload, error) {
	s, err := openSheet(b, cmd.SheetID, cmd.Actor)
	if err != nil {
		return nil, err
	}
	if s.DueDate == cmd.DueDate {
		return nil, nil
	}
	if pastDue(cmd.DueDate, cmd.Time) {
		return nil, errcode.DateInPast.WithFields(map[string]string{"due_date": "future"}).With("%s", cmd.DueDate)
	}
	return []events.Payload{SheetRescheduled{SheetID: s.ID, DueDate: cmd.DueDate, PreviousDueDate: s.DueDate,
		Reason: strings.TrimSpace(cmd.Reason)}}, nil
}

// newSheet is the creation event of sheet id, owned by owner, as cmd describes it: the
// one shape create-sheet and every imported line share.
func newSheet(id, owner uuid.UUID, cmd CreateSheet) SheetCreated {
	return SheetCreated{SheetID: id, Title: clean(cmd.Title), Description: strings.TrimSpace(cmd.Description),
		Level: cmd.Level, Theme: cmd.Theme, OrganisationID: owner, DueDate: cmd.DueDate,
		OpinionID: optionalID(cmd.OpinionID)}
}

// findSheet finds a sheet by its ID as a command spells it.
func findSheet(b Board, id string) (Sheet, error) {
	uid, err := uuid.Parse(id)
	s, ok := b.Sheet(uid)
	if err != nil || !ok {
		return Sheet{}, ErrSheetNotFound.With("%s", id)
	}
	return s, nil
}

// openSheet finds a sheet that actor may act on and that is neither done nor abandoned.
func openSheet(b Board, id string, actor events.Actor) (Sheet, error) {
	s, err := findSheet(b, id)
	if err != nil {
		return Sheet{}, err
	}
	if err := mayOwn(actor, s.OrganisationID); err != nil {
		return Sheet{}, err
	}
	if s.Status.Closed() {
		return Sheet{}, ErrSheetClosed.With("%s is %s", s.ID, s.Status)
	}
	return s, nil
}

// inProgressSheet finds a sheet in progress that actor may act on.
func inProgressSheet(b Board, id string, actor events.Actor) (Sheet, error) {
	s, err := openSheet(b, id, actor)
	if err == nil && s.Status != StatusInProgress {
		return Sheet{}, ErrSheetNotInProgress.With("%s is %s", s.ID, s.Status)
	}
	return s, err
}

// pastDue reports whether a civil due date is already past everywhere on Earth at now:
// before today's date at UTC−12.
func pastDue(due string, now time.Time) bool {
	return due < now.UTC().Add(-12*time.Hour).Format(DateLayout)
}

// titleTaken reports whether a sheet that is not abandoned has this title (ignoring case
// and spacing) at this level. Done sheets count: doing the same thing twice at the
// same level is a new sheet with a new title ("… (2027)").
func titleTaken(b Board, level Level, title string) bool {
	for s := range b.all() {
		if s.Status != StatusAbandoned && titleKey(s.Level, s.Title) == titleKey(level, title) {
			return true
		}
	}
	return false
}

// titleKey is what two sheets must not share while open.
func titleKey(level Level, title string) string { return string(level) + "\x00" + fold(title) }

// optionalID returns the UUID id, or nil when it is empty (validation has checked it).
func optionalID(id string) *uuid.UUID {
	u, err := uuid.Parse(id)
	if id == "" || err != nil {
		return nil
	}
	return &u
}

// clean trims a title and collapses its inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
