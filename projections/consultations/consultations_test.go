package consultations

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	cons "github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/membership"
)

var (
	t0       = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	deadline = time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)

	amf = membership.OrganisationIDFor("org-amf")
	adf = membership.OrganisationIDFor("org-adf")
	cdc = membership.OrganisationIDFor("org-cdc")
	dne = membership.OrganisationIDFor("org-dne")

	secretariat = projectiontest.For(projectiontest.Secretariat, dne)
	observer    = projectiontest.Observer
	auditor     = projectiontest.Auditor
	memberOf    = projectiontest.Member
)

// newView is a fresh view and a Feeder of it: events at positions 1, 2, …, the event at
// position n at t0 plus n minutes.
func newView(t *testing.T) (*projections.View, *projectiontest.Feeder) {
	v := Views()[0]
	f := projectiontest.NewFeeder(t, v)
	f.Clock, f.Tick = t0.Add(time.Minute), time.Minute
	return v, f
}

// rowAs is the row id as actor reads it over HTTP (nil if hidden).
func rowAs(t *testing.T, v *projections.View, actor events.Actor, id uuid.UUID) *ConsultationRow {
	t.Helper()
	_, r, err := v.GetFor(actor, id.String())
	if err == projections.ErrNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	row := r.(ConsultationRow)
	return &row
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func opened(id uuid.UUID, secret bool, results cons.Visibility) cons.ConsultationOpened {
	return cons.ConsultationOpened{ConsultationID: id, Question: "Adopter l'avis ?", Kind: cons.KindYesNoAbstain,
		Options:    []cons.Option{{ID: "pour", Label: "Pour"}, {ID: "contre", Label: "Contre"}, {ID: "abstention", Label: "Abstention"}},
		Electorate: []cons.Elector{{OrganisationID: amf, Weight: 3}, {OrganisationID: adf, Weight: 2}, {OrganisationID: cdc, Weight: 1}},
		Quorum:     cons.Quorum{MinParticipation: 50}, Deadline: deadline, Secret: secret, Results: results}
}

func by(org uuid.UUID) cons.CastBy { return cons.CastBy{User: memberOf(org).User, Organisation: org} }

func TestOpenBallotWithLiveResults(t *testing.T) {
	v, f := newView(t)
	id := uuid.New()
	f.Feed(opened(id, false, cons.ResultsLive),
		cons.ProxyGranted{ConsultationID: id, FromOrganisationID: cdc, ToOrganisationID: amf, SignedOn: "2026-03-04", RecordedBySecretariat: true},
		cons.BallotCast{ConsultationID: id, OrganisationID: amf, Choices: []string{"pour"}, Weight: 3, CastBy: by(amf)},
		cons.BallotCast{ConsultationID: id, OrganisationID: adf, Choices: []string{"contre"}, Weight: 2, CastBy: by(adf)},
		cons.BallotChanged{ConsultationID: id, OrganisationID: adf, Choices: []string{"abstention"}, Weight: 2, CastBy: by(adf), Sequence: 1},
		cons.BallotCast{ConsultationID: id, OrganisationID: cdc, Choices: []string{"contre"}, Weight: 1, CastBy: by(amf), ViaProxy: true},
	)
	r := rowAs(t, v, memberOf(adf), id)
	if r.Status != StatusOpen || r.Tally == nil || r.Result != nil {
		t.Fatalf("open live consultation: %s", asJSON(r))
	}
	// Counted by the context's Tally: pour 3, contre 1, abstention 2.
	if got := asJSON(r.Tally.Counts); got != `[{"option_id":"pour","weight":3,"ballots":1},{"option_id":"contre","weight":1,"ballots":1},{"option_id":"abstention","weight":2,"ballots":1}]` {
		t.Errorf("tally %s", got)
	}
	if r.Turnout != (Turnout{Ballots: 3, Weight: 6, Electors: 3, ElectorateWeight: 6, Percent: 100, QuorumReached: true}) {
		t.Errorf("turnout %+v", r.Turnout)
	}
	if len(r.Participants) != 3 || r.Participants[1].OrganisationID != adf.String() || r.Participants[1].Changes != 1 ||
		r.Participants[1].ChangedAt == nil || !r.Participants[1].At.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("participants %s", asJSON(r.Participants))
	}
	if p := r.Participants[2]; !p.ViaProxy || p.CastByOrganisation != amf.String() || strings.Join(p.Choices, ",") != "contre" {
		t.Errorf("proxy ballot %s", asJSON(p))
	}
	if len(r.Proxies) != 1 || r.Proxies[0] != (Proxy{From: cdc.String(), To: amf.String(), SignedOn: "2026-03-04", RecordedBySecretariat: true}) {
		t.Errorf("proxies %s", asJSON(r.Proxies))
	}
	if strings.Contains(asJSON(r), "@check.invalid") {
		t.Error("the row shows who cast a ballot by e-mail")
	}
	if rowAs(t, v, observer, id) != nil {
		t.Error("an observer sees an open consultation")
	}

	f.Feed(cons.ConsultationClosed{ConsultationID: id, Reason: "Tous ont voté", ClosedAt: t0.Add(time.Hour),
		Result: cons.Result{Kind: cons.KindYesNoAbstain, BallotsCast: 3, ParticipatingWeight: 6, ElectorateWeight: 6,
			ParticipationPercent: 100, MinParticipation: 50, QuorumReached: true, Outcome: cons.OutcomeAdopted,
			Counts: []cons.OptionCount{{OptionID: "pour", Weight: 3, Ballots: 1}}}})
	r = rowAs(t, v, secretariat, id)
	if r.Status != StatusClosed || r.Tally != nil || r.Result == nil || r.Result.Outcome != cons.OutcomeAdopted ||
		r.ClosedAt == nil || r.CloseReason != "Tous ont voté" || r.AtDeadline {
		t.Fatalf("closed: %s", asJSON(r))
	}
	o := rowAs(t, v, observer, id)
	if o == nil || o.Result == nil || strings.Contains(asJSON(o), `"choices"`) {
		t.Fatalf("observer after the close: %s", asJSON(o))
	}
	if a := rowAs(t, v, auditor, id); !strings.Contains(asJSON(a), `"choices":["pour"]`) {
		t.Errorf("an auditor does not see a closed open ballot's choices: %s", asJSON(a))
	}
}

