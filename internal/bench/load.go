package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Latencies collects durations from concurrent goroutines and answers percentiles.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Count is how many durations were recorded.
func (l *Latencies) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// Percentile returns the p-th percentile (0 < p ≤ 100) by the nearest-rank method, 0
// when nothing was recorded.
func (l *Latencies) Percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	rank := int(p/100*float64(len(l.d))+0.999999) - 1
	return l.d[min(max(rank, 0), len(l.d)-1)]
}

// Max is the largest duration recorded.
func (l *Latencies) Max() time.Duration { return l.Percentile(100) }

// Outcome is what a load run measured.
type Outcome struct {
	// Ops is how many calls succeeded; Errors how many failed.
	Ops, Errors int64
	Elapsed     time.Duration
	Latencies   *Latencies
	// FirstError is the first failure, to say why in the report.
	FirstError error
}

// PerSecond is successful calls per second.
func (o Outcome) PerSecond() float64 {
	if o.Elapsed <= 0 {
		return 0
	}
	return float64(o.Ops) / o.Elapsed.Seconds()
}

// Load runs op from workers goroutines in a closed loop (each calls again as soon as its
// last call returned) for d, recording each successful call's latency. op receives the
// worker's index and its call count. A run where every call failed is an error.
func Load(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context, worker, n int) error) (Outcome, error) {
	if workers < 1 || d <= 0 {
		return Outcome{}, fmt.Errorf("bench: load needs workers ≥ 1 and a positive duration, not %d and %s", workers, d)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		out     = Outcome{Latencies: &Latencies{}}
		ok, bad atomic.Int64
		once    sync.Once
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				t := time.Now()
				if err := op(ctx, w, n); err != nil {
					bad.Add(1)
					once.Do(func() { out.FirstError = err })
					continue
				}
				out.Latencies.Add(time.Since(t))
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	out.Elapsed, out.Ops, out.Errors = time.Since(start), ok.Load(), bad.Load()
	if out.Ops == 0 {
		return out, fmt.Errorf("bench: no call succeeded: %w", errors.Join(out.FirstError, ctx.Err()))
	}
	return out, nil
}
