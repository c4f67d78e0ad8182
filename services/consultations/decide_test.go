package consultations

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
)

var (
	now      = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	deadline = time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)

	cid = ConsultationIDFor("cmd-open")

	amf  = membership.OrganisationIDFor("org-amf")
	adf  = membership.OrganisationIDFor("org-adf")
	arf  = membership.OrganisationIDFor("org-arf")
	cdc  = membership.OrganisationIDFor("org-cdc")
	dne  = membership.OrganisationIDFor("org-dne")
	amrf = membership.OrganisationIDFor("org-amrf")

	opinion     = uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:test:opinion"))
	opinionHash = strings.Repeat("ab12", 16)
)

func ptr[T any](v T) *T { return &v }

// member is the envelope of a command sent by a representative of org.
func member(commandID string, org uuid.UUID, at time.Time) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Time: at,
		Actor: events.Actor{User: "rep-" + org.String()[:8] + "@comite.fr", Organisation: org.String(), Role: "member"}}
}

// secretariat is the envelope of a command sent by the joint secretariat (the DNE).
func secretariat(commandID string, at time.Time) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Time: at,
		Actor: events.Actor{User: "secretariat@education.gouv.fr", Organisation: dne.String(), Role: "secretariat"}}
}

// scheduler is the envelope of the deadline close, sent without a user.
func scheduler(at time.Time) bus.Envelope {
	return bus.Envelope{CommandID: DeadlineCommandID(cid), Time: at}
}

var yesNo = []Option{{ID: OptionFor, Label: "Pour"}, {ID: OptionAgainst, Label: "Contre"}, {ID: OptionAbstain, Label: "Abstention"}}

var scenarios = []Option{{ID: "academie", Label: "À l'échelle de l'académie"}, {ID: "departement", Label: "À l'échelle du département"},
	{ID: "bassin", Label: "À l'échelle du bassin de vie"}}

// opened is an open yes/no consultation: AMF 3, ADF 2, ARF 2, CDC 1 (total 8), quorum 50 %.
var opened = ConsultationOpened{ConsultationID: cid,
	Question: "Le comité adopte-t-il l'avis sur la gouvernance du numérique éducatif à la bonne échelle ?",
	Kind:     KindYesNoAbstain, Options: yesNo,
	Electorate: []Elector{{amf, 3}, {adf, 2}, {arf, 2}, {cdc, 1}},
	Quorum:     Quorum{MinParticipation: 50}, Deadline: deadline, Results: ResultsAtClose}

func withSecret(o ConsultationOpened) ConsultationOpened { o.Secret = true; return o }

func withOpinion(o ConsultationOpened) ConsultationOpened {
	o.OpinionID, o.OpinionTextSHA256 = ptr(opinion), opinionHash
	return o
}

// ranked is an open ranked consultation of three scenarios, one vote each.
var ranked = ConsultationOpened{ConsultationID: cid, Question: "Quelle échelle de gouvernance privilégier ?",
	Kind: KindRanked, Options: scenarios, Electorate: []Elector{{amf, 1}, {adf, 1}, {arf, 1}},
	Deadline: deadline, Results: ResultsLive}

// multiple is an open multiple-choice consultation, at most two choices.
var multiple = ConsultationOpened{ConsultationID: cid, Question: "Quels thèmes le groupe de travail doit-il traiter en priorité ?",
	Kind: KindMultipleChoice, Options: scenarios, MaxChoices: 2, Electorate: []Elector{{amf, 1}, {adf, 1}},
	Deadline: deadline, Results: ResultsAtClose}

func castBy(org uuid.UUID) CastBy {
	return CastBy{User: "rep-" + org.String()[:8] + "@comite.fr", Organisation: org}
}

func cast(org uuid.UUID, w int, choices ...string) BallotCast {
	return BallotCast{ConsultationID: cid, OrganisationID: org, Choices: choices, Weight: w, CastBy: castBy(org)}
}

// participation is a secret consultation's ballot as the log records it.
func participation(org uuid.UUID, w int) ParticipationRecorded {
	return ParticipationRecorded{ConsultationID: cid, OrganisationID: org, Weight: w, CastBy: castBy(org)}
}

// sealedBallotCmd is a secret ballot once Prepare has sealed it into the box.
func sealedBallotCmd(id string, actor, org uuid.UUID, change bool, choices ...string) CastBallot {
	c := ballotCmd(id, actor, org, change, choices...)
	c.Sealed = true
	return c
}

