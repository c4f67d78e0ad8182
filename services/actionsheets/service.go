package actionsheets

import (
	"context"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// Decider is the actionsheets decider as the bus runs it: every command addresses the
// board. With a store, its Prepare reads the committee (membership.LoadCommittee) for
// the commands that name organisations — create-sheet and import-sheets — and puts its
// current organisations in the command; with st == nil (tests of the pure part) there is
// no Prepare and the commands carry whatever facts the caller set.
func Decider(st store.Store, reg *events.Registry) bus.Decider[Board] {
	d := bus.Decider[Board]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   func(any) string { return BoardStream },
	}
	if st != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) { return prepare(ctx, st, reg, cmd) }
	}
	return d
}

// prepare fills in the committee's organisations for the commands that need them.
func prepare(ctx context.Context, st store.Store, reg *events.Registry, cmd any) (any, error) {
	switch c := cmd.(type) {
	case CreateSheet:
		orgs, err := loadOrganisations(ctx, st, reg)
		c.Organisations = orgs
		return c, err
	case ImportSheets:
		orgs, err := loadOrganisations(ctx, st, reg)
		c.Organisations = orgs
		return c, err
	}
	return cmd, nil
}

func loadOrganisations(ctx context.Context, st store.Store, reg *events.Registry) (Organisations, error) {
	c, err := membership.LoadCommittee(ctx, st, reg)
	if err != nil {
		return nil, err
	}
	return OrganisationsOf(c), nil
}

// New registers the actionsheets event types (and the membership ones, which Prepare
// reads) in cfg.Registry and returns the service, not yet started: the caller runs
// Start(ctx) and Stop.
func New(cfg bus.ServiceConfig) (*bus.Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	Register(cfg.Registry)
	membership.Register(cfg.Registry)
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry))
}
