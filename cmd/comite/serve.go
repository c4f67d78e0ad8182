package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/comite-partenaires/comite/frontend"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/opinions"
	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/gateway"
	"github.com/comite-partenaires/comite/services/natsembed"
	"github.com/comite-partenaires/comite/services/presence"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Run the whole system in one process: an embedded NATS server with JetStream\n"+
		"(the event log, in --data), the services, the projections, the HTTP API and the web app.", stderr)
	dataDir := fs.String("data", "data", "data directory (created if missing)")
	addr := fs.String("addr", "localhost:8080", "HTTP listen address (port 0 picks a free port)")
	withDemo := fs.Bool("demo", false, "add the demo committee at start (idempotent)")
	fsync := fs.String("fsync", "always", `when JetStream syncs to disk: "always" (every write, durable) or "interval" (faster, a power cut may lose recent writes)`)
	natsListen := fs.String("nats-listen", "", "also accept NATS clients on this address (e.g. 127.0.0.1:4222); in-process only by default")
	origins := fs.String("allowed-origins", "", "comma-separated extra origins allowed to open the live websocket")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	storeKind := fs.String("store", storeJetStream, `the event log: "jetstream" (embedded, in --data) or "esdb" (EventStoreDB at --esdb-url, relayed onto NATS)`)
	esdbURL := fs.String("esdb-url", "", "EventStoreDB connection string for --store esdb, e.g. esdb://host:2113 (TLS) or esdb://localhost:2113?tls=false; default $"+esdbURLEnv+", the place for a URL with a password")
	checkpointEvery := fs.Int("checkpoint-every", 1000, "seal an audit checkpoint (Merkle root of the log) every so many events; 0: only on demand (comite audit seal)")
	var oidcFlags oidcFlags
	oidcFlags.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	oidcCfg, err := oidcFlags.config(os.Getenv(oidcClientSecretEnv))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errUsage
	}
	if *storeKind == storeESDB && *esdbURL == "" {
		*esdbURL = os.Getenv(esdbURLEnv)
	}
	if *storeKind != storeJetStream && *storeKind != storeESDB || (*storeKind == storeESDB) != (*esdbURL != "") {
		fmt.Fprintln(stderr, "--store is jetstream or esdb; --store esdb needs --esdb-url (or $"+esdbURLEnv+"), which goes with it only")
		return errUsage
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	abs, _ := filepath.Abs(*dataDir)
	log.Info("starting", "version", version, "data", abs, "fsync", *fsync, "store", *storeKind)

	srv, err := newServer(ctx, serverConfig{
		systemConfig: systemConfig{DataDir: *dataDir, Fsync: natsembed.Fsync(*fsync), NATSListen: *natsListen, Log: log,
			CheckpointEvery: onDemandIfZero(*checkpointEvery), Store: *storeKind, ESDBURL: *esdbURL},
		Demo:           *withDemo,
		AllowedOrigins: splitList(*origins),
		OIDC:           oidcCfg,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	httpSrv := &http.Server{Handler: srv.gateway, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.run(gctx) })
	g.Go(func() error {
		if err := httpSrv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down")
		srv.gateway.Close()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return httpSrv.Shutdown(shutdownCtx)
	})
	fmt.Fprintf(stdout, "Comité is listening on http://%s\n", ln.Addr())
	if err := g.Wait(); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// serverConfig configures the all-in-one server.
type serverConfig struct {
	systemConfig
	Demo           bool
	AllowedOrigins []string
	// OIDC, when set, enables sign-in with an OpenID Connect provider (its
	// ResolveOrganisation is set by newIdentity).
	OIDC *accounts.OIDCConfig
	// Out receives what the operator must see once and the log must not hold (the
	// demo password); os.Stdout when nil.
	Out io.Writer
	// identify, set by tests only (no flag reaches it), names each request's sender
	// instead of the accounts.
	identify func(*http.Request) (gateway.Identity, error)
}

// snapshotEvery is how often the projections are saved while the log moves (and also
// once replayed, and at shutdown).
const snapshotEvery = 30 * time.Second

// server is the all-in-one process minus its listener: services, projections, gateway.
type server struct {
	sys     *system
	runner  *projections.Runner
	gateway *gateway.Gateway
	// accounts are the server's accounts, sessions and tokens.
	accounts *accounts.Service
	ready    atomic.Bool
	log      *slog.Logger
}

func newServer(ctx context.Context, cfg serverConfig) (_ *server, err error) {
	sys, err := startSystem(ctx, cfg.systemConfig)
	if err != nil {
		return nil, err
	}
	s := &server{sys: sys, log: cfg.Log}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := demo.EnsureCommittee(ctx, sys.client); err != nil {
		return nil, err
	}
	if cfg.Demo {
		if err := demo.Seed(ctx, sys.client, clockOf(cfg.systemConfig)(), nil); err != nil {
			return nil, err
		}
		cfg.Log.Info("demo committee ready", "organisations", len(demo.Organisations()))
	}
	if s.runner, err = projections.NewRunner(sys.store, sys.registry, cfg.Log, readModels()...); err != nil {
		return nil, err
	}
	// Snapshots let a restart fold only what it has not folded yet.
	s.runner.WithSnapshots(projections.SnapshotDir(filepath.Join(cfg.DataDir, "projections")), snapshotEvery)
	out := cfg.Out
	if out == nil {
		out = os.Stdout
	}
	id, err := newIdentity(ctx, sys, cfg, out)
	if err != nil {
		return nil, err
	}
	s.accounts = id.service
	if cfg.identify == nil {
		cfg.identify = id.identify
	}
	assets, built := frontend.Assets()
	if !built {
		cfg.Log.Warn("the web app is not built (run: go tool task build); serving the API only")
		assets = nil
	}
	// Time travel (?at, ?as_of) replays fresh instances of the same views.
	history, err := projections.NewHistory(sys.store, sys.registry.Decode, readModels)
	if err != nil {
		return nil, err
	}
	auditH, err := auditEndpoints(sys, cfg.identify, cfg.systemConfig)
	if err != nil {
		return nil, err
	}
	queries, exports := logReads(sys)
	// Presence (who is in a text, their cursors) goes over core NATS, never stored.
	bus, err := presence.NewNATS(sys.conn)
	if err != nil {
		return nil, err
	}
	s.gateway, err = gateway.New(gateway.Config{
		Audit:   auditH,
		History: history,
		Queries: queries, Exports: exports,
		Presence: bus, PresenceView: opinions.DetailsView,
		Sender: sys.client, Views: s.runner, Commands: sys.commands, Assets: assets, Log: cfg.Log, Version: version,
		AllowedOrigins: cfg.AllowedOrigins,
		Identify:       cfg.identify,
		Session:        id.session,
		MayRead:        authz.MayRead,
		Ready:          s.readiness,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// readiness is nil once the projections have replayed the log and keep up with it.
func (s *server) readiness() error {
	if err := s.runner.Err(); err != nil {
		return err
	}
	if !s.ready.Load() {
		return errors.New("projections are replaying the log")
	}
	return nil
}

// run folds the log into the projections until ctx ends.
func (s *server) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		select {
		case <-s.runner.Ready():
			s.ready.Store(true)
			s.log.Info("ready")
		case <-gctx.Done():
		}
		return nil
	})
	g.Go(func() error { return s.runner.Run(gctx) })
	return g.Wait()
}

// Close stops the gateway's live connections and the system.
func (s *server) Close() {
	if s.gateway != nil {
		s.gateway.Close()
	}
	_ = s.sys.Close()
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