func proxy(from, to uuid.UUID) ProxyGranted {
	return ProxyGranted{ConsultationID: cid, FromOrganisationID: from, ToOrganisationID: to, SignedOn: "2026-03-04"}
}

// openCmd is a valid open-consultation command, every electorate organisation active.
func openCmd(edit func(*OpenConsultation)) OpenConsultation {
	c := OpenConsultation{Envelope: secretariat("cmd-open", now),
		Question:   "  Le comité adopte-t-il l'avis sur la gouvernance du numérique éducatif à la bonne échelle ?\n",
		Kind:       KindYesNoAbstain,
		Electorate: []Voter{{OrganisationID: amf.String(), Weight: ptr(3)}, {OrganisationID: adf.String(), Weight: ptr(2)}, {OrganisationID: arf.String(), Weight: ptr(2)}, {OrganisationID: cdc.String()}},
		Quorum:     Quorum{MinParticipation: 50}, Deadline: deadline.In(time.FixedZone("CET", 3600)),
		ActiveOrganisations: map[uuid.UUID]bool{amf: true, adf: true, arf: true, cdc: true, dne: true}}
	if edit != nil {
		edit(&c)
	}
	return c
}

func ballotCmd(id string, actor, org uuid.UUID, change bool, choices ...string) CastBallot {
	return CastBallot{Envelope: member(id, actor, now), ConsultationID: cid.String(), OrganisationID: org.String(),
		Choices: choices, Change: change}
}

