package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
)

// quiet discards the sealer's log.
var quiet = slog.New(slog.DiscardHandler)

// testClock is a fixed, advancing clock.
func testClock() func() time.Time {
	t := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(1500 * time.Millisecond); return t }
}

// buildLog appends n realistic events over a few streams of several categories to a
// memory store, sealing a checkpoint every sealEvery events (0: none).
func buildLog(t testing.TB, n int, sealEvery int) (*memstore.Store, *events.Registry) {
	t.Helper()
	ctx := context.Background()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	reg := events.NewRegistry()
	sealer, err := NewSealer(SealerConfig{Store: st, Registry: reg, Clock: testClock(), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	cats := []string{"opinion", "consultation", "group", "organisation"}
	var streams []string
	for i := range 12 {
		streams = append(streams, events.StreamName(cats[i%len(cats)], uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i)})))
	}
	clock := testClock()
	for i := range n {
		stream := streams[rnd.IntN(len(streams))]
		data, _ := json.Marshal(map[string]any{"title": fmt.Sprintf("Avis n°%d <sur> l'école & le numérique", i),
			"weight": rnd.IntN(100), "choices": []string{"pour", "contre"}})
		ev := events.Event{ID: events.DeriveID(fmt.Sprintf("cmd-%d", i), 0), Type: "opinions.opinion.edited", Schema: 1,
			Stream: stream, Time: clock(), Data: data,
			Meta: events.Meta{CommandID: fmt.Sprintf("cmd-%d", i), Actor: events.Actor{User: "u", Role: "member"}}}
		if _, err := st.Append(ctx, stream, store.Any, ev); err != nil {
			t.Fatal(err)
		}
		if sealEvery > 0 && (i+1)%sealEvery == 0 {
			if _, err := sealer.SealOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st, reg
}

// exportAll exports the whole store into a fresh directory.
func exportAll(t testing.TB, st store.Store, f Filter) (string, Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	m, err := Export(st.ReadAll(context.Background(), store.Start), dir, ExportOptions{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// bundleLines reads the events file's lines.
func bundleLines(t testing.TB, dir string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func writeLines(t testing.TB, dir string, lines [][]byte) {
	t.Helper()
	out := append(bytes.Join(lines, []byte("\n")), '\n')
	if err := os.WriteFile(filepath.Join(dir, EventsFile), out, 0o640); err != nil {
		t.Fatal(err)
	}
}

func decodeEvent(t testing.TB, line []byte) events.Event {
	t.Helper()
	var e events.Event
	if err := json.Unmarshal(line, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func encodeEvent(t testing.TB, e events.Event) []byte {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyBundle copies a bundle directory, to tamper with the copy.
func copyBundle(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(out, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return out
}
