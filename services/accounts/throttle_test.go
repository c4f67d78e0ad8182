package accounts

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestThrottleDelaysThenRefuses(t *testing.T) {
	c := newClock()
	th := NewThrottle(ThrottleConfig{Clock: c.Now})
	ip := netip.MustParseAddr("192.0.2.1")
	wantDelays := []time.Duration{0, 0, 0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second}
	for i, want := range wantDelays {
		v := th.Check("a@x.fr", ip)
		if v.Refused || v.Delay != want {
			t.Fatalf("attempt %d after %d failures: %+v, want delay %v", i+1, i, v, want)
		}
		th.Fail("A@x.fr ", ip)
		c.Advance(time.Minute)
	}
	v := th.Check("a@x.fr", ip)
	if !v.Refused || v.Delay != 0 {
		t.Fatalf("after 10 failures: %+v", v)
	}
	// The first failure was 10 minutes ago: it leaves the window in 5.
	if v.RetryAfter != 5*time.Minute {
		t.Fatalf("RetryAfter = %v", v.RetryAfter)
	}
	c.Advance(5 * time.Minute)
	if v := th.Check("a@x.fr", ip); v.Refused || v.Delay != 2*time.Second {
		t.Fatalf("once the oldest failure left the window: %+v", v)
	}
	c.Advance(15 * time.Minute)
	if v := th.Check("a@x.fr", ip); v != (Verdict{}) {
		t.Fatalf("after the window: %+v", v)
	}
	if th.Len() != 0 {
		t.Fatalf("%d entries kept after the window", th.Len())
	}
}

func TestThrottleCountsPerAddressAndPerEmail(t *testing.T) {
	c := newClock()
	th := NewThrottle(ThrottleConfig{Clock: c.Now})
	attacker := netip.MustParseAddr("2001:db8:1:2::1")
	for i := range 10 {
		th.Fail(fmt.Sprintf("user%d@x.fr", i), attacker)
	}
	// The same /64, another email: refused.
	if v := th.Check("fresh@x.fr", netip.MustParseAddr("2001:db8:1:2::99")); !v.Refused {
		t.Fatalf("spraying one password over many emails from one /64 is not refused: %+v", v)
	}
	// Another address, one of the emails (one failure): free.
	if v := th.Check("user1@x.fr", netip.MustParseAddr("198.51.100.7")); v != (Verdict{}) {
		t.Fatalf("another client: %+v", v)
	}
	for i := range 10 {
		th.Fail("victim@x.fr", netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}))
	}
	if v := th.Check("victim@x.fr", netip.MustParseAddr("198.51.100.8")); !v.Refused {
		t.Fatalf("guessing one email from many addresses is not refused: %+v", v)
	}
	th.Succeed("victim@x.fr")
	if v := th.Check("victim@x.fr", netip.MustParseAddr("198.51.100.8")); v.Refused {
		t.Fatalf("a success does not clear the email: %+v", v)
	}
	if v := th.Check("other@x.fr", attacker); !v.Refused {
		t.Fatal("a success cleared an address")
	}
}

func TestThrottleIsBounded(t *testing.T) {
	c := newClock()
	th := NewThrottle(ThrottleConfig{Clock: c.Now, MaxEntries: 50})
	for i := range 1000 {
		th.Fail(fmt.Sprintf("u%d@x.fr", i), netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
		c.Advance(time.Millisecond)
	}
	if n := th.Len(); n > 50 {
		t.Fatalf("%d entries, bound 50", n)
	}
	// The newest are kept, the oldest evicted.
	th.mu.Lock()
	_, newest := th.failures["e:u999@x.fr"]
	_, oldest := th.failures["e:u0@x.fr"]
	th.mu.Unlock()
	if !newest || oldest {
		t.Fatalf("newest kept: %v, oldest kept: %v", newest, oldest)
	}
}
