// Package actionboard is the action sheets board read model (fiches-actions): one row per
// sheet of the committee, whatever its level of government (commune, intercommunalité,
// département, région, État), folded from the actionsheets events of the board stream.
//
// # Overdue sheets
//
// The rows carry no "overdue" flag. Whether a sheet is overdue depends on today's date,
// which moves without any event: a flag computed here would be stale by the next morning,
// and a view rebuilt from the log would disagree with one built live. The client computes
// it from due_date and status (a sheet neither done nor abandoned whose due date is before
// the reader's today), the same way it formats dates in the reader's locale.
//
// # Visibility
//
// Action sheets are published material: every reader the role table lets read the view
// (observers included) sees every sheet, so the view has no visibility rule.
package actionboard

import (
	"cmp"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/membership"
)

// SheetsView is the name of the view (authz already has its read rule).
const SheetsView = "action-sheets"

// SheetRow is one action sheet as the board shows it.
type SheetRow struct {
	// ID is the sheet's ID (the events' sheet_id).
	ID string `json:"id"`
	// CommitteeID is the committee whose board holds the sheet.
	CommitteeID string `json:"committee_id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Level is the level of government: commune, intercommunalite, departement, region
	// or etat.
	Level string `json:"level"`
	// Theme is one of the committee's six theme codes.
	Theme string `json:"theme"`
	// OrganisationID is the owner organisation (its acronym is in the organisations view).
	OrganisationID string `json:"organisation_id"`
	// Status is planned, in_progress, done or abandoned.
	Status string `json:"status"`
	// DueDate is a civil date, YYYY-MM-DD. See the package comment for "overdue".
	DueDate string `json:"due_date"`
	// OpinionID is the opinion (avis) that decided the sheet, if any.
	OpinionID string `json:"opinion_id,omitempty"`
	// CreatedAt, StartedAt and ClosedAt are the instants (RFC 3339, UTC) the sheet was
	// created, started, and done or abandoned.
	CreatedAt string `json:"created_at"`
	StartedAt string `json:"started_at,omitempty"`
	ClosedAt  string `json:"closed_at,omitempty"`
	// Outcome is the completion comment or the reason for abandoning, once closed.
	Outcome string `json:"outcome,omitempty"`
	// Percent is the latest progress figure (0 before any report).
	Percent int `json:"percent"`
	// Progress lists the progress reports, oldest first.
	Progress []ProgressEntry `json:"progress"`
	// Reschedules lists the moves of the due date, oldest first.
	Reschedules []Reschedule `json:"reschedules"`
	// ImportLine is the line of the CSV file the sheet was imported from (0 if created
	// one by one).
	ImportLine int `json:"import_line,omitempty"`
	// Revision is the board stream's revision at this sheet's last event. Every event
	// of the board names one sheet, so the largest revision over all rows is the board's
	// current revision: sent as If-Match with an actionsheets command, it has the
	// command refused (wrong_revision) if anything on the board changed meanwhile.
	Revision uint64 `json:"revision"`
	// UpdatedAt is the instant (RFC 3339, UTC) of the sheet's last event.
	UpdatedAt string `json:"updated_at"`
	Position  uint64 `json:"position"`
}

// ProgressEntry is one progress report.
type ProgressEntry struct {
	// AsOf is the civil date the figure describes.
	AsOf    string `json:"as_of"`
	Percent int    `json:"percent"`
	Comment string `json:"comment"`
	// RecordedAt is the instant the report was made (RFC 3339, UTC).
	RecordedAt string `json:"recorded_at"`
	// By is the organisation the reporter acted for, if any.
	By string `json:"by,omitempty"`
}

// Reschedule is one move of a sheet's due date.
type Reschedule struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	// At is the instant of the decision (RFC 3339, UTC).
	At string `json:"at"`
}

// Views returns a fresh action-sheets view.
func Views() []*projections.View {
	return []*projections.View{projections.NewView(SheetsView, newModel(), false)}
}

func newModel() *model { return &model{sheets: map[string]*SheetRow{}} }

// model is the folded board: the rows by sheet ID.
type model struct {
	sheets map[string]*SheetRow
}

// stamp formats an event's time as the rows show instants.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// committeeOf is the committee whose board stream ev belongs to.
func committeeOf(ev events.Event) string {
	if id, ok := strings.CutPrefix(ev.Stream, "actionboard-"); ok && id != "" {
		return id
	}
	return membership.CommitteeID
}

// Apply implements projections.Model. Events of other contexts, and events naming a
// sheet the board does not hold, change nothing.
func (m *model) Apply(ev events.Event, p events.Payload) ([]string, error) {
	if e, ok := p.(actionsheets.SheetCreated); ok {
		row := &SheetRow{ID: e.SheetID.String(), CommitteeID: committeeOf(ev), Title: e.Title,
			Description: e.Description, Level: string(e.Level), Theme: string(e.Theme),
			OrganisationID: e.OrganisationID.String(), Status: string(actionsheets.StatusPlanned),
			DueDate: e.DueDate, CreatedAt: stamp(ev.Time), ImportLine: e.ImportLine,
			Progress: []ProgressEntry{}, Reschedules: []Reschedule{}}
		if e.OpinionID != nil {
			row.OpinionID = e.OpinionID.String()
		}
		m.sheets[row.ID] = row
		return m.touched(row, ev), nil
	}
	var id string
	var change func(*SheetRow)
	switch e := p.(type) {
	case actionsheets.SheetStarted:
		id = e.SheetID.String()
		change = func(r *SheetRow) {
			r.Status, r.StartedAt = string(actionsheets.StatusInProgress), stamp(ev.Time)
		}
	case actionsheets.ProgressRecorded:
		id = e.SheetID.String()
		change = func(r *SheetRow) {
			r.Percent = e.Percent
			r.Progress = append(r.Progress, ProgressEntry{AsOf: e.AsOf, Percent: e.Percent, Comment: e.Comment,
				RecordedAt: stamp(ev.Time), By: ev.Meta.Actor.Organisation})
		}
	case actionsheets.SheetCompleted:
		id = e.SheetID.String()
		change = func(r *SheetRow) {
			r.Status, r.Outcome, r.ClosedAt = string(actionsheets.StatusDone), e.Comment, stamp(ev.Time)
		}
	case actionsheets.SheetAbandoned:
		id = e.SheetID.String()
		change = func(r *SheetRow) {
			r.Status, r.Outcome, r.ClosedAt = string(actionsheets.StatusAbandoned), e.Reason, stamp(ev.Time)
		}
	case actionsheets.SheetRescheduled:
		id = e.SheetID.String()
		change = func(r *SheetRow) {
			r.Reschedules = append(r.Reschedules, Reschedule{From: e.PreviousDueDate, To: e.DueDate, Reason: e.Reason,
				At: stamp(ev.Time)})
			r.DueDate = e.DueDate
		}
	default:
		return nil, nil
	}
	row, ok := m.sheets[id]
	if !ok {
		return nil, nil
	}
	change(row)
	return m.touched(row, ev), nil
}

// touched records that ev changed row and returns its ID as Apply's result.
func (m *model) touched(row *SheetRow, ev events.Event) []string {
	row.Revision, row.Position, row.UpdatedAt = ev.Revision, ev.Position, stamp(ev.Time)
	return []string{row.ID}
}

// Row implements projections.Model.
func (m *model) Row(id string) (any, bool) {
	return projections.RowByID(m.sheets, id, (*SheetRow).copy)
}

// Rows implements projections.Model: the sheets by level (the commune first, the State
// last), then due date, then title.
func (m *model) Rows() []any {
	return projections.SortedRows(m.sheets, func(a, b *SheetRow) int {
		return cmp.Or(cmp.Compare(levelRank(a.Level), levelRank(b.Level)), strings.Compare(a.DueDate, b.DueDate),
			strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	}, (*SheetRow).copy)
}

// levelRank orders levels from the commune to the State; unknown levels come last.
func levelRank(l string) int {
	for i, lv := range actionsheets.Levels() {
		if string(lv) == l {
			return i
		}
	}
	return len(actionsheets.Levels())
}

// RowType describes the rows for the OpenAPI document.
func (*model) RowType() any { return SheetRow{} }

// copy returns a value the caller may keep: rows leave the view's lock as JSON later.
func (r *SheetRow) copy() SheetRow {
	c := *r
	c.Progress = append([]ProgressEntry{}, r.Progress...)
	c.Reschedules = append([]Reschedule{}, r.Reschedules...)
	return c
}
