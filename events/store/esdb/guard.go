package esdb

import (
	"context"
	"sync/atomic"
	"time"
)

// guard runs f, a call into the EventStoreDB client, and returns what it returns — or,
// as soon as ctx ends (or timeout passes, when not zero), ctx's error, leaving f to
// finish on its own. The client (v4.0.0) can block forever in any call once its
// connection state machine has given up after a failed discovery (the server was down):
// the machine stops reading its channel, and senders there do not watch contexts. A
// crashed server must not hang the store's callers; what leaks is one goroutine per
// call caught in that state. pending counts the calls still running, abandoned ones
// included: Close must not close a client such calls are stuck in (the client closes
// the channel they are sending on, and they panic).
func guard[T any](ctx context.Context, timeout time.Duration, pending *atomic.Int64, f func() (T, error)) (T, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	pending.Add(1)
	go func() {
		defer pending.Add(-1)
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
