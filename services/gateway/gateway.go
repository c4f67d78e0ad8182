// Package gateway serves Comité's HTTP API, the live websocket and the embedded web app.
// It holds no domain logic: commands go to the services over the bus, reads come from
// the projections.
package gateway

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/presence"
)

// LocalActor is who every request acts as until accounts and sessions exist (issue 5):
// the committee's secretariat, acting locally.
var LocalActor = events.Actor{User: "local", Role: "secretariat"}

// Sender sends a command to the service that decides it (a *bus.Client in production).
type Sender = bus.Sender

// Views gives access to the read models by name (a *projections.Runner in production).
type Views interface {
	View(name string) (*projections.View, bool)
	Views() []*projections.View
}

// Config wires a gateway.
type Config struct {
	Sender   Sender
	Views    Views
	Commands []bus.CommandSpec
	// Ready reports whether the store, the bus and the projections are ready; /healthz
	// answers 503 until it returns nil.
	Ready func() error
	// Assets is the built web app; nil or not built serves a short explanation instead.
	Assets fs.FS
	// AllowedOrigins lists extra origins (scheme://host:port) allowed to open the live
	// websocket; the gateway's own origin is always allowed.
	AllowedOrigins []string
	// Actor is who commands act as until accounts exist (issue 5 brings sessions);
	// LocalActor when zero.
	Actor events.Actor
	// Identify, when set, names who sends each request (the session cookie or bearer
	// token, in production) instead of the fixed Actor; errcode.Unauthenticated (401) when
	// nobody is signed in. Every API route but /healthz, the OpenAPI document and Session
	// requires an identity then, the live websocket included.
	Identify func(*http.Request) (Identity, error)
	// MayRead, when set, decides whether an actor may read a view (authz.MayRead in
	// production), over HTTP and on the websocket.
	MayRead func(actor events.Actor, view string) error
	// Session, when set, serves SessionRoutes (sign-in, sign-out).
	Session http.Handler
	// Audit, when set, serves AuditRoutes (NewAuditHandler: the auditors' export).
	Audit http.Handler
	// History, when set, answers ?at=<position> and ?as_of=<instant> on views: their state
	// at a past point of the log.
	History History
	// Queries are the reads computed from the log (POST /api/v1/queries/{name}/{id}).
	Queries []Query
	// Exports are the downloads computed from the log (GET /api/v1/exports/{name}).
	Exports []Export
	// Presence, when set, carries who is in a document and where their cursor is
	// ("presence:<id>" on the live websocket), between every gateway; PresenceView is the
	// view whose row (the document) a reader must see to be in it.
	Presence     presence.Bus
	PresenceView string
	// MaxWait bounds how long ?min_position waits for a view to catch up (10 s when zero).
	MaxWait time.Duration
	// Live tunes the websocket; zero values take defaults.
	Live LiveConfig
	Log  *slog.Logger
	// Version is reported in the OpenAPI document.
	Version string
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Sender == nil:
		return errors.New("gateway: Sender is required")
	case c.Views == nil:
		return errors.New("gateway: Views is required")
	case c.Ready == nil:
		return errors.New("gateway: Ready is required")
	}
	return c.Live.Validate()
}

// Gateway is the HTTP handler of Comité.
type Gateway struct {
	cfg      Config
	sender   Sender
	views    Views
	commands map[string]bus.CommandSpec
	queries  map[string]Query
	exports  map[string]Export
	log      *slog.Logger
	mux      *http.ServeMux
	openapi  []byte
	live     *hub

	closeOnce sync.Once
}

