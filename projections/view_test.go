package projections

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

type counted struct{ n int }

func (counted) EventType() string { return "test.counter.counted" }

// counter counts events in one row; a payload with n < 0 is a model error.
type counter struct{ total int }

func (c *counter) Apply(_ events.Event, p events.Payload) ([]string, error) {
	e := p.(counted)
	if e.n < 0 {
		return nil, errors.New("negative")
	}
	c.total += e.n
	return []string{"total"}, nil
}
func (c *counter) Row(id string) (any, bool) { return c.total, id == "total" }
func (c *counter) Rows() []any               { return []any{c.total} }

func at(pos uint64) events.Event { return events.Event{ID: uuid.New(), Position: pos} }

func TestViewIgnoresReplaysAndStopsOnError(t *testing.T) {
	v := NewView("c", &counter{}, true)
	for _, pos := range []uint64{1, 2, 2, 1, 3} {
		if err := v.Apply(at(pos), counted{n: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, rows := v.Snapshot(); rows[0] != 3 || v.Position() != 3 {
		t.Fatalf("rows %v position %d: a redelivered event was folded twice", rows, v.Position())
	}
	if err := v.Apply(at(4), counted{n: -1}); err == nil || v.Err() == nil {
		t.Fatal("model error not reported")
	}
	if err := v.Apply(at(5), counted{n: 1}); err == nil {
		t.Fatal("a failed view kept folding")
	}
	if err := v.WaitFor(context.Background(), 5); err == nil {
		t.Fatal("waiting on a failed view did not fail")
	}
}

func TestWaitFor(t *testing.T) {
	v := NewView("c", &counter{}, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := v.WaitFor(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline, got %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- v.WaitFor(context.Background(), 2) }()
	_ = v.Apply(at(1), counted{n: 1})
	select {
	case err := <-done:
		t.Fatalf("returned before position 2: %v", err)
	default:
	}
	_ = v.Apply(at(2), counted{n: 1})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSubscriberOverflowNeverBlocksTheView(t *testing.T) {
	v := NewView("c", &counter{}, true)
	s := NewSubscriber(2, events.Actor{}, "")
	v.Subscribe(0, s)
	for pos := uint64(1); pos <= 10; pos++ {
		_ = v.Apply(at(pos), counted{n: 1})
	}
	n := 0
	for range s.C() {
		n++
	}
	if !s.Overflowed() || n != 2 {
		t.Fatalf("overflowed %v after %d patches", s.Overflowed(), n)
	}
}
