package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
)

func TestFilteredBundle(t *testing.T) {
	st, _ := buildLog(t, 300, 40)
	full, fm := exportAll(t, st, Filter{})
	dir, m := exportAll(t, st, Filter{Contexts: []string{"opinion"}})
	if m.TreeSize != fm.TreeSize || m.Root != fm.Root || m.Events == 0 || m.Events >= fm.Events || m.Checkpoints != fm.Checkpoints {
		t.Fatalf("filtered manifest %+v, full %+v", m, fm)
	}
	rep, err := Verify(dir, VerifyOptions{Roots: []RootAt{{Size: fm.TreeSize, Root: fm.Root}}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Partial || rep.Events != m.Events || rep.Proofs != int(m.Events)+m.Checkpoints || rep.Roots != 1 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := Verify(dir, VerifyOptions{Roots: []RootAt{{Size: 5, Root: fm.Root}}}); err == nil || errors.Is(err, ErrVerify) {
		t.Fatalf("a root the filtered bundle cannot recompute: %v", err)
	}
	if _, err := Verify(full, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}

	lines := bundleLines(t, dir)
	t.Run("altered", func(t *testing.T) {
		d, ls := copyBundle(t, dir), slices.Clone(lines)
		e := decodeEvent(t, ls[7])
		ls[7] = bytes.Replace(ls[7], []byte("Avis"), []byte("Avjs"), 1)
		writeLines(t, d, ls)
		verifyFails(t, d, want{kind: Altered, id: e.ID.String(), position: e.Position}, VerifyOptions{})
	})
	t.Run("forged with a valid hash", func(t *testing.T) {
		d, ls := copyBundle(t, dir), slices.Clone(lines)
		e := decodeEvent(t, ls[len(ls)-1])
		e.Data = json.RawMessage(`{"title":"forged"}`)
		if err := events.Chain(&e, e.PrevHash); err != nil {
			t.Fatal(err)
		}
		ls[len(ls)-1] = encodeEvent(t, e)
		writeLines(t, d, ls)
		verifyFails(t, d, want{kind: Altered, id: e.ID.String(), position: e.Position}, VerifyOptions{})
	})
	t.Run("removed", func(t *testing.T) {
		d, ls := copyBundle(t, dir), slices.Clone(lines)
		i, e := pick(t, ls, 5, func(i int, e events.Event) bool { return hasSuccessor(t, ls, i, e) })
		writeLines(t, d, slices.Delete(ls, i, i+1))
		verifyFails(t, d, want{kind: Removed, position: e.Position}, VerifyOptions{})
	})
}

func TestRangedBundle(t *testing.T) {
	st, _ := buildLog(t, 300, 40)
	_, full := exportAll(t, st, Filter{})
	dir, m := exportAll(t, st, Filter{From: 100, To: 250})
	if m.Prefix == nil || m.Prefix.Size != 99 || m.FirstPosition != 100 || m.LastPosition != 250 || m.TreeSize != 250 {
		t.Fatalf("manifest %+v", m)
	}
	early := exportHead(t, st, 41) // a head from before the range, not among its checkpoints
	if _, err := Verify(dir, VerifyOptions{Roots: []RootAt{early}}); err == nil || errors.Is(err, ErrVerify) {
		t.Fatalf("a head the bundle cannot recompute: %v", err)
	}
	if _, err := Verify(dir, VerifyOptions{Roots: []RootAt{exportHead(t, st, 200)}}); err != nil {
		t.Fatal(err)
	}
	// A bundle cut short with its manifest rewritten is a valid shorter bundle: only a
	// head published beyond it (an external witness) shows what is missing.
	f := verifyFails(t, dir, want{kind: Truncated, id: decodeEvent(t, bundleLines(t, dir)[m.Events-1]).ID.String(), position: 250},
		VerifyOptions{Roots: []RootAt{{Size: full.TreeSize, Root: full.Root}}})
	if f.Detail == "" {
		t.Fatal("no detail")
	}
	wrong := exportHead(t, st, 200)
	wrong.Root[3] ^= 1
	verifyFails(t, dir, want{kind: RootMismatch}, VerifyOptions{Roots: []RootAt{wrong}})

	lines := bundleLines(t, dir)
	d := copyBundle(t, dir)
	e := decodeEvent(t, lines[0])
	ls := slices.Clone(lines)
	ls[0] = bytes.Replace(ls[0], []byte("Avis"), []byte("Avjs"), 1)
	writeLines(t, d, ls)
	verifyFails(t, d, want{kind: Altered, id: e.ID.String(), position: e.Position}, VerifyOptions{})
}

// exportHead is the head of the log's first size events.
func exportHead(t *testing.T, st store.Store, size uint64) RootAt {
	t.Helper()
	_, m := exportAll(t, st, Filter{To: size})
	if m.TreeSize != size {
		t.Fatalf("positions are not dense: tree of %d at position %d", m.TreeSize, size)
	}
	return RootAt{Size: size, Root: m.Root}
}

func TestExportRefusesAnExistingBundle(t *testing.T) {
	st, _ := buildLog(t, 5, 0)
	dir, _ := exportAll(t, st, Filter{})
	if _, err := Export(st.ReadAll(context.Background(), store.Start), dir, ExportOptions{}); !errors.Is(err, ErrExport) {
		t.Fatalf("second export into %s: %v", dir, err)
	}
}

func TestEmptyLog(t *testing.T) {
	st := memstore.New()
	defer st.Close()
	dir, m := exportAll(t, st, Filter{})
	if m.Events != 0 || m.TreeSize != 0 {
		t.Fatalf("manifest %+v", m)
	}
	if _, err := Verify(dir, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestParseRootAt(t *testing.T) {
	h := fmt.Sprintf("%064x", 7)
	r, err := ParseRootAt(h + "@12")
	if err != nil || r.Size != 12 || r.String() != h+"@12" {
		t.Fatalf("%v %v", r, err)
	}
	for _, bad := range []string{h, h + "@0", h + "@x", "zz@3", h[:10] + "@3"} {
		if _, err := ParseRootAt(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestSealerFollowsTheLog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := memstore.New()
	defer st.Close()
	reg := events.NewRegistry()
	s, err := NewSealer(SealerConfig{Store: st, Registry: reg, Every: 10, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 30 {
				stream := fmt.Sprintf("group-w%d", w)
				ev := events.Event{ID: events.DeriveID(fmt.Sprintf("w%d-%d", w, i), 0), Type: "workinggroups.group.renamed",
					Schema: 1, Stream: stream, Time: time.Now(), Data: json.RawMessage(`{"n":1}`)}
				if _, err := st.Append(ctx, stream, store.Any, ev); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	c, err := s.Seal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	covered := 0
	for ev, err := range st.ReadAll(ctx, store.Start) {
		if err == nil && ev.Position <= c.Position && ev.Type != TypeCheckpointSealed {
			covered++
		}
	}
	if covered != 90 {
		t.Fatalf("the on-demand checkpoint %d@%d covers %d of the 90 events appended before it", c.Size, c.Position, covered)
	}
	again, err := s.Seal(ctx)
	if err != nil || again.Size != c.Size {
		t.Fatalf("a second seal with nothing new: %+v, %v", again, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A restarted sealer resumes from its last checkpoint and seals what came since.
	ev := events.Event{ID: events.DeriveID("late", 0), Type: "workinggroups.group.renamed", Schema: 1, Stream: "group-late",
		Time: time.Now(), Data: json.RawMessage(`{}`)}
	late, err := st.Append(context.Background(), "group-late", store.NoStream, ev)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := NewSealer(SealerConfig{Store: st, Registry: events.NewRegistry(), Log: quiet})
	c2, err := s2.SealOnce(context.Background())
	if err != nil || c2.Position != late.Position || c2.Size <= c.Size {
		t.Fatalf("resumed checkpoint %d@%d, want it to cover position %d (after %d), %v", c2.Size, c2.Position, late.Position, c.Size, err)
	}
	dir, m := exportAll(t, st, Filter{})
	rep, err := Verify(dir, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Checkpoints < 2 || rep.Roots != m.Checkpoints+1 {
		t.Fatalf("%d checkpoints, %d roots", m.Checkpoints, rep.Roots)
	}
}

// TestSealerCatchesUpOnce: a sealer started on a long log without checkpoints seals one
// checkpoint once caught up, then one every Every events.
func TestSealerCatchesUpOnce(t *testing.T) {
	st, _ := buildLog(t, 95, 0)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := NewSealer(SealerConfig{Store: st, Registry: events.NewRegistry(), Every: 10, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c, err := s.Seal(ctx)
	if err != nil || c.Size != 95 {
		t.Fatalf("checkpoint %d, %v", c.Size, err)
	}
	for i := range 10 {
		ev := events.Event{ID: events.DeriveID(fmt.Sprintf("more-%d", i), 0), Type: "t.t.t", Schema: 1, Stream: "group-more",
			Time: time.Now(), Data: json.RawMessage(`{}`)}
		if _, err := st.Append(ctx, "group-more", store.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = s.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var sizes []uint64
	for ev, err := range st.Read(context.Background(), CheckpointStream, 0) {
		if err != nil {
			t.Fatal(err)
		}
		var cp CheckpointSealed
		_ = json.Unmarshal(ev.Data, &cp)
		sizes = append(sizes, cp.Size)
	}
	// 95 once caught up (its event is the 96th); 100 at the fourth new event; on demand,
	// 106 or 107 (whether the checkpoint at 100 was in the log when Seal asked).
	if len(sizes) != 3 || sizes[0] != 95 || sizes[1] != 100 || sizes[2] < 106 || c.Size != sizes[2] {
		t.Fatalf("checkpoints over %v", sizes)
	}
}

func FuzzVerifyLines(f *testing.F) {
	st, _ := buildLog(f, 30, 10)
	dir, _ := exportAll(f, st, Filter{})
	lines := bundleLines(f, dir)
	f.Add(bytes.Join(lines[:5], []byte("\n")))
	f.Add(lines[3])
	f.Add([]byte(`{"id":"x"}`))
	f.Add([]byte("{}\n\n{}"))
	m, err := readManifest(dir)
	if err != nil {
		f.Fatal(err)
	}
	cps, err := readLines[Checkpoint](filepath.Join(dir, CheckpointsFile))
	if err != nil {
		f.Fatal(err)
	}
	orig := bytes.Join(lines, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := verifyEvents(m, cps, nil, bytes.NewReader(data), VerifyOptions{Workers: 2})
		// Anything but the original lines (blank lines aside) must fail.
		if err == nil && !bytes.Equal(bytes.Join(bytes.Fields(data), nil), orig) {
			t.Fatalf("a changed events file verified:\n%s", data)
		}
	})
}
