package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/internal/bench"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// benchOptions are the flags every scenario shares.
type benchOptions struct {
	// Duration of each measured phase (the system's and the baseline's alike).
	Duration time.Duration
	// Clients is the number of concurrent clients of the system (0: the scenario's own).
	Clients int
	// Events is the size of the log a scenario builds (0: the scenario's own).
	Events int
	// Fsyncs are the sync settings to measure, in order.
	Fsyncs []natsembed.Fsync
	// Tmp is where the scenario's data directories go (removed after).
	Tmp string
	// Progress receives progress bars (stderr); nil for none.
	Progress io.Writer
}

// benchScenario measures one thing against its baseline.
type benchScenario struct {
	name    string
	summary string
	run     func(ctx context.Context, o benchOptions) (bench.Report, error)
}

func benchScenarios() []benchScenario {
	return []benchScenario{
		{"codraft", "50 editors × 5 keystrokes/s on one document: push→echo latency and events/s vs a raw websocket echo", benchCodraft},
		{"replay", "events/s folding the log into every read model vs a raw ordered-consumer read (100k events; --events)", benchReplay},
		{"commands", "end-to-end commands/s and latency (HTTP → bus → service → store) vs raw JetStream sync publish, fsync always and interval", benchCommands},
	}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var names []string
	for _, s := range benchScenarios() {
		names = append(names, fmt.Sprintf("  %-9s %s", s.name, s.summary))
	}
	fs := newFlags("bench <scenario|all>", "Measure Comité against the raw infrastructure, in the same run: each result has a\n"+
		"baseline and a ratio (higher is better: value/baseline for rates, baseline/value for\n"+
		"latencies). Scenarios:\n"+strings.Join(names, "\n")+"\n"+
		"Each scenario starts its own in-process system on a temporary data directory.", stderr)
	duration := fs.Duration("duration", 10*time.Second, "length of each measured phase")
	clients := fs.Int("clients", 0, "concurrent clients of the system (0: the scenario's default)")
	nEvents := fs.Int("events", 0, "events in the log of the replay scenario (0: 100000; e.g. 1000000)")
	asJSON := fs.Bool("json", false, `print one JSON object per scenario: {"scenario", "results": [{"name", "value", "unit", "baseline", "ratio"}]}`)
	fsync := fs.String("fsync", "both", `sync settings to measure: "always", "interval" or "both"`)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	tmp := fs.String("tmp", os.TempDir(), "where the temporary data directories go")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "name a scenario, or all")
		fs.Usage()
		return errUsage
	}
	scenario := args[0]
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *duration <= 0 || *clients < 0 || *nEvents < 0 {
		fmt.Fprintln(stderr, "--duration must be positive, --clients and --events not negative")
		fs.Usage()
		return errUsage
	}
	fsyncs := []natsembed.Fsync{natsembed.FsyncAlways, natsembed.FsyncInterval}
	switch *fsync {
	case "both":
	case string(natsembed.FsyncAlways), string(natsembed.FsyncInterval):
		fsyncs = []natsembed.Fsync{natsembed.Fsync(*fsync)}
	default:
		fmt.Fprintf(stderr, "--fsync must be always, interval or both, not %q\n", *fsync)
		fs.Usage()
		return errUsage
	}
	var run []benchScenario
	for _, s := range benchScenarios() {
		if s.name == scenario || scenario == "all" {
			run = append(run, s)
		}
	}
	if len(run) == 0 {
		fmt.Fprintf(stderr, "unknown scenario %q\n", scenario)
		fs.Usage()
		return errUsage
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	o := benchOptions{Duration: *duration, Clients: *clients, Events: *nEvents, Fsyncs: fsyncs, Tmp: *tmp, Progress: stderr}
	for _, s := range run {
		rep, err := s.run(ctx, o)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if *asJSON {
			err = rep.WriteJSON(stdout)
		} else {
			err = rep.WriteTable(stdout)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
