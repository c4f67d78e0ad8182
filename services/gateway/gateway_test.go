package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/errcode"
)

func post(t *testing.T, f *fixture, path, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func get(t *testing.T, f *fixture, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	return do(t, req)
}

func TestCommandSuccess(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	resp, body := post(t, f, "/api/v1/notes/add-note", `{"text":"bonjour"}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var reply struct {
		CommandID string `json:"command_id"`
		Position  uint64 `json:"position"`
		Events    []struct {
			ID, Type, Stream   string
			Revision, Position uint64
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.CommandID == "" || reply.Position != 1 || len(reply.Events) != 1 || reply.Events[0].Type != "test.note.added" {
		t.Fatalf("reply %s", body)
	}
	if got := f.sender.requests[0]; got.Context != "notes" || got.Command != "add-note" || got.Actor != f.gw.cfg.Actor {
		t.Fatalf("request sent %+v", got)
	}
}

// Every kind of bad request gets a problem+json 4xx with its code, and nothing reaches
// the services (so nothing can be appended).
func TestBadRequestsAreProblemsAndSendNothing(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	cases := []struct {
		name, path, body string
		header           map[string]string
		status           int
		code             string
	}{
		{"invalid json", "/api/v1/notes/add-note", `{"text":`, nil, 400, "invalid_json"},
		{"not an object either", "/api/v1/notes/add-note", `nope`, nil, 400, "invalid_json"},
		{"unknown context", "/api/v1/nothing/add-note", `{}`, nil, 404, "unknown_command"},
		{"unknown command", "/api/v1/notes/remove-everything", `{}`, nil, 404, "unknown_command"},
		{"too large", "/api/v1/notes/add-note", `{"text":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, nil, 413, "too_large"},
		{"bad idempotency key", "/api/v1/notes/add-note", `{"text":"x"}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 300)}, 422, "validation_failed"},
		{"no such api route", "/api/v2/whatever", `{}`, nil, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := post(t, f, c.path, c.body, c.header)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != c.code || p.Status != c.status || p.MessageFR == "" || p.MessageEN == "" {
				t.Fatalf("problem %+v, want code %s", p, c.code)
			}
		})
	}
	if n := f.sender.count(); n != 0 {
		t.Fatalf("%d bad requests reached the services", n)
	}
}

func TestRejectionFromServiceBecomesProblem(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	resp, body := post(t, f, "/api/v1/notes/add-note", `{"text":""}`, nil)
	var p Problem
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != 422 || p.Code != "validation_failed" || p.Fields["text"] != "required" {
		t.Fatalf("status %d problem %+v", resp.StatusCode, p)
	}
	f.sender.err = errcode.WrongRevision
	resp, body = post(t, f, "/api/v1/notes/add-note", `{"text":"x"}`, nil)
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != 409 || p.Code != "wrong_revision" {
		t.Fatalf("status %d problem %+v", resp.StatusCode, p)
	}
	// An error without a code is an internal problem whose text never leaves the server.
	f.sender.err = context.Canceled
	resp, body = post(t, f, "/api/v1/notes/add-note", `{"text":"x"}`, nil)
	if resp.StatusCode != 500 || strings.Contains(string(body), "canceled") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

func TestIdempotencyKeyBecomesCommandID(t *testing.T) {
	a1, _ := CommandID("same-key")
	a2, _ := CommandID("same-key")
	b, _ := CommandID("other-key")
	u, _ := CommandID("0b5a4c9e-9f57-4c53-8f0e-6f3f5c1b2a10")
	r1, _ := CommandID("")
	r2, _ := CommandID("")
	if a1 != a2 || a1 == b || u != "0b5a4c9e-9f57-4c53-8f0e-6f3f5c1b2a10" || r1 == r2 {
		t.Fatalf("ids: %s %s %s %s %s %s", a1, a2, b, u, r1, r2)
	}
}

func TestViewsAndMinPosition(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	f.apply(t, "a", "première", false)
	resp, body := get(t, f, "/api/v1/views/notes")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"position":1`) || !strings.Contains(string(body), "première") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, body = get(t, f, "/api/v1/views/notes/a")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"item":{"id":"a"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if resp, _ = get(t, f, "/api/v1/views/notes/zzz"); resp.StatusCode != 404 {
		t.Fatalf("missing item: %d", resp.StatusCode)
	}
	if resp, _ = get(t, f, "/api/v1/views/nothing"); resp.StatusCode != 404 {
		t.Fatalf("missing view: %d", resp.StatusCode)
	}
	if resp, _ = get(t, f, "/api/v1/views/notes?min_position=abc"); resp.StatusCode != 422 {
		t.Fatalf("bad min_position: %d", resp.StatusCode)
	}
	// min_position waits until the view gets there.
	var wg sync.WaitGroup
	wg.Add(1)
	var waited []byte
	go func() {
		defer wg.Done()
		_, waited = get(t, f, "/api/v1/views/notes?min_position=3")
	}()
	f.apply(t, "b", "deuxième", false)
	f.apply(t, "c", "troisième", false)
	wg.Wait()
	if !strings.Contains(string(waited), `"position":3`) || !strings.Contains(string(waited), "troisième") {
		t.Fatalf("waited answer %s", waited)
	}
	// A position never reached times out with a problem, bounded by MaxWait.
	f.gw.cfg.MaxWait = 30 * time.Millisecond
	resp, body = get(t, f, "/api/v1/views/notes?min_position=99")
	if resp.StatusCode != 504 || !strings.Contains(string(body), `"code":"timeout"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	resp, body := get(t, f, "/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	f.gw.cfg.Ready = func() error { return errcode.Unavailable }
	if resp, _ = get(t, f, "/healthz"); resp.StatusCode != 503 {
		t.Fatalf("not ready: %d", resp.StatusCode)
	}
}

func TestOpenAPIHasEveryCommandAndView(t *testing.T) {
	f := newFixture(t, LiveConfig{})
	resp, body := get(t, f, "/api/v1/openapi.json")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/notes/add-note", "/api/v1/views/notes", "/api/v1/views/notes/{id}"} {
		if doc.Paths[p] == nil {
			t.Errorf("path %s missing", p)
		}
	}
	// validate tags became schema rules.
	for _, want := range []string{`"maxLength":50`, `"enum":["a","b"]`, `"required":["text"]`,
		`"items":{"format":"uuid","type":"string"},"maxItems":7`, `"uniqueItems":true`, `"due":{"format":"date","type":"string"}`} {
		if !strings.Contains(strings.ReplaceAll(string(body), " ", ""), strings.ReplaceAll(want, " ", "")) &&
			!strings.Contains(compact(body), want) {
			t.Errorf("openapi lacks %s", want)
		}
	}
}

func compact(b []byte) string {
	var v any
	_ = json.Unmarshal(b, &v)
	out, _ := json.Marshal(v)
	return string(out)
}
