package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdb"
	"github.com/comite-partenaires/comite/events/store/esdb/relay"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/processes"
)

// Store kinds of --store.
const (
	storeJetStream = "jetstream"
	storeESDB      = "esdb"
)

// esdbURLEnv is where the EventStoreDB connection string is read from when --esdb-url
// is not given: a URL with a password belongs in the environment, not in the process
// list.
const esdbURLEnv = "COMITE_ESDB_URL"

// storeMarkerFile records which store a data directory's state belongs to: the
// projections' snapshots and the process managers' checkpoints hold positions of that
// store's log, meaningless in another.
const storeMarkerFile = "store"

// openStore opens the log of the configured kind. In EventStoreDB mode it also opens
// the feed (the JetStream stream on the usual subjects, written only by the relay) and
// returns the relay that fills it; the caller runs it.
func (s *system) openStore(ctx context.Context, cfg systemConfig) (*relay.Relay, error) {
	kind := cfg.Store
	if kind == "" {
		kind = storeJetStream
	}
	if kind != storeJetStream && kind != storeESDB {
		return nil, fmt.Errorf("unknown store %q (jetstream or esdb)", kind)
	}
	js, err := jetstream.Open(ctx, s.conn, jetstream.Config{})
	if err != nil {
		return nil, fmt.Errorf("opening the event store: %w", err)
	}
	if kind == storeJetStream {
		s.store = js
		return nil, checkStoreMarker(ctx, cfg.DataDir, kind, js)
	}
	s.feed = js
	if err := checkStoreMarker(ctx, cfg.DataDir, kind, js); err != nil {
		return nil, err
	}
	ecfg := esdb.Config{URL: cfg.ESDBURL, Logger: cfg.Log}
	st, err := esdb.Open(ctx, ecfg)
	if err != nil {
		return nil, fmt.Errorf("opening the EventStoreDB log: %w", err)
	}
	s.store = st
	cfg.Log.Info("EventStoreDB is the log; relaying it onto NATS", "esdb", ecfg)
	jsAPI, err := natsjs.New(s.conn)
	if err != nil {
		return nil, err
	}
	checkpoints, err := processes.NewKVCheckpoints(ctx, jsAPI, 1)
	if err != nil {
		return nil, err
	}
	return relay.New(relay.Config{Source: st, Feed: js, Checkpoints: checkpoints, Log: cfg.Log})
}

// checkStoreMarker refuses a data directory whose state belongs to another store, and
// marks a new one. A directory from before the marker existed belongs to JetStream
// unless its JetStream log is empty.
func checkStoreMarker(ctx context.Context, dataDir, kind string, js *jetstream.Store) error {
	path := filepath.Join(dataDir, storeMarkerFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if have := strings.TrimSpace(string(b)); have != kind {
			return fmt.Errorf("data directory %s belongs to the %s store, not %s: use another --data (or comite migrate the log)", dataDir, have, kind)
		}
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if kind == storeESDB {
		head, err := js.Head(ctx)
		if err != nil {
			return err
		}
		if head != store.Start {
			return fmt.Errorf("data directory %s holds a JetStream log: serve it with --store jetstream, or use another --data for EventStoreDB", dataDir)
		}
	}
	return os.WriteFile(path, []byte(kind+"\n"), 0o600)
}

// checkJetStreamLog refuses to open, as a log, the JetStream stream of a data directory
// served with EventStoreDB: it is only the relay's copy, counted in other positions, and
// writing to it (an audit seal) would fork the copy from the log.
func checkJetStreamLog(dataDir string) error {
	b, err := os.ReadFile(filepath.Join(dataDir, storeMarkerFile))
	if err == nil && strings.TrimSpace(string(b)) == storeESDB {
		return fmt.Errorf("the log of %s is EventStoreDB's (its JetStream stream is the relay's copy): use --url with the running server, or comite migrate --from esdb", dataDir)
	}
	return nil
}
