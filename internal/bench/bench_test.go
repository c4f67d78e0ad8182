package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/natsembed"
)

func TestRatioIsHigherIsBetter(t *testing.T) {
	r := Rate("commands/s", 3000, 1500, "1/s")
	if r.Ratio != 2 || r.Value != 3000 || r.Baseline != 1500 || r.Unit != "1/s" {
		t.Errorf("rate: %+v, want ratio 2", r)
	}
	l := Latency("p99", 4*time.Millisecond, time.Millisecond)
	if l.Ratio != 0.25 || l.Value != 4 || l.Baseline != 1 || l.Unit != "ms" {
		t.Errorf("latency: %+v, want 4 ms against 1 ms, ratio 0.25", l)
	}
	if tiny := Latency("p50", 300*time.Millisecond, 16*time.Microsecond); tiny.Ratio != 5.333e-05 || tiny.Baseline != 0.016 {
		t.Errorf("tiny ratio: %+v, want four significant digits", tiny)
	}
	if z := Rate("x", 10, 0, "1/s"); z.Ratio != 0 {
		t.Errorf("no baseline: ratio %v, want 0", z.Ratio)
	}
}

func TestReportJSONShape(t *testing.T) {
	rep := Report{Scenario: "commands"}
	rep.Add(Rate("commands/s", 2000, 1000, "1/s"), Latency("p50", 2*time.Millisecond, 500*time.Microsecond))
	rep.Note("not in the JSON")
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("want one line, got %q", buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["scenario"] != "commands" {
		t.Fatalf("top level %v, want scenario and results only", got)
	}
	results, _ := got["results"].([]any)
	if len(results) != 2 {
		t.Fatalf("results %v", got["results"])
	}
	for _, r := range results {
		m := r.(map[string]any)
		for _, k := range []string{"name", "value", "unit", "baseline", "ratio"} {
			if _, ok := m[k]; !ok {
				t.Errorf("result %v lacks %q", m, k)
			}
		}
		if len(m) != 5 {
			t.Errorf("result %v has fields beyond the five", m)
		}
	}
	if ratio := results[1].(map[string]any)["ratio"]; ratio != 0.25 {
		t.Errorf("latency ratio %v, want 0.25", ratio)
	}
	var empty bytes.Buffer
	if err := (Report{Scenario: "none"}).WriteJSON(&empty); err != nil || !strings.Contains(empty.String(), `"results":[]`) {
		t.Errorf("an empty report: %q %v", empty.String(), err)
	}
}

func TestTableShowsRatiosAndNotes(t *testing.T) {
	rep := Report{Scenario: "commands"}
	rep.Add(Rate("commands/s", 2500, 1000, "1/s"))
	rep.Note("baseline: raw")
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scenario commands", "commands/s", "2500", "1000", "2.50×", "baseline: raw"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestPercentiles(t *testing.T) {
	var l Latencies
	if l.Percentile(50) != 0 {
		t.Error("empty: want 0")
	}
	for i := 100; i >= 1; i-- {
		l.Add(time.Duration(i) * time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 99.9: 100 * time.Millisecond, 1: time.Millisecond} {
		if got := l.Percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if l.Max() != 100*time.Millisecond || l.Count() != 100 {
		t.Errorf("max %v count %d", l.Max(), l.Count())
	}
}

func TestLoadCountsCallsAndErrors(t *testing.T) {
	boom := errors.New("boom")
	out, err := Load(context.Background(), 3, 50*time.Millisecond, func(_ context.Context, w, n int) error {
		time.Sleep(time.Millisecond)
		if w == 0 && n%2 == 1 {
			return boom
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Ops == 0 || out.Errors == 0 || !errors.Is(out.FirstError, boom) || int(out.Ops) != out.Latencies.Count() {
		t.Errorf("outcome %+v", out)
	}
	if out.PerSecond() <= 0 {
		t.Errorf("per second %v", out.PerSecond())
	}
	if _, err := Load(context.Background(), 2, 10*time.Millisecond, func(context.Context, int, int) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("all calls failing: %v, want boom", err)
	}
}

func TestRawPublishStoresMessages(t *testing.T) {
	out, err := RawPublish(context.Background(), t.TempDir(), natsembed.FsyncInterval, 2, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if out.Ops == 0 || out.Errors != 0 {
		t.Errorf("outcome %+v (%v)", out, out.FirstError)
	}
}
