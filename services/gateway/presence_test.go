package gateway

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/comite-partenaires/comite/services/presence"
)

// memBus is a presence bus in memory shared by gateways, delivering synchronously.
type memBus struct {
	mu   sync.Mutex
	subs []func(string, presence.Peer)
}

func (b *memBus) Publish(doc string, p presence.Peer) error {
	b.mu.Lock()
	subs := append([]func(string, presence.Peer){}, b.subs...)
	b.mu.Unlock()
	for _, fn := range subs {
		go fn(doc, p)
	}
	return nil
}

func (b *memBus) Subscribe(fn func(string, presence.Peer)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, fn)
	return func() {}, nil
}

// peerOf reads live messages until a presence patch, and returns its peer.
func peerOf(t *testing.T, ws *websocket.Conn) presence.Peer {
	t.Helper()
	for {
		m := read(t, ws)
		if m.Type == "patch" && m.View == "presence:n1" && len(m.Items) == 1 {
			var p presence.Peer
			if err := json.Unmarshal(m.Items[0], &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if m.Type == "error" {
			t.Fatalf("error %s", m.Code)
		}
	}
}

// TestPresenceAcrossGateways: clients of two gateways sharing a presence bus see each
// other's cursors in a document they may read; a newcomer learns who is there; a client
// that leaves is announced gone; a document one may not read is refused.
func TestPresenceAcrossGateways(t *testing.T) {
	bus := &memBus{}
	with := func(c *Config) { c.Presence, c.PresenceView = bus, "notes" }
	g1, g2 := newFixtureWith(t, with), newFixtureWith(t, with)
	g1.apply(t, "n1", "note", false)
	g2.apply(t, "n1", "note", false)
	join := func(f *fixture) *websocket.Conn {
		ws := dial(t, f, nil)
		send(t, ws, map[string]any{"type": "subscribe", "view": "presence:n1"})
		if m := read(t, ws); m.Type != "snapshot" || m.View != "presence:n1" || len(m.Items) != 0 {
			t.Fatalf("presence snapshot %+v", m)
		}
		return ws
	}
	a, b := join(g1), join(g2)
	send(t, a, map[string]any{"type": "presence", "view": "presence:n1", "cursor": map[string]int{"anchor": 1, "head": 3}, "version": 2})
	pa := peerOf(t, b)
	if pa.ID == "" || pa.User != LocalActor.User || pa.Cursor == nil || pa.Cursor.Head != 3 || pa.Version != 2 || pa.Gone {
		t.Fatalf("B sees A as %+v", pa)
	}
	send(t, b, map[string]any{"type": "presence", "view": "presence:n1", "cursor": map[string]int{"anchor": 0, "head": 0}})
	if pb := peerOf(t, a); pb.ID == pa.ID || pb.Cursor == nil {
		t.Fatalf("A sees B as %+v", pb)
	}
	// A newcomer on the first gateway hears from both.
	c := join(g1)
	seen := map[string]bool{}
	for len(seen) < 2 {
		seen[peerOf(t, c).ID] = true
	}
	if !seen[pa.ID] {
		t.Fatalf("the newcomer did not hear from A: %v", seen)
	}
	// A leaves: the others hear it.
	a.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := peerOf(t, b)
		if p.ID == pa.ID && p.Gone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("B never heard that A left")
		}
	}
	// Refusals: a document that is not a readable row, presence before following.
	d := dial(t, g1, nil)
	send(t, d, map[string]any{"type": "subscribe", "view": "presence:missing"})
	if m := read(t, d); m.Type != "error" || m.Code != "not_found" {
		t.Fatalf("presence of a missing row: %+v", m)
	}
	send(t, d, map[string]any{"type": "presence", "view": "presence:n1"})
	if m := read(t, d); m.Type != "error" || m.Code != "validation_failed" {
		t.Fatalf("presence before subscribing: %+v", m)
	}
	send(t, d, map[string]any{"type": "presence", "view": "presence:a.b"})
	if m := read(t, d); m.Type != "error" || m.Code != "validation_failed" {
		t.Fatalf("presence in an invalid document: %+v", m)
	}
}

// TestPresenceWithoutBus: a gateway without a presence bus refuses presence.
func TestPresenceWithoutBus(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	f.apply(t, "n1", "note", false)
	ws := dial(t, f, nil)
	send(t, ws, map[string]any{"type": "subscribe", "view": "presence:n1"})
	if m := read(t, ws); m.Type != "error" || m.Code != "not_found" {
		t.Fatalf("%+v", m)
	}
}
