package memstore_test

import (
	"testing"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
	"github.com/comite-partenaires/comite/events/store/storetest"
)

// TestContract runs the store contract suite on the in-memory store (storetest also runs
// it, as its reference, and checks that each Defect makes it fail).
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		cur := memstore.New()
		t.Cleanup(func() { _ = cur.Close() })
		reopen := func() store.Store {
			cur = cur.Reopen()
			return cur
		}
		return storetest.Harness{Store: cur, Reopen: reopen, Crash: reopen}
	})
}
