package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchSmoke runs every scenario for a very short time, so that `comite bench` cannot
// rot: each prints one JSON report with results that have a baseline and a ratio.
func TestBenchSmoke(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bench", "all", "--duration", "150ms", "--fsync", "interval", "--clients", "3", "--events", "300", "--json", "--tmp", t.TempDir()}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var rep struct {
			Scenario string `json:"scenario"`
			Results  []struct {
				Name                   string
				Value, Baseline, Ratio float64
				Unit                   string
			} `json:"results"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		seen[rep.Scenario] = true
		if len(rep.Results) == 0 {
			t.Errorf("%s: no results", rep.Scenario)
		}
		for _, r := range rep.Results {
			if r.Name == "" || r.Unit == "" || r.Value <= 0 || r.Baseline <= 0 || r.Ratio <= 0 {
				t.Errorf("%s: incomplete result %+v", rep.Scenario, r)
			}
		}
	}
	for _, s := range benchScenarios() {
		if !seen[s.name] {
			t.Errorf("scenario %s printed no report", s.name)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"bench"}, {"bench", "nosuch"}, {"bench", "commands", "--duration", "0s"}, {"bench", "commands", "--fsync", "sometimes"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
		if !strings.Contains(stderr.String(), "Usage: comite bench") && !strings.Contains(stderr.String(), "--duration") {
			t.Errorf("%v: no usage on stderr: %s", args, stderr.String())
		}
	}
}
