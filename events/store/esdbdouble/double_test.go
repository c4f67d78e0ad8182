package esdbdouble

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

// connect starts a double and returns a real client on it.
func connect(t *testing.T, d *Server) *esdb.Client {
	t.Helper()
	url, err := d.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func proposals(n int) []esdb.EventData {
	out := make([]esdb.EventData, n)
	for i := range out {
		out[i] = esdb.EventData{EventID: uuid.New(), EventType: "test.thing.done", ContentType: esdb.ContentTypeJson, Data: []byte(`{"n":1}`), Metadata: []byte(`{"m":2}`)}
	}
	return out
}

func readAll(t *testing.T, c *esdb.Client, opts esdb.ReadAllOptions) []*esdb.RecordedEvent {
	t.Helper()
	rs, err := c.ReadAll(t.Context(), opts, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		e, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Event)
	}
}

func wrongVersion(t *testing.T, err error) {
	t.Helper()
	var e *esdb.Error
	if !errors.As(err, &e) || e.Code() != esdb.ErrorCodeWrongExpectedVersion {
		t.Fatalf("err = %v, want WrongExpectedVersion", err)
	}
}

// TestExpectedVersionsAndIdempotency drives the append rules through the real client.
func TestExpectedVersionsAndIdempotency(t *testing.T) {
	d := New()
	c := connect(t, d)
	ctx := t.Context()
	batch := proposals(3)
	r1, err := c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, batch...)
	if err != nil {
		t.Fatal(err)
	}
	if r1.NextExpectedVersion != 2 || r1.CommitPosition == 0 {
		t.Fatalf("first append: %+v", r1)
	}
	// Same IDs, same expectation: the original result, nothing stored.
	again, err := c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, batch...)
	if err != nil || *again != *r1 {
		t.Fatalf("idempotent re-append: %+v, %v; want %+v", again, err, r1)
	}
	for _, exp := range []esdb.ExpectedRevision{esdb.NoStream{}, esdb.Revision(5), esdb.Revision(1)} {
		_, err = c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{ExpectedRevision: exp}, proposals(1)...)
		wrongVersion(t, err)
	}
	_, err = c.AppendToStream(ctx, "s-2", esdb.AppendToStreamOptions{ExpectedRevision: esdb.StreamExists{}}, proposals(1)...)
	wrongVersion(t, err)
	if _, err := c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(2)}, proposals(2)...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, batch[1:]...); err != nil {
		t.Fatalf("any with stored IDs: %v", err)
	}
	all := readAll(t, c, esdb.ReadAllOptions{})
	if len(all) != 6 || all[0].StreamID != "$settings" {
		t.Fatalf("$all holds %d events (first in %s), want $settings + 5", len(all), all[0].StreamID)
	}
	for i, e := range all[1:] {
		if e.Position.Commit <= all[i].Position.Commit || e.Position.Commit == all[i].Position.Commit+1 {
			t.Fatalf("positions %d then %d: want increasing, not dense", all[i].Position.Commit, e.Position.Commit)
		}
	}
	if got := readAll(t, c, esdb.ReadAllOptions{From: all[3].Position}); len(got) != 3 || got[0].EventID != all[3].EventID {
		t.Fatalf("read from a position is not inclusive: %d events", len(got))
	}
	rs, err := c.ReadStream(ctx, "s-9", esdb.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var e *esdb.Error
	if _, err := rs.Recv(); !errors.As(err, &e) || e.Code() != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("missing stream: %v", err)
	}
	rs.Close()
	// The log survives a restart.
	d.Stop()
	c = connect(t, d)
	if got := readAll(t, c, esdb.ReadAllOptions{}); len(got) != 6 {
		t.Fatalf("after a restart: %d events", len(got))
	}
}

// TestSubscription: Confirmation, backlog strictly after the start, CaughtUp, live.
func TestSubscription(t *testing.T) {
	d := New()
	c := connect(t, d)
	ctx := t.Context()
	r, err := c.AppendToStream(ctx, "s-1", esdb.AppendToStreamOptions{}, proposals(2)...)
	if err != nil {
		t.Fatal(err)
	}
	first := readAll(t, c, esdb.ReadAllOptions{})[1]
	sub, err := c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: first.Position})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	next := func() *esdb.SubscriptionEvent {
		got := make(chan *esdb.SubscriptionEvent, 1)
		go func() { got <- sub.Recv() }()
		select {
		case ev := <-got:
			return ev
		case <-time.After(30 * time.Second):
			t.Fatal("no subscription message in 30 s")
			return nil
		}
	}
	if ev := next(); ev.EventAppeared == nil || ev.EventAppeared.Event.Position.Commit != r.CommitPosition {
		t.Fatalf("backlog: %+v, want the second event only", ev)
	}
	if ev := next(); ev.CaughtUp == nil {
		t.Fatalf("want CaughtUp, got %+v", ev)
	}
	live := proposals(1)
	if _, err := c.AppendToStream(ctx, "s-2", esdb.AppendToStreamOptions{}, live...); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.EventAppeared == nil || ev.EventAppeared.Event.EventID != live[0].EventID || string(ev.EventAppeared.Event.UserMetadata) != `{"m":2}` {
		t.Fatalf("live: %+v", ev)
	}
}
