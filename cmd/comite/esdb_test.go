package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdb"
	"github.com/comite-partenaires/comite/events/store/esdbdouble"
)

// envTestStore set to "esdb" runs every in-process server test (startServer) with
// EventStoreDB as the log: an EventStoreDB test double (esdbdouble) per data directory,
// which outlives the server's restarts on that directory. Example:
//
//	COMITE_TEST_STORE=esdb go test -race ./cmd/comite/
const envTestStore = "COMITE_TEST_STORE"

// doubles maps a data directory to its EventStoreDB double's connection string.
var doubles sync.Map

// withTestStore returns cfg with the store the environment asks for.
func withTestStore(t *testing.T, cfg systemConfig) systemConfig {
	t.Helper()
	if cfg.Store != "" || os.Getenv(envTestStore) != storeESDB {
		return cfg
	}
	cfg.Store = storeESDB
	if url, ok := doubles.Load(cfg.DataDir); ok {
		cfg.ESDBURL = url.(string)
		return cfg
	}
	d := esdbdouble.New()
	url, err := d.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		doubles.Delete(cfg.DataDir)
		d.Stop()
	})
	doubles.Store(cfg.DataDir, url)
	cfg.ESDBURL = url
	return cfg
}

// TestCommitteeWorkEndToEndOnESDB runs the domain services' end-to-end scenario,
// unchanged, with EventStoreDB (the double) as the log: services append to it,
// projections and process managers read it, and the relay copies it onto NATS.
func TestCommitteeWorkEndToEndOnESDB(t *testing.T) {
	t.Setenv(envTestStore, storeESDB)
	TestCommitteeWorkEndToEnd(t)
}

// TestServeOnESDBRelaysOntoNATS: in EventStoreDB mode the services write to
// EventStoreDB, a command's reply carries EventStoreDB's position (the views wait for
// it), and the relay copies the log, event for event, onto the JetStream subjects.
func TestServeOnESDBRelaysOntoNATS(t *testing.T) {
	t.Setenv(envTestStore, storeESDB)
	dir := t.TempDir()
	p := startInProcess(t, dir, false)
	if _, ok := p.srv.sys.store.(*esdb.Store); !ok || p.srv.sys.feed == nil {
		t.Fatalf("the log is a %T (feed %v), want the esdb store and a feed", p.srv.sys.store, p.srv.sys.feed != nil)
	}
	r := call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", `{"name": "Association des Maires de France", "acronym": "AMF"}`, p.auth)
	var reply commandReply
	if err := json.Unmarshal(r.Body, &reply); r.Status != 200 || err != nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if head := p.head(t); reply.Position != head {
		t.Fatalf("reply at position %d, EventStoreDB's head is %d", reply.Position, head)
	}
	r = call(t, "GET", p.http.URL+"/api/v1/views/organisations?min_position="+itoa(reply.Position), "", p.auth)
	if r.Status != 200 || !strings.Contains(string(r.Body), "AMF") {
		t.Fatalf("view %d %s", r.Status, r.Body)
	}
	logOf := func(s store.Store) []events.Event {
		var out []events.Event
		for e, err := range s.ReadAll(t.Context(), store.Start) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	src := logOf(p.srv.sys.store)
	var feed []events.Event
	eventually(t, "the feed to hold the log", func() bool { feed = logOf(p.srv.sys.feed); return len(feed) >= len(src) })
	for i := range src {
		if feed[i].ID != src[i].ID || feed[i].Hash != src[i].Hash {
			t.Fatalf("feed event %d is %s, log has %s", i, feed[i].ID, src[i].ID)
		}
	}
	// The data directory now belongs to EventStoreDB: JetStream mode refuses it.
	p.stop()
	_, err := newServer(t.Context(), serverConfig{systemConfig: systemConfig{DataDir: dir, Store: storeJetStream,
		Log: slog.New(slog.DiscardHandler)}, Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "belongs to the esdb store") {
		t.Fatalf("jetstream mode on an esdb data directory: %v", err)
	}
	// Nor do the offline audit commands: its JetStream stream is only the relay's copy.
	if code, _, stderr := runCLI(t, "audit", "seal", "--data", dir); code != 1 || !strings.Contains(stderr, "EventStoreDB") {
		t.Fatalf("audit seal on an esdb data directory: %d %s", code, stderr)
	}
}

// TestServeStoreFlags: --store and --esdb-url are checked before anything starts, and an
// unreachable EventStoreDB is a clear error that does not show the password.
func TestServeStoreFlags(t *testing.T) {
	t.Setenv(esdbURLEnv, "")
	for _, args := range [][]string{
		{"serve", "--store", "mysql"},
		{"serve", "--store", "esdb"},
		{"serve", "--esdb-url", "esdb://localhost:2113?tls=false"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.Contains(stderr, "--store") {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
	t.Setenv(esdbURLEnv, "esdb://admin:s3cr3t@127.0.0.1:1?tls=false&maxDiscoverAttempts=1")
	code, _, stderr := runCLI(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--store", "esdb")
	if code != 1 || !strings.Contains(stderr, "EventStoreDB") || strings.Contains(stderr, "s3cr3t") {
		t.Fatalf("serve on an unreachable EventStoreDB: exit %d, %q", code, stderr)
	}
}
