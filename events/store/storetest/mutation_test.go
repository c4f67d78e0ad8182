package storetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
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
	Run(t, openMem(bug))
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
	mutants := map[string][]string{
		"ignore-revision":  {"ExpectedRevision", "ConcurrentWritersExact", "ConcurrentWritersNoStream", "AtomicBatch", "Idempotent"},
		"no-idempotency":   {"Idempotent", "IdempotentConcurrent"},
		"nil-id-ok":        {"InvalidInput", "AtomicBatch"},
		"store-prefix":     {"InvalidInput", "AtomicBatch"},
		"unchained":        {"AppendAndRead", "HeadAndReopen", "ConcurrentWritersAny"},
		"sub-duplicate":    {"SubscribeCatchUpThenLive"},
		"forget-on-reopen": {"HeadAndReopen", "AtomicAcrossCrash"},
		"open-after-close": {"Close"},
	}
	for bug, subtests := range mutants {
		for _, sub := range subtests {
			t.Run(bug+"/"+sub, func(t *testing.T) {
				t.Parallel()
				cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutant$/^"+sub+"$", "-test.count=1")
				cmd.Env = append(os.Environ(), envBug+"="+bug)
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
