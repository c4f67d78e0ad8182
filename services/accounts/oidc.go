package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/comite-partenaires/comite/services/errcode"
)

// OIDCConfig configures the optional OpenID Connect sign-in: the authorization code
// flow with PKCE (S256), state and nonce, the ID token verified by go-oidc, its claims
// mapped to an account (see Service.UpsertExternalAccount).
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is
	// Issuer/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back: this server's
	// OIDCCallbackPath, as registered with the provider.
	RedirectURL string
	// Scopes requested (DefaultOIDCScopes when empty; "openid" is always added).
	Scopes []string
	// EmailClaim holds the address that links the identity to an account ("email" when
	// empty). When the token has email_verified and it is false, the sign-in is refused.
	EmailClaim string
	// NameClaim holds the display name ("name" when empty).
	NameClaim string
	// OrganisationClaim, when set, holds the acronym or UUID of the organisation the
	// person acts for, resolved by ResolveOrganisation.
	OrganisationClaim string
	// RoleClaim, when set, holds the role: secretariat, member, auditor or observer (a
	// string, or a list holding exactly one of them). Anything else is refused. Without
	// it (or when a token lacks it), only people who already have an account can sign
	// in, with their account's role.
	RoleClaim string
	// ResolveOrganisation returns the organisation a claim's value names (required with
	// OrganisationClaim).
	ResolveOrganisation func(ctx context.Context, value string) (uuid.UUID, bool)
	// Label is the sign-in button's text ("OpenID Connect" when empty).
	Label string
	// HTTPClient talks to the provider (one with a 10 s timeout when nil).
	HTTPClient *http.Client
	// Clock checks the ID token's expiry (time.Now when nil).
	Clock func() time.Time
}

// Paths of the OpenID Connect routes.
const (
	OIDCInfoPath     = "/api/v1/session/oidc"
	OIDCLoginPath    = "/api/v1/session/oidc/login"
	OIDCCallbackPath = "/api/v1/session/oidc/callback"
)

// DefaultOIDCScopes are requested when OIDCConfig.Scopes is empty.
var DefaultOIDCScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// oidcCookie carries the state, nonce and PKCE verifier of one sign-in from the login
// redirect to the callback; it is scoped to the OIDC paths and lives ten minutes.
const (
	oidcCookie       = "comite_oidc"
	oidcCookieMaxAge = 10 * 60
)

// Validate checks the configuration.
func (c OIDCConfig) Validate() error {
	for name, v := range map[string]string{"Issuer": c.Issuer, "RedirectURL": c.RedirectURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("accounts: OIDCConfig.%s must be an absolute http(s) URL", name)
		}
	}
	switch {
	case c.ClientID == "":
		return errors.New("accounts: OIDCConfig.ClientID is required")
	case c.OrganisationClaim != "" && c.ResolveOrganisation == nil:
		return errors.New("accounts: OIDCConfig.ResolveOrganisation is required with OrganisationClaim")
	}
	return nil
}

// Sign-in error codes, in /?signin_error=<code> (the web app translates them).
const (
	oidcErrUnavailable  = "oidc_unavailable"  // the provider cannot be reached
	oidcErrState        = "oidc_state"        // no sign-in in progress, or not this one
	oidcErrDenied       = "oidc_denied"       // the provider refused or the person cancelled
	oidcErrFailed       = "oidc_failed"       // code exchange or ID token verification failed
	oidcErrEmail        = "oidc_email"        // no email, or an unverified one
	oidcErrRole         = "oidc_role"         // no role for a new account, or an unknown one
	oidcErrOrganisation = "oidc_organisation" // unknown organisation, or a member without one
	oidcErrDisabled     = "account_disabled"  // the account is disabled
)

