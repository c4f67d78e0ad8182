package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// vectors are the Certificate Transparency reference vectors (testdata names the source).
type vectors struct {
	Leaves    []string `json:"leaves"`
	EmptyRoot Hash     `json:"empty_root"`
	Roots     []Hash   `json:"roots"`
	Inclusion []struct {
		Index, Size uint64
		Proof       []Hash
	} `json:"inclusion"`
	Consistency []struct {
		Size1, Size2 uint64
		Proof        []Hash
	} `json:"consistency"`
}

func loadVectors(t *testing.T) (vectors, [][]byte) {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc6962_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	leaves := make([][]byte, len(v.Leaves))
	for i, s := range v.Leaves {
		if leaves[i], err = hex.DecodeString(s); err != nil {
			t.Fatal(err)
		}
	}
	return v, leaves
}

// --- The RFC 6962 definitions, written literally over the leaf data (the reference). ---

func refMTH(d [][]byte) Hash {
	switch n := len(d); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, d[0]...))
	default:
		k := refSplit(n)
		l, r := refMTH(d[:k]), refMTH(d[k:])
		return sha256.Sum256(slices.Concat([]byte{1}, l[:], r[:]))
	}
}

func refSplit(n int) int {
	k := 1
	for 2*k < n {
		k *= 2
	}
	return k
}

func refPath(m int, d [][]byte) []Hash {
	n := len(d)
	if n == 1 {
		return nil
	}
	k := refSplit(n)
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

func refProof(m int, d [][]byte) []Hash { return refSubproof(m, d, true) }

func refSubproof(m int, d [][]byte, b bool) []Hash {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return []Hash{refMTH(d)}
	}
	k := refSplit(n)
	if m <= k {
		return append(refSubproof(m, d[:k], b), refMTH(d[k:]))
	}
	return append(refSubproof(m-k, d[k:], false), refMTH(d[:k]))
}

// ---

func build(leaves [][]byte) (*Tree, *Range) {
	t, r := &Tree{}, &Range{}
	for _, l := range leaves {
		t.Append(LeafHash(l))
		r.Append(LeafHash(l))
	}
	return t, r
}

func TestVectorsRoots(t *testing.T) {
	v, leaves := loadVectors(t)
	if EmptyRoot() != v.EmptyRoot {
		t.Fatalf("empty root %s, want %s", EmptyRoot(), v.EmptyRoot)
	}
	tree, rng := &Tree{}, &Range{}
	for i, l := range leaves {
		tree.Append(LeafHash(l))
		rng.Append(LeafHash(l))
		if got := rng.Root(); got != v.Roots[i] {
			t.Errorf("streaming root at size %d = %s, want %s", i+1, got, v.Roots[i])
		}
		if got := refMTH(leaves[:i+1]); got != v.Roots[i] {
			t.Errorf("reference root at size %d = %s, want %s", i+1, got, v.Roots[i])
		}
	}
	for size := range uint64(len(leaves)) {
		got, err := tree.Root(size + 1)
		if err != nil || got != v.Roots[size] {
			t.Errorf("tree root at size %d = %s, %v; want %s", size+1, got, err, v.Roots[size])
		}
	}
}

func TestVectorsInclusion(t *testing.T) {
	v, leaves := loadVectors(t)
	tree, _ := build(leaves)
	for _, c := range v.Inclusion {
		got, err := tree.InclusionProof(c.Index, c.Size)
		if err != nil || !slices.Equal(got, c.Proof) {
			t.Errorf("proof of %d in %d = %v, %v; want %v", c.Index, c.Size, got, err, c.Proof)
		}
		root := v.Roots[c.Size-1]
		if err := VerifyInclusion(c.Index, c.Size, LeafHash(leaves[c.Index]), c.Proof, root); err != nil {
			t.Errorf("known good proof of %d in %d: %v", c.Index, c.Size, err)
		}
		for _, p := range corruptInclusion(c.Index, c.Size, c.Proof, root, LeafHash(leaves[c.Index])) {
			if VerifyInclusion(p.index, p.size, p.leaf, p.proof, p.root) == nil {
				t.Errorf("proof of %d in %d verified once corrupted: %s", c.Index, c.Size, p.desc)
			}
		}
	}
}