func decideCases() []decidertest.Case {
	type C = decidertest.Case
	type P = []events.Payload
	g := func(evs ...events.Payload) P { return append(P{opened}, evs...) }
	closed := ConsultationClosed{ConsultationID: cid, ClosedAt: now, Result: Tally(Fold(opened))}
	grant := func(id string, env bus.Envelope, from, to uuid.UUID, holderActive bool, signedOn string) GrantProxy {
		env.CommandID = id
		return GrantProxy{Envelope: env, ConsultationID: cid.String(), FromOrganisationID: from.String(),
			ToOrganisationID: to.String(), SignedOn: signedOn, Note: " procuration papier ", HolderActive: holderActive}
	}
	revoke := func(env bus.Envelope, from uuid.UUID) RevokeProxy {
		return RevokeProxy{Envelope: env, ConsultationID: cid.String(), FromOrganisationID: from.String(), Reason: "présent en séance"}
	}
	closeCmd := func(env bus.Envelope, atDeadline bool) CloseConsultation {
		return CloseConsultation{Envelope: env, ConsultationID: cid.String(), AtDeadline: atDeadline}
	}
	// secretClose is a close once Prepare has opened the ballot box.
	secretClose := func(env bus.Envelope, box map[uuid.UUID][]string) CloseConsultation {
		return CloseConsultation{Envelope: env, ConsultationID: cid.String(), BoxOpened: true, BoxBallots: box}
	}
	adopted := Result{Kind: KindYesNoAbstain, Counts: []OptionCount{{OptionFor, 3, 1, 0}, {OptionAgainst, 2, 1, 0}, {OptionAbstain, 1, 1, 0}},
		BallotsCast: 3, ParticipatingWeight: 6, ExpressedWeight: 5, ElectorateWeight: 8, ParticipationPercent: 75,
		MinParticipation: 50, QuorumReached: true, Outcome: OutcomeAdopted}
	voted := g(cast(amf, 3, OptionFor), cast(adf, 2, OptionAgainst), cast(cdc, 1, OptionAbstain))

	return []C{
		// open-consultation
		{Name: "open yes/no: fixed options, default weight, results at close, deadline in UTC", Command: openCmd(nil),
			Want: P{opened}},
		{Name: "open ranked, live, bound to an opinion in voting (hash compared in any case)",
			Command: openCmd(func(c *OpenConsultation) {
				c.Question, c.Kind, c.Results = "Quelle échelle de gouvernance privilégier ?", KindRanked, ResultsLive
				c.Options = []Option{{"academie", " À l'échelle  de l'académie"}, {"departement", "À l'échelle du département"}, {"bassin", "À l'échelle du bassin de vie"}}
				c.Electorate = []Voter{{OrganisationID: amf.String()}, {OrganisationID: adf.String()}, {OrganisationID: arf.String()}}
				c.Quorum = Quorum{}
				c.OpinionID, c.OpinionTextSHA256 = opinion.String(), strings.ToUpper(opinionHash)
				c.Opinion = &OpinionVersion{State: OpinionStateVoting, TextSHA256: opinionHash}
			}),
			Want: P{withOpinion(ranked)}},
		{Name: "open multiple choice: max_choices defaults to the number of options",
			Command: openCmd(func(c *OpenConsultation) {
				c.Kind, c.Options, c.Secret = KindMultipleChoice, scenarios, true
				c.Electorate = []Voter{{OrganisationID: amf.String()}}
			}),
			Want: P{ConsultationOpened{ConsultationID: cid, Question: opened.Question, Kind: KindMultipleChoice, Options: scenarios,
				MaxChoices: 3, Electorate: []Elector{{amf, 1}}, Quorum: Quorum{50}, Deadline: deadline, Secret: true, Results: ResultsAtClose}}},
		{Name: "open twice", Given: P{opened}, Command: openCmd(nil), WantCode: "consultation_exists"},
		{Name: "open with the deadline now", Command: openCmd(func(c *OpenConsultation) { c.Deadline = now }), WantCode: "date_in_past"},
		{Name: "open yes/no with options", Command: openCmd(func(c *OpenConsultation) { c.Options = scenarios }), WantCode: "invalid_options"},
		{Name: "open yes/no with max_choices", Command: openCmd(func(c *OpenConsultation) { c.MaxChoices = 1 }), WantCode: "invalid_options"},
		{Name: "open single choice with one option",
			Command: openCmd(func(c *OpenConsultation) { c.Kind, c.Options = KindSingleChoice, scenarios[:1] }), WantCode: "invalid_options"},
		{Name: "open single choice, option ID not a slug",
			Command: openCmd(func(c *OpenConsultation) {
				c.Kind, c.Options = KindSingleChoice, []Option{{"Académie", "x"}, {"b", "y"}}
			}), WantCode: "invalid_options"},
		{Name: "open single choice, duplicate option ID",
			Command: openCmd(func(c *OpenConsultation) {
				c.Kind, c.Options = KindSingleChoice, []Option{{"a", "x"}, {"a", "y"}}
			}), WantCode: "invalid_options"},
		{Name: "open multiple choice, max_choices above the options",
			Command:  openCmd(func(c *OpenConsultation) { c.Kind, c.Options, c.MaxChoices = KindMultipleChoice, scenarios, 4 }),
			WantCode: "invalid_options"},
		{Name: "open ranked with max_choices",
			Command:  openCmd(func(c *OpenConsultation) { c.Kind, c.Options, c.MaxChoices = KindRanked, scenarios, 2 }),
			WantCode: "invalid_options"},
		{Name: "open with an organisation outside the committee",
			Command: openCmd(func(c *OpenConsultation) { delete(c.ActiveOrganisations, arf) }), WantCode: "organisation_not_found"},
		{Name: "open with an organisation twice",
			Command: openCmd(func(c *OpenConsultation) {
				c.Electorate = append(c.Electorate, Voter{OrganisationID: strings.ToUpper(amf.String())})
			}), WantCode: "duplicate_voter"},
		{Name: "open bound to an unknown opinion",
			Command:  openCmd(func(c *OpenConsultation) { c.OpinionID, c.OpinionTextSHA256 = opinion.String(), opinionHash }),
			WantCode: "opinion_not_found"},
		{Name: "open bound to an opinion in draft",
			Command: openCmd(func(c *OpenConsultation) {
				c.OpinionID, c.OpinionTextSHA256 = opinion.String(), opinionHash
				c.Opinion = &OpinionVersion{State: "draft", TextSHA256: opinionHash}
			}), WantCode: "opinion_not_voting"},
		{Name: "open bound to another version of the opinion",
			Command: openCmd(func(c *OpenConsultation) {
				c.OpinionID, c.OpinionTextSHA256 = opinion.String(), opinionHash
				c.Opinion = &OpinionVersion{State: OpinionStateVoting, TextSHA256: strings.Repeat("0", 64)}
			}), WantCode: "opinion_version_mismatch"},

		// grant-proxy
		{Name: "grant proxy by the granting organisation, signed today", Given: P{opened},
			Command: grant("p1", member("", adf, now), adf, amrf, true, "2026-03-05"),
			Want:    P{ProxyGranted{ConsultationID: cid, FromOrganisationID: adf, ToOrganisationID: amrf, SignedOn: "2026-03-05", Note: "procuration papier"}}},
		{Name: "grant paper proxy recorded by the secretariat", Given: g(proxy(adf, amf)),
			Command: grant("p2", secretariat("", now), arf, amf, true, "2026-02-27"),
			Want: P{ProxyGranted{ConsultationID: cid, FromOrganisationID: arf, ToOrganisationID: amf, SignedOn: "2026-02-27",
				Note: "procuration papier", RecordedBySecretariat: true}}},
		{Name: "grant proxy from outside the electorate", Given: P{opened},
			Command: grant("p", member("", dne, now), dne, amf, true, "2026-03-05"), WantCode: "not_in_electorate"},
		{Name: "grant proxy for another organisation", Given: P{opened},
			Command: grant("p", member("", amf, now), adf, amf, true, "2026-03-05"), WantCode: "proxy_not_allowed"},
		{Name: "grant proxy to oneself", Given: P{opened},
			Command: grant("p", member("", adf, now), adf, adf, true, "2026-03-05"), WantCode: "proxy_to_self"},
		{Name: "grant proxy to an organisation outside the committee", Given: P{opened},
			Command: grant("p", member("", adf, now), adf, amrf, false, "2026-03-05"), WantCode: "organisation_not_found"},
		{Name: "grant a second proxy", Given: g(proxy(adf, amf)),
			Command: grant("p", member("", adf, now), adf, amrf, true, "2026-03-05"), WantCode: "proxy_exists"},
		{Name: "grant proxy after voting", Given: g(cast(adf, 2, OptionFor)),
			Command: grant("p", member("", adf, now), adf, amf, true, "2026-03-05"), WantCode: "ballot_already_cast"},
		{Name: "grant proxy signed tomorrow", Given: P{opened},
			Command: grant("p", member("", adf, now), adf, amf, true, "2026-03-06"), WantCode: "date_in_future"},
		{Name: "grant proxy in an unknown consultation",
			Command: grant("p", member("", adf, now), adf, amf, true, "2026-03-05"), WantCode: "consultation_not_found"},
		{Name: "grant proxy after the close", Given: g(closed),
			Command: grant("p", member("", adf, now), adf, amf, true, "2026-03-05"), WantCode: "consultation_closed"},
		{Name: "grant proxy after the deadline, before the close", Given: P{opened},
			Command: grant("p", member("", adf, deadline), adf, amf, true, "2026-03-05"), WantCode: "deadline_passed"},

		// revoke-proxy
		{Name: "revoke proxy", Given: g(proxy(adf, amf)), Command: revoke(member("r", adf, now), adf),
			Want: P{ProxyRevoked{ConsultationID: cid, FromOrganisationID: adf, ToOrganisationID: amf, Reason: "présent en séance"}}},
		{Name: "revoke proxy never granted", Given: P{opened}, Command: revoke(secretariat("r", now), adf), WantCode: "proxy_not_found"},
		{Name: "revoke proxy by its holder", Given: g(proxy(adf, amf)), Command: revoke(member("r", amf, now), adf), WantCode: "proxy_not_allowed"},
		{Name: "revoke proxy once used", Given: g(proxy(adf, amf), cast(adf, 2, OptionFor)),
			Command: revoke(member("r", adf, now), adf), WantCode: "proxy_already_used"},

		// cast-ballot
		{Name: "cast ballot as a representative", Given: P{opened}, Command: ballotCmd("b", amf, amf, false, OptionFor),
			Want: P{cast(amf, 3, OptionFor)}},
		{Name: "cast ballot by proxy; a holder may hold several", Given: g(proxy(adf, amf), proxy(arf, amf)),
			Command: ballotCmd("b", amf, arf, false, OptionAgainst),
			Want:    P{BallotCast{ConsultationID: cid, OrganisationID: arf, Choices: []string{OptionAgainst}, Weight: 2, CastBy: castBy(amf), ViaProxy: true}}},
		{Name: "cast ballot directly despite a proxy", Given: g(proxy(adf, amf)), Command: ballotCmd("b", adf, adf, false, OptionAbstain),
			Want: P{cast(adf, 2, OptionAbstain)}},
		{Name: "change=true without an earlier ballot is a first ballot", Given: P{opened},
			Command: ballotCmd("b", cdc, cdc, true, OptionFor), Want: P{cast(cdc, 1, OptionFor)}},
		{Name: "secret ballot: the log records the participation only, the choices are sealed in the box",
			Given: P{withSecret(opened)}, Command: sealedBallotCmd("b", amf, amf, false, OptionAgainst), Want: P{participation(amf, 3)}},
		{Name: "secret ballot by proxy, change=true without an earlier ballot",
			Given:   P{withSecret(opened), proxy(adf, amf)},
			Command: sealedBallotCmd("b", amf, adf, true, OptionFor),
			Want:    P{ParticipationRecorded{ConsultationID: cid, OrganisationID: adf, Weight: 2, CastBy: castBy(amf), ViaProxy: true}}},
		{Name: "secret ballot that Prepare did not seal (the consultation closed meanwhile)", Given: P{withSecret(opened)},
			Command: ballotCmd("b", amf, amf, false, OptionFor), WantCode: "conflict"},
		{Name: "secret ballot, a second representative", Given: P{withSecret(opened), participation(amf, 3)},
			Command: sealedBallotCmd("b", amf, amf, false, OptionFor), WantCode: "ballot_already_cast"},
		{Name: "secret ballot, invalid choice refused before the box matters", Given: P{withSecret(opened)},
			Command: ballotCmd("b", amf, amf, false, "oui"), WantCode: "invalid_choice"},
		{Name: "grant proxy after a secret ballot", Given: P{withSecret(opened), participation(adf, 2)},
			Command: grant("p", member("", adf, now), adf, amf, true, "2026-03-05"), WantCode: "ballot_already_cast"},
		{Name: "change a ballot", Given: g(cast(amf, 3, OptionFor)), Command: ballotCmd("b", amf, amf, true, OptionAgainst),
			Want: P{BallotChanged{ConsultationID: cid, OrganisationID: amf, Choices: []string{OptionAgainst}, Weight: 3, CastBy: castBy(amf), Sequence: 1}}},
		{Name: "change a ballot again, by the proxy holder",
			Given:   g(proxy(adf, amf), cast(adf, 2, OptionFor), BallotChanged{ConsultationID: cid, OrganisationID: adf, Choices: []string{OptionAgainst}, Weight: 2, CastBy: castBy(adf), Sequence: 1}),
			Command: ballotCmd("b", amf, adf, true, OptionAbstain),
			Want:    P{BallotChanged{ConsultationID: cid, OrganisationID: adf, Choices: []string{OptionAbstain}, Weight: 2, CastBy: castBy(amf), ViaProxy: true, Sequence: 2}}},
		{Name: "cast a ranked ballot ordering some options", Given: P{ranked}, Command: ballotCmd("b", adf, adf, false, "bassin", "academie"),
			Want: P{cast(adf, 1, "bassin", "academie")}},
		{Name: "cast a multiple-choice ballot", Given: P{multiple}, Command: ballotCmd("b", amf, amf, false, "departement", "academie"),
			Want: P{cast(amf, 1, "departement", "academie")}},
		{Name: "a second representative's ballot", Given: g(cast(amf, 3, OptionFor)), Command: ballotCmd("b", amf, amf, false, OptionAgainst),
			WantCode: "ballot_already_cast"},
		{Name: "change a secret ballot", Given: P{withSecret(opened), participation(amf, 3)}, Command: sealedBallotCmd("b", amf, amf, true, OptionAgainst),
			WantCode: "ballot_change_not_allowed"},
		{Name: "change a secret ballot cast before ballots were sealed", Given: P{withSecret(opened), cast(amf, 3, OptionFor)},
			Command: ballotCmd("b", amf, amf, true, OptionAgainst), WantCode: "ballot_change_not_allowed"},
		{Name: "vote for another organisation", Given: P{opened}, Command: ballotCmd("b", amf, adf, false, OptionFor), WantCode: "not_entitled_to_vote"},
		{Name: "vote with another organisation's proxy", Given: g(proxy(adf, arf)), Command: ballotCmd("b", amf, adf, false, OptionFor),
			WantCode: "not_entitled_to_vote"},
		{Name: "vote without an organisation", Given: P{opened},
			Command: CastBallot{Envelope: bus.Envelope{CommandID: "b", Time: now, Actor: events.Actor{User: "x@y.fr"}},
				ConsultationID: cid.String(), OrganisationID: amf.String(), Choices: []string{OptionFor}},
			WantCode: "not_entitled_to_vote"},
		{Name: "vote for an organisation outside the electorate", Given: P{opened}, Command: ballotCmd("b", dne, dne, false, OptionFor),
			WantCode: "not_in_electorate"},
		{Name: "vote for an unknown option", Given: P{opened}, Command: ballotCmd("b", amf, amf, false, "oui"), WantCode: "invalid_choice"},
		{Name: "vote twice on a yes/no ballot", Given: P{opened}, Command: ballotCmd("b", amf, amf, false, OptionFor, OptionAgainst),
			WantCode: "invalid_choice"},
		{Name: "rank an option twice", Given: P{ranked}, Command: ballotCmd("b", amf, amf, false, "bassin", "bassin"), WantCode: "invalid_choice"},
		{Name: "choose more than max_choices", Given: P{multiple}, Command: ballotCmd("b", amf, amf, false, "bassin", "academie", "departement"),
			WantCode: "invalid_choice"},
		{Name: "choose nothing", Given: P{multiple}, Command: ballotCmd("b", amf, amf, false), WantCode: "invalid_choice"},
		{Name: "vote at the deadline, before the close", Given: P{opened},
			Command:  CastBallot{Envelope: member("b", amf, deadline), ConsultationID: cid.String(), OrganisationID: amf.String(), Choices: []string{OptionFor}},
			WantCode: "deadline_passed"},
		{Name: "vote after the close", Given: g(closed), Command: ballotCmd("b", amf, amf, false, OptionFor), WantCode: "consultation_closed"},
		{Name: "vote in an unknown consultation", Command: ballotCmd("b", amf, amf, false, OptionFor), WantCode: "consultation_not_found"},

		// close-consultation
		{Name: "close early by the secretariat: the tally is in the event", Given: voted,
			Command: CloseConsultation{Envelope: secretariat("c", now), ConsultationID: cid.String(), Reason: " tous les votes sont exprimés "},
			Want:    P{ConsultationClosed{ConsultationID: cid, Reason: "tous les votes sont exprimés", ClosedAt: now, Result: adopted}}},
		{Name: "close at the deadline by the scheduler, repeating the opinion binding",
			Given:   []events.Payload{withOpinion(opened), cast(amf, 3, OptionFor)},
			Command: closeCmd(scheduler(deadline), true),
			Want: P{ConsultationClosed{ConsultationID: cid, AtDeadline: true, ClosedAt: deadline, OpinionID: ptr(opinion), OpinionTextSHA256: opinionHash,
				Result: Result{Kind: KindYesNoAbstain, Counts: []OptionCount{{OptionFor, 3, 1, 0}, {OptionAgainst, 0, 0, 0}, {OptionAbstain, 0, 0, 0}},
					BallotsCast: 1, ParticipatingWeight: 3, ExpressedWeight: 3, ElectorateWeight: 8, ParticipationPercent: 37.5,
					MinParticipation: 50, Outcome: OutcomeNoQuorum}}}},
		{Name: "close a secret consultation: the box's ballots merged, sorted, without organisations",
			Given:   P{withSecret(opened), participation(amf, 3), participation(cdc, 1), participation(adf, 2)},
			Command: secretClose(secretariat("c", now), map[uuid.UUID][]string{amf: {OptionFor}, adf: {OptionAgainst}, cdc: {OptionFor}, arf: {OptionAgainst}}),
			Want: P{ConsultationClosed{ConsultationID: cid, ClosedAt: now, Secret: true,
				SecretBallots: []SecretBallot{{Choices: []string{OptionAgainst}, Ballots: 1, Weight: 2}, {Choices: []string{OptionFor}, Ballots: 2, Weight: 4}},
				Result: Result{Kind: KindYesNoAbstain, Counts: []OptionCount{{OptionFor, 4, 2, 0}, {OptionAgainst, 2, 1, 0}, {OptionAbstain, 0, 0, 0}},
					BallotsCast: 3, ParticipatingWeight: 6, ExpressedWeight: 6, ElectorateWeight: 8, ParticipationPercent: 75,
					MinParticipation: 50, QuorumReached: true, Outcome: OutcomeAdopted}}}},
		{Name: "close a secret ranked consultation at the deadline: identical rankings merged",
			Given: P{withSecret(ranked), participation(amf, 1), participation(adf, 1), participation(arf, 1)},
			Command: func() CloseConsultation {
				c := secretClose(scheduler(deadline), map[uuid.UUID][]string{amf: {"bassin", "academie"}, adf: {"academie"}, arf: {"bassin", "academie"}})
				c.AtDeadline = true
				return c
			}(),
			Want: P{ConsultationClosed{ConsultationID: cid, AtDeadline: true, ClosedAt: deadline, Secret: true,
				SecretBallots: []SecretBallot{{Choices: []string{"academie"}, Ballots: 1, Weight: 1}, {Choices: []string{"bassin", "academie"}, Ballots: 2, Weight: 2}},
				Result: Result{Kind: KindRanked, Counts: []OptionCount{{"academie", 1, 1, 7}, {"departement", 0, 0, 0}, {"bassin", 2, 2, 6}},
					BallotsCast: 3, ParticipatingWeight: 3, ExpressedWeight: 3, ElectorateWeight: 3, ParticipationPercent: 100,
					QuorumReached: true, Outcome: OutcomeDecided, Winners: []string{"academie"}}}}},
		{Name: "close a secret consultation nobody voted in", Given: P{withSecret(opened)},
			Command: secretClose(secretariat("c", now), map[uuid.UUID][]string{}),
			Want:    P{ConsultationClosed{ConsultationID: cid, ClosedAt: now, Secret: true, Result: Tally(Fold(withSecret(opened)))}}},
		{Name: "close a secret consultation without opening the box (closed meanwhile)", Given: P{withSecret(opened), participation(amf, 3)},
			Command: closeCmd(secretariat("c", now), false), WantCode: "conflict"},
		{Name: "close a secret consultation whose box lacks a participation's ballot", Given: P{withSecret(opened), participation(amf, 3)},
			Command: secretClose(secretariat("c", now), map[uuid.UUID][]string{adf: {OptionFor}}), WantCode: "internal"},
		{Name: "close a secret consultation whose box holds an invalid ballot", Given: P{withSecret(opened), participation(amf, 3)},
			Command: secretClose(secretariat("c", now), map[uuid.UUID][]string{amf: {"oui"}}), WantCode: "internal"},
		{Name: "close at the deadline too early", Given: P{opened}, Command: closeCmd(scheduler(deadline.Add(-time.Second)), true),
			WantCode: "deadline_not_reached"},
		{Name: "close early as a member", Given: P{opened}, Command: closeCmd(member("c", amf, now), false), WantCode: "close_not_allowed"},
		{Name: "close twice", Given: g(closed), Command: closeCmd(scheduler(deadline), true), WantCode: "consultation_closed"},
		{Name: "close an unknown consultation", Command: closeCmd(secretariat("c", now), false), WantCode: "consultation_not_found"},
	}
}

