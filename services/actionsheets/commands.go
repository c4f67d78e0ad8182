package actionsheets

import (
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/themes"
)

// Context is the actionsheets bounded context's name on the bus.
const Context = "actionsheets"

// Command names (subjects comite.cmd.actionsheets.<name>, gateway URLs).
const (
	CmdCreateSheet     = "create-sheet"
	CmdStartSheet      = "start-sheet"
	CmdRecordProgress  = "record-progress"
	CmdCompleteSheet   = "complete-sheet"
	CmdAbandonSheet    = "abandon-sheet"
	CmdRescheduleSheet = "reschedule-sheet"
	CmdImportSheets    = "import-sheets"
)

// MaxCSVLength bounds the csv field of import-sheets, in characters (1 MiB).
const MaxCSVLength = 1 << 20

// Organisations is what Prepare reads from the committee for create-sheet and
// import-sheets: its current organisations, ID → acronym. Removed organisations are not
// in it, so that a sheet is never given to an organisation that left.
type Organisations map[uuid.UUID]string

// OrganisationsOf lists the current organisations of committee c.
func OrganisationsOf(c membership.Committee) Organisations {
	out := make(Organisations, len(c.Organisations))
	for id, o := range c.Organisations {
		if !o.Removed {
			out[id] = o.Acronym
		}
	}
	return out
}

// Lookup finds an organisation by its UUID or its acronym (any case), as a CSV cell
// names it.
func (o Organisations) Lookup(ref string) (uuid.UUID, bool) {
	ref = strings.TrimSpace(ref)
	if id, err := uuid.Parse(ref); err == nil {
		_, ok := o[id]
		return id, ok
	}
	for id, acronym := range o {
		if strings.EqualFold(acronym, ref) {
			return id, true
		}
	}
	return uuid.Nil, false
}

// CreateSheet creates a planned sheet. Its ID is SheetIDFor(command ID). No two sheets
// that are not abandoned may share a title (ignoring case and spacing) at one level.
type CreateSheet struct {
	bus.Envelope `validate:"-"`
	Title        string       `json:"title" validate:"required,notblank,max=300"`
	Description  string       `json:"description,omitempty" validate:"max=10000"`
	Level        Level        `json:"level" validate:"required,oneof=commune intercommunalite departement region etat"`
	Theme        themes.Theme `json:"theme" validate:"required,oneof=gouvernance usages accompagnement referentiels infrastructures filiere"`
	// OrganisationID is the owner organisation: a current member of the committee.
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	// DueDate is a civil date (YYYY-MM-DD), not in the past.
	DueDate string `json:"due_date" validate:"required,datetime=2006-01-02"`
	// OpinionID optionally names the opinion (avis) that decided the sheet.
	OpinionID string `json:"opinion_id,omitempty" validate:"omitempty,uuid"`
	// Organisations is filled in by Prepare, never read from the body.
	Organisations Organisations `json:"-" validate:"-"`
}

// StartSheet starts work on a planned sheet.
type StartSheet struct {
	bus.Envelope `validate:"-"`
	SheetID      string `json:"sheet_id" validate:"required,uuid"`
}

// RecordProgress reports how far an in-progress sheet has got. A planned sheet must be
// started first (start-sheet): starting is a decision of its own in the history, so it
// is never implied.
type RecordProgress struct {
	bus.Envelope `validate:"-"`
	SheetID      string `json:"sheet_id" validate:"required,uuid"`
	// Percent is required (0 is a valid figure, hence the pointer); it may go down when a
	// sheet is re-estimated.
	Percent *int   `json:"percent" validate:"required,min=0,max=100"`
	Comment string `json:"comment" validate:"required,notblank,max=5000"`
	// AsOf is the civil date the figure describes (YYYY-MM-DD), not in the future; the
	// command's own date when absent.
	AsOf string `json:"as_of,omitempty" validate:"omitempty,datetime=2006-01-02"`
}

// CompleteSheet marks an in-progress sheet done.
type CompleteSheet struct {
	bus.Envelope `validate:"-"`
	SheetID      string `json:"sheet_id" validate:"required,uuid"`
	Comment      string `json:"comment,omitempty" validate:"max=5000"`
}

// AbandonSheet gives up a planned or in-progress sheet, saying why.
type AbandonSheet struct {
	bus.Envelope `validate:"-"`
	SheetID      string `json:"sheet_id" validate:"required,uuid"`
	Reason       string `json:"reason" validate:"required,notblank,max=5000"`
}

// RescheduleSheet moves an open sheet's due date, saying why.
type RescheduleSheet struct {
	bus.Envelope `validate:"-"`
	SheetID      string `json:"sheet_id" validate:"required,uuid"`
	DueDate      string `json:"due_date" validate:"required,datetime=2006-01-02"`
	Reason       string `json:"reason" validate:"required,notblank,max=5000"`
}

// ImportSheets creates many sheets from a CSV file, all or none (see ParseCSV for the
// format). With dry_run, the file is checked exactly as for a real import and nothing
// is appended: the reply lists no events, or the rejection lists every bad cell.
type ImportSheets struct {
	bus.Envelope `validate:"-"`
	CSV          string `json:"csv" validate:"required,max=1048576"`
	DryRun       bool   `json:"dry_run,omitempty"`
	// Organisations is filled in by Prepare, never read from the body.
	Organisations Organisations `json:"-" validate:"-"`
}

// sent is implemented by every actionsheets command: who sends it.
type sent interface{ actor() events.Actor }

func (c CreateSheet) actor() events.Actor     { return c.Actor }
func (c StartSheet) actor() events.Actor      { return c.Actor }
func (c RecordProgress) actor() events.Actor  { return c.Actor }
func (c CompleteSheet) actor() events.Actor   { return c.Actor }
func (c AbandonSheet) actor() events.Actor    { return c.Actor }
func (c RescheduleSheet) actor() events.Actor { return c.Actor }
func (c ImportSheets) actor() events.Actor    { return c.Actor }

// Commands is the actionsheets catalogue. It is pure: the gateway calls it to route
// commands and document them without running the service.
func Commands() []bus.CommandSpec {
	spec := func(name, summary string, newCmd func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: Context, Name: name, Summary: summary, New: newCmd}
	}
	return []bus.CommandSpec{
		spec(CmdCreateSheet, "Create a planned action sheet for one level of government.", func() any { return new(CreateSheet) }),
		spec(CmdStartSheet, "Start work on a planned action sheet.", func() any { return new(StartSheet) }),
		spec(CmdRecordProgress, "Report the progress of an action sheet in progress.", func() any { return new(RecordProgress) }),
		spec(CmdCompleteSheet, "Mark an action sheet in progress as done.", func() any { return new(CompleteSheet) }),
		spec(CmdAbandonSheet, "Abandon an open action sheet, with a reason.", func() any { return new(AbandonSheet) }),
		spec(CmdRescheduleSheet, "Move an open action sheet's due date, with a reason.", func() any { return new(RescheduleSheet) }),
		spec(CmdImportSheets, "Create action sheets from a CSV file, all or none (optionally a dry run).", func() any { return new(ImportSheets) }),
	}
}