func TestVectorsConsistency(t *testing.T) {
	v, leaves := loadVectors(t)
	tree, _ := build(leaves)
	for _, c := range v.Consistency {
		got, err := tree.ConsistencyProof(c.Size1, c.Size2)
		if err != nil || !slices.Equal(got, c.Proof) && len(got)+len(c.Proof) > 0 {
			t.Errorf("consistency %d→%d = %v, %v; want %v", c.Size1, c.Size2, got, err, c.Proof)
		}
		r1, r2 := v.Roots[c.Size1-1], v.Roots[c.Size2-1]
		if err := VerifyConsistency(c.Size1, c.Size2, c.Proof, r1, r2); err != nil {
			t.Errorf("known good consistency %d→%d: %v", c.Size1, c.Size2, err)
		}
		if len(c.Proof) == 0 {
			continue
		}
		for _, p := range corruptConsistency(c.Size1, c.Size2, c.Proof, r1, r2) {
			if VerifyConsistency(p.size1, p.size2, p.proof, p.root1, p.root2) == nil {
				t.Errorf("consistency %d→%d verified once corrupted: %s", c.Size1, c.Size2, p.desc)
			}
		}
	}
}

func TestConsistencyEdgeCases(t *testing.T) {
	some, empty := LeafHash([]byte("some")), EmptyRoot()
	for _, c := range []struct {
		size1, size2 uint64
		root1, root2 Hash
		proof        []Hash
		ok           bool
	}{
		{0, 0, some, some, nil, true},
		{0, 1, some, empty, nil, true},
		{1, 1, some, some, nil, true},
		{0, 0, empty, some, nil, false},
		{1, 1, empty, some, nil, false},
		{1, 0, some, some, nil, false},
		{2, 1, some, some, nil, false},
		{1, 2, some, empty, nil, false},
		{0, 1, empty, empty, []Hash{empty}, false},
		{1, 1, empty, empty, []Hash{empty}, false},
	} {
		if err := VerifyConsistency(c.size1, c.size2, c.proof, c.root1, c.root2); (err == nil) != c.ok {
			t.Errorf("VerifyConsistency(%d, %d, %v) = %v, want ok=%v", c.size1, c.size2, c.proof, err, c.ok)
		}
	}
	if VerifyInclusion(0, 0, some, nil, empty) == nil || VerifyInclusion(1, 1, some, nil, some) == nil {
		t.Error("an index outside the tree verified")
	}
}

