package consultations_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/errcode"
)

// rankings are the founders' secret ballots (ranked, best first), in the order they are
// cast: not sorted, with some identical ones.
var rankings = [][]string{
	{"region", "academie"},
	{"departement", "region", "bassin"},
	{"academie"},
	{"region", "academie"},
	{"bassin", "academie", "departement", "region"},
	{"academie", "bassin"},
	{"departement", "region", "bassin"},
	{"region", "academie"},
	{"academie"},
	{"bassin", "departement"},
	{"departement"},
}

const rankedOptions = `[{"id":"academie","label":"À l'échelle de l'académie"},{"id":"departement","label":"À l'échelle du département"},` +
	`{"id":"bassin","label":"À l'échelle du bassin de vie"},{"id":"region","label":"À l'échelle de la région"}]`

// openSecret opens a secret ranked consultation of orgs with the given deadline.
func openSecret(t *testing.T, h *harness, id string, actor events.Actor, orgs []*org, deadline time.Time) uuid.UUID {
	t.Helper()
	h.must(t, consultations.Context, consultations.CmdOpenConsultation, id, actor,
		`{"question":"Quelle échelle de gouvernance du numérique éducatif privilégier ?","kind":"ranked","secret":true,`+
			`"options":`+rankedOptions+`,"electorate":`+electorate(orgs)+`,"quorum":{"min_participation":50},`+
			`"deadline":"`+deadline.Format(time.RFC3339)+`","results":"live"}`)
	return consultations.ConsultationIDFor(id)
}

func ballotBody(cid uuid.UUID, o *org, change bool, choices []string) string {
	b, _ := json.Marshal(choices)
	return fmt.Sprintf(`{"consultation_id":"%s","organisation_id":"%s","choices":%s,"change":%t}`, cid, o.id, b, change)
}

// closedOf decodes a stream's closing event.
func closedOf(t *testing.T, evs []events.Event) consultations.ConsultationClosed {
	t.Helper()
	reg := events.NewRegistry()
	consultations.Register(reg)
	last := evs[len(evs)-1]
	p, err := reg.Decode(last)
	if err != nil {
		t.Fatal(err)
	}
	closed, ok := p.(consultations.ConsultationClosed)
	if !ok {
		t.Fatalf("last event %s, want the close", last.Type)
	}
	return closed
}

