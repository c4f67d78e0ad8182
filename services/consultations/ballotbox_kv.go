package consultations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultBallotBoxBucket is the JetStream KV bucket of KVBallotBox.
const DefaultBallotBoxBucket = "comite_ballot_box"

// KVBallotBoxConfig configures the JetStream KV ballot box.
type KVBallotBoxConfig struct {
	// Bucket defaults to DefaultBallotBoxBucket.
	Bucket string
	// Replicas defaults to 1; use 3 on a 3-node cluster.
	Replicas int
	// Memory keeps the bucket in memory instead of on disk (tests): a restart then
	// loses the ballots of open secret consultations.
	Memory bool
}

// KVBallotBox is the BallotBox of a deployment: a JetStream key-value bucket, one value
// per key (no history), holding for each open secret consultation its key
// ("<consultation>.key") and its sealed ballots ("<consultation>.b.<reference>").
// Destroy purges them, which removes the values from the bucket's stream. Access to the
// bucket must be restricted to the consultations service: it is what can link
// organisations to their choices until the close.
type KVBallotBox struct {
	kv jetstream.KeyValue
}

// NewKVBallotBox creates the bucket if needed and returns the box.
func NewKVBallotBox(ctx context.Context, js jetstream.JetStream, cfg KVBallotBoxConfig) (*KVBallotBox, error) {
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBallotBoxBucket
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
		Description: "Comité ballot box: sealed choices of open secret consultations",
		History:     1,
		Replicas:    cfg.Replicas,
		Storage:     storage,
	})
	if err != nil {
		return nil, fmt.Errorf("consultations: ballot box bucket %s: %w", cfg.Bucket, err)
	}
	return &KVBallotBox{kv: kv}, nil
}

func keyOf(consultation uuid.UUID) string { return consultation.String() + ".key" }

func ballotKey(consultation uuid.UUID, ref string) string {
	return consultation.String() + ".b." + ref
}

// Key implements BallotBox: the first instance to create the key wins, the others read it.
func (b *KVBallotBox) Key(ctx context.Context, consultation uuid.UUID) ([]byte, error) {
	name := keyOf(consultation)
	for range 5 {
		e, err := b.kv.Get(ctx, name)
		if err == nil {
			return e.Value(), nil
		}
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, fmt.Errorf("consultations: reading the box key of %s: %w", consultation, err)
		}
		k := newBoxKey()
		_, err = b.kv.Create(ctx, name, k)
		if err == nil {
			return k, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("consultations: creating the box key of %s: %w", consultation, err)
		}
	}
	return nil, fmt.Errorf("consultations: box key of %s: too much contention", consultation)
}

// Put implements BallotBox.
func (b *KVBallotBox) Put(ctx context.Context, consultation uuid.UUID, ref string, sealed []byte) error {
	if _, err := b.kv.Put(ctx, ballotKey(consultation, ref), sealed); err != nil {
		return fmt.Errorf("consultations: sealing a ballot of %s: %w", consultation, err)
	}
	return nil
}

// entries returns the live entries whose keys match filter (values too unless metaOnly).
func (b *KVBallotBox) entries(ctx context.Context, filter string, metaOnly bool) ([]jetstream.KeyValueEntry, error) {
	opts := []jetstream.WatchOpt{jetstream.IgnoreDeletes()}
	if metaOnly {
		opts = append(opts, jetstream.MetaOnly())
	}
	w, err := b.kv.Watch(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok || e == nil { // nil: the current values are all there
				return out, nil
			}
			out = append(out, e)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// List implements BallotBox.
func (b *KVBallotBox) List(ctx context.Context, consultation uuid.UUID) (map[string][]byte, error) {
	es, err := b.entries(ctx, ballotKey(consultation, "*"), false)
	if err != nil {
		return nil, fmt.Errorf("consultations: reading the ballot box of %s: %w", consultation, err)
	}
	out := make(map[string][]byte, len(es))
	prefix := ballotKey(consultation, "")
	for _, e := range es {
		out[strings.TrimPrefix(e.Key(), prefix)] = e.Value()
	}
	return out, nil
}

// Destroy implements BallotBox: the key first, so that ballots left by a failure
// midway can no longer be opened, then every sealed ballot.
func (b *KVBallotBox) Destroy(ctx context.Context, consultation uuid.UUID) error {
	if err := b.kv.Purge(ctx, keyOf(consultation)); err != nil {
		return fmt.Errorf("consultations: destroying the box key of %s: %w", consultation, err)
	}
	es, err := b.entries(ctx, consultation.String()+".>", true)
	if err != nil {
		return fmt.Errorf("consultations: listing the ballot box of %s: %w", consultation, err)
	}
	for _, e := range es {
		if err := b.kv.Purge(ctx, e.Key()); err != nil {
			return fmt.Errorf("consultations: destroying a sealed ballot of %s: %w", consultation, err)
		}
	}
	return nil
}

// Consultations implements BallotBox.
func (b *KVBallotBox) Consultations(ctx context.Context) ([]uuid.UUID, error) {
	es, err := b.entries(ctx, jetstream.AllKeys, true)
	if err != nil {
		return nil, fmt.Errorf("consultations: listing the ballot box: %w", err)
	}
	var out []uuid.UUID
	for _, e := range es {
		prefix, _, _ := strings.Cut(e.Key(), ".")
		if id, err := uuid.Parse(prefix); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out, nil
}
