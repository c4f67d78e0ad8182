package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/comite-partenaires/comite/events/store"
)

// testSubscribeCatchUpThenLive: a subscription from the start delivers the backlog, then
// what writers append while it catches up and after, with no gap, no duplicate and
// positions strictly increasing: exactly what ReadAll yields afterwards.
func testSubscribeCatchUpThenLive(t *testing.T, h Harness) {
	s := h.Store
	const writers, appends = 4, 12
	total := 0
	for i := range writers {
		for a := range appends {
			total += 1 + (i+a)%3
		}
	}
	var appended atomic.Int64
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			stream, next := newStream("tally"), uint64(0)
			for a := range appends {
				res, err := s.Append(t.Context(), stream, store.ExpectedFor(next), newBatch("consultations.tally.counted", 1+(i+a)%3)...)
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", i, err)
					return
				}
				next = res.LastRevision + 1
				appended.Add(int64(len(res.Events)))
			}
		})
	}
	// Subscribe while the writers are busy: part backlog, part live.
	eventually(t, "a backlog", func() bool { return appended.Load() >= int64(total/4) })
	sub, err := s.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer sub.Close()
	got := receive(t, sub, total)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	increasing(t, "subscription", got)
	verifyChains(t, got)
	sameEvents(t, "subscription vs ReadAll", got, readAll(t, s, store.Start))
	// Still live after the catch-up.
	last := mustAppend(t, s, newStream("tally"), store.NoStream, newEvent("consultations.tally.closed", 0))
	sameEvents(t, "live event", receive(t, sub, 1), last.Events)
}

// testSubscribeFromMiddle: a subscription after a position starts strictly after it, and
// one from the head delivers only new events.
func testSubscribeFromMiddle(t *testing.T, h Harness) {
	s := h.Store
	a, b := newStream("opinion"), newStream("vote")
	for i := range 10 {
		stream := a
		if i%2 == 1 {
			stream = b
		}
		mustAppend(t, s, stream, store.ExpectedFor(uint64(i/2*2)), newBatch("opinions.opinion.amended", 2)...)
	}
	all := readAll(t, s, store.Start)
	if len(all) != 20 {
		t.Fatalf("log has %d events, want 20", len(all))
	}
	mid, err := s.Subscribe(t.Context(), all[9].Position)
	if err != nil {
		t.Fatalf("subscribe after %d: %v", all[9].Position, err)
	}
	defer mid.Close()
	fromHead, err := s.Subscribe(t.Context(), head(t, s))
	if err != nil {
		t.Fatalf("subscribe after the head: %v", err)
	}
	defer fromHead.Close()
	sameEvents(t, "subscription from a middle position", receive(t, mid, 10), all[10:])
	live := mustAppend(t, s, a, store.Exact(9), newBatch("opinions.opinion.adopted", 3)...)
	sameEvents(t, "live events after the backlog", receive(t, mid, 3), live.Events)
	sameEvents(t, "subscription from the head", receive(t, fromHead, 3), live.Events)
}

// testSubscribeClose: Close ends a subscription (even one with undelivered events),
// closes its channel, leaves Err nil, and is idempotent.
func testSubscribeClose(t *testing.T, h Harness) {
	s := h.Store
	in := mustAppend(t, s, newStream("group"), store.NoStream, newBatch("workinggroups.group.formed", 5)...)
	sub, err := s.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	sameEvents(t, "first events", receive(t, sub, 2), in.Events[:2])
	if err := sub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	ended(t, sub)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after Close = %v, want nil", err)
	}
	if err := sub.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// testSubscribeContextCancel: canceling the subscription's context ends it.
func testSubscribeContextCancel(t *testing.T, h Harness) {
	s := h.Store
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sub, err := s.Subscribe(ctx, store.Start)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	in := mustAppend(t, s, newStream("group"), store.NoStream, newBatch("workinggroups.group.formed", 3)...)
	sameEvents(t, "live events", receive(t, sub, 3), in.Events)
	cancel()
	ended(t, sub)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after cancel = %v, want nil", err)
	}
	if err := sub.Close(); err != nil {
		t.Fatalf("close after cancel: %v", err)
	}
	// The store itself is unaffected.
	mustAppend(t, s, newStream("group"), store.NoStream, newEvent("workinggroups.group.formed", 0))
}
