package actionboard

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/themes"
)

var (
	t0     = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	amf    = uuid.MustParse("0b1f3c2e-4b7a-5b8e-9d43-3f1d2a0c8e11")
	region = uuid.MustParse("7c5e2f1a-1d3b-5f6c-8a9b-0e4d2c1b3a55")
)

// board is a fresh board view and a Feeder of it: events at positions 1, 2, … in the
// board stream, a minute apart from t0, each sent by a member of AMF.
func board(t *testing.T) (*projections.View, *projectiontest.Feeder) {
	v := Views()[0]
	f := projectiontest.NewFeeder(t, v)
	f.Clock, f.Tick, f.Actor = t0, time.Minute, projectiontest.Member(amf)
	f.Stream = func(events.Payload) string { return actionsheets.BoardStream }
	return v, f
}

func rowsOf(t *testing.T, v *projections.View) []SheetRow {
	t.Helper()
	_, rows := v.Snapshot()
	out := make([]SheetRow, len(rows))
	for i, r := range rows {
		out[i] = r.(SheetRow)
	}
	return out
}

func TestBoardFoldsASheetsLife(t *testing.T) {
	v, f := board(t)
	if v.Name() != "action-sheets" {
		t.Fatalf("view %q", v.Name())
	}
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	opinion := uuid.New()
	f.Feed(
		actionsheets.SheetCreated{SheetID: a, Title: "Feuille de route régionale", Level: actionsheets.LevelRegion,
			Theme: themes.Governance, OrganisationID: region, DueDate: "2026-09-01"},
		actionsheets.SheetCreated{SheetID: b, Title: "Raccorder les écoles", Description: "Très haut débit",
			Level: actionsheets.LevelCommune, Theme: themes.Infrastructure, OrganisationID: amf, DueDate: "2027-03-01",
			OpinionID: &opinion, ImportCommandID: "cmd", ImportLine: 3},
		actionsheets.SheetCreated{SheetID: c, Title: "Maintenance mutualisée", Level: actionsheets.LevelCommune,
			Theme: themes.Infrastructure, OrganisationID: amf, DueDate: "2026-12-01"},
		actionsheets.SheetStarted{SheetID: b},
		actionsheets.ProgressRecorded{SheetID: b, Percent: 25, Comment: "Recensement fait", AsOf: "2026-03-05"},
		actionsheets.SheetRescheduled{SheetID: b, DueDate: "2027-06-01", PreviousDueDate: "2027-03-01", Reason: "Marchés"},
		actionsheets.ProgressRecorded{SheetID: b, Percent: 60, Comment: "Moitié raccordée", AsOf: "2026-03-05"},
		actionsheets.SheetCompleted{SheetID: b, Comment: "Toutes raccordées"},
		actionsheets.SheetAbandoned{SheetID: c, Reason: "Repris par le département", PreviousStatus: actionsheets.StatusPlanned},
	)
	rows := rowsOf(t, v)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	// Communes first (by due date), the région last.
	if rows[0].ID != c.String() || rows[1].ID != b.String() || rows[2].ID != a.String() {
		t.Fatalf("order %s %s %s", rows[0].Title, rows[1].Title, rows[2].Title)
	}
	got := rows[1]
	if got.Status != "done" || got.Percent != 60 || got.DueDate != "2027-06-01" || got.Outcome != "Toutes raccordées" ||
		got.OpinionID != opinion.String() || got.ImportLine != 3 || got.Description != "Très haut débit" ||
		got.CommitteeID != membership.CommitteeID || got.OrganisationID != amf.String() {
		t.Fatalf("sheet %+v", got)
	}
	if got.StartedAt != "2026-03-05T09:03:00Z" || got.ClosedAt != "2026-03-05T09:07:00Z" || got.CreatedAt != "2026-03-05T09:01:00Z" {
		t.Fatalf("instants %s %s %s", got.CreatedAt, got.StartedAt, got.ClosedAt)
	}
	if got.Revision != 7 || got.Position != 8 || got.UpdatedAt != got.ClosedAt {
		t.Fatalf("revision %d position %d updated %s", got.Revision, got.Position, got.UpdatedAt)
	}
	if len(got.Progress) != 2 || got.Progress[0] != (ProgressEntry{AsOf: "2026-03-05", Percent: 25, Comment: "Recensement fait",
		RecordedAt: "2026-03-05T09:04:00Z", By: amf.String()}) {
		t.Fatalf("progress %+v", got.Progress)
	}
	if len(got.Reschedules) != 1 || got.Reschedules[0] != (Reschedule{From: "2027-03-01", To: "2027-06-01", Reason: "Marchés",
		At: "2026-03-05T09:05:00Z"}) {
		t.Fatalf("reschedules %+v", got.Reschedules)
	}
	if rows[0].Status != "abandoned" || rows[0].Outcome != "Repris par le département" || rows[0].ClosedAt == "" {
		t.Fatalf("abandoned %+v", rows[0])
	}
	// The largest revision over the rows is the board's: the last event's.
	var board uint64
	for _, r := range rows {
		board = max(board, r.Revision)
	}
	if board != 8 {
		t.Fatalf("board revision %d", board)
	}
	// A fresh sheet shows empty lists, not null, and no overdue flag of its own.
	raw, _ := json.Marshal(rows[2])
	if s := string(raw); !strings.Contains(s, `"progress":[]`) || !strings.Contains(s, `"reschedules":[]`) || strings.Contains(s, "overdue") {
		t.Fatalf("json %s", s)
	}
}

