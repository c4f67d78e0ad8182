package bustest

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// NATS starts an embedded NATS server with JetStream for the test (interval fsync: tests
// do not need power-cut durability) and returns a function that opens connections to it,
// closed when the test ends.
func NATS(t testing.TB) (connect func(name string) *nats.Conn) {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{DataDir: t.TempDir(), Fsync: natsembed.FsyncInterval})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return func(name string) *nats.Conn {
		t.Helper()
		nc, err := srv.Connect(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
}

// JetStreamStore opens the real event store on nc, closed when the test ends.
func JetStreamStore(t testing.TB, nc *nats.Conn) *jetstream.Store {
	t.Helper()
	st, err := jetstream.Open(context.Background(), nc, jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