func TestDecide(t *testing.T) {
	decidertest.Run(t, Decider(nil, nil, nil, nil), Rejections(), decideCases())
}

// TestInvalidFieldsAreNamed checks that rejections of semantic validation name the
// offending field, as validation_failed does.
func TestInvalidFieldsAreNamed(t *testing.T) {
	cases := []struct {
		state Consultation
		cmd   any
		field string
	}{
		{Fold(), openCmd(func(c *OpenConsultation) { c.Deadline = now.Add(-time.Hour) }), "deadline"},
		{Fold(), openCmd(func(c *OpenConsultation) { c.Kind, c.Options = KindSingleChoice, []Option{{"a", "x"}, {"a-", "y"}} }), "options[1].id"},
		{Fold(), openCmd(func(c *OpenConsultation) { delete(c.ActiveOrganisations, adf) }), "electorate[1].organisation_id"},
		{Fold(opened), ballotCmd("b", amf, amf, false, OptionFor, "peut-être"), "choices[1]"},
		{Fold(ranked), ballotCmd("b", amf, amf, false, "bassin", "academie", "bassin"), "choices[2]"},
		{Fold(opened), GrantProxy{Envelope: member("p", adf, now), ConsultationID: cid.String(), FromOrganisationID: adf.String(),
			ToOrganisationID: amf.String(), SignedOn: "2027-01-01", HolderActive: true}, "signed_on"},
	}
	for _, tc := range cases {
		_, err := Decide(tc.state, tc.cmd)
		var e *errcode.Error
		if !errors.As(err, &e) {
			t.Errorf("%T: %v, want a rejection", tc.cmd, err)
			continue
		}
		if _, ok := e.Fields[tc.field]; !ok || len(e.Fields) != 1 {
			t.Errorf("%T: %v names %v, want %s", tc.cmd, e, e.Fields, tc.field)
		}
	}
}

