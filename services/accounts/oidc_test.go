package accounts

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/accounts/oidctest"
)

// oidcSite is the session handler with OpenID Connect against a test provider, mounted
// in a mux that also answers the web app's "/".
type oidcSite struct {
	t        *testing.T
	svc      *Service
	srv      *httptest.Server
	provider *oidctest.Provider
	logs     *syncBuffer
	amf      uuid.UUID
}

const testClientSecret = "client-secret-never-logged"

func newOIDCSite(t *testing.T, tweak func(*OIDCConfig)) *oidcSite {
	t.Helper()
	s := &oidcSite{t: t, logs: &syncBuffer{}, amf: uuid.New()}
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.provider = oidctest.New(t, "comite-test", testClientSecret)
	svc, err := New(Config{Store: NewMemoryStore(), Params: cheap, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s.svc = svc
	mux := http.NewServeMux()
	s.srv = httptest.NewUnstartedServer(mux)
	cfg := OIDCConfig{Issuer: s.provider.Issuer(), ClientID: "comite-test", ClientSecret: testClientSecret,
		RedirectURL:       "http://" + s.srv.Listener.Addr().String() + OIDCCallbackPath,
		OrganisationClaim: "organisation", RoleClaim: "comite_role", Label: "Connexion SSO",
		ResolveOrganisation: func(_ context.Context, v string) (uuid.UUID, bool) {
			if strings.EqualFold(v, "AMF") || v == s.amf.String() {
				return s.amf, true
			}
			return uuid.Nil, false
		}}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := NewHandler(HandlerConfig{Service: svc, WriteProblem: writeProblem, OIDC: &cfg, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	h.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "web app") })
	auth := h.Authenticator()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		a, _, err := auth.Actor(r)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		_ = json.NewEncoder(w).Encode(a)
	})
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// browser is a client with a cookie jar; follow says whether it follows redirects.
func (s *oidcSite) browser(follow bool) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn goes through the whole flow in a fresh browser, and returns it with the
// sign-in error the web app was sent back with ("" for none).
func (s *oidcSite) signIn() (*http.Client, string) {
	s.t.Helper()
	c := s.browser(true)
	resp, body := get(s.t, c, s.srv.URL+OIDCLoginPath)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" || body != "web app" {
		s.t.Fatalf("landed on %s: %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	return c, resp.Request.URL.Query().Get("signin_error")
}

// whoami is the actor of the browser's session, or nil when it has none.
func (s *oidcSite) whoami(c *http.Client) *events.Actor {
	s.t.Helper()
	resp, body := get(s.t, c, s.srv.URL+"/whoami")
	if resp.StatusCode == 401 {
		return nil
	}
	var a events.Actor
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		s.t.Fatalf("whoami: %d %s", resp.StatusCode, body)
	}
	return &a
}

