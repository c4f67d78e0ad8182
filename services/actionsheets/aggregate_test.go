package actionsheets

import (
	"fmt"
	"testing"

	"github.com/comite-partenaires/comite/events"
)

// history is a board of n sheets, each created, started, twice reported on and done.
func history(n int) []events.Payload {
	var evs []events.Payload
	for i := range n {
		id := SheetIDFor(fmt.Sprint("s-", i))
		evs = append(evs, SheetCreated{SheetID: id, Title: fmt.Sprint("Fiche ", i), Level: LevelCommune, Theme: "usages"},
			SheetStarted{SheetID: id}, ProgressRecorded{SheetID: id, Percent: 10, AsOf: "2026-03-01"},
			ProgressRecorded{SheetID: id, Percent: 50, AsOf: "2026-04-01"}, SheetCompleted{SheetID: id})
	}
	return evs
}

// TestBranchesShareNothing evolves one board along two branches: neither sees the other's
// changes, even for sheets in the same bucket.
func TestBranchesShareNothing(t *testing.T) {
	base := Fold(history(600)...)
	snapshot := base.Sheets()
	var left, right Board = base, base
	for _, s := range snapshot {
		left = Evolve(left, SheetRescheduled{SheetID: s.ID, DueDate: "2030-01-01"})
		right = Evolve(right, SheetAbandoned{SheetID: s.ID, Reason: "branche"})
	}
	for i, s := range base.Sheets() {
		l, _ := left.Sheet(s.ID)
		r, _ := right.Sheet(s.ID)
		if s != snapshot[i] || l.DueDate != "2030-01-01" || l.Status != StatusDone || r.Status != StatusAbandoned || r.DueDate != "" {
			t.Fatalf("sheet %d: base %+v left %+v right %+v", i, s, l, r)
		}
	}
	if base.Len() != 600 || left.Len() != 600 || right.Len() != 600 {
		t.Fatalf("lengths %d %d %d", base.Len(), left.Len(), right.Len())
	}
}

// BenchmarkFold measures what every command on the board pays to load it: folding 2,000
// sheets' histories (10,000 events) takes tens of milliseconds, not the seconds a full
// copy of the sheets at every event would take.
func BenchmarkFold(b *testing.B) {
	evs := history(2000)
	for b.Loop() {
		Fold(evs...)
	}
}
