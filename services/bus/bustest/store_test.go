package bustest_test

import (
	"testing"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/storetest"
	"github.com/comite-partenaires/comite/services/bus/bustest"
)

// TestContract runs the store contract suite on the fake, so that tests using it
// exercise the same semantics as the real adapters.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		cur := bustest.NewFakeStore()
		t.Cleanup(func() { _ = cur.Close() })
		reopen := func() store.Store {
			cur = cur.Reopen()
			return cur
		}
		return storetest.Harness{Store: cur, Reopen: reopen, Crash: reopen}
	})
}
