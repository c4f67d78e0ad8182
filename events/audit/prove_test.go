package audit

import (
	"errors"
	"testing"

	"github.com/comite-partenaires/comite/events/merkle"
)

// TestProofs: inclusion proofs for events of a bundle verify against the bundle's
// checkpoints and manifest (roots the proof does not come with), consistency proofs
// between any two checkpoints verify against their sealed roots, and a proof checked
// against another root, or for a tampered bundle, fails.
func TestProofs(t *testing.T) {
	st, _ := buildLog(t, 300, 50)
	dir, m := exportAll(t, st, Filter{})
	cps, err := readLines[Checkpoint](dir + "/" + CheckpointsFile)
	if err != nil || len(cps) < 3 {
		t.Fatalf("checkpoints: %d %v", len(cps), err)
	}
	lines := bundleLines(t, dir)
	for _, i := range []int{0, 1, 37, len(lines) / 2, len(lines) - 1} {
		ev := decodeEvent(t, lines[i])
		p, err := ProveInclusion(dir, ev.ID.String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Index != uint64(i) || p.Position != ev.Position || p.TreeSize != m.TreeSize || p.Root != m.Root {
			t.Fatalf("proof of line %d: %+v", i, p)
		}
		if err := merkle.VerifyInclusion(p.Index, m.TreeSize, p.Leaf, p.Proof, m.Root); err != nil {
			t.Fatalf("line %d against the manifest's root: %v", i, err)
		}
		// Against a checkpoint that covers it: the tree of that checkpoint's size.
		for _, c := range cps {
			if uint64(i) >= c.Size {
				continue
			}
			q, err := ProveInclusion(dir, ev.ID.String(), c.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := merkle.VerifyInclusion(q.Index, c.Size, q.Leaf, q.Proof, c.Root); err != nil {
				t.Fatalf("line %d against checkpoint %d: %v", i, c.Size, err)
			}
			if err := merkle.VerifyInclusion(q.Index, c.Size, q.Leaf, q.Proof, m.Root); err == nil && c.Size != m.TreeSize {
				t.Fatalf("line %d: a proof for checkpoint %d verified against another root", i, c.Size)
			}
			break
		}
	}
	for i := range cps {
		for j := i; j < len(cps); j++ {
			p, err := ProveConsistency(dir, cps[i].Size, cps[j].Size)
			if err != nil {
				t.Fatal(err)
			}
			if p.OldRoot != cps[i].Root || p.NewRoot != cps[j].Root {
				t.Fatalf("consistency %d→%d: roots %s %s, sealed %s %s", cps[i].Size, cps[j].Size, p.OldRoot, p.NewRoot, cps[i].Root, cps[j].Root)
			}
			if err := merkle.VerifyConsistency(cps[i].Size, cps[j].Size, p.Proof, cps[i].Root, cps[j].Root); err != nil {
				t.Fatalf("consistency %d→%d: %v", cps[i].Size, cps[j].Size, err)
			}
		}
	}
	if _, err := ProveInclusion(dir, "no-such-event", 0); err == nil {
		t.Fatal("a proof for an event not in the bundle")
	}
	if _, err := ProveConsistency(dir, 10, m.TreeSize+1); err == nil {
		t.Fatal("a consistency proof past the bundle")
	}
	// A tampered bundle gives no proof.
	bad := copyBundle(t, dir)
	tampered := bundleLines(t, bad)
	e := decodeEvent(t, tampered[5])
	e.Hash = e.PrevHash
	if e.Hash == "" {
		e.Hash = decodeEvent(t, tampered[6]).Hash
	}
	tampered[5] = encodeEvent(t, e)
	writeLines(t, bad, tampered)
	if _, err := ProveInclusion(bad, e.ID.String(), 0); err == nil {
		t.Fatal("a proof from a tampered bundle")
	}
	// A filtered bundle cannot prove.
	filtered, _ := exportAll(t, st, Filter{Contexts: []string{"opinions"}})
	if _, err := ProveConsistency(filtered, 1, 2); !errors.Is(err, ErrNotWhole) {
		t.Fatalf("filtered bundle: %v", err)
	}
}
