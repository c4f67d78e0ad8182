// Package storetest is the contract suite every store.Store adapter runs, in the spirit of
// watermill's shared pub/sub tests: ordering, expected revisions, concurrency (N writers,
// one winner per revision), atomicity (also across a crash), idempotency,
// catch-up-then-live subscriptions without gap or duplicate, restart, invalid input and
// the lifecycle.
//
// An adapter's test calls Run with a function that opens a fresh store on data of its own:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Harness { … })
//	}
//
// Every subtest opens its own Harness, so subtests never see each other's events.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// Harness is one adapter instance under test, on data nobody else uses.
//
// The function given to Run owns the harness's resources and releases them with
// t.Cleanup; the suite may already have closed the stores it was handed.
type Harness struct {
	// Store is a store on empty data.
	Store store.Store
	// Reopen closes the current store gracefully, then returns a new store on the same
	// underlying data (for a server-backed store: the server restarted on its files).
	Reopen func() store.Store
	// Crash stops the underlying log abruptly, as close to a process crash as the
	// adapter can get, while the current store is still open and appends may be in
	// flight; in-flight and later calls on the old store must fail promptly. It returns a
	// new store on the recovered data. Nil when the adapter cannot simulate a crash.
	Crash func() store.Store
}

// WaitTimeout bounds every wait in the suite (race-enabled builds on busy machines are
// slow; a correct store is far quicker than this).
const WaitTimeout = 30 * time.Second

// Run runs the contract suite: one subtest per property, each on a fresh Harness.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, h Harness)
	}{
		{"AppendAndRead", testAppendAndRead},
		{"ExpectedRevision", testExpectedRevision},
		{"ConcurrentWritersExact", testConcurrentWritersExact},
		{"ConcurrentWritersNoStream", testConcurrentWritersNoStream},
		{"ConcurrentWritersAny", testConcurrentWritersAny},
		{"AtomicBatch", testAtomicBatch},
		{"AtomicVisibility", testAtomicVisibility},
		{"AtomicAcrossCrash", testAtomicAcrossCrash},
		{"Idempotent", testIdempotent},
		{"IdempotentConcurrent", testIdempotentConcurrent},
		{"SubscribeCatchUpThenLive", testSubscribeCatchUpThenLive},
		{"SubscribeFromMiddle", testSubscribeFromMiddle},
		{"SubscribeClose", testSubscribeClose},
		{"SubscribeContextCancel", testSubscribeContextCancel},
		{"HeadAndReopen", testHeadAndReopen},
		{"InvalidInput", testInvalidInput},
		{"ContextCanceled", testContextCanceled},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// epoch is the suite's clock: deterministic, not UTC, with sub-microsecond noise that the
// canonical encoding must drop.
func epoch() time.Time {
	return time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
}

// newEvent returns an event as a service would build it: a fresh ID, a stable type, a
// payload written in a non-canonical way (spaces, keys unsorted).
func newEvent(typ string, n int) events.Event {
	return events.Event{
		ID:     uuid.New(),
		Type:   typ,
		Schema: 1,
		Time:   epoch().Add(time.Duration(n) * time.Second),
		Meta: events.Meta{
			CommandID:     fmt.Sprintf("cmd-%d", n),
			CorrelationID: "corr-1",
			Actor:         events.Actor{User: "u-1", Organisation: "amf", Role: "member"},
		},
		Data: json.RawMessage(fmt.Sprintf(`{ "title": "Avis n°%d <b>", "n": %d, "a": [1, 2.50] }`, n, n)),
	}
}

// newBatch returns k events of type typ.
func newBatch(typ string, k int) []events.Event {
	evs := make([]events.Event, k)
	for i := range evs {
		evs[i] = newEvent(typ, i)
	}
	return evs
}

// newStream returns a fresh stream name of the given category.
func newStream(category string) string { return events.StreamName(category, uuid.New()) }

func ids(evs []events.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// mustAppend appends and fails the test on error.
func mustAppend(t *testing.T, s store.Store, stream string, exp store.Revision, evs ...events.Event) store.AppendResult {
	t.Helper()
	res, err := s.Append(t.Context(), stream, exp, evs...)
	if err != nil {
		t.Fatalf("append %d events to %s expecting %s: %v", len(evs), stream, exp, err)
	}
	checkResult(t, stream, evs, res)
	return res
}

// checkResult verifies an AppendResult against the events given to Append.
func checkResult(t *testing.T, stream string, in []events.Event, res store.AppendResult) {
	t.Helper()
	if len(res.Events) != len(in) {
		t.Fatalf("append result has %d events, want %d", len(res.Events), len(in))
	}
	last := res.Events[len(res.Events)-1]
	if res.LastRevision != last.Revision || res.Position != last.Position {
		t.Fatalf("result last revision/position %d/%d, last event %d/%d", res.LastRevision, res.Position, last.Revision, last.Position)
	}
	for i, e := range res.Events {
		if e.ID != in[i].ID || e.Type != in[i].Type || e.Stream != stream {
			t.Fatalf("result event %d is %s %s in %s, want %s %s in %s", i, e.ID, e.Type, e.Stream, in[i].ID, in[i].Type, stream)
		}
		if e.Hash == "" || e.Position == store.Start {
			t.Fatalf("result event %d has no hash or position: %+v", i, e)
		}
		if i > 0 && (e.Revision != res.Events[i-1].Revision+1 || e.Position <= res.Events[i-1].Position || e.PrevHash != res.Events[i-1].Hash) {
			t.Fatalf("result event %d does not follow event %d (revision, position or prev_hash)", i, i-1)
		}
	}
}

// collect drains a Read or ReadAll iterator, failing the test on error.
func collect(t *testing.T, seq func(func(events.Event, error) bool)) []events.Event {
	t.Helper()
	var out []events.Event
	for e, err := range seq {
		if err != nil {
			t.Fatalf("read after %d events: %v", len(out), err)
		}
		out = append(out, e)
	}
	return out
}

func readStream(t *testing.T, s store.Store, stream string, from uint64) []events.Event {
	t.Helper()
	return collect(t, s.Read(t.Context(), stream, from))
}

func readAll(t *testing.T, s store.Store, from store.Position) []events.Event {
	t.Helper()
	return collect(t, s.ReadAll(t.Context(), from))
}

func head(t *testing.T, s store.Store) store.Position {
	t.Helper()
	p, err := s.Head(t.Context())
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return p
}

// sameEvent reports how two copies of a stored event differ, or nil.
func sameEvent(got, want events.Event) error {
	switch {
	case got.ID != want.ID, got.Type != want.Type, got.Schema != want.Schema, got.Stream != want.Stream:
		return fmt.Errorf("identity %s/%s/%d/%s, want %s/%s/%d/%s", got.ID, got.Type, got.Schema, got.Stream, want.ID, want.Type, want.Schema, want.Stream)
	case got.Revision != want.Revision, got.Position != want.Position:
		return fmt.Errorf("%s at revision %d position %d, want %d %d", got.ID, got.Revision, got.Position, want.Revision, want.Position)
	case !got.Time.Equal(want.Time), got.Meta != want.Meta, !bytes.Equal(got.Data, want.Data):
		return fmt.Errorf("%s content differs: %v %+v %s, want %v %+v %s", got.ID, got.Time, got.Meta, got.Data, want.Time, want.Meta, want.Data)
	case got.PrevHash != want.PrevHash, got.Hash != want.Hash:
		return fmt.Errorf("%s hashes differ", got.ID)
	}
	return nil
}

// sameEvents fails the test unless got and want are the same stored events in order.
func sameEvents(t *testing.T, what string, got, want []events.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d\ngot  %v\nwant %v", what, len(got), len(want), ids(got), ids(want))
	}
	for i := range got {
		if err := sameEvent(got[i], want[i]); err != nil {
			t.Fatalf("%s: event %d: %v", what, i, err)
		}
	}
}

// verifyChains checks every stream's hash chain over events in global order.
func verifyChains(t *testing.T, all []events.Event) {
	t.Helper()
	v := events.NewChainVerifier()
	for _, e := range all {
		if err := v.Check(e); err != nil {
			t.Fatalf("hash chain: %v", err)
		}
	}
}

// increasing fails the test unless positions strictly increase.
func increasing(t *testing.T, what string, evs []events.Event) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		if evs[i].Position <= evs[i-1].Position {
			t.Fatalf("%s: position %d after %d (event %d)", what, evs[i].Position, evs[i-1].Position, i)
		}
	}
}

