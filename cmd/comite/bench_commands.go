package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/comite-partenaires/comite/internal/bench"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// Defaults of the commands scenario.
const (
	// benchRawWriters is the raw baseline's writer count (issue 10: 16 writers).
	benchRawWriters = 16
	// benchCommandClients is how many clients send commands at once by default.
	benchCommandClients = 64
)

// benchCommands measures end-to-end commands: each client creates working groups
// (workinggroups/create-group: one event on a new stream, after the committee's
// membership is read) through the HTTP API with an API token, for fsync always and
// interval; the baseline is raw JetStream synchronous publish from 16 writers on the same
// sync setting.
func benchCommands(ctx context.Context, o benchOptions) (bench.Report, error) {
	clients := o.Clients
	if clients == 0 {
		clients = benchCommandClients
	}
	rep := bench.Report{Scenario: "commands"}
	for _, fsync := range o.Fsyncs {
		stop := bench.Phase(o.Progress, fmt.Sprintf("commands: raw publish, fsync %s", fsync), o.Duration)
		raw, err := bench.RawPublish(ctx, o.Tmp, fsync, benchRawWriters, o.Duration)
		stop()
		if err != nil {
			return rep, err
		}
		e2e, err := commandsLoad(ctx, o, fsync, clients)
		if err != nil {
			return rep, err
		}
		rep.Add(bench.Rate("commands/s fsync="+string(fsync), e2e.PerSecond(), raw.PerSecond(), "1/s"))
		for _, p := range []float64{50, 99, 99.9} {
			rep.Add(bench.Latency(fmt.Sprintf("latency p%v fsync=%s", p, fsync), e2e.Latencies.Percentile(p), raw.Latencies.Percentile(p)))
		}
		if e2e.Errors > 0 {
			rep.Note("fsync=%s: %d commands failed, the first: %v", fsync, e2e.Errors, e2e.FirstError)
		}
	}
	rep.Note("value: %d HTTP clients sending workinggroups/create-group (HTTP → gateway → bus → service → JetStream store → reply)", clients)
	rep.Note("baseline: raw JetStream synchronous publish, %d writers, %d-byte messages, same fsync setting", benchRawWriters, bench.RawMessageBytes)
	return rep, nil
}

// commandsLoad runs the system with fsync and has clients create groups for the
// scenario's duration.
func commandsLoad(ctx context.Context, o benchOptions, fsync natsembed.Fsync, clients int) (bench.Outcome, error) {
	sys, err := startBenchServer(ctx, o.Tmp, fsync, clients)
	if err != nil {
		return bench.Outcome{}, err
	}
	defer sys.stop()
	token, err := sys.token(ctx, "secretariat@demo.invalid")
	if err != nil {
		return bench.Outcome{}, err
	}
	lead := demo.OrganisationID("AMF").String()
	op := func(ctx context.Context, w, n int) error {
		body, err := json.Marshal(map[string]string{"name": fmt.Sprintf("Groupe %d-%d", w, n),
			"mandate": "Mesurer le débit de bout en bout.", "theme": "gouvernance", "lead_organisation_id": lead})
		if err != nil {
			return err
		}
		_, err = sys.command(ctx, token, "workinggroups/create-group", string(body))
		return err
	}
	// A short warm-up: connections, the committee's first fold.
	if _, err := bench.Load(ctx, clients, min(o.Duration/5, time.Second), op); err != nil {
		return bench.Outcome{}, err
	}
	stop := bench.Phase(o.Progress, fmt.Sprintf("commands: %d clients, fsync %s", clients, fsync), o.Duration)
	defer stop()
	return bench.Load(ctx, clients, o.Duration, op)
}