func TestResultsAtCloseShowNoCounts(t *testing.T) {
	v, f := newView(t)
	id := uuid.New()
	f.Feed(opened(id, false, cons.ResultsAtClose),
		cons.ProxyGranted{ConsultationID: id, FromOrganisationID: cdc, ToOrganisationID: amf, SignedOn: "2026-03-04"},
		cons.BallotCast{ConsultationID: id, OrganisationID: amf, Choices: []string{"pour"}, Weight: 3, CastBy: by(amf)},
		cons.BallotCast{ConsultationID: id, OrganisationID: adf, Choices: []string{"contre"}, Weight: 2, CastBy: by(adf)},
		cons.BallotCast{ConsultationID: id, OrganisationID: cdc, Choices: []string{"abstention"}, Weight: 1, CastBy: by(amf), ViaProxy: true},
	)
	for _, a := range []events.Actor{secretariat, auditor, memberOf(adf), memberOf(amf)} {
		r := rowAs(t, v, a, id)
		if r.Tally != nil || r.Result != nil {
			t.Fatalf("%s sees counts before the close: %s", a.Role, asJSON(r))
		}
		if r.Turnout.Ballots != 3 || len(r.Participants) != 3 {
			t.Errorf("%s does not see the turnout: %s", a.Role, asJSON(r))
		}
	}
	if got := asJSON(rowAs(t, v, secretariat, id).Participants); strings.Contains(got, "choices") {
		t.Errorf("the secretariat sees choices before the close: %s", got)
	}
	// An organisation sees its own ballot, and those it cast by proxy, nobody else's.
	if got := asJSON(rowAs(t, v, memberOf(adf), id).Participants); strings.Count(got, `"choices"`) != 1 || !strings.Contains(got, `"choices":["contre"]`) {
		t.Errorf("ADF sees %s", got)
	}
	if got := asJSON(rowAs(t, v, memberOf(amf), id).Participants); strings.Count(got, `"choices"`) != 2 || strings.Contains(got, "contre") {
		t.Errorf("AMF sees %s", got)
	}
	// Live clients get the row redacted for them, the same row value being shared.
	sa, sb := projections.NewSubscriber(4, memberOf(adf), ""), projections.NewSubscriber(4, secretariat, id.String())
	v.Subscribe(v.Position(), sa)
	v.Subscribe(v.Position(), sb)
	f.Feed(cons.BallotChanged{ConsultationID: id, OrganisationID: amf, Choices: []string{"contre"}, Weight: 3, CastBy: by(amf), Sequence: 1})
	pa, pb := <-sa.C(), <-sb.C()
	if got := asJSON(pa.Rows); strings.Count(got, `"choices"`) != 1 {
		t.Errorf("ADF's patch %s", got)
	}
	if got := asJSON(pb.Rows); strings.Contains(got, `"choices"`) {
		t.Errorf("the secretariat's patch %s", got)
	}
}

