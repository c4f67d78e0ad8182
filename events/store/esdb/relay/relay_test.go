package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdb"
	"github.com/comite-partenaires/comite/events/store/esdbdouble"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/natsembed"
	"github.com/comite-partenaires/comite/services/processes"
)

// rig is a source (esdb store on the double, or on COMITE_ESDB_URL's server), a feed (a
// JetStream store on an embedded NATS server) and KV checkpoints.
type rig struct {
	source      *esdb.Store
	feed        *jetstream.Store
	checkpoints *processes.KVCheckpoints
}

func newRig(t *testing.T) *rig {
	t.Helper()
	url, prefix := os.Getenv("COMITE_ESDB_URL"), "t"+strings.ReplaceAll(uuid.NewString(), "-", "")+"."
	if url == "" {
		prefix = ""
		d := esdbdouble.New()
		var err error
		if url, err = d.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Stop)
	}
	src, err := esdb.Open(t.Context(), esdb.Config{URL: url, StreamPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	ns, err := natsembed.Start(natsembed.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := ns.Connect("relay-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	feed, err := jetstream.Open(t.Context(), nc, jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = feed.Close() })
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := processes.NewKVCheckpoints(t.Context(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{source: src, feed: feed, checkpoints: cp}
}

func newEvents(n int) []events.Event {
	out := make([]events.Event, n)
	for i := range out {
		out[i] = events.Event{ID: uuid.New(), Type: "opinions.opinion.amended", Schema: 1, Time: time.Now(),
			Data: json.RawMessage(`{"i":` + strconv.Itoa(i) + `}`)}
	}
	return out
}

// cycles is how many times the kill test kills the relay (COMITE_RELAY_CYCLES for a
// longer run).
func cycles(t *testing.T) int {
	if v, err := strconv.Atoi(os.Getenv("COMITE_RELAY_CYCLES")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return 10
	}
	return 40
}

// TestKilledRelayDeliversExactlyOnce kills the relay at random points — before an
// append to the feed, between the feed's acknowledgement and the checkpoint, after the
// checkpoint, or by canceling its context at a random moment — many times while writers
// append to the source. A consumer of the feed, subscribed from the start, must see every
// event of the source exactly once, in the source's order, chained identically.
func TestKilledRelayDeliversExactlyOnce(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	consumer, err := r.feed.Subscribe(ctx, store.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()

	var writing sync.WaitGroup
	var stop atomic.Bool
	var written atomic.Int64
	errs := make(chan error, 4)
	for w := range 4 {
		writing.Go(func() {
			stream := events.StreamName("opinion", uuid.New())
			for next := uint64(0); !stop.Load(); {
				res, err := r.source.Append(ctx, stream, store.ExpectedFor(next), newEvents(1+rand.IntN(3))...)
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				next = res.LastRevision + 1
				written.Add(int64(len(res.Events)))
			}
		})
	}

	want := cycles(t)
	kills := map[string]int{}
	for cycle := 0; cycle < want; cycle++ {
		steps := []string{"before-append", "after-append", "after-checkpoint", "cancel"}
		how := steps[cycle%len(steps)]
		after := rand.IntN(20) // events relayed in this cycle before the kill
		seen := 0
		cfg := Config{Source: r.source, Feed: r.feed, Checkpoints: r.checkpoints, crash: func(step string) bool {
			if step == how {
				seen++
			}
			return step == how && seen > after
		}}
		rel, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		if how == "cancel" {
			time.AfterFunc(time.Duration(rand.IntN(30))*time.Millisecond, cancel)
		}
		err = rel.Run(runCtx)
		cancel()
		if err != nil && err != errKilled {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		kills[how]++
	}
	stop.Store(true)
	writing.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// A last, unkilled run catches up with the source.
	src := readAll(t, r.source)
	if int64(len(src)) != written.Load() {
		t.Fatalf("source holds %d events, writers appended %d", len(src), written.Load())
	}
	rel, err := New(Config{Source: r.source, Feed: r.feed, Checkpoints: r.checkpoints})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rel.Run(runCtx) }()
	got := make([]events.Event, 0, len(src))
	timeout := time.After(60 * time.Second)
	for len(got) < len(src) {
		select {
		case e := <-consumer.Events():
			got = append(got, e)
		case <-timeout:
			t.Fatalf("the feed's consumer received %d of %d events", len(got), len(src))
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, e := range got {
		if e.ID != src[i].ID || e.Hash != src[i].Hash || e.Stream != src[i].Stream || e.Revision != src[i].Revision {
			t.Fatalf("feed event %d is %s (%s@%d), source has %s (%s@%d)", i, e.ID, e.Stream, e.Revision, src[i].ID, src[i].Stream, src[i].Revision)
		}
	}
	// Nothing more: no duplicate after the last event.
	if n := len(readAll(t, r.feed)); n != len(src) {
		t.Fatalf("the feed holds %d events, the source %d", n, len(src))
	}
	t.Logf("%d events relayed across %d kills %v", len(src), want, kills)
}

func readAll(t *testing.T, s store.Store) []events.Event {
	t.Helper()
	var out []events.Event
	for e, err := range s.ReadAll(t.Context(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}
