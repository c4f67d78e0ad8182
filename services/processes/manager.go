// Package processes holds Comité's process managers: long-running parts that react to
// events by sending commands (a closed consultation adopts or rejects the opinion it was
// bound to), and the scheduler that closes consultations at their deadline.
//
// A process manager never acts twice on an event. It follows the log from a checkpoint,
// and every command it sends has an ID derived from the event that caused it, so that
// replaying the log — after a crash between acting and checkpointing, or in a second
// instance — sends the same commands again, which the services recognise and answer
// without a second effect (see bus: the events of a command are found again by their
// derived IDs, even after the reply store forgot them).
package processes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Command is a command a process manager sends in reaction to an event.
type Command struct {
	Context string
	Command string
	// Body is marshalled to JSON.
	Body any
}

// React decides what to send when an event arrives. It must be pure: the same event
// always gives the same commands, in the same order.
type React func(ev events.Event, p events.Payload) []Command

// Actor is who a process manager's commands act as.
func Actor(name string) events.Actor { return events.Actor{User: "process:" + name, Role: "system"} }

// CommandID is the ID of the i-th command a process sends for an event.
func CommandID(process string, ev events.Event, i int) string {
	return "process:" + process + ":" + ev.ID.String() + ":" + strconv.Itoa(i)
}

// ManagerConfig configures a Manager.
type ManagerConfig struct {
	// Name identifies the process (checkpoint key, command IDs, actor): never rename one.
	Name string
	// Types are the event types React wants; other events are skipped undecoded.
	Types []string
	React React

	Store       store.Store
	Registry    *events.Registry
	Sender      bus.Sender
	Checkpoints Checkpoints
	// Retry is the wait before resending a command that failed for a transient reason
	// (unavailable, timeout, conflict, internal) or before resubscribing (1s when zero).
	Retry time.Duration
	// Log defaults to discarding.
	Log *slog.Logger
}

// Validate checks the configuration.
func (c ManagerConfig) Validate() error {
	var errs []error
	if !bus.ValidName(c.Name) {
		errs = append(errs, fmt.Errorf("processes: name %q is not a kebab-case name", c.Name))
	}
	if len(c.Types) == 0 || c.React == nil {
		errs = append(errs, errors.New("processes: Types and React are required"))
	}
	if c.Store == nil || c.Registry == nil || c.Sender == nil || c.Checkpoints == nil {
		errs = append(errs, errors.New("processes: Store, Registry, Sender and Checkpoints are required"))
	}
	return errors.Join(errs...)
}

// Manager runs one process: it follows the log and reacts.
type Manager struct {
	cfg ManagerConfig
}

// NewManager returns a manager; Run starts it.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = cfg.Log.With("process", cfg.Name)
	return &Manager{cfg: cfg}, nil
}

// Run follows the log from the checkpoint until ctx ends, and returns nil then. A lost
// subscription is resumed from the last position handled.
func (m *Manager) Run(ctx context.Context) error {
	pos, err := m.cfg.Checkpoints.Load(ctx, m.cfg.Name)
	if err != nil {
		return err
	}
	m.cfg.Log.Info("processes: following the log", "from", pos)
	for {
		pos, err = m.follow(ctx, pos)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !isTransient(err) {
			return err
		}
		m.cfg.Log.Warn("processes: subscription lost, resuming", "position", pos, "err", err)
		if !sleep(ctx, m.cfg.Retry) {
			return nil
		}
	}
}

// follow handles the events after pos and returns the last position handled.
func (m *Manager) follow(ctx context.Context, pos uint64) (uint64, error) {
	sub, err := m.cfg.Store.Subscribe(ctx, pos)
	if err != nil {
		return pos, err
	}
	defer sub.Close()
	saved := pos
	save := func() {
		if pos == saved {
			return
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := m.cfg.Checkpoints.Save(sctx, m.cfg.Name, pos); err != nil {
			m.cfg.Log.Warn("processes: checkpoint not saved", "position", pos, "err", err)
			return
		}
		saved = pos
	}
	defer save()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return pos, nil
		case <-tick.C:
			save()
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return pos, err
				}
				return pos, store.ErrUnavailable
			}
			if slices.Contains(m.cfg.Types, ev.Type) {
				if err := m.handle(ctx, ev); err != nil {
					return pos, err
				}
				pos = ev.Position
				save()
				continue
			}
			pos = ev.Position
		}
	}
}

// handle sends an event's commands, retrying transient failures until they are decided.
func (m *Manager) handle(ctx context.Context, ev events.Event) error {
	p, err := m.cfg.Registry.Decode(ev)
	if err != nil {
		return fmt.Errorf("processes: %s at %d: %w", ev.Type, ev.Position, err)
	}
	for i, c := range m.cfg.React(ev, p) {
		body, err := json.Marshal(c.Body)
		if err != nil {
			return fmt.Errorf("processes: %s.%s: %w", c.Context, c.Command, err)
		}
		req := bus.Request{Context: c.Context, Command: c.Command, CommandID: CommandID(m.cfg.Name, ev, i), Body: body,
			Actor: Actor(m.cfg.Name), CorrelationID: ev.Meta.CorrelationID, CausationID: ev.ID.String(), Trace: ev.Meta.Trace}
		for {
			rep, err := m.cfg.Sender.Send(ctx, req)
			if err == nil {
				m.cfg.Log.Info("processes: acted", "event", ev.ID, "command", c.Context+"."+c.Command, "position", rep.Position)
				break
			}
			if !isTransient(err) {
				// A rejection is the service's final word on this command: the process
				// has done what it could, and says so.
				m.cfg.Log.Warn("processes: command rejected", "event", ev.ID, "command", c.Context+"."+c.Command,
					"code", errcode.From(err).Code)
				break
			}
			m.cfg.Log.Warn("processes: command failed, retrying", "event", ev.ID, "command", c.Context+"."+c.Command, "err", err)
			if !sleep(ctx, m.cfg.Retry) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// isTransient reports whether err may go away by trying again.
func isTransient(err error) bool {
	for _, e := range []error{errcode.Unavailable, errcode.Timeout, errcode.Conflict, errcode.Internal,
		store.ErrUnavailable, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sleep waits d or until ctx ends; it reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
