package membership_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/membership"
)

// TestEndToEnd drives the committee through real NATS, the real JetStream event store
// and the JetStream KV reply store (which Start opens when Config.Replies is nil).
func TestEndToEnd(t *testing.T) {
	h := newHarness(t, func(nc *nats.Conn) store.Store { return bustest.JetStreamStore(t, nc) }, nil)
	scenario(t, h)
	// The log's hash chain holds.
	v := events.NewChainVerifier()
	for ev, err := range h.store.ReadAll(context.Background(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(ev); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEndToEndConcurrency runs two instances of the service, each with its own
// connection and store, against one NATS server: duplicates of one command append once
// and all get the same bytes; distinct concurrent commands all succeed.
func TestEndToEndConcurrency(t *testing.T) {
	connect := bustest.NATS(t)
	var st store.Store
	for i := range 2 {
		nc := connect(fmt.Sprint("membership-", i))
		st = bustest.JetStreamStore(t, nc)
		svc, err := membership.New(bus.ServiceConfig{Store: st, Conn: nc, Registry: events.NewRegistry()})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Stop() })
	}
	nc := connect("gateway")
	request := func(id, command, body string) *nats.Msg {
		msg := nats.NewMsg(bus.Subject(membership.Context, command))
		msg.Header.Set(bus.HeaderCommandID, id)
		msg.Data = []byte(body)
		resp, err := nc.RequestMsg(msg, 20*time.Second)
		if err != nil {
			t.Error(err)
			return &nats.Msg{}
		}
		return resp
	}
	if resp := request("create", "create-committee", `{"name":"Comité"}`); resp.Header.Get(bus.HeaderErrorCode) != "" {
		t.Fatalf("create-committee: %s", resp.Data)
	}

	const n = 20
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			bodies[i] = request("dup", "add-organisation", `{"name":"Association des Maires de France","acronym":"AMF"}`).Data
		})
	}
	for i := range 8 {
		wg.Go(func() {
			resp := request(fmt.Sprint("org-", i), "add-organisation", fmt.Sprintf(`{"name":"Organisation %d","acronym":"O%d"}`, i, i))
			if code := resp.Header.Get(bus.HeaderErrorCode); code != "" {
				t.Errorf("org %d: %s %s", i, code, resp.Data)
			}
		})
	}
	wg.Wait()
	for i := range n {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("reply %d: %s\nfirst: %s", i, bodies[i], bodies[0])
		}
	}
	count := map[string]int{}
	for ev, err := range st.Read(context.Background(), membership.CommitteeStream, 0) {
		if err != nil {
			t.Fatal(err)
		}
		count[ev.Meta.CommandID]++
	}
	if count["dup"] != 1 || len(count) != 10 {
		t.Fatalf("events per command: %v", count)
	}
}
