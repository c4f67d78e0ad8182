package accounts

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/errcode"
)

// DemoDomain ends the email of every demo persona; only these accounts can be signed in
// without a password, and only in demo mode.
const DemoDomain = "@demo.invalid"

// HandlerConfig configures the /api/v1/session endpoints.
type HandlerConfig struct {
	Service *Service
	// Throttle limits failed sign-ins (a default one when nil).
	Throttle *Throttle
	// WriteProblem writes an error as the gateway's problem+json (required: the gateway
	// supplies it, so that every error of the API has one format).
	WriteProblem func(http.ResponseWriter, *http.Request, error)
	// TrustProxy honours X-Forwarded-Proto (for the cookie's Secure flag) and
	// X-Forwarded-For (the client address, for throttling) — set it only behind a proxy
	// that sets both and strips what clients send.
	TrustProxy bool
	// Demo enables the personas list and password-less sign-in as a demo persona.
	Demo bool
	// OrganisationLabel names an organisation in the personas list (its acronym);
	// the UUID is shown when nil or when it returns "".
	OrganisationLabel func(context.Context, uuid.UUID) string
	// AllowedOrigins lists extra origins (scheme://host[:port]) allowed to sign in and
	// out cross-origin; the server's own origin always is.
	AllowedOrigins []string
	// OIDC, when set, enables sign-in with an OpenID Connect provider.
	OIDC *OIDCConfig
	// Sleep waits for a throttling delay or until ctx ends (tests replace it).
	Sleep func(context.Context, time.Duration) error
	Log   *slog.Logger
}

// Validate checks the configuration.
func (c HandlerConfig) Validate() error {
	switch {
	case c.Service == nil:
		return errors.New("accounts: HandlerConfig.Service is required")
	case c.WriteProblem == nil:
		return errors.New("accounts: HandlerConfig.WriteProblem is required")
	}
	return nil
}

// Handler serves the session endpoints:
//
//	POST   /api/v1/session          {"email","password"} → 200 {"user":…} + cookie
//	GET    /api/v1/session          → 200 {"user":…} | 401 unauthenticated
//	DELETE /api/v1/session          → 204, session revoked, cookie cleared
//	GET    /api/v1/session/personas → 200 [{email,name,role,organisation,organisation_id}] (demo only)
//	POST   /api/v1/session/demo     {"email"} → 200 {"user":…} + cookie (demo only)
//	GET    /api/v1/session/oidc     → 200 {"enabled":true,"label"} | 404 (OpenID Connect only)
//	GET    /api/v1/session/oidc/login    → 302 to the provider
//	GET    /api/v1/session/oidc/callback → 302 to / + cookie, or to /?signin_error=<code>
type Handler struct {
	cfg    HandlerConfig
	svc    *Service
	auth   *Authenticator
	csrf   *http.CrossOriginProtection
	mux    *http.ServeMux
	routes map[string]http.HandlerFunc
	// oidc is nil when OpenID Connect is not configured.
	oidc *oidcFlow
}

// NewHandler returns the session handler.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Throttle == nil {
		cfg.Throttle = NewThrottle(ThrottleConfig{})
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	h := &Handler{cfg: cfg, svc: cfg.Service, auth: NewAuthenticator(cfg.Service),
		csrf: http.NewCrossOriginProtection(), mux: http.NewServeMux()}
	if cfg.OIDC != nil {
		var err error
		if h.oidc, err = newOIDCFlow(*cfg.OIDC); err != nil {
			return nil, err
		}
	}
	for _, o := range cfg.AllowedOrigins {
		if err := h.csrf.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg.WriteProblem(w, r, errcode.Forbidden.With("cross-origin request refused"))
	}))
	h.routes = map[string]http.HandlerFunc{
		"POST /api/v1/session":         h.signIn,
		"GET /api/v1/session":          h.current,
		"DELETE /api/v1/session":       h.signOut,
		"GET /api/v1/session/personas": h.personas,
		"POST /api/v1/session/demo":    h.demoSignIn,
		"GET " + OIDCInfoPath:          h.oidcInfo,
		"GET " + OIDCLoginPath:         h.oidcLogin,
		"GET " + OIDCCallbackPath:      h.oidcCallback,
	}
	for p, f := range h.routes {
		h.mux.Handle(p, h.csrf.Handler(f))
	}
	return h, nil
}

// Register adds the session routes to mux, as method-and-path patterns that coexist
// with the gateway's ("POST /api/v1/{context}/{command}", "/api/" …).
func (h *Handler) Register(mux *http.ServeMux) {
	for p, f := range h.routes {
		mux.Handle(p, h.csrf.Handler(f))
	}
}

// ServeHTTP serves the session routes alone (404 elsewhere).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Authenticator returns the authenticator over the handler's service.
func (h *Handler) Authenticator() *Authenticator { return h.auth }

// User is the signed-in account as the API shows it.
type User struct {
	ID    uuid.UUID `json:"id"`
	Email string    `json:"email"`
	Name  string    `json:"name"`
	// OrganisationID is null for an account acting for no organisation.
	OrganisationID *uuid.UUID `json:"organisation_id"`
	Role           Role       `json:"role"`
}

