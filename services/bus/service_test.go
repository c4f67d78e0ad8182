package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

func TestExecuteAppendsWithMeta(t *testing.T) {
	f := newFixture(t, nil)
	rep, err := f.exec(t, "cmd-1", "add-entry", `{"name":"café","amount":3}`)
	if err != nil {
		t.Fatal(err)
	}
	evs := f.store.Events(ledgerStream)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	wantMeta := events.Meta{CommandID: "cmd-1", CorrelationID: "cmd-1", CausationID: "cmd-1",
		Actor: events.Actor{User: "u1", Organisation: "amf", Role: "member"}}
	if e.ID != events.DeriveID("cmd-1", 0) || e.Type != "ledger.entry.added" || !e.Time.Equal(clock()) ||
		e.Meta != wantMeta || string(e.Data) != `{"amount":3,"name":"café"}` {
		t.Fatalf("event %+v", e)
	}
	want := bus.Reply{CommandID: "cmd-1", Position: e.Position, Events: []bus.EventRef{{ID: e.ID.String(),
		Type: e.Type, Stream: ledgerStream, Revision: 0, Position: e.Position}}}
	if !reflect.DeepEqual(rep, want) {
		t.Fatalf("reply %+v, want %+v", rep, want)
	}
}

func TestExecuteKeepsCorrelationAndCausation(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.svc.Execute(context.Background(), bus.Request{Context: "ledger", Command: "add-entry",
		CommandID: "c2", Body: []byte(`{"name":"a","amount":1}`), CorrelationID: "corr", CausationID: "cause", Trace: "00-abc-def-01"})
	if err != nil {
		t.Fatal(err)
	}
	m := f.store.Events(ledgerStream)[0].Meta
	if m.CorrelationID != "corr" || m.CausationID != "cause" || m.Trace != "00-abc-def-01" {
		t.Fatalf("meta %+v", m)
	}
}

func TestExecuteRejectsBadInputWithoutAppending(t *testing.T) {
	cases := []struct {
		name, command, body, code string
		fields                    map[string]string
	}{
		{"failed tags", "add-entry", `{"name":"far too long a name","amount":0}`, "validation_failed",
			map[string]string{"name": "max=10", "amount": "min=1"}},
		{"nested and custom tags", "add-entry", `{"name":"a","amount":1,"code":"A B","tags":["x"," "],"note":{}}`, "validation_failed",
			map[string]string{"code": "acronym", "tags[1]": "notblank", "note.text": "required"}},
		{"missing required", "add-entry", `{}`, "validation_failed", map[string]string{"name": "required", "amount": "min=1"}},
		{"unknown field", "add-entry", `{"name":"a","amount":1,"colour":"red"}`, "validation_failed", map[string]string{"colour": "unknown"}},
		{"envelope field from the body", "add-entry", `{"name":"a","amount":1,"CommandID":"x"}`, "validation_failed", map[string]string{"CommandID": "unknown"}},
		{"wrong type", "add-entry", `{"name":"a","amount":"one"}`, "validation_failed", map[string]string{"amount": "type"}},
		{"invalid JSON", "add-entry", `{"name":"a",`, "invalid_json", nil},
		{"not an object", "add-entry", `["a"]`, "invalid_json", nil},
		{"trailing data", "add-entry", `{"name":"a","amount":1} {}`, "invalid_json", nil},
		{"unknown command", "remove-entry", `{}`, "unknown_command", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			_, err := f.exec(t, "cmd-x", tc.command, tc.body)
			if code(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			var e *errcode.Error
			errors.As(err, &e)
			if tc.fields != nil && !reflect.DeepEqual(e.Fields, tc.fields) {
				t.Fatalf("fields %v, want %v", e.Fields, tc.fields)
			}
			if n := f.store.Appends(); n != 0 {
				t.Fatalf("%d appends after a rejection", n)
			}
			if f.replies.Len() != 0 {
				t.Fatal("a rejected command left a reply record")
			}
		})
	}
}

func TestExecuteCommandIDRequired(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.exec(t, " ", "add-entry", `{"name":"a","amount":1}`)
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != "validation_failed" || e.Fields["command_id"] != "required" {
		t.Fatalf("err = %v", err)
	}
}

