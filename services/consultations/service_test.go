package consultations_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
)

// start is the harness clock's first reading: a Thursday morning, Paris time.
var start = time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC)

// harness runs the membership service and instances of the consultations service over
// an embedded NATS server and the real JetStream event store, with a clock the test moves.
type harness struct {
	client *bus.Client
	store  store.Store
	// box is the ballot box every instance shares (the KV bucket, opened on its own
	// connection), for tests to look into.
	box *consultations.KVBallotBox
	// connect opens another connection to the embedded NATS server.
	connect func(name string) *nats.Conn
	now     atomic.Int64
}

func (h *harness) clock() time.Time      { return time.Unix(0, h.now.Load()).UTC() }
func (h *harness) setClock(at time.Time) { h.now.Store(at.UnixNano()) }

func newHarness(t *testing.T, instances int, opinions consultations.OpinionLookup) *harness {
	t.Helper()
	connect := bustest.NATS(t)
	h := &harness{connect: connect}
	h.setClock(start)
	nc := connect("membership")
	h.store = bustest.JetStreamStore(t, nc)
	msvc, err := membership.New(bus.ServiceConfig{Store: h.store, Conn: nc, Registry: events.NewRegistry(), Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := msvc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = msvc.Stop() })
	h.box = kvBallotBox(t, connect("ballot-box"))
	for i := range instances {
		nc := connect(fmt.Sprint("consultations-", i))
		svc, err := consultations.New(bus.ServiceConfig{Conn: nc, Store: bustest.JetStreamStore(t, nc), Registry: events.NewRegistry(),
			Clock: h.clock, MaxAttempts: 50}, opinions, kvBallotBox(t, nc))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Stop() })
	}
	h.client = bus.NewClient(connect("gateway"), bus.ClientOptions{Timeout: 30 * time.Second})
	return h
}

