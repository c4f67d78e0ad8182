package accounts

import (
	"net/netip"
	"sync"
	"time"
)

// ThrottleConfig tunes login throttling; zero values take the defaults of the comments.
type ThrottleConfig struct {
	// Window is how long a failure counts (15 min).
	Window time.Duration
	// DelayAfter failures within Window, each further attempt waits (5).
	DelayAfter int
	// RefuseAfter failures within Window, attempts are refused outright, even with the
	// right password (10).
	RefuseAfter int
	// BaseDelay is the first wait, doubled for each further failure (250 ms)…
	BaseDelay time.Duration
	// MaxDelay caps it (2 s).
	MaxDelay time.Duration
	// MaxEntries bounds the memory used: emails and addresses tracked at once (10 000).
	MaxEntries int
	// Clock is time.Now when nil.
	Clock func() time.Time
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.Window == 0 {
		c.Window = 15 * time.Minute
	}
	if c.DelayAfter == 0 {
		c.DelayAfter = 5
	}
	if c.RefuseAfter == 0 {
		c.RefuseAfter = 10
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = 250 * time.Millisecond
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = 2 * time.Second
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 10_000
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// Throttle slows down and then refuses repeated failed sign-ins, per email and per client
// address, in memory. Counting per email stops guessing one person's password from many
// addresses; per address, trying one password on many emails.
type Throttle struct {
	cfg ThrottleConfig
	mu  sync.Mutex
	// failures holds, per key, the times of the last RefuseAfter failures, oldest first.
	failures map[string][]time.Time
}

// NewThrottle returns a Throttle.
func NewThrottle(cfg ThrottleConfig) *Throttle {
	return &Throttle{cfg: cfg.withDefaults(), failures: map[string][]time.Time{}}
}

// Verdict is what the throttle says about an attempt about to be made.
type Verdict struct {
	// Delay to wait before checking the password (zero: none).
	Delay time.Duration
	// Refused attempts must not be checked at all; RetryAfter says when to come back.
	Refused    bool
	RetryAfter time.Duration
}

func throttleKeys(email string, ip netip.Addr) []string {
	keys := []string{"e:" + NormalizeEmail(email)}
	if ip.IsValid() {
		ip = ip.Unmap()
		if ip.Is6() {
			// One IPv6 host usually owns a whole /64: count it as one address.
			p, _ := ip.Prefix(64)
			ip = p.Addr()
		}
		keys = append(keys, "i:"+ip.String())
	}
	return keys
}

// recent drops the failures of key older than the window; it holds t.mu.
func (t *Throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.cfg.Window {
		i++
	}
	if i == len(fs) {
		delete(t.failures, key)
		return nil
	}
	if i > 0 {
		fs = fs[i:]
		t.failures[key] = fs
	}
	return fs
}

// Check says whether a sign-in for email from ip may be attempted now, and after which
// delay.
func (t *Throttle) Check(email string, ip netip.Addr) Verdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Clock()
	var v Verdict
	for _, k := range throttleKeys(email, ip) {
		fs := t.recent(k, now)
		n := len(fs)
		switch {
		case n >= t.cfg.RefuseAfter:
			v.Refused = true
			// Attempts resume once the failure that made the count reach the limit
			// leaves the window.
			if ra := fs[n-t.cfg.RefuseAfter].Add(t.cfg.Window).Sub(now); ra > v.RetryAfter {
				v.RetryAfter = ra
			}
		case n >= t.cfg.DelayAfter:
			d := t.cfg.BaseDelay << min(n-t.cfg.DelayAfter, 16)
			v.Delay = max(v.Delay, min(d, t.cfg.MaxDelay))
		}
	}
	if v.Refused {
		v.Delay = 0
	}
	return v
}

// Fail records a failed sign-in for email from ip.
func (t *Throttle) Fail(email string, ip netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Clock()
	for _, k := range throttleKeys(email, ip) {
		fs := t.recent(k, now)
		if fs == nil && len(t.failures) >= t.cfg.MaxEntries {
			t.evict(now)
		}
		fs = append(fs, now)
		if len(fs) > t.cfg.RefuseAfter {
			fs = fs[len(fs)-t.cfg.RefuseAfter:]
		}
		t.failures[k] = fs
	}
}

// Succeed forgets the failures of email (not of the address: one good account must not
// wash an address that tries passwords on others).
func (t *Throttle) Succeed(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, throttleKeys(email, netip.Addr{})[0])
}

// evict makes room: first everything out of the window, then, if the table is still
// full, the key whose last failure is the oldest. It holds t.mu.
func (t *Throttle) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for k := range t.failures {
		fs := t.recent(k, now)
		if fs == nil {
			continue
		}
		if last := fs[len(fs)-1]; oldest == "" || last.Before(oldestAt) {
			oldest, oldestAt = k, last
		}
	}
	if len(t.failures) >= t.cfg.MaxEntries && oldest != "" {
		delete(t.failures, oldest)
	}
}

// Len is how many emails and addresses are tracked (tests check the bound).
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.failures)
}
