package gateway

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// withIdentity is a gateway where "X-Who: member|observer|cookie-member" names the
// sender and observers may not read notes.
func withIdentity(t *testing.T, live LiveConfig) *fixture {
	return newFixtureWith(t, func(c *Config) {
		c.Live = live
		c.Identify = func(r *http.Request) (Identity, error) {
			switch r.Header.Get("X-Who") {
			case "member":
				return Identity{Actor: events.Actor{User: "amf@demo.invalid", Role: "member"}}, nil
			case "cookie-member":
				return Identity{Actor: events.Actor{User: "amf@demo.invalid", Role: "member"}, Cookie: true}, nil
			case "observer":
				return Identity{Actor: events.Actor{User: "observer@demo.invalid", Role: "observer"}}, nil
			}
			return Identity{}, errcode.Unauthenticated
		}
		c.MayRead = func(a events.Actor, view string) error {
			if a.Role == "observer" {
				return errcode.Forbidden
			}
			return nil
		}
		c.Session = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	})
}

func request(t *testing.T, f *fixture, method, path, body string, h map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestIdentityReadRulesAndCSRF(t *testing.T) {
	f := withIdentity(t, LiveConfig{})
	note := `{"text":"Très haut débit"}`
	cases := []struct {
		name, method, path string
		header             map[string]string
		status             int
	}{
		{"no session: view", "GET", "/api/v1/views/notes", nil, 401},
		{"no session: command", "POST", "/api/v1/notes/add-note", nil, 401},
		{"member reads", "GET", "/api/v1/views/notes", map[string]string{"X-Who": "member"}, 200},
		{"observer may not read notes", "GET", "/api/v1/views/notes", map[string]string{"X-Who": "observer"}, 403},
		{"observer may not read a note", "GET", "/api/v1/views/notes/x", map[string]string{"X-Who": "observer"}, 403},
		{"token (no cookie) without Origin", "POST", "/api/v1/notes/add-note", map[string]string{"X-Who": "member"}, 200},
		{"cookie without Origin", "POST", "/api/v1/notes/add-note", map[string]string{"X-Who": "cookie-member"}, 403},
		{"cookie, same origin", "POST", "/api/v1/notes/add-note", map[string]string{"X-Who": "cookie-member", "Origin": f.srv.URL}, 200},
		{"cookie, other origin", "POST", "/api/v1/notes/add-note", map[string]string{"X-Who": "cookie-member", "Origin": "https://evil.example"}, 403},
		{"token, other origin", "POST", "/api/v1/notes/add-note", map[string]string{"X-Who": "member", "Origin": "https://evil.example"}, 403},
		{"sign-in from another site", "POST", "/api/v1/session", map[string]string{"Origin": "https://evil.example"}, 403},
		{"sign-in from this site", "POST", "/api/v1/session", map[string]string{"Origin": f.srv.URL}, 204},
		{"health needs nobody", "GET", "/healthz", nil, 200},
		{"OpenAPI needs nobody", "GET", "/api/v1/openapi.json", nil, 200},
	}
	for _, c := range cases {
		status, body := request(t, f, c.method, c.path, note, c.header)
		if status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, status, body, c.status)
		}
	}
}

func TestLiveNeedsIdentityAndFiltersViews(t *testing.T) {
	f := withIdentity(t, LiveConfig{})
	url := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/api/v1/live"
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("upgrade without a session: err %v resp %v", err, resp)
	}
	ws := dial(t, f, http.Header{"X-Who": {"observer"}})
	send(t, ws, map[string]any{"type": "subscribe", "view": "notes", "since": 0})
	if m := read(t, ws); m.Type != "error" || m.Code != "forbidden" {
		t.Fatalf("observer subscribing to notes: %+v", m)
	}
	ws = dial(t, f, http.Header{"X-Who": {"member"}})
	send(t, ws, map[string]any{"type": "subscribe", "view": "notes", "since": 0})
	if m := read(t, ws); m.Type != "snapshot" {
		t.Fatalf("member subscribing to notes: %+v", m)
	}
}

func TestLiveMessageRateLimit(t *testing.T) {
	f := withIdentity(t, LiveConfig{MessageRate: 1, MessageBurst: 5})
	ws := dial(t, f, http.Header{"X-Who": {"member"}})
	for range 10 {
		if err := ws.WriteJSON(map[string]any{"type": "unsubscribe", "view": "notes"}); err != nil {
			break
		}
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if ce.Code != CloseRateLimited {
				t.Fatalf("closed with %d, want %d", ce.Code, CloseRateLimited)
			}
			return
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
}

// A live connection outliving its session is closed with CloseUnauthenticated.
func TestLiveClosesWhenTheSessionEnds(t *testing.T) {
	var ended atomic.Bool
	f := newFixtureWith(t, func(c *Config) {
		c.Live = LiveConfig{Recheck: 20 * time.Millisecond}
		c.Identify = func(r *http.Request) (Identity, error) {
			if ended.Load() || r.Header.Get("X-Who") != "member" {
				return Identity{}, errcode.Unauthenticated
			}
			return Identity{Actor: events.Actor{User: "amf@demo.invalid", Role: "member"}}, nil
		}
	})
	ws := dial(t, f, http.Header{"X-Who": {"member"}})
	send(t, ws, map[string]any{"type": "subscribe", "view": "notes", "since": 0})
	if m := read(t, ws); m.Type != "snapshot" {
		t.Fatalf("subscribing: %+v", m)
	}
	ended.Store(true)
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if ce.Code != CloseUnauthenticated {
				t.Fatalf("closed with %d, want %d", ce.Code, CloseUnauthenticated)
			}
			return
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
}