func TestExecuteDomainRejection(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`); err != nil {
		t.Fatal(err)
	}
	_, err := f.exec(t, "c2", "add-entry", `{"name":"a","amount":2}`)
	if !errors.Is(err, errEntryExists) {
		t.Fatalf("err = %v", err)
	}
	if f.store.Appends() != 1 || f.replies.Len() != 1 {
		t.Fatalf("appends %d, replies %d", f.store.Appends(), f.replies.Len())
	}
	// The rejected ID is free again: nothing was remembered for it.
	if _, err := f.exec(t, "c2", "add-entry", `{"name":"b","amount":2}`); err != nil {
		t.Fatal(err)
	}
}

func TestExecuteSameCommandTwice(t *testing.T) {
	f := newFixture(t, nil)
	first, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`)
	if err != nil {
		t.Fatal(err)
	}
	// Same request, encoded differently: the same command.
	second, err := f.exec(t, "c1", "add-entry", "{ \"amount\": 1,\n \"name\": \"a\" }")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) || f.store.Appends() != 1 {
		t.Fatalf("first %+v, second %+v, %d appends", first, second, f.store.Appends())
	}
}

func TestExecuteIdempotencyKeyReused(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ command, body string }{
		{"add-entry", `{"name":"a","amount":2}`},
		{"touch", `{}`},
	} {
		if _, err := f.exec(t, "c1", tc.command, tc.body); !errors.Is(err, errcode.IdempotencyReused) {
			t.Fatalf("%s %s: err = %v", tc.command, tc.body, err)
		}
	}
	if f.store.Appends() != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

