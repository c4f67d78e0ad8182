package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
)

// want is what a failure must name.
type want struct {
	kind     Kind
	id       string
	position uint64
	stream   string
	revision uint64
}

func verifyFails(t *testing.T, dir string, w want, opts VerifyOptions) *Failure {
	t.Helper()
	_, err := Verify(dir, opts)
	var f *Failure
	if !errors.As(err, &f) || !errors.Is(err, ErrVerify) {
		t.Fatalf("verify = %v, want a *Failure", err)
	}
	if f.Kind != w.kind || f.EventID != w.id || f.Position != w.position {
		t.Fatalf("failure %v\nwant kind %s, event %s at position %d", f, w.kind, w.id, w.position)
	}
	if w.stream != "" && (f.Stream != w.stream || f.Revision != w.revision) {
		t.Fatalf("failure %v\nwant stream %s revision %d", f, w.stream, w.revision)
	}
	return f
}

// pick returns the index of the first line at or after from whose event satisfies ok.
func pick(t *testing.T, lines [][]byte, from int, ok func(i int, e events.Event) bool) (int, events.Event) {
	t.Helper()
	for i := from; i < len(lines); i++ {
		e := decodeEvent(t, lines[i])
		if e.Type != TypeCheckpointSealed && ok(i, e) {
			return i, e
		}
	}
	t.Fatal("no line fits")
	return 0, events.Event{}
}

// hasSuccessor reports whether a later line holds the next event of e's stream.
func hasSuccessor(t *testing.T, lines [][]byte, i int, e events.Event) bool {
	for _, l := range lines[i+1:] {
		if n := decodeEvent(t, l); n.Stream == e.Stream {
			return true
		}
	}
	return false
}

func TestUntouchedBundleVerifies(t *testing.T) {
	st, _ := buildLog(t, 400, 50)
	dir, m := exportAll(t, st, Filter{})
	if m.Checkpoints != 8 || m.Events != 408 || m.TreeSize != 408 {
		t.Fatalf("manifest %+v", m)
	}
	rep, err := Verify(dir, VerifyOptions{Roots: []RootAt{{Size: m.TreeSize, Root: m.Root}}})
	if err != nil {
		t.Fatal(err)
	}
	// 8 checkpoints + the manifest + the --root; 8 consistency proofs.
	if rep.Events != 408 || rep.Roots != 10 || rep.Proofs != 8 || rep.Streams != 13 {
		t.Fatalf("report %+v", rep)
	}
	// The recomputed roots are the literal RFC 6962 roots of the leaves.
	var leaves []merkle.Hash
	for _, l := range bundleLines(t, dir) {
		leaf, err := Leaf(decodeEvent(t, l))
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, leaf)
	}
	tree := &merkle.Tree{}
	for _, l := range leaves {
		tree.Append(l)
	}
	if root, _ := tree.Root(m.TreeSize); root != m.Root {
		t.Fatalf("manifest root %s, tree %s", m.Root, root)
	}
}

