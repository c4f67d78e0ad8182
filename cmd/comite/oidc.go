package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/membership"
)

// oidcClientSecretEnv names the variable holding the OpenID Connect client secret: never
// a flag, so that it shows neither in `ps` nor in shell history.
const oidcClientSecretEnv = "COMITE_OIDC_CLIENT_SECRET"

// oidcFlags are the OpenID Connect flags of `comite serve`.
type oidcFlags struct {
	issuer, clientID, redirectURL, orgClaim, roleClaim, emailClaim, label, scopes *string
}

func (o *oidcFlags) register(fs *flag.FlagSet) {
	o.issuer = fs.String("oidc-issuer", "", "OpenID Connect issuer URL: enables sign-in with that provider (the client secret, if any, comes from $"+oidcClientSecretEnv+")")
	o.clientID = fs.String("oidc-client-id", "", "OpenID Connect client ID (required with --oidc-issuer)")
	o.redirectURL = fs.String("oidc-redirect-url", "", "the callback URL registered with the provider: this server's public URL + "+accounts.OIDCCallbackPath+" (required with --oidc-issuer)")
	o.orgClaim = fs.String("oidc-org-claim", "", `ID token claim holding the organisation's acronym or UUID (e.g. "organisation"); without it, accounts keep their organisation`)
	o.roleClaim = fs.String("oidc-role-claim", "", `ID token claim holding the role: secretariat, member, auditor or observer (e.g. "comite_role"); without it, only existing accounts can sign in, with their own role`)
	o.emailClaim = fs.String("oidc-email-claim", "email", "ID token claim holding the email address that links the person to an account")
	o.scopes = fs.String("oidc-scopes", strings.Join(accounts.DefaultOIDCScopes, ","), "comma-separated scopes to request")
	o.label = fs.String("oidc-label", "", `text of the sign-in button (default "OpenID Connect")`)
}

// config is the OpenID Connect configuration the flags give, nil when --oidc-issuer is
// not set.
func (o *oidcFlags) config(secret string) (*accounts.OIDCConfig, error) {
	if *o.issuer == "" {
		for _, f := range []*string{o.clientID, o.redirectURL, o.orgClaim, o.roleClaim, o.label} {
			if *f != "" {
				return nil, errors.New("the --oidc-* flags need --oidc-issuer")
			}
		}
		return nil, nil
	}
	cfg := &accounts.OIDCConfig{Issuer: *o.issuer, ClientID: *o.clientID, ClientSecret: secret,
		RedirectURL: *o.redirectURL, Scopes: splitList(*o.scopes), EmailClaim: *o.emailClaim,
		OrganisationClaim: *o.orgClaim, RoleClaim: *o.roleClaim, Label: *o.label,
		// Checked here for the flags; newIdentity sets the real resolver.
		ResolveOrganisation: func(context.Context, string) (uuid.UUID, bool) { return uuid.Nil, false }}
	if err := cfg.Validate(); err != nil {
		return nil, errors.New(strings.Replace(err.Error(), "accounts: OIDCConfig.", "OpenID Connect: ", 1) +
			" (see --oidc-issuer, --oidc-client-id, --oidc-redirect-url)")
	}
	return cfg, nil
}

// organisationResolver names organisations in OpenID Connect claims, by acronym
// (case-insensitive) or UUID, among the committee's current members as the log has them
// at each sign-in (so that an organisation added since the start is known).
func organisationResolver(st store.Store, reg *events.Registry, log *slog.Logger) func(context.Context, string) (uuid.UUID, bool) {
	return func(ctx context.Context, value string) (uuid.UUID, bool) {
		c, err := membership.LoadCommittee(ctx, st, reg)
		if err != nil {
			log.Error("OpenID Connect: reading the committee", "err", err)
			return uuid.Nil, false
		}
		if id, err := uuid.Parse(value); err == nil {
			_, ok := c.ActiveOrganisation(id)
			return id, ok
		}
		for id, o := range c.Organisations {
			if !o.Removed && strings.EqualFold(o.Acronym, value) {
				return id, true
			}
		}
		return uuid.Nil, false
	}
}