// New builds a gateway; its OpenAPI document is generated once, here.
func New(cfg Config) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Actor == (events.Actor{}) {
		cfg.Actor = LocalActor
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 10 * time.Second
	}
	g := &Gateway{cfg: cfg, sender: cfg.Sender, views: cfg.Views, log: cfg.Log,
		commands: map[string]bus.CommandSpec{}, queries: map[string]Query{}, exports: map[string]Export{}, mux: http.NewServeMux()}
	for _, e := range cfg.Exports {
		if len(e.Formats) == 0 || e.Run == nil {
			return nil, fmt.Errorf("gateway: export %q needs a format and Run", e.Name)
		}
		g.exports[e.Name] = e
	}
	for _, q := range cfg.Queries {
		g.queries[q.Name] = q
	}
	for _, c := range cfg.Commands {
		g.commands[c.Context+"/"+c.Name] = c
	}
	doc, err := OpenAPI(cfg.Version, cfg.Commands, cfg.Views.Views(), cfg.Queries...)
	if err != nil {
		return nil, err
	}
	g.openapi = doc
	g.live = newHub(cfg.Live.withDefaults(), cfg.Views, cfg.AllowedOrigins, cfg.Log)
	if err := g.live.usePresence(cfg.Presence, cfg.PresenceView); err != nil {
		return nil, err
	}

	g.mux.HandleFunc("GET /healthz", g.handleHealth)
	g.mux.HandleFunc("GET /api/v1/openapi.json", g.handleOpenAPI)
	g.mux.HandleFunc("POST /api/v1/{context}/{command}", g.handleCommand)
	g.mux.HandleFunc("POST /api/v1/queries/{query}/{id}", g.handleQuery)
	g.mux.HandleFunc("GET /api/v1/exports/{export}", g.handleExport)
	g.mux.HandleFunc("GET /api/v1/views/{view}", g.handleView)
	g.mux.HandleFunc("GET /api/v1/views/{view}/{id}", g.handleViewItem)
	g.mux.HandleFunc("GET /api/v1/live", g.handleLive)
	if cfg.Session != nil {
		for _, route := range SessionRoutes() {
			g.mux.Handle(route, cfg.Session)
		}
	}
	for _, route := range AuditRoutes() {
		if cfg.Audit != nil {
			g.mux.Handle(route, cfg.Audit)
		}
	}
	g.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		g.writeProblem(w, r, errNoRoute)
	})
	g.mux.Handle("/", g.static())
	return g, nil
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.crossOrigin(g.mux).ServeHTTP(w, r)
}

// Close disconnects every websocket client; it is idempotent.
func (g *Gateway) Close() {
	g.closeOnce.Do(g.live.close)
}

// SessionRoutes are the routes Config.Session serves: sign-in and sign-out, in demo
// mode the personas and their one-click sign-in, and the OpenID Connect sign-in.
func SessionRoutes() []string {
	return []string{"GET /api/v1/session", "POST /api/v1/session", "DELETE /api/v1/session",
		"GET /api/v1/session/personas", "POST /api/v1/session/demo",
		"GET /api/v1/session/oidc", "GET /api/v1/session/oidc/login", "GET /api/v1/session/oidc/callback"}
}

// Identity is who sends a request.
type Identity struct {
	Actor events.Actor
	// Cookie is set when the identity came from a session cookie, which a browser sends
	// by itself: state-changing requests then need a same-origin Origin (CSRF).
	Cookie bool
}

// actor identifies a request's sender, and refuses a cookie-authenticated change that
// does not come from the gateway's own origin (or an allowed one).
func (g *Gateway) actor(r *http.Request) (events.Actor, error) {
	if g.cfg.Identify == nil {
		return g.cfg.Actor, nil
	}
	id, err := g.cfg.Identify(r)
	if err != nil {
		return events.Actor{}, err
	}
	if id.Cookie && r.Method != http.MethodGet && r.Method != http.MethodHead && !g.live.sameOrigin(r, true) {
		return events.Actor{}, errcode.Forbidden.With("a change sent with a session cookie must come from this site (Origin)")
	}
	return id.Actor, nil
}

// crossOrigin refuses any state-changing request whose Origin is another site's,
// signed in or not (sign-in included: no login CSRF).
func (g *Gateway) crossOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !g.live.sameOrigin(r, false) {
			g.writeProblem(w, r, errcode.Forbidden.With("cross-origin request refused"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (g *Gateway) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := g.cfg.Ready(); err != nil {
		writeJSON(w, g.log, http.StatusServiceUnavailable, map[string]string{"status": "starting", "reason": err.Error()})
		return
	}
	writeJSON(w, g.log, http.StatusOK, map[string]string{"status": "ok"})
}

func (g *Gateway) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(g.openapi)
}

const notBuilt = `<!doctype html><html lang="fr"><meta charset="utf-8"><title>Comité</title>
<p>L'application web n'est pas construite : lancez <code>go tool task run</code>.</p>
<p lang="en">The web app is not built: run <code>go tool task run</code>.</p></html>`

// static serves the web app, falling back to index.html for client-side routes.
func (g *Gateway) static() http.Handler {
	if g.cfg.Assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(notBuilt))
		})
	}
	files := http.FileServerFS(g.cfg.Assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name != "" {
			if _, err := fs.Stat(g.cfg.Assets, name); err != nil {
				r = r.Clone(r.Context())
				r.URL.Path = "/"
			}
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		files.ServeHTTP(w, r)
	})
}
