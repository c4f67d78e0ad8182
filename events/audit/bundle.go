package audit

import (
	"time"

	"github.com/comite-partenaires/comite/events/merkle"
)

// Format is the bundle format this package writes and verifies.
const Format = "comite-audit-bundle/1"

// The files of a bundle directory.
const (
	EventsFile      = "events.jsonl"
	CheckpointsFile = "checkpoints.jsonl"
	ProofsFile      = "proofs.jsonl"
	ManifestFile    = "manifest.json"
)

// Filter selects what an export writes. The zero Filter is the whole log.
type Filter struct {
	// From and To bound the global positions exported (inclusive; 0 = unbounded).
	From uint64 `json:"from,omitempty"`
	To   uint64 `json:"to,omitempty"`
	// Streams and Contexts keep only these streams, or streams of these categories
	// ("opinion", "consultation"…). A bundle filtered this way cannot recompute the
	// Merkle roots: it carries an inclusion proof per event instead (ProofsFile).
	Streams  []string `json:"streams,omitempty"`
	Contexts []string `json:"contexts,omitempty"`
}

// Partial reports whether the filter drops events inside its position range.
func (f Filter) Partial() bool { return len(f.Streams) > 0 || len(f.Contexts) > 0 }

// Prefix is the compact range of the leaves before the first exported event of a bundle
// that starts after the beginning of the log: enough to recompute every later root.
type Prefix struct {
	Size     uint64        `json:"size"`
	Position uint64        `json:"position"`
	Range    []merkle.Hash `json:"range"`
}

// Manifest describes a bundle (ManifestFile).
type Manifest struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	Filter  Filter    `json:"filter"`
	// Events is the number of lines of EventsFile; FirstPosition and LastPosition their
	// positions (0 when empty).
	Events        uint64 `json:"events"`
	FirstPosition uint64 `json:"first_position"`
	LastPosition  uint64 `json:"last_position"`
	// TreeSize is the number of events of the log up to the export's last position and
	// Root the Merkle root over them: the tree head every checkpoint is consistent with.
	TreeSize uint64      `json:"tree_size"`
	Root     merkle.Hash `json:"root"`
	// Prefix is set when the bundle starts after the first event of the log.
	Prefix *Prefix `json:"prefix,omitempty"`
	// Checkpoints is the number of lines of CheckpointsFile.
	Checkpoints int `json:"checkpoints"`
}

// Checkpoint is a line of CheckpointsFile: a tree head sealed in the log (Event and
// SealedAt name the sealing event) within the exported range, with its consistency proof
// to the manifest's head.
type Checkpoint struct {
	Size        uint64        `json:"size"`
	Position    uint64        `json:"position"`
	Root        merkle.Hash   `json:"root"`
	Time        time.Time     `json:"time"`
	Event       string        `json:"event"`
	SealedAt    uint64        `json:"sealed_at"`
	Consistency []merkle.Hash `json:"consistency"`
}

// Proof is a line of ProofsFile (filtered bundles only): the leaf index of the event at
// Position and its inclusion proof in the manifest's tree.
type Proof struct {
	Position uint64        `json:"position"`
	Index    uint64        `json:"index"`
	Proof    []merkle.Hash `json:"proof"`
}