func TestExecuteRebuildsReplyFromStream(t *testing.T) {
	f := newFixture(t, nil)
	first, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.exec(t, "c2", "add-entry", `{"name":"b","amount":1}`); err != nil {
		t.Fatal(err)
	}
	// A second instance whose reply store lost the record (expired, or the first
	// instance died between append and reply) finds the command's events in the stream.
	other, err := bus.NewService(bus.ServiceConfig{Store: f.store, Registry: f.reg,
		Replies: bustest.NewFakeReplies(), Clock: clock}, ledgerDecider())
	if err != nil {
		t.Fatal(err)
	}
	again, err := other.Execute(context.Background(), bus.Request{Context: "ledger", Command: "add-entry",
		CommandID: "c1", Body: []byte(`{"name":"a","amount":1}`), Actor: events.Actor{User: "u1", Organisation: "amf", Role: "member"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, again) || f.store.Appends() != 2 {
		t.Fatalf("first %+v, again %+v, %d appends", first, again, f.store.Appends())
	}
}

func TestExecuteNoOp(t *testing.T) {
	f := newFixture(t, nil)
	added, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.exec(t, "c2", "touch", ``)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CommandID != "c2" || rep.Position != added.Position || rep.Events == nil || len(rep.Events) != 0 {
		t.Fatalf("reply %+v", rep)
	}
	b, _ := json.Marshal(rep)
	if string(b) != `{"command_id":"c2","position":1,"events":[]}` {
		t.Fatalf("reply JSON %s", b)
	}
	if f.store.Appends() != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

func TestExecuteRetriesOnWrongRevision(t *testing.T) {
	var injected atomic.Bool
	f := newFixture(t, nil)
	f.store.BeforeAppend = func(ctx context.Context, stream string) {
		if injected.CompareAndSwap(false, true) {
			// Another instance appends first, after this one has read the stream.
			ev, err := f.reg.New(entryAdded{Name: "other", Amount: 9}, stream, events.DeriveID("intruder", 0), clock(), events.Meta{})
			if err == nil {
				_, err = f.store.Append(ctx, stream, store.Any, ev)
			}
			if err != nil {
				t.Error(err)
			}
		}
	}
	rep, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if !injected.Load() || len(rep.Events) != 1 || rep.Events[0].Revision != 1 || f.store.Appends() != 2 {
		t.Fatalf("reply %+v, %d appends", rep, f.store.Appends())
	}
	// The retry decided on the new state: a command conflicting with the intruder is rejected.
	injected.Store(false)
	f.store.BeforeAppend = nil
	if _, err := f.exec(t, "c2", "add-entry", `{"name":"other","amount":1}`); !errors.Is(err, errEntryExists) {
		t.Fatalf("err = %v", err)
	}
}

func TestExecuteGivesUpAfterMaxAttempts(t *testing.T) {
	var n atomic.Int64
	f := newFixture(t, func(c *bus.ServiceConfig) { c.MaxAttempts = 3 })
	f.store.BeforeAppend = func(ctx context.Context, stream string) {
		i := n.Add(1)
		if i%2 == 0 { // every append of the command is preceded by an intruder's
			return
		}
		ev, _ := f.reg.New(entryAdded{Name: "x", Amount: 1}, stream, events.DeriveID("intruder", int(i)), clock(), events.Meta{})
		if _, err := f.store.Append(ctx, stream, store.Any, ev); err != nil {
			t.Error(err)
		}
	}
	_, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`)
	if !errors.Is(err, errcode.Conflict) {
		t.Fatalf("err = %v", err)
	}
	for _, e := range f.store.Events(ledgerStream) {
		if e.Meta.CommandID == "c1" {
			t.Fatal("a rejected command appended an event")
		}
	}
	if f.store.Appends() != 3 || f.replies.Len() != 0 {
		t.Fatalf("%d appends, %d replies", f.store.Appends(), f.replies.Len())
	}
}

func TestExecuteConcurrentDuplicatesInProcess(t *testing.T) {
	f := newFixture(t, nil)
	const n = 20
	replies := make([]bus.Reply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { replies[i], errs[i] = f.exec(t, "same", "add-entry", `{"name":"a","amount":1}`) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !reflect.DeepEqual(replies[i], replies[0]) {
			t.Fatalf("reply %d: %+v, %v (first %+v)", i, replies[i], errs[i], replies[0])
		}
	}
	if f.store.Appends() != 1 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

func TestExecutePanicIsInternal(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.exec(t, "c1", "explode", `{}`); !errors.Is(err, errcode.Internal) {
		t.Fatalf("err = %v", err)
	}
}

func TestStoreFailures(t *testing.T) {
	f := newFixture(t, nil)
	_ = f.store.Close()
	if _, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`); !errors.Is(err, errcode.Unavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	if _, err := bus.NewService(bus.ServiceConfig{}, ledgerDecider()); err == nil {
		t.Fatal("empty config accepted")
	}
	bad := ledgerDecider()
	bad.Commands = append(bad.Commands, bad.Commands[0])
	if _, err := bus.NewService(bus.ServiceConfig{Store: bustest.NewFakeStore(), Registry: events.NewRegistry()}, bad); err == nil {
		t.Fatal("duplicate command accepted")
	}
	svc, err := bus.NewService(bus.ServiceConfig{Store: bustest.NewFakeStore(), Registry: events.NewRegistry()}, ledgerDecider())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err == nil {
		t.Fatal("Start without a connection")
	}
	if _, err := svc.Execute(context.Background(), bus.Request{Context: "ledger", Command: "touch", CommandID: "c"}); !errors.Is(err, errcode.Unavailable) {
		t.Fatalf("Execute without a reply store: %v", err)
	}
	if svc.Stop() != nil || svc.Stop() != nil {
		t.Fatal("Stop is not idempotent")
	}
}

func TestExecuteExpectedRevision(t *testing.T) {
	f := newFixture(t, nil)
	at := func(id, body string, rev uint64) (bus.Reply, error) {
		return f.svc.Execute(context.Background(), bus.Request{Context: "ledger", Command: "add-entry",
			CommandID: id, Body: []byte(body), ExpectedRevision: &rev})
	}
	if _, err := at("c0", `{"name":"a","amount":1}`, 0); !errors.Is(err, errcode.WrongRevision) {
		t.Fatalf("on an empty stream: %v", err)
	}
	if _, err := f.exec(t, "c1", "add-entry", `{"name":"a","amount":1}`); err != nil {
		t.Fatal(err)
	}
	first, err := at("c2", `{"name":"b","amount":1}`, 0)
	if err != nil || first.Events[0].Revision != 1 {
		t.Fatalf("at the expected revision: %+v, %v", first, err)
	}
	if _, err := at("c3", `{"name":"c","amount":1}`, 0); !errors.Is(err, errcode.WrongRevision) {
		t.Fatalf("at a stale revision: %v", err)
	}
	// A retry of a command that succeeded is answered, although the stream moved on.
	again, err := at("c2", `{"name":"b","amount":1}`, 0)
	if err != nil || !reflect.DeepEqual(first, again) {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	if f.store.Appends() != 2 {
		t.Fatalf("%d appends", f.store.Appends())
	}
}

func TestParseRevision(t *testing.T) {
	for in, want := range map[string]uint64{`"0"`: 0, `W/"12"`: 12, `7`: 7, ` "3" `: 3} {
		if got, err := bus.ParseRevision(in); err != nil || got != want {
			t.Errorf("%s: %d, %v", in, got, err)
		}
	}
	for _, in := range []string{``, `"abc"`, `-1`, `+1`, `"1`, `""`, `*`} {
		if _, err := bus.ParseRevision(in); !errors.Is(err, errcode.ValidationFailed) {
			t.Errorf("%q: %v", in, err)
		}
	}
}
