package opinions

import (
	"context"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
)

// GroupLookup tells what Decide needs to know of a working group: whether it exists,
// whether it is closed, and its current member organisations (GroupFacts; the lookup
// need not set ID). It is how the opinions commands check the drafting group without
// this context reading another's streams itself; the integrator wires it to the
// workinggroups context. A group that does not exist is GroupFacts{} and no error.
type GroupLookup func(ctx context.Context, groupID uuid.UUID) (GroupFacts, error)

// Decider is the opinions decider as the bus runs it: every command addresses one
// opinion's stream. With groups, Prepare gives every command only the drafting group's
// members may send (see drafting) the facts of that group: for create-opinion, the group
// the body names; for the others, the opinion's group, read from the opinion's first
// event in st (decoded with reg). Without groups there is no Prepare, and those commands
// are refused (forbidden): nobody can tell who drafts.
func Decider(st store.Store, reg *events.Registry, groups GroupLookup) bus.Decider[Opinion] {
	d := bus.Decider[Opinion]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   streamOf,
	}
	if groups != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) { return prepare(ctx, st, reg, groups, cmd) }
	}
	return d
}

// prepare fills in the drafting group's facts of a command that needs them. A command
// whose group it cannot name (a malformed ID, an opinion that does not exist, no store)
// is handed back as it came: Decide then rejects it.
func prepare(ctx context.Context, st store.Store, reg *events.Registry, groups GroupLookup, cmd any) (any, error) {
	c, ok := cmd.(drafting)
	if !ok {
		return cmd, nil
	}
	var group uuid.UUID
	switch c := cmd.(type) {
	case CreateOpinion:
		id, err := uuid.Parse(c.GroupID)
		if err != nil {
			return cmd, nil
		}
		group = id
	case opinionTarget:
		id, err := uuid.Parse(c.opinion())
		if err != nil || st == nil || reg == nil {
			return cmd, nil
		}
		g, found, err := groupOf(ctx, st, reg, id)
		if err != nil {
			return nil, err
		}
		if !found {
			return cmd, nil
		}
		group = g
	default:
		return cmd, nil
	}
	facts, err := groups(ctx, group)
	if err != nil {
		return nil, err
	}
	facts.ID = group
	return c.withGroup(facts), nil
}

// groupOf reads the drafting group of the opinion id from its first event (the group of
// an opinion never changes), without folding the whole text history.
func groupOf(ctx context.Context, st store.Store, reg *events.Registry, id uuid.UUID) (uuid.UUID, bool, error) {
	for ev, err := range st.Read(ctx, OpinionStream(id), 0) {
		if err != nil {
			return uuid.Nil, false, err
		}
		p, err := reg.Decode(ev)
		if err != nil {
			return uuid.Nil, false, err
		}
		created, ok := p.(Created)
		return created.GroupID, ok, nil
	}
	return uuid.Nil, false, nil
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
// With groups nil, every command only a drafting group's members may send is refused.
func New(cfg bus.ServiceConfig, groups GroupLookup) (*bus.Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	Register(cfg.Registry)
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry, groups))
}
