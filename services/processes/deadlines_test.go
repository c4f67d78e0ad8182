package processes_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/processes"
)

// votingSystem is the membership and consultations services over embedded NATS and the
// real JetStream store, with a clock the test moves.
type votingSystem struct {
	store  store.Store
	reg    *events.Registry
	client *bus.Client
	now    atomic.Int64
}

func (v *votingSystem) clock() time.Time { return time.Unix(0, v.now.Load()).UTC() }

func newVotingSystem(t *testing.T) *votingSystem {
	t.Helper()
	connect := bustest.NATS(t)
	nc := connect("services")
	v := &votingSystem{store: bustest.JetStreamStore(t, nc), reg: events.NewRegistry()}
	v.now.Store(time.Date(2027, 3, 4, 9, 0, 0, 0, time.UTC).UnixNano())
	msvc, err := membership.New(bus.ServiceConfig{Store: v.store, Conn: nc, Registry: v.reg, Clock: v.clock})
	if err != nil {
		t.Fatal(err)
	}
	csvc, err := consultations.New(bus.ServiceConfig{Store: v.store, Conn: nc, Registry: v.reg, Clock: v.clock}, nil,
		consultations.NewMemoryBallotBox())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*bus.Service{csvc} {
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop() })
	}
	if err := msvc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = msvc.Stop() })
	v.client = bus.NewClient(connect("client"), bus.ClientOptions{})
	return v
}

func (v *votingSystem) must(t *testing.T, context_, command, id string, body any, actor events.Actor) bus.Reply {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.client.Send(context.Background(), bus.Request{Context: context_, Command: command, CommandID: id, Body: b, Actor: actor})
	if err != nil {
		t.Fatalf("%s.%s: %v", context_, command, err)
	}
	return rep
}

// closedEvents counts the closing events of a consultation.
func (v *votingSystem) closedEvents(t *testing.T, id uuid.UUID) int {
	t.Helper()
	n := 0
	var opened events.Event
	for ev, err := range v.store.Read(context.Background(), consultations.ConsultationStream(id), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == consultations.TypeConsultationOpened {
			opened = ev
		}
		if ev.Type == consultations.TypeConsultationClosed {
			if ev.Meta.CorrelationID != opened.Meta.CorrelationID || ev.Meta.CausationID != opened.ID.String() {
				t.Errorf("closed with correlation %q and causation %q, want the opening's %q and %s",
					ev.Meta.CorrelationID, ev.Meta.CausationID, opened.Meta.CorrelationID, opened.ID)
			}
			n++
			if ev.Meta.Actor != processes.Actor("deadlines") {
				t.Errorf("closed by %+v", ev.Meta.Actor)
			}
		}
	}
	return n
}

// flakySender forwards commands; while lose is set it drops their replies (the command
// was executed, the scheduler does not know it).
type flakySender struct {
	next  bus.Sender
	lose  atomic.Bool
	mu    sync.Mutex
	sends int
}

func (f *flakySender) Send(ctx context.Context, req bus.Request) (bus.Reply, error) {
	f.mu.Lock()
	f.sends++
	f.mu.Unlock()
	rep, err := f.next.Send(ctx, req)
	if err == nil && f.lose.Load() {
		return bus.Reply{}, errcode.Unavailable.With("reply lost")
	}
	return rep, err
}

func (f *flakySender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends
}

// TestDeadlineClosesExactlyOnceAcrossRestart: a scheduler that stops before the deadline,
// two instances that start after it, a reply lost in the middle: the consultation is
// closed once, by the deadline close, and a later scheduler leaves it alone.
func TestDeadlineClosesExactlyOnceAcrossRestart(t *testing.T) {
	v := newVotingSystem(t)
	secretariat := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	v.must(t, membership.Context, membership.CmdCreateCommittee, "committee", map[string]string{"name": "Comité des partenaires du numérique pour l'éducation"}, secretariat)
	var electorate []map[string]any
	for _, acronym := range []string{"AMF", "ADF", "ARF"} {
		v.must(t, membership.Context, membership.CmdAddOrganisation, "org-"+acronym, map[string]string{"name": "Association " + acronym, "acronym": acronym}, secretariat)
		electorate = append(electorate, map[string]any{"organisation_id": membership.OrganisationIDFor("org-" + acronym)})
	}
	deadline := v.clock().Add(48 * time.Hour)
	v.must(t, consultations.Context, consultations.CmdOpenConsultation, "vote", map[string]any{
		"question": "Faut-il adopter la charte de gouvernance du service public du numérique éducatif ?",
		"kind":     "yes_no_abstain", "electorate": electorate, "deadline": deadline,
	}, secretariat)
	id := consultations.ConsultationIDFor("vote")

	run := func(s bus.Sender) (stop func()) {
		d, err := processes.NewDeadlines(processes.DeadlinesConfig{Store: v.store, Registry: events.NewRegistry(),
			Sender: s, Clock: v.clock, Tick: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}

	// Before the deadline, a scheduler sends nothing; then it stops (a restart).
	early := &flakySender{next: v.client}
	stop := run(early)
	time.Sleep(50 * time.Millisecond) // ten ticks: time for a wrong early close to happen
	stop()
	if n := early.count(); n != 0 {
		t.Fatalf("%d sends before the deadline", n)
	}

	// After the deadline, two instances start; the first replies are lost.
	v.now.Store(deadline.Add(time.Second).UnixNano())
	a, b := &flakySender{next: v.client}, &flakySender{next: v.client}
	a.lose.Store(true)
	b.lose.Store(true)
	stopA, stopB := run(a), run(b)
	eventually(t, "the closing event", func() bool { return v.closedEvents(t, id) > 0 })
	a.lose.Store(false)
	b.lose.Store(false)
	eventually(t, "both schedulers to see the close", func() bool {
		before := a.count() + b.count()
		time.Sleep(30 * time.Millisecond)
		return a.count()+b.count() == before
	})
	stopA()
	stopB()
	if n := v.closedEvents(t, id); n != 1 {
		t.Fatalf("%d closing events, want 1", n)
	}

	// A scheduler started later sees the closing event and sends nothing.
	late := &flakySender{next: v.client}
	stop = run(late)
	time.Sleep(50 * time.Millisecond)
	stop()
	if n := late.count(); n != 0 {
		t.Fatalf("a later scheduler sent %d commands", n)
	}
	if n := v.closedEvents(t, id); n != 1 {
		t.Fatalf("%d closing events, want 1", n)
	}
}
