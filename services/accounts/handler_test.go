package accounts

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// site is the session handler mounted in a mux shaped like the gateway's.
type site struct {
	t      *testing.T
	svc    *Service
	h      *Handler
	srv    *httptest.Server
	clock  *clock
	mu     sync.Mutex
	sleeps []time.Duration
}

func newSite(t *testing.T, cfg HandlerConfig) *site {
	t.Helper()
	s := &site{t: t, clock: newClock()}
	s.svc = newService(t, NewMemoryStore(), s.clock)
	cfg.Service, cfg.WriteProblem = s.svc, writeProblem
	if cfg.Throttle == nil {
		cfg.Throttle = NewThrottle(ThrottleConfig{Clock: s.clock.Now})
	}
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sleeps = append(s.sleeps, d)
		return ctx.Err()
	}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	mux := http.NewServeMux()
	// The gateway's own patterns: registering next to them must not panic.
	mux.HandleFunc("POST /api/v1/{context}/{command}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })
	mux.HandleFunc("GET /api/v1/views/{view}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })
	mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(298) })
	h.Register(mux)
	auth := h.Authenticator()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		a, _, err := auth.Actor(r)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		_ = json.NewEncoder(w).Encode(a)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
	cookie *http.Cookie
}

func (s *site) do(method, path, body string, hdr ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			r.cookie = c
		}
	}
	return r
}

func (s *site) signIn(email, pw string, hdr ...string) response {
	s.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	return s.do("POST", "/api/v1/session", string(b), hdr...)
}

func TestSignInSessionSignOut(t *testing.T) {
	s := newSite(t, HandlerConfig{})
	org := uuid.New()
	pw := password()
	a := mustCreate(t, s.svc, NewAccount{Email: "claire@amf.fr", Name: "Claire", Role: RoleMember, OrganisationID: org, Password: pw})

	r := s.signIn("Claire@AMF.fr", pw)
	if r.status != 200 || r.cookie == nil {
		t.Fatalf("sign-in: %d %s", r.status, r.raw)
	}
	want := `{"user":{"id":"` + a.ID.String() + `","email":"claire@amf.fr","name":"Claire","organisation_id":"` + org.String() + `","role":"member"}}` + "\n"
	if r.raw != want {
		t.Fatalf("body %s, want %s", r.raw, want)
	}
	setCookie := r.header.Get("Set-Cookie")
	if setCookie != CookieName+"="+r.cookie.Value+"; Path=/; HttpOnly; SameSite=Lax" {
		t.Fatalf("Set-Cookie: %s", setCookie)
	}
	if _, err := ParseSessionCookie(r.cookie.Value); err != nil {
		t.Fatal(err)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatal("the signed-in user may be cached")
	}
	cookie := CookieName + "=" + r.cookie.Value

	if r := s.do("GET", "/api/v1/session", "", "Cookie", cookie); r.raw != want {
		t.Fatalf("GET session: %d %s", r.status, r.raw)
	}
	if r := s.do("GET", "/whoami", "", "Cookie", cookie); r.body["user"] != "claire@amf.fr" || r.body["organisation"] != org.String() || r.body["role"] != "member" {
		t.Fatalf("actor: %s", r.raw)
	}
	if r := s.do("GET", "/api/v1/session", ""); r.status != 401 || r.body["code"] != "unauthenticated" {
		t.Fatalf("no cookie: %d %s", r.status, r.raw)
	}
	r = s.do("DELETE", "/api/v1/session", "", "Cookie", cookie)
	if r.status != 204 || r.cookie == nil || r.cookie.MaxAge != -1 || r.cookie.Value != "" {
		t.Fatalf("sign-out: %d %v", r.status, r.header)
	}
	if r := s.do("GET", "/api/v1/session", "", "Cookie", cookie); r.status != 401 || r.body["code"] != "unauthenticated" {
		t.Fatalf("revoked session still works: %d %s", r.status, r.raw)
	}
	if r := s.do("DELETE", "/api/v1/session", ""); r.status != 204 {
		t.Fatalf("signing out without a session: %d", r.status)
	}
}

func TestSignInFailuresLookAlike(t *testing.T) {
	s := newSite(t, HandlerConfig{})
	pw := password()
	mustCreate(t, s.svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: pw})
	mustCreate(t, s.svc, NewAccount{Email: "off@x.fr", Name: "Off", Role: RoleObserver, Password: pw})
	if _, err := s.svc.Disable(context.Background(), "off@x.fr"); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, c := range [][2]string{{"a@x.fr", pw + "x"}, {"nobody@x.fr", pw}, {"off@x.fr", pw}} {
		r := s.signIn(c[0], c[1])
		if r.status != 401 || r.body["code"] != "invalid_credentials" || r.cookie != nil {
			t.Fatalf("%s: %d %s", c[0], r.status, r.raw)
		}
		bodies = append(bodies, r.raw)
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Fatalf("answers differ: %q", bodies)
	}
	for _, tc := range []struct {
		body, code string
		status     int
	}{
		{`{"email":`, "invalid_json", 400},
		{`{"email":"a@x.fr"}`, "validation_failed", 422},
		{`{"email":"a@x.fr","password":"` + strings.Repeat("x", maxBody) + `"}`, "too_large", 413},
	} {
		if r := s.do("POST", "/api/v1/session", tc.body); r.status != tc.status || r.body["code"] != tc.code {
			t.Errorf("%.30s: %d %s", tc.body, r.status, r.raw)
		}
	}
}

