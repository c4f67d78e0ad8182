package processes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/consultations"
)

// DeadlinesConfig configures the deadline scheduler.
type DeadlinesConfig struct {
	Store    store.Store
	Registry *events.Registry
	Sender   bus.Sender
	// Clock says when deadlines pass (time.Now when nil).
	Clock func() time.Time
	// Tick is how often due consultations are looked for (1s when zero): a deadline is
	// acted upon at most Tick late.
	Tick time.Duration
	// Log defaults to discarding.
	Log *slog.Logger
}

// Deadlines closes consultations when their deadline passes. It rebuilds the list of
// open consultations from the log at every start, so it survives restarts without a
// checkpoint, and it sends the same close command (consultations.DeadlineCloseRequest:
// fixed command ID, body and actor) however often and from however many instances it
// runs: a consultation is closed exactly once.
type Deadlines struct {
	cfg DeadlinesConfig
}

// NewDeadlines returns a scheduler; Run starts it.
func NewDeadlines(cfg DeadlinesConfig) (*Deadlines, error) {
	if cfg.Store == nil || cfg.Registry == nil || cfg.Sender == nil {
		return nil, errors.New("processes: deadlines need Store, Registry and Sender")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = cfg.Log.With("process", "deadlines")
	consultations.Register(cfg.Registry)
	return &Deadlines{cfg: cfg}, nil
}

// Run follows the log and closes due consultations until ctx ends (it returns nil then).
func (d *Deadlines) Run(ctx context.Context) error {
	pending := map[uuid.UUID]due{}
	var pos uint64
	for {
		err := d.follow(ctx, &pos, pending)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !isTransient(err) {
			return err
		}
		d.cfg.Log.Warn("processes: subscription lost, resuming", "position", pos, "err", err)
		if !sleep(ctx, d.cfg.Tick) {
			return nil
		}
	}
}

// due is an open consultation's deadline, and the opening event the close follows from.
type due struct {
	deadline time.Time
	opened   events.Event
}

func (d *Deadlines) follow(ctx context.Context, pos *uint64, pending map[uuid.UUID]due) error {
	sub, err := d.cfg.Store.Subscribe(ctx, *pos)
	if err != nil {
		return err
	}
	defer sub.Close()
	tick := time.NewTicker(d.cfg.Tick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			d.closeDue(ctx, pending)
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return err
				}
				return store.ErrUnavailable
			}
			*pos = ev.Position
			if ev.Type != consultations.TypeConsultationOpened && ev.Type != consultations.TypeConsultationClosed {
				continue
			}
			p, err := d.cfg.Registry.Decode(ev)
			if err != nil {
				return fmt.Errorf("processes: %s at %d: %w", ev.Type, ev.Position, err)
			}
			switch e := p.(type) {
			case consultations.ConsultationOpened:
				pending[e.ConsultationID] = due{deadline: e.Deadline, opened: ev}
			case consultations.ConsultationClosed:
				delete(pending, e.ConsultationID)
			}
		}
	}
}

// closeDue sends the deadline close of every consultation whose deadline has passed.
// The close belongs to the consultation's story: it carries the opening's correlation ID
// and is caused by the opening event.
func (d *Deadlines) closeDue(ctx context.Context, pending map[uuid.UUID]due) {
	now := d.cfg.Clock()
	for id, c := range pending {
		if now.Before(c.deadline) {
			continue
		}
		req := consultations.DeadlineCloseRequest(id)
		// Every scheduler sends the same actor, so that their requests are one command.
		req.Actor = Actor("deadlines")
		req.CorrelationID, req.CausationID = c.opened.Meta.CorrelationID, c.opened.ID.String()
		rep, err := d.cfg.Sender.Send(ctx, req)
		switch {
		case err == nil:
			d.cfg.Log.Info("processes: consultation closed at its deadline", "consultation", id, "position", rep.Position)
			delete(pending, id)
		case errors.Is(err, consultations.ErrConsultationClosed):
			delete(pending, id)
		default:
			// Too early by another clock, or a transient failure: the next tick tries again.
			d.cfg.Log.Warn("processes: closing at the deadline failed", "consultation", id, "err", err)
		}
	}
}
