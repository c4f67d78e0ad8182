package accounts

import (
	"net/http"

	"github.com/comite-partenaires/comite/events"
)

// Identity is who a request comes from and how it proved it.
type Identity struct {
	Actor   events.Actor
	Account Account
	// Cookie is true when the request was authenticated by the session cookie, which a
	// browser attaches by itself: state-changing requests authenticated this way must be
	// checked against cross-site forgery (Origin / Sec-Fetch-Site: net/http's
	// CrossOriginProtection does it). A bearer token is never attached by a browser on
	// its own.
	Cookie bool
}

// Authenticator names the actor of each request from its session cookie or its
// "Authorization: Bearer ct_…" header.
type Authenticator struct {
	svc *Service
}

// NewAuthenticator returns an Authenticator over svc.
func NewAuthenticator(svc *Service) *Authenticator { return &Authenticator{svc: svc} }

// Identify authenticates r. A request with an Authorization header is judged on it alone
// (a bad token is not rescued by a cookie); otherwise the comite_session cookie decides.
// Failures are errcode.Unauthenticated; store failures are returned as they are.
func (a *Authenticator) Identify(r *http.Request) (Identity, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, err := ParseBearer(h)
		if err != nil {
			return Identity{}, err
		}
		acct, err := a.svc.TokenAccount(r.Context(), tok)
		if err != nil {
			return Identity{}, err
		}
		return Identity{Actor: acct.Actor(), Account: acct}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Identity{}, unauthenticated
	}
	secret, err := ParseSessionCookie(c.Value)
	if err != nil {
		return Identity{}, err
	}
	acct, err := a.svc.SessionAccount(r.Context(), secret)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Actor: acct.Actor(), Account: acct, Cookie: true}, nil
}

// Actor returns the actor of r and its account (see Identify); it fits the gateway's
// ActorFor once the account is dropped.
func (a *Authenticator) Actor(r *http.Request) (events.Actor, Account, error) {
	id, err := a.Identify(r)
	return id.Actor, id.Account, err
}

// UsesCookie reports whether r would be authenticated by the session cookie rather than
// a bearer token: the requests that need a cross-site forgery check.
func UsesCookie(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	_, err := r.Cookie(CookieName)
	return err == nil
}
