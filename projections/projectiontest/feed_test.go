package projectiontest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
)

// seen is a model that keeps the events it folds, one row each.
type seen struct{ evs []events.Event }

func (m *seen) Apply(ev events.Event, _ events.Payload) ([]string, error) {
	m.evs = append(m.evs, ev)
	return []string{ev.ID.String()}, nil
}
func (m *seen) Row(string) (any, bool) { return nil, false }
func (m *seen) Rows() []any            { return nil }

type named string

func (n named) EventType() string { return string(n) }

func TestFeederNumbersEvents(t *testing.T) {
	a, b := &seen{}, &seen{}
	f := NewFeeder(t, projections.NewView("a", a, false), projections.NewView("b", b, false))
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	member := Member(uuid.MustParse("0a000000-0000-4000-8000-00000000000a"))
	f.Clock, f.Tick, f.Actor = t0, time.Minute, member
	f.Stream = func(p events.Payload) string { return "s-" + p.EventType() }
	f.Feed(named("x"), named("y"))
	f.Actor = Observer
	evs := f.Feed(named("x"))
	if len(a.evs) != 3 || len(b.evs) != 3 || b.evs[2].ID != evs[0].ID {
		t.Fatalf("views folded %d and %d events", len(a.evs), len(b.evs))
	}
	for i, want := range []struct {
		typ      string
		revision uint64
		actor    events.Actor
	}{{"x", 0, member}, {"y", 0, member}, {"x", 1, Observer}} {
		ev := a.evs[i]
		if ev.Type != want.typ || ev.Stream != "s-"+want.typ || ev.Revision != want.revision || ev.Position != uint64(i+1) ||
			!ev.Time.Equal(t0.Add(time.Duration(i)*time.Minute)) || ev.Meta.Actor != want.actor {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
}
