package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Record is an account as stored: the account, its password hash and the epochs that
// revoke every session or token at once (a session or token is valid only while it
// carries its account's current epoch, so that revoking is one atomic account update
// even if deleting the individual records is interrupted).
type Record struct {
	Account
	// PasswordHash is the argon2id PHC string.
	PasswordHash string `json:"password_hash"`
	SessionEpoch uint64 `json:"session_epoch"`
	TokenEpoch   uint64 `json:"token_epoch"`
}

// Session is a signed-in browser, stored under the SHA-256 of its secret.
type Session struct {
	AccountID uuid.UUID `json:"account_id"`
	Email     string    `json:"email"`
	Epoch     uint64    `json:"epoch"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// Token is an API token, stored under the SHA-256 of its secret.
type Token struct {
	ID        uuid.UUID `json:"id"`
	AccountID uuid.UUID `json:"account_id"`
	Email     string    `json:"email"`
	// Name says what the token is for ("CI export", …).
	Name    string    `json:"name,omitempty"`
	Epoch   uint64    `json:"epoch"`
	Created time.Time `json:"created"`
	// Expires is zero for a token that does not expire.
	Expires time.Time `json:"expires,omitzero"`
}

// ErrNotFound is returned by a Store for a missing account, session or token.
var ErrNotFound = errors.New("accounts: not found")

// ErrExists is returned by Store.CreateAccount when the email is taken.
var ErrExists = errors.New("accounts: already exists")

// Store keeps accounts, sessions and tokens. Accounts are looked up by normalized email;
// sessions and tokens by key, the hex SHA-256 of their secret — a Store never sees a raw
// secret. Implementations are safe for concurrent use.
type Store interface {
	// CreateAccount stores a new account, or returns ErrExists.
	CreateAccount(ctx context.Context, r Record) error
	// Account returns the account with this email, or ErrNotFound.
	Account(ctx context.Context, email string) (Record, error)
	// UpdateAccount applies update to the current record atomically (retrying on
	// concurrent changes) and returns the stored result; ErrNotFound if missing. An
	// error from update aborts without storing.
	UpdateAccount(ctx context.Context, email string, update func(*Record) error) (Record, error)
	// Accounts returns every account, in no particular order.
	Accounts(ctx context.Context) ([]Record, error)

	// PutSession stores a session under key (the bucket's TTL, if any, also expires it).
	PutSession(ctx context.Context, key string, s Session) error
	// Session returns the session under key, or ErrNotFound.
	Session(ctx context.Context, key string) (Session, error)
	// DeleteSession deletes the session under key; deleting a missing one is no error.
	DeleteSession(ctx context.Context, key string) error
	// DeleteSessionsOf deletes every session of an account.
	DeleteSessionsOf(ctx context.Context, account uuid.UUID) error

	// PutToken stores an API token under key.
	PutToken(ctx context.Context, key string, t Token) error
	// Token returns the token under key, or ErrNotFound.
	Token(ctx context.Context, key string) (Token, error)
	// DeleteToken deletes the token under key; deleting a missing one is no error.
	DeleteToken(ctx context.Context, key string) error
	// DeleteTokensOf deletes every token of an account.
	DeleteTokensOf(ctx context.Context, account uuid.UUID) error
}

// MemoryStore is a Store in memory, for tests and throwaway servers. It does not expire
// sessions by itself: the Service checks Session.Expires.
type MemoryStore struct {
	mu       sync.Mutex
	accounts map[string]Record
	sessions map[string]Session
	tokens   map[string]Token
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{accounts: map[string]Record{}, sessions: map[string]Session{}, tokens: map[string]Token{}}
}

var _ Store = (*MemoryStore)(nil)

// CreateAccount implements Store.
func (m *MemoryStore) CreateAccount(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := emailKey(r.Email)
	if _, ok := m.accounts[k]; ok {
		return ErrExists
	}
	m.accounts[k] = r
	return nil
}

// Account implements Store.
func (m *MemoryStore) Account(_ context.Context, email string) (Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.accounts[emailKey(email)]
	if !ok {
		return Record{}, ErrNotFound
	}
	return r, nil
}

// UpdateAccount implements Store.
func (m *MemoryStore) UpdateAccount(_ context.Context, email string, update func(*Record) error) (Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := emailKey(email)
	r, ok := m.accounts[k]
	if !ok {
		return Record{}, ErrNotFound
	}
	if err := update(&r); err != nil {
		return Record{}, err
	}
	m.accounts[k] = r
	return r, nil
}

// Accounts implements Store.
func (m *MemoryStore) Accounts(context.Context) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Record, 0, len(m.accounts))
	for _, r := range m.accounts {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// PutSession implements Store.
func (m *MemoryStore) PutSession(_ context.Context, key string, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[key] = s
	return nil
}

// Session implements Store.
func (m *MemoryStore) Session(_ context.Context, key string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[key]
	if !ok {
		return Session{}, ErrNotFound
	}
	return s, nil
}

// DeleteSession implements Store.
func (m *MemoryStore) DeleteSession(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, key)
	return nil
}

// DeleteSessionsOf implements Store.
func (m *MemoryStore) DeleteSessionsOf(_ context.Context, account uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.sessions {
		if s.AccountID == account {
			delete(m.sessions, k)
		}
	}
	return nil
}

// PutToken implements Store.
func (m *MemoryStore) PutToken(_ context.Context, key string, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[key] = t
	return nil
}

// Token implements Store.
func (m *MemoryStore) Token(_ context.Context, key string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[key]
	if !ok {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// DeleteToken implements Store.
func (m *MemoryStore) DeleteToken(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tokens, key)
	return nil
}

// DeleteTokensOf implements Store.
func (m *MemoryStore) DeleteTokensOf(_ context.Context, account uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, t := range m.tokens {
		if t.AccountID == account {
			delete(m.tokens, k)
		}
	}
	return nil
}
