package bustest

import (
	"context"
	"slices"
	"sync"

	"github.com/comite-partenaires/comite/services/bus"
)

// FakeReplies is an in-memory bus.ReplyStore for tests; records never expire.
type FakeReplies struct {
	mu   sync.Mutex
	recs map[string]bus.ReplyRecord
}

// NewFakeReplies returns an empty fake reply store.
func NewFakeReplies() *FakeReplies { return &FakeReplies{recs: map[string]bus.ReplyRecord{}} }

// Len returns the number of records (pending or done).
func (f *FakeReplies) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.recs)
}

// Begin implements bus.ReplyStore.
func (f *FakeReplies) Begin(_ context.Context, key, hash string) (bus.ReplyRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rec, ok := f.recs[key]; ok {
		return clone(rec), nil
	}
	f.recs[key] = bus.ReplyRecord{Hash: hash}
	return bus.ReplyRecord{Hash: hash}, nil
}

// Finish implements bus.ReplyStore.
func (f *FakeReplies) Finish(_ context.Context, key, hash string, reply []byte) (bus.ReplyRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rec, ok := f.recs[key]; ok && rec.Done() {
		return clone(rec), nil
	}
	rec := bus.ReplyRecord{Hash: hash, Reply: slices.Clone(reply)}
	f.recs[key] = rec
	return clone(rec), nil
}

// Abandon implements bus.ReplyStore.
func (f *FakeReplies) Abandon(_ context.Context, key, hash string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rec, ok := f.recs[key]; ok && !rec.Done() && rec.Hash == hash {
		delete(f.recs, key)
	}
	return nil
}

func clone(r bus.ReplyRecord) bus.ReplyRecord {
	r.Reply = slices.Clone(r.Reply)
	return r
}
