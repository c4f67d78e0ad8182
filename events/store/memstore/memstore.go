// Package memstore is an in-memory store.Store: the reference implementation the store
// contract suite (storetest) is checked against, and the store of tests that need no
// NATS. It honours the whole contract — expected revisions, atomic and idempotent
// appends, hash chaining, global positions, catch-up-then-live subscriptions — but
// nothing is durable: it is for tests only.
package memstore

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

// memLog is a Store's data: what survives Reopen.
type memLog struct {
	mu      sync.Mutex
	log     []events.Event   // position p is log[p-1]
	streams map[string][]int // indexes into log
	appends int
	changed chan struct{} // closed and replaced at every append
}

// Defect names a deliberate bug: storetest's mutation tests open stores with each defect
// and check that the contract suite fails. Never set one outside such tests.
type Defect string

// The defects storetest's mutation tests use.
const (
	IgnoreRevision Defect = "ignore-revision"  // appends whatever the expected revision
	NoIdempotency  Defect = "no-idempotency"   // appends the same event IDs again
	NilIDAccepted  Defect = "nil-id-ok"        // accepts events without an ID
	StorePrefix    Defect = "store-prefix"     // stores a batch's events before a bad one
	Unchained      Defect = "unchained"        // does not chain hashes
	SubDuplicate   Defect = "sub-duplicate"    // delivers position 3 twice to subscribers
	ForgetOnReopen Defect = "forget-on-reopen" // loses everything on Reopen
	OpenAfterClose Defect = "open-after-close" // keeps working after Close
)

// Store is an in-memory store.Store for tests.
type Store struct {
	// BeforeAppend, when set (before the store is used), runs at the start of every
	// Append, outside the store's locks: tests use it to inject concurrent writes.
	BeforeAppend func(ctx context.Context, stream string)

	// Defect, when set (before the store is used), is a deliberate bug; see Defect.
	Defect Defect

	d      *memLog
	mu     sync.Mutex
	closed bool
	done   chan struct{}
	subs   sync.WaitGroup
}

// New returns an empty store.
func New() *Store {
	return newStore(&memLog{streams: map[string][]int{}, changed: make(chan struct{})})
}

func newStore(d *memLog) *Store { return &Store{d: d, done: make(chan struct{})} }

// Reopen closes s and returns a new store on the same events, as a restarted process
// would see them.
func (s *Store) Reopen() *Store {
	_ = s.Close()
	d := s.d
	if s.Defect == ForgetOnReopen {
		d = &memLog{streams: map[string][]int{}, changed: make(chan struct{})}
	}
	r := newStore(d)
	r.Defect = s.Defect
	return r
}

// Appends counts the appends that stored events (idempotent re-appends excluded).
func (s *Store) Appends() int {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return s.d.appends
}

// Events returns a copy of a stream's events.
func (s *Store) Events(stream string) []events.Event {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	out := make([]events.Event, 0, len(s.d.streams[stream]))
	for _, i := range s.d.streams[stream] {
		out = append(out, s.d.log[i])
	}
	return out
}

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed && s.Defect != OpenAfterClose {
		return store.ErrClosed
	}
	return nil
}

// Append implements store.Store.
func (s *Store) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
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
		if (e.ID == uuid.Nil && s.Defect != NilIDAccepted && s.Defect != StorePrefix) || e.Type == "" || seen[e.ID] {
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
	if known && start+uint64(len(evs)) <= next && s.Defect != NoIdempotency {
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
	if !expected.Matches(next) && s.Defect != IgnoreRevision {
		return store.AppendResult{}, &store.WrongRevisionError{Stream: stream, Expected: expected, Next: next}
	}
	prev := ""
	if next > 0 && s.Defect != Unchained {
		prev = d.log[idx[next-1]].Hash
	}
	out := make([]events.Event, len(evs))
	for i, e := range evs {
		e.Stream, e.Revision, e.Position = stream, next+uint64(i), uint64(len(d.log)+i+1)
		if e.ID == uuid.Nil && s.Defect == StorePrefix { // the events before it stay
			d.appendLocked(stream, out[:i])
			return store.AppendResult{}, fmt.Errorf("%w: event without ID", store.ErrInvalidEvent)
		}
		if err := events.Chain(&e, prev); err != nil {
			return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
		}
		prev, out[i] = e.Hash, e
		if s.Defect == Unchained {
			prev = ""
		}
	}
	d.appendLocked(stream, out)
	return result(out), nil
}

// appendLocked stores evs, which must hold their positions; d.mu is held.
func (d *memLog) appendLocked(stream string, evs []events.Event) {
	for _, e := range evs {
		d.streams[stream] = append(d.streams[stream], len(d.log))
		d.log = append(d.log, e)
	}
	d.appends++
	close(d.changed)
	d.changed = make(chan struct{})
}

func result(evs []events.Event) store.AppendResult {
	last := evs[len(evs)-1]
	return store.AppendResult{Events: evs, LastRevision: last.Revision, Position: last.Position}
}

// snapshot yields the events pick selects, read at once under the lock.
func (s *Store) snapshot(ctx context.Context, pick func(d *memLog) []events.Event) iter.Seq2[events.Event, error] {
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
func (s *Store) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *memLog) []events.Event {
		idx := d.streams[stream]
		out := make([]events.Event, 0, len(idx))
		for _, i := range idx[min(from, uint64(len(idx))):] {
			out = append(out, d.log[i])
		}
		return out
	})
}

// ReadAll implements store.Store.
func (s *Store) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return s.snapshot(ctx, func(d *memLog) []events.Event {
		return slices.Clone(d.log[min(max(from, 1)-1, uint64(len(d.log))):])
	})
}

// Head implements store.Store.
func (s *Store) Head(ctx context.Context) (store.Position, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return uint64(len(s.d.log)), nil
}

// Close implements store.Store: it ends the subscriptions and waits for them.
func (s *Store) Close() error {
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
func (s *Store) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sub := &memSub{ch: make(chan events.Event), stop: make(chan struct{})}
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
			if s.Defect == SubDuplicate && len(batch) > 0 && batch[0].Position <= 3 && batch[len(batch)-1].Position >= 3 {
				i := 3 - int(batch[0].Position)
				batch = slices.Insert(batch, i, batch[i])
			}
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

type memSub struct {
	ch   chan events.Event
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func (f *memSub) Events() <-chan events.Event { return f.ch }
func (f *memSub) Err() error                  { return nil }
func (f *memSub) Close() error {
	f.once.Do(func() { close(f.stop) })
	f.wg.Wait()
	return nil
}
