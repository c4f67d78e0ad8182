package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/internal/poll"
)

// inProcess runs the all-in-one server in the test process: real embedded NATS, real
// JetStream store, real services over the bus, real projections and gateway.
type inProcess struct {
	srv  *server
	http *httptest.Server
	// auth is the Authorization header of a secretariat's API token.
	auth map[string]string
	// stop shuts the server down, as at the end of the test; it is idempotent.
	stop func()
}

func startInProcess(t *testing.T, dataDir string, withDemo bool) *inProcess {
	t.Helper()
	return startServer(t, serverConfig{systemConfig: systemConfig{DataDir: dataDir}, Demo: withDemo})
}

// startServer runs the all-in-one server with cfg (logs discarded when cfg.Log is nil).
func startServer(t *testing.T, cfg serverConfig) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	cfg.systemConfig = withTestStore(t, cfg.systemConfig)
	srv, err := newServer(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.run(ctx) }()
	p := &inProcess{srv: srv, http: httptest.NewServer(srv.gateway)}
	p.auth = map[string]string{"Authorization": "Bearer " + issueSecretariatToken(t, srv.accounts)}
	p.stop = sync.OnceFunc(func() {
		p.http.Close()
		cancel()
		<-done
		srv.Close()
	})
	t.Cleanup(p.stop)
	eventually(t, "healthz ok", func() bool { return srv.readiness() == nil })
	return p
}

// eventually waits for cond (see internal/poll).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}

type httpResult struct {
	Status int
	Header http.Header
	Body   []byte
}

func call(t *testing.T, method, url, body string, header map[string]string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{resp.StatusCode, resp.Header, b}
}

type commandReply struct {
	CommandID string `json:"command_id"`
	Position  uint64 `json:"position"`
	Events    []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Stream   string `json:"stream"`
		Revision uint64 `json:"revision"`
		Position uint64 `json:"position"`
	} `json:"events"`
}

type organisationsView struct {
	Position uint64 `json:"position"`
	Items    []struct {
		ID, Name, Acronym, Kind string
	} `json:"items"`
}

func (p *inProcess) head(t *testing.T) uint64 {
	t.Helper()
	h, err := p.srv.sys.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAddOrganisationAppearsInView(t *testing.T) {
	p := startInProcess(t, t.TempDir(), false)
	if r := call(t, "GET", p.http.URL+"/healthz", "", p.auth); r.Status != 200 || !strings.Contains(string(r.Body), `"ok"`) {
		t.Fatalf("healthz %d %s", r.Status, r.Body)
	}
	r := call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation",
		`{"name": "Association des Maires de France", "acronym": "AMF"}`, p.auth)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var reply commandReply
	if err := json.Unmarshal(r.Body, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Position == 0 || len(reply.Events) != 1 || reply.Events[0].Type != "membership.organisation.added" || reply.Events[0].Position != reply.Position {
		t.Fatalf("reply %s", r.Body)
	}
	r = call(t, "GET", p.http.URL+"/api/v1/views/organisations?min_position="+itoa(reply.Position), "", p.auth)
	var view organisationsView
	if err := json.Unmarshal(r.Body, &view); err != nil {
		t.Fatal(err)
	}
	if view.Position < reply.Position || len(view.Items) != 1 || view.Items[0].Name != "Association des Maires de France" || view.Items[0].Acronym != "AMF" {
		t.Fatalf("view %s", r.Body)
	}
	r = call(t, "GET", p.http.URL+"/api/v1/views/committee?min_position="+itoa(reply.Position), "", p.auth)
	var committee struct {
		Item struct {
			Name     string `json:"name"`
			Revision uint64 `json:"revision"`
		} `json:"item"`
	}
	if err := json.Unmarshal(r.Body, &committee); err != nil || committee.Item.Name != "Comité des partenaires du numérique pour l'éducation" {
		t.Fatalf("committee %s", r.Body)
	}
	// If-Match with the revision the view shows is accepted; the committee then moved on.
	ifMatch := map[string]string{"If-Match": `"` + itoa(committee.Item.Revision) + `"`}
	r = call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", `{"name": "Caisse des Dépôts", "acronym": "CDC"}`, with(p.auth, ifMatch))
	if r.Status != 200 {
		t.Fatalf("If-Match with the current revision: %d %s", r.Status, r.Body)
	}
	r = call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", `{"name": "Villes Internet", "acronym": "VI"}`, with(p.auth, ifMatch))
	if r.Status != 409 || !strings.Contains(string(r.Body), `"wrong_revision"`) {
		t.Fatalf("If-Match with a stale revision: %d %s", r.Status, r.Body)
	}
	r = call(t, "GET", p.http.URL+"/api/v1/openapi.json", "", p.auth)
	if r.Status != 200 || !strings.Contains(string(r.Body), "/api/v1/membership/add-organisation") {
		t.Fatalf("openapi %d", r.Status)
	}
}

func TestDemoSeedsElevenOrganisationsIdempotently(t *testing.T) {
	dir := t.TempDir()
	p := startInProcess(t, dir, true)
	r := call(t, "GET", p.http.URL+"/api/v1/views/organisations?min_position="+itoa(p.head(t)), "", p.auth)
	var view organisationsView
	if err := json.Unmarshal(r.Body, &view); err != nil {
		t.Fatal(err)
	}
	if len(view.Items) != 11 {
		t.Fatalf("%d organisations: %s", len(view.Items), r.Body)
	}
	before := p.head(t)
	// Seeding again, through the HTTP API this time, changes nothing.
	var out strings.Builder
	token, _, err := p.srv.accounts.IssueToken(context.Background(), "secretariat@demo.invalid", "demo", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"demo", "--url", p.http.URL, "--token", token}, &out, &out); code != 0 {
		t.Fatalf("comite demo --url: exit %d: %s", code, out.String())
	}
	if after := p.head(t); after != before {
		t.Fatalf("second seeding appended %d events", after-before)
	}
}

