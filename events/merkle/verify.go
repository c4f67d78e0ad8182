package merkle

import (
	"errors"
	"fmt"
)

var (
	// ErrInclusion reports an inclusion proof that does not lead to the expected root.
	ErrInclusion = errors.New("merkle: inclusion proof does not verify")
	// ErrConsistency reports a consistency proof that does not link the two roots.
	ErrConsistency = errors.New("merkle: consistency proof does not verify")
)

// RootFromInclusionProof computes the root a leaf's audit path leads to (RFC 9162 section
// 2.1.3.2). It fails when the proof's length does not fit index and size.
func RootFromInclusionProof(index, size uint64, leaf Hash, proof []Hash) (Hash, error) {
	if index >= size {
		return Hash{}, fmt.Errorf("%w: leaf %d is outside a tree of %d", ErrInclusion, index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return Hash{}, fmt.Errorf("%w: proof too long", ErrInclusion)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return Hash{}, fmt.Errorf("%w: proof too short", ErrInclusion)
	}
	return r, nil
}

// VerifyInclusion checks that leaf is at index in the tree of size leaves whose head is
// root.
func VerifyInclusion(index, size uint64, leaf Hash, proof []Hash, root Hash) error {
	got, err := RootFromInclusionProof(index, size, leaf, proof)
	if err != nil {
		return err
	}
	if got != root {
		return fmt.Errorf("%w: leads to %s, not %s", ErrInclusion, got, root)
	}
	return nil
}

// VerifyConsistency checks that the tree of size1 leaves with head root1 is a prefix of
// the tree of size2 leaves with head root2 (RFC 9162 section 2.1.4.2). An empty tree is a
// prefix of every tree; equal sizes need equal roots and an empty proof.
func VerifyConsistency(size1, size2 uint64, proof []Hash, root1, root2 Hash) error {
	switch {
	case size1 > size2:
		return fmt.Errorf("%w: size %d is after %d", ErrConsistency, size1, size2)
	case size1 == size2:
		if len(proof) != 0 {
			return fmt.Errorf("%w: equal sizes need an empty proof", ErrConsistency)
		}
		if root1 != root2 {
			return fmt.Errorf("%w: two different roots for size %d", ErrConsistency, size1)
		}
		return nil
	case size1 == 0:
		if len(proof) != 0 {
			return fmt.Errorf("%w: the empty tree needs an empty proof", ErrConsistency)
		}
		return nil
	case len(proof) == 0:
		return fmt.Errorf("%w: empty proof", ErrConsistency)
	}
	path := proof
	if size1&(size1-1) == 0 {
		path = append([]Hash{root1}, proof...)
	}
	fn, sn := size1-1, size2-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return fmt.Errorf("%w: proof too long", ErrConsistency)
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("%w: proof too short", ErrConsistency)
	}
	if fr != root1 || sr != root2 {
		return fmt.Errorf("%w: roots do not match", ErrConsistency)
	}
	return nil
}
