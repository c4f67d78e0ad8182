package jetstream

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// TestSubscriptionEndsWhenConnectionCloses: the subscription ends promptly with
// ErrClosed, and Close does not hang.
func TestSubscriptionEndsWhenConnectionCloses(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	sub, err := n.st.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.st.Append(t.Context(), "opinion-1", store.NoStream, newTestEvents(2)...); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		<-sub.Events()
	}
	n.nc.Close()
	select {
	case _, ok := <-sub.Events():
		if ok {
			t.Fatal("event after the connection closed")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("subscription still open 15 s after its connection closed")
	}
	if !errors.Is(sub.Err(), store.ErrClosed) {
		t.Fatalf("Err = %v, want ErrClosed", sub.Err())
	}
	done := make(chan struct{})
	go func() { _ = sub.Close(); _ = n.st.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Close hangs")
	}
}

// TestSubscriptionSurvivesServerRestart: the server restarts on its files and port; the
// connection reconnects and the subscription goes on after its last event, with no gap
// and no duplicate.
func TestSubscriptionSurvivesServerRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	srv, err := natsembed.Start(natsembed.Config{DataDir: dir, Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown() }()
	nc, err := nats.Connect("nats://"+addr, nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := Open(t.Context(), nc, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sub, err := st.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var want []uint64
	appendSome := func(stream string, exp store.Revision) {
		t.Helper()
		res, err := st.Append(t.Context(), stream, exp, newTestEvents(3)...)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Events {
			want = append(want, e.Position)
		}
	}
	appendSome("opinion-1", store.NoStream)
	srv.Shutdown()
	if srv, err = natsembed.Start(natsembed.Config{DataDir: dir, Listen: addr}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reconnection", nc.IsConnected)
	appendSome("opinion-1", store.Exact(2))
	var got []uint64
	timeout := time.After(60 * time.Second)
	for len(got) < len(want) {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %v: %v", got, sub.Err())
			}
			got = append(got, e.Position)
		case <-timeout:
			t.Fatalf("received %v, want %v", got, want)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("received positions %v, want %v", got, want)
	}
}

// TestSubscriptionCloseWhileServerDown: Close returns even while the consumer cannot be
// recreated.
func TestSubscriptionCloseWhileServerDown(t *testing.T) {
	n := startNode(t, t.TempDir(), Config{})
	defer n.stop()
	sub, err := n.st.Subscribe(t.Context(), store.Start)
	if err != nil {
		t.Fatal(err)
	}
	n.srv.Shutdown()
	start := time.Now()
	done := make(chan struct{})
	go func() { _ = sub.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Close hangs while the server is down")
	}
	t.Logf("closed in %s", time.Since(start))
	for range sub.Events() {
	}
	if sub.Err() != nil {
		t.Fatalf("Err after Close = %v", sub.Err())
	}
}
