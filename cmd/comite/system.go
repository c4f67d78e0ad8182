package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdb/relay"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/natsembed"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/processes"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// systemConfig is what every command running the services in-process needs.
type systemConfig struct {
	DataDir    string
	Fsync      natsembed.Fsync
	NATSListen string
	Log        *slog.Logger
	// Clock stamps events and says when deadlines pass (time.Now when nil; tests move it).
	Clock func() time.Time
	// Tick is how often the deadline scheduler looks for due consultations (1s when zero).
	Tick time.Duration
	// CheckpointEvery seals an audit checkpoint every so many events (audit.DefaultEvery
	// when zero; negative: only on demand).
	CheckpointEvery int
	// Store is the log: "jetstream" (the default, embedded) or "esdb" (EventStoreDB at
	// ESDBURL, relayed onto NATS; see storemode.go).
	Store   string
	ESDBURL string
}

// system is the embedded NATS server, the event store, the domain services and the
// process managers, wired together. Close stops them in reverse order.
type system struct {
	nats  *natsembed.Server
	conn  *nats.Conn
	store store.Store
	// feed is, in EventStoreDB mode, the JetStream stream the relay fills (nil otherwise).
	feed     *jetstream.Store
	relay    *relay.Relay
	registry *events.Registry
	client   *bus.Client
	// actorKey signs actors on the bus (see bus.ServiceConfig.ActorKey).
	actorKey []byte
	services []interface{ Stop() error }
	commands []bus.CommandSpec
	// sealer seals the audit checkpoints (events/audit).
	sealer *audit.Sealer

	stopProcesses context.CancelFunc
	processes     sync.WaitGroup
}

