package store

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// Helpers shared by the adapters (jetstream, esdb): the idempotent-append check, the
// retry pause and the subscription feed. They hold the Store contract's semantics once.

// ReadFunc reads a stream from a revision (a Store's Read).
type ReadFunc func(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error]

// ResultOf is the result of an append that stored evs (revisions and positions filled).
func ResultOf(evs []events.Event) AppendResult {
	last := evs[len(evs)-1]
	return AppendResult{Events: evs, LastRevision: last.Revision, Position: last.Position}
}

// FindAppended looks for evs in the stream at the revisions an append expecting
// expected would have given them (the stream's next revision being next), and returns
// the original result when it finds exactly these event IDs there: the Store contract's
// idempotent retry.
func FindAppended(ctx context.Context, read ReadFunc, stream string, expected Revision, evs []events.Event, next uint64) (AppendResult, bool, error) {
	k := uint64(len(evs))
	var start uint64
	switch n, exact := expected.Exact(); {
	case exact:
		start = n + 1
	case expected == NoStream:
		start = 0
	case next >= k:
		start = next - k
	default:
		return AppendResult{}, false, nil
	}
	if start+k > next {
		return AppendResult{}, false, nil
	}
	stored, err := StoredAt(ctx, read, stream, start, evs)
	if err != nil || stored == nil {
		return AppendResult{}, false, err
	}
	return ResultOf(stored), true, nil
}

// StoredAt reads len(evs) events of stream from revision start, nil when their IDs are
// not evs's.
func StoredAt(ctx context.Context, read ReadFunc, stream string, start uint64, evs []events.Event) ([]events.Event, error) {
	stored := make([]events.Event, 0, len(evs))
	for e, err := range read(ctx, stream, start) {
		if err != nil {
			return nil, err
		}
		if e.ID != evs[len(stored)].ID {
			return nil, nil
		}
		if stored = append(stored, e); len(stored) == len(evs) {
			return stored, nil
		}
	}
	return nil, nil
}

// Conflict answers an append whose expectation does not hold: the original result if
// these very events were appended before with that expectation, else a
// *WrongRevisionError.
func Conflict(ctx context.Context, read ReadFunc, stream string, expected Revision, evs []events.Event, next uint64) (AppendResult, error) {
	if res, ok, err := FindAppended(ctx, read, stream, expected, evs, next); err != nil || ok {
		return res, err
	}
	return AppendResult{}, &WrongRevisionError{Stream: stream, Expected: expected, Next: next}
}

// Backoff waits attempt × unit (at most ceiling), less up to half of it at random so
// that contending callers spread out; it returns ctx's error if ctx ends first.
func Backoff(ctx context.Context, attempt int, unit, ceiling time.Duration) error {
	d := min(time.Duration(attempt)*unit, ceiling)
	t := time.NewTimer(d - rand.N(d/2+1))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Feed is a Subscription fed by one goroutine (see Run).
type Feed struct {
	ch     chan events.Event
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	err error
}

// NewFeed returns a feed of buffer events; cancel stops its goroutine (Close calls it).
func NewFeed(buffer int, cancel context.CancelFunc) *Feed {
	return &Feed{ch: make(chan events.Event, buffer), cancel: cancel, done: make(chan struct{})}
}

// Run runs follow in a goroutine, which delivers on the feed's channel; when follow
// returns, its error becomes Err, the channel is closed, then after (if not nil) runs —
// the adapter's bookkeeping — and Close returns.
func (f *Feed) Run(follow func(ch chan<- events.Event) error, after func()) {
	go func() {
		defer close(f.done)
		if after != nil {
			defer after()
		}
		defer close(f.ch)
		err := follow(f.ch)
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
	}()
}

// Events delivers the events in global order; it is closed when the subscription ends.
func (f *Feed) Events() <-chan events.Event { return f.ch }

// Err returns why the subscription ended: nil after Close, context cancellation or the
// store's Close.
func (f *Feed) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Close ends the subscription and waits for its goroutine; it is idempotent.
func (f *Feed) Close() error {
	f.cancel()
	<-f.done
	return nil
}

// CheckAppend rejects what can never be appended, before anything is sent: an invalid
// stream name, no events or more than max, an event without ID or type, twice the same
// ID, an event naming another stream, a payload that is not canonical JSON, or (extra,
// when not nil) what the adapter itself cannot store. The error wraps ErrInvalidEvent.
func CheckAppend(stream string, evs []events.Event, max int, extra func(events.Event) string) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	if err := events.ValidStream(stream); err != nil {
		return invalid("%v", err)
	}
	if len(evs) == 0 || len(evs) > max {
		return invalid("%d events, want 1 to %d", len(evs), max)
	}
	seen := make(map[uuid.UUID]bool, len(evs))
	for i, e := range evs {
		switch {
		case e.ID == uuid.Nil:
			return invalid("event %d has no ID", i)
		case e.Type == "":
			return invalid("event %s has no type", e.ID)
		case seen[e.ID]:
			return invalid("event %s appears twice", e.ID)
		case e.Stream != "" && e.Stream != stream:
			return invalid("event %s belongs to %s, not %s", e.ID, e.Stream, stream)
		}
		if extra != nil {
			if why := extra(e); why != "" {
				return invalid("event %s %s", e.ID, why)
			}
		}
		seen[e.ID] = true
		if _, err := events.CanonicalJSON(e.Data); err != nil {
			return invalid("payload of %s: %v", e.ID, err)
		}
	}
	return nil
}

// NextRevision is the revision the next event of a stream gets, given its last event
// (nil: the stream has none).
func NextRevision(tail *events.Event) uint64 {
	if tail == nil {
		return 0
	}
	return tail.Revision + 1
}

// RequestContext bounds one request by timeout unless ctx has a deadline already.
func RequestContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, timeout)
}

// Settle decides an append before anything is written, given the stream's last event
// (nil: none): a conflict (Conflict's answer), an idempotent retry of these very events
// (the original result), or nothing to say (done false: write evs after tail). The
// costly look for a retry is made only when the tail is evs's last event and the
// expectation alone cannot tell.
func Settle(ctx context.Context, read ReadFunc, stream string, expected Revision, evs []events.Event, tail *events.Event) (res AppendResult, done bool, err error) {
	next := NextRevision(tail)
	if !expected.Matches(next) {
		res, err = Conflict(ctx, read, stream, expected, evs, next)
		return res, true, err
	}
	_, exact := expected.Exact()
	if strict := exact || expected == NoStream; !strict && tail != nil && tail.ID == evs[len(evs)-1].ID {
		if res, ok, err := FindAppended(ctx, read, stream, expected, evs, next); err != nil || ok {
			return res, true, err
		}
	}
	return AppendResult{}, false, nil
}
