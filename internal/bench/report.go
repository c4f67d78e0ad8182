// Package bench holds what every `comite bench` scenario shares: results measured side
// by side with a baseline from the same run (Result, Report), their table and JSON forms,
// latency percentiles (Latencies), a closed-loop load generator (Load) and the raw
// JetStream baseline (RawPublish).
//
// A ratio is always "higher is better": value/baseline for rates, baseline/value for
// latencies. Numbers measured on a shared machine are noisy; ratios much less so.
package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is one measured quantity next to the same quantity for the baseline.
type Result struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	// Ratio is value/baseline for rates, baseline/value for latencies: higher is better.
	Ratio float64 `json:"ratio"`
}

// Rate is a result where more is better (events/s, commands/s): ratio = value/baseline.
func Rate(name string, value, baseline float64, unit string) Result {
	return Result{Name: name, Value: round(value), Unit: unit, Baseline: round(baseline), Ratio: round(divide(value, baseline))}
}

// Latency is a result where less is better, in milliseconds: ratio = baseline/value.
func Latency(name string, value, baseline time.Duration) Result {
	v, b := ms(value), ms(baseline)
	return Result{Name: name, Value: round(v), Unit: "ms", Baseline: round(b), Ratio: round(divide(b, v))}
}

// Report is what a scenario prints: its results, and free-form notes (what the
// baseline is, the settings) shown under the table but not in the JSON.
type Report struct {
	Scenario string   `json:"scenario"`
	Results  []Result `json:"results"`
	Notes    []string `json:"-"`
}

// Add appends results.
func (r *Report) Add(rs ...Result) { r.Results = append(r.Results, rs...) }

// Note appends a line shown under the table.
func (r *Report) Note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// WriteJSON writes the report as one JSON object on one line.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Results == nil {
		r.Results = []Result{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// WriteTable writes the report as an aligned table, then its notes.
func (r Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "scenario %s\n", r.Scenario)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "name\tvalue\tbaseline\tunit\tratio\t")
	for _, x := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f×\t\n", x.Name, num(x.Value), num(x.Baseline), x.Unit, x.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace(n))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// divide is a/b, 0 when b is 0 (no baseline) or either is not a number.
func divide(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0
	}
	return a / b
}

// round keeps four significant digits: enough for rates, milliseconds and ratios, no
// false precision, and a tiny ratio stays above zero.
func round(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	scale := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*scale) / scale
}

func num(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 1:
		return fmt.Sprintf("%.2f", x)
	default:
		return fmt.Sprintf("%.3f", x)
	}
}
