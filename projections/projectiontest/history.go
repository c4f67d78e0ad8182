package projectiontest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
)

// MemLog is a projections.Log over events in memory (positions increasing), whose Decode
// looks their payloads up: to replay a test's events as the log would.
type MemLog struct {
	evs      []Event
	payloads map[uuid.UUID]events.Payload
}

// NewMemLog returns the log of evs.
func NewMemLog(evs []Event) *MemLog {
	l := &MemLog{evs: evs, payloads: make(map[uuid.UUID]events.Payload, len(evs))}
	for _, e := range evs {
		l.payloads[e.Event.ID] = e.Payload
	}
	return l
}

// Head implements projections.Log.
func (l *MemLog) Head(context.Context) (uint64, error) {
	if len(l.evs) == 0 {
		return 0, nil
	}
	return l.evs[len(l.evs)-1].Event.Position, nil
}

// ReadAll implements projections.Log.
func (l *MemLog) ReadAll(_ context.Context, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		for _, e := range l.evs {
			if e.Event.Position >= from && !yield(e.Event, nil) {
				return
			}
		}
	}
}

// Decode returns the payload of one of the log's events.
func (l *MemLog) Decode(ev events.Event) (events.Payload, error) {
	if p, ok := l.payloads[ev.ID]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("no payload for event %s", ev.ID)
}

// checkHistory asks a projections.History for every view at several points of evs, in
// an order that makes it restore kept snapshots, fold forward from them and thin them,
// and fails t unless each answer equals fresh views fed the events up to that point, for
// every reader. It checks PositionAt against the definition too.
func checkHistory(t testing.TB, newViews func() []*projections.View, evs []Event, readers []events.Actor) {
	t.Helper()
	if len(evs) == 0 {
		return
	}
	log := NewMemLog(evs)
	h, err := projections.NewHistory(log, log.Decode, newViews)
	if err != nil {
		t.Fatal(err)
	}
	h.WithCache(3, 2)
	ctx := context.Background()
	n := len(evs)
	head := evs[n-1].Event.Position
	at := []uint64{evs[n/2].Event.Position, 0, head, evs[n/3].Event.Position, evs[n/2].Event.Position,
		evs[(2*n)/3].Event.Position, evs[0].Event.Position, head, evs[n/4].Event.Position}
	for i, v := range newViews() {
		for _, pos := range at {
			got, err := h.At(ctx, v.Name(), pos)
			if err != nil {
				t.Fatalf("view %s as of position %d: %v", v.Name(), pos, err)
			}
			want := newViews()[i : i+1]
			for _, e := range evs {
				if e.Event.Position > pos {
					break
				}
				Apply(t, want, e)
			}
			if g, w := dump(t, got), dump(t, want[0]); g != w {
				t.Fatalf("view %s as of position %d differs from a replay cut there:\nas of:  %s\nreplay: %s", v.Name(), pos, g, w)
			}
			for _, a := range readers {
				_, g := got.SnapshotFor(a)
				_, w := want[0].SnapshotFor(a)
				if cg, cw := canonical(byID(t, v.Name(), g)), canonical(byID(t, v.Name(), w)); cg != cw {
					t.Fatalf("view %s as of position %d as seen by %s differs from a replay cut there:\nas of:  %s\nreplay: %s", v.Name(), pos, a.Role, cg, cw)
				}
			}
		}
		if _, err := h.At(ctx, v.Name(), head+1); !errors.Is(err, projections.ErrBeyondHead) {
			t.Fatalf("view %s past the head: %v, want ErrBeyondHead", v.Name(), err)
		}
	}
	for _, e := range []Event{evs[0], evs[n/2], evs[n-1]} {
		for _, t0 := range []time.Time{e.Event.Time.Add(-time.Nanosecond), e.Event.Time, e.Event.Time.Add(time.Second)} {
			got, err := h.PositionAt(ctx, t0)
			if err != nil {
				t.Fatal(err)
			}
			if want := positionAt(evs, t0); got != want {
				t.Fatalf("position as of %s: %d, want %d", t0.Format(time.RFC3339Nano), got, want)
			}
		}
	}
}

// positionAt is the last position of the longest start of evs whose events all happened
// at or before t: the definition, written plainly.
func positionAt(evs []Event, t time.Time) uint64 {
	var pos uint64
	for _, e := range evs {
		if e.Event.Time.After(t) {
			break
		}
		pos = e.Event.Position
	}
	return pos
}
