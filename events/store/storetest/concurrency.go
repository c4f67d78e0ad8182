package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// Writers is how many goroutines race in the concurrency tests.
const Writers = 16

type outcome struct {
	in  []events.Event
	res store.AppendResult
	err error
}

// race runs Writers appends to stream with exp at once, each of its own fresh events
// (or of the events given by batch when not nil), and returns their outcomes.
func race(t *testing.T, s store.Store, stream string, exp store.Revision, batch func(i int) []events.Event) []outcome {
	t.Helper()
	out := make([]outcome, Writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range out {
		out[i].in = batch(i)
		wg.Go(func() {
			<-start
			out[i].res, out[i].err = s.Append(t.Context(), stream, exp, out[i].in...)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// oneWinner checks that exactly one outcome succeeded and every other one is a
// WrongRevisionError showing the winner's events; it returns the winner.
func oneWinner(t *testing.T, stream string, exp store.Revision, out []outcome, next uint64) outcome {
	t.Helper()
	var winners []outcome
	for _, o := range out {
		if o.err == nil {
			winners = append(winners, o)
			continue
		}
		wrongRevision(t, o.err, stream, exp, next)
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d concurrent appends expecting %s succeeded, want exactly 1", len(winners), len(out), exp)
	}
	checkResult(t, stream, winners[0].in, winners[0].res)
	return winners[0]
}

// testConcurrentWritersExact: Writers goroutines append at the same exact revision; one
// wins, the others get ErrWrongRevision, the stream grows by the winner's events only.
func testConcurrentWritersExact(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("opinion")
	first := mustAppend(t, s, stream, store.NoStream, newEvent("opinions.opinion.drafted", 0))
	out := race(t, s, stream, store.Exact(0), func(int) []events.Event { return newBatch("opinions.opinion.amended", 2) })
	w := oneWinner(t, stream, store.Exact(0), out, 3)
	got := readStream(t, s, stream, 0)
	sameEvents(t, "stream after the race", got, slices.Concat(first.Events, w.res.Events))
	verifyChains(t, readAll(t, s, store.Start))
}

// testConcurrentWritersNoStream: Writers goroutines create the same stream at once.
func testConcurrentWritersNoStream(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("vote")
	out := race(t, s, stream, store.NoStream, func(int) []events.Event { return newBatch("consultations.vote.opened", 2) })
	w := oneWinner(t, stream, store.NoStream, out, 2)
	sameEvents(t, "stream after the race", readStream(t, s, stream, 0), w.res.Events)
	all := readAll(t, s, store.Start)
	if len(all) != 2 {
		t.Fatalf("log has %d events after the race, want the winner's 2", len(all))
	}
}

// testConcurrentWritersAny: Writers goroutines append with Any to one stream, several
// times each; all succeed, revisions are dense and the hash chain holds.
func testConcurrentWritersAny(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("meeting")
	const rounds = 3
	var mu sync.Mutex
	var results []store.AppendResult
	errs := make(chan error, Writers*rounds)
	var wg sync.WaitGroup
	for i := range Writers {
		wg.Go(func() {
			for r := range rounds {
				res, err := s.Append(t.Context(), stream, store.Any, newBatch("workinggroups.meeting.noted", 1+(i+r)%2)...)
				if err != nil {
					errs <- fmt.Errorf("writer %d round %d: %w", i, r, err)
					return
				}
				mu.Lock()
				results = append(results, res)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append with Any: %v", err)
	}
	got := readStream(t, s, stream, 0)
	total := 0
	for _, r := range results {
		total += len(r.Events)
		for _, e := range r.Events {
			if e.Revision >= uint64(len(got)) {
				t.Fatalf("result event at revision %d, stream has %d events", e.Revision, len(got))
			}
			if err := sameEvent(got[e.Revision], e); err != nil {
				t.Fatalf("stream differs from an append result: %v", err)
			}
		}
	}
	if len(got) != total {
		t.Fatalf("stream has %d events, the appends returned %d", len(got), total)
	}
	verifyChains(t, got)
}

// testAtomicBatch: a batch is visible whole; a batch rejected for its revision or for
// an invalid event in the middle leaves nothing.
func testAtomicBatch(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("opinion")
	first := mustAppend(t, s, stream, store.NoStream, newBatch("opinions.opinion.drafted", 5)...)
	sameEvents(t, "batch", readStream(t, s, stream, 0), first.Events)
	before := head(t, s)

	wrong := newBatch("opinions.opinion.amended", 5)
	_, err := s.Append(t.Context(), stream, store.Exact(7), wrong...)
	wrongRevision(t, err, stream, store.Exact(7), 5)

	bad := newBatch("opinions.opinion.amended", 5)
	bad[2].ID = uuid.Nil
	if _, err := s.Append(t.Context(), stream, store.Exact(4), bad...); !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("batch with an invalid event in the middle: err = %v, want ErrInvalidEvent", err)
	}
	all := readAll(t, s, store.Start)
	sameEvents(t, "log after rejected batches", all, first.Events)
	if hasAny(all, ids(wrong)) {
		t.Fatal("events of a rejected batch were stored")
	}
	if got := head(t, s); got != before {
		t.Fatalf("rejected batches moved the head from %d to %d", before, got)
	}
	second := mustAppend(t, s, stream, store.Exact(4), wrong...)
	sameEvents(t, "stream after a good batch", readStream(t, s, stream, 0), slices.Concat(first.Events, second.Events))
}

// testAtomicVisibility: readers running while batches are appended never see part of a
// batch, through Read or ReadAll.
func testAtomicVisibility(t *testing.T, h Harness) {
	s := h.Store
	const writers, batches, size = 4, 8, 4
	streams := make([]string, writers)
	for i := range streams {
		streams[i] = newStream("agenda")
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for i, stream := range streams {
		wg.Go(func() {
			for b := range batches {
				if _, err := s.Append(t.Context(), stream, store.ExpectedFor(uint64(b*size)), newBatch("workinggroups.agenda.item_added", size)...); err != nil {
					errs <- fmt.Errorf("writer %d: %w", i, err)
					return
				}
			}
		})
	}
	var observations atomic.Int64
	var readers sync.WaitGroup
	readers.Go(func() {
		for !done.Load() {
			counts := map[string]int{}
			for e, err := range s.ReadAll(t.Context(), store.Start) {
				if err != nil {
					errs <- fmt.Errorf("ReadAll: %w", err)
					return
				}
				counts[e.Stream]++
			}
			for _, stream := range streams {
				if n := counts[stream]; n%size != 0 {
					errs <- fmt.Errorf("ReadAll saw %d events of %s, batches are of %d", n, stream, size)
					return
				}
				n := 0
				for _, err := range s.Read(t.Context(), stream, 0) {
					if err != nil {
						errs <- fmt.Errorf("Read: %w", err)
						return
					}
					n++
				}
				if n%size != 0 {
					errs <- fmt.Errorf("Read saw %d events of %s, batches are of %d", n, stream, size)
					return
				}
			}
			observations.Add(1)
		}
	})
	wg.Wait()
	done.Store(true)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if observations.Load() == 0 {
		t.Fatal("the reader made no observation")
	}
	if got := readAll(t, s, store.Start); len(got) != writers*batches*size {
		t.Fatalf("log has %d events, want %d", len(got), writers*batches*size)
	}
}

// testAtomicAcrossCrash: writers append batches while the log crashes; after recovery
// every stream holds whole batches only, every acknowledged batch is there, the chains
// hold, and appending continues.
func testAtomicAcrossCrash(t *testing.T, h Harness) {
	if h.Crash == nil {
		t.Skip("the adapter cannot simulate a crash")
	}
	old := h.Store
	const writers, size = 4, 5
	streams := make([]string, writers)
	acked := make([][]store.AppendResult, writers)
	var ackCount atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range streams {
		streams[i] = newStream("sheet")
		wg.Go(func() {
			for next := uint64(0); ; next += size {
				select {
				case <-stop:
					return
				default:
				}
				res, err := old.Append(t.Context(), streams[i], store.ExpectedFor(next), newBatch("actionsheets.sheet.progressed", size)...)
				if err != nil {
					return // the crash
				}
				acked[i] = append(acked[i], res)
				ackCount.Add(1)
			}
		})
	}
	eventually(t, "a few acknowledged batches", func() bool { return ackCount.Load() >= 3*writers })
	s := h.Crash()
	close(stop)
	wg.Wait()

	all := readAll(t, s, store.Start)
	verifyChains(t, all)
	increasing(t, "ReadAll after the crash", all)
	for i, stream := range streams {
		got := readStream(t, s, stream, 0)
		if len(got)%size != 0 {
			t.Fatalf("%s holds %d events after the crash: part of a batch of %d", stream, len(got), size)
		}
		for _, res := range acked[i] {
			for _, e := range res.Events {
				if e.Revision >= uint64(len(got)) {
					t.Fatalf("acknowledged event %s at revision %d lost: %s holds %d events", e.ID, e.Revision, stream, len(got))
				}
				if err := sameEvent(got[e.Revision], e); err != nil {
					t.Fatalf("acknowledged event changed by the crash: %v", err)
				}
			}
		}
		mustAppend(t, s, stream, store.ExpectedFor(uint64(len(got))), newBatch("actionsheets.sheet.closed", 2)...)
	}
	verifyChains(t, readAll(t, s, store.Start))
}

// testIdempotentConcurrent: several goroutines append the same events at once (a command
// retried by several service instances): all get the same result, stored once.
func testIdempotentConcurrent(t *testing.T, h Harness) {
	s := h.Store
	for _, exp := range []store.Revision{store.NoStream, store.Any} {
		for _, k := range []int{1, 3} {
			stream := newStream("ballot")
			in := newBatch("consultations.ballot.cast", k)
			out := race(t, s, stream, exp, func(int) []events.Event { return slices.Clone(in) })
			for i, o := range out {
				if o.err != nil {
					t.Fatalf("%d× same %d events expecting %s: writer %d: %v", Writers, k, exp, i, o.err)
				}
				checkResult(t, stream, in, o.res)
				sameEvents(t, "concurrent idempotent results", o.res.Events, out[0].res.Events)
			}
			sameEvents(t, "stream after concurrent re-appends", readStream(t, s, stream, 0), out[0].res.Events)
		}
	}
}
