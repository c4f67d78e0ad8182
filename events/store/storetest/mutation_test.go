package storetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events/store/memstore"
)

// envBug names the deliberate defect of the reference store in a mutant run.
const envBug = "STORETEST_MUTANT"

// TestMutant runs the suite on a broken reference store; it only runs as a subprocess of
// TestSuiteCatchesMutants.
func TestMutant(t *testing.T) {
	bug := os.Getenv(envBug)
	if bug == "" {
		t.Skip("runs only as a subprocess of TestSuiteCatchesMutants")
	}
	Run(t, openMem(memstore.Defect(bug)))
}

// TestSuiteCatchesMutants checks that the suite's subtests can fail: each defect of the
// reference store must make the named subtests fail.
func TestSuiteCatchesMutants(t *testing.T) {
	if os.Getenv(envBug) != "" {
		t.Skip("inside a mutant run")
	}
	if testing.Short() {
		t.Skip("spawns the test binary")
	}
	mutants := map[memstore.Defect][]string{
		memstore.IgnoreRevision: {"ExpectedRevision", "ConcurrentWritersExact", "ConcurrentWritersNoStream", "AtomicBatch", "Idempotent"},
		memstore.NoIdempotency:  {"Idempotent", "IdempotentConcurrent"},
		memstore.NilIDAccepted:  {"InvalidInput", "AtomicBatch"},
		memstore.StorePrefix:    {"InvalidInput", "AtomicBatch"},
		memstore.Unchained:      {"AppendAndRead", "HeadAndReopen", "ConcurrentWritersAny"},
		memstore.SubDuplicate:   {"SubscribeCatchUpThenLive"},
		memstore.ForgetOnReopen: {"HeadAndReopen", "AtomicAcrossCrash"},
		memstore.OpenAfterClose: {"Close"},
	}
	for bug, subtests := range mutants {
		for _, sub := range subtests {
			t.Run(string(bug)+"/"+sub, func(t *testing.T) {
				t.Parallel()
				cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutant$/^"+sub+"$", "-test.count=1")
				cmd.Env = append(os.Environ(), envBug+"="+string(bug))
				out, err := cmd.CombinedOutput()
				if err == nil {
					t.Fatalf("%s passed on a store with defect %q:\n%s", sub, bug, out)
				}
				if !strings.Contains(string(out), "--- FAIL: TestMutant/"+sub) {
					t.Fatalf("mutant run failed, but not in %s:\n%s", sub, out)
				}
			})
		}
	}
}
