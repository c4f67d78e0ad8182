package jetstream

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// TestServerArbitrates drives publish directly with a stale tail, as a second instance
// would: JetStream itself rejects it, whole, and the rejection is classified right.
func TestServerArbitrates(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	ctx := t.Context()
	const stream = "opinion-1"
	subject := subjectFor(DefaultSubjectPrefix, stream)
	first, err := n.st.Append(ctx, stream, store.NoStream, newTestEvents(2)...)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := n.st.last(ctx, subject)
	if err != nil || stale == nil || stale.Revision != 1 {
		t.Fatalf("tail %+v, %v", stale, err)
	}
	if _, err := n.st.Append(ctx, stream, store.Exact(1), newTestEvents(1)...); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3} {
		if _, err := n.st.publish(ctx, stream, subject, newTestEvents(k), stale); !errors.Is(err, errConflict) {
			t.Fatalf("publish of %d after a stale tail: %v, want errConflict", k, err)
		}
		if _, err := n.st.publish(ctx, stream, subject, newTestEvents(k), nil); !errors.Is(err, errConflict) {
			t.Fatalf("publish of %d as a new stream: %v, want errConflict", k, err)
		}
	}
	tail, err := n.st.last(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	// Event IDs already stored: a single event is acknowledged as a duplicate, a batch
	// is rejected whole.
	if _, err := n.st.publish(ctx, stream, subject, first.Events[:1], tail); !errors.Is(err, errDuplicate) {
		t.Fatalf("republished event: %v, want errDuplicate", err)
	}
	if _, err := n.st.publish(ctx, stream, subject, append(newTestEvents(1), first.Events[1]), tail); !errors.Is(err, errDuplicate) {
		t.Fatalf("batch with a stored event: %v, want errDuplicate", err)
	}
	var count int
	for _, err := range n.st.Read(ctx, stream, 0) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 3 {
		t.Fatalf("stream has %d events after rejected publishes, want 3", count)
	}
	// Through Append, an ID reused in another stream is invalid input, not a success.
	if _, err := n.st.Append(ctx, "vote-1", store.NoStream, first.Events[0]); !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("event ID reused in another stream: %v, want ErrInvalidEvent", err)
	}
}

// TestReadFromAnyRevision checks the binary search and the paging: a stream whose
// events are scattered among other streams' is read from every revision.
func TestReadFromAnyRevision(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{ReadBatch: 3})
	defer n.stop()
	ctx := t.Context()
	const target = "opinion-target"
	var want []events.Event
	for i := range 23 {
		noise := fmt.Sprintf("vote-%d", i%4)
		for range i % 3 {
			if _, err := n.st.Append(ctx, noise, store.Any, newTestEvents(1+i%2)...); err != nil {
				t.Fatal(err)
			}
		}
		res, err := n.st.Append(ctx, target, store.ExpectedFor(uint64(len(want))), newTestEvents(1+i%3)...)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.Events...)
	}
	for from := range uint64(len(want) + 2) {
		var got []events.Event
		for e, err := range n.st.Read(ctx, target, from) {
			if err != nil {
				t.Fatalf("read from %d: %v", from, err)
			}
			got = append(got, e)
		}
		rest := want[min(from, uint64(len(want))):]
		if len(got) != len(rest) {
			t.Fatalf("read from %d: %d events, want %d", from, len(got), len(rest))
		}
		for i := range got {
			if got[i].ID != rest[i].ID || got[i].Position != rest[i].Position {
				t.Fatalf("read from %d: event %d is %s@%d, want %s@%d", from, i, got[i].ID, got[i].Position, rest[i].ID, rest[i].Position)
			}
		}
	}
}

// TestForeignMessageIsAnError: a message that is not an event, published on the log's
// subjects by something else, stops reads and subscriptions with an error instead of
// being skipped.
func TestForeignMessageIsAnError(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	ctx := t.Context()
	if _, err := n.st.Append(ctx, "opinion-1", store.NoStream, newTestEvents(1)...); err != nil {
		t.Fatal(err)
	}
	sub, err := n.st.Subscribe(ctx, store.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := n.st.js.Publish(ctx, "comite.ev.opinion.1", []byte(`{"hello":"world"}`)); err != nil {
		t.Fatal(err)
	}
	var errs int
	for _, err := range n.st.ReadAll(ctx, store.Start) {
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("ReadAll: %v, want errCorrupt", err)
			}
			errs++
		}
	}
	if errs != 1 {
		t.Fatalf("ReadAll reported %d errors, want 1", errs)
	}
	timeout := time.After(10 * time.Second)
	for delivered := 0; ; {
		select {
		case _, ok := <-sub.Events():
			if ok {
				delivered++
				continue
			}
			if delivered != 1 || !errors.Is(sub.Err(), errCorrupt) {
				t.Fatalf("subscription ended after %d events with %v, want 1 and errCorrupt", delivered, sub.Err())
			}
			return
		case <-timeout:
			t.Fatal("subscription did not end on a foreign message")
		}
	}
}
