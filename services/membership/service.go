package membership

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
)

// Config configures the membership service.
type Config struct {
	// Store is the event log (required).
	Store store.Store
	// Conn is the NATS connection commands arrive on (required by Start).
	Conn *nats.Conn
	// Registry receives the membership event types (required).
	Registry *events.Registry
	// Replies remembers replies by command ID; when nil, Start opens the JetStream KV
	// bucket bus.DefaultRepliesBucket on Conn.
	Replies bus.ReplyStore
	// Clock stamps events (time.Now when nil).
	Clock func() time.Time
	// Log defaults to discarding.
	Log *slog.Logger
	// Bus tunes the command runner (queue group, attempts, concurrency, timeouts); its
	// Conn, Store, Registry, Replies, Clock and Log are taken from the fields above.
	Bus bus.ServiceConfig
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("membership: Store is required"))
	}
	if c.Registry == nil {
		errs = append(errs, errors.New("membership: Registry is required"))
	}
	return errors.Join(errs...)
}

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

// Service is the running membership service.
type Service struct {
	bus *bus.Service
}

// New registers the membership event types in cfg.Registry and prepares the service; it
// does not touch NATS until Start (nor can Execute run before Start unless cfg.Replies
// is set).
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	Register(cfg.Registry)
	bcfg := cfg.Bus
	bcfg.Conn, bcfg.Store, bcfg.Registry, bcfg.Replies = cfg.Conn, cfg.Store, cfg.Registry, cfg.Replies
	bcfg.Clock, bcfg.Log = cfg.Clock, cfg.Log
	svc, err := bus.NewService(bcfg, Decider())
	if err != nil {
		return nil, err
	}
	return &Service{bus: svc}, nil
}

// Start serves membership commands on NATS (comite.cmd.membership.*, service
// comite-membership) until Stop or the end of ctx.
func (s *Service) Start(ctx context.Context) error { return s.bus.Start(ctx) }

// Stop stops serving and waits for the commands in flight; it is idempotent.
func (s *Service) Stop() error { return s.bus.Stop() }

// Execute runs a command in process, as if it had arrived over NATS (the same decoding,
// idempotency and rejections): for start-up tasks such as creating the committee.
func (s *Service) Execute(ctx context.Context, req bus.Request) (bus.Reply, error) {
	return s.bus.Execute(ctx, req)
}
