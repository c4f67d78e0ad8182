package merkle

import (
	"errors"
	"fmt"
)

// ErrBadSize reports a tree size or leaf index out of range for the question asked.
var ErrBadSize = errors.New("merkle: size or index out of range")

// Tree keeps every perfect subtree root of the leaves appended (2n hashes for n leaves)
// so that the root of any prefix, an inclusion proof or a consistency proof costs
// O(log n) hashes. It is not safe for concurrent use.
type Tree struct {
	// levels[k][i] is the root of the perfect subtree of leaves [i·2^k, (i+1)·2^k).
	levels [][]Hash
}

// Append adds a leaf, given by its leaf hash (LeafHash).
func (t *Tree) Append(leaf Hash) {
	h := leaf
	for k := 0; ; k++ {
		if k == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[k] = append(t.levels[k], h)
		n := len(t.levels[k])
		if n%2 == 1 {
			return
		}
		h = NodeHash(t.levels[k][n-2], t.levels[k][n-1])
	}
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// Leaf returns the leaf hash at index i.
func (t *Tree) Leaf(i uint64) (Hash, error) {
	if i >= t.Size() {
		return Hash{}, fmt.Errorf("%w: leaf %d of a tree of %d", ErrBadSize, i, t.Size())
	}
	return t.levels[0][i], nil
}

// Root is the tree head over the first size leaves.
func (t *Tree) Root(size uint64) (Hash, error) {
	if size > t.Size() {
		return Hash{}, fmt.Errorf("%w: root at %d of a tree of %d", ErrBadSize, size, t.Size())
	}
	if size == 0 {
		return EmptyRoot(), nil
	}
	return t.subtree(0, size), nil
}

// subtree is MTH(D[a:b]) for the ranges the RFC's recursion visits: a is a multiple of
// the largest power of two not above b-a, so every left part is a stored perfect subtree.
func (t *Tree) subtree(a, b uint64) Hash {
	n := b - a
	if n&(n-1) == 0 && a%n == 0 {
		k := 0
		for m := n; m > 1; m >>= 1 {
			k++
		}
		return t.levels[k][a>>k]
	}
	s := split(n)
	return NodeHash(t.subtree(a, a+s), t.subtree(a+s, b))
}

// InclusionProof is the audit path of leaf index in the tree of the first size leaves
// (RFC 6962 section 2.1.1, PATH(m, D[n])).
func (t *Tree) InclusionProof(index, size uint64) ([]Hash, error) {
	if size > t.Size() || index >= size {
		return nil, fmt.Errorf("%w: leaf %d in a tree of %d (%d stored)", ErrBadSize, index, size, t.Size())
	}
	var proof []Hash
	t.path(index, 0, size, &proof)
	return proof, nil
}

// path appends PATH(m, D[a:b]) with m relative to a; the deepest sibling comes first.
func (t *Tree) path(m, a, b uint64, proof *[]Hash) {
	n := b - a
	if n == 1 {
		return
	}
	k := split(n)
	if m < k {
		t.path(m, a, a+k, proof)
		*proof = append(*proof, t.subtree(a+k, b))
	} else {
		t.path(m-k, a+k, b, proof)
		*proof = append(*proof, t.subtree(a, a+k))
	}
}

// ConsistencyProof proves that the tree of the first size1 leaves is a prefix of the tree
// of the first size2 (RFC 6962 section 2.1.2, PROOF(m, D[n])). It is empty when size1 is 0
// or equal to size2.
func (t *Tree) ConsistencyProof(size1, size2 uint64) ([]Hash, error) {
	if size2 > t.Size() || size1 > size2 {
		return nil, fmt.Errorf("%w: consistency of %d with %d (%d stored)", ErrBadSize, size1, size2, t.Size())
	}
	var proof []Hash
	if size1 == 0 || size1 == size2 {
		return proof, nil
	}
	t.subproof(size1, 0, size2, true, &proof)
	return proof, nil
}

// subproof appends SUBPROOF(m, D[a:b], whole).
func (t *Tree) subproof(m, a, b uint64, whole bool, proof *[]Hash) {
	n := b - a
	if m == n {
		if !whole {
			*proof = append(*proof, t.subtree(a, b))
		}
		return
	}
	k := split(n)
	if m <= k {
		t.subproof(m, a, a+k, whole, proof)
		*proof = append(*proof, t.subtree(a+k, b))
	} else {
		t.subproof(m-k, a+k, b, false, proof)
		*proof = append(*proof, t.subtree(a, a+k))
	}
}
