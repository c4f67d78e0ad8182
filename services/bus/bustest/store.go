// Package bustest holds what tests of services built on the bus need: an in-memory
// store (FakeStore, the project's one in-memory store.Store), an in-memory reply store
// (FakeReplies) and an embedded NATS server with the real JetStream store (NATS,
// JetStreamStore). For tests only.
package bustest

import "github.com/comite-partenaires/comite/events/store/memstore"

// FakeStore is the in-memory store.Store of package memstore.
type FakeStore = memstore.Store

// NewFakeStore returns an empty in-memory store.
func NewFakeStore() *FakeStore { return memstore.New() }
