package consultations

import (
	"reflect"
	"testing"

	"github.com/comite-partenaires/comite/events"
)

func TestTally(t *testing.T) {
	// The yes/no electorate: AMF 3, ADF 2, ARF 2, CDC 1 = 8; quorum 50 % = weight 4.
	yn := func(evs ...events.Payload) Consultation { return Fold(append([]events.Payload{opened}, evs...)...) }
	noQuorum := func(o ConsultationOpened) ConsultationOpened { o.Quorum = Quorum{}; return o }
	single := ConsultationOpened{ConsultationID: cid, Kind: KindSingleChoice, Options: scenarios,
		Electorate: []Elector{{amf, 3}, {adf, 2}, {arf, 2}, {cdc, 1}}, Deadline: deadline}
	sc := func(evs ...events.Payload) Consultation { return Fold(append([]events.Payload{single}, evs...)...) }
	// Four voters weighing 1, 1, 1, 2 rank the three scenarios (n = 3: 3, 2, 1 points).
	rk := ranked
	rk.Electorate = []Elector{{amf, 1}, {adf, 1}, {arf, 1}, {cdc, 2}}
	rc := func(evs ...events.Payload) Consultation { return Fold(append([]events.Payload{rk}, evs...)...) }
	counts := func(cs ...OptionCount) []OptionCount { return cs }

	cases := []struct {
		name string
		c    Consultation
		want Result
	}{
		{"yes/no adopted by weight although fewer ballots",
			yn(cast(amf, 3, OptionFor), cast(adf, 2, OptionAgainst), cast(arf, 2, OptionAgainst), BallotChanged{
				ConsultationID: cid, OrganisationID: arf, Choices: []string{OptionAbstain}, Weight: 2, Sequence: 1}),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 3, 1, 0}, OptionCount{OptionAgainst, 2, 1, 0}, OptionCount{OptionAbstain, 2, 1, 0}),
				BallotsCast: 3, ParticipatingWeight: 7, ExpressedWeight: 5, ElectorateWeight: 8, ParticipationPercent: 87.5,
				MinParticipation: 50, QuorumReached: true, Outcome: OutcomeAdopted}},
		{"yes/no tie by weight rejects",
			yn(cast(amf, 3, OptionFor), cast(adf, 2, OptionAgainst), cast(cdc, 1, OptionAgainst)),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 3, 1, 0}, OptionCount{OptionAgainst, 3, 2, 0}, OptionCount{OptionAbstain, 0, 0, 0}),
				BallotsCast: 3, ParticipatingWeight: 6, ExpressedWeight: 6, ElectorateWeight: 8, ParticipationPercent: 75,
				MinParticipation: 50, QuorumReached: true, Outcome: OutcomeRejected}},
		{"yes/no quorum reached exactly, by abstentions only: rejected",
			yn(cast(adf, 2, OptionAbstain), cast(arf, 2, OptionAbstain)),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 0, 0, 0}, OptionCount{OptionAgainst, 0, 0, 0}, OptionCount{OptionAbstain, 4, 2, 0}),
				BallotsCast: 2, ParticipatingWeight: 4, ExpressedWeight: 0, ElectorateWeight: 8, ParticipationPercent: 50,
				MinParticipation: 50, QuorumReached: true, Outcome: OutcomeRejected}},
		{"yes/no one weight short of the quorum",
			yn(cast(amf, 3, OptionFor)),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 3, 1, 0}, OptionCount{OptionAgainst, 0, 0, 0}, OptionCount{OptionAbstain, 0, 0, 0}),
				BallotsCast: 1, ParticipatingWeight: 3, ExpressedWeight: 3, ElectorateWeight: 8, ParticipationPercent: 37.5,
				MinParticipation: 50, Outcome: OutcomeNoQuorum}},
		{"yes/no without quorum rule nor ballots: rejected",
			Fold(noQuorum(opened)),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 0, 0, 0}, OptionCount{OptionAgainst, 0, 0, 0}, OptionCount{OptionAbstain, 0, 0, 0}),
				ElectorateWeight: 8, QuorumReached: true, Outcome: OutcomeRejected}},
		{"a ballot outside the electorate does not count",
			yn(cast(dne, 5, OptionAgainst), cast(cdc, 1, OptionFor), cast(adf, 2, OptionFor), cast(arf, 2, OptionFor)),
			Result{Kind: KindYesNoAbstain, Counts: counts(OptionCount{OptionFor, 5, 3, 0}, OptionCount{OptionAgainst, 0, 0, 0}, OptionCount{OptionAbstain, 0, 0, 0}),
				BallotsCast: 3, ParticipatingWeight: 5, ExpressedWeight: 5, ElectorateWeight: 8, ParticipationPercent: 62.5,
				MinParticipation: 50, QuorumReached: true, Outcome: OutcomeAdopted}},
		{"single choice tie by weight",
			sc(cast(amf, 3, "bassin"), cast(adf, 2, "academie"), cast(cdc, 1, "academie")),
			Result{Kind: KindSingleChoice, Counts: counts(OptionCount{"academie", 3, 2, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 3, 1, 0}),
				BallotsCast: 3, ParticipatingWeight: 6, ExpressedWeight: 6, ElectorateWeight: 8, ParticipationPercent: 75,
				QuorumReached: true, Outcome: OutcomeTie, Winners: []string{"academie", "bassin"}}},
		{"single choice decided",
			sc(cast(amf, 3, "bassin"), cast(adf, 2, "academie")),
			Result{Kind: KindSingleChoice, Counts: counts(OptionCount{"academie", 2, 1, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 3, 1, 0}),
				BallotsCast: 2, ParticipatingWeight: 5, ExpressedWeight: 5, ElectorateWeight: 8, ParticipationPercent: 62.5,
				QuorumReached: true, Outcome: OutcomeDecided, Winners: []string{"bassin"}}},
		{"single choice without votes",
			sc(),
			Result{Kind: KindSingleChoice, Counts: counts(OptionCount{"academie", 0, 0, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 0, 0, 0}),
				ElectorateWeight: 8, QuorumReached: true, Outcome: OutcomeNoVotes}},
		{"participation rounded to two decimals",
			Fold(ConsultationOpened{ConsultationID: cid, Kind: KindSingleChoice, Options: scenarios, Quorum: Quorum{34},
				Electorate: []Elector{{amf, 1}, {adf, 1}, {arf, 1}}, Deadline: deadline}, cast(amf, 1, "bassin")),
			Result{Kind: KindSingleChoice, Counts: counts(OptionCount{"academie", 0, 0, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 1, 1, 0}),
				BallotsCast: 1, ParticipatingWeight: 1, ExpressedWeight: 1, ElectorateWeight: 3, ParticipationPercent: 33.33,
				MinParticipation: 34, Outcome: OutcomeNoQuorum}},
		{"multiple choice: every chosen option gets the weight",
			Fold(multiple, cast(amf, 1, "bassin", "academie"), cast(adf, 1, "bassin")),
			Result{Kind: KindMultipleChoice, Counts: counts(OptionCount{"academie", 1, 1, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 2, 2, 0}),
				BallotsCast: 2, ParticipatingWeight: 2, ExpressedWeight: 2, ElectorateWeight: 2, ParticipationPercent: 100,
				QuorumReached: true, Outcome: OutcomeDecided, Winners: []string{"bassin"}}},
		{"ranked Borda: the option ranked second by all wins with the fewest first preferences",
			rc(cast(cdc, 2, "bassin", "departement"), cast(amf, 1, "academie", "departement"),
				cast(adf, 1, "academie", "departement"), cast(arf, 1, "departement", "academie")),
			Result{Kind: KindRanked, Counts: counts(OptionCount{"academie", 2, 2, 3 + 3 + 2}, OptionCount{"departement", 1, 1, 2*2 + 2 + 2 + 3},
				OptionCount{"bassin", 2, 1, 2 * 3}),
				BallotsCast: 4, ParticipatingWeight: 5, ExpressedWeight: 5, ElectorateWeight: 5, ParticipationPercent: 100,
				QuorumReached: true, Outcome: OutcomeDecided, Winners: []string{"departement"}}},
		{"ranked tie on points",
			rc(cast(amf, 1, "academie", "bassin"), cast(adf, 1, "bassin", "academie")),
			Result{Kind: KindRanked, Counts: counts(OptionCount{"academie", 1, 1, 5}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 1, 1, 5}),
				BallotsCast: 2, ParticipatingWeight: 2, ExpressedWeight: 2, ElectorateWeight: 5, ParticipationPercent: 40,
				QuorumReached: true, Outcome: OutcomeTie, Winners: []string{"academie", "bassin"}}},
	}
	// The ranked Borda case again, secret: participations, then the close's merged ballots.
	secretRanked := []events.Payload{withSecret(rk), participation(cdc, 2), participation(amf, 1), participation(adf, 1), participation(arf, 1)}
	secretBallots := []SecretBallot{{Choices: []string{"academie", "departement"}, Ballots: 2, Weight: 2},
		{Choices: []string{"bassin", "departement"}, Ballots: 1, Weight: 2}, {Choices: []string{"departement", "academie"}, Ballots: 1, Weight: 1}}
	borda := cases[len(cases)-2].want
	cases = append(cases,
		struct {
			name string
			c    Consultation
			want Result
		}{"secret before the close: participation only",
			Fold(secretRanked...),
			Result{Kind: KindRanked, Counts: counts(OptionCount{"academie", 0, 0, 0}, OptionCount{"departement", 0, 0, 0}, OptionCount{"bassin", 0, 0, 0}),
				BallotsCast: 4, ParticipatingWeight: 5, ElectorateWeight: 5, ParticipationPercent: 100,
				QuorumReached: true, Outcome: OutcomeNoVotes}},
		struct {
			name string
			c    Consultation
			want Result
		}{"secret after the close: recounted from the merged ballots, as if open",
			Fold(append(secretRanked, ConsultationClosed{ConsultationID: cid, ClosedAt: now, Secret: true, SecretBallots: secretBallots, Result: borda})...),
			borda})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tally(tc.c); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Tally\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