// oidcFlow is the configured provider, discovered on first use (so that the server
// starts while the provider is down) and kept once discovery succeeds.
type oidcFlow struct {
	cfg    OIDCConfig
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newOIDCFlow(cfg OIDCConfig) (*oidcFlow, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.EmailClaim == "" {
		cfg.EmailClaim = "email"
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = "name"
	}
	if cfg.Label == "" {
		cfg.Label = "OpenID Connect"
	}
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range cmpOr(cfg.Scopes, DefaultOIDCScopes) {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	cfg.Scopes = scopes
	f := &oidcFlow{cfg: cfg, client: cfg.HTTPClient, now: cfg.Clock}
	if f.client == nil {
		f.client = &http.Client{Timeout: 10 * time.Second}
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

func cmpOr(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

// ctx carries the flow's HTTP client to go-oidc and oauth2.
func (f *oidcFlow) ctx(ctx context.Context) context.Context { return oidc.ClientContext(ctx, f.client) }

// discover fetches the provider's metadata once.
func (f *oidcFlow) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.oauth != nil {
		return f.oauth, f.verifier, nil
	}
	p, err := oidc.NewProvider(f.ctx(ctx), f.cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	f.oauth = &oauth2.Config{ClientID: f.cfg.ClientID, ClientSecret: f.cfg.ClientSecret,
		RedirectURL: f.cfg.RedirectURL, Endpoint: p.Endpoint(), Scopes: f.cfg.Scopes}
	f.verifier = p.Verifier(&oidc.Config{ClientID: f.cfg.ClientID, Now: f.now})
	return f.oauth, f.verifier, nil
}

// oidcInfo tells the web app whether to show the provider's button.
func (h *Handler) oidcInfo(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.cfg.WriteProblem(w, r, errNoOIDC)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"enabled": true, "label": h.oidc.cfg.Label})
}

var errNoOIDC = errcode.NotFound.With("OpenID Connect sign-in is not configured")

// oidcLogin sends the browser to the provider, remembering state, nonce and PKCE
// verifier in a cookie only this browser holds.
func (h *Handler) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.cfg.WriteProblem(w, r, errNoOIDC)
		return
	}
	conf, _, err := h.oidc.discover(r.Context())
	if err != nil {
		h.cfg.Log.Error("OpenID Connect provider unreachable", "issuer", h.oidc.cfg.Issuer, "err", err)
		h.signInError(w, r, oidcErrUnavailable)
		return
	}
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier,
		Path: OIDCInfoPath, MaxAge: oidcCookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback completes the sign-in the provider sent the browser back from.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.cfg.WriteProblem(w, r, errNoOIDC)
		return
	}
	// The cookie serves one attempt, whatever its outcome.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: OIDCInfoPath, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	log := h.cfg.Log.With("ip", h.clientIP(r))
	refuse := func(code, reason string, args ...any) {
		log.Warn("OpenID Connect sign-in refused", append([]any{"reason", reason, "code", code}, args...)...)
		h.signInError(w, r, code)
	}
	var state, nonce, verifier string
	if c, err := r.Cookie(oidcCookie); err == nil {
		parts := strings.Split(c.Value, ".")
		if len(parts) == 3 {
			state, nonce, verifier = parts[0], parts[1], parts[2]
		}
	}
	q := r.URL.Query()
	switch {
	case state == "" || nonce == "" || verifier == "":
		refuse(oidcErrState, "no sign-in in progress in this browser")
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		refuse(oidcErrState, "state does not match")
		return
	case q.Get("error") != "":
		refuse(oidcErrDenied, "the provider refused", "provider_error", safeCode(q.Get("error")))
		return
	case q.Get("code") == "":
		refuse(oidcErrFailed, "no authorization code")
		return
	}
	conf, verify, err := h.oidc.discover(r.Context())
	if err != nil {
		log.Error("OpenID Connect provider unreachable", "issuer", h.oidc.cfg.Issuer, "err", err)
		h.signInError(w, r, oidcErrUnavailable)
		return
	}
	ctx := h.oidc.ctx(r.Context())
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		// A RetrieveError quotes the provider's whole answer: keep only its code.
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			refuse(oidcErrFailed, "code exchange refused", "provider_error", safeCode(re.ErrorCode),
				"status", re.Response.StatusCode)
		} else {
			refuse(oidcErrFailed, "code exchange failed", "err", err)
		}
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		refuse(oidcErrFailed, "no ID token in the token response")
		return
	}
	idt, err := verify.Verify(ctx, raw)
	if err != nil {
		refuse(oidcErrFailed, "ID token refused", "err", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		refuse(oidcErrFailed, "ID token nonce does not match")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		refuse(oidcErrFailed, "ID token claims unreadable", "err", err)
		return
	}
	x, code, reason := h.oidc.identity(r.Context(), claims)
	if code != "" {
		refuse(code, reason, "subject", idt.Subject)
		return
	}
	acct, err := h.svc.UpsertExternalAccount(r.Context(), x)
	switch {
	case errors.Is(err, AccountDisabled):
		refuse(oidcErrDisabled, "account disabled", "email", x.Email)
		return
	case errors.Is(err, ExternalRoleMissing):
		refuse(oidcErrRole, "no account and no role claim", "email", x.Email)
		return
	case errors.Is(err, ExternalOrganisationMissing):
		refuse(oidcErrOrganisation, "a member without an organisation", "email", x.Email)
		return
	case errors.Is(err, errcode.ValidationFailed):
		refuse(oidcErrEmail, "claims refused", "err", err)
		return
	case err != nil:
		log.Error("OpenID Connect sign-in: storing the account", "err", err)
		h.signInError(w, r, oidcErrFailed)
		return
	}
	secret, _, err := h.svc.StartSession(r.Context(), acct)
	if err != nil {
		log.Error("OpenID Connect sign-in: starting the session", "err", err)
		h.signInError(w, r, oidcErrFailed)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	log.Info("signed in with OpenID Connect", "account", acct.ID, "email", acct.Email, "role", acct.Role)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusFound)
}

