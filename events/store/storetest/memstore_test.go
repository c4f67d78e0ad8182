package storetest

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// memLog is the data of the reference store: what survives a reopen.
type memLog struct {
	mu      sync.Mutex
	log     []events.Event   // position p is log[p-1]
	streams map[string][]int // indexes into log
	changed chan struct{}    // closed and replaced at every append
}

// memStore is a minimal, obviously correct store used to check the suite itself: the
// suite must pass on it (and fail on the broken variants in mutation_test.go).
type memStore struct {
	d      *memLog
	mu     sync.Mutex
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
	bug    string // a deliberate defect, see mutation_test.go
}

func newMemStore(d *memLog, bug string) *memStore {
	return &memStore{d: d, done: make(chan struct{}), bug: bug}
}

func (s *memStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed && s.bug != "open-after-close" {
		return store.ErrClosed
	}
	return nil
}

func (s *memStore) Append(ctx context.Context, stream string, exp store.Revision, evs ...events.Event) (store.AppendResult, error) {
	if err := s.check(ctx); err != nil {
		return store.AppendResult{}, err
	}
	if err := events.ValidStream(stream); err != nil || len(evs) == 0 {
		return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
	}
	seen := map[uuid.UUID]bool{}
	for _, e := range evs {
		if (e.ID == uuid.Nil && s.bug != "nil-id-ok" && s.bug != "store-prefix") || e.Type == "" || seen[e.ID] {
			return store.AppendResult{}, fmt.Errorf("%w: event %s %q", store.ErrInvalidEvent, e.ID, e.Type)
		}
		seen[e.ID] = true
		if _, err := events.CanonicalJSON(e.Data); err != nil {
			return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
		}
	}
	d := s.d
	d.mu.Lock()
	defer d.mu.Unlock()
	idx := d.streams[stream]
	next := uint64(len(idx))
	start, known := next-uint64(len(evs)), next >= uint64(len(evs))
	if n, ok := exp.Exact(); ok {
		start, known = n+1, true
	} else if exp == store.NoStream {
		start, known = 0, true
	}
	if known && start+uint64(len(evs)) <= next && s.bug != "no-idempotency" {
		stored := make([]events.Event, len(evs))
		for i := range evs {
			stored[i] = d.log[idx[start+uint64(i)]]
		}
		if slices.Equal(ids(stored), ids(evs)) {
			return result(stored), nil
		}
	}
	if !exp.Matches(next) && s.bug != "ignore-revision" {
		return store.AppendResult{}, &store.WrongRevisionError{Stream: stream, Expected: exp, Next: next}
	}
	prev := ""
	if next > 0 && s.bug != "unchained" {
		prev = d.log[idx[next-1]].Hash
	}
	out := make([]events.Event, len(evs))
	for i, e := range evs {
		e.Stream, e.Revision, e.Position = stream, next+uint64(i), uint64(len(d.log)+1)
		if e.ID == uuid.Nil && s.bug == "store-prefix" { // the prefix stays
			return store.AppendResult{}, fmt.Errorf("%w: event without ID", store.ErrInvalidEvent)
		}
		if err := events.Chain(&e, prev); err != nil {
			return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
		}
		if s.bug == "unchained" {
			prev = ""
		} else {
			prev = e.Hash
		}
		out[i] = e
		d.streams[stream] = append(d.streams[stream], len(d.log))
		d.log = append(d.log, e)
	}
	close(d.changed)
	d.changed = make(chan struct{})
	return result(out), nil
}

func result(evs []events.Event) store.AppendResult {
	last := evs[len(evs)-1]
	return store.AppendResult{Events: evs, LastRevision: last.Revision, Position: last.Position}
}

func (s *memStore) snapshot(ctx context.Context, pick func(d *memLog) []events.Event) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		if err := s.check(ctx); err != nil {
			yield(events.Event{}, err)
			return
		}
		s.d.mu.Lock()
		evs := pick(s.d)
		s.d.mu.Unlock()
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (s *memStore) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *memLog) []events.Event {
		var out []events.Event
		for _, i := range d.streams[stream][min(from, uint64(len(d.streams[stream]))):] {
			out = append(out, d.log[i])
		}
		return out
	})
}

func (s *memStore) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *memLog) []events.Event {
		return slices.Clone(d.log[min(max(from, 1)-1, uint64(len(d.log))):])
	})
}

func (s *memStore) Head(ctx context.Context) (store.Position, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return uint64(len(s.d.log)), nil
}

type memSub struct {
	ch     chan events.Event
	stop   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	parent *memStore
}

func (s *memStore) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sub := &memSub{ch: make(chan events.Event), stop: make(chan struct{}), parent: s}
	s.wg.Add(1)
	sub.wg.Go(func() {
		defer s.wg.Done()
		defer close(sub.ch)
		next := after
		for {
			s.d.mu.Lock()
			var e *events.Event
			if next < uint64(len(s.d.log)) {
				e = &s.d.log[next]
			}
			changed := s.d.changed
			s.d.mu.Unlock()
			if e == nil {
				select {
				case <-changed:
					continue
				case <-sub.stop:
				case <-s.done:
				case <-ctx.Done():
				}
				return
			}
			select {
			case sub.ch <- *e:
				next++
				if s.bug == "sub-duplicate" && next == 3 {
					next--
				}
			case <-sub.stop:
				return
			case <-s.done:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	return sub, nil
}

func (sub *memSub) Events() <-chan events.Event { return sub.ch }
func (sub *memSub) Err() error                  { return nil }
func (sub *memSub) Close() error {
	sub.once.Do(func() { close(sub.stop) })
	sub.wg.Wait()
	return nil
}

func (s *memStore) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// openMem opens a reference store, with a deliberate bug when bug is not empty.
func openMem(bug string) func(t *testing.T) Harness {
	return func(t *testing.T) Harness {
		d := &memLog{streams: map[string][]int{}, changed: make(chan struct{})}
		cur := newMemStore(d, bug)
		t.Cleanup(func() { _ = cur.Close() })
		reopen := func() store.Store {
			_ = cur.Close()
			if bug == "forget-on-reopen" {
				d = &memLog{streams: map[string][]int{}, changed: make(chan struct{})}
			}
			cur = newMemStore(d, bug)
			return cur
		}
		return Harness{Store: cur, Reopen: reopen, Crash: reopen}
	}
}

func TestReferenceStore(t *testing.T) {
	Run(t, openMem(""))
}