func TestSecretBallotNeverShowsChoices(t *testing.T) {
	v, f := newView(t)
	id := uuid.New()
	f.Feed(opened(id, true, cons.ResultsLive),
		cons.ParticipationRecorded{ConsultationID: id, OrganisationID: amf, Weight: 3, CastBy: by(amf)},
		// A ballot from a log written before secret ballots were sealed.
		cons.BallotCast{ConsultationID: id, OrganisationID: adf, Choices: []string{"contre"}, Weight: 2, CastBy: by(adf)},
	)
	for _, a := range []events.Actor{secretariat, auditor, memberOf(adf), memberOf(amf)} {
		r := rowAs(t, v, a, id)
		if r.Tally != nil || strings.Contains(asJSON(r), "choices") || r.Turnout.Ballots != 2 || r.Turnout.Weight != 5 {
			t.Fatalf("%s sees %s", a.Role, asJSON(r))
		}
	}
	f.Feed(cons.ConsultationClosed{ConsultationID: id, ClosedAt: deadline, AtDeadline: true, Secret: true,
		SecretBallots: []cons.SecretBallot{{Choices: []string{"pour"}, Ballots: 1, Weight: 3}},
		Result: cons.Result{Kind: cons.KindYesNoAbstain, BallotsCast: 2, ParticipatingWeight: 5, ElectorateWeight: 6,
			ParticipationPercent: 83.33, QuorumReached: true, Outcome: cons.OutcomeAdopted,
			Counts: []cons.OptionCount{{OptionID: "pour", Weight: 3, Ballots: 1}, {OptionID: "contre", Weight: 2, Ballots: 1}}}})
	for _, a := range []events.Actor{secretariat, observer, memberOf(adf)} {
		r := rowAs(t, v, a, id)
		if r.Result == nil || r.Result.Outcome != cons.OutcomeAdopted || !r.AtDeadline || strings.Contains(asJSON(r), "choices") ||
			r.Turnout.Percent != 83.33 {
			t.Fatalf("%s sees %s", a.Role, asJSON(r))
		}
	}
}