// signInError sends the browser back to the web app with a code it translates.
func (h *Handler) signInError(w http.ResponseWriter, r *http.Request, code string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/?signin_error="+url.QueryEscape(code), http.StatusFound)
}

// identity maps verified claims to an external identity, or says why they are refused
// (a sign-in error code and a reason for the log).
func (f *oidcFlow) identity(ctx context.Context, claims map[string]any) (x ExternalIdentity, code, reason string) {
	x.Issuer = f.cfg.Issuer
	email, _ := claims[f.cfg.EmailClaim].(string)
	if email = NormalizeEmail(email); !validEmail(email) {
		return x, oidcErrEmail, "no usable email claim"
	}
	if v, ok := claims["email_verified"]; ok && !truthy(v) {
		return x, oidcErrEmail, "email not verified"
	}
	x.Email = email
	x.Name, _ = claims[f.cfg.NameClaim].(string)
	if f.cfg.RoleClaim != "" {
		if v, ok := claims[f.cfg.RoleClaim]; ok {
			role, ok := roleOf(v)
			if !ok {
				return x, oidcErrRole, "role claim holds no single known role"
			}
			x.Role = role
		}
	}
	if f.cfg.OrganisationClaim != "" {
		if v, ok := claims[f.cfg.OrganisationClaim]; ok {
			s, _ := v.(string)
			if s = strings.TrimSpace(s); s == "" {
				return x, oidcErrOrganisation, "organisation claim is not a name"
			}
			id, ok := f.cfg.ResolveOrganisation(ctx, s)
			if !ok {
				return x, oidcErrOrganisation, "organisation claim names no active organisation"
			}
			x.Organisation, x.HasOrganisation = id, true
		}
	}
	return x, "", ""
}

// roleOf reads a role claim: a role, or a list holding exactly one role (other entries,
// such as unrelated groups, are ignored).
func roleOf(v any) (Role, bool) {
	switch v := v.(type) {
	case string:
		r := Role(v)
		return r, r.Valid()
	case []any:
		var found Role
		for _, e := range v {
			s, _ := e.(string)
			if r := Role(s); r.Valid() {
				if found != "" && found != r {
					return "", false
				}
				found = r
			}
		}
		return found, found != ""
	}
	return "", false
}

// truthy reads email_verified, which some providers send as a string.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// safeCode keeps what a provider's error code may hold ([a-z_], bounded), so that the
// log holds nothing else it might have put there.
func safeCode(s string) string {
	var b strings.Builder
	for _, c := range s {
		if b.Len() >= 64 {
			break
		}
		if c >= 'a' && c <= 'z' || c == '_' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
