package membership

import (
	"github.com/comite-partenaires/comite/services/bus"
)

// Decider is the membership decider as the bus runs it: every command addresses the
// committee aggregate.
func Decider() bus.Decider[Committee] {
	return bus.Decider[Committee]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   func(any) string { return CommitteeStream },
	}
}

// New registers the membership event types in cfg.Registry and returns the membership
// command service (comite.cmd.membership.*, micro service comite-membership); it does not
// touch NATS until Start.
func New(cfg bus.ServiceConfig) (*bus.Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	Register(cfg.Registry)
	return bus.NewService(cfg, Decider())
}
