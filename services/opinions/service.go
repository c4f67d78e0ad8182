package opinions

import (
	"context"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
)

// GroupLookup tells whether a working group exists and whether it is closed: how
// create-opinion checks the drafting group without this context reading another's
// streams itself. The integrator wires it to the workinggroups context.
type GroupLookup func(ctx context.Context, groupID uuid.UUID) (exists, closed bool, err error)

// Decider is the opinions decider as the bus runs it: every command addresses one
// opinion's stream. groups, when not nil, is consulted by Prepare for create-opinion;
// st and reg are accepted for symmetry with the other contexts (Prepare reads nothing
// else from the store today).
func Decider(st store.Store, reg *events.Registry, groups GroupLookup) bus.Decider[Opinion] {
	_, _ = st, reg
	d := bus.Decider[Opinion]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   streamOf,
	}
	if groups != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) {
			c, ok := cmd.(CreateOpinion)
			if !ok {
				return cmd, nil
			}
			id, err := uuid.Parse(c.GroupID)
			if err != nil {
				return cmd, nil // decide rejects it
			}
			exists, closed, err := groups(ctx, id)
			if err != nil {
				return nil, err
			}
			switch {
			case !exists:
				c.Group = GroupMissing
			case closed:
				c.Group = GroupClosed
			default:
				c.Group = GroupOpen
			}
			return c, nil
		}
	}
	return d
}

// streamOf names the stream a command addresses: the new opinion's for create-opinion,
// the named opinion's otherwise.
func streamOf(cmd any) string {
	switch c := cmd.(type) {
	case CreateOpinion:
		return OpinionStream(OpinionIDFor(c.CommandID))
	case opinionTarget:
		id, err := uuid.Parse(c.opinion())
		if err != nil {
			id = uuid.Nil // validation rejects such IDs before this is reached
		}
		return OpinionStream(id)
	}
	return OpinionStream(uuid.Nil)
}

// New registers the opinions event types in cfg.Registry and returns the service
// running the opinions commands; the caller starts it with Start and stops it with Stop.
// groups may be nil (no check of the drafting group).
func New(cfg bus.ServiceConfig, groups GroupLookup) (*bus.Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	Register(cfg.Registry)
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry, groups))
}
