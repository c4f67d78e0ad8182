package consultations

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// OpinionLookup tells what the opinions context knows of an opinion: its state and the
// hash of its frozen text, false when it does not exist. The integrator wires it to the
// opinions context, which this package does not import.
type OpinionLookup func(ctx context.Context, opinionID uuid.UUID) (OpinionVersion, bool, error)

// Decider is the consultations decider as the bus runs it: each command addresses one
// consultation's stream. With a store, its Prepare reads the committee (membership) for
// open-consultation and grant-proxy, and asks opinions about a bound opinion; with st ==
// nil it has no Prepare (pure tests set the facts themselves).
func Decider(st store.Store, reg *events.Registry, opinions OpinionLookup) bus.Decider[Consultation] {
	d := bus.Decider[Consultation]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   func(cmd any) string { return ConsultationStream(consultationOf(cmd)) },
	}
	if st != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) { return prepare(ctx, st, reg, opinions, cmd) }
	}
	return d
}

// prepare fills in the facts decide needs from other aggregates.
func prepare(ctx context.Context, st store.Store, reg *events.Registry, opinions OpinionLookup, cmd any) (any, error) {
	switch c := cmd.(type) {
	case OpenConsultation:
		committee, err := membership.LoadCommittee(ctx, st, reg)
		if err != nil {
			return nil, fmt.Errorf("consultations: reading the committee: %w", err)
		}
		c.ActiveOrganisations = make(map[uuid.UUID]bool, len(c.Electorate))
		for _, v := range c.Electorate {
			if id, err := uuid.Parse(v.OrganisationID); err == nil {
				if _, ok := committee.ActiveOrganisation(id); ok {
					c.ActiveOrganisations[id] = true
				}
			}
		}
		if c.OpinionID != "" {
			id, err := uuid.Parse(c.OpinionID)
			if err != nil {
				return c, nil // decide rejects it
			}
			if opinions == nil {
				return nil, errors.New("consultations: a consultation bound to an opinion needs an OpinionLookup")
			}
			v, ok, err := opinions(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("consultations: looking up opinion %s: %w", id, err)
			}
			if ok {
				c.Opinion = &v
			}
		}
		return c, nil
	case GrantProxy:
		committee, err := membership.LoadCommittee(ctx, st, reg)
		if err != nil {
			return nil, fmt.Errorf("consultations: reading the committee: %w", err)
		}
		if id, err := uuid.Parse(c.ToOrganisationID); err == nil {
			_, c.HolderActive = committee.ActiveOrganisation(id)
		}
		return c, nil
	}
	return cmd, nil
}

// New registers the consultations (and membership, which Prepare reads) event types in
// cfg.Registry and returns the service, not yet serving: the caller starts it with
// Start and stops it with Stop. opinions may be nil if no consultation is ever bound to
// an opinion (one that is then fails as an internal error).
func New(cfg bus.ServiceConfig, opinions OpinionLookup) (*bus.Service, error) {
	if cfg.Registry == nil {
		return nil, errors.New("consultations: Registry is required")
	}
	Register(cfg.Registry)
	membership.Register(cfg.Registry)
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry, opinions))
}
