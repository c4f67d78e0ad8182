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

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// FakeStore is an in-memory store.Store for tests: appends with expected revisions,
// idempotent re-appends, hash chaining and global positions like the real adapters, but
// nothing durable.
type FakeStore struct {
	// BeforeAppend, when set (before the store is used), runs at the start of every
	// Append, outside the store's lock: tests use it to inject concurrent writes.
	BeforeAppend func(ctx context.Context, stream string)

	mu      sync.Mutex
	log     []events.Event // global order; position = index+1
	streams map[string][]int
	results map[string]store.AppendResult // by first event ID, for idempotent re-appends
	appends int
	changed chan struct{}
	closed  bool
}

// NewFakeStore returns an empty fake store.
func NewFakeStore() *FakeStore {
	return &FakeStore{streams: map[string][]int{}, results: map[string]store.AppendResult{},
		changed: make(chan struct{})}
}

// Appends counts the appends that stored events (idempotent re-appends excluded).
func (s *FakeStore) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

// Events returns a copy of a stream's events.
func (s *FakeStore) Events(stream string) []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]events.Event, 0, len(s.streams[stream]))
	for _, i := range s.streams[stream] {
		out = append(out, s.log[i])
	}
	return out
}

// Append implements store.Store.
func (s *FakeStore) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
	if s.BeforeAppend != nil {
		s.BeforeAppend(ctx, stream)
	}
	if err := ctx.Err(); err != nil {
		return store.AppendResult{}, err
	}
	if err := events.ValidStream(stream); err != nil || len(evs) == 0 {
		return store.AppendResult{}, fmt.Errorf("%w: stream %q, %d events", store.ErrInvalidEvent, stream, len(evs))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.AppendResult{}, store.ErrClosed
	}
	idx := s.streams[stream]
	next := uint64(len(idx))
	if n := len(evs); n <= len(idx) {
		tail := idx[len(idx)-n:]
		same := true
		for i, e := range evs {
			same = same && s.log[tail[i]].ID == e.ID
		}
		if prev, ok := s.results[evs[0].ID.String()]; same && ok && expected.Matches(next-uint64(n)) {
			return prev, nil
		}
	}
	if !expected.Matches(next) {
		return store.AppendResult{}, &store.WrongRevisionError{Stream: stream, Expected: expected, Next: next}
	}
	prevHash := ""
	if len(idx) > 0 {
		prevHash = s.log[idx[len(idx)-1]].Hash
	}
	res := store.AppendResult{}
	for i, e := range evs {
		if e.ID == [16]byte{} || e.Type == "" || e.Stream != stream {
			return store.AppendResult{}, fmt.Errorf("%w: event %d", store.ErrInvalidEvent, i)
		}
		e.Revision = next + uint64(i)
		if err := events.Chain(&e, prevHash); err != nil {
			return store.AppendResult{}, fmt.Errorf("%w: %v", store.ErrInvalidEvent, err)
		}
		prevHash = e.Hash
		res.Events = append(res.Events, e)
	}
	for i := range res.Events {
		res.Events[i].Position = uint64(len(s.log) + 1)
		s.streams[stream] = append(s.streams[stream], len(s.log))
		s.log = append(s.log, res.Events[i])
	}
	last := res.Events[len(res.Events)-1]
	res.LastRevision, res.Position = last.Revision, last.Position
	s.results[evs[0].ID.String()] = res
	s.appends++
	close(s.changed)
	s.changed = make(chan struct{})
	return res, nil
}

// Read implements store.Store.
func (s *FakeStore) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		for _, e := range s.Events(stream) {
			if err := ctx.Err(); err != nil {
				yield(events.Event{}, err)
				return
			}
			if e.Revision >= from && !yield(e, nil) {
				return
			}
		}
	}
}

// ReadAll implements store.Store.
func (s *FakeStore) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		s.mu.Lock()
		log := slices.Clone(s.log)
		s.mu.Unlock()
		for _, e := range log {
			if err := ctx.Err(); err != nil {
				yield(events.Event{}, err)
				return
			}
			if e.Position >= from && !yield(e, nil) {
				return
			}
		}
	}
}

// Head implements store.Store.
func (s *FakeStore) Head(context.Context) (store.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.log)), nil
}

// Close implements store.Store.
func (s *FakeStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Subscribe implements store.Store: the backlog after after, then live events.
func (s *FakeStore) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	ctx, cancel := context.WithCancel(ctx)
	sub := &fakeSub{ch: make(chan events.Event), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sub.done)
		defer close(sub.ch)
		pos := after
		for {
			s.mu.Lock()
			batch := slices.Clone(s.log[min(int(pos), len(s.log)):])
			changed := s.changed
			s.mu.Unlock()
			for _, e := range batch {
				select {
				case sub.ch <- e:
					pos = e.Position
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			}
		}
	}()
	return sub, nil
}

type fakeSub struct {
	ch     chan events.Event
	cancel context.CancelFunc
	done   chan struct{}
}

func (f *fakeSub) Events() <-chan events.Event { return f.ch }
func (f *fakeSub) Err() error                  { return nil }
func (f *fakeSub) Close() error {
	f.cancel()
	<-f.done
	return nil
}
