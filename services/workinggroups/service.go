package workinggroups

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// Decider is the working-groups decider as the bus runs it: every command addresses one
// group's stream. With a store, its Prepare reads the committee (membership) to tell
// Decide which organisations the command names are current committee members; with st
// nil, Prepare is nil and the commands carry whatever facts the caller set (tests of the
// pure part).
func Decider(st store.Store, reg *events.Registry) bus.Decider[Group] {
	d := bus.Decider[Group]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   streamOf,
	}
	if st != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) { return prepare(ctx, st, reg, cmd) }
	}
	return d
}

// prepare fills in the committee facts of a command that names organisations.
func prepare(ctx context.Context, st store.Store, reg *events.Registry, cmd any) (any, error) {
	c, ok := cmd.(committeeFacts)
	if !ok {
		return cmd, nil
	}
	ids := c.organisations()
	if len(ids) == 0 {
		return cmd, nil
	}
	committee, err := membership.LoadCommittee(ctx, st, reg)
	if err != nil {
		return nil, err
	}
	active := OrganisationSet{}
	for _, s := range ids {
		if id, err := uuid.Parse(s); err == nil {
			if _, ok := committee.ActiveOrganisation(id); ok {
				active[id] = struct{}{}
			}
		}
	}
	return c.withActive(active), nil
}

// New registers the working-groups event types (and membership's, which Prepare reads)
// in cfg.Registry and returns the service; it does not touch NATS until Start.
func New(cfg bus.ServiceConfig) (*bus.Service, error) {
	if cfg.Registry == nil {
		return nil, errors.New("workinggroups: Registry is required")
	}
	Register(cfg.Registry)
	membership.Register(cfg.Registry)
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry))
}
