// Package bustest holds in-memory fakes for testing services built on the bus without
// NATS: FakeStore (a store.Store) and FakeReplies (a bus.ReplyStore). They keep
// everything in memory, are safe for concurrent use, and are meant for tests only.
package bustest

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// fakeLog is a FakeStore's data: what survives Reopen.
type fakeLog struct {
	mu      sync.Mutex
	log     []events.Event   // position p is log[p-1]
	streams map[string][]int // indexes into log
	appends int
	changed chan struct{} // closed and replaced at every append
}

// FakeStore is an in-memory store.Store for tests. It honours the store contract (it
// passes storetest): expected revisions, atomic and idempotent appends, hash chaining,
// global positions, catch-up-then-live subscriptions; nothing is durable.
type FakeStore struct {
	// BeforeAppend, when set (before the store is used), runs at the start of every
	// Append, outside the store's locks: tests use it to inject concurrent writes.
	BeforeAppend func(ctx context.Context, stream string)

	d      *fakeLog
	mu     sync.Mutex
	closed bool
	done   chan struct{}
	subs   sync.WaitGroup
}

// NewFakeStore returns an empty fake store.
func NewFakeStore() *FakeStore {
	return newFake(&fakeLog{streams: map[string][]int{}, changed: make(chan struct{})})
}

func newFake(d *fakeLog) *FakeStore { return &FakeStore{d: d, done: make(chan struct{})} }

// Reopen closes s and returns a new store on the same events, as a restarted process
// would see them.
func (s *FakeStore) Reopen() *FakeStore {
	_ = s.Close()
	return newFake(s.d)
}

// Appends counts the appends that stored events (idempotent re-appends excluded).
func (s *FakeStore) Appends() int {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return s.d.appends
}

// Events returns a copy of a stream's events.
func (s *FakeStore) Events(stream string) []events.Event {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	out := make([]events.Event, 0, len(s.d.streams[stream]))
	for _, i := range s.d.streams[stream] {
		out = append(out, s.d.log[i])
	}
	return out
}

func (s *FakeStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// Append implements store.Store.
func (s *FakeStore) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
	if s.BeforeAppend != nil {
		s.BeforeAppend(ctx, stream)
	}
	if err := s.check(ctx); err != nil {
		return store.AppendResult{}, err
	}
	if err := events.ValidStream(stream); err != nil || len(evs) == 0 {
		return store.AppendResult{}, fmt.Errorf("%w: stream %q, %d events", store.ErrInvalidEvent, stream, len(evs))
	}
	seen := map[uuid.UUID]bool{}
	for _, e := range evs {
		if e.ID == uuid.Nil || e.Type == "" || seen[e.ID] {
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
	// Where these events would have gone when first appended, for idempotency.
	start, known := next-uint64(len(evs)), next >= uint64(len(evs))
	if n, ok := expected.Exact(); ok {
		start, known = n+1, true
	} else if expected == store.NoStream {
		start, known = 0, true
	}
	if known && start+uint64(len(evs)) <= next {
		stored := make([]events.Event, len(evs))
		same := true
		for i := range evs {
			stored[i] = d.log[idx[start+uint64(i)]]
			same = same && stored[i].ID == evs[i].ID
		}
		if same {
			return result(stored), nil
		}
	}
	if !expected.Matches(next) {
		return store.AppendResult{}, &store.WrongRevisionError{Stream: stream, Expected: expected, Next: next}
	}
	prev := ""
	if next > 0 {
		prev = d.log[idx[next-1]].Hash
	}
	out := make([]events.Event, len(evs))
	for i, e := range evs {
		e.Stream, e.Revision, e.Position = stream, next+uint64(i), uint64(len(d.log)+i+1)
		if err := events.Chain(&e, prev); err != nil {
			return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
		}
		prev, out[i] = e.Hash, e
	}
	for _, e := range out {
		d.streams[stream] = append(d.streams[stream], len(d.log))
		d.log = append(d.log, e)
	}
	d.appends++
	close(d.changed)
	d.changed = make(chan struct{})
	return result(out), nil
}

func result(evs []events.Event) store.AppendResult {
	last := evs[len(evs)-1]
	return store.AppendResult{Events: evs, LastRevision: last.Revision, Position: last.Position}
}

// snapshot yields the events pick selects, read at once under the lock.
func (s *FakeStore) snapshot(ctx context.Context, pick func(d *fakeLog) []events.Event) iter.Seq2[events.Event, error] {
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

// Read implements store.Store.
func (s *FakeStore) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *fakeLog) []events.Event {
		idx := d.streams[stream]
		out := make([]events.Event, 0, len(idx))
		for _, i := range idx[min(from, uint64(len(idx))):] {
			out = append(out, d.log[i])
		}
		return out
	})
}

// ReadAll implements store.Store.
func (s *FakeStore) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *fakeLog) []events.Event {
		return slices.Clone(d.log[min(max(from, 1)-1, uint64(len(d.log))):])
	})
}

// Head implements store.Store.
func (s *FakeStore) Head(ctx context.Context) (store.Position, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return uint64(len(s.d.log)), nil
}

// Close implements store.Store: it ends the subscriptions and waits for them.
func (s *FakeStore) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.subs.Wait()
	return nil
}

// Subscribe implements store.Store: the events after after, then live ones.
func (s *FakeStore) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sub := &fakeSub{ch: make(chan events.Event), stop: make(chan struct{})}
	s.subs.Add(1)
	sub.wg.Go(func() {
		defer s.subs.Done()
		defer close(sub.ch)
		next := after
		for {
			s.d.mu.Lock()
			batch := slices.Clone(s.d.log[min(next, uint64(len(s.d.log))):])
			changed := s.d.changed
			s.d.mu.Unlock()
			for _, e := range batch {
				select {
				case sub.ch <- e:
					next = e.Position
				case <-sub.stop:
					return
				case <-s.done:
					return
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-changed:
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

type fakeSub struct {
	ch   chan events.Event
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func (f *fakeSub) Events() <-chan events.Event { return f.ch }
func (f *fakeSub) Err() error                  { return nil }
func (f *fakeSub) Close() error {
	f.once.Do(func() { close(f.stop) })
	f.wg.Wait()
	return nil
}
