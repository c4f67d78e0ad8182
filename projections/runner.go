package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// Runner feeds views from the log: it replays everything from the start, then tails the
// log live. It reports readiness once it has reached the head the log had at start.
type Runner struct {
	store    store.Store
	registry *events.Registry
	views    map[string]*View
	order    []*View
	log      *slog.Logger

	snapshots     SnapshotDir
	snapshotEvery time.Duration
	// lastID is the ID of the last event folded; saved is the position of the last
	// snapshots written. Only the run loop touches them.
	lastID uuid.UUID
	saved  uint64

	mu       sync.Mutex
	ready    chan struct{}
	err      error
	position uint64
}

// WithSnapshots makes the runner restore its views from snapshots in dir at start (a
// damaged, stale or foreign snapshot is ignored, with a warning, and that view rebuilt
// from the log) and save them every interval while the log moves, once the replay is
// done, and when it stops. Call it before Run.
func (r *Runner) WithSnapshots(dir SnapshotDir, every time.Duration) *Runner {
	r.snapshots, r.snapshotEvery = dir, every
	return r
}

// NewRunner returns a runner for the given views; views' names must be unique.
func NewRunner(st store.Store, reg *events.Registry, log *slog.Logger, views ...*View) (*Runner, error) {
	if st == nil || reg == nil {
		return nil, errors.New("projections: store and registry are required")
	}
	if log == nil {
		log = slog.Default()
	}
	r := &Runner{store: st, registry: reg, views: map[string]*View{}, log: log, ready: make(chan struct{})}
	for _, v := range views {
		if _, dup := r.views[v.Name()]; dup {
			return nil, fmt.Errorf("projections: two views named %q", v.Name())
		}
		r.views[v.Name()] = v
		r.order = append(r.order, v)
	}
	return r, nil
}

// View returns a view by name.
func (r *Runner) View(name string) (*View, bool) {
	v, ok := r.views[name]
	return v, ok
}

// Views lists the views in registration order.
func (r *Runner) Views() []*View { return r.order }

// Ready is closed once the runner has folded every event the log held when it started.
func (r *Runner) Ready() <-chan struct{} { return r.ready }

// Err returns the error that stopped the runner, if any.
func (r *Runner) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Run folds the log into the views until ctx ends or an event cannot be folded (an
// unknown type, a model error): that error is returned and logged, never skipped.
func (r *Runner) Run(ctx context.Context) error {
	err := r.run(ctx)
	if err != nil && ctx.Err() == nil {
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		r.log.Error("projections stopped", "err", err)
		return err
	}
	return nil
}

func (r *Runner) run(ctx context.Context) error {
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: reading the log head: %w", err)
	}
	start := time.Now()
	from := store.Start
	if r.snapshots != "" {
		from = r.restore(ctx, head)
	}
	r.mu.Lock()
	r.position = from
	r.mu.Unlock()
	if from >= head {
		close(r.ready)
	} else {
		r.log.Info("projections: replaying the log", "from", from, "events_up_to", head)
	}
	sub, err := r.store.Subscribe(ctx, from)
	if err != nil {
		return fmt.Errorf("projections: subscribing: %w", err)
	}
	defer sub.Close()
	progress := time.NewTicker(2 * time.Second)
	defer progress.Stop()
	every := r.snapshotEvery
	if every <= 0 {
		every = time.Hour
	}
	save := time.NewTicker(every)
	defer save.Stop()
	defer r.saveSnapshots()
	caughtUp := from >= head
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-save.C:
			if caughtUp {
				r.saveSnapshots()
			}
		case <-progress.C:
			if !caughtUp {
				r.log.Info("projections: replay progress", "position", r.Position(), "head", head)
			}
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return fmt.Errorf("projections: subscription ended: %w", err)
				}
				return ctx.Err()
			}
			if err := r.apply(ev); err != nil {
				return err
			}
			if !caughtUp && ev.Position >= head {
				caughtUp = true
				r.log.Info("projections: replay done", "position", ev.Position, "took", time.Since(start).Round(time.Millisecond))
				close(r.ready)
				r.saveSnapshots()
			}
		}
	}
}

func (r *Runner) apply(ev events.Event) error {
	payload, err := r.registry.Decode(ev)
	if err != nil {
		return err
	}
	for _, v := range r.order {
		if err := v.Apply(ev, payload); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.position = ev.Position
	r.mu.Unlock()
	r.lastID = ev.ID
	return nil
}

// restore loads each view's snapshot if it fits the log, and returns the position from
// which the log must be folded: the lowest any view reached (Start if one has none).
func (r *Runner) restore(ctx context.Context, head uint64) uint64 {
	from := head
	for _, v := range r.order {
		if reason := r.restoreView(ctx, v, head); reason != "" {
			r.log.Warn("projections: snapshot ignored, the view is rebuilt from the log", "view", v.Name(), "reason", reason)
		}
		from = min(from, v.Position())
	}
	if from > store.Start {
		ev, err := r.eventAt(ctx, from)
		if err != nil {
			r.log.Warn("projections: snapshots ignored, the views are rebuilt from the log", "err", err)
			return store.Start // unreachable in practice: restoreView read that event
		}
		r.lastID, r.saved = ev.ID, from
		r.log.Info("projections: restored from snapshots", "position", from, "dir", string(r.snapshots))
	}
	return from
}

// restoreView restores v from its snapshot and returns "", or why it did not.
func (r *Runner) restoreView(ctx context.Context, v *View, head uint64) string {
	snap, id, err := r.snapshots.Read(v.Name())
	switch {
	case errors.Is(err, ErrNoSnapshot):
		return ""
	case err != nil:
		return err.Error()
	case snap.Position > head:
		return fmt.Sprintf("the snapshot is at position %d, the log ends at %d", snap.Position, head)
	}
	if snap.Position > store.Start {
		ev, err := r.eventAt(ctx, snap.Position)
		if err != nil {
			return err.Error()
		}
		if ev.ID != id {
			return fmt.Sprintf("the log's event at position %d is not the one the snapshot was taken after (another log)", snap.Position)
		}
	}
	if err := v.Restore(snap); err != nil {
		return err.Error()
	}
	return ""
}

func (r *Runner) eventAt(ctx context.Context, pos uint64) (events.Event, error) {
	for ev, err := range r.store.ReadAll(ctx, pos) {
		if err != nil {
			return events.Event{}, err
		}
		if ev.Position != pos {
			break
		}
		return ev, nil
	}
	return events.Event{}, fmt.Errorf("no event at position %d in the log", pos)
}

// saveSnapshots writes every persistent view's snapshot, if the log moved since the last
// ones; a failure is logged (the next start replays more), never fatal.
func (r *Runner) saveSnapshots() {
	pos := r.Position()
	if r.snapshots == "" || pos == r.saved || r.lastID == uuid.Nil {
		return
	}
	for _, v := range r.order {
		snap, err := v.Save()
		if errors.Is(err, ErrNotPersistent) {
			continue
		}
		if err == nil && snap.Position != pos {
			err = fmt.Errorf("the view is at position %d, the runner at %d", snap.Position, pos)
		}
		if err == nil {
			err = r.snapshots.Write(snap, r.lastID)
		}
		if err != nil {
			r.log.Warn("projections: snapshot not saved", "view", v.Name(), "err", err)
			return
		}
	}
	r.saved = pos
	r.log.Debug("projections: snapshots saved", "position", pos)
}

// Position is the position of the last event folded.
func (r *Runner) Position() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.position
}
