package merkle

import (
	"encoding/json"
	"testing"
)

// proofDoc is a proof as JSON carries it (bundles do): decoding and verifying arbitrary
// input must never panic, and a proof that verifies must verify against the tree it names.
type proofDoc struct {
	Index uint64 `json:"index"`
	Size  uint64 `json:"size"`
	Size2 uint64 `json:"size2"`
	Leaf  Hash   `json:"leaf"`
	Root  Hash   `json:"root"`
	Root2 Hash   `json:"root2"`
	Proof []Hash `json:"proof"`
}

func FuzzVerifyProof(f *testing.F) {
	tree := &Tree{}
	for i := range 13 {
		tree.Append(LeafHash([]byte{byte(i)}))
	}
	seed := func(index, size, size2 uint64) {
		leaf, _ := tree.Leaf(index)
		root, _ := tree.Root(size)
		root2, _ := tree.Root(size2)
		p, _ := tree.InclusionProof(index, size)
		b, _ := json.Marshal(proofDoc{Index: index, Size: size, Size2: size2, Leaf: leaf, Root: root, Root2: root2, Proof: p})
		f.Add(b)
		c, _ := tree.ConsistencyProof(size, size2)
		b, _ = json.Marshal(proofDoc{Index: index, Size: size, Size2: size2, Leaf: leaf, Root: root, Root2: root2, Proof: c})
		f.Add(b)
	}
	seed(0, 1, 13)
	seed(4, 7, 12)
	seed(6, 8, 13)
	f.Add([]byte(`{"index":0,"size":0,"proof":["zz"]}`))
	f.Add([]byte(`{"index":18446744073709551615,"size":18446744073709551615,"size2":18446744073709551615,"proof":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d proofDoc
		if json.Unmarshal(data, &d) != nil {
			return
		}
		if VerifyInclusion(d.Index, d.Size, d.Leaf, d.Proof, d.Root) == nil {
			if d.Index >= d.Size {
				t.Fatalf("verified a leaf %d outside a tree of %d", d.Index, d.Size)
			}
			if d.Size <= tree.Size() && d.Index < tree.Size() {
				want, _ := tree.Root(d.Size)
				leaf, _ := tree.Leaf(d.Index)
				if d.Root == want && d.Leaf != leaf {
					t.Fatalf("verified a wrong leaf for index %d", d.Index)
				}
			}
		}
		if VerifyConsistency(d.Size, d.Size2, d.Proof, d.Root, d.Root2) == nil && d.Size > d.Size2 {
			t.Fatalf("verified consistency backwards: %d → %d", d.Size, d.Size2)
		}
	})
}
