package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/errcode"
)

// DefaultSessionLifetime is how long a session lasts: a working day and its evening.
const DefaultSessionLifetime = 12 * time.Hour

// Config configures a Service.
type Config struct {
	Store Store
	// Params of argon2id for new hashes (DefaultParams when zero; tests use cheap ones).
	Params Params
	// SessionLifetime is how long a session lasts from sign-in (DefaultSessionLifetime
	// when zero).
	SessionLifetime time.Duration
	// Clock is time.Now when nil.
	Clock func() time.Time
	Log   *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("accounts: Store is required")
	}
	if c.SessionLifetime < 0 {
		return errors.New("accounts: SessionLifetime must not be negative")
	}
	return c.Params.withDefaults().validate()
}

// Service holds the identity rules over a Store: creating and disabling accounts,
// checking passwords, opening and revoking sessions and tokens.
type Service struct {
	store    Store
	params   Params
	lifetime time.Duration
	now      func() time.Time
	log      *slog.Logger
	// dummyHash is checked against when the account is unknown, so that an unknown email
	// costs the same argon2id run as a known one.
	dummyHash string
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, params: cfg.Params.withDefaults(), lifetime: cfg.SessionLifetime,
		now: cfg.Clock, log: cfg.Log}
	if s.lifetime == 0 {
		s.lifetime = DefaultSessionLifetime
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.dummyHash, err = HashPassword(rand.Text(), s.params); err != nil {
		return nil, err
	}
	return s, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// SessionLifetime is how long a new session lasts.
func (s *Service) SessionLifetime() time.Duration { return s.lifetime }

// CreateAccount validates n, hashes its password and stores the account. A taken email
// is EmailTaken, bad input ValidationFailed naming the fields.
func (s *Service) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	n.Email = NormalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if err := n.validate(); err != nil {
		return Account{}, err
	}
	hash, err := HashPassword(n.Password, s.params)
	if err != nil {
		return Account{}, err
	}
	now := s.now().UTC()
	r := Record{Account: Account{ID: uuid.New(), Email: n.Email, Name: n.Name, OrganisationID: n.OrganisationID,
		Role: n.Role, Created: now, PasswordChanged: now}, PasswordHash: hash}
	if err := s.store.CreateAccount(ctx, r); err != nil {
		if errors.Is(err, ErrExists) {
			return Account{}, EmailTaken
		}
		return Account{}, err
	}
	s.log.Info("account created", "account", r.ID, "email", r.Email, "role", r.Role)
	return r.Account, nil
}

// Account returns the account with this email; errcode.NotFound if there is none.
func (s *Service) Account(ctx context.Context, email string) (Account, error) {
	r, err := s.store.Account(ctx, NormalizeEmail(email))
	if errors.Is(err, ErrNotFound) {
		return Account{}, errcode.NotFound.With("no such account")
	}
	return r.Account, err
}

// Accounts lists every account, sorted by email.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	recs, err := s.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(recs))
	for i, r := range recs {
		out[i] = r.Account
	}
	return out, nil
}

// Authenticate checks an email and password. Every failure — unknown email, wrong
// password, disabled account — is InvalidCredentials and costs one argon2id run, so that
// neither the answer nor its timing tells which emails exist.
func (s *Service) Authenticate(ctx context.Context, email, password string) (Account, error) {
	email = NormalizeEmail(email)
	// An over-long password can never match (none is set that long); hash a bounded
	// prefix anyway so that the refusal costs what a check costs.
	tooLong := len(password) > MaxPasswordBytes
	if tooLong {
		password = password[:MaxPasswordBytes]
	}
	r, err := s.store.Account(ctx, email)
	switch {
	case errors.Is(err, ErrNotFound):
		_, _ = VerifyPassword(password, s.dummyHash)
		return Account{}, InvalidCredentials
	case err != nil:
		return Account{}, err
	}
	if r.PasswordHash == "" {
		// An account made by an identity provider has no password: refused like a wrong
		// one, at the same cost.
		_, _ = VerifyPassword(password, s.dummyHash)
		return Account{}, InvalidCredentials
	}
	ok, err := VerifyPassword(password, r.PasswordHash)
	if err != nil {
		s.log.Error("unusable password hash", "account", r.ID, "err", err)
		return Account{}, InvalidCredentials
	}
	if !ok || r.Disabled || tooLong {
		return Account{}, InvalidCredentials
	}
	return r.Account, nil
}

// StartSession opens a session for an account that just proved who it is, and returns
// its secret: give it to the browser, never keep or log it.
func (s *Service) StartSession(ctx context.Context, a Account) (secret string, _ Session, _ error) {
	r, err := s.store.Account(ctx, a.Email)
	if err != nil {
		return "", Session{}, err
	}
	if r.Disabled || r.ID != a.ID {
		return "", Session{}, InvalidCredentials
	}
	if secret, err = NewSessionSecret(); err != nil {
		return "", Session{}, err
	}
	now := s.now().UTC()
	sess := Session{AccountID: r.ID, Email: r.Email, Epoch: r.SessionEpoch, Created: now, Expires: now.Add(s.lifetime)}
	if err := s.store.PutSession(ctx, secretKey(secret), sess); err != nil {
		return "", Session{}, err
	}
	s.log.Info("session started", "account", r.ID, "email", r.Email)
	return secret, sess, nil
}

// EndSession revokes a session; an unknown or malformed secret is no error (signing out
// twice is fine).
func (s *Service) EndSession(ctx context.Context, secret string) error {
	if _, err := ParseSessionCookie(secret); err != nil {
		return nil
	}
	key := secretKey(secret)
	if sess, err := s.store.Session(ctx, key); err == nil {
		s.log.Info("session ended", "account", sess.AccountID, "email", sess.Email)
	}
	return s.store.DeleteSession(ctx, key)
}

