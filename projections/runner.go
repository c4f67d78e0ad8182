package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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

	mu       sync.Mutex
	ready    chan struct{}
	err      error
	position uint64
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
	if head == store.Start {
		close(r.ready)
	} else {
		r.log.Info("projections: replaying the log", "events_up_to", head)
	}
	sub, err := r.store.Subscribe(ctx, store.Start)
	if err != nil {
		return fmt.Errorf("projections: subscribing: %w", err)
	}
	defer sub.Close()
	progress := time.NewTicker(2 * time.Second)
	defer progress.Stop()
	caughtUp := head == store.Start
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
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
	return nil
}

// Position is the position of the last event folded.
func (r *Runner) Position() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.position
}
