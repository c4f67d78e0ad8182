package bus_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/internal/poll"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// The tests run a tiny "ledger" context: entries with unique names in one stream.

const ledgerStream = "ledger-1"

type entryAdded struct {
	Name   string `json:"name"`
	Amount int    `json:"amount"`
}

func (entryAdded) EventType() string { return "ledger.entry.added" }

type addEntry struct {
	bus.Envelope `validate:"-"`
	Name         string   `json:"name" validate:"required,notblank,max=10"`
	Amount       int      `json:"amount" validate:"min=1"`
	Code         string   `json:"code,omitempty" validate:"omitempty,acronym"`
	Tags         []string `json:"tags,omitempty" validate:"max=3,dive,notblank"`
	Note         *struct {
		Text string `json:"text" validate:"required"`
	} `json:"note,omitempty"`
}

type touch struct {
	bus.Envelope `validate:"-"`
}

type explode struct {
	bus.Envelope `validate:"-"`
}

var errEntryExists = errcode.New("entry_exists", http.StatusConflict, "L'écriture existe déjà.", "The entry already exists.")

type ledger struct{ names map[string]bool }

func ledgerDecider() bus.Decider[ledger] {
	spec := func(name string, n func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: "ledger", Name: name, Summary: name, New: n}
	}
	return bus.Decider[ledger]{
		Context: "ledger",
		Commands: []bus.CommandSpec{
			spec("add-entry", func() any { return new(addEntry) }),
			spec("touch", func() any { return new(touch) }),
			spec("explode", func() any { return new(explode) }),
		},
		Evolve: func(s ledger, p events.Payload) ledger {
			names := map[string]bool{}
			for k := range s.names {
				names[k] = true
			}
			names[p.(entryAdded).Name] = true
			return ledger{names: names}
		},
		Decide: func(s ledger, cmd any) ([]events.Payload, error) {
			switch c := cmd.(type) {
			case addEntry:
				if c.CommandID == "" {
					panic("envelope not set")
				}
				if s.names[c.Name] {
					return nil, errEntryExists
				}
				return []events.Payload{entryAdded{Name: c.Name, Amount: c.Amount}}, nil
			case touch:
				return nil, nil
			case explode:
				panic("boom")
			}
			return nil, errcode.UnknownCommand
		},
		Stream: func(any) string { return ledgerStream },
	}
}

// fixture is a ledger service on fakes.
type fixture struct {
	store   *bustest.FakeStore
	replies *bustest.FakeReplies
	reg     *events.Registry
	svc     *bus.Service
}

func clock() time.Time { return time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC) }

func newFixture(t *testing.T, tweak func(*bus.ServiceConfig)) *fixture {
	t.Helper()
	f := &fixture{store: bustest.NewFakeStore(), replies: bustest.NewFakeReplies(), reg: events.NewRegistry()}
	events.MustRegister[entryAdded](f.reg, 1)
	cfg := bus.ServiceConfig{Store: f.store, Registry: f.reg, Replies: f.replies, Clock: clock}
	if tweak != nil {
		tweak(&cfg)
	}
	svc, err := bus.NewService(cfg, ledgerDecider())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	f.svc = svc
	return f
}

func (f *fixture) exec(t *testing.T, id, command, body string) (bus.Reply, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.svc.Execute(ctx, bus.Request{Context: "ledger", Command: command, CommandID: id, Body: []byte(body),
		Actor: events.Actor{User: "u1", Organisation: "amf", Role: "member"}})
}

// code returns the code of a coded error, "" for nil, "<uncoded>" otherwise.
func code(err error) string {
	if err == nil {
		return ""
	}
	var e *errcode.Error
	if ok := asCoded(err, &e); !ok {
		return "<uncoded: " + err.Error() + ">"
	}
	return e.Code
}

// eventually waits for cond (see internal/poll).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}

func asCoded(err error, target **errcode.Error) bool { return errors.As(err, target) }