func TestSlugs(t *testing.T) {
	for s, want := range map[string]bool{"pour": true, "option-a": true, "scenario_2": true, "2": true,
		"": false, "-a": false, "a-": false, "a--b": false, "A": false, "é": false, "a b": false,
		strings.Repeat("a", 41): false, strings.Repeat("a", 40): true} {
		if isSlug(s) != want {
			t.Errorf("isSlug(%q) = %v", s, !want)
		}
	}
}

func TestEvolveIsPure(t *testing.T) {
	before := Fold(opened, proxy(adf, amf), cast(amf, 3, OptionFor))
	ballots, proxies, options := before.Ballots, before.Proxies, before.Options
	_ = Evolve(before, BallotChanged{ConsultationID: cid, OrganisationID: amf, Choices: []string{OptionAgainst}, Weight: 3, Sequence: 1})
	_ = Evolve(before, cast(cdc, 1, OptionAbstain))
	_ = Evolve(before, ProxyRevoked{ConsultationID: cid, FromOrganisationID: adf, ToOrganisationID: amf})
	_ = Evolve(before, ConsultationClosed{ConsultationID: cid, Result: Result{Outcome: OutcomeAdopted}})
	_ = Evolve(before, participation(cdc, 1))
	closed := ConsultationClosed{ConsultationID: cid, Secret: true, SecretBallots: []SecretBallot{{Choices: []string{OptionFor}, Ballots: 1, Weight: 3}}}
	if after := Evolve(before, closed); !reflect.DeepEqual(after.SecretBallots, closed.SecretBallots) {
		t.Fatalf("secret ballots %+v", after.SecretBallots)
	} else if closed.SecretBallots[0].Choices[0] = OptionAgainst; after.SecretBallots[0].Choices[0] != OptionFor {
		t.Fatal("the state shares the closing event's secret ballots")
	}
	if len(ballots) != 1 || ballots[amf].Choices[0] != OptionFor || ballots[amf].Changes != 0 ||
		len(proxies) != 1 || before.Closed || !reflect.DeepEqual(options, yesNo) {
		t.Fatal("Evolve modified its input state")
	}
	// The event's slices are not shared with the state either.
	ev := cast(cdc, 1, OptionAbstain)
	after := Evolve(before, ev)
	ev.Choices[0] = OptionFor
	if after.Ballots[cdc].Choices[0] != OptionAbstain {
		t.Fatal("the state shares the event's choices")
	}
}