// unauthenticated is the one error of a secret that does not (or no longer) name an
// enabled account: the client learns only that it must sign in.
var unauthenticated = errcode.Unauthenticated

// SessionAccount returns the account signed in with a session secret.
func (s *Service) SessionAccount(ctx context.Context, secret string) (Account, error) {
	if _, err := ParseSessionCookie(secret); err != nil {
		return Account{}, err
	}
	key := secretKey(secret)
	sess, err := s.store.Session(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return Account{}, unauthenticated.With("session expired or revoked")
	}
	if err != nil {
		return Account{}, err
	}
	if !s.now().Before(sess.Expires) {
		_ = s.store.DeleteSession(ctx, key)
		return Account{}, unauthenticated.With("session expired or revoked")
	}
	r, err := s.live(ctx, sess.Email, sess.AccountID)
	if err != nil {
		return Account{}, err
	}
	if r.SessionEpoch != sess.Epoch {
		return Account{}, unauthenticated.With("session expired or revoked")
	}
	return r.Account, nil
}

// TokenAccount returns the account an API token acts for.
func (s *Service) TokenAccount(ctx context.Context, token string) (Account, error) {
	if !wellFormed(token, TokenPrefix) {
		return Account{}, errMalformedBearer
	}
	t, err := s.store.Token(ctx, secretKey(token))
	if errors.Is(err, ErrNotFound) {
		return Account{}, unauthenticated.With("token expired or revoked")
	}
	if err != nil {
		return Account{}, err
	}
	if !t.Expires.IsZero() && !s.now().Before(t.Expires) {
		return Account{}, unauthenticated.With("token expired or revoked")
	}
	r, err := s.live(ctx, t.Email, t.AccountID)
	if err != nil {
		return Account{}, err
	}
	if r.TokenEpoch != t.Epoch {
		return Account{}, unauthenticated.With("token expired or revoked")
	}
	return r.Account, nil
}

// live returns the enabled account a session or token points to, checking the ID so that
// a deleted and re-created email does not inherit old sessions.
func (s *Service) live(ctx context.Context, email string, id uuid.UUID) (Record, error) {
	r, err := s.store.Account(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return Record{}, unauthenticated.With("account no longer exists")
	}
	if err != nil {
		return Record{}, err
	}
	if r.ID != id || r.Disabled {
		return Record{}, unauthenticated.With("account disabled")
	}
	return r, nil
}

// IssueToken creates an API token for an enabled account, returns it once and stores
// only its hash. A zero expires means the token does not expire.
func (s *Service) IssueToken(ctx context.Context, email, name string, expires time.Time) (token string, _ Token, _ error) {
	r, err := s.store.Account(ctx, NormalizeEmail(email))
	if errors.Is(err, ErrNotFound) {
		return "", Token{}, errcode.NotFound.With("no such account")
	}
	if err != nil {
		return "", Token{}, err
	}
	if r.Disabled {
		return "", Token{}, AccountDisabled
	}
	if token, err = NewToken(); err != nil {
		return "", Token{}, err
	}
	t := Token{ID: uuid.New(), AccountID: r.ID, Email: r.Email, Name: strings.TrimSpace(name), Epoch: r.TokenEpoch,
		Created: s.now().UTC()}
	if !expires.IsZero() {
		t.Expires = expires.UTC()
	}
	if err := s.store.PutToken(ctx, secretKey(token), t); err != nil {
		return "", Token{}, err
	}
	s.log.Info("token issued", "account", r.ID, "email", r.Email, "token_id", t.ID, "token_name", t.Name)
	return token, t, nil
}

// RevokeToken deletes one API token; an unknown token is no error.
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	if !wellFormed(token, TokenPrefix) {
		return nil
	}
	return s.store.DeleteToken(ctx, secretKey(token))
}

// Disable disables an account and revokes its sessions and tokens: the epochs move first
// (atomically, with the flag), so that everything is refused even if deleting the
// records is interrupted.
func (s *Service) Disable(ctx context.Context, email string) (Account, error) {
	r, err := s.store.UpdateAccount(ctx, NormalizeEmail(email), func(r *Record) error {
		r.Disabled = true
		r.SessionEpoch++
		r.TokenEpoch++
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Account{}, errcode.NotFound.With("no such account")
	}
	if err != nil {
		return Account{}, err
	}
	if err := errors.Join(s.store.DeleteSessionsOf(ctx, r.ID), s.store.DeleteTokensOf(ctx, r.ID)); err != nil {
		return r.Account, fmt.Errorf("accounts: account disabled, but deleting its sessions and tokens: %w", err)
	}
	s.log.Info("account disabled", "account", r.ID, "email", r.Email)
	return r.Account, nil
}

// ResetPassword sets a new password and revokes the account's sessions (its API tokens
// stay: disable the account, or revoke them, to stop those).
func (s *Service) ResetPassword(ctx context.Context, email, password string) (Account, error) {
	email = NormalizeEmail(email)
	if err := CheckPassword(email, password); err != nil {
		return Account{}, err
	}
	hash, err := HashPassword(password, s.params)
	if err != nil {
		return Account{}, err
	}
	r, err := s.store.UpdateAccount(ctx, email, func(r *Record) error {
		r.PasswordHash = hash
		r.PasswordChanged = s.now().UTC()
		r.SessionEpoch++
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Account{}, errcode.NotFound.With("no such account")
	}
	if err != nil {
		return Account{}, err
	}
	if err := s.store.DeleteSessionsOf(ctx, r.ID); err != nil {
		return r.Account, fmt.Errorf("accounts: password reset, but deleting its sessions: %w", err)
	}
	s.log.Info("password reset", "account", r.ID, "email", r.Email)
	return r.Account, nil
}
