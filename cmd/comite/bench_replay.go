package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/internal/bench"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/natsembed"
	"github.com/comite-partenaires/comite/services/themes"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// benchReplayEvents is how many events the replay scenario folds by default.
const benchReplayEvents = 100_000

// benchReplay measures folding a log into every read model of `comite serve` (a fresh
// projections.Runner catching up, until Ready) against a raw JetStream ordered consumer
// reading the same messages. The log is working groups: each a GroupCreated and 99
// MemberAdded, appended a group at a time.
func benchReplay(ctx context.Context, o benchOptions) (bench.Report, error) {
	n := o.Events
	if n == 0 {
		n = benchReplayEvents
	}
	rep := bench.Report{Scenario: "replay"}
	dir, err := os.MkdirTemp(o.Tmp, "comite-bench-replay-")
	if err != nil {
		return rep, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sys, err := startSystem(ctx, systemConfig{DataDir: dir, Fsync: natsembed.FsyncInterval, Log: log})
	if err != nil {
		return rep, err
	}
	defer sys.Close()
	stop := bench.Phase(o.Progress, fmt.Sprintf("replay: appending %d events", n), time.Duration(n)*100*time.Microsecond)
	err = appendGroups(ctx, sys.store, sys.registry, n)
	stop()
	if err != nil {
		return rep, err
	}
	head, err := sys.store.Head(ctx)
	if err != nil {
		return rep, err
	}
	raw, err := rawRead(ctx, sys, head)
	if err != nil {
		return rep, err
	}
	runner, err := projections.NewRunner(sys.store, sys.registry, log, readModels()...)
	if err != nil {
		return rep, err
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop = bench.Phase(o.Progress, fmt.Sprintf("replay: folding %d events", head), time.Duration(head)*10*time.Microsecond)
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- runner.Run(rctx) }()
	select {
	case <-runner.Ready():
	case err := <-done:
		stop()
		return rep, fmt.Errorf("bench: projections stopped: %w", err)
	}
	fold := time.Since(start)
	stop()
	cancel()
	<-done
	rep.Add(bench.Rate("events/s folded into every read model", float64(head)/fold.Seconds(), float64(head)/raw.Seconds(), "1/s"))
	rep.Note("value: a fresh projections.Runner with the %d read models of comite serve catching up on %d events (%s)", len(readModels()), head, fold.Round(time.Millisecond))
	rep.Note("baseline: a raw JetStream ordered consumer reading the same %d messages, no decoding (%s)", head, raw.Round(time.Millisecond))
	return rep, nil
}

// appendGroups appends about n events: groups of one GroupCreated and 99 MemberAdded,
// each group in one append (an atomic batch), from eight writers.
func appendGroups(ctx context.Context, st store.Store, reg *events.Registry, n int) error {
	const perGroup, writers = 100, 8
	groups := (n + perGroup - 1) / perGroup
	orgs := make([]uuid.UUID, perGroup)
	for i := range orgs {
		orgs[i] = uuid.New()
	}
	actor := events.Meta{Actor: events.Actor{User: "bench@demo.invalid", Organisation: orgs[0].String()}}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for g := w; g < groups; g += writers {
				id := uuid.New()
				stream := workinggroups.GroupStream(id)
				evs := make([]events.Event, 0, perGroup)
				payloads := []events.Payload{workinggroups.GroupCreated{GroupID: id, Name: fmt.Sprintf("Groupe %d", g),
					Mandate: "Mesurer la relecture du journal.", Theme: themes.Governance, LeadOrganisationID: orgs[0]}}
				for _, org := range orgs[1:] {
					payloads = append(payloads, workinggroups.MemberAdded{GroupID: id, OrganisationID: org})
				}
				for _, p := range payloads {
					e, err := reg.New(p, stream, uuid.New(), time.Now(), actor)
					if err != nil {
						errs <- err
						return
					}
					evs = append(evs, e)
				}
				if _, err := st.Append(ctx, stream, store.NoStream, evs...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// rawRead reads the event log's first head messages with an ordered consumer.
func rawRead(ctx context.Context, sys *system, head uint64) (time.Duration, error) {
	js, err := natsjs.New(sys.conn)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	c, err := js.OrderedConsumer(ctx, jetstream.DefaultStream, natsjs.OrderedConsumerConfig{})
	if err != nil {
		return 0, fmt.Errorf("bench: ordered consumer: %w", err)
	}
	it, err := c.Messages()
	if err != nil {
		return 0, fmt.Errorf("bench: ordered consumer: %w", err)
	}
	defer it.Stop()
	for range head {
		if _, err := it.Next(); err != nil {
			return 0, fmt.Errorf("bench: ordered consumer: %w", err)
		}
	}
	return time.Since(start), nil
}