func startSystem(ctx context.Context, cfg systemConfig) (_ *system, err error) {
	s := &system{registry: events.NewRegistry()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	cfg.Clock = clockOf(cfg)
	if cfg.Fsync == natsembed.FsyncInterval {
		cfg.Log.Warn("fsync=interval: JetStream syncs to disk every 2 minutes; a power cut may lose acknowledged commands (a process crash does not)")
	}
	if s.nats, err = natsembed.Start(natsembed.Config{DataDir: cfg.DataDir, Fsync: cfg.Fsync, Listen: cfg.NATSListen}); err != nil {
		return nil, err
	}
	if s.conn, err = s.nats.Connect("comite"); err != nil {
		return nil, fmt.Errorf("connecting to the embedded NATS server: %w", err)
	}
	if s.relay, err = s.openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if s.actorKey, err = loadOrCreateKey(filepath.Join(cfg.DataDir, actorKeyFile)); err != nil {
		return nil, err
	}
	if err := s.startServices(ctx, cfg); err != nil {
		return nil, err
	}
	s.client = bus.NewClient(s.conn, bus.ClientOptions{ActorKey: s.actorKey})
	if err := s.startProcesses(ctx, cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// startServices starts every context's command service on the embedded NATS server.
func (s *system) startServices(ctx context.Context, cfg systemConfig) error {
	// Every service checks the role table and accepts only actors signed with the key.
	bcfg := bus.ServiceConfig{Store: s.store, Conn: s.conn, Registry: s.registry, Clock: cfg.Clock, Log: cfg.Log,
		Authorize: authz.MayCommand, ActorKey: s.actorKey}
	msvc, err := membership.New(bcfg)
	if err != nil {
		return err
	}
	if err := msvc.Start(ctx); err != nil {
		return err
	}
	s.services = append(s.services, msvc)
	s.commands = append(s.commands, membership.Commands()...)
	starts := []struct {
		commands []bus.CommandSpec
		build    func() (*bus.Service, error)
	}{
		{workinggroups.Commands(), func() (*bus.Service, error) { return workinggroups.New(bcfg) }},
		{opinions.Commands(), func() (*bus.Service, error) { return opinions.New(bcfg, groupLookup(s.store, s.registry)) }},
		{actionsheets.Commands(), func() (*bus.Service, error) { return actionsheets.New(bcfg) }},
		{consultations.Commands(), func() (*bus.Service, error) {
			// The ballot box of secret consultations, emptied first of what a crash
			// between a close and the box's destruction may have left.
			js, err := natsjs.New(s.conn)
			if err != nil {
				return nil, err
			}
			box, err := consultations.NewKVBallotBox(ctx, js, consultations.KVBallotBoxConfig{})
			if err != nil {
				return nil, err
			}
			if _, err := consultations.SweepBallotBox(ctx, s.store, s.registry, box); err != nil {
				return nil, err
			}
			return consultations.New(bcfg, opinionLookup(s.store, s.registry), box)
		}},
	}
	for _, st := range starts {
		svc, err := st.build()
		if err != nil {
			return err
		}
		if err := svc.Start(ctx); err != nil {
			return err
		}
		s.services = append(s.services, svc)
		s.commands = append(s.commands, st.commands...)
	}
	return nil
}

// startProcesses starts the process managers and the deadline scheduler; Close stops them.
func (s *system) startProcesses(ctx context.Context, cfg systemConfig) error {
	js, err := natsjs.New(s.conn)
	if err != nil {
		return err
	}
	checkpoints, err := processes.NewKVCheckpoints(ctx, js, 1)
	if err != nil {
		return err
	}
	mcfg := processes.OpinionOutcomesConfig()
	mcfg.Store, mcfg.Registry, mcfg.Sender, mcfg.Checkpoints, mcfg.Log = s.store, s.registry, s.client, checkpoints, cfg.Log
	outcomes, err := processes.NewManager(mcfg)
	if err != nil {
		return err
	}
	deadlines, err := processes.NewDeadlines(processes.DeadlinesConfig{Store: s.store, Registry: s.registry, Sender: s.client,
		Clock: cfg.Clock, Tick: cfg.Tick, Log: cfg.Log})
	if err != nil {
		return err
	}
	if s.sealer, err = newSealer(s, cfg); err != nil {
		return err
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stopProcesses = cancel
	runs := map[string]func(context.Context) error{"opinion-outcomes": outcomes.Run, "deadlines": deadlines.Run,
		"audit-sealer": s.sealer.Run}
	if s.relay != nil {
		runs["esdb-relay"] = s.relay.RunForever
	}
	for name, run := range runs {
		s.processes.Go(func() {
			if err := run(pctx); err != nil {
				cfg.Log.Error("process stopped", "process", name, "err", err)
			}
		})
	}
	return nil
}

// clockOf is the configured clock, time.Now by default.
func clockOf(cfg systemConfig) func() time.Time {
	if cfg.Clock == nil {
		return time.Now
	}
	return cfg.Clock
}

// groupLookup tells the opinions service whether a drafting group exists and is open,
// and which organisations are its members (only they edit its drafts).
func groupLookup(st store.Store, reg *events.Registry) opinions.GroupLookup {
	return func(ctx context.Context, id uuid.UUID) (opinions.GroupFacts, error) {
		g, ok, err := workinggroups.LoadGroup(ctx, st, reg, id)
		if err != nil || !ok {
			return opinions.GroupFacts{}, err
		}
		return opinions.GroupFacts{ID: id, Exists: true, Closed: g.Closed, Members: g.Members.IDs()}, nil
	}
}

// opinionLookup tells the consultations service which version of an opinion is frozen.
func opinionLookup(st store.Store, reg *events.Registry) consultations.OpinionLookup {
	return func(ctx context.Context, id uuid.UUID) (consultations.OpinionVersion, bool, error) {
		o, ok, err := opinions.LoadOpinion(ctx, st, reg, id)
		if err != nil || !ok {
			return consultations.OpinionVersion{}, ok, err
		}
		v := consultations.OpinionVersion{State: string(o.State)}
		if o.Frozen != nil {
			v.TextSHA256 = o.Frozen.SHA256
		}
		return v, true, nil
	}
}

// Close stops the processes, the services, the store and the NATS server; it is
// idempotent.
func (s *system) Close() error {
	if s.stopProcesses != nil {
		s.stopProcesses()
	}
	s.processes.Wait()
	var errs []error
	for i := len(s.services) - 1; i >= 0; i-- {
		errs = append(errs, s.services[i].Stop())
	}
	s.services = nil
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.feed != nil {
		errs = append(errs, s.feed.Close())
	}
	if s.conn != nil {
		s.conn.Close()
	}
	if s.nats != nil {
		s.nats.Shutdown()
	}
	return errors.Join(errs...)
}
