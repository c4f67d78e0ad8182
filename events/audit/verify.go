package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Roots are tree heads published outside the bundle (external witnesses): each must
	// be the root the bundle's events recompute at its size.
	Roots []RootAt
	// Workers decode and hash lines in parallel (GOMAXPROCS when zero).
	Workers int
	// Progress, when set, is called every few thousand events with the count verified.
	Progress func(events uint64)
}

// Report summarises a bundle that verified.
type Report struct {
	Manifest Manifest
	Events   uint64
	Streams  int
	// Roots is how many tree heads were recomputed and matched (checkpoints, manifest,
	// --root witnesses); Proofs how many inclusion and consistency proofs verified.
	Roots  int
	Proofs int
	// Partial is set for a filtered bundle: chains and inclusion proofs were checked,
	// the roots could not be recomputed.
	Partial bool
}

// Verify checks a bundle with nothing but its files: every line decodes, positions
// strictly increase, every event matches its hash and links to its stream's previous
// one, and the Merkle roots recomputed from the events equal every checkpoint, the
// manifest and the external roots given. It returns a *Failure (errors.Is ErrVerify)
// naming the first event altered, removed, inserted or reordered; other errors mean the
// bundle could not be read.
func Verify(dir string, opts VerifyOptions) (Report, error) {
	m, err := readManifest(dir)
	if err != nil {
		return Report{}, err
	}
	cps, err := readLines[Checkpoint](filepath.Join(dir, CheckpointsFile))
	if err != nil {
		return Report{}, err
	}
	var proofs []Proof
	if m.Filter.Partial() {
		if proofs, err = readLines[Proof](filepath.Join(dir, ProofsFile)); err != nil {
			return Report{}, err
		}
	}
	f, err := os.Open(filepath.Join(dir, EventsFile))
	if err != nil {
		return Report{}, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	return verifyEvents(m, cps, proofs, f, opts)
}

// verifyEvents is Verify once the small files are read.
func verifyEvents(m Manifest, cps []Checkpoint, proofs []Proof, events io.Reader, opts VerifyOptions) (Report, error) {
	v, err := newVerifier(m, cps, opts)
	if err != nil {
		return Report{}, err
	}
	v.proofs = proofs
	readErr := decodeLines(events, opts.Workers, v.step)
	if v.fail == nil && readErr != nil {
		v.fail = &Failure{Kind: Malformed, Line: int(v.count) + 1, Detail: readErr.Error()}
	}
	if !v.stopped {
		v.end()
	}
	if fail := v.result(); fail != nil {
		return Report{}, fail
	}
	return Report{Manifest: m, Events: v.count, Streams: len(v.streams), Roots: v.roots, Proofs: v.proofCount,
		Partial: m.Filter.Partial()}, nil
}

func readManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("audit: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, &Failure{Kind: Malformed, Detail: ManifestFile + ": " + err.Error()}
	}
	if m.Format != Format {
		return m, &Failure{Kind: BadManifest, Detail: fmt.Sprintf("format %q, this verifier reads %q", m.Format, Format)}
	}
	return m, nil
}

// readLines reads a small JSON-lines file entirely.
func readLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, &Failure{Kind: Malformed, Detail: fmt.Sprintf("%s line %d: %v", filepath.Base(path), n, err)}
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, &Failure{Kind: Malformed, Detail: fmt.Sprintf("%s: %v", filepath.Base(path), err)}
	}
	return out, nil
}
