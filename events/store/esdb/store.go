// Package esdb is Comité's event store on EventStoreDB (or KurrentDB), through the
// official Go client (github.com/EventStore/EventStore-Client-Go/v4).
//
// # Layout
//
// A Comité stream "<category>-<id>" is the EventStoreDB stream of the same name (the
// category-id convention is EventStoreDB's own). Event ID, type, revision (event
// number) and data are EventStoreDB's native fields; the rest of the envelope (schema,
// time, meta, prev_hash, hash, and the revision again) travels as the event's metadata,
// JSON. The global Position of an event is its commit position in $all: positions are
// increasing but not dense (they are byte offsets in the server's log), and no event is
// at position 1.
//
// $all also holds EventStoreDB's own events ($-prefixed streams and types): ReadAll,
// Subscribe and Head skip them. Any other event that is not a Comité event as this
// adapter writes them is an error the operator sees, never silently skipped: give
// Comité a database of its own.
//
// # Appending
//
// An append reads the stream's last event (its revision and hash), checks the expected
// revision, links the new events into the hash chain (events.Chain) and appends them in
// one AppendToStream call — one atomic write — expecting the exact revision it read
// (NoStream for a new stream), whatever the caller expected. EventStoreDB applies that
// check, so of several writers that read the same tail exactly one is stored and the
// chain and revisions in the metadata always match where the events land; an Any or
// StreamExists append that loses the race re-reads and retries (Config.AppendAttempts).
// A WrongExpectedVersion answer becomes a *store.WrongRevisionError carrying the
// stream's actual next revision, read after the rejection. Appends to one stream from
// this process queue on a lock, so that only separate processes ever race at the server.
//
// After the write the adapter reads the new events back, so that the result carries each
// event's own position (EventStoreDB answers with the last one only).
//
// # Idempotency
//
// When an append is rejected, or when an Any/StreamExists append finds its last event
// ID at the stream's end, the adapter reads the stream at the revisions the events would
// have had — after Exact(n), from 0 for NoStream, the stream's last events otherwise —
// and when it finds exactly these event IDs there it returns the original result.
// EventStoreDB's own idempotency by event ID covers the same case at the server.
package esdb

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/comite-partenaires/comite/events/store"
)

// Store is the EventStoreDB event store. It is safe for concurrent use.
type Store struct {
	cfg    Config
	client *client.Client

	locks [64]chan struct{} // per-stream append locks, striped by a hash of the name
	seed  maphash.Seed

	life context.Context // canceled by Close: ends subscriptions and calls in flight
	kill context.CancelFunc
	subs sync.WaitGroup
	// ops counts the calls in flight (begin): Close waits for them before it closes the
	// client. pending counts the client calls still running (see guard), abandoned ones
	// included.
	ops     sync.WaitGroup
	pending atomic.Int64

	mu     sync.Mutex
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open connects to EventStoreDB and checks that it answers (a read of $all's end).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ccfg, err := cfg.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("esdb store: %w", err)
	}
	c, err := client.NewClient(ccfg)
	if err != nil {
		return nil, fmt.Errorf("esdb store: connect to %s: %w: %s", cfg.redactedURL(), store.ErrUnavailable, cfg.redact(err.Error()))
	}
	life, kill := context.WithCancel(context.Background())
	s := &Store{cfg: cfg, client: c, seed: maphash.MakeSeed(), life: life, kill: kill}
	for i := range s.locks {
		s.locks[i] = make(chan struct{}, 1)
	}
	if _, err := s.Head(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("esdb store: connect to %s: %w", cfg.redactedURL(), err)
	}
	return s, nil
}

// Close ends the store's subscriptions, waits for them and closes the client; later
// calls fail with store.ErrClosed. It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	s.kill()
	s.subs.Wait()
	s.ops.Wait()
	if !already && s.settled(time.Second) {
		_ = s.client.Close()
	}
	return nil
}

// Head returns the position of the last Comité event (store.Start when there is none):
// $all read backwards from its end, skipping EventStoreDB's own events.
func (s *Store) Head(ctx context.Context) (store.Position, error) {
	ctx, done, err := s.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	rs, err := guard(rctx, 0, &s.pending, func() (*client.ReadStream, error) {
		return s.client.ReadAll(rctx, client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, all)
	})
	if err != nil {
		return 0, s.mapErr(ctx, "head", err)
	}
	defer rs.Close()
	for {
		r, err := guard(rctx, 0, &s.pending, rs.Recv)
		if errors.Is(err, io.EOF) {
			return store.Start, nil
		}
		if err != nil {
			return 0, s.mapErr(ctx, "head", err)
		}
		if ours(r.Event, s.cfg.StreamPrefix) {
			return position(r.Event.Position), nil
		}
	}
}

// settled waits up to d for the client calls still running to end, and reports
// whether they did. Calls stuck in a client whose connection gave up (see guard) never
// end: closing that client would make them panic, so it is left to the garbage
// collector with them.
func (s *Store) settled(d time.Duration) bool {
	for deadline := time.Now().Add(d); s.pending.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// begin starts a call: ErrClosed once the store is closing, ctx's error if it ended;
// otherwise a context that Close cancels too, and the function that ends the call.
func (s *Store) begin(ctx context.Context) (context.Context, func(), error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, nil, fmt.Errorf("esdb store: %w", store.ErrClosed)
	}
	s.ops.Add(1) // under mu, so never after Close has started waiting
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		s.ops.Done()
		return nil, nil, fmt.Errorf("esdb store: %w", err)
	}
	octx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.life, cancel)
	return octx, func() {
		stop()
		cancel()
		s.ops.Done()
	}, nil
}

// check reports whether the store can serve a call.
func (s *Store) check(ctx context.Context) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("esdb store: %w", store.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("esdb store: %w", err)
	}
	return nil
}

// requestContext bounds one call by Config.RequestTimeout unless ctx has a deadline.
func (s *Store) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return store.RequestContext(ctx, s.cfg.RequestTimeout)
}

// mapErr turns a client error into the store's vocabulary: the caller's own context
// error stays as is; a closed store is ErrClosed; connection trouble, timeouts and
// server-side failures are ErrUnavailable.
func (s *Store) mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	// A store closing cancels its calls in flight: that is ErrClosed, not the caller's.
	if s.check(context.Background()) != nil {
		return fmt.Errorf("esdb store: %s: %w", op, store.ErrClosed)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("esdb store: %s: %w", op, ctx.Err())
	}
	msg := s.cfg.redact(err.Error())
	var ce *client.Error
	if errors.As(err, &ce) {
		switch ce.Code() {
		case client.ErrorCodeWrongExpectedVersion, client.ErrorCodeResourceNotFound, client.ErrorCodeParsing:
			return fmt.Errorf("esdb store: %s: %s", op, msg)
		case client.ErrorCodeConnectionClosed:
			if s.check(context.Background()) != nil {
				return fmt.Errorf("esdb store: %s: %w: %s", op, store.ErrClosed, msg)
			}
		}
	}
	return fmt.Errorf("esdb store: %s: %w: %s", op, store.ErrUnavailable, msg)
}

// lock waits for the append lock of stream's stripe, or for ctx to end.
func (s *Store) lock(ctx context.Context, stream string) (unlock func(), err error) {
	l := s.locks[maphash.String(s.seed, stream)%uint64(len(s.locks))]
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("esdb store: %w", ctx.Err())
	}
}
