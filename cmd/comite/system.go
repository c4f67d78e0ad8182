package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// systemConfig is what every command running the services in-process needs.
type systemConfig struct {
	DataDir    string
	Fsync      natsembed.Fsync
	NATSListen string
	Log        *slog.Logger
}

// system is the embedded NATS server, the event store and the domain services, wired
// together. Close stops them in reverse order.
type system struct {
	nats     *natsembed.Server
	conn     *nats.Conn
	store    *jetstream.Store
	registry *events.Registry
	client   *bus.Client
	services []interface{ Stop() error }
	commands []bus.CommandSpec
}

func startSystem(ctx context.Context, cfg systemConfig) (_ *system, err error) {
	s := &system{registry: events.NewRegistry()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.Fsync == natsembed.FsyncInterval {
		cfg.Log.Warn("fsync=interval: JetStream syncs to disk every 2 minutes; a power cut may lose acknowledged commands (a process crash does not)")
	}
	if s.nats, err = natsembed.Start(natsembed.Config{DataDir: cfg.DataDir, Fsync: cfg.Fsync, Listen: cfg.NATSListen}); err != nil {
		return nil, err
	}
	if s.conn, err = s.nats.Connect("comite"); err != nil {
		return nil, fmt.Errorf("connecting to the embedded NATS server: %w", err)
	}
	if s.store, err = jetstream.Open(ctx, s.conn, jetstream.Config{}); err != nil {
		return nil, fmt.Errorf("opening the event store: %w", err)
	}
	membership.Register(s.registry)
	svc, err := membership.New(membership.Config{Store: s.store, Conn: s.conn, Registry: s.registry, Clock: time.Now, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	if err := svc.Start(ctx); err != nil {
		return nil, err
	}
	s.services = append(s.services, svc)
	s.commands = append(s.commands, membership.Commands()...)
	s.client = bus.NewClient(s.conn, bus.ClientOptions{})
	return s, nil
}

// Close stops the services, the store and the NATS server; it is idempotent.
func (s *system) Close() error {
	var errs []error
	for i := len(s.services) - 1; i >= 0; i-- {
		errs = append(errs, s.services[i].Stop())
	}
	s.services = nil
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.conn != nil {
		s.conn.Close()
	}
	if s.nats != nil {
		s.nats.Shutdown()
	}
	return errors.Join(errs...)
}