// kvBallotBox opens the deployment's ballot box bucket on nc.
func kvBallotBox(t *testing.T, nc *nats.Conn) *consultations.KVBallotBox {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	box, err := consultations.NewKVBallotBox(context.Background(), js, consultations.KVBallotBoxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func (h *harness) send(t *testing.T, context_, command, id string, actor events.Actor, body string) (bus.Reply, error) {
	t.Helper()
	return h.client.Send(context.Background(), bus.Request{Context: context_, Command: command, CommandID: id,
		CorrelationID: "corr-" + id, Actor: actor, Body: []byte(body)})
}

func (h *harness) must(t *testing.T, context_, command, id string, actor events.Actor, body string) bus.Reply {
	t.Helper()
	rep, err := h.send(t, context_, command, id, actor, body)
	if err != nil {
		t.Fatalf("%s %s: %v", command, id, err)
	}
	return rep
}

func (h *harness) reject(t *testing.T, want *errcode.Error, command, id string, actor events.Actor, body string) {
	t.Helper()
	if _, err := h.send(t, consultations.Context, command, id, actor, body); !errors.Is(err, want) {
		t.Fatalf("%s %s: %v, want %s", command, id, err, want.Code)
	}
}

// org is one of the committee's founding organisations (seeds/), with its weight in the
// consultation.
type org struct {
	name, acronym, kind string
	weight              int
	id                  uuid.UUID
}

func founders() []*org {
	return []*org{
		{name: "Association des Maires de France", acronym: "AMF", kind: "elected_officials_association", weight: 3},
		{name: "Association des Maires Ruraux de France", acronym: "AMRF", kind: "elected_officials_association", weight: 2},
		{name: "Assemblée des Départements de France", acronym: "ADF", kind: "elected_officials_association", weight: 3},
		{name: "Association des Régions de France", acronym: "ARF", kind: "elected_officials_association", weight: 3},
		{name: "Association des Maires de Grandes Villes de France", acronym: "AMGVF", kind: "elected_officials_association", weight: 2},
		{name: "Réseau Français des Villes Éducatrices", acronym: "RFVE", kind: "elected_officials_association", weight: 1},
		{name: "Association des Maires Ville et Banlieue de France", acronym: "AMVBF", kind: "elected_officials_association", weight: 1},
		{name: "Villes Internet", acronym: "Villes-Internet", kind: "other", weight: 1},
		{name: "Caisse des Dépôts", acronym: "CDC", kind: "public_operator", weight: 2},
		{name: "Ministère de l'Éducation nationale", acronym: "MEN", kind: "ministry", weight: 3},
		{name: "Ministère de l'Économie, des Finances et de l'Industrie", acronym: "MINEFI", kind: "ministry", weight: 1},
	}
}

// admin sets the committee up (authorization comes later, with accounts).
var admin = events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}

// rep is a representative of o acting for it.
func rep(o *org, n int) events.Actor {
	return events.Actor{User: fmt.Sprintf("representant%d@%s.fr", n, strings.ToLower(o.acronym)), Organisation: o.id.String(), Role: "member"}
}

// setUpCommittee creates the committee and its organisations through the membership
// service, and returns the secretariat's actor: a representative of the ministry of
// education (the DNE holds the joint secretariat).
func setUpCommittee(t *testing.T, h *harness, orgs []*org) events.Actor {
	t.Helper()
	h.must(t, membership.Context, membership.CmdCreateCommittee, "m-committee", admin,
		`{"name":"Comité des partenaires du numérique pour l'éducation","acronym":"CPNE"}`)
	for _, o := range orgs {
		id := "m-org-" + o.acronym
		h.must(t, membership.Context, membership.CmdAddOrganisation, id, admin,
			fmt.Sprintf(`{"name":%q,"acronym":%q,"kind":%q}`, o.name, o.acronym, o.kind))
		o.id = membership.OrganisationIDFor(id)
	}
	return events.Actor{User: "secretariat@education.gouv.fr", Organisation: orgs[9].id.String(), Role: "secretariat"}
}

func electorate(orgs []*org) string {
	var parts []string
	for _, o := range orgs {
		parts = append(parts, fmt.Sprintf(`{"organisation_id":"%s","weight":%d}`, o.id, o.weight))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// stream reads a stream's events.
func stream(t *testing.T, st store.Store, name string) []events.Event {
	t.Helper()
	var out []events.Event
	for ev, err := range st.Read(context.Background(), name, 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func TestServiceOverNATS(t *testing.T) {
	opinion := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:test:avis-gouvernance"))
	lookup := func(_ context.Context, id uuid.UUID) (consultations.OpinionVersion, bool, error) {
		if id != opinion {
			return consultations.OpinionVersion{}, false, nil
		}
		return consultations.OpinionVersion{State: "voting", TextSHA256: strings.Repeat("ab", 32)}, true, nil
	}
	h := newHarness(t, 1, lookup)
	orgs := founders()
	secretariatActor := setUpCommittee(t, h, orgs)
	amf, amrf, adf, arf, rfve := orgs[0], orgs[1], orgs[2], orgs[3], orgs[5]
	deadline := start.Add(7 * 24 * time.Hour)
	open := func(extra string) string {
		return `{"question":"Le comité adopte-t-il l'avis « Gouvernance du numérique éducatif à la bonne échelle » ?",` +
			`"description":"Avis préparé par le groupe de travail Gouvernance, en lien avec les délégués académiques au numérique.",` +
			`"kind":"yes_no_abstain","electorate":` + electorate(orgs) + `,"quorum":{"min_participation":60},` +
			`"deadline":"` + deadline.Format(time.RFC3339) + `","results":"live"` + extra + `}`
	}

	// Prepare reads the committee and the opinions context: rejections append nothing.
	stranger := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:test:not-a-member"))
	h.reject(t, consultations.ErrOrganisationNotFound, consultations.CmdOpenConsultation, "c-stranger", secretariatActor,
		strings.Replace(open(""), orgs[10].id.String(), stranger.String(), 1))
	h.reject(t, consultations.ErrOpinionVersionMismatch, consultations.CmdOpenConsultation, "c-mismatch", secretariatActor,
		open(`,"opinion_id":"`+opinion.String()+`","opinion_text_sha256":"`+strings.Repeat("cd", 32)+`"`))
	h.reject(t, consultations.ErrOpinionNotFound, consultations.CmdOpenConsultation, "c-no-opinion", secretariatActor,
		open(`,"opinion_id":"`+stranger.String()+`","opinion_text_sha256":"`+strings.Repeat("ab", 32)+`"`))
	h.reject(t, errcode.DateInPast, consultations.CmdOpenConsultation, "c-past", secretariatActor,
		strings.Replace(open(""), deadline.Format(time.RFC3339), start.Add(-time.Hour).Format(time.RFC3339), 1))
	for _, id := range []string{"c-stranger", "c-mismatch", "c-no-opinion", "c-past"} {
		if evs := stream(t, h.store, consultations.ConsultationStream(consultations.ConsultationIDFor(id))); len(evs) != 0 {
			t.Fatalf("rejected %s appended %d events", id, len(evs))
		}
	}

	opened := h.must(t, consultations.Context, consultations.CmdOpenConsultation, "c-open", secretariatActor, open(""))
	cid := consultations.ConsultationIDFor("c-open")
	if len(opened.Events) != 1 || opened.Events[0].Stream != consultations.ConsultationStream(cid) {
		t.Fatalf("open-consultation %+v", opened)
	}
	ballot := func(o *org, change bool, choice string) string {
		return fmt.Sprintf(`{"consultation_id":"%s","organisation_id":"%s","choices":[%q],"change":%t}`, cid, o.id, choice, change)
	}
	castBallot := func(id string, actor events.Actor, o *org, change bool, choice string) bus.Reply {
		t.Helper()
		h.setClock(h.clock().Add(time.Minute))
		return h.must(t, consultations.Context, consultations.CmdCastBallot, id, actor, ballot(o, change, choice))
	}

	// A proxy to an organisation outside the committee is refused (Prepare reads it);
	// the RFVE gives its proxy to the AMF; the AMRF may not vote for the ADF.
	h.reject(t, consultations.ErrOrganisationNotFound, consultations.CmdGrantProxy, "c-proxy-stranger", rep(rfve, 1),
		fmt.Sprintf(`{"consultation_id":"%s","from_organisation_id":"%s","to_organisation_id":"%s","signed_on":"2026-03-05"}`,
			cid, rfve.id, stranger))
	h.must(t, consultations.Context, consultations.CmdGrantProxy, "c-proxy", rep(rfve, 1),
		fmt.Sprintf(`{"consultation_id":"%s","from_organisation_id":"%s","to_organisation_id":"%s","signed_on":"2026-03-05","note":"Absent à la séance du 12 mars"}`,
			cid, rfve.id, amf.id))
	h.reject(t, consultations.ErrNotEntitledToVote, consultations.CmdCastBallot, "c-intruder", rep(amrf, 1),
		ballot(adf, false, "pour"))

	// Eleven ballots: ten by the organisations' own representatives, the RFVE's by the AMF.
	choices := []string{"pour", "pour", "contre", "contre", "pour", "pour", "abstention", "pour", "abstention", "pour", "contre"}
	var want []string
	want = append(want, consultations.TypeConsultationOpened, consultations.TypeProxyGranted)
	for i, o := range orgs {
		actor, via := rep(o, 1), false
		if o == rfve {
			actor, via = rep(amf, 2), true
		}
		r := castBallot(fmt.Sprint("c-ballot-", i), actor, o, false, choices[i])
		if len(r.Events) != 1 || r.Events[0].Type != consultations.TypeBallotCast {
			t.Fatalf("ballot of %s (via proxy %v): %+v", o.acronym, via, r)
		}
		want = append(want, consultations.TypeBallotCast)
	}
	// A second AMF representative is too late; the ADF changes its mind (open ballot).
	h.reject(t, consultations.ErrBallotAlreadyCast, consultations.CmdCastBallot, "c-amf-again", rep(amf, 3),
		ballot(amf, false, "contre"))
	castBallot("c-adf-change", rep(adf, 2), adf, true, "pour")
	want = append(want, consultations.TypeBallotChanged)

	// The deadline close is refused before the deadline, and ballots after it.
	req := consultations.DeadlineCloseRequest(cid)
	if _, err := h.client.Send(context.Background(), req); !errors.Is(err, consultations.ErrDeadlineNotReached) {
		t.Fatalf("early deadline close: %v", err)
	}
	h.setClock(deadline)
	h.reject(t, consultations.ErrDeadlinePassed, consultations.CmdCastBallot, "c-late", rep(arf, 1), ballot(arf, true, "pour"))
	h.setClock(deadline.Add(2 * time.Second))
	closed, err := h.client.Send(context.Background(), req)
	if err != nil || len(closed.Events) != 1 || closed.Events[0].Type != consultations.TypeConsultationClosed {
		t.Fatalf("deadline close: %+v, %v", closed, err)
	}
	want = append(want, consultations.TypeConsultationClosed)
	// A second scheduler sends the same command: the same reply, nothing appended.
	again, err := h.client.Send(context.Background(), consultations.DeadlineCloseRequest(cid))
	if err != nil || !reflect.DeepEqual(again, closed) {
		t.Fatalf("second deadline close: %+v, %v", again, err)
	}
	h.reject(t, consultations.ErrConsultationClosed, consultations.CmdCloseConsultation, "c-close-again", secretariatActor,
		`{"consultation_id":"`+cid.String()+`"}`)

	// The log.
	evs := stream(t, h.store, consultations.ConsultationStream(cid))
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("log\n %v\nwant %v", types, want)
	}
	reg := events.NewRegistry()
	consultations.Register(reg)
	proxyVote, err := reg.Decode(evs[2+5])
	if err != nil {
		t.Fatal(err)
	}
	if b := proxyVote.(consultations.BallotCast); !b.ViaProxy || b.OrganisationID != rfve.id || b.CastBy.Organisation != amf.id ||
		b.CastBy.User != rep(amf, 2).User || b.Weight != 1 || evs[2+5].Meta.CommandID != "c-ballot-5" ||
		evs[2+5].Meta.CorrelationID != "corr-c-ballot-5" || evs[2+5].Meta.Actor != rep(amf, 2) {
		t.Fatalf("proxy ballot %+v meta %+v", b, evs[2+5].Meta)
	}
	change, _ := reg.Decode(evs[13])
	if c := change.(consultations.BallotChanged); c.Sequence != 1 || c.OrganisationID != adf.id || c.Choices[0] != "pour" ||
		evs[13].Meta.CommandID != "c-adf-change" {
		t.Fatalf("change %+v", c)
	}
	last := evs[len(evs)-1]
	if last.Meta.CommandID != consultations.DeadlineCommandID(cid) || last.Meta.CorrelationID != consultations.DeadlineCommandID(cid) ||
		last.Position != closed.Position || !last.Time.Equal(deadline.Add(2*time.Second)) {
		t.Fatalf("closed event %+v", last)
	}
	p, err := reg.Decode(last)
	if err != nil {
		t.Fatal(err)
	}
	ev := p.(consultations.ConsultationClosed)
	// pour: AMF 3 + AMRF 2 + ADF 3 (changed) + AMGVF 2 + RFVE 1 + Villes Internet 1 + MEN 3 = 15;
	// contre: ARF 3 + MINEFI 1 = 4; abstention: AMVBF 1 + CDC 2 = 3.
	wantResult := consultations.Result{Kind: consultations.KindYesNoAbstain,
		Counts: []consultations.OptionCount{{OptionID: "pour", Weight: 15, Ballots: 7}, {OptionID: "contre", Weight: 4, Ballots: 2},
			{OptionID: "abstention", Weight: 3, Ballots: 2}},
		BallotsCast: 11, ParticipatingWeight: 22, ExpressedWeight: 19, ElectorateWeight: 22, ParticipationPercent: 100,
		MinParticipation: 60, QuorumReached: true, Outcome: consultations.OutcomeAdopted}
	if !ev.AtDeadline || ev.ConsultationID != cid || ev.OpinionID != nil || !ev.ClosedAt.Equal(deadline.Add(2*time.Second)) ||
		!reflect.DeepEqual(ev.Result, wantResult) {
		t.Fatalf("closed %+v\nwant result %+v", ev, wantResult)
	}

	// LoadConsultation sees what the log says.
	c, ok, err := consultations.LoadConsultation(context.Background(), h.store, events.NewRegistry(), cid)
	if err != nil || !ok || !c.Closed || len(c.Ballots) != 11 || !reflect.DeepEqual(c.Result, wantResult) || c.Results != consultations.ResultsLive {
		t.Fatalf("LoadConsultation: %v %v %+v", ok, err, c)
	}
	if _, ok, err := consultations.LoadConsultation(context.Background(), h.store, events.NewRegistry(), uuid.New()); ok || err != nil {
		t.Fatalf("LoadConsultation of nothing: %v %v", ok, err)
	}
}

// TestConcurrentBallots sends 50 cast-ballot commands for the same organisation at once,
// through two service instances (each with its own connection and store), so that
// appends really race on the stream: exactly one ballot_cast is stored, plus only the
// changes that were asked for; every other request got ballot_already_cast.
func TestConcurrentBallots(t *testing.T) {
	h := newHarness(t, 2, nil)
	orgs := founders()[:3]
	secretariatActor := setUpCommittee(t, h, append(orgs, founders()[3:10]...))
	amf := orgs[0]
	h.must(t, consultations.Context, consultations.CmdOpenConsultation, "k-open", secretariatActor,
		`{"question":"Le comité retient-il la fiche-action « Très haut débit dans les écoles rurales » ?","kind":"yes_no_abstain",`+
			`"electorate":`+electorate(orgs)+`,"deadline":"`+start.Add(time.Hour).Format(time.RFC3339)+`"}`)
	cid := consultations.ConsultationIDFor("k-open")

	const n = 50
	type outcome struct {
		change bool
		rep    bus.Reply
		err    error
	}
	results := make(chan outcome, n)
	ready := make(chan struct{})
	for i := range n {
		change := i%3 == 0
		choice := []string{"pour", "contre", "abstention"}[i%3]
		body := fmt.Sprintf(`{"consultation_id":"%s","organisation_id":"%s","choices":[%q],"change":%t}`, cid, amf.id, choice, change)
		go func() {
			<-ready
			rep, err := h.send(t, consultations.Context, consultations.CmdCastBallot, fmt.Sprint("k-ballot-", i), rep(amf, i), body)
			results <- outcome{change, rep, err}
		}()
	}
	close(ready)
	casts, changes, already := 0, 0, 0
	for range n {
		o := <-results
		switch {
		case o.err == nil && len(o.rep.Events) == 1 && o.rep.Events[0].Type == consultations.TypeBallotCast:
			casts++
		case o.err == nil && o.change && len(o.rep.Events) == 1 && o.rep.Events[0].Type == consultations.TypeBallotChanged:
			changes++
		case !o.change && errors.Is(o.err, consultations.ErrBallotAlreadyCast):
			already++
		default:
			t.Errorf("change=%v: %+v, %v", o.change, o.rep, o.err)
		}
	}
	if casts != 1 || casts+changes+already != n {
		t.Fatalf("%d ballots cast, %d changes, %d already cast, of %d", casts, changes, already, n)
	}

	reg := events.NewRegistry()
	consultations.Register(reg)
	var gotCasts, gotChanges int
	for _, ev := range stream(t, h.store, consultations.ConsultationStream(cid))[1:] {
		switch ev.Type {
		case consultations.TypeBallotCast:
			gotCasts++
		case consultations.TypeBallotChanged:
			gotChanges++
			payload, err := reg.Decode(ev)
			if err != nil {
				t.Fatal(err)
			}
			if seq := payload.(consultations.BallotChanged).Sequence; seq != gotChanges {
				t.Errorf("change %d has sequence %d", gotChanges, seq)
			}
		default:
			t.Errorf("unexpected %s", ev.Type)
		}
	}
	if gotCasts != 1 || gotChanges != changes {
		t.Fatalf("the stream holds %d ballot_cast and %d ballot_changed, want 1 and %d", gotCasts, gotChanges, changes)
	}
}

func TestCatalogue(t *testing.T) {
	box := consultations.NewMemoryBallotBox()
	if _, err := consultations.New(bus.ServiceConfig{Store: bustest.NewFakeStore()}, nil, box); err == nil {
		t.Fatal("a config without registry accepted")
	}
	if _, err := consultations.New(bus.ServiceConfig{Store: bustest.NewFakeStore(), Registry: events.NewRegistry()}, nil, nil); err == nil {
		t.Fatal("a service without ballot box accepted")
	}
	reg := events.NewRegistry()
	if _, err := consultations.New(bus.ServiceConfig{Store: bustest.NewFakeStore(), Registry: reg}, nil, box); err != nil {
		t.Fatal(err)
	}
	consultations.Register(reg) // harmless twice
	want := append(consultations.EventTypes(), membership.EventTypes()...)
	if got := reg.Types(); len(got) != len(want) {
		t.Fatalf("registered %v, want %v", got, want)
	}
	for _, typ := range consultations.EventTypes() {
		if !strings.HasPrefix(typ, consultations.Context+".consultation.") {
			t.Errorf("event type %s is not consultations.consultation.<past tense>", typ)
		}
	}
}