func TestIgnoresOtherEventsAndOrdersRows(t *testing.T) {
	v, f := newView(t)
	early, late, done := uuid.New(), uuid.New(), uuid.New()
	o1, o2, o3 := opened(late, false, cons.ResultsLive), opened(early, false, cons.ResultsLive), opened(done, false, cons.ResultsLive)
	o2.Deadline = deadline.Add(-time.Hour)
	opinion := uuid.New()
	o3.OpinionID, o3.OpinionTextSHA256 = &opinion, strings.Repeat("ab", 32)
	f.Feed(o1, o2, o3,
		membership.OrganisationAdded{OrganisationID: uuid.New(), Name: "X", Acronym: "X"},
		cons.BallotCast{ConsultationID: uuid.New(), OrganisationID: amf, Choices: []string{"pour"}, Weight: 1},
		cons.ConsultationClosed{ConsultationID: done, ClosedAt: t0})
	_, rows := v.SnapshotFor(secretariat)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.(ConsultationRow).ID)
	}
	if strings.Join(ids, " ") != strings.Join([]string{early.String(), late.String(), done.String()}, " ") {
		t.Errorf("order %v", ids)
	}
	if r := rowAs(t, v, secretariat, done); r.OpinionID != opinion.String() || len(r.OpinionTextSHA256) != 64 {
		t.Errorf("opinion binding %s", asJSON(r))
	}
	if v.Position() != 6 || v.Err() != nil {
		t.Errorf("position %d, err %v", v.Position(), v.Err())
	}
	// Saved and loaded, the view shows the same rows.
	snap, err := v.Save()
	if err != nil {
		t.Fatal(err)
	}
	back := Views()[0]
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	_, a := v.Snapshot()
	_, b := back.Snapshot()
	if asJSON(a) != asJSON(b) {
		t.Errorf("restored\n%s\nwant\n%s", asJSON(b), asJSON(a))
	}
	if err := back.Model().(projections.Persistent).LoadState([]byte(`{"x":null}`)); err == nil {
		t.Error("a state without a consultation's entry loaded")
	}
}

// TestEachBallotRecordsWhatTheVoterSaw: the text's hash, whether the tally was shown and
// how many ballots were in, at each organisation's last ballot.
func TestEachBallotRecordsWhatTheVoterSaw(t *testing.T) {
	v, f := newView(t)
	live, atClose := uuid.New(), uuid.New()
	bound := opened(live, false, cons.ResultsLive)
	bound.OpinionID, bound.OpinionTextSHA256 = &amf, strings.Repeat("ab", 32)
	f.Feed(bound, opened(atClose, false, cons.ResultsAtClose),
		cons.BallotCast{ConsultationID: live, OrganisationID: amf, Choices: []string{"pour"}, Weight: 3, CastBy: by(amf)},
		cons.BallotCast{ConsultationID: live, OrganisationID: adf, Choices: []string{"contre"}, Weight: 2, CastBy: by(adf)},
		cons.BallotChanged{ConsultationID: live, OrganisationID: amf, Choices: []string{"contre"}, Weight: 3, CastBy: by(amf), Sequence: 1},
		cons.BallotCast{ConsultationID: atClose, OrganisationID: cdc, Choices: []string{"pour"}, Weight: 1, CastBy: by(cdc)},
	)
	saw := map[string]Saw{}
	for _, id := range []uuid.UUID{live, atClose} {
		for _, p := range rowAs(t, v, secretariat, id).Participants {
			if p.Saw == nil {
				t.Fatalf("no record of what %s saw", p.OrganisationID)
			}
			saw[id.String()+"/"+p.OrganisationID] = *p.Saw
		}
	}
	want := map[string]Saw{
		live.String() + "/" + amf.String():    {TextSHA256: bound.OpinionTextSHA256, TallyVisible: true, BallotsBefore: 1}, // its change, ADF's ballot in
		live.String() + "/" + adf.String():    {TextSHA256: bound.OpinionTextSHA256, TallyVisible: true, BallotsBefore: 1},
		atClose.String() + "/" + cdc.String(): {TallyVisible: false, BallotsBefore: 0},
	}
	if asJSON(saw) != asJSON(want) {
		t.Fatalf("what voters saw:\n got %s\nwant %s", asJSON(saw), asJSON(want))
	}
}
