package jetstream

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/storetest"
)

// TestContractGroupCommit runs the contract suite with group commit from the second
// append in flight on, so that the suite's concurrent appends to different streams
// (interleaving, crashes in the middle of batches) go through shared batches.
func TestContractGroupCommit(t *testing.T) {
	storetest.Run(t, openEmbeddedWith(Config{GroupCommitAfter: 1}))
}

// prepared is one append's messages, chained after the stream's tail as publish does.
func prepared(t *testing.T, s *Store, stream string, k int, lastSeq uint64) *pending {
	t.Helper()
	msgs := make([]*nats.Msg, k)
	prev := ""
	for i, e := range newTestEvents(k) {
		e.Stream, e.Revision = stream, uint64(i)
		if err := events.Chain(&e, prev); err != nil {
			t.Fatal(err)
		}
		m, err := encode(s.cfg.SubjectPrefix, e)
		if err != nil {
			t.Fatal(err)
		}
		prev, msgs[i] = e.Hash, m
	}
	msgs[0].Header.Set(natsjs.ExpectedLastSubjSeqHeader, strconv.FormatUint(lastSeq, 10))
	return &pending{msgs: msgs, done: make(chan sent, 1)}
}

// TestSharedBatchConflict: a shared batch holding one append whose expectation fails is
// rejected whole by JetStream; the committer then sends each append on its own, so the
// others are stored (each answered with its own last sequence) and only that one is
// refused.
func TestSharedBatchConflict(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	ctx := t.Context()
	if _, err := n.st.Append(ctx, "opinion-taken", store.NoStream, newTestEvents(1)...); err != nil {
		t.Fatal(err)
	}
	round := []*pending{
		prepared(t, n.st, "opinion-a", 2, 0),
		prepared(t, n.st, "opinion-taken", 1, 0), // the stream exists: expectation fails
		prepared(t, n.st, "opinion-b", 3, 0),
	}
	before := n.st.group.batches.Load()
	n.st.group.send(round)
	got := make([]sent, len(round))
	for i, p := range round {
		got[i] = <-p.done
	}
	if !errors.Is(got[1].err, errConflict) {
		t.Errorf("conflicting append: %+v, want errConflict", got[1])
	}
	for _, i := range []int{0, 2} {
		if got[i].err != nil || got[i].seq == 0 {
			t.Errorf("append %d: %+v, want stored", i, got[i])
		}
	}
	if n.st.group.batches.Load() != before {
		t.Error("the rejected batch was counted as stored")
	}
	for stream, want := range map[string]int{"opinion-a": 2, "opinion-taken": 1, "opinion-b": 3} {
		var count int
		for _, err := range n.st.Read(ctx, stream, 0) {
			if err != nil {
				t.Fatal(err)
			}
			count++
		}
		if count != want {
			t.Errorf("%s holds %d events, want %d", stream, count, want)
		}
	}
}

// TestSharedBatchPositions: appends sent in one shared batch each get the sequence of
// their own last message, and the events read back are theirs, in order.
func TestSharedBatchPositions(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	round := []*pending{prepared(t, n.st, "opinion-x", 2, 0), prepared(t, n.st, "opinion-y", 1, 0), prepared(t, n.st, "opinion-z", 3, 0)}
	before := n.st.group.batches.Load()
	n.st.group.send(round)
	if n.st.group.batches.Load() != before+1 {
		t.Fatal("the round was not stored as one batch")
	}
	wantLast := []uint64{2, 3, 6}
	for i, p := range round {
		r := <-p.done
		if r.err != nil || r.seq != wantLast[i] {
			t.Errorf("append %d: %+v, want last sequence %d", i, r, wantLast[i])
		}
	}
	all := []string{}
	for e, err := range n.st.ReadAll(t.Context(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e.Stream)
	}
	want := []string{"opinion-x", "opinion-x", "opinion-y", "opinion-z", "opinion-z", "opinion-z"}
	if len(all) != len(want) {
		t.Fatalf("log %v, want %v", all, want)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("log %v, want %v", all, want)
		}
	}
}

// TestGroupCommitConcurrentAppends: many writers on streams of their own, with group
// commit from the second append in flight: every append is acknowledged with its own
// events at their stored positions, and some went through shared batches.
func TestGroupCommitConcurrentAppends(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{GroupCommitAfter: 1})
	defer n.stop()
	const writers, rounds = 24, 5
	acked := make([][]events.Event, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			stream := "opinion-w" + strconv.Itoa(w)
			for r := range rounds {
				evs := newTestEvents(1 + (w+r)%3)
				res, err := n.st.Append(t.Context(), stream, store.ExpectedFor(uint64(len(acked[w]))), evs...)
				if err != nil {
					errs <- err
					return
				}
				acked[w] = append(acked[w], res.Events...)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n.st.group.batches.Load() == 0 {
		t.Error("no shared batch with 24 concurrent writers")
	}
	for w := range writers {
		i := 0
		for e, err := range n.st.Read(t.Context(), "opinion-w"+strconv.Itoa(w), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if a := acked[w][i]; e.ID != a.ID || e.Position != a.Position || e.Revision != uint64(i) {
				t.Fatalf("writer %d event %d: stored %s at %d, acknowledged %s at %d", w, i, e.ID, e.Position, a.ID, a.Position)
			}
			i++
		}
		if i != len(acked[w]) {
			t.Fatalf("writer %d: %d events stored, %d acknowledged", w, i, len(acked[w]))
		}
	}
}
