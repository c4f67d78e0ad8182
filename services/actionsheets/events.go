package actionsheets

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/themes"
)

// Event types of the actionsheets context. They are history: never rename one. Every
// event lives in BoardStream and names its sheet.
const (
	TypeSheetCreated     = "actionsheets.sheet.created"
	TypeSheetStarted     = "actionsheets.sheet.started"
	TypeProgressRecorded = "actionsheets.sheet.progress_recorded"
	TypeSheetCompleted   = "actionsheets.sheet.completed"
	TypeSheetAbandoned   = "actionsheets.sheet.abandoned"
	TypeSheetRescheduled = "actionsheets.sheet.rescheduled"
)

// eventSchemaV1 is the schema of every actionsheets payload so far.
const eventSchemaV1 = 1

// SheetCreated: a planned sheet exists, by create-sheet or by one line of an import.
type SheetCreated struct {
	SheetID        uuid.UUID    `json:"sheet_id"`
	Title          string       `json:"title"`
	Description    string       `json:"description,omitempty"`
	Level          Level        `json:"level"`
	Theme          themes.Theme `json:"theme"`
	OrganisationID uuid.UUID    `json:"organisation_id"`
	// DueDate is a civil date, YYYY-MM-DD.
	DueDate   string     `json:"due_date"`
	OpinionID *uuid.UUID `json:"opinion_id,omitempty"`
	// ImportCommandID and ImportLine trace a sheet created by import-sheets to its file
	// and line (as a spreadsheet numbers it, the header being line 1); both are empty for
	// create-sheet.
	ImportCommandID string `json:"import_command_id,omitempty"`
	ImportLine      int    `json:"import_line,omitempty"`
}

// EventType implements events.Payload.
func (SheetCreated) EventType() string { return TypeSheetCreated }

// SheetStarted: work on a planned sheet began (when: the event's time).
type SheetStarted struct {
	SheetID uuid.UUID `json:"sheet_id"`
}

// EventType implements events.Payload.
func (SheetStarted) EventType() string { return TypeSheetStarted }

// ProgressRecorded: how far a sheet in progress has got.
type ProgressRecorded struct {
	SheetID uuid.UUID `json:"sheet_id"`
	Percent int       `json:"percent"`
	Comment string    `json:"comment"`
	// AsOf is the civil date the figure describes: the one the command gave, or the
	// command's own (UTC) date.
	AsOf string `json:"as_of"`
}

// EventType implements events.Payload.
func (ProgressRecorded) EventType() string { return TypeProgressRecorded }

// SheetCompleted: a sheet is done.
type SheetCompleted struct {
	SheetID uuid.UUID `json:"sheet_id"`
	Comment string    `json:"comment,omitempty"`
}

// EventType implements events.Payload.
func (SheetCompleted) EventType() string { return TypeSheetCompleted }

// SheetAbandoned: a sheet was given up, from the status it had.
type SheetAbandoned struct {
	SheetID        uuid.UUID `json:"sheet_id"`
	Reason         string    `json:"reason"`
	PreviousStatus Status    `json:"previous_status"`
}

// EventType implements events.Payload.
func (SheetAbandoned) EventType() string { return TypeSheetAbandoned }

// SheetRescheduled: a sheet's due date moved.
type SheetRescheduled struct {
	SheetID         uuid.UUID `json:"sheet_id"`
	DueDate         string    `json:"due_date"`
	PreviousDueDate string    `json:"previous_due_date"`
	Reason          string    `json:"reason"`
}

// EventType implements events.Payload.
func (SheetRescheduled) EventType() string { return TypeSheetRescheduled }

// Register records the actionsheets event types in r (schema 1 each). Registering them
// again in the same registry is harmless.
func Register(r *events.Registry) {
	events.MustRegister[SheetCreated](r, eventSchemaV1)
	events.MustRegister[SheetStarted](r, eventSchemaV1)
	events.MustRegister[ProgressRecorded](r, eventSchemaV1)
	events.MustRegister[SheetCompleted](r, eventSchemaV1)
	events.MustRegister[SheetAbandoned](r, eventSchemaV1)
	events.MustRegister[SheetRescheduled](r, eventSchemaV1)
}

// EventTypes lists the actionsheets event types, in the order of Register.
func EventTypes() []string {
	return []string{TypeSheetCreated, TypeSheetStarted, TypeProgressRecorded, TypeSheetCompleted,
		TypeSheetAbandoned, TypeSheetRescheduled}
}