// UserOf is the API form of an account.
func UserOf(a Account) User {
	u := User{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role}
	if a.OrganisationID != uuid.Nil {
		org := a.OrganisationID
		u.OrganisationID = &org
	}
	return u
}

type userResponse struct {
	User User `json:"user"`
}

// maxBody bounds sign-in bodies: an email and a password.
const maxBody = 16 << 10

func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errcode.TooLarge
		}
		return errcode.InvalidJSON
	}
	return nil
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	email := NormalizeEmail(in.Email)
	if email == "" || in.Password == "" {
		fields := map[string]string{}
		if email == "" {
			fields["email"] = "required"
		}
		if in.Password == "" {
			fields["password"] = "required"
		}
		h.cfg.WriteProblem(w, r, errcode.ValidationFailed.WithFields(fields))
		return
	}
	ip := h.clientIP(r)
	v := h.cfg.Throttle.Check(email, ip)
	if v.Refused {
		h.cfg.Log.Warn("sign-in refused: too many failures", "ip", ip)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(v.RetryAfter.Seconds()))))
		h.cfg.WriteProblem(w, r, errcode.RateLimited.With("too many failed sign-ins; retry later"))
		return
	}
	if v.Delay > 0 {
		if err := h.cfg.Sleep(r.Context(), v.Delay); err != nil {
			h.cfg.WriteProblem(w, r, errcode.Timeout)
			return
		}
	}
	acct, err := h.svc.Authenticate(r.Context(), email, in.Password)
	if errors.Is(err, InvalidCredentials) {
		h.cfg.Throttle.Fail(email, ip)
		h.cfg.Log.Info("sign-in failed", "ip", ip)
	}
	if err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	h.cfg.Throttle.Succeed(email)
	h.startSession(w, r, acct)
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, acct Account) {
	secret, _, err := h.svc.StartSession(r.Context(), acct)
	if err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	writeJSON(w, http.StatusOK, userResponse{UserOf(acct)})
}

func (h *Handler) current(w http.ResponseWriter, r *http.Request) {
	id, err := h.auth.Identify(r)
	if err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userResponse{UserOf(id.Account)})
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := h.svc.EndSession(r.Context(), c.Value); err != nil {
			h.cfg.WriteProblem(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// Persona is a demo account one can sign in as with one click.
type Persona struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	// Organisation is the organisation's label (its acronym), "" for none.
	Organisation   string     `json:"organisation"`
	OrganisationID *uuid.UUID `json:"organisation_id"`
}

var noDemo = errcode.NotFound.With("demo mode is off")

func (h *Handler) personas(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.Demo {
		h.cfg.WriteProblem(w, r, noDemo)
		return
	}
	accts, err := h.svc.Accounts(r.Context())
	if err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	out := []Persona{}
	for _, a := range accts {
		if a.Disabled || !strings.HasSuffix(a.Email, DemoDomain) {
			continue
		}
		u := UserOf(a)
		p := Persona{Email: a.Email, Name: a.Name, Role: a.Role, OrganisationID: u.OrganisationID}
		if a.OrganisationID != uuid.Nil {
			if h.cfg.OrganisationLabel != nil {
				p.Organisation = h.cfg.OrganisationLabel(r.Context(), a.OrganisationID)
			}
			if p.Organisation == "" {
				p.Organisation = a.OrganisationID.String()
			}
		}
		out = append(out, p)
	}
	order := map[Role]int{RoleSecretariat: 0, RoleMember: 1, RoleAuditor: 2, RoleObserver: 3}
	slices.SortFunc(out, func(a, b Persona) int {
		return cmp.Or(cmp.Compare(order[a.Role], order[b.Role]), strings.Compare(a.Organisation, b.Organisation),
			strings.Compare(a.Email, b.Email))
	})
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) demoSignIn(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.Demo {
		h.cfg.WriteProblem(w, r, noDemo)
		return
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(w, r, &in); err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	email := NormalizeEmail(in.Email)
	notPersona := errcode.NotFound.With("no such demo persona")
	if !strings.HasSuffix(email, DemoDomain) {
		h.cfg.WriteProblem(w, r, notPersona)
		return
	}
	acct, err := h.svc.Account(r.Context(), email)
	if errors.Is(err, errcode.NotFound) || err == nil && acct.Disabled {
		h.cfg.WriteProblem(w, r, notPersona)
		return
	}
	if err != nil {
		h.cfg.WriteProblem(w, r, err)
		return
	}
	h.startSession(w, r, acct)
}

// secure says whether the client reached us over TLS, so that the cookie never travels
// in clear afterwards.
func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || h.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// clientIP is the address throttling counts: the peer's, or behind a trusted proxy the
// last X-Forwarded-For entry (the one the proxy added; earlier ones are the client's say).
func (h *Handler) clientIP(r *http.Request) netip.Addr {
	if h.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return a
			}
		}
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr()
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"code":"internal"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// Who is signed in is personal: no shared cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