func TestOIDCSignInFlow(t *testing.T) {
	s := newOIDCSite(t, nil)
	s.provider.SetClaims(map[string]any{"email": "Alice@Example.org", "email_verified": true, "name": "Alice Martin",
		"organisation": "amf", "comite_role": "member"})

	resp, body := get(t, s.browser(false), s.srv.URL+OIDCInfoPath)
	if resp.StatusCode != 200 || body != `{"enabled":true,"label":"Connexion SSO"}`+"\n" {
		t.Fatalf("info: %d %s", resp.StatusCode, body)
	}

	// The login redirect carries state, nonce and an S256 challenge; the cookie that
	// remembers them is HttpOnly, SameSite=Lax, scoped to the OIDC paths.
	resp, _ = get(t, s.browser(false), s.srv.URL+OIDCLoginPath)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), s.provider.URL+"/authorize?") {
		t.Fatalf("login: %d %s", resp.StatusCode, loc)
	}
	q := loc.Query()
	if q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("client_id") != "comite-test" || q.Get("scope") != "openid email profile" {
		t.Fatalf("authorization request: %s", loc)
	}
	sc := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, oidcCookie+"=") || !strings.Contains(sc, "Path=/api/v1/session/oidc;") ||
		!strings.Contains(sc, "Max-Age=600;") || !strings.Contains(sc, "HttpOnly; SameSite=Lax") {
		t.Fatalf("state cookie: %s", sc)
	}

	c, code := s.signIn()
	if code != "" {
		t.Fatalf("sign-in error %s; logs:\n%s", code, s.logs)
	}
	a := s.whoami(c)
	if a == nil || *a != (events.Actor{User: "alice@example.org", Role: "member", Organisation: s.amf.String()}) {
		t.Fatalf("actor %+v", a)
	}
	resp, body = get(t, c, s.srv.URL+"/api/v1/session")
	if resp.StatusCode != 200 || !strings.Contains(body, `"name":"Alice Martin"`) {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	acct, err := s.svc.Account(context.Background(), "alice@example.org")
	if err != nil || acct.External != s.provider.Issuer() {
		t.Fatalf("account %+v, %v", acct, err)
	}
	// The account has no password: no password signs in as it.
	if _, err := s.svc.Authenticate(context.Background(), "alice@example.org", ""); err == nil {
		t.Fatal("an external account signs in with an empty password")
	}

	// A second sign-in finds the account; the provider now says auditor: no organisation.
	s.provider.SetClaims(map[string]any{"email": "alice@example.org", "organisation": "AMF", "comite_role": "auditor"})
	c2, code := s.signIn()
	if code != "" {
		t.Fatalf("second sign-in: %s", code)
	}
	if a := s.whoami(c2); a == nil || *a != (events.Actor{User: "alice@example.org", Role: "auditor"}) {
		t.Fatalf("actor after the role changed: %+v", a)
	}
	if all, _ := s.svc.Accounts(context.Background()); len(all) != 1 || all[0].ID != acct.ID {
		t.Fatalf("accounts %+v", all)
	}
	s.noSecretInLogs()
}

// noSecretInLogs looks for every secret of the flows in the logs: the client secret,
// the provider's codes and tokens.
func (s *oidcSite) noSecretInLogs() {
	s.t.Helper()
	logs := s.logs.String()
	secrets := append(s.provider.Issued(), testClientSecret)
	if len(secrets) < 4 {
		s.t.Fatalf("only %d secrets issued", len(secrets))
	}
	for _, sec := range secrets {
		if strings.Contains(logs, sec) {
			s.t.Fatalf("a secret is in the logs:\n%s", logs)
		}
	}
	if strings.Contains(logs, SessionPrefix) || strings.Contains(logs, "state=") {
		s.t.Fatalf("a session secret or a state is in the logs:\n%s", logs)
	}
}

func TestOIDCRefusals(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]any{"email": "bob@example.org", "email_verified": true, "organisation": "AMF", "comite_role": "member"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		tamper func(map[string]any)
		key    *rsa.PrivateKey
		want   string
	}{
		{name: "unknown role", claims: with("comite_role", "admin"), want: oidcErrRole},
		{name: "two roles", claims: with("comite_role", []any{"member", "secretariat"}), want: oidcErrRole},
		{name: "no role for a new account", claims: with("comite_role", nil), want: oidcErrRole},
		{name: "no email", claims: with("email", nil), want: oidcErrEmail},
		{name: "not an email", claims: with("email", "bob"), want: oidcErrEmail},
		{name: "unverified email", claims: with("email_verified", false), want: oidcErrEmail},
		{name: "unknown organisation", claims: with("organisation", "XYZ"), want: oidcErrOrganisation},
		{name: "member without organisation", claims: with("organisation", nil), want: oidcErrOrganisation},
		{name: "bad nonce", claims: good, tamper: func(c map[string]any) { c["nonce"] = "replayed" }, want: oidcErrFailed},
		{name: "expired", claims: good, tamper: func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Minute).Unix()
		}, want: oidcErrFailed},
		{name: "other audience", claims: good, tamper: func(c map[string]any) { c["aud"] = "other-client" }, want: oidcErrFailed},
		{name: "other issuer", claims: good, tamper: func(c map[string]any) { c["iss"] = "https://evil.example" }, want: oidcErrFailed},
		{name: "wrongly signed", claims: good, key: otherKey, want: oidcErrFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOIDCSite(t, nil)
			s.provider.SetClaims(tc.claims)
			s.provider.Tamper(tc.tamper)
			s.provider.SignWith(tc.key)
			c, code := s.signIn()
			if code != tc.want {
				t.Fatalf("sign-in error %q, want %q; logs:\n%s", code, tc.want, s.logs)
			}
			if a := s.whoami(c); a != nil {
				t.Fatalf("signed in as %+v", a)
			}
			if all, _ := s.svc.Accounts(context.Background()); len(all) != 0 {
				t.Fatalf("accounts created: %+v", all)
			}
			s.noSecretInLogs()
		})
	}
	t.Run("the same claims pass", func(t *testing.T) {
		s := newOIDCSite(t, nil)
		s.provider.SetClaims(with("comite_role", []any{"staff", "member"}))
		if c, code := s.signIn(); code != "" || s.whoami(c) == nil {
			t.Fatalf("sign-in error %q", code)
		}
	})
}