// TestSecretBallotLeavesNoLink runs a secret consultation over NATS, two service
// instances and the real JetStream store and ballot box, closes it at its deadline, and
// reads the raw log: nothing in it links an organisation to its choices, the choices are
// published without order, the tally is right, and the box is empty.
func TestSecretBallotLeavesNoLink(t *testing.T) {
	h := newHarness(t, 2, nil)
	orgs := founders()
	secretariatActor := setUpCommittee(t, h, orgs)
	amf, amrf, rfve := orgs[0], orgs[1], orgs[5]
	deadline := start.Add(7 * 24 * time.Hour)
	cid := openSecret(t, h, "s-open", secretariatActor, orgs, deadline)
	h.must(t, consultations.Context, consultations.CmdGrantProxy, "s-proxy", rep(rfve, 1),
		fmt.Sprintf(`{"consultation_id":"%s","from_organisation_id":"%s","to_organisation_id":"%s","signed_on":"2026-03-05"}`,
			cid, rfve.id, amf.id))

	// Every organisation votes (the RFVE through the AMF); refused ballots seal nothing.
	h.reject(t, consultations.ErrInvalidChoice, consultations.CmdCastBallot, "s-invalid", rep(amf, 1),
		ballotBody(cid, amf, false, []string{"academie", "academie"}))
	h.reject(t, consultations.ErrNotEntitledToVote, consultations.CmdCastBallot, "s-intruder", rep(amrf, 1),
		ballotBody(cid, orgs[2], false, []string{"academie"}))
	for i, o := range orgs {
		actor := rep(o, 1)
		if o == rfve {
			actor = rep(amf, 2)
		}
		h.setClock(h.clock().Add(time.Minute))
		r := h.must(t, consultations.Context, consultations.CmdCastBallot, fmt.Sprint("s-ballot-", i), actor,
			ballotBody(cid, o, i%2 == 0, rankings[i]))
		if len(r.Events) != 1 || r.Events[0].Type != consultations.TypeParticipationRecorded {
			t.Fatalf("secret ballot of %s: %+v", o.acronym, r)
		}
	}
	// A secret ballot is never changed, nor cast twice.
	h.reject(t, consultations.ErrBallotChangeNotAllowed, consultations.CmdCastBallot, "s-change", rep(amf, 3),
		ballotBody(cid, amf, true, []string{"bassin"}))
	h.reject(t, consultations.ErrBallotAlreadyCast, consultations.CmdCastBallot, "s-again", rep(amf, 3),
		ballotBody(cid, amf, false, []string{"bassin"}))

	// Until the close the box holds one sealed ballot per organisation, under opaque
	// references, and no choice in clear; live counts show participation only.
	ctx := context.Background()
	sealed, err := h.box.List(ctx, cid)
	if err != nil || len(sealed) != len(orgs) {
		t.Fatalf("the box holds %d ballots (%v), want %d", len(sealed), err, len(orgs))
	}
	for ref, s := range sealed {
		for _, o := range orgs {
			if strings.Contains(ref, o.id.String()) || strings.Contains(ref, strings.ReplaceAll(o.id.String(), "-", "")) {
				t.Fatalf("box reference %s names %s", ref, o.acronym)
			}
		}
		for _, opt := range []string{"academie", "departement", "bassin", "region"} {
			if strings.Contains(string(s), opt) {
				t.Fatalf("a sealed ballot shows %q in clear", opt)
			}
		}
	}
	live, _, err := consultations.LoadConsultation(ctx, h.store, events.NewRegistry(), cid)
	if err != nil {
		t.Fatal(err)
	}
	if r := consultations.Tally(live); r.BallotsCast != len(orgs) || r.ParticipatingWeight != 22 || r.Counts[0].Points != 0 {
		t.Fatalf("live tally of a secret consultation %+v", r)
	}

	// The deadline close; a second scheduler's gets the same reply.
	h.setClock(deadline.Add(time.Second))
	closedRep, err := h.client.Send(ctx, consultations.DeadlineCloseRequest(cid))
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.client.Send(ctx, consultations.DeadlineCloseRequest(cid))
	if err != nil || !reflect.DeepEqual(again, closedRep) {
		t.Fatalf("second deadline close: %+v, %v", again, err)
	}

	// The box is empty, and its bucket's stream no longer holds any of its values.
	if ids, err := h.box.Consultations(ctx); err != nil || slices.Contains(ids, cid) {
		t.Fatalf("the box still holds consultation %s: %v %v", cid, ids, err)
	}
	if left, err := h.box.List(ctx, cid); err != nil || len(left) != 0 {
		t.Fatalf("the box still holds %d ballots (%v)", len(left), err)
	}
	assertBucketHoldsNothingOf(t, h, cid)

	// The raw log, the consultation's stream and the whole log alike.
	evs := stream(t, h.store, consultations.ConsultationStream(cid))
	var all []events.Event
	for ev, err := range h.store.ReadAll(ctx, store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ev)
	}
	assertNoLink(t, orgs, append(slices.Clone(evs), all...))
	participations := 0
	for _, ev := range evs {
		if ev.Type == consultations.TypeBallotCast || ev.Type == consultations.TypeBallotChanged {
			t.Fatalf("a secret consultation's log holds %s", ev.Type)
		}
		if ev.Type != consultations.TypeParticipationRecorded {
			continue
		}
		participations++
		var data map[string]any
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatal(err)
		}
		if keys := slices.Sorted(maps.Keys(data)); !slices.Equal(keys, []string{"cast_by", "consultation_id", "organisation_id", "via_proxy", "weight"}) {
			t.Fatalf("participation event fields %v", keys)
		}
		raw, _ := json.Marshal(ev)
		for _, opt := range []string{"academie", "departement", "bassin", "region"} {
			if strings.Contains(string(raw), opt) {
				t.Fatalf("participation event %s mentions %q", raw, opt)
			}
		}
	}
	if participations != len(orgs) {
		t.Fatalf("%d participations, want %d", participations, len(orgs))
	}

	// The closing event: the ballots merged and sorted by choices (the cast order is
	// not sorted, so a list in cast order would fail), and a result that Tally recounts
	// from the log and that matches the same ballots counted openly.
	closed := closedOf(t, evs)
	if !closed.Secret || !closed.AtDeadline {
		t.Fatalf("closed %+v", closed)
	}
	if slices.IsSortedFunc(rankings, slices.Compare) {
		t.Fatal("the test casts its ballots in sorted order")
	}
	if !slices.IsSortedFunc(closed.SecretBallots, func(a, b consultations.SecretBallot) int { return slices.Compare(a.Choices, b.Choices) }) {
		t.Fatalf("secret ballots not sorted: %+v", closed.SecretBallots)
	}
	want := map[string]consultations.SecretBallot{}
	for i, r := range rankings {
		k := strings.Join(r, ">")
		b := want[k]
		b.Choices, b.Ballots, b.Weight = r, b.Ballots+1, b.Weight+orgs[i].weight
		want[k] = b
	}
	got := map[string]consultations.SecretBallot{}
	for _, b := range closed.SecretBallots {
		got[strings.Join(b.Choices, ">")] = b
	}
	if !reflect.DeepEqual(got, want) || len(closed.SecretBallots) != len(want) {
		t.Fatalf("secret ballots\n got %+v\nwant %+v", got, want)
	}
	openly := []events.Payload{consultations.ConsultationOpened{ConsultationID: cid, Kind: consultations.KindRanked,
		Options: live.Options, Electorate: electors(orgs), Quorum: consultations.Quorum{MinParticipation: 50}, Deadline: deadline}}
	for i, o := range orgs {
		openly = append(openly, consultations.BallotCast{ConsultationID: cid, OrganisationID: o.id, Choices: rankings[i], Weight: o.weight})
	}
	wantResult := consultations.Tally(consultations.Fold(openly...))
	if !reflect.DeepEqual(closed.Result, wantResult) {
		t.Fatalf("result\n got %+v\nwant %+v", closed.Result, wantResult)
	}
	// By hand, Borda points: académie 51, région 39, département 29, bassin 29.
	if closed.Result.Outcome != consultations.OutcomeDecided || !slices.Equal(closed.Result.Winners, []string{"academie"}) ||
		closed.Result.Counts[0].Points != 51 || closed.Result.Counts[3].Points != 39 {
		t.Fatalf("outcome %s, winners %v", closed.Result.Outcome, closed.Result.Winners)
	}
	c, ok, err := consultations.LoadConsultation(ctx, h.store, events.NewRegistry(), cid)
	if err != nil || !ok || !reflect.DeepEqual(consultations.Tally(c), closed.Result) {
		t.Fatalf("recount from the log: %+v, %v %v", consultations.Tally(c), ok, err)
	}

	// A late ballot is refused and seals nothing.
	h.reject(t, consultations.ErrConsultationClosed, consultations.CmdCastBallot, "s-late", rep(orgs[10], 2),
		ballotBody(cid, orgs[10], false, []string{"academie"}))
	if left, _ := h.box.List(ctx, cid); len(left) != 0 {
		t.Fatalf("a late ballot left %d sealed ballots", len(left))
	}

	// The same ballots cast in another order, in another consultation, are published
	// identically: the closing event's order says nothing of the casting order.
	cid2 := openSecret(t, h, "s-open-2", secretariatActor, orgs, deadline.Add(time.Hour))
	for _, i := range []int{10, 3, 7, 0, 9, 1, 5, 2, 8, 4, 6} {
		actor := rep(orgs[i], 1)
		if orgs[i] == rfve {
			actor = rep(rfve, 2)
		}
		h.must(t, consultations.Context, consultations.CmdCastBallot, fmt.Sprint("s2-ballot-", i), actor,
			ballotBody(cid2, orgs[i], false, rankings[i]))
	}
	h.must(t, consultations.Context, consultations.CmdCloseConsultation, "s2-close", secretariatActor,
		`{"consultation_id":"`+cid2.String()+`","reason":"Tous les membres ont voté."}`)
	if closed2 := closedOf(t, stream(t, h.store, consultations.ConsultationStream(cid2))); !reflect.DeepEqual(closed2.SecretBallots, closed.SecretBallots) ||
		!reflect.DeepEqual(closed2.Result, closed.Result) {
		t.Fatalf("another casting order published\n%+v\nnot\n%+v", closed2.SecretBallots, closed.SecretBallots)
	}
}

