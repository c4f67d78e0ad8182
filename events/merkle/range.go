package merkle

import (
	"errors"
	"fmt"
	"math/bits"
)

// ErrBadRange reports a compact range whose hashes do not fit its size.
var ErrBadRange = errors.New("merkle: compact range does not fit its size")

// Range is the compact range [0, size) of a tree: the roots of the perfect subtrees its
// size decomposes into (one per set bit of size, largest first). It is all a streaming
// writer or verifier keeps to append leaves and compute the root — O(log n) hashes, so a
// million leaves cost 20 hashes of memory and one amortised node hash per leaf.
//
// The zero Range is the empty tree.
type Range struct {
	size  uint64
	nodes []Hash
}

// NewRange rebuilds a compact range from its size and hashes (as Hashes returned them).
func NewRange(size uint64, nodes []Hash) (*Range, error) {
	if len(nodes) != bits.OnesCount64(size) {
		return nil, fmt.Errorf("%w: size %d needs %d hashes, got %d", ErrBadRange, size, bits.OnesCount64(size), len(nodes))
	}
	return &Range{size: size, nodes: append([]Hash(nil), nodes...)}, nil
}

// Size is the number of leaves appended.
func (r *Range) Size() uint64 { return r.size }

// Hashes returns the subtree roots, largest subtree first (a copy).
func (r *Range) Hashes() []Hash { return append([]Hash(nil), r.nodes...) }

// Append adds a leaf, given by its leaf hash (LeafHash).
func (r *Range) Append(leaf Hash) {
	h := leaf
	for s := r.size; s&1 == 1; s >>= 1 {
		h = NodeHash(r.nodes[len(r.nodes)-1], h)
		r.nodes = r.nodes[:len(r.nodes)-1]
	}
	r.nodes = append(r.nodes, h)
	r.size++
}

// Root is the tree head over the leaves appended so far (EmptyRoot when none).
func (r *Range) Root() Hash {
	if len(r.nodes) == 0 {
		return EmptyRoot()
	}
	h := r.nodes[len(r.nodes)-1]
	for i := len(r.nodes) - 2; i >= 0; i-- {
		h = NodeHash(r.nodes[i], h)
	}
	return h
}

// Clone returns an independent copy.
func (r *Range) Clone() *Range {
	return &Range{size: r.size, nodes: append([]Hash(nil), r.nodes...)}
}
