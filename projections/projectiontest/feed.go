package projectiontest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
)

// Apply hands each event to every view, as the runner does, and fails t on an error.
func Apply(t testing.TB, views []*projections.View, evs ...Event) {
	t.Helper()
	for _, e := range evs {
		for _, v := range views {
			if err := v.Apply(e.Event, e.Payload); err != nil {
				t.Fatalf("view %s at position %d (%s): %v", v.Name(), e.Event.Position, e.Event.Type, err)
			}
		}
	}
}

// Feeder makes an event of each payload it is given and applies it to its views: a new
// ID, the payload's type, the position after the views' (which must all have reached the
// same one), and what its fields say. Set them before feeding, or between two feeds.
type Feeder struct {
	// Clock is the time of the next event; Tick is added to it after each event.
	Clock time.Time
	Tick  time.Duration
	// Actor sends the events.
	Actor events.Actor
	// Stream, unless nil, names each event's stream; the revisions in a stream then count
	// the events this Feeder put in it, from 0. With Stream nil, events have neither.
	Stream func(events.Payload) string

	t         testing.TB
	views     []*projections.View
	revisions map[string]uint64
}

// NewFeeder returns a Feeder of views.
func NewFeeder(t testing.TB, views ...*projections.View) *Feeder {
	return &Feeder{t: t, views: views, revisions: map[string]uint64{}}
}

// Feed applies the payloads, an event each, to the views, failing the test on an error,
// and returns the events.
func (f *Feeder) Feed(payloads ...events.Payload) []events.Event {
	f.t.Helper()
	out := make([]events.Event, 0, len(payloads))
	for _, p := range payloads {
		ev := events.Event{ID: uuid.New(), Type: p.EventType(), Position: f.views[0].Position() + 1, Time: f.Clock,
			Meta: events.Meta{Actor: f.Actor}}
		if f.Stream != nil {
			ev.Stream = f.Stream(p)
			ev.Revision = f.revisions[ev.Stream]
			f.revisions[ev.Stream]++
		}
		Apply(f.t, f.views, Event{Event: ev, Payload: p})
		f.Clock = f.Clock.Add(f.Tick)
		out = append(out, ev)
	}
	return out
}
