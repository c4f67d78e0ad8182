package processes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultCheckpointBucket is the JetStream KV bucket holding the process managers'
// checkpoints.
const DefaultCheckpointBucket = "comite_processes"

// Checkpoints remembers, per process, the global position up to which it has acted.
// A checkpoint only saves work: acting again on an event sends commands with the same
// IDs, which the services answer without a second effect.
type Checkpoints interface {
	// Load returns the position saved under name (0 when none).
	Load(ctx context.Context, name string) (uint64, error)
	// Save records pos under name.
	Save(ctx context.Context, name string, pos uint64) error
}

// KVCheckpoints keeps checkpoints in a JetStream KV bucket.
type KVCheckpoints struct{ kv jetstream.KeyValue }

// NewKVCheckpoints opens (creating it if needed) the bucket DefaultCheckpointBucket with
// the given number of replicas (1 when zero).
func NewKVCheckpoints(ctx context.Context, js jetstream.JetStream, replicas int) (*KVCheckpoints, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      DefaultCheckpointBucket,
		Description: "Comité process managers: last global position acted upon",
		History:     1,
		Replicas:    max(replicas, 1),
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("processes: checkpoint bucket: %w", err)
	}
	return &KVCheckpoints{kv: kv}, nil
}

// Load implements Checkpoints.
func (k *KVCheckpoints) Load(ctx context.Context, name string) (uint64, error) {
	e, err := k.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("processes: loading checkpoint %s: %w", name, err)
	}
	pos, err := strconv.ParseUint(string(e.Value()), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("processes: checkpoint %s is not a position: %q", name, e.Value())
	}
	return pos, nil
}

// Save implements Checkpoints.
func (k *KVCheckpoints) Save(ctx context.Context, name string, pos uint64) error {
	if _, err := k.kv.Put(ctx, name, []byte(strconv.FormatUint(pos, 10))); err != nil {
		return fmt.Errorf("processes: saving checkpoint %s: %w", name, err)
	}
	return nil
}

// MemoryCheckpoints keeps checkpoints in memory: for tests, and for a process that is
// content to replay the whole log at every start.
type MemoryCheckpoints struct {
	mu  sync.Mutex
	pos map[string]uint64
}

// Load implements Checkpoints.
func (m *MemoryCheckpoints) Load(_ context.Context, name string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos[name], nil
}

// Save implements Checkpoints.
func (m *MemoryCheckpoints) Save(_ context.Context, name string, pos uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pos == nil {
		m.pos = map[string]uint64{}
	}
	m.pos[name] = pos
	return nil
}
