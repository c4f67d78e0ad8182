package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// The JetStream KV buckets of the identity layer.
const (
	AccountsBucket = "comite_accounts"
	SessionsBucket = "comite_sessions"
	TokensBucket   = "comite_tokens"
)

// KVConfig configures the JetStream KV store.
type KVConfig struct {
	// SessionLifetime is the sessions bucket's TTL, a backstop behind Session.Expires
	// (DefaultSessionLifetime when zero). Keep it equal to Config.SessionLifetime.
	SessionLifetime time.Duration
	// Replicas of each bucket (1 when zero: the embedded single server).
	Replicas int
}

// KVStore is the Store on JetStream KV: one bucket of accounts keyed by the SHA-256 of
// the email, one of sessions with a TTL, one of tokens.
type KVStore struct {
	accounts, sessions, tokens jetstream.KeyValue
}

var _ Store = (*KVStore)(nil)

// OpenKV creates (or updates the configuration of) the three buckets and returns the
// store.
func OpenKV(ctx context.Context, js jetstream.JetStream, cfg KVConfig) (*KVStore, error) {
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	open := func(bucket, desc string, ttl time.Duration) (jetstream.KeyValue, error) {
		kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: bucket, Description: desc, History: 1, TTL: ttl,
			Storage: jetstream.FileStorage, Replicas: cfg.Replicas,
		})
		if err != nil {
			return nil, fmt.Errorf("accounts: opening KV bucket %s: %w", bucket, err)
		}
		return kv, nil
	}
	var s KVStore
	var err error
	if s.accounts, err = open(AccountsBucket, "Comité accounts, keyed by SHA-256 of the email", 0); err != nil {
		return nil, err
	}
	if s.sessions, err = open(SessionsBucket, "Comité sessions, keyed by SHA-256 of the secret", cfg.SessionLifetime); err != nil {
		return nil, err
	}
	if s.tokens, err = open(TokensBucket, "Comité API tokens, keyed by SHA-256 of the token", 0); err != nil {
		return nil, err
	}
	return &s, nil
}

func kvGet[T any](ctx context.Context, kv jetstream.KeyValue, key string) (T, uint64, error) {
	var v T
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return v, 0, ErrNotFound
	}
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return v, 0, fmt.Errorf("accounts: decoding %s: %w", e.Bucket(), err)
	}
	return v, e.Revision(), nil
}

func kvPut(ctx context.Context, kv jetstream.KeyValue, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = kv.Put(ctx, key, b)
	return err
}

func kvDelete(ctx context.Context, kv jetstream.KeyValue, key string) error {
	if err := kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return err
	}
	return nil
}

// kvAll decodes every live value of a bucket (the buckets are small: a committee's
// people, their sessions and tokens).
func kvAll[T any](ctx context.Context, kv jetstream.KeyValue, each func(key string, v T) error) error {
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok || e == nil {
				return nil
			}
			var v T
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				return fmt.Errorf("accounts: decoding %s: %w", e.Bucket(), err)
			}
			if err := each(e.Key(), v); err != nil {
				return err
			}
		}
	}
}

// CreateAccount implements Store.
func (s *KVStore) CreateAccount(ctx context.Context, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := s.accounts.Create(ctx, emailKey(r.Email), b); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return ErrExists
		}
		return err
	}
	return nil
}

// Account implements Store.
func (s *KVStore) Account(ctx context.Context, email string) (Record, error) {
	r, _, err := kvGet[Record](ctx, s.accounts, emailKey(email))
	return r, err
}

// UpdateAccount implements Store with compare-and-set on the key's revision.
func (s *KVStore) UpdateAccount(ctx context.Context, email string, update func(*Record) error) (Record, error) {
	key := emailKey(email)
	for range 20 {
		r, rev, err := kvGet[Record](ctx, s.accounts, key)
		if err != nil {
			return Record{}, err
		}
		if err := update(&r); err != nil {
			return Record{}, err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return Record{}, err
		}
		if _, err := s.accounts.Update(ctx, key, b, rev); err != nil {
			if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
				continue
			}
			return Record{}, err
		}
		return r, nil
	}
	return Record{}, errors.New("accounts: too many concurrent updates of one account")
}

// Accounts implements Store.
func (s *KVStore) Accounts(ctx context.Context) ([]Record, error) {
	var out []Record
	err := kvAll(ctx, s.accounts, func(_ string, r Record) error { out = append(out, r); return nil })
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.Email, b.Email) })
	return out, err
}

// PutSession implements Store.
func (s *KVStore) PutSession(ctx context.Context, key string, v Session) error {
	return kvPut(ctx, s.sessions, key, v)
}

// Session implements Store.
func (s *KVStore) Session(ctx context.Context, key string) (Session, error) {
	v, _, err := kvGet[Session](ctx, s.sessions, key)
	return v, err
}

// DeleteSession implements Store.
func (s *KVStore) DeleteSession(ctx context.Context, key string) error {
	return kvDelete(ctx, s.sessions, key)
}

// DeleteSessionsOf implements Store.
func (s *KVStore) DeleteSessionsOf(ctx context.Context, account uuid.UUID) error {
	return kvDeleteWhere(ctx, s.sessions, func(v Session) bool { return v.AccountID == account })
}

// PutToken implements Store.
func (s *KVStore) PutToken(ctx context.Context, key string, t Token) error {
	return kvPut(ctx, s.tokens, key, t)
}

// Token implements Store.
func (s *KVStore) Token(ctx context.Context, key string) (Token, error) {
	v, _, err := kvGet[Token](ctx, s.tokens, key)
	return v, err
}

// DeleteToken implements Store.
func (s *KVStore) DeleteToken(ctx context.Context, key string) error {
	return kvDelete(ctx, s.tokens, key)
}

// DeleteTokensOf implements Store.
func (s *KVStore) DeleteTokensOf(ctx context.Context, account uuid.UUID) error {
	return kvDeleteWhere(ctx, s.tokens, func(v Token) bool { return v.AccountID == account })
}

// kvDeleteWhere deletes the entries of kv whose value matches.
func kvDeleteWhere[T any](ctx context.Context, kv jetstream.KeyValue, match func(T) bool) error {
	var keys []string
	if err := kvAll(ctx, kv, func(k string, v T) error {
		if match(v) {
			keys = append(keys, k)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := kvDelete(ctx, kv, k); err != nil {
			return err
		}
	}
	return nil
}