// TestAgainstReference compares roots and proofs with the literal RFC definitions over
// random trees, and checks every generated proof verifies and a flipped one does not.
func TestAgainstReference(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100}
	for range 20 {
		sizes = append(sizes, 1+rnd.IntN(300))
	}
	for _, n := range sizes {
		leaves := make([][]byte, n)
		for i := range leaves {
			leaves[i] = make([]byte, rnd.IntN(40))
			for j := range leaves[i] {
				leaves[i][j] = byte(rnd.Uint32())
			}
		}
		tree, rng := build(leaves)
		want := refMTH(leaves)
		if got := rng.Root(); got != want {
			t.Fatalf("n=%d: streaming root %s, reference %s", n, got, want)
		}
		r2, err := NewRange(rng.Size(), rng.Hashes())
		if err != nil || r2.Root() != want {
			t.Fatalf("n=%d: rebuilt range %v, %v", n, r2, err)
		}
		for range 5 {
			m, size := rnd.IntN(n), 1+rnd.IntN(n)
			if m >= size {
				m, size = size-1, m+1
			}
			root := refMTH(leaves[:size])
			if got, _ := tree.Root(uint64(size)); got != root {
				t.Fatalf("n=%d: root at %d %s, reference %s", n, size, got, root)
			}
			proof, err := tree.InclusionProof(uint64(m), uint64(size))
			if err != nil || !slices.Equal(proof, refPath(m, leaves[:size])) {
				t.Fatalf("n=%d: PATH(%d, %d) differs from the reference: %v", n, m, size, err)
			}
			if err := VerifyInclusion(uint64(m), uint64(size), LeafHash(leaves[m]), proof, root); err != nil {
				t.Fatalf("n=%d: PATH(%d, %d) does not verify: %v", n, m, size, err)
			}
			if len(proof) > 0 {
				proof[rnd.IntN(len(proof))][0] ^= 1
				if VerifyInclusion(uint64(m), uint64(size), LeafHash(leaves[m]), proof, root) == nil {
					t.Fatalf("n=%d: a flipped PATH(%d, %d) verifies", n, m, size)
				}
			}
			m1 := 1 + rnd.IntN(size)
			cp, err := tree.ConsistencyProof(uint64(m1), uint64(size))
			if err != nil || !slices.Equal(cp, refProof(m1, leaves[:size])) && len(cp)+len(refProof(m1, leaves[:size])) > 0 {
				t.Fatalf("n=%d: PROOF(%d, %d) differs from the reference: %v", n, m1, size, err)
			}
			root1 := refMTH(leaves[:m1])
			if err := VerifyConsistency(uint64(m1), uint64(size), cp, root1, root); err != nil {
				t.Fatalf("n=%d: PROOF(%d, %d) does not verify: %v", n, m1, size, err)
			}
			if m1 < size && VerifyConsistency(uint64(m1), uint64(size), cp, root, root1) == nil {
				t.Fatalf("n=%d: PROOF(%d, %d) verifies with swapped roots", n, m1, size)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewRange(3, []Hash{{}}); err == nil {
		t.Error("a range of 3 with one hash was accepted")
	}
	if _, err := ParseHash("00"); err == nil {
		t.Error("a short hash parsed")
	}
	if _, err := ParseHash(string(make([]byte, 64))); err == nil {
		t.Error("non-hex parsed")
	}
	tree, _ := build([][]byte{{1}, {2}})
	if _, err := tree.Root(3); err == nil {
		t.Error("root beyond the tree")
	}
	if _, err := tree.InclusionProof(2, 2); err == nil {
		t.Error("proof of a leaf beyond the tree")
	}
	if _, err := tree.ConsistencyProof(2, 1); err == nil {
		t.Error("consistency backwards")
	}
	if _, err := tree.Leaf(2); err == nil {
		t.Error("leaf beyond the tree")
	}
}

type inclusionProbe struct {
	index, size uint64
	root, leaf  Hash
	proof       []Hash
	desc        string
}

// corruptInclusion mirrors the probes of transparency-dev/merkle's verifier tests.
func corruptInclusion(index, size uint64, proof []Hash, root, leaf Hash) []inclusionProbe {
	some := LeafHash([]byte("some"))
	ps := []inclusionProbe{
		{index - 1, size, root, leaf, proof, "index - 1"},
		{index + 1, size, root, leaf, proof, "index + 1"},
		{index ^ 2, size, root, leaf, proof, "index ^ 2"},
		{index, size * 2, root, leaf, proof, "size * 2"},
		{index, size / 2, root, leaf, proof, "size / 2"},
		{index, size, root, some, proof, "wrong leaf"},
		{index, size, EmptyRoot(), leaf, proof, "empty root"},
		{index, size, some, leaf, proof, "random root"},
		{index, size, root, leaf, append(slices.Clone(proof), root), "trailing root"},
		{index, size, root, leaf, append([]Hash{root}, proof...), "preceding root"},
	}
	for i := range proof {
		p := slices.Clone(proof)
		p[i][0] ^= 8
		ps = append(ps, inclusionProbe{index, size, root, leaf, p, "flipped bit"})
	}
	if len(proof) > 0 {
		ps = append(ps, inclusionProbe{index, size, root, leaf, proof[:len(proof)-1], "removed component"})
	}
	if len(proof) > 1 {
		p := append([]Hash{proof[0], some}, proof[1:]...)
		ps = append(ps, inclusionProbe{index, size, root, leaf, p, "inserted component"})
	}
	return ps
}

type consistencyProbe struct {
	size1, size2 uint64
	root1, root2 Hash
	proof        []Hash
	desc         string
}

func corruptConsistency(size1, size2 uint64, proof []Hash, root1, root2 Hash) []consistencyProbe {
	some := LeafHash([]byte("some"))
	ps := []consistencyProbe{
		{size1 - 1, size2, root1, root2, proof, "size1 - 1"},
		{size1 + 1, size2, root1, root2, proof, "size1 + 1"},
		{size1 ^ 2, size2, root1, root2, proof, "size1 ^ 2"},
		{size1, size2 * 2, root1, root2, proof, "size2 * 2"},
		{size1, size2 / 2, root1, root2, proof, "size2 / 2"},
		{size1, size2, some, root2, proof, "wrong root1"},
		{size1, size2, root1, some, proof, "wrong root2"},
		{size1, size2, root2, root1, proof, "swapped roots"},
		{size1, size2, root1, root2, nil, "empty proof"},
		{size1, size2, root1, root2, append(slices.Clone(proof), root1), "trailing root1"},
		{size1, size2, root1, root2, append(slices.Clone(proof), root2), "trailing root2"},
		{size1, size2, root1, root2, append([]Hash{root1}, proof...), "preceding root1"},
		{size1, size2, root1, root2, append([]Hash{root2}, proof...), "preceding root2"},
		{size1, size2, root1, root2, append([]Hash{proof[0]}, proof...), "preceding proof[0]"},
		{size1, size2, root1, root2, proof[:len(proof)-1], "truncated proof"},
	}
	for i := range proof {
		p := slices.Clone(proof)
		p[i][0] ^= 16
		ps = append(ps, consistencyProbe{size1, size2, root1, root2, p, "flipped bit"})
	}
	return ps
}