// Bad input of every kind gets a problem+json 4xx with its code, and appends nothing.
func TestBadInputAppendsNothing(t *testing.T) {
	p := startInProcess(t, t.TempDir(), true)
	url := p.http.URL + "/api/v1/"
	cases := []struct {
		name, path, body string
		header           map[string]string
		status           int
		code             string
	}{
		{"invalid json", "membership/add-organisation", `{"name": "AMF"`, nil, 400, "invalid_json"},
		{"unknown context", "elections/add-organisation", `{}`, nil, 404, "unknown_command"},
		{"unknown command", "membership/dissolve-committee", `{}`, nil, 404, "unknown_command"},
		{"missing field", "membership/add-organisation", `{"name": "Sans sigle"}`, nil, 422, "validation_failed"},
		{"wrong type", "membership/add-organisation", `{"name": 42, "acronym": "X"}`, nil, 422, "validation_failed"},
		{"unknown field", "membership/add-organisation", `{"name": "N", "acronym": "N", "colour": "red"}`, nil, 422, "validation_failed"},
		{"unknown enum value", "membership/add-organisation", `{"name": "N", "acronym": "N", "kind": "club"}`, nil, 422, "validation_failed"},
		{"huge string", "membership/add-organisation", `{"name": "` + strings.Repeat("é", 5000) + `", "acronym": "N"}`, nil, 422, "validation_failed"},
		{"duplicate acronym", "membership/add-organisation", `{"name": "Autre", "acronym": "amf"}`, nil, 409, "organisation_exists"},
		{"wrong revision", "membership/add-organisation", `{"name": "Nouvelle", "acronym": "NV"}`, map[string]string{"If-Match": `"0"`}, 409, "wrong_revision"},
		{"bad revision", "membership/add-organisation", `{"name": "Nouvelle", "acronym": "NV"}`, map[string]string{"If-Match": `"abc"`}, 422, "validation_failed"},
	}
	before := p.head(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, "POST", url+c.path, c.body, with(p.auth, c.header))
			if r.Status != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d (%s), want %d: %s", r.Status, r.Header.Get("Content-Type"), c.status, r.Body)
			}
			var prob struct{ Code, MessageFR, MessageEN string }
			_ = json.Unmarshal(r.Body, &prob)
			if prob.Code != c.code {
				t.Fatalf("code %q, want %q: %s", prob.Code, c.code, r.Body)
			}
		})
	}
	if after := p.head(t); after != before {
		t.Fatalf("rejected commands appended %d events", after-before)
	}
}

// The same Idempotency-Key sent twice, and concurrently, appends once and answers the
// same body every time.
func TestIdempotencyKey(t *testing.T) {
	p := startInProcess(t, t.TempDir(), false)
	url := p.http.URL + "/api/v1/membership/add-organisation"
	body := `{"name": "Assemblée des Départements de France", "acronym": "ADF"}`
	key := map[string]string{"Idempotency-Key": "adf-2014-01"}
	before := p.head(t)
	const n = 16
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, "POST", url, body, with(p.auth, key))
			if r.Status != 200 {
				t.Errorf("attempt %d: %d %s", i, r.Status, r.Body)
			}
			bodies[i] = string(r.Body)
		}()
	}
	wg.Wait()
	again := call(t, "POST", url, body, with(p.auth, key))
	for i, b := range append(bodies, string(again.Body)) {
		if b != bodies[0] {
			t.Fatalf("reply %d differs:\n%s\n%s", i, b, bodies[0])
		}
	}
	if after := p.head(t); after != before+1 {
		t.Fatalf("%d events appended, want 1", after-before)
	}
	// The same key for another request is refused, and appends nothing.
	r := call(t, "POST", url, `{"name": "Autre chose", "acronym": "AC"}`, with(p.auth, key))
	if r.Status != 422 || !strings.Contains(string(r.Body), "idempotency_key_reused") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if after := p.head(t); after != before+1 {
		t.Fatal("a reused key appended")
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
