package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
)

// InclusionProof proves that one event is the Index-th leaf of the tree of TreeSize
// events whose root is Root (RFC 9162 §2.1.3): whoever holds Root (a checkpoint, a
// published head) checks it with merkle.VerifyInclusion, without the other events.
type InclusionProof struct {
	Event    string        `json:"event"`
	Position uint64        `json:"position"`
	Index    uint64        `json:"index"`
	TreeSize uint64        `json:"tree_size"`
	Leaf     merkle.Hash   `json:"leaf"`
	Root     merkle.Hash   `json:"root"`
	Proof    []merkle.Hash `json:"proof"`
}

// ConsistencyProof proves that the tree of NewSize events extends the tree of OldSize
// events (RFC 9162 §2.1.4): the log up to OldSize was not rewritten. Checked with
// merkle.VerifyConsistency.
type ConsistencyProof struct {
	OldSize uint64        `json:"old_size"`
	NewSize uint64        `json:"new_size"`
	OldRoot merkle.Hash   `json:"old_root"`
	NewRoot merkle.Hash   `json:"new_root"`
	Proof   []merkle.Hash `json:"proof"`
}

// ErrNotWhole: proofs need every event from the first, which filtered and ranged bundles
// do not hold.
var ErrNotWhole = errors.New("audit: proofs need a bundle of the whole log (not filtered, not ranged)")

// bundleTree reads a whole bundle's events into a Merkle tree, after checking it against
// its manifest's root; it also returns each event's leaf index by ID and its position.
func bundleTree(dir string) (*merkle.Tree, map[string][2]uint64, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	if m.Filter.Partial() || m.Prefix != nil {
		return nil, nil, ErrNotWhole
	}
	f, err := os.Open(filepath.Join(dir, EventsFile))
	if err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	tree := &merkle.Tree{}
	index := map[string][2]uint64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		var ev events.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, nil, &Failure{Kind: Malformed, Detail: fmt.Sprintf("%s line %d: %v", EventsFile, n, err)}
		}
		leaf, err := Leaf(ev)
		if err != nil {
			return nil, nil, err
		}
		index[ev.ID.String()] = [2]uint64{tree.Size(), ev.Position}
		tree.Append(leaf)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	if root, err := tree.Root(tree.Size()); err != nil || tree.Size() != m.TreeSize || root != m.Root {
		return nil, nil, &Failure{Kind: RootMismatch, Detail: "the events do not give the manifest's root: run comite audit verify"}
	}
	return tree, index, nil
}

// ProveInclusion proves that the event with that ID is in the tree of size (the whole
// bundle's when 0), from a bundle of the whole log. The proof is checked before it is
// returned.
func ProveInclusion(dir, eventID string, size uint64) (InclusionProof, error) {
	tree, index, err := bundleTree(dir)
	if err != nil {
		return InclusionProof{}, err
	}
	at, ok := index[eventID]
	if !ok {
		return InclusionProof{}, fmt.Errorf("audit: no event %s in the bundle", eventID)
	}
	if size == 0 {
		size = tree.Size()
	}
	if at[0] >= size || size > tree.Size() {
		return InclusionProof{}, fmt.Errorf("audit: event %s is leaf %d, not in a tree of %d of the bundle's %d", eventID, at[0], size, tree.Size())
	}
	proof, err := tree.InclusionProof(at[0], size)
	if err != nil {
		return InclusionProof{}, err
	}
	leaf, _ := tree.Leaf(at[0])
	root, _ := tree.Root(size)
	if err := merkle.VerifyInclusion(at[0], size, leaf, proof, root); err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Event: eventID, Position: at[1], Index: at[0], TreeSize: size, Leaf: leaf, Root: root, Proof: proof}, nil
}

// ProveConsistency proves that the tree of newSize events (the whole bundle's when 0)
// extends the tree of oldSize, from a bundle of the whole log; checked before returned.
func ProveConsistency(dir string, oldSize, newSize uint64) (ConsistencyProof, error) {
	tree, _, err := bundleTree(dir)
	if err != nil {
		return ConsistencyProof{}, err
	}
	if newSize == 0 {
		newSize = tree.Size()
	}
	if oldSize == 0 || oldSize > newSize || newSize > tree.Size() {
		return ConsistencyProof{}, fmt.Errorf("audit: sizes %d and %d: want 0 < old ≤ new ≤ %d", oldSize, newSize, tree.Size())
	}
	proof, err := tree.ConsistencyProof(oldSize, newSize)
	if err != nil {
		return ConsistencyProof{}, err
	}
	oldRoot, _ := tree.Root(oldSize)
	newRoot, _ := tree.Root(newSize)
	if err := merkle.VerifyConsistency(oldSize, newSize, proof, oldRoot, newRoot); err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{OldSize: oldSize, NewSize: newSize, OldRoot: oldRoot, NewRoot: newRoot, Proof: proof}, nil
}
