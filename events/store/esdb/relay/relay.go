// Package relay copies the EventStoreDB log onto NATS, so that consumers outside the
// process see the same ordered feed whatever the store: in EventStoreDB mode, `comite
// serve` tails $all and publishes every event onto the subjects the JetStream mode uses.
//
// # How
//
// The relay subscribes to the source log (the esdb store) after its checkpoint, and
// appends each event, one at a time and in the source's order, to the feed: a JetStream
// store on the usual subjects (events/store/jetstream). Each append expects the stream
// revision the event has in the source (store.ExpectedFor), so the feed re-chains the
// event exactly as it was chained — the relay checks that the hash it gets back is the
// source's — and each message carries the event ID as Nats-Msg-Id. Only after the feed
// has acknowledged an event does the relay save the event's source position as its
// checkpoint (in NATS KV: processes.KVCheckpoints fits).
//
// A relay killed at any point restarts from its checkpoint and appends again at most the
// events after it; those already in the feed are recognised — by JetStream's duplicate
// window on Nats-Msg-Id, and at any age by the adapter's idempotent append (same event
// IDs at the revisions the expectation points to) — and are not stored twice. So the
// feed holds every event of the source exactly once, in the source's order.
//
// Positions: the feed's events have the feed's positions (JetStream sequences), not
// EventStoreDB's. In-process consumers (projections, process managers, the audit
// sealer) read the esdb store itself, so that a command's reply and the views agree on
// positions; the feed is for consumers elsewhere. Batches: the source does not say where
// an append's batch ends, so a feed consumer may briefly see part of a batch while the
// relay is still appending it (never a gap, never a reordering).
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// DefaultCheckpointName is the checkpoint key of the relay.
const DefaultCheckpointName = "esdb-relay"

// ErrDiverged: the feed holds, at an event's revision, something else than the source
// (another event, or the same event chained differently). The relay stops: an operator
// must look.
var ErrDiverged = errors.New("relay: the feed diverges from the source log")

// Checkpoints remembers the source position up to which the feed is complete
// (processes.KVCheckpoints implements it).
type Checkpoints interface {
	Load(ctx context.Context, name string) (uint64, error)
	Save(ctx context.Context, name string, pos uint64) error
}

// Config configures a relay.
type Config struct {
	// Source is the log (the esdb store); Feed the store written on NATS.
	Source, Feed store.Store
	// Checkpoints holds the relay's checkpoint under Name (DefaultCheckpointName).
	Checkpoints Checkpoints
	Name        string
	// Log receives the relay's progress and failures (discarded when nil).
	Log *slog.Logger

	// crash, set by tests only, is called at each step of an event's relaying; when it
	// returns true the relay stops at once, as if killed there.
	crash func(step string) bool
}

// Relay copies the source log onto the feed.
type Relay struct{ cfg Config }

// New checks cfg and returns a relay.
func New(cfg Config) (*Relay, error) {
	if cfg.Source == nil || cfg.Feed == nil || cfg.Checkpoints == nil {
		return nil, errors.New("relay: source, feed and checkpoints are required")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultCheckpointName
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Relay{cfg: cfg}, nil
}

// errKilled ends a run stopped by the test hook.
var errKilled = errors.New("relay: killed (test)")

// Run relays until ctx ends (nil) or relaying fails; the caller restarts it (RunForever
// does). Each run starts from the checkpoint.
func (r *Relay) Run(ctx context.Context) error {
	after, err := r.cfg.Checkpoints.Load(ctx, r.cfg.Name)
	if err != nil {
		return r.stopped(ctx, err)
	}
	sub, err := r.cfg.Source.Subscribe(ctx, after)
	if err != nil {
		return r.stopped(ctx, err)
	}
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Events():
			if !ok {
				return r.stopped(ctx, fmt.Errorf("relay: source subscription ended: %w", sub.Err()))
			}
			if err := r.relay(ctx, e); err != nil {
				return r.stopped(ctx, err)
			}
		}
	}
}

// stopped is nil when ctx has ended (a stop, not a failure), else err.
func (r *Relay) stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ErrDiverged) {
		return nil
	}
	return err
}

// relay appends one event to the feed, then saves its position.
func (r *Relay) relay(ctx context.Context, e events.Event) error {
	if r.killed("before-append") {
		return errKilled
	}
	if err := Copy(ctx, r.cfg.Feed, e); err != nil {
		return err
	}
	if r.killed("after-append") {
		return errKilled
	}
	if err := r.cfg.Checkpoints.Save(ctx, r.cfg.Name, e.Position); err != nil {
		return fmt.Errorf("relay: saving the checkpoint: %w", err)
	}
	if r.killed("after-checkpoint") {
		return errKilled
	}
	return nil
}

// Copy appends e to dst at e's own revision, so that dst chains it to the same hash
// (checked), or recognises it when dst holds it already (idempotent append by event
// ID). It returns ErrDiverged when dst holds something else at that revision.
func Copy(ctx context.Context, dst store.Store, e events.Event) error {
	res, err := dst.Append(ctx, e.Stream, store.ExpectedFor(e.Revision), e)
	var wr *store.WrongRevisionError
	switch {
	case errors.As(err, &wr):
		return fmt.Errorf("%w: %s at revision %d: %w", ErrDiverged, e.ID, e.Revision, err)
	case err != nil:
		return fmt.Errorf("relay: appending %s: %w", e.ID, err)
	}
	if got := res.Events[0]; got.ID != e.ID || got.Hash != e.Hash {
		return fmt.Errorf("%w: %s at revision %d is %s with hash %s in the copy", ErrDiverged, e.ID, e.Revision, got.ID, got.Hash)
	}
	return nil
}

func (r *Relay) killed(step string) bool { return r.cfg.crash != nil && r.cfg.crash(step) }

// RunForever runs the relay until ctx ends, starting it again after a pause (growing
// up to a minute) whenever it fails; it stops for good on ErrDiverged.
func (r *Relay) RunForever(ctx context.Context) error {
	for failures := 0; ; {
		err := r.Run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrDiverged) {
			return err
		}
		failures++
		pause := min(time.Duration(failures)*time.Second, time.Minute)
		r.cfg.Log.Warn("relay stopped; starting again", "err", err, "pause", pause)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil
		}
	}
}
