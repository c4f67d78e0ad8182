package jetstream

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/storetest"
	"github.com/comite-partenaires/comite/internal/poll"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// node is one embedded server with a connection and a store on it.
type node struct {
	srv *natsembed.Server
	nc  *nats.Conn
	st  *Store
}

// startNode starts an embedded server on dir and opens a store on it.
func startNode(t testing.TB, dir string, cfg Config) *node {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	nc, err := srv.Connect("storetest")
	if err != nil {
		srv.Shutdown()
		t.Fatalf("connect: %v", err)
	}
	st, err := Open(context.Background(), nc, cfg)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		t.Fatalf("open store: %v", err)
	}
	return &node{srv: srv, nc: nc, st: st}
}

// stop closes the store and connection, then the server.
func (n *node) stop() {
	_ = n.st.Close()
	n.nc.Close()
	n.srv.Shutdown()
}

// crash shuts the server down under the open store and connection (in-flight appends
// fail), then drops the connection and the old store.
func (n *node) crash() {
	n.srv.Shutdown()
	n.nc.Close()
	_ = n.st.Close()
}

// eventually waits for cond (see internal/poll).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}

// openEmbedded is the storetest harness: an embedded server on a fresh data directory.
func openEmbedded(t *testing.T) storetest.Harness { return openEmbeddedWith(Config{})(t) }

// openEmbeddedWith is openEmbedded with a store configured by cfg.
func openEmbeddedWith(cfg Config) func(t *testing.T) storetest.Harness {
	return func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		cur := startNode(t, dir, cfg)
		t.Cleanup(func() { cur.stop() })
		return storetest.Harness{
			Store: cur.st,
			Reopen: func() store.Store {
				cur.stop()
				cur = startNode(t, dir, cfg)
				return cur.st
			},
			Crash: func() store.Store {
				cur.crash()
				cur = startNode(t, dir, cfg)
				return cur.st
			},
		}
	}
}

func TestContract(t *testing.T) {
	storetest.Run(t, openEmbedded)
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	bad := map[string]Config{
		"stream with a dot":    {Stream: "COMITE.EVENTS"},
		"stream with a space":  {Stream: "COMITE EVENTS"},
		"wildcard prefix":      {SubjectPrefix: "comite.*"},
		"empty prefix token":   {SubjectPrefix: "comite..ev"},
		"trailing dot":         {SubjectPrefix: "comite.ev."},
		"too many replicas":    {Replicas: 7},
		"negative replicas":    {Replicas: -1},
		"negative window":      {DuplicateWindow: -time.Second},
		"negative timeout":     {RequestTimeout: -time.Second},
		"negative read batch":  {ReadBatch: -1},
		"negative sub buffer":  {SubscribeBuffer: -3},
		"negative batch limit": {MaxEventsPerBatch: -3},
	}
	for name, cfg := range bad {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Open(t.Context(), nil, Config{}); err == nil {
		t.Error("Open accepted a nil connection")
	}
}

// TestCustomConfig runs a store with another stream name and prefix, and small pages,
// next to a default one on the same server: they do not see each other.
func TestCustomConfig(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	other, err := Open(t.Context(), n.nc, Config{Stream: "OTHER", SubjectPrefix: "other.log", ReadBatch: 2, AppendAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	evs := newTestEvents(5)
	if _, err := other.Append(t.Context(), "opinion-1", store.NoStream, evs...); err != nil {
		t.Fatal(err)
	}
	var got int
	for e, err := range other.Read(t.Context(), "opinion-1", 1) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Revision != uint64(got+1) {
			t.Fatalf("revision %d, want %d", e.Revision, got+1)
		}
		got++
	}
	if got != 4 {
		t.Fatalf("read %d events over pages of 2, want 4", got)
	}
	if h, err := n.st.Head(t.Context()); err != nil || h != store.Start {
		t.Fatalf("default store head = %d, %v; want empty", h, err)
	}
	_, err = other.Append(t.Context(), "opinion-1", store.Any, newTestEvents(1001)...)
	if !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("append of 1001 events: %v, want ErrInvalidEvent", err)
	}
}

// TestUnavailable: with the server gone, calls fail with ErrUnavailable (connection
// reconnecting) or ErrClosed (connection closed), promptly.
func TestUnavailable(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{RequestTimeout: 300 * time.Millisecond})
	defer n.stop()
	n.srv.Shutdown()
	start := time.Now()
	_, err := n.st.Append(t.Context(), "opinion-1", store.Any, newTestEvents(1)...)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("append with the server down: %v, want ErrUnavailable", err)
	}
	if _, err := n.st.Head(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("head with the server down: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("failing took %s", d)
	}
	n.nc.Close()
	if _, err := n.st.Head(t.Context()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("head with the connection closed: %v, want ErrClosed", err)
	}
}
