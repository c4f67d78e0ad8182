package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/gateway"
	"github.com/comite-partenaires/comite/services/membership"
)

// sessionLifetime is how long a sign-in lasts.
const sessionLifetime = accounts.DefaultSessionLifetime

// demoPasswordEnv names the variable holding the demo personas' password.
const demoPasswordEnv = "COMITE_DEMO_PASSWORD"

// identity is the accounts layer of a server: who sends each request, and the sign-in
// routes.
type identity struct {
	identify func(*http.Request) (gateway.Identity, error)
	session  http.Handler
	service  *accounts.Service
}

// accountsService opens the accounts kept in the KV buckets of nc's NATS server, for the
// server and for `comite user` alike.
func accountsService(ctx context.Context, nc *nats.Conn, clock func() time.Time, log *slog.Logger) (*accounts.Service, error) {
	js, err := natsjs.New(nc)
	if err != nil {
		return nil, err
	}
	st, err := accounts.OpenKV(ctx, js, accounts.KVConfig{SessionLifetime: sessionLifetime})
	if err != nil {
		return nil, err
	}
	return accounts.New(accounts.Config{Store: st, SessionLifetime: sessionLifetime, Clock: clock, Log: log})
}

// newIdentity wires accounts into the gateway. In demo mode it creates the demo personas
// with the password of COMITE_DEMO_PASSWORD, or a random one written once to out (never
// to the log); otherwise, without any account, it says how to create the first one.
func newIdentity(ctx context.Context, sys *system, cfg serverConfig, out io.Writer) (*identity, error) {
	svc, err := accountsService(ctx, sys.conn, clockOf(cfg.systemConfig), cfg.Log)
	if err != nil {
		return nil, err
	}
	if cfg.Demo {
		password := os.Getenv(demoPasswordEnv)
		if password == "" {
			password = rand.Text()
			fmt.Fprintf(out, "Demo accounts: secretariat@demo.invalid, auditor@demo.invalid, observer@demo.invalid, "+
				"<acronym>@demo.invalid (e.g. amf@demo.invalid); password for this run: %s\n"+
				"(set %s to choose it; the sign-in page also offers one-click demo sign-in)\n", password, demoPasswordEnv)
		}
		orgs := map[string]uuid.UUID{}
		for _, o := range demo.Organisations() {
			orgs[o.Acronym] = demo.OrganisationID(o.Acronym)
		}
		if err := accounts.EnsureDemoAccounts(ctx, svc, orgs, demo.SecretariatAcronym, password); err != nil {
			return nil, err
		}
	} else if list, err := svc.Accounts(ctx); err != nil {
		return nil, err
	} else if len(list) == 0 {
		fmt.Fprintf(out, "No account yet. Create the first secretariat account with:\n"+
			"  comite user add --data %s --email you@example.org --name \"Your Name\" --role secretariat\n"+
			"(stop the server first), or start with --demo for the demo personas.\n", cfg.DataDir)
	}
	var oidcCfg *accounts.OIDCConfig
	if cfg.OIDC != nil {
		c := *cfg.OIDC
		c.ResolveOrganisation = organisationResolver(sys.store, sys.registry, cfg.Log)
		oidcCfg = &c
		cfg.Log.Info("OpenID Connect sign-in enabled", "issuer", c.Issuer, "client_id", c.ClientID,
			"role_claim", c.RoleClaim, "organisation_claim", c.OrganisationClaim)
	}
	auth := accounts.NewAuthenticator(svc)
	mux := http.NewServeMux()
	h, err := accounts.NewHandler(accounts.HandlerConfig{Service: svc, Demo: cfg.Demo, AllowedOrigins: cfg.AllowedOrigins,
		OIDC:         oidcCfg,
		WriteProblem: func(w http.ResponseWriter, r *http.Request, err error) { gateway.WriteProblem(cfg.Log, w, r, err) },
		// Read at each call: organisations added since start-up have their label too.
		OrganisationLabel: func(ctx context.Context, id uuid.UUID) string {
			committee, err := membership.LoadCommittee(ctx, sys.store, sys.registry)
			if o, ok := committee.ActiveOrganisation(id); ok && err == nil {
				return o.Acronym
			}
			return ""
		},
		Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	h.Register(mux)
	return &identity{service: svc, session: mux, identify: func(r *http.Request) (gateway.Identity, error) {
		id, err := auth.Identify(r)
		return gateway.Identity{Actor: id.Actor, Cookie: id.Cookie}, err
	}}, nil
}