func TestTamperedBundles(t *testing.T) {
	st, _ := buildLog(t, 400, 50)
	orig, _ := exportAll(t, st, Filter{})
	base := bundleLines(t, orig)

	t.Run("one payload byte changed", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 120, func(int, events.Event) bool { return true })
		lines[i] = bytes.Replace(lines[i], []byte("Avis"), []byte("Avjs"), 1)
		writeLines(t, dir, lines)
		verifyFails(t, dir, want{kind: Altered, id: e.ID.String(), position: e.Position, stream: e.Stream, revision: e.Revision}, VerifyOptions{})
	})

	t.Run("payload changed and hash recomputed", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 130, func(i int, e events.Event) bool { return hasSuccessor(t, lines, i, e) })
		e.Data = json.RawMessage(`{"title":"forged"}`)
		if err := events.Chain(&e, e.PrevHash); err != nil {
			t.Fatal(err)
		}
		lines[i] = encodeEvent(t, e)
		writeLines(t, dir, lines)
		verifyFails(t, dir, want{kind: Altered, id: e.ID.String(), position: e.Position, stream: e.Stream, revision: e.Revision}, VerifyOptions{})
	})

	t.Run("one event deleted", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 140, func(i int, e events.Event) bool { return hasSuccessor(t, lines, i, e) })
		writeLines(t, dir, slices.Delete(lines, i, i+1))
		f := verifyFails(t, dir, want{kind: Removed, position: e.Position, stream: e.Stream, revision: e.Revision}, VerifyOptions{})
		if f.MissingHash != e.Hash {
			t.Fatalf("missing hash %s, want %s", f.MissingHash, e.Hash)
		}
	})

	t.Run("last event of a stream deleted", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 0, func(i int, e events.Event) bool { return i < len(lines)-1 && !hasSuccessor(t, lines, i, e) })
		writeLines(t, dir, slices.Delete(lines, i, i+1))
		f := verifyFails(t, dir, want{kind: RootMismatch}, VerifyOptions{})
		if f.Window[0] > e.Position || f.Window[1] < e.Position-1 {
			t.Fatalf("window %v does not hold position %d", f.Window, e.Position)
		}
	})

	forge := func(at events.Event) events.Event {
		f := events.Event{ID: uuid.New(), Type: "opinions.opinion.adopted", Schema: 1, Stream: "opinion-" + uuid.NewString(),
			Time: at.Time, Data: json.RawMessage(`{"text":"forged"}`), Position: at.Position}
		if err := events.Chain(&f, ""); err != nil {
			t.Fatal(err)
		}
		return f
	}

	t.Run("one event inserted, positions renumbered", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 160, func(int, events.Event) bool { return true })
		f := forge(e)
		for j := i; j < len(lines); j++ {
			n := decodeEvent(t, lines[j])
			n.Position++
			lines[j] = encodeEvent(t, n)
		}
		writeLines(t, dir, slices.Insert(lines, i, encodeEvent(t, f)))
		verifyFails(t, dir, want{kind: Inserted, id: f.ID.String(), position: f.Position}, VerifyOptions{})
	})

	t.Run("one event inserted at a taken position", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 170, func(int, events.Event) bool { return true })
		f := forge(e)
		writeLines(t, dir, slices.Insert(lines, i, encodeEvent(t, f)))
		verifyFails(t, dir, want{kind: Inserted, id: f.ID.String(), position: f.Position}, VerifyOptions{})
	})

	t.Run("two events swapped", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, a := pick(t, lines, 200, func(int, events.Event) bool { return true })
		j, b := pick(t, lines, i+3, func(_ int, e events.Event) bool { return e.Stream != a.Stream })
		lines[i], lines[j] = lines[j], lines[i]
		writeLines(t, dir, lines)
		verifyFails(t, dir, want{kind: Reordered, id: b.ID.String(), position: b.Position}, VerifyOptions{})
	})

	t.Run("two events swapped with their positions", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, a := pick(t, lines, 210, func(int, events.Event) bool { return true })
		j, b := pick(t, lines, i+1, func(_ int, e events.Event) bool { return e.Stream != a.Stream })
		a.Position, b.Position = b.Position, a.Position
		lines[i], lines[j] = encodeEvent(t, b), encodeEvent(t, a)
		writeLines(t, dir, lines)
		f := verifyFails(t, dir, want{kind: RootMismatch}, VerifyOptions{})
		if f.Window[0] > a.Position || f.Window[1] < b.Position {
			t.Fatalf("window %v does not hold positions %d and %d", f.Window, a.Position, b.Position)
		}
	})

	t.Run("positions shifted", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		i, e := pick(t, lines, 300, func(int, events.Event) bool { return true })
		for j := i; j < len(lines); j++ {
			n := decodeEvent(t, lines[j])
			n.Position += 10
			lines[j] = encodeEvent(t, n)
		}
		writeLines(t, dir, lines)
		// The first checkpoint after the shift names the event it ends on.
		var cp CheckpointSealed
		for _, l := range base[i:] {
			if c := decodeEvent(t, l); c.Type == TypeCheckpointSealed {
				if err := json.Unmarshal(c.Data, &cp); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		_, last := pick(t, base, 0, func(_ int, e events.Event) bool { return e.Position == cp.Position })
		if cp.Position < e.Position {
			t.Fatalf("checkpoint at %d before the shift at %d", cp.Position, e.Position)
		}
		verifyFails(t, dir, want{kind: Reordered, id: last.ID.String(), position: last.Position + 10}, VerifyOptions{})
	})

	t.Run("end truncated", func(t *testing.T) {
		dir, lines := copyBundle(t, orig), slices.Clone(base)
		last := decodeEvent(t, lines[len(lines)-4])
		writeLines(t, dir, lines[:len(lines)-3])
		verifyFails(t, dir, want{kind: Truncated, id: last.ID.String(), position: last.Position}, VerifyOptions{})
	})

	t.Run("manifest root changed", func(t *testing.T) {
		dir := copyBundle(t, orig)
		editManifest(t, dir, func(m *Manifest) { m.Root[0] ^= 1 })
		verifyFails(t, dir, want{kind: BadManifest, id: decodeEvent(t, base[50]).ID.String(), position: decodeEvent(t, base[50]).Position}, VerifyOptions{})
	})

	t.Run("manifest count changed", func(t *testing.T) {
		dir := copyBundle(t, orig)
		editManifest(t, dir, func(m *Manifest) { m.Events-- })
		verifyFails(t, dir, want{kind: BadManifest}, VerifyOptions{})
	})

	t.Run("checkpoint line changed", func(t *testing.T) {
		dir := copyBundle(t, orig)
		cps, err := readLines[Checkpoint](filepath.Join(dir, CheckpointsFile))
		if err != nil {
			t.Fatal(err)
		}
		cps = cps[1:]
		var buf bytes.Buffer
		for _, c := range cps {
			b, _ := json.Marshal(c)
			buf.Write(append(b, '\n'))
		}
		if err := os.WriteFile(filepath.Join(dir, CheckpointsFile), buf.Bytes(), 0o640); err != nil {
			t.Fatal(err)
		}
		sealed := decodeEvent(t, base[50])
		verifyFails(t, dir, want{kind: BadManifest, id: sealed.ID.String(), position: sealed.Position}, VerifyOptions{})
	})
}

func editManifest(t *testing.T, dir string, edit func(*Manifest)) {
	t.Helper()
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(&m)
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o640); err != nil {
		t.Fatal(err)
	}
}
