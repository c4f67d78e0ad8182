package bus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// serve starts a ledger service of f on its own connection.
func (f *fixture) serve(t *testing.T, nc *nats.Conn) *bus.Service {
	t.Helper()
	svc, err := bus.NewService(bus.ServiceConfig{Conn: nc, Store: f.store, Registry: f.reg, Replies: f.replies, Clock: clock}, ledgerDecider())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	return svc
}

func ledgerRequest(id, command, body string) bus.Request {
	return bus.Request{Context: "ledger", Command: command, CommandID: id, Body: []byte(body),
		Actor: events.Actor{User: "u1", Organisation: "amf", Role: "member"}}
}

// rawRequest sends a command without the client, to see the reply's bytes.
func rawRequest(t *testing.T, nc *nats.Conn, id, command, body string) *nats.Msg {
	t.Helper()
	msg := nats.NewMsg(bus.Subject("ledger", command))
	msg.Header.Set(bus.HeaderCommandID, id)
	msg.Header.Set(bus.HeaderActor, `{"user":"u1","organisation":"amf","role":"member"}`)
	msg.Data = []byte(body)
	resp, err := nc.RequestMsg(msg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestOverNATS(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	f.serve(t, conn("service"))
	client := bus.NewClient(conn("gateway"), bus.ClientOptions{})
	ctx := context.Background()

	rep, err := client.Send(ctx, ledgerRequest("c1", "add-entry", `{"name":"a","amount":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.CommandID != "c1" || len(rep.Events) != 1 || rep.Events[0].Type != "ledger.entry.added" || rep.Position != 1 {
		t.Fatalf("reply %+v", rep)
	}
	if m := f.store.Events(ledgerStream)[0].Meta; m.Actor.User != "u1" || m.CorrelationID != "c1" {
		t.Fatalf("meta %+v", m)
	}

	_, err = client.Send(ctx, ledgerRequest("c2", "add-entry", `{"name":"","amount":1,"x":1}`))
	var e *errcode.Error
	if !errors.Is(err, errcode.ValidationFailed) || !errors.As(err, &e) || e.Fields["x"] != "unknown" || e.FR == "" {
		t.Fatalf("err = %#v", err)
	}
	if _, err = client.Send(ctx, ledgerRequest("c3", "add-entry", `{`)); !errors.Is(err, errcode.InvalidJSON) {
		t.Fatalf("err = %v", err)
	}
	if _, err = client.Send(ctx, ledgerRequest("c4", "add-entry", `{"name":"a","amount":1}`)); !errors.Is(err, errEntryExists) {
		t.Fatalf("err = %v", err)
	}
	if _, err = client.Send(ctx, ledgerRequest("c1", "add-entry", `{"name":"b","amount":1}`)); !errors.Is(err, errcode.IdempotencyReused) {
		t.Fatalf("err = %v", err)
	}
	if f.store.Appends() != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}

	// The client names a command when the caller did not.
	rep, err = client.Send(ctx, ledgerRequest("", "touch", ``))
	if err != nil || rep.CommandID == "" {
		t.Fatalf("reply %+v, %v", rep, err)
	}
}

func TestOverNATSExpectedRevision(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	f.serve(t, conn("service"))
	client := bus.NewClient(conn("gateway"), bus.ClientOptions{})
	ctx := context.Background()
	if _, err := client.Send(ctx, ledgerRequest("c1", "add-entry", `{"name":"a","amount":1}`)); err != nil {
		t.Fatal(err)
	}
	req := ledgerRequest("c2", "add-entry", `{"name":"b","amount":1}`)
	stale := uint64(5)
	req.ExpectedRevision = &stale
	if _, err := client.Send(ctx, req); !errors.Is(err, errcode.WrongRevision) {
		t.Fatalf("stale: %v", err)
	}
	current := uint64(0)
	req.ExpectedRevision = &current
	if _, err := client.Send(ctx, req); err != nil {
		t.Fatalf("current: %v", err)
	}
	msg := nats.NewMsg(bus.Subject("ledger", "touch"))
	msg.Header.Set(bus.HeaderCommandID, "c3")
	msg.Header.Set(bus.HeaderExpectedRevision, "abc")
	resp, err := conn("raw").RequestMsg(msg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.ParseReply(resp); !errors.Is(err, errcode.ValidationFailed) {
		t.Fatalf("bad header: %v", err)
	}
}

func TestOverNATSBadActorHeader(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	f.serve(t, conn("service"))
	msg := nats.NewMsg(bus.Subject("ledger", "touch"))
	msg.Header.Set(bus.HeaderCommandID, "c1")
	msg.Header.Set(bus.HeaderActor, `{"user":`)
	resp, err := conn("raw").RequestMsg(msg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.ParseReply(resp); !errors.Is(err, errcode.ValidationFailed) {
		t.Fatalf("err = %v", err)
	}
}

func TestOverNATSSameCommandTwiceIdenticalBytes(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	f.serve(t, conn("service"))
	nc := conn("raw")
	first := rawRequest(t, nc, "c1", "add-entry", `{"name":"a","amount":1}`)
	second := rawRequest(t, nc, "c1", "add-entry", `{"name":"a","amount":1}`)
	if first.Header.Get(bus.HeaderErrorCode) != "" || !bytes.Equal(first.Data, second.Data) {
		t.Fatalf("first %s, second %s", first.Data, second.Data)
	}
	if f.store.Appends() != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

// TestOverNATSConcurrentDuplicates sends one command 20 times at once to two instances
// of the service sharing the log and the reply store.
func TestOverNATSConcurrentDuplicates(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	f.serve(t, conn("service-1"))
	f.serve(t, conn("service-2"))
	nc := conn("raw")
	const n = 20
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { bodies[i] = rawRequest(t, nc, "same", "add-entry", `{"name":"a","amount":1}`).Data })
	}
	wg.Wait()
	for i := range n {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("reply %d: %s, first %s", i, bodies[i], bodies[0])
		}
	}
	var rep bus.Reply
	if err := json.Unmarshal(bodies[0], &rep); err != nil || len(rep.Events) != 1 {
		t.Fatalf("reply %s: %v", bodies[0], err)
	}
	if f.store.Appends() != 1 || len(f.store.Events(ledgerStream)) != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

func TestClientTransportErrors(t *testing.T) {
	conn := bustest.NATS(t)
	nc := conn("gateway")
	client := bus.NewClient(nc, bus.ClientOptions{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	if _, err := client.Send(ctx, ledgerRequest("c1", "touch", ``)); !errors.Is(err, errcode.Unavailable) {
		t.Fatalf("no responders: %v", err)
	}
	// A responder that never answers.
	sub, err := conn("mute").Subscribe(bus.Subject("ledger", "touch"), func(*nats.Msg) {})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	eventually(t, "the mute subscriber", func() bool {
		_, err := client.Send(ctx, ledgerRequest("c1", "touch", ``))
		return errors.Is(err, errcode.Timeout)
	})
	if _, err := client.Send(ctx, ledgerRequest("c1", "no.such", ``)); !errors.Is(err, errcode.UnknownCommand) {
		t.Fatalf("bad command name: %v", err)
	}
}

func TestServiceStopAndDiscovery(t *testing.T) {
	conn := bustest.NATS(t)
	f := newFixture(t, nil)
	svc := f.serve(t, conn("service"))
	nc := conn("raw")
	resp, err := nc.Request("$SRV.INFO.comite-ledger", nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Name      string `json:"name"`
		Endpoints []struct {
			Subject    string `json:"subject"`
			QueueGroup string `json:"queue_group"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(resp.Data, &info); err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, e := range info.Endpoints {
		if e.QueueGroup != "comite-ledger" {
			t.Errorf("queue group %q", e.QueueGroup)
		}
		subjects = append(subjects, e.Subject)
	}
	if got := strings.Join(subjects, " "); got != "comite.cmd.ledger.add-entry comite.cmd.ledger.touch comite.cmd.ledger.explode" {
		t.Fatalf("service %s, subjects %s", info.Name, got)
	}
	if err := svc.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Stop(); err != nil {
		t.Fatal(err)
	}
	client := bus.NewClient(nc, bus.ClientOptions{Timeout: time.Second})
	eventually(t, "the service to leave", func() bool {
		_, err := client.Send(context.Background(), ledgerRequest("c9", "touch", ``))
		return errors.Is(err, errcode.Unavailable)
	})
}

func TestKVReplies(t *testing.T) {
	conn := bustest.NATS(t)
	js, err := jetstream.New(conn("kv"))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := bus.NewKVReplies(context.Background(), js, bus.KVRepliesConfig{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	replyStoreContract(t, kv)
}

func TestFakeReplies(t *testing.T) { replyStoreContract(t, bustest.NewFakeReplies()) }

// replyStoreContract checks the semantics every ReplyStore shares.
func replyStoreContract(t *testing.T, rs bus.ReplyStore) {
	ctx := context.Background()
	check := func(what string, rec bus.ReplyRecord, err error, hash, reply string) {
		t.Helper()
		if err != nil || rec.Hash != hash || string(rec.Reply) != reply {
			t.Fatalf("%s: %+v, %v; want %s %q", what, rec, err, hash, reply)
		}
	}
	rec, err := rs.Begin(ctx, "k", "h1")
	check("begin", rec, err, "h1", "")
	rec, err = rs.Begin(ctx, "k", "h2")
	check("begin again", rec, err, "h1", "")
	if err := rs.Abandon(ctx, "k", "h2"); err != nil {
		t.Fatal(err)
	}
	rec, err = rs.Begin(ctx, "k", "h2")
	check("abandon of another hash keeps the record", rec, err, "h1", "")
	if err := rs.Abandon(ctx, "k", "h1"); err != nil {
		t.Fatal(err)
	}
	rec, err = rs.Begin(ctx, "k", "h2")
	check("begin after abandon", rec, err, "h2", "")
	rec, err = rs.Finish(ctx, "k", "h2", []byte(`{"a":1}`))
	check("finish", rec, err, "h2", `{"a":1}`)
	rec, err = rs.Finish(ctx, "k", "h2", []byte(`{"a":2}`))
	check("first reply wins", rec, err, "h2", `{"a":1}`)
	if err := rs.Abandon(ctx, "k", "h2"); err != nil {
		t.Fatal(err)
	}
	rec, err = rs.Begin(ctx, "k", "h3")
	check("a reply is never abandoned", rec, err, "h2", `{"a":1}`)
	rec, err = rs.Finish(ctx, "fresh", "h", []byte(`{}`))
	check("finish without begin", rec, err, "h", `{}`)
	if !rec.Done() {
		t.Fatal("not done")
	}
	if err := rs.Abandon(ctx, "never", "h"); err != nil {
		t.Fatal(err)
	}
}
