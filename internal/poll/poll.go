// Package poll is how Comité's tests wait for something to happen: by checking a
// condition until it holds, never by sleeping a fixed time (DESIGN.md, Conventions).
package poll

import (
	"testing"
	"time"
)

// Timeout is how long Until waits: generous, because CI machines are shared and slow,
// and a condition that holds returns at once anyway.
const Timeout = 30 * time.Second

// Until checks cond every few milliseconds until it holds, and fails the test naming
// what it waited for if Timeout passes first.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", Timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
