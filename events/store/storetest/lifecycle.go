package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// testHeadAndReopen: Head is the last position; after a graceful close and reopen the
// log is unchanged, the chains hold, and appends continue the revisions, the positions
// and the chain (and stay idempotent).
func testHeadAndReopen(t *testing.T, h Harness) {
	s := h.Store
	if got := head(t, s); got != store.Start {
		t.Fatalf("head of an empty log is %d, want %d", got, store.Start)
	}
	a, b := newStream("opinion"), newStream("vote")
	r1 := mustAppend(t, s, a, store.NoStream, newBatch("opinions.opinion.drafted", 3)...)
	if got := head(t, s); got != r1.Position {
		t.Fatalf("head %d, want %d", got, r1.Position)
	}
	r2 := mustAppend(t, s, b, store.NoStream, newBatch("consultations.vote.opened", 2)...)
	if got := head(t, s); got != r2.Position {
		t.Fatalf("head %d, want %d", got, r2.Position)
	}
	before := readAll(t, s, store.Start)

	s = h.Reopen()
	if got := head(t, s); got != r2.Position {
		t.Fatalf("head after reopen %d, want %d", got, r2.Position)
	}
	sameEvents(t, "log after reopen", readAll(t, s, store.Start), before)
	sameEvents(t, "stream after reopen", readStream(t, s, a, 0), r1.Events)
	in := newBatch("opinions.opinion.amended", 2)
	r3 := mustAppend(t, s, a, store.Exact(2), in...)
	if r3.Events[0].Revision != 3 || r3.Events[0].PrevHash != r1.Events[2].Hash || r3.Events[0].Position <= r2.Position {
		t.Fatalf("append after reopen at revision %d position %d, linked %v; want revision 3 after position %d, linked",
			r3.Events[0].Revision, r3.Events[0].Position, r3.Events[0].PrevHash == r1.Events[2].Hash, r2.Position)
	}
	again, err := s.Append(t.Context(), a, store.Exact(2), in...)
	if err != nil {
		t.Fatalf("re-append after reopen: %v", err)
	}
	sameEvents(t, "re-append after reopen", again.Events, r3.Events)
	_, err = s.Append(t.Context(), b, store.Exact(0), newEvent("consultations.vote.closed", 0))
	wrongRevision(t, err, b, store.Exact(0), 2)
	verifyChains(t, readAll(t, s, store.Start))

	s = h.Reopen()
	sameEvents(t, "log after a second reopen", readAll(t, s, store.Start), slices.Concat(r1.Events, r2.Events, r3.Events))
}

// testClose: Close is idempotent, ends live subscriptions, and every later call fails
// with ErrClosed.
func testClose(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("opinion")
	mustAppend(t, s, stream, store.NoStream, newEvent("opinions.opinion.drafted", 0))
	sub, err := s.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	receive(t, sub, 1)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	ended(t, sub)
	if err := sub.Close(); err != nil {
		t.Fatalf("closing a subscription of a closed store: %v", err)
	}
	ctx := t.Context()
	if _, err := s.Append(ctx, stream, store.Any, newEvent("opinions.opinion.amended", 1)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("append after close: %v, want ErrClosed", err)
	}
	if _, err := s.Head(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("head after close: %v, want ErrClosed", err)
	}
	if _, err := s.Subscribe(ctx, store.Start); !errors.Is(err, store.ErrClosed) {
		t.Errorf("subscribe after close: %v, want ErrClosed", err)
	}
	for name, seq := range map[string]func(func(events.Event, error) bool){
		"Read": s.Read(ctx, stream, 0), "ReadAll": s.ReadAll(ctx, store.Start),
	} {
		n := 0
		for _, err := range seq {
			n++
			if !errors.Is(err, store.ErrClosed) {
				t.Errorf("%s after close yielded %v, want ErrClosed", name, err)
			}
		}
		if n != 1 {
			t.Errorf("%s after close yielded %d values, want one error", name, n)
		}
	}
}
