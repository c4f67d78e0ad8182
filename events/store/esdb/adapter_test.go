package esdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

func testEvents(n int) []events.Event {
	out := make([]events.Event, n)
	for i := range out {
		out[i] = events.Event{
			ID: uuid.New(), Type: "opinions.opinion.amended", Schema: 1,
			Time: time.Date(2026, 11, 23, 9, 0, i, 0, time.UTC),
			Meta: events.Meta{CommandID: fmt.Sprint("cmd-", i), Actor: events.Actor{User: "u-1"}},
			Data: json.RawMessage(`{"n":1}`),
		}
	}
	return out
}

// TestInstancesRace: several stores (as several processes would hold) append with Any
// to one stream at once. Only EventStoreDB's check arbitrates between them (each store
// queues its own appends): revisions stay dense and the hash chain holds.
func TestInstancesRace(t *testing.T) {
	srv := newServer(t)
	stores := []*Store{srv.open(t), srv.open(t), srv.open(t)}
	stream := events.StreamName("opinion", uuid.New())
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			for range 4 {
				if _, err := stores[i%len(stores)].Append(t.Context(), stream, store.Any, testEvents(1+i%2)...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v := events.NewChainVerifier()
	n := 0
	for e, err := range stores[0].Read(t.Context(), stream, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(e); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4*18 {
		t.Fatalf("stream holds %d events, want %d", n, 4*18)
	}
}

// rawClient is a client of the same server, to write what Comité never writes.
func rawClient(t *testing.T, url string) *client.Client {
	t.Helper()
	cfg, err := client.ParseConnectionString(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = client.NoopLogging()
	c, err := client.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestSystemAndForeignEvents: EventStoreDB's own events ($ streams, $ types) are skipped
// by ReadAll, Subscribe and Head; an event that is not a Comité event is an error.
func TestSystemAndForeignEvents(t *testing.T) {
	srv := newServer(t)
	s := srv.open(t)
	raw := rawClient(t, srv.url)
	ctx := t.Context()
	sub, err := s.Subscribe(ctx, store.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	stream := events.StreamName("opinion", uuid.New())
	first, err := s.Append(ctx, stream, store.NoStream, testEvents(2)...)
	if err != nil {
		t.Fatal(err)
	}
	system := func(stream, typ string) {
		ev := client.EventData{EventID: uuid.New(), EventType: typ, ContentType: client.ContentTypeJson, Data: []byte(`{}`)}
		if _, err := raw.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, ev); err != nil {
			t.Fatal(err)
		}
	}
	system("$$"+stream, "$metadata")
	system("$stats-127.0.0.1:2113", "$statsCollected")
	system(stream+"-x", "$>")
	if h, err := s.Head(ctx); err != nil || h != first.Position {
		t.Fatalf("head %d, %v; want %d (system events skipped)", h, err, first.Position)
	}
	second, err := s.Append(ctx, stream, store.Exact(1), testEvents(1)...)
	if err != nil {
		t.Fatal(err)
	}
	var got []events.Event
	for e, err := range s.ReadAll(ctx, store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	want := append(first.Events, second.Events...)
	if len(got) != 3 || got[0].ID != want[0].ID || got[2].ID != want[2].ID {
		t.Fatalf("ReadAll yielded %d events, want the 3 Comité events", len(got))
	}
	for i := range 3 {
		select {
		case e := <-sub.Events():
			if e.ID != want[i].ID {
				t.Fatalf("subscription event %d is %s, want %s", i, e.ID, want[i].ID)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("subscription delivered %d of 3 events", i)
		}
	}
	// A foreign event outside $: reported, never skipped.
	foreign := client.EventData{EventID: uuid.New(), EventType: "other.app.event", ContentType: client.ContentTypeJson, Data: []byte(`{}`)}
	if _, err := raw.AppendToStream(ctx, srv.prefix+"other-1", client.AppendToStreamOptions{}, foreign); err != nil {
		t.Fatal(err)
	}
	var failed error
	for _, err := range s.ReadAll(ctx, second.Position+1) {
		failed = err
	}
	if !errors.Is(failed, errCorrupt) {
		t.Fatalf("ReadAll over a foreign event: %v, want errCorrupt", failed)
	}
}

// TestSubscriptionSurvivesServerDrop: the double stops and serves again at its address; the
// subscription resubscribes after the last event it delivered, with no gap and no
// duplicate.
func TestSubscriptionSurvivesServerDrop(t *testing.T) {
	srv := newServer(t)
	if srv.double == nil {
		t.Skip("needs the double: stops the server")
	}
	s := srv.open(t)
	ctx := t.Context()
	sub, err := s.Subscribe(ctx, store.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	stream := events.StreamName("opinion", uuid.New())
	if _, err := s.Append(ctx, stream, store.NoStream, testEvents(2)...); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		<-sub.Events()
	}
	// The client reconnects to the address it knows: serve the same log there again.
	srv.double.Stop()
	if _, err := srv.double.StartAt(ctx, srv.url); err != nil {
		t.Fatal(err)
	}
	live := testEvents(1)
	var res store.AppendResult
	eventually(t, "an append after the restart", func() bool {
		res, err = s.Append(ctx, stream, store.Exact(1), live...)
		return err == nil
	})
	select {
	case e := <-sub.Events():
		if e.ID != res.Events[0].ID {
			t.Fatalf("after the restart the subscription delivered %s (revision %d), want %s", e.ID, e.Revision, res.Events[0].ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no event after the restart: %v", sub.Err())
	}
}

// eventually polls cond until it holds, for at most 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// TestStreamPrefixes: stores with different prefixes share one database and never see
// each other's events; a store without a prefix reports theirs as foreign.
func TestStreamPrefixes(t *testing.T) {
	srv := newServer(t)
	open := func(prefix string) *Store {
		s, err := Open(t.Context(), Config{URL: srv.url, StreamPrefix: srv.prefix + prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open("a."), open("b.")
	stream := events.StreamName("opinion", uuid.New())
	ra, err := a.Append(t.Context(), stream, store.NoStream, testEvents(2)...)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Append(t.Context(), stream, store.NoStream, testEvents(3)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    *Store
		want store.AppendResult
	}{{a, ra}, {b, rb}} {
		var got []events.Event
		for e, err := range c.s.ReadAll(t.Context(), store.Start) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		if len(got) != len(c.want.Events) || got[0].ID != c.want.Events[0].ID || got[0].Stream != stream {
			t.Fatalf("ReadAll through a prefix: %d events, want %d", len(got), len(c.want.Events))
		}
		if h, err := c.s.Head(t.Context()); err != nil || h != c.want.Position {
			t.Fatalf("head %d, %v; want %d", h, err, c.want.Position)
		}
	}
	if srv.prefix == "" {
		var failed error
		for _, err := range open("").ReadAll(t.Context(), store.Start) {
			failed = err
		}
		if !errors.Is(failed, errCorrupt) {
			t.Fatalf("ReadAll without a prefix over prefixed events: %v, want errCorrupt", failed)
		}
	}
	if err := (Config{URL: srv.url, StreamPrefix: "$x"}).Validate(); err == nil {
		t.Fatal("a $ prefix was accepted")
	}
}
