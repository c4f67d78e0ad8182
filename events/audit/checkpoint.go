// Package audit makes Comité's history verifiable without trusting the server: it seals
// checkpoints (RFC 6962 Merkle roots over every event's hash, in global order) into the
// log itself, exports self-contained bundles (events, checkpoints, manifest) and verifies
// them with nothing but the bundle, naming the first event that was altered, removed,
// inserted or reordered.
//
// The Merkle tree's leaves are the events' per-stream chain hashes (events.ComputeHash,
// which covers the canonical encoding and prev_hash), hex-decoded, in global position
// order: leaf i is the (i+1)-th event of the log. A checkpoint over size n covers the
// first n events; the checkpoint is then itself an ordinary event of the log (stream
// CheckpointStream), a leaf of every later tree.
package audit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
)

// CheckpointStream is the stream sealed checkpoints are appended to.
const CheckpointStream = "audit-checkpoints"

// TypeCheckpointSealed is the type of a sealed checkpoint event.
const TypeCheckpointSealed = "audit.checkpoint.sealed"

// CheckpointSealed is a checkpoint sealed into the log: the Merkle root over the first
// Size events, the last of which is at Position. Range is the compact range of those
// Size leaves (one subtree root per set bit of Size), from which the next checkpoint is
// computed without reading the log again and from which a bundle starting after Position
// recomputes later roots.
type CheckpointSealed struct {
	Size     uint64        `json:"size"`
	Position uint64        `json:"position"`
	Root     merkle.Hash   `json:"root"`
	Range    []merkle.Hash `json:"range"`
}

// EventType implements events.Payload.
func (CheckpointSealed) EventType() string { return TypeCheckpointSealed }

// Register adds the audit context's event types to reg (every process reading the whole
// log — projections, process managers — must know them).
func Register(reg *events.Registry) error {
	return events.Register[CheckpointSealed](reg, 1)
}

// ErrBadLeaf reports an event whose hash is not 64 hex digits, so it cannot be a leaf.
var ErrBadLeaf = errors.New("audit: event hash is not a SHA-256 in hex")

// Leaf is the Merkle leaf hash of an event: LeafHash of its hex-decoded chain hash.
func Leaf(e events.Event) (merkle.Hash, error) {
	var raw [merkle.Size]byte
	if len(e.Hash) != 2*merkle.Size {
		return merkle.Hash{}, fmt.Errorf("%w: event %s", ErrBadLeaf, e.ID)
	}
	if _, err := hex.Decode(raw[:], []byte(e.Hash)); err != nil {
		return merkle.Hash{}, fmt.Errorf("%w: event %s", ErrBadLeaf, e.ID)
	}
	return merkle.LeafHash(raw[:]), nil
}

// checkpointID is the ID of the checkpoint event over size events: the same for every
// instance sealing it, so that two sealers racing store it once.
func checkpointID(size uint64) string { return "audit-checkpoint/" + strconv.FormatUint(size, 10) }
