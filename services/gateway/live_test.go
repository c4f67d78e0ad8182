package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func dial(t *testing.T, f *fixture, header http.Header) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.srv.URL, "http")+"/api/v1/live", header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

type liveMsg struct {
	Type     string            `json:"type"`
	View     string            `json:"view"`
	Position uint64            `json:"position"`
	Items    []json.RawMessage `json:"items"`
	Code     string            `json:"code"`
}

func read(t *testing.T, ws *websocket.Conn) liveMsg {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m liveMsg
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func send(t *testing.T, ws *websocket.Conn, v any) {
	t.Helper()
	if err := ws.WriteJSON(v); err != nil {
		t.Fatal(err)
	}
}

func TestLiveSnapshotThenPatches(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	f.apply(t, "a", "avant", false)
	ws := dial(t, f, nil)
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes"})
	m := read(t, ws)
	if m.Type != "snapshot" || m.Position != 1 || len(m.Items) != 1 || !strings.Contains(string(m.Items[0]), "avant") {
		t.Fatalf("snapshot %+v", m)
	}
	f.apply(t, "b", "pendant", false)
	m = read(t, ws)
	if m.Type != "patch" || m.Position != 2 || len(m.Items) != 1 || !strings.Contains(string(m.Items[0]), "pendant") {
		t.Fatalf("patch %+v", m)
	}
	f.apply(t, "a", "", true)
	m = read(t, ws)
	if m.Type != "patch" || m.Position != 3 || !strings.Contains(string(m.Items[0]), `"removed":true`) {
		t.Fatalf("removal patch %+v", m)
	}
}

// After a reconnect, subscribing with the last position seen sends exactly the rows that
// changed since, tombstones included, and nothing else.
func TestLiveResubscribeSinceSendsOnlyWhatWasMissed(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	f.apply(t, "a", "un", false)
	f.apply(t, "b", "deux", false)
	seen := f.pos
	// While disconnected: one change, one removal, one addition.
	f.apply(t, "a", "un modifié", false)
	f.apply(t, "b", "", true)
	f.apply(t, "c", "trois", false)
	ws := dial(t, f, nil)
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes", Since: seen})
	m := read(t, ws)
	if m.Type != "patch" || m.Position != 5 || len(m.Items) != 3 {
		t.Fatalf("catch-up %+v", m)
	}
	joined := string(m.Items[0]) + string(m.Items[1]) + string(m.Items[2])
	for _, want := range []string{"un modifié", `"id":"b","removed":true`, "trois"} {
		if !strings.Contains(joined, want) {
			t.Errorf("catch-up lacks %s: %s", want, joined)
		}
	}
	// Then live as usual.
	f.apply(t, "d", "quatre", false)
	if m = read(t, ws); m.Type != "patch" || m.Position != 6 || len(m.Items) != 1 {
		t.Fatalf("live patch %+v", m)
	}
}

func TestLiveErrorsAndLimits(t *testing.T) {
	f := newFixture(t, LiveConfig{MaxMessageBytes: 256})
	ws := dial(t, f, nil)
	send(t, ws, map[string]any{"type": "subscribe", "view": "nothing"})
	if m := read(t, ws); m.Type != "error" || m.Code != "unknown_view" {
		t.Fatalf("%+v", m)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":`)); err != nil {
		t.Fatal(err)
	}
	if m := read(t, ws); m.Type != "error" || m.Code != "invalid_json" {
		t.Fatalf("%+v", m)
	}
	send(t, ws, map[string]any{"type": "dance"})
	if m := read(t, ws); m.Type != "error" || m.Code != "validation_failed" {
		t.Fatalf("%+v", m)
	}
	// Too big a message closes the connection with 1009.
	if err := ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat(" ", 1000))); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("want close 1009, got %v", err)
	}
}

func TestLiveRefusesOtherOrigins(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.srv.URL, "http")+"/api/v1/live",
		http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: err %v resp %v", err, resp)
	}
	dial(t, f, http.Header{"Origin": {f.srv.URL}}) // same origin is fine
}

// A client that does not read is disconnected with 1013 instead of stalling the view.
func TestLiveSlowConsumerIsDisconnected(t *testing.T) {
	f := newFixture(t, LiveConfig{SendBuffer: 4})
	ws := dial(t, f, nil)
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes"})
	if m := read(t, ws); m.Type != "snapshot" {
		t.Fatalf("%+v", m)
	}
	big := strings.Repeat("x", 64<<10)
	for i := range 200 {
		f.apply(t, string(rune('a'+i%26))+string(rune('a'+i/26)), big, false) // never blocks
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, CloseSlowConsumer) {
				t.Fatalf("want close %d, got %v", CloseSlowConsumer, err)
			}
			return
		}
	}
}

func TestCloseDisconnectsClients(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	ws := dial(t, f, nil)
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes"})
	read(t, ws)
	f.gw.Close()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("want 1001, got %v", err)
	}
}

// A key "view:id" follows one row: its snapshot holds that row only, patches of other
// rows are not sent, and the key is echoed so that the client can tell its subscriptions
// apart; the whole view can be followed on the same connection at the same time.
func TestLiveFollowsOneRow(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	f.apply(t, "a", "un", false)
	f.apply(t, "b", "deux", false)
	ws := dial(t, f, nil)
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes:b"})
	m := read(t, ws)
	if m.Type != "snapshot" || m.View != "notes:b" || len(m.Items) != 1 || !strings.Contains(string(m.Items[0]), "deux") {
		t.Fatalf("one-row snapshot %+v", m)
	}
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes"})
	if m = read(t, ws); m.View != "notes" || len(m.Items) != 2 {
		t.Fatalf("whole-view snapshot %+v", m)
	}
	f.apply(t, "a", "un modifié", false) // only the whole view hears of it
	f.apply(t, "b", "deux modifié", false)
	got := map[string][]string{}
	for range 3 {
		m = read(t, ws)
		for _, it := range m.Items {
			got[m.View] = append(got[m.View], string(it))
		}
	}
	if len(got["notes:b"]) != 1 || !strings.Contains(got["notes:b"][0], "deux modifié") || len(got["notes"]) != 2 {
		t.Fatalf("patches by key: %v", got)
	}
	send(t, ws, ClientMessage{Type: "unsubscribe", View: "notes:b"})
	// Messages are handled in order: once this snapshot arrives, the unsubscription is done.
	send(t, ws, ClientMessage{Type: "subscribe", View: "notes:a"})
	if m = read(t, ws); m.View != "notes:a" || m.Type != "snapshot" {
		t.Fatalf("snapshot of notes:a %+v", m)
	}
	f.apply(t, "b", "trois", false)
	if m = read(t, ws); m.View != "notes" {
		t.Fatalf("a patch for an unsubscribed row: %+v", m)
	}
}