func electors(orgs []*org) []consultations.Elector {
	var out []consultations.Elector
	for _, o := range orgs {
		out = append(out, consultations.Elector{OrganisationID: o.id, Weight: o.weight})
	}
	return out
}

// assertNoLink fails if an event holds choices and names an organisation of the
// electorate anywhere in its envelope (data, metadata, actor).
func assertNoLink(t *testing.T, orgs []*org, evs []events.Event) {
	t.Helper()
	for _, ev := range evs {
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `"choices"`) {
			continue
		}
		for _, o := range orgs {
			if strings.Contains(strings.ToLower(string(raw)), o.id.String()) {
				t.Fatalf("event %s (%s) holds choices and names %s:\n%s", ev.ID, ev.Type, o.acronym, raw)
			}
		}
	}
}

// assertBucketHoldsNothingOf reads the ballot box bucket's own stream: every message
// left for the consultation is a purge marker, without a value.
func assertBucketHoldsNothingOf(t *testing.T, h *harness, cid uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	js, err := jetstream.New(h.connect("bucket-reader"))
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.OrderedConsumer(ctx, "KV_"+consultations.DefaultBallotBoxBucket, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{"$KV." + consultations.DefaultBallotBoxBucket + "." + cid.String() + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.FetchNoWait(1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for msg := range batch.Messages() {
		n++
		if len(msg.Data()) != 0 {
			t.Fatalf("the bucket still holds a value under %s", msg.Subject())
		}
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no purge marker: the filter matched nothing, the check is void")
	}
}

// TestSecretRacingRepresentatives sends many ballots for the same organisation of a
// secret consultation at once, through two service instances: exactly one participation
// is recorded, and the close counts exactly the choices of the command that won.
func TestSecretRacingRepresentatives(t *testing.T) {
	h := newHarness(t, 2, nil)
	orgs := founders()[:3]
	secretariatActor := setUpCommittee(t, h, append(orgs, founders()[3:10]...))
	amf, adf := orgs[0], orgs[2]
	cid := openSecret(t, h, "r-open", secretariatActor, orgs, start.Add(time.Hour))

	const n = 30
	type outcome struct {
		choices []string
		rep     bus.Reply
		err     error
	}
	results := make(chan outcome, n)
	ready := make(chan struct{})
	for i := range n {
		choices := [][]string{{"academie"}, {"region", "bassin"}, {"departement", "academie"}}[i%3]
		go func() {
			<-ready
			rep, err := h.send(t, consultations.Context, consultations.CmdCastBallot, fmt.Sprint("r-ballot-", i), rep(amf, i),
				ballotBody(cid, amf, false, choices))
			results <- outcome{choices, rep, err}
		}()
	}
	close(ready)
	var won [][]string
	for range n {
		o := <-results
		switch {
		case o.err == nil && len(o.rep.Events) == 1 && o.rep.Events[0].Type == consultations.TypeParticipationRecorded:
			won = append(won, o.choices)
		case errors.Is(o.err, consultations.ErrBallotAlreadyCast), errors.Is(o.err, errcode.Conflict):
		default:
			t.Errorf("%+v, %v", o.rep, o.err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d ballots recorded for the AMF, want 1", len(won))
	}
	h.must(t, consultations.Context, consultations.CmdCastBallot, "r-adf", rep(adf, 1), ballotBody(cid, adf, false, []string{"bassin"}))
	sealed, _ := h.box.List(context.Background(), cid)
	t.Logf("%d sealed ballots in the box for 2 participations", len(sealed))

	h.must(t, consultations.Context, consultations.CmdCloseConsultation, "r-close", secretariatActor, `{"consultation_id":"`+cid.String()+`"}`)
	evs := stream(t, h.store, consultations.ConsultationStream(cid))
	participations := 0
	for _, ev := range evs {
		if ev.Type == consultations.TypeParticipationRecorded {
			participations++
		}
	}
	closed := closedOf(t, evs)
	want := []consultations.SecretBallot{{Choices: won[0], Ballots: 1, Weight: amf.weight}, {Choices: []string{"bassin"}, Ballots: 1, Weight: adf.weight}}
	slices.SortFunc(want, func(a, b consultations.SecretBallot) int { return slices.Compare(a.Choices, b.Choices) })
	if participations != 2 || !reflect.DeepEqual(closed.SecretBallots, want) || closed.Result.BallotsCast != 2 {
		t.Fatalf("%d participations, secret ballots %+v, want %+v", participations, closed.SecretBallots, want)
	}
	if left, _ := h.box.List(context.Background(), cid); len(left) != 0 {
		t.Fatalf("the box still holds %d ballots", len(left))
	}
}
