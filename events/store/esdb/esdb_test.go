package esdb

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdbdouble"
	"github.com/comite-partenaires/comite/events/store/storetest"
)

// EnvURL names the environment variable that points the tests at a real EventStoreDB
// (or KurrentDB) instead of the in-process double, e.g. esdb://localhost:2113?tls=false.
const EnvURL = "COMITE_ESDB_URL"

// server is where a test's store lives: the double, or a real server.
type server struct {
	url    string
	double *esdbdouble.Server // nil on a real server
	// prefix isolates the test's streams on a real server, which other tests share.
	prefix string
}

// newServer starts a fresh double, or returns the real server of COMITE_ESDB_URL with a
// stream prefix of the test's own.
func newServer(t *testing.T) *server {
	t.Helper()
	if url := os.Getenv(EnvURL); url != "" {
		return &server{url: url, prefix: "t" + strings.ReplaceAll(uuid.NewString(), "-", "") + "."}
	}
	d := esdbdouble.New()
	url, err := d.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return &server{url: url, double: d}
}

// restart stops the double (abruptly or not) and serves its log again on a new port.
func (srv *server) restart(t *testing.T, crash bool) {
	t.Helper()
	if srv.double == nil {
		return // a real server keeps running: the store reconnects
	}
	if crash {
		srv.double.Stop()
	} else {
		srv.double.GracefulStop()
	}
	url, err := srv.double.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv.url = url
}

func (srv *server) open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{URL: srv.url, StreamPrefix: srv.prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestContract runs the store contract suite on the adapter: against the double, or
// against the real server of COMITE_ESDB_URL, where each harness has a stream prefix of
// its own (Config.StreamPrefix) so that it sees an empty log.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		srv := newServer(t)
		cur := srv.open(t)
		reopen := func(crash bool) store.Store {
			if !crash {
				_ = cur.Close()
			}
			srv.restart(t, crash)
			cur = srv.open(t)
			return cur
		}
		h := storetest.Harness{Store: cur, Reopen: func() store.Store { return reopen(false) }}
		if srv.double != nil {
			h.Crash = func() store.Store { return reopen(true) }
		}
		return h
	})
}