// TestOIDCStateChecked walks the flow by hand to return with another state, with no
// state cookie, or with the provider's refusal.
func TestOIDCStateChecked(t *testing.T) {
	s := newOIDCSite(t, nil)
	s.provider.SetClaims(map[string]any{"email": "carol@example.org", "comite_role": "observer"})
	// callback starts a sign-in in c and returns the provider's redirect back.
	callback := func(c *http.Client) *url.URL {
		resp, _ := get(t, c, s.srv.URL+OIDCLoginPath)
		resp, _ = get(t, c, resp.Header.Get("Location"))
		back, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil || back.Path != OIDCCallbackPath {
			t.Fatalf("provider: %d %s", resp.StatusCode, back)
		}
		return back
	}
	refused := func(c *http.Client, u *url.URL, want string) {
		t.Helper()
		resp, _ := get(t, c, u.String())
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || loc != "/?signin_error="+want {
			t.Fatalf("callback: %d %s, want %s", resp.StatusCode, loc, want)
		}
		if a := s.whoami(c); a != nil {
			t.Fatalf("signed in as %+v", a)
		}
	}

	c := s.browser(false)
	back := callback(c)
	q := back.Query()
	q.Set("state", "forged")
	back.RawQuery = q.Encode()
	refused(c, back, oidcErrState)

	// Another browser brings back a code meant for the first one: it has no state cookie.
	back = callback(s.browser(false))
	refused(s.browser(false), back, oidcErrState)

	// The state cookie serves once: replaying the callback is refused.
	c = s.browser(false)
	back = callback(c)
	resp, _ := get(t, c, back.String())
	if resp.Header.Get("Location") != "/" || s.whoami(c) == nil {
		t.Fatalf("genuine callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	refused(s.browser(false), back, oidcErrState)
	resp, _ = get(t, c, back.String())
	if loc := resp.Header.Get("Location"); loc != "/?signin_error="+oidcErrState {
		t.Fatalf("replayed callback: %s", loc)
	}

	// The provider refused (the person cancelled).
	c = s.browser(false)
	back = callback(c)
	q = back.Query()
	q.Del("code")
	q.Set("error", "access_denied")
	back.RawQuery = q.Encode()
	refused(c, back, oidcErrDenied)
	s.noSecretInLogs()
}

func TestOIDCExistingAccounts(t *testing.T) {
	s := newOIDCSite(t, nil)
	ctx := context.Background()
	mustCreate(t, s.svc, NewAccount{Email: "sec@example.org", Name: "Secrétariat", Role: RoleSecretariat, Password: password()})

	// The provider is silent on the role: the local account keeps its own.
	s.provider.SetClaims(map[string]any{"email": "SEC@example.org", "name": "Someone Else"})
	c, code := s.signIn()
	if code != "" {
		t.Fatalf("sign-in error %s", code)
	}
	if a := s.whoami(c); a == nil || *a != (events.Actor{User: "sec@example.org", Role: "secretariat"}) {
		t.Fatalf("actor %+v", a)
	}
	if a, _ := s.svc.Account(ctx, "sec@example.org"); a.Name != "Secrétariat" || a.External != "" {
		t.Fatalf("local account changed: %+v", a)
	}

	// The provider says member of AMF: it decides.
	s.provider.SetClaims(map[string]any{"email": "sec@example.org", "comite_role": "member", "organisation": s.amf.String()})
	c, code = s.signIn()
	if a := s.whoami(c); code != "" || a == nil || *a != (events.Actor{User: "sec@example.org", Role: "member", Organisation: s.amf.String()}) {
		t.Fatalf("actor %+v (%s)", a, code)
	}

	// A disabled account is refused, and stays as it is.
	if _, err := s.svc.Disable(ctx, "sec@example.org"); err != nil {
		t.Fatal(err)
	}
	s.provider.SetClaims(map[string]any{"email": "sec@example.org", "comite_role": "secretariat"})
	c, code = s.signIn()
	if code != oidcErrDisabled || s.whoami(c) != nil {
		t.Fatalf("disabled account: %q", code)
	}
	if a, _ := s.svc.Account(ctx, "sec@example.org"); !a.Disabled || a.Role != RoleMember {
		t.Fatalf("disabled account changed: %+v", a)
	}
}

func TestOIDCWithoutRoleClaimOnlyExistingAccounts(t *testing.T) {
	s := newOIDCSite(t, func(c *OIDCConfig) { c.RoleClaim, c.OrganisationClaim = "", "" })
	mustCreate(t, s.svc, NewAccount{Email: "obs@example.org", Name: "Obs", Role: RoleObserver, Password: password()})
	s.provider.SetClaims(map[string]any{"email": "new@example.org", "comite_role": "secretariat"})
	if _, code := s.signIn(); code != oidcErrRole {
		t.Fatalf("new account without a role claim: %q", code)
	}
	s.provider.SetClaims(map[string]any{"email": "obs@example.org", "comite_role": "secretariat"})
	c, code := s.signIn()
	if a := s.whoami(c); code != "" || a == nil || a.Role != "observer" {
		t.Fatalf("existing account: %+v (%s)", a, code)
	}
}

func TestOIDCNotConfiguredOrUnavailable(t *testing.T) {
	plain := newSite(t, HandlerConfig{})
	for _, p := range []string{OIDCInfoPath, OIDCLoginPath, OIDCCallbackPath} {
		if r := plain.do("GET", p, ""); r.status != 404 {
			t.Fatalf("%s without OIDC: %d %s", p, r.status, r.raw)
		}
	}

	// The provider is down at first: the login says so, and discovery is tried again.
	var down atomic.Bool
	down.Store(true)
	s := newOIDCSite(t, func(c *OIDCConfig) {
		c.HTTPClient = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			if down.Load() {
				return nil, errors.New("connection refused")
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	resp, _ := get(t, s.browser(false), s.srv.URL+OIDCLoginPath)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/?signin_error="+oidcErrUnavailable {
		t.Fatalf("provider down: %d %s", resp.StatusCode, loc)
	}
	down.Store(false)
	s.provider.SetClaims(map[string]any{"email": "d@example.org", "comite_role": "observer"})
	if c, code := s.signIn(); code != "" || s.whoami(c) == nil {
		t.Fatalf("sign-in once the provider is back: %q", code)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOIDCConfigValidate(t *testing.T) {
	ok := OIDCConfig{Issuer: "https://id.example", ClientID: "c", RedirectURL: "https://comite.example" + OIDCCallbackPath}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]OIDCConfig{
		"no issuer":       {ClientID: "c", RedirectURL: ok.RedirectURL},
		"relative issuer": {Issuer: "id.example", ClientID: "c", RedirectURL: ok.RedirectURL},
		"no client":       {Issuer: ok.Issuer, RedirectURL: ok.RedirectURL},
		"no redirect":     {Issuer: ok.Issuer, ClientID: "c"},
		"org claim without resolver": {Issuer: ok.Issuer, ClientID: "c", RedirectURL: ok.RedirectURL,
			OrganisationClaim: "org"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
