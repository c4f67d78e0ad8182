package jetstream

import (
	"context"
	"iter"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/storetest"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// instances is a store.Store that sends each call to the next of several stores, each
// on its own connection to the same server: service instances scaled out. Concurrent
// appends then race in JetStream itself, not behind one store's per-stream lock.
type instances struct {
	stores []*Store
	next   atomic.Uint64
}

func (in *instances) pick() *Store { return in.stores[in.next.Add(1)%uint64(len(in.stores))] }

func (in *instances) Append(ctx context.Context, stream string, exp store.Revision, evs ...events.Event) (store.AppendResult, error) {
	return in.pick().Append(ctx, stream, exp, evs...)
}

func (in *instances) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return in.pick().Read(ctx, stream, from)
}

func (in *instances) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return in.pick().ReadAll(ctx, from)
}

func (in *instances) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	return in.pick().Subscribe(ctx, after)
}

func (in *instances) Head(ctx context.Context) (store.Position, error) { return in.pick().Head(ctx) }

func (in *instances) Close() error {
	for _, s := range in.stores {
		_ = s.Close()
	}
	return nil
}

// cluster is one embedded server with several connections and stores on it.
type cluster struct {
	srv   *natsembed.Server
	conns []*nats.Conn
	in    *instances
}

func startCluster(t *testing.T, dir string, n int) *cluster {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	c := &cluster{srv: srv, in: &instances{}}
	for range n {
		nc, err := srv.Connect("instance")
		if err != nil {
			c.crash()
			t.Fatalf("connect: %v", err)
		}
		c.conns = append(c.conns, nc)
		st, err := Open(context.Background(), nc, Config{})
		if err != nil {
			c.crash()
			t.Fatalf("open store: %v", err)
		}
		c.in.stores = append(c.in.stores, st)
	}
	return c
}

func (c *cluster) stop() {
	_ = c.in.Close()
	for _, nc := range c.conns {
		nc.Close()
	}
	c.srv.Shutdown()
}

func (c *cluster) crash() {
	c.srv.Shutdown()
	for _, nc := range c.conns {
		nc.Close()
	}
	_ = c.in.Close()
}

// TestContractInstances runs the contract suite against four store instances sharing
// one JetStream stream, every call going to the next instance.
func TestContractInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite again, with four instances")
	}
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		cur := startCluster(t, dir, 4)
		t.Cleanup(func() { cur.stop() })
		return storetest.Harness{
			Store: cur.in,
			Reopen: func() store.Store {
				cur.stop()
				cur = startCluster(t, dir, 4)
				return cur.in
			},
			Crash: func() store.Store {
				cur.crash()
				cur = startCluster(t, dir, 4)
				return cur.in
			},
		}
	})
}
