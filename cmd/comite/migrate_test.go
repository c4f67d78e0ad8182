package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdbdouble"
)

// TestMigrateRoundTrip: the demo committee's log (with sealed audit checkpoints) goes
// from a JetStream data directory to EventStoreDB (the double) and back into a new data
// directory; the events come back byte for byte (envelopes as stored, positions
// included), the migration resumes without copying twice, and the copy's audit bundle
// verifies against the original's published root.
func TestMigrateRoundTrip(t *testing.T) {
	t.Setenv(envTestStore, "") // the demo log is a JetStream one
	dir := t.TempDir()
	data, back := filepath.Join(dir, "data"), filepath.Join(dir, "back")
	startServer(t, serverConfig{systemConfig: systemConfig{DataDir: data, CheckpointEvery: 20}, Demo: true}).stop()
	d := esdbdouble.New()
	url, err := d.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()

	for i, args := range [][]string{
		{"migrate", "--from", "jetstream:" + data, "--to", url},
		{"migrate", "--from", "jetstream:" + data, "--to", url}, // again: nothing to copy
		{"migrate", "--from", url, "--to", "jetstream:" + back},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || !strings.Contains(errOut, "migrating") || !strings.Contains(out, "hash chains verified") {
			t.Fatalf("%v: %d %s %s", args, code, out, errOut)
		}
		if i == 1 && !strings.Contains(out, " 0 copied") {
			t.Fatalf("second migration copied again: %s", out)
		}
	}
	original, copied := storedEnvelopes(t, data), storedEnvelopes(t, back)
	if len(original) < 50 || len(original) != len(copied) {
		t.Fatalf("%d events in the original, %d in the copy", len(original), len(copied))
	}
	for i := range original {
		if !bytes.Equal(original[i], copied[i]) {
			t.Fatalf("event %d differs:\n%s\n%s", i, original[i], copied[i])
		}
	}
	bundles := map[string]string{data: filepath.Join(dir, "b1"), back: filepath.Join(dir, "b2")}
	for from, bundle := range bundles {
		if code, out, errOut := runCLI(t, "audit", "export", "-o", bundle, "--data", from); code != 0 {
			t.Fatalf("export %s: %d %s %s", from, code, out, errOut)
		}
	}
	m := readManifest(t, bundles[data])
	root := audit.RootAt{Size: m.TreeSize, Root: m.Root}.String()
	if m.Checkpoints < 1 {
		t.Fatalf("the demo log has no checkpoint: %+v", m)
	}
	if code, out, errOut := runCLI(t, "audit", "verify", bundles[back], "--root", root); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify the copy's bundle against the original's root: %d %s %s", code, out, errOut)
	}
	// A target that is not a copy of the source is refused.
	empty := esdbdouble.New()
	emptyURL, err := empty.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Stop()
	if code, _, errOut := runCLI(t, "migrate", "-q", "--from", emptyURL, "--to", "jetstream:"+back); code != 1 || !strings.Contains(errOut, "not a copy") {
		t.Fatalf("migrating into a foreign log: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "migrate", "--from", "nope", "--to", url); code != 1 {
		t.Fatalf("bad --from: %d", code)
	}
	if code, _, _ := runCLI(t, "migrate", "--from", url); code != 2 {
		t.Fatalf("no --to: %d", code)
	}
}

// storedEnvelopes returns every event of a data directory's log as the JSON envelope
// the store holds, position included, in global order.
func storedEnvelopes(t *testing.T, dir string) [][]byte {
	t.Helper()
	st, closeLog, err := openLog(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	var out [][]byte
	v := events.NewChainVerifier()
	for e, err := range st.ReadAll(t.Context(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(e); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