func TestStateAfterEvents(t *testing.T) {
	c := Fold(withOpinion(opened), proxy(adf, amf), proxy(arf, amf), ProxyRevoked{ConsultationID: cid, FromOrganisationID: arf, ToOrganisationID: amf},
		cast(amf, 3, OptionFor), BallotChanged{ConsultationID: cid, OrganisationID: amf, Choices: []string{OptionAgainst}, Weight: 3, Sequence: 1})
	if c.ID != cid || !c.Opened || c.Kind != KindYesNoAbstain || c.OpinionID != opinion || c.OpinionTextSHA256 != opinionHash ||
		!c.Deadline.Equal(deadline) || c.MinParticipation != 50 || len(c.Electorate) != 4 || c.Electorate[amf] != 3 {
		t.Fatalf("opened state %+v", c)
	}
	if len(c.Proxies) != 1 || c.Proxies[adf].To != amf || c.Ballots[amf].Changes != 1 || c.Ballots[amf].Choices[0] != OptionAgainst {
		t.Fatalf("proxies %+v ballots %+v", c.Proxies, c.Ballots)
	}
	if w, ok := c.WeightOf(arf); !ok || w != 2 {
		t.Fatalf("WeightOf(arf) = %d, %v", w, ok)
	}
	if c.VotingEnded(deadline.Add(-time.Nanosecond)) || !c.VotingEnded(deadline) {
		t.Fatal("VotingEnded is wrong at the deadline")
	}
}

