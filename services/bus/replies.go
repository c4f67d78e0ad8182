package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ReplyRecord is what a ReplyStore keeps under one command ID: the hash of the request
// that claimed it and, once it succeeded, its reply.
type ReplyRecord struct {
	Hash string `json:"hash"`
	// Reply is the reply's JSON; nil while the command is being processed.
	Reply json.RawMessage `json:"reply,omitempty"`
}

// Done reports whether the record holds a reply.
func (r ReplyRecord) Done() bool { return len(r.Reply) > 0 }

// ReplyStore remembers successful replies by command ID, so that a retried command gets
// the same reply and a command ID reused for another request is detected. Rejections are
// not remembered. Implementations are safe for concurrent use by many service instances.
type ReplyStore interface {
	// Begin returns the record under key, first creating a pending one for hash if there
	// is none.
	Begin(ctx context.Context, key, hash string) (ReplyRecord, error)
	// Finish stores reply as the outcome of the request with hash unless a reply is
	// already stored under key, and returns the record stored: the first reply wins.
	Finish(ctx context.Context, key, hash string, reply []byte) (ReplyRecord, error)
	// Abandon removes key's record if it is still pending for hash (the command was
	// rejected or failed).
	Abandon(ctx context.Context, key, hash string) error
}

// DefaultRepliesBucket is the JetStream KV bucket of KVReplies.
const DefaultRepliesBucket = "comite_replies"

// DefaultRepliesTTL is how long replies are kept: a client retries within minutes, not days.
const DefaultRepliesTTL = 24 * time.Hour

// KVRepliesConfig configures the JetStream KV reply store.
type KVRepliesConfig struct {
	// Bucket defaults to DefaultRepliesBucket.
	Bucket string
	// TTL defaults to DefaultRepliesTTL.
	TTL time.Duration
	// Replicas defaults to 1; use 3 on a 3-node cluster.
	Replicas int
	// Memory keeps the bucket in memory instead of on disk (tests, benchmarks).
	Memory bool
}

// KVReplies is the ReplyStore of a deployment: a JetStream key-value bucket whose
// compare-and-set operations make concurrent instances agree.
type KVReplies struct {
	kv jetstream.KeyValue
}

// NewKVReplies creates the bucket if needed and returns the store.
func NewKVReplies(ctx context.Context, js jetstream.JetStream, cfg KVRepliesConfig) (*KVReplies, error) {
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultRepliesBucket
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultRepliesTTL
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	storage := jetstream.FileStorage
	if cfg.Memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      cfg.Bucket,
		Description: "Comité command replies by command ID (idempotency)",
		TTL:         cfg.TTL,
		History:     1,
		Replicas:    cfg.Replicas,
		Storage:     storage,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: reply bucket %s: %w", cfg.Bucket, err)
	}
	return &KVReplies{kv: kv}, nil
}

// get returns the record under key and its KV revision (0 when absent).
func (k *KVReplies) get(ctx context.Context, key string) (ReplyRecord, uint64, error) {
	e, err := k.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return ReplyRecord{}, 0, nil
	}
	if err != nil {
		return ReplyRecord{}, 0, fmt.Errorf("bus: reading reply %s: %w", key, err)
	}
	var rec ReplyRecord
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return ReplyRecord{}, 0, fmt.Errorf("bus: decoding reply %s: %w", key, err)
	}
	return rec, e.Revision(), nil
}

// casAttempts bounds compare-and-set loops; each failed attempt means another instance
// wrote the key meanwhile, which settles it quickly.
const casAttempts = 10

// Begin implements ReplyStore.
func (k *KVReplies) Begin(ctx context.Context, key, hash string) (ReplyRecord, error) {
	pending, err := json.Marshal(ReplyRecord{Hash: hash})
	if err != nil {
		return ReplyRecord{}, err
	}
	for range casAttempts {
		rec, rev, err := k.get(ctx, key)
		if err != nil || rev != 0 {
			return rec, err
		}
		_, err = k.kv.Create(ctx, key, pending)
		if err == nil {
			return ReplyRecord{Hash: hash}, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return ReplyRecord{}, fmt.Errorf("bus: claiming reply %s: %w", key, err)
		}
	}
	return ReplyRecord{}, fmt.Errorf("bus: claiming reply %s: too much contention", key)
}

// Finish implements ReplyStore.
func (k *KVReplies) Finish(ctx context.Context, key, hash string, reply []byte) (ReplyRecord, error) {
	done := ReplyRecord{Hash: hash, Reply: reply}
	val, err := json.Marshal(done)
	if err != nil {
		return ReplyRecord{}, err
	}
	for range casAttempts {
		rec, rev, err := k.get(ctx, key)
		switch {
		case err != nil:
			return ReplyRecord{}, err
		case rec.Done():
			return rec, nil
		case rev == 0:
			_, err = k.kv.Create(ctx, key, val)
		default:
			_, err = k.kv.Update(ctx, key, val, rev)
		}
		if err == nil {
			return done, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return ReplyRecord{}, fmt.Errorf("bus: storing reply %s: %w", key, err)
		}
	}
	return ReplyRecord{}, fmt.Errorf("bus: storing reply %s: too much contention", key)
}

// Abandon implements ReplyStore.
func (k *KVReplies) Abandon(ctx context.Context, key, hash string) error {
	rec, rev, err := k.get(ctx, key)
	if err != nil || rev == 0 || rec.Done() || rec.Hash != hash {
		return err
	}
	err = k.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return fmt.Errorf("bus: forgetting reply %s: %w", key, err)
	}
	return nil
}
