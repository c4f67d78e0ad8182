package bus_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// A "capped" ledger: Prepare reads the cap from another stream (a read-only fold) into
// a field decide sees, so that decide stays pure.

type capSet struct {
	Cap int `json:"cap"`
}

func (capSet) EventType() string { return "ledger.cap.set" }

type cappedEntry struct {
	bus.Envelope `validate:"-"`
	Amount       int `json:"amount" validate:"min=1"`
	// Cap is filled in by Prepare, never read from the body.
	Cap int `json:"-"`
}

var (
	errOverCap = errcode.New("over_cap", http.StatusUnprocessableEntity, "Au-delà du plafond.", "Over the cap.")
	errNoCap   = errcode.New("no_cap", http.StatusConflict, "Aucun plafond.", "No cap.")
)

func cappedDecider(st store.Store, reg *events.Registry, prepared *int) bus.Decider[int] {
	return bus.Decider[int]{
		Context:  "capped",
		Commands: []bus.CommandSpec{{Context: "capped", Name: "add", Summary: "add", New: func() any { return new(cappedEntry) }}},
		Evolve:   func(total int, p events.Payload) int { return total + p.(entryAdded).Amount },
		Decide: func(total int, cmd any) ([]events.Payload, error) {
			c := cmd.(cappedEntry)
			if total+c.Amount > c.Cap {
				return nil, errOverCap
			}
			return []events.Payload{entryAdded{Name: "x", Amount: c.Amount}}, nil
		},
		Stream: func(any) string { return "capped-1" },
		Prepare: func(ctx context.Context, cmd any) (any, error) {
			*prepared++
			limit, at, err := bus.Fold(ctx, st, reg, "caps-1", 0, func(_ int, p events.Payload) int { return p.(capSet).Cap })
			if err != nil {
				return nil, err
			}
			if at.Next == 0 {
				return nil, errNoCap
			}
			c := cmd.(cappedEntry)
			c.Cap = limit
			return c, nil
		},
	}
}

func TestPrepareFillsFactsFromOtherStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, reg := bustest.NewFakeStore(), events.NewRegistry()
	events.MustRegister[entryAdded](reg, 1)
	events.MustRegister[capSet](reg, 1)
	prepared := 0
	svc, err := bus.NewService(bus.ServiceConfig{Store: st, Registry: reg, Replies: bustest.NewFakeReplies(), Clock: clock},
		cappedDecider(st, reg, &prepared))
	if err != nil {
		t.Fatal(err)
	}
	exec := func(id, body string) error {
		_, err := svc.Execute(ctx, bus.Request{Context: "capped", Command: "add", CommandID: id, Body: []byte(body)})
		return err
	}
	if err := exec("a", `{"amount":5}`); !errors.Is(err, errNoCap) {
		t.Fatalf("without a cap stream: %v, want no_cap", err)
	}
	if err := exec("b", `{"amount":5,"Cap":100}`); code(err) != "validation_failed" {
		t.Fatalf("a json:\"-\" fact sent in the body: %v, want validation_failed", err)
	}
	ev, err := reg.New(capSet{Cap: 8}, "caps-1", events.DeriveID("cap", 0), clock(), events.Meta{CommandID: "cap"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, "caps-1", store.NoStream, ev); err != nil {
		t.Fatal(err)
	}
	if err := exec("c", `{"amount":5}`); err != nil {
		t.Fatalf("under the cap: %v", err)
	}
	if err := exec("d", `{"amount":5}`); !errors.Is(err, errOverCap) {
		t.Fatalf("over the cap: %v, want over_cap", err)
	}
	if prepared != 3 { // the body with "Cap" never got past decoding
		t.Errorf("Prepare ran %d times, want once per decision (3)", prepared)
	}
	n := 0
	for _, err := range st.Read(ctx, "capped-1", 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("capped-1 has %d events, want 1", n)
	}
}