func TestSecureCookie(t *testing.T) {
	pw := password()
	for _, tc := range []struct {
		trust  bool
		proto  string
		secure bool
	}{{false, "", false}, {false, "https", false}, {true, "http", false}, {true, "https", true}, {true, "HTTPS", true}} {
		s := newSite(t, HandlerConfig{TrustProxy: tc.trust})
		mustCreate(t, s.svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: pw})
		r := s.signIn("a@x.fr", pw, "X-Forwarded-Proto", tc.proto)
		if r.cookie == nil || r.cookie.Secure != tc.secure {
			t.Errorf("trust %v, proto %q: cookie %v", tc.trust, tc.proto, r.header.Get("Set-Cookie"))
		}
	}
	// Over TLS the cookie is always Secure.
	s := newSite(t, HandlerConfig{})
	mustCreate(t, s.svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: pw})
	req := httptest.NewRequest("POST", "https://comite.example/api/v1/session", strings.NewReader(`{"email":"a@x.fr","password":"`+pw+`"}`))
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Set-Cookie"), "; Secure") {
		t.Fatalf("TLS: %d %s", w.Code, w.Header().Get("Set-Cookie"))
	}
}

func TestSignInThrottled(t *testing.T) {
	s := newSite(t, HandlerConfig{})
	pw := password()
	mustCreate(t, s.svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: pw})
	for range 10 {
		if r := s.signIn("a@x.fr", "wrong password "+password()); r.status != 401 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		s.clock.Advance(time.Second)
	}
	s.mu.Lock()
	got := append([]time.Duration(nil), s.sleeps...)
	s.mu.Unlock()
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("slept %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("slept %v, want %v", got, want)
		}
	}
	r := s.signIn("a@x.fr", pw)
	if r.status != 429 || r.body["code"] != "rate_limited" || r.cookie != nil {
		t.Fatalf("right password after 10 failures: %d %s", r.status, r.raw)
	}
	if ra := r.header.Get("Retry-After"); ra != "890" {
		t.Fatalf("Retry-After %q, want 890 (15 min minus the 10 s since the first failure)", ra)
	}
	s.clock.Advance(890 * time.Second)
	if r := s.signIn("a@x.fr", pw); r.status != 200 {
		t.Fatalf("after Retry-After: %d %s", r.status, r.raw)
	}
}

func TestCrossOriginSignInRefused(t *testing.T) {
	s := newSite(t, HandlerConfig{AllowedOrigins: []string{"https://app.example"}})
	pw := password()
	mustCreate(t, s.svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: pw})
	if r := s.signIn("a@x.fr", pw, "Origin", "https://evil.example"); r.status != 403 || r.cookie != nil {
		t.Fatalf("cross-origin sign-in: %d %s", r.status, r.raw)
	}
	if r := s.signIn("a@x.fr", pw, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Fatalf("cross-site sign-in: %d %s", r.status, r.raw)
	}
	if r := s.signIn("a@x.fr", pw, "Origin", s.srv.URL); r.status != 200 {
		t.Fatalf("same-origin sign-in: %d %s", r.status, r.raw)
	}
	if r := s.signIn("a@x.fr", pw, "Origin", "https://app.example"); r.status != 200 {
		t.Fatalf("allowed origin: %d %s", r.status, r.raw)
	}
}