func TestDerivedIDs(t *testing.T) {
	if ConsultationIDFor("a") != ConsultationIDFor("a") || ConsultationIDFor("a") == ConsultationIDFor("b") {
		t.Fatal("derived IDs are not deterministic and distinct")
	}
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:consultations:ids")); idNamespace != want {
		t.Fatalf("idNamespace = %s, want %s", idNamespace, want)
	}
	if err := events.ValidStream(ConsultationStream(cid)); err != nil {
		t.Fatal(err)
	}
	if DeadlineCommandID(cid) != DeadlineCommandID(cid) || DeadlineCommandID(cid) == DeadlineCommandID(ConsultationIDFor("b")) ||
		len(DeadlineCommandID(cid)) > bus.MaxCommandIDLength {
		t.Fatal("deadline command IDs are not fixed per consultation")
	}
	req := DeadlineCloseRequest(cid)
	cmd, err := bus.NewDecoder().Decode(Commands()[4], req.Body)
	if err != nil || req.Command != CmdCloseConsultation || req.Context != Context || req.CommandID != DeadlineCommandID(cid) {
		t.Fatalf("deadline request %+v: %v", req, err)
	}
	if c := cmd.(CloseConsultation); !c.AtDeadline || c.ConsultationID != cid.String() {
		t.Fatalf("deadline close %+v", c)
	}
}
