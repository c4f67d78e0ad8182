package storetest

import (
	"testing"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
)

// openMem opens the reference in-memory store, with a deliberate defect when defect is
// not empty (see mutation_test.go).
func openMem(defect memstore.Defect) func(t *testing.T) Harness {
	return func(t *testing.T) Harness {
		cur := memstore.New()
		cur.Defect = defect
		t.Cleanup(func() { _ = cur.Close() })
		reopen := func() store.Store {
			cur = cur.Reopen()
			return cur
		}
		return Harness{Store: cur, Reopen: reopen, Crash: reopen}
	}
}

func TestReferenceStore(t *testing.T) {
	Run(t, openMem(""))
}
