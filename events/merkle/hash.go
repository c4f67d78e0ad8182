// Package merkle is the Merkle tree of Certificate Transparency (RFC 6962 section 2.1,
// RFC 9162 section 2.1) with SHA-256: leaf hashes SHA-256(0x00 || data), interior nodes
// SHA-256(0x01 || left || right), the tree over n leaves split at the largest power of
// two below n.
//
// It offers a streaming root (Range: a compact range of O(log n) subtree roots, enough to
// append and to compute the root at any moment without keeping the leaves), an in-memory
// Tree that produces inclusion and consistency proofs, and the verification of both
// proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2), which needs nothing but the proof.
package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Size is the length of a hash in bytes.
const Size = sha256.Size

// Hash is a SHA-256 digest: a leaf hash, a node hash or a root. It encodes as lower-case
// hex in JSON and text.
type Hash [Size]byte

// ErrBadHash reports a hash that is not 64 hex digits.
var ErrBadHash = errors.New("merkle: a hash must be 64 hex digits")

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText encodes the hash as hex.
func (h Hash) MarshalText() ([]byte, error) {
	out := make([]byte, 2*Size)
	hex.Encode(out, h[:])
	return out, nil
}

// UnmarshalText decodes 64 hex digits.
func (h *Hash) UnmarshalText(text []byte) error {
	if len(text) != 2*Size {
		return fmt.Errorf("%w (got %d characters)", ErrBadHash, len(text))
	}
	if _, err := hex.Decode(h[:], text); err != nil {
		return fmt.Errorf("%w: %w", ErrBadHash, err)
	}
	return nil
}

// ParseHash decodes 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	return h, h.UnmarshalText([]byte(s))
}

// LeafHash is the hash of a leaf: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	d := sha256.New()
	d.Write([]byte{0})
	d.Write(data)
	var h Hash
	d.Sum(h[:0])
	return h
}

// NodeHash is the hash of an interior node: SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*Size]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[1+Size:], right[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot is the root of the tree without leaves: SHA-256 of nothing.
func EmptyRoot() Hash { return sha256.Sum256(nil) }

// split is the size of the left subtree of a tree of n ≥ 2 leaves: the largest power of
// two strictly below n.
func split(n uint64) uint64 {
	k := uint64(1)
	for k<<1 < n {
		k <<= 1
	}
	return k
}