func TestBoardIgnoresForeignAndUnknown(t *testing.T) {
	v, f := board(t)
	ghost := uuid.New()
	f.Feed(
		membership.OrganisationAdded{OrganisationID: amf, Name: "AMF", Acronym: "AMF"},
		actionsheets.SheetStarted{SheetID: ghost},
		actionsheets.ProgressRecorded{SheetID: ghost, Percent: 10, Comment: "?"},
		actionsheets.SheetCompleted{SheetID: ghost},
		actionsheets.SheetAbandoned{SheetID: ghost},
		actionsheets.SheetRescheduled{SheetID: ghost, DueDate: "2030-01-01"},
	)
	if pos, rows := v.Snapshot(); pos != 6 || len(rows) != 0 {
		t.Fatalf("position %d, rows %v", pos, rows)
	}
	if v.Err() != nil {
		t.Fatal(v.Err())
	}
}

func TestRowsAreCopies(t *testing.T) {
	v, f := board(t)
	a := uuid.New()
	f.Feed(actionsheets.SheetCreated{SheetID: a, Title: "T", Level: actionsheets.LevelEtat, Theme: themes.Frameworks,
		OrganisationID: amf, DueDate: "2027-01-01"}, actionsheets.SheetStarted{SheetID: a})
	_, r, err := v.Get(a.String())
	if err != nil {
		t.Fatal(err)
	}
	held := r.(SheetRow)
	f.Feed(actionsheets.ProgressRecorded{SheetID: a, Percent: 5, Comment: "c", AsOf: "2026-03-05"})
	if len(held.Progress) != 0 || held.Percent != 0 {
		t.Fatalf("a row handed out changed afterwards: %+v", held)
	}
}

func TestLiveClientsGetPatchesOfOneSheet(t *testing.T) {
	v, f := board(t)
	a, b := uuid.New(), uuid.New()
	f.Feed(
		actionsheets.SheetCreated{SheetID: a, Title: "A", Level: actionsheets.LevelEtat, Theme: themes.Frameworks, OrganisationID: amf, DueDate: "2027-01-01"},
		actionsheets.SheetCreated{SheetID: b, Title: "B", Level: actionsheets.LevelEtat, Theme: themes.Frameworks, OrganisationID: amf, DueDate: "2027-01-01"},
	)
	s := projections.NewSubscriber(4, projectiontest.Observer, "")
	if _, rows, snap := v.Subscribe(0, s); !snap || len(rows) != 2 {
		t.Fatalf("observer snapshot %v (every sheet is public)", rows)
	}
	f.Feed(actionsheets.SheetStarted{SheetID: b})
	p := <-s.C()
	if len(p.Rows) != 1 || p.Rows[0].(SheetRow).ID != b.String() || p.Rows[0].(SheetRow).Status != "in_progress" {
		t.Fatalf("patch %+v", p)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	v, f := board(t)
	a := uuid.New()
	f.Feed(actionsheets.SheetCreated{SheetID: a, Title: "A", Level: actionsheets.LevelEtat, Theme: themes.Frameworks,
		OrganisationID: amf, DueDate: "2027-01-01"})
	snap, err := v.Save()
	if err != nil {
		t.Fatal(err)
	}
	w := Views()[0]
	if err := w.Restore(snap); err != nil {
		t.Fatal(err)
	}
	_, want := v.Snapshot()
	_, got := w.Snapshot()
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("restored %s, want %s", gj, wj)
	}
	bad := newModel()
	if err := bad.LoadState([]byte(`{"x":{"id":"y"}}`)); err == nil {
		t.Fatal("a state whose keys and IDs differ was loaded")
	}
	if err := bad.LoadState([]byte(`not json`)); err == nil || len(bad.sheets) != 0 {
		t.Fatal("garbage loaded")
	}
}