// eventually polls cond until it holds or WaitTimeout passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", WaitTimeout, what)
		}
		<-tick.C
	}
}

// wrongRevision fails the test unless err is a WrongRevisionError with the given fields.
func wrongRevision(t *testing.T, err error, stream string, exp store.Revision, next uint64) {
	t.Helper()
	if !errors.Is(err, store.ErrWrongRevision) {
		t.Fatalf("append to %s expecting %s: err = %v, want ErrWrongRevision", stream, exp, err)
	}
	var wr *store.WrongRevisionError
	if !errors.As(err, &wr) {
		t.Fatalf("append to %s: %v is not a *WrongRevisionError", stream, err)
	}
	if wr.Stream != stream || wr.Expected != exp || wr.Next != next {
		t.Fatalf("wrong revision error %+v, want stream %s expected %s next %d", *wr, stream, exp, next)
	}
}

// receive reads n events from a subscription, failing on timeout or early end.
func receive(t *testing.T, sub store.Subscription, n int) []events.Event {
	t.Helper()
	out := make([]events.Event, 0, n)
	timer := time.NewTimer(WaitTimeout)
	defer timer.Stop()
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-timer.C:
			t.Fatalf("received %d of %d events in %s", len(out), n, WaitTimeout)
		}
	}
	return out
}

// ended waits until the subscription's channel is closed, draining it.
func ended(t *testing.T, sub store.Subscription) {
	t.Helper()
	timer := time.NewTimer(WaitTimeout)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-sub.Events():
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatalf("subscription still open after %s", WaitTimeout)
		}
	}
}

// hasAny reports whether any of the ids is in evs.
func hasAny(evs []events.Event, want []uuid.UUID) bool {
	return slices.ContainsFunc(evs, func(e events.Event) bool { return slices.Contains(want, e.ID) })
}

// canceled returns a context that is already canceled.
func canceled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
