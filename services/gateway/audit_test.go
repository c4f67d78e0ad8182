package gateway

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/services/errcode"
)

// fakeLog is a log of n events at positions 1..n.
type fakeLog struct{ n uint64 }

func (f fakeLog) ReadAll(_ context.Context, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		for p := max(from, 1); p <= f.n+2; p++ { // two more than Head: appended meanwhile
			if !yield(events.Event{Type: "t", Stream: "s-1", Position: p, Data: json.RawMessage(`{}`)}, nil) {
				return
			}
		}
	}
}

func (f fakeLog) Head(context.Context) (uint64, error) { return f.n, nil }

func auditTestHandler(t testing.TB) http.Handler {
	h, err := NewAuditHandler(AuditConfig{Log: fakeLog{n: 5},
		Seal: func(context.Context) (audit.CheckpointSealed, error) { return audit.CheckpointSealed{Size: 5}, nil },
		Identify: func(r *http.Request) (Identity, error) {
			role := r.Header.Get("X-Role")
			if role == "" {
				return Identity{}, errcode.Unauthenticated
			}
			return Identity{Actor: events.Actor{Role: role}}, nil
		},
		MayExport: func(a events.Actor) error { return roleIs(a, "auditor") },
		MaySeal:   func(a events.Actor) error { return roleIs(a, "auditor") },
		Streams: func(_ context.Context, cat string) ([]StreamInfo, error) {
			return []StreamInfo{{Stream: "s-1", Category: cat}}, nil
		},
		Stream: func(_ context.Context, s string) ([]BrowsedEvent, error) {
			if s == "s-1" {
				return []BrowsedEvent{{Event: events.Event{Stream: s}}}, nil
			}
			return nil, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func roleIs(a events.Actor, role string) error {
	if a.Role != role {
		return errcode.Forbidden
	}
	return nil
}

func auditGet(h http.Handler, method, target, role string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if role != "" {
		r.Header.Set("X-Role", role)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAuditEndpoints(t *testing.T) {
	h := auditTestHandler(t)
	w := auditGet(h, "GET", "/api/v1/audit/events?from=2", "auditor")
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if w.Code != 200 || len(lines) != 4 || w.Header().Get("X-Audit-Head") != "5" {
		t.Fatalf("events: %d %q %v", w.Code, lines, w.Header())
	}
	for want, c := range map[int][2]string{
		401: {"/api/v1/audit/events", ""},
		403: {"/api/v1/audit/head", "member"},
		404: {"/api/v1/audit/streams/s-2", "auditor"},
		422: {"/api/v1/audit/events?from=-1", "auditor"},
	} {
		if w := auditGet(h, "GET", c[0], c[1]); w.Code != want {
			t.Errorf("GET %s as %q: %d, want %d", c[0], c[1], w.Code, want)
		}
	}
	if w := auditGet(h, "GET", "/api/v1/audit/streams/S", "auditor"); w.Code != 422 {
		t.Errorf("invalid stream name: %d", w.Code)
	}
	if w := auditGet(h, "POST", "/api/v1/audit/checkpoints", "auditor"); w.Code != 200 || !strings.Contains(w.Body.String(), `"size":5`) {
		t.Errorf("seal: %d %s", w.Code, w.Body)
	}
	if w := auditGet(h, "GET", "/api/v1/audit/streams?category=opinion", "auditor"); w.Code != 200 || !strings.Contains(w.Body.String(), `"category":"opinion"`) {
		t.Errorf("streams: %d %s", w.Code, w.Body)
	}
	if _, err := NewAuditHandler(AuditConfig{}); err == nil {
		t.Error("an empty configuration was accepted")
	}
}

func FuzzAuditEndpoints(f *testing.F) {
	h := auditTestHandler(f)
	for _, s := range []string{"events?from=3", "events?from=x", "streams/s-1", "streams/a-b-c", "streams?category=%00", "head"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tail string) {
		u, err := url.Parse("/api/v1/audit/" + tail)
		if err != nil || u.Path == "" {
			return
		}
		r, err := http.NewRequest("GET", "http://comite.test"+u.RequestURI(), nil)
		if err != nil {
			return
		}
		r.Header.Set("X-Role", "auditor")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", tail, w.Code, w.Body)
		}
	})
}
