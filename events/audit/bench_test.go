package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// benchEvents is the size of the benchmarks' log: AUDIT_BENCH_EVENTS (20 000 by
// default; `go tool task bench:audit` runs 1 000 000).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("AUDIT_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// generate yields n realistic chained events (500 streams of four categories, payloads
// of a few hundred bytes with text, numbers and nested values), in global order, with a
// checkpoint-sized gap of nothing: positions 1..n.
func generate(n int) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		cats := []string{"opinion", "consultation", "group", "sheet"}
		type stream struct {
			name string
			rev  uint64
			hash string
		}
		streams := make([]stream, 500)
		for i := range streams {
			streams[i].name = events.StreamName(cats[i%len(cats)], uuid.NewSHA1(uuid.NameSpaceOID, []byte(strconv.Itoa(i))))
		}
		t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		for i := range n {
			s := &streams[(i*7919)%len(streams)]
			data := fmt.Appendf(nil, `{"opinion_id":%q,"version":%d,"changes":[[%d,"Le comité recommande que l'école"],-3,12],`+
				`"summary":"Amendement n°%d : précisions sur l'accès aux ressources numériques & <données>","weight":%d.5}`,
				s.name, s.rev, i%977, i, i%31)
			ev := events.Event{ID: events.DeriveID("bench-"+strconv.Itoa(i), 0), Type: "opinions.draft.changed", Schema: 1,
				Stream: s.name, Revision: s.rev, Position: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Second),
				Meta: events.Meta{CommandID: "bench-" + strconv.Itoa(i), CorrelationID: "corr-" + strconv.Itoa(i/3),
					Actor: events.Actor{User: "membre@exemple.fr", Organisation: "f12768dc-e183-53ce-b615-448db706b8ed", Role: "member"}},
				Data: data}
			if err := events.Chain(&ev, s.hash); err != nil {
				yield(events.Event{}, err)
				return
			}
			s.rev, s.hash = s.rev+1, ev.Hash
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// benchBuilt is set once the benchmarks' bundle exists (TestMain removes it).
var benchBuilt bool

var benchBundleOnce = sync.OnceValues(func() (string, error) {
	benchBuilt = true
	dir, err := os.MkdirTemp("", "audit-bench-")
	if err != nil {
		return "", err
	}
	_, err = Export(generate(benchEvents()), filepath.Join(dir, "b"), ExportOptions{})
	return filepath.Join(dir, "b"), err
})

func benchBundle(b *testing.B) string {
	dir, err := benchBundleOnce()
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func reportRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkGenerate is the export's baseline: making and chaining the events alone.
func BenchmarkGenerate(b *testing.B) {
	n := benchEvents()
	for b.Loop() {
		for _, err := range generate(n) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	reportRate(b, n)
}

// BenchmarkExport exports the benchmark bundle's events again (Merkle tree with proofs,
// JSON lines, fsync), read from its events file: BenchmarkBaselineDecode is the reading
// alone.
func BenchmarkExport(b *testing.B) {
	src := filepath.Join(benchBundle(b), EventsFile)
	n := 0
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "b")
		m, err := Export(readEvents(b, src), dir, ExportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = int(m.Events)
	}
	reportRate(b, n)
}

// readEvents decodes an events file line by line.
func readEvents(b *testing.B, path string) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), maxLine)
		for sc.Scan() {
			var e events.Event
			err := json.Unmarshal(sc.Bytes(), &e)
			if !yield(e, err) {
				return
			}
		}
	}
}

// BenchmarkVerify verifies the bundle (decode, per-event hash, chains, Merkle roots).
func BenchmarkVerify(b *testing.B) {
	dir := benchBundle(b)
	var rep Report
	for b.Loop() {
		var err error
		if rep, err = Verify(dir, VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, int(rep.Events))
}

// BenchmarkBaselineSHA256 hashes the events file's bytes once: the floor of any check
// that reads every byte.
func BenchmarkBaselineSHA256(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join(benchBundle(b), EventsFile))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		sha256.Sum256(raw)
	}
	reportRate(b, benchEvents())
}

// BenchmarkBaselineDecode decodes every line into an envelope, on one goroutine, and
// nothing else.
func BenchmarkBaselineDecode(b *testing.B) {
	src := filepath.Join(benchBundle(b), EventsFile)
	n := 0
	for b.Loop() {
		n = 0
		for _, err := range readEvents(b, src) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	reportRate(b, n)
}

// TestMain removes the benchmarks' bundle.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchBuilt {
		if dir, err := benchBundleOnce(); err == nil {
			_ = os.RemoveAll(filepath.Dir(dir))
		}
	}
	os.Exit(code)
}