func TestBearerToken(t *testing.T) {
	s := newSite(t, HandlerConfig{})
	pw := password()
	mustCreate(t, s.svc, NewAccount{Email: "aud@x.fr", Name: "Aud", Role: RoleAuditor, Password: pw})
	tok, _, err := s.svc.IssueToken(context.Background(), "aud@x.fr", "export", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r := s.do("GET", "/whoami", "", "Authorization", "Bearer "+tok)
	var a events.Actor
	_ = json.Unmarshal([]byte(r.raw), &a)
	if a != (events.Actor{User: "aud@x.fr", Role: "auditor"}) {
		t.Fatalf("actor %s", r.raw)
	}
	// A bad token is not rescued by a good cookie.
	cookie := CookieName + "=" + s.signIn("aud@x.fr", pw).cookie.Value
	if r := s.do("GET", "/whoami", "", "Authorization", "Bearer ct_bad", "Cookie", cookie); r.status != 401 {
		t.Fatalf("bad bearer with a cookie: %d %s", r.status, r.raw)
	}
	req := httptest.NewRequest("POST", "/x", nil)
	req.Header.Set("Cookie", cookie)
	if !UsesCookie(req) {
		t.Fatal("cookie request not reported")
	}
	id, err := s.h.Authenticator().Identify(req)
	if err != nil || !id.Cookie {
		t.Fatalf("Identify = %+v, %v", id, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if UsesCookie(req) {
		t.Fatal("bearer request reported as cookie")
	}
	if id, err := s.h.Authenticator().Identify(req); err != nil || id.Cookie {
		t.Fatalf("Identify = %+v, %v", id, err)
	}
}

func TestDemoEndpoints(t *testing.T) {
	off := newSite(t, HandlerConfig{})
	if r := off.do("GET", "/api/v1/session/personas", ""); r.status != 404 {
		t.Fatalf("personas without demo mode: %d", r.status)
	}
	if r := off.do("POST", "/api/v1/session/demo", `{"email":"auditor@demo.invalid"}`); r.status != 404 {
		t.Fatalf("demo sign-in without demo mode: %d", r.status)
	}

	amf, men := uuid.New(), uuid.New()
	labels := map[uuid.UUID]string{amf: "AMF", men: "MEN-DNE"}
	s := newSite(t, HandlerConfig{Demo: true, OrganisationLabel: func(_ context.Context, id uuid.UUID) string { return labels[id] }})
	ctx := context.Background()
	if err := EnsureDemoAccounts(ctx, s.svc, map[string]uuid.UUID{"AMF": amf, "MEN-DNE": men}, "MEN-DNE", password()); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s.svc, NewAccount{Email: "real@x.fr", Name: "Real", Role: RoleSecretariat, Password: password()})
	r := s.do("GET", "/api/v1/session/personas", "")
	var ps []Persona
	if err := json.Unmarshal([]byte(r.raw), &ps); err != nil || r.status != 200 {
		t.Fatalf("personas: %d %s", r.status, r.raw)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Email+" "+string(p.Role)+" "+p.Organisation)
	}
	want := []string{"secretariat@demo.invalid secretariat MEN-DNE", "amf@demo.invalid member AMF",
		"men-dne@demo.invalid member MEN-DNE", "auditor@demo.invalid auditor ", "observer@demo.invalid observer "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("personas\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	r = s.do("POST", "/api/v1/session/demo", `{"email":"AMF@demo.invalid"}`)
	if r.status != 200 || r.cookie == nil || r.body["user"].(map[string]any)["organisation_id"] != amf.String() {
		t.Fatalf("demo sign-in: %d %s", r.status, r.raw)
	}
	if r := s.do("GET", "/api/v1/session", "", "Cookie", CookieName+"="+r.cookie.Value); r.status != 200 {
		t.Fatalf("demo session: %d %s", r.status, r.raw)
	}
	for _, email := range []string{"real@x.fr", "nobody@demo.invalid", "real@x.fr@demo.invalid"} {
		if r := s.do("POST", "/api/v1/session/demo", `{"email":"`+email+`"}`); r.status != 404 || r.cookie != nil {
			t.Errorf("demo sign-in as %s: %d %s", email, r.status, r.raw)
		}
	}
	if _, err := s.svc.Disable(ctx, "observer@demo.invalid"); err != nil {
		t.Fatal(err)
	}
	if r := s.do("POST", "/api/v1/session/demo", `{"email":"observer@demo.invalid"}`); r.status != 404 {
		t.Fatalf("disabled persona: %d", r.status)
	}
}

func TestEnsureDemoAccountsIsIdempotent(t *testing.T) {
	svc := newService(t, NewMemoryStore(), newClock())
	ctx := context.Background()
	orgs := map[string]uuid.UUID{"AMF": uuid.New(), "MEN-DNE": uuid.New(), "Villes Internet": uuid.New()}
	pw := password()
	if err := EnsureDemoAccounts(ctx, svc, orgs, "MEN-DNE", pw); err != nil {
		t.Fatal(err)
	}
	first, _ := svc.Accounts(ctx)
	if err := EnsureDemoAccounts(ctx, svc, orgs, "MEN-DNE", pw); err != nil {
		t.Fatal(err)
	}
	again, _ := svc.Accounts(ctx)
	if len(first) != 6 || len(again) != 6 {
		t.Fatalf("%d then %d accounts, want 6", len(first), len(again))
	}
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("account changed: %+v → %+v", first[i], again[i])
		}
	}
	sec, _ := svc.Account(ctx, "secretariat@demo.invalid")
	if sec.Role != RoleSecretariat || sec.OrganisationID != orgs["MEN-DNE"] {
		t.Fatalf("secretariat persona %+v", sec)
	}
	if _, err := svc.Account(ctx, "villes-internet@demo.invalid"); err != nil {
		t.Fatalf("acronym with a space: %v", err)
	}
	// A new password (a restart without COMITE_DEMO_PASSWORD) replaces the old one.
	pw2 := password()
	if err := EnsureDemoAccounts(ctx, svc, orgs, "MEN-DNE", pw2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "amf@demo.invalid", pw2); err != nil {
		t.Fatalf("new demo password: %v", err)
	}
	if err := EnsureDemoAccounts(ctx, svc, orgs, "MEN-DNE", "short"); err == nil {
		t.Fatal("weak demo password accepted")
	}
	if err := EnsureDemoAccounts(ctx, svc, orgs, "XYZ", pw); err == nil {
		t.Fatal("unknown secretariat accepted")
	}
}
