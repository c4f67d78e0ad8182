package opinions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	. "github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/themes"
)

// env is the envelope of a command with the given ID, sent by a.
func env(a events.Actor, commandID string) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Actor: a}
}

// Organisations of the committee: AMF, ADF and the ministry's DNE draft in the group;
// CDC is outside it.
var (
	amf = uuid.MustParse("1f0c6a52-9d3e-4b7a-8e21-5c4d3b2a1f01")
	adf = uuid.MustParse("1f0c6a52-9d3e-4b7a-8e21-5c4d3b2a1f02")
	dne = uuid.MustParse("1f0c6a52-9d3e-4b7a-8e21-5c4d3b2a1f03")
	cdc = uuid.MustParse("1f0c6a52-9d3e-4b7a-8e21-5c4d3b2a1f04")
)

// Actors of the decide table.
var (
	amfMember = memberOf(amf, "amf")
	adfMember = memberOf(adf, "adf")
	cdcMember = memberOf(cdc, "cdc")
	// secretariat acts for the DNE, a member of the drafting group; secretariatAlone for
	// no organisation.
	secretariat      = events.Actor{User: "secretariat@education.gouv.fr", Organisation: dne.String(), Role: "secretariat"}
	secretariatAlone = events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	process          = events.Actor{User: "process:opinion-outcomes", Role: "system"}
	auditor          = events.Actor{User: "auditeur@ccomptes.fr", Role: "auditor"}
	observer         = events.Actor{User: "observateur@demo.invalid", Role: "observer"}
)

func memberOf(org uuid.UUID, user string) events.Actor {
	return events.Actor{User: user + "@demo.invalid", Organisation: org.String(), Role: "member"}
}

// The drafting group's facts, as Prepare would find them.
var (
	drafters     = &GroupFacts{ID: groupID, Exists: true, Members: []uuid.UUID{amf, adf, dne}}
	closedFacts  = &GroupFacts{ID: groupID, Exists: true, Closed: true, Members: []uuid.UUID{amf, adf, dne}}
	missingFacts = &GroupFacts{ID: groupID}
	otherFacts   = &GroupFacts{ID: uuid.MustParse("5d1c3a0e-2f4b-4c8e-9a61-0f7e3b2d9c11"), Exists: true, Members: []uuid.UUID{amf, adf, dne}}
)

func ptr[T any](v T) *T { return &v }

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// text0 is the draft's first version: 106 UTF-16 units (the flag is four), "Le comité"
// at 5, "concertent" at 58.
const text0 = "🇫🇷 Le comité recommande que l’État et les collectivités concertent le déploiement du numérique éducatif."

var (
	opinionID    = OpinionIDFor("cmd-avis")
	groupID      = uuid.MustParse("5d1c3a0e-2f4b-4c8e-9a61-0f7e3b2d9c10")
	consultation = uuid.MustParse("0b8a5f6e-7c3d-4e21-8f90-1a2b3c4d5e6f")
	am1          = AmendmentIDFor("cmd-am1")
	am2          = AmendmentIDFor("cmd-am2")
	am3          = AmendmentIDFor("cmd-am3")
	sha0         = TextSHA256(text0)
)

var (
	created = Created{OpinionID: opinionID, Kind: KindRecommendation, Title: "Gouvernance partagée du numérique éducatif",
		GroupID: groupID, Theme: themes.Governance}
	initial = DraftChanged{OpinionID: opinionID, Version: 1, Source: SourceInitial,
		Changes: raw(`[[0,"` + text0 + `"]]`)}
	submitted = SubmittedForReview{OpinionID: opinionID, Version: 1}
	// am1 extends "Le comité", am2 rewords "concertent", am3 overlaps am2.
	am1Proposed = AmendmentProposed{OpinionID: opinionID, AmendmentID: am1, Passage: "Le comité",
		Replacement: "Le comité des partenaires", Offset: 5, Version: 1}
	am2Proposed = AmendmentProposed{OpinionID: opinionID, AmendmentID: am2, Passage: "concertent",
		Replacement: "organisent ensemble", Reason: "Formulation plus explicite", Offset: 58, Version: 1}
	am3Proposed = AmendmentProposed{OpinionID: opinionID, AmendmentID: am3, Passage: "concertent le déploiement",
		Replacement: "pilotent le déploiement", Offset: 58, Version: 1}
	am1Accepted = []events.Payload{AmendmentAccepted{OpinionID: opinionID, AmendmentID: am1},
		DraftChanged{OpinionID: opinionID, Version: 2, Source: SourceAmendment, AmendmentID: am1,
			Changes: raw(`[5,[9,"Le comité des partenaires"],92]`)}}
	votingOpened = VotingOpened{OpinionID: opinionID, Version: 1, Text: text0, TextSHA256: sha0}
	adopted      = Adopted{OpinionID: opinionID, ConsultationID: consultation, TextSHA256: sha0}
	rejected     = Rejected{OpinionID: opinionID, ConsultationID: consultation, TextSHA256: sha0}
)

// history joins event lists into one.
func history(parts ...[]events.Payload) []events.Payload {
	var out []events.Payload
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func evs(ps ...events.Payload) []events.Payload { return ps }

func decideCases() []decidertest.Case {
	id := opinionID.String()
	draft := evs(created, initial)
	review := history(draft, evs(submitted))
	voting := history(review, evs(votingOpened))
	decided := history(voting, evs(adopted))
	published := history(decided, evs(Published{OpinionID: opinionID, Outcome: OutcomeAdopted}))
	withdrawn := history(draft, evs(Withdrawn{OpinionID: opinionID, Reason: "Fusionné avec un autre avis", From: StateDraft}))
	emoji := strings.Repeat("😀", MaxTextLength/2-52) // after text0: two units over the limit
	return []decidertest.Case{
		// create-opinion
		{Name: "create with an initial text", Command: CreateOpinion{Envelope: env(amfMember, "cmd-avis"), Kind: KindRecommendation,
			Title: "  Gouvernance partagée   du numérique éducatif ", GroupID: groupID.String(), Theme: themes.Governance, Text: text0, Group: drafters},
			Want: evs(created, initial)},
		{Name: "create an empty contribution, the secretariat for a member of the group", Command: CreateOpinion{Envelope: env(secretariat, "cmd-contrib"), Kind: KindContribution,
			Title: "Contribution aux États généraux du numérique", GroupID: groupID.String(), Group: drafters},
			Want: evs(Created{OpinionID: OpinionIDFor("cmd-contrib"), Kind: KindContribution,
				Title: "Contribution aux États généraux du numérique", GroupID: groupID})},
		{Name: "create, CR LF line breaks become LF", Command: CreateOpinion{Envelope: env(adfMember, "cmd-crlf"), Kind: KindOpinion,
			Title: "Avis", GroupID: groupID.String(), Text: "Préambule\r\nLe comité\rrecommande", Group: drafters},
			Want: evs(Created{OpinionID: OpinionIDFor("cmd-crlf"), Kind: KindOpinion, Title: "Avis", GroupID: groupID},
				DraftChanged{OpinionID: OpinionIDFor("cmd-crlf"), Version: 1, Source: SourceInitial,
					Changes: raw(`[[0,"Préambule","Le comité","recommande"]]`)})},
		{Name: "create twice with the same command ID", Given: evs(created),
			Command: CreateOpinion{Envelope: env(amfMember, "cmd-avis"), Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: drafters}, WantCode: "opinion_exists"},
		{Name: "create in an unknown group", Command: CreateOpinion{Envelope: env(amfMember, "x"), Kind: KindOpinion, Title: "Avis",
			GroupID: groupID.String(), Group: missingFacts}, WantCode: "group_not_found"},
		{Name: "create in a closed group", Command: CreateOpinion{Envelope: env(amfMember, "x"), Kind: KindOpinion, Title: "Avis",
			GroupID: groupID.String(), Group: closedFacts}, WantCode: "group_closed"},
		{Name: "create with a text too long in UTF-16", Command: CreateOpinion{Envelope: env(amfMember, "x"), Kind: KindOpinion, Title: "Avis", Group: drafters,
			GroupID: groupID.String(), Text: strings.Repeat("😀", MaxTextLength/2+1)}, WantCode: "text_too_long"},

		// push-changes
		{Name: "push two change sets", Given: draft, Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: " éditeur-7f3a ",
			Changes: []json.RawMessage{raw(`[106,[0," Il propose une charte."]]`), raw(` [ [ 5 ] , 124 ] `)}},
			Want: evs(DraftChanged{OpinionID: opinionID, Version: 2, ClientID: "éditeur-7f3a", Source: SourcePush,
				Changes: raw(`[106,[0," Il propose une charte."]]`)},
				DraftChanged{OpinionID: opinionID, Version: 3, ClientID: "éditeur-7f3a", Source: SourcePush, Changes: raw(`[[5],124]`)})},
		{Name: "push a change set that changes nothing still counts a version", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "c", Changes: []json.RawMessage{raw(`[106]`)}},
			Want:    evs(DraftChanged{OpinionID: opinionID, Version: 2, ClientID: "c", Source: SourcePush, Changes: raw(`[106]`)})},
		{Name: "push a change set in a shape CodeMirror never builds: stored normalised", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "c",
				Changes: []json.RawMessage{raw(`[0,[2],[3],[0,"a"],[0,"é"],101]`)}},
			Want: evs(DraftChanged{OpinionID: opinionID, Version: 2, ClientID: "c", Source: SourcePush, Changes: raw(`[[5],[0,"aé"],101]`)})},
		{Name: "push on a stale version", Given: history(draft, evs(DraftChanged{OpinionID: opinionID, Version: 2, Source: SourcePush, ClientID: "a", Changes: raw(`[106,[0,"!"]]`)})),
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "version_mismatch"},
		{Name: "push on a version ahead", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(5), ClientID: "b", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "version_mismatch"},
		{Name: "push without a version", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, ClientID: "b", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "version_mismatch"},
		{Name: "push something that is not a change set", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`{"from":0,"insert":"x"}`)}}, WantCode: "invalid_changes"},
		{Name: "push a change set of the wrong length", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[105,[0,"x"]]`)}}, WantCode: "invalid_changes"},
		{Name: "push a second change set that does not follow the first", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[106,[0,"x"]]`), raw(`[106]`)}}, WantCode: "invalid_changes"},
		{Name: "push a change set that splits the flag", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[1,[1],104]`)}}, WantCode: "invalid_changes"},
		{Name: "push beyond the maximum length", Given: draft,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[106,[0,"` + emoji + `"]]`)}}, WantCode: "text_too_long"},
		{Name: "push during review", Given: review,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "opinion_not_in_draft"},
		{Name: "push to an unknown opinion",
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(0), ClientID: "b", Changes: []json.RawMessage{raw(`[]`)}}, WantCode: "opinion_not_found"},
		{Name: "push to a withdrawn opinion", Given: withdrawn,
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(1), ClientID: "b", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "opinion_withdrawn"},
		{Name: "push on a history that does not replay", Given: evs(created, DraftChanged{OpinionID: opinionID, Version: 1, Source: SourcePush, Changes: raw(`[3]`)}),
			Command: PushChanges{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, Version: ptr(0), ClientID: "b", Changes: []json.RawMessage{raw(`[]`)}}, WantCode: "internal"},

		// edit-text
		{Name: "edit the whole text", Given: draft, Command: EditText{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, BaseVersion: ptr(1),
			Text: strings.Replace(text0, "concertent", "organisent ensemble", 1)},
			Want: evs(DraftChanged{OpinionID: opinionID, Version: 2, Source: SourceEdit, Changes: raw(`[58,[10,"organisent ensemble"],38]`)})},
		{Name: "edit with the same text is a no-op", Given: draft, Command: EditText{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, BaseVersion: ptr(1), Text: text0}},
		{Name: "edit from a stale version", Given: draft, Command: EditText{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, BaseVersion: ptr(0), Text: "Autre"}, WantCode: "version_mismatch"},
		{Name: "edit beyond the maximum length", Given: draft, Command: EditText{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, BaseVersion: ptr(1), Text: text0 + emoji}, WantCode: "text_too_long"},
		{Name: "edit during review", Given: review, Command: EditText{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, BaseVersion: ptr(1), Text: "Autre"}, WantCode: "opinion_not_in_draft"},

		// submit-for-review
		{Name: "submit for review", Given: draft, Command: SubmitForReview{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id}, Want: evs(submitted)},
		{Name: "submit twice", Given: review, Command: SubmitForReview{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id}, WantCode: "opinion_not_in_draft"},

		// propose-amendment
		{Name: "propose an amendment: offset in UTF-16 units", Given: review, Command: ProposeAmendment{Envelope: env(cdcMember, "cmd-am2"), OpinionID: id,
			Passage: "concertent", Replacement: "organisent ensemble", Reason: " Formulation plus explicite "}, Want: evs(am2Proposed)},
		{Name: "propose an amendment on a passage that is not there", Given: review, Command: ProposeAmendment{Envelope: env(cdcMember, "x"), OpinionID: id,
			Passage: "les régions", Replacement: "la région"}, WantCode: "passage_not_found"},
		{Name: "propose an amendment on a draft", Given: draft, Command: ProposeAmendment{Envelope: env(cdcMember, "x"), OpinionID: id,
			Passage: "concertent", Replacement: "organisent"}, WantCode: "opinion_not_in_review"},

		// accept-amendment
		{Name: "accept an amendment", Given: history(review, evs(am1Proposed)),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am1.String()}, Want: am1Accepted},
		{Name: "accept an amendment whose passage moved", Given: history(review, evs(am1Proposed, am2Proposed), am1Accepted),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am2.String()},
			Want: evs(AmendmentAccepted{OpinionID: opinionID, AmendmentID: am2},
				DraftChanged{OpinionID: opinionID, Version: 3, Source: SourceAmendment, AmendmentID: am2,
					Changes: raw(`[74,[10,"organisent ensemble"],38]`)})},
		{Name: "accept an amendment whose passage another one changed", Given: history(review, evs(am2Proposed, am3Proposed,
			AmendmentAccepted{OpinionID: opinionID, AmendmentID: am2},
			DraftChanged{OpinionID: opinionID, Version: 2, Source: SourceAmendment, AmendmentID: am2, Changes: raw(`[58,[10,"organisent ensemble"],38]`)})),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am3.String()}, WantCode: "amendment_outdated"},
		{Name: "accept an amendment twice", Given: history(review, evs(am1Proposed), am1Accepted),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am1.String()}, WantCode: "amendment_already_decided"},
		{Name: "accept an unknown amendment", Given: history(review, evs(am1Proposed)),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am2.String()}, WantCode: "amendment_not_found"},
		{Name: "accept an amendment with a malformed ID", Given: history(review, evs(am1Proposed)),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: "am1"}, WantCode: "amendment_not_found"},
		{Name: "accept an amendment during the vote", Given: history(review, evs(am1Proposed, AmendmentRejected{OpinionID: opinionID, AmendmentID: am1}, votingOpened)),
			Command: AcceptAmendment{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am1.String()}, WantCode: "opinion_not_in_review"},

		// reject-amendment
		{Name: "reject an amendment", Given: history(review, evs(am2Proposed)),
			Command: RejectAmendment{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am2.String(), Reason: " Le terme « concertent » est celui de la charte. "},
			Want:    evs(AmendmentRejected{OpinionID: opinionID, AmendmentID: am2, Reason: "Le terme « concertent » est celui de la charte."})},
		{Name: "reject an accepted amendment", Given: history(review, evs(am1Proposed), am1Accepted),
			Command: RejectAmendment{Envelope: env(adfMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am1.String()}, WantCode: "amendment_already_decided"},

		// open-vote
		{Name: "open the vote: the text is frozen", Given: review, Command: OpenVote{Envelope: env(secretariat, "c"), Group: drafters, OpinionID: id}, Want: evs(votingOpened)},
		{Name: "open the vote after amendments", Given: history(review, evs(am1Proposed), am1Accepted, evs(am2Proposed, AmendmentRejected{OpinionID: opinionID, AmendmentID: am2})),
			Command: OpenVote{Envelope: env(secretariat, "c"), Group: drafters, OpinionID: id}, Want: evs(VotingOpened{OpinionID: opinionID, Version: 2,
				Text:       strings.Replace(text0, "Le comité", "Le comité des partenaires", 1),
				TextSHA256: TextSHA256(strings.Replace(text0, "Le comité", "Le comité des partenaires", 1))})},
		{Name: "open the vote with an amendment pending", Given: history(review, evs(am1Proposed)), Command: OpenVote{Envelope: env(secretariat, "c"), Group: drafters, OpinionID: id}, WantCode: "amendments_pending"},
		{Name: "open the vote on a draft", Given: draft, Command: OpenVote{Envelope: env(secretariat, "c"), Group: drafters, OpinionID: id}, WantCode: "opinion_not_in_review"},

		// record-outcome
		{Name: "record adoption", Given: voting, Command: RecordOutcome{Envelope: env(process, "c"), OpinionID: id, Outcome: OutcomeAdopted,
			ConsultationID: consultation.String(), TextSHA256: sha0}, Want: evs(adopted)},
		{Name: "record rejection, upper-case SHA", Given: voting, Command: RecordOutcome{Envelope: env(process, "c"), OpinionID: id, Outcome: OutcomeRejected,
			ConsultationID: consultation.String(), TextSHA256: strings.ToUpper(sha0)}, Want: evs(rejected)},
		{Name: "record an outcome on another text", Given: voting, Command: RecordOutcome{Envelope: env(process, "c"), OpinionID: id, Outcome: OutcomeAdopted,
			ConsultationID: consultation.String(), TextSHA256: TextSHA256(text0 + " ")}, WantCode: "frozen_text_mismatch"},
		{Name: "record an outcome before the vote", Given: review, Command: RecordOutcome{Envelope: env(process, "c"), OpinionID: id, Outcome: OutcomeAdopted,
			ConsultationID: consultation.String(), TextSHA256: sha0}, WantCode: "opinion_not_voting"},
		{Name: "record an outcome twice", Given: decided, Command: RecordOutcome{Envelope: env(process, "c"), OpinionID: id, Outcome: OutcomeRejected,
			ConsultationID: consultation.String(), TextSHA256: sha0}, WantCode: "opinion_already_decided"},

		// publish
		{Name: "publish an adopted opinion", Given: decided, Command: Publish{Envelope: env(secretariatAlone, "c"), OpinionID: id},
			Want: evs(Published{OpinionID: opinionID, Outcome: OutcomeAdopted})},
		{Name: "publish a rejected opinion", Given: history(voting, evs(rejected)), Command: Publish{Envelope: env(secretariatAlone, "c"), OpinionID: id},
			Want: evs(Published{OpinionID: opinionID, Outcome: OutcomeRejected})},
		{Name: "publish during the vote", Given: voting, Command: Publish{Envelope: env(secretariatAlone, "c"), OpinionID: id}, WantCode: "opinion_not_decided"},
		{Name: "publish twice", Given: published, Command: Publish{Envelope: env(secretariatAlone, "c"), OpinionID: id}, WantCode: "opinion_already_published"},

		// withdraw
		{Name: "withdraw a draft", Given: draft, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: " Fusionné avec un autre avis "},
			Want: evs(Withdrawn{OpinionID: opinionID, Reason: "Fusionné avec un autre avis", From: StateDraft})},
		{Name: "withdraw under review", Given: review, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: "Sans objet"},
			Want: evs(Withdrawn{OpinionID: opinionID, Reason: "Sans objet", From: StateInReview})},
		{Name: "withdraw during the vote", Given: voting, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: "Sans objet"},
			Want: evs(Withdrawn{OpinionID: opinionID, Reason: "Sans objet", From: StateVoting})},
		{Name: "withdraw an adopted opinion", Given: decided, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: "Trop tard"}, WantCode: "opinion_already_decided"},
		{Name: "withdraw a published opinion", Given: published, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: "Trop tard"}, WantCode: "opinion_already_decided"},
		{Name: "withdraw twice", Given: withdrawn, Command: Withdraw{Envelope: env(amfMember, "c"), Group: drafters, OpinionID: id, Reason: "Encore"}, WantCode: "opinion_withdrawn"},

		// Only a group's members edit its drafts; the secretariat role does not bypass it.
		{Name: "forbidden: create for a group the actor's organisation is not in", Command: CreateOpinion{Envelope: env(cdcMember, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: drafters}, WantCode: "forbidden"},
		{Name: "forbidden: the secretariat creates for a group its organisation is not in", Command: CreateOpinion{Envelope: env(secretariatAlone, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: drafters}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider creates in a closed group", Command: CreateOpinion{Envelope: env(cdcMember, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: closedFacts}, WantCode: "forbidden"},
		{Name: "forbidden: create without the group's facts (no lookup)", Command: CreateOpinion{Envelope: env(amfMember, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String()}, WantCode: "forbidden"},
		{Name: "forbidden: create with the facts of another group", Command: CreateOpinion{Envelope: env(amfMember, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: otherFacts}, WantCode: "forbidden"},
		{Name: "forbidden: an auditor creates an opinion", Command: CreateOpinion{Envelope: env(auditor, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: drafters}, WantCode: "forbidden"},
		{Name: "forbidden: a process creates an opinion", Command: CreateOpinion{Envelope: env(process, "x"),
			Kind: KindOpinion, Title: "Avis", GroupID: groupID.String(), Group: drafters}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider pushes changes", Given: draft, Command: PushChanges{Envelope: env(cdcMember, "c"), Group: drafters,
			OpinionID: id, Version: ptr(1), ClientID: "c", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "forbidden"},
		{Name: "forbidden: push changes without the group's facts", Given: draft, Command: PushChanges{Envelope: env(adfMember, "c"),
			OpinionID: id, Version: ptr(1), ClientID: "c", Changes: []json.RawMessage{raw(`[106]`)}}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider edits the text", Given: draft, Command: EditText{Envelope: env(cdcMember, "c"), Group: drafters,
			OpinionID: id, BaseVersion: ptr(1), Text: "Autre"}, WantCode: "forbidden"},
		{Name: "forbidden: edit with the facts of another group", Given: draft, Command: EditText{Envelope: env(amfMember, "c"), Group: otherFacts,
			OpinionID: id, BaseVersion: ptr(1), Text: "Autre"}, WantCode: "forbidden"},
		{Name: "forbidden: an observer edits the text", Given: draft, Command: EditText{Envelope: env(observer, "c"), Group: drafters,
			OpinionID: id, BaseVersion: ptr(1), Text: "Autre"}, WantCode: "forbidden"},
		{Name: "forbidden: the secretariat without an organisation submits for review", Given: draft,
			Command: SubmitForReview{Envelope: env(secretariatAlone, "c"), Group: drafters, OpinionID: id}, WantCode: "forbidden"},
		{Name: "forbidden: an organisation that left the group submits for review", Given: draft,
			Command: SubmitForReview{Envelope: env(adfMember, "c"), Group: &GroupFacts{ID: groupID, Exists: true, Members: []uuid.UUID{amf}},
				OpinionID: id}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider accepts an amendment", Given: history(review, evs(am1Proposed)),
			Command: AcceptAmendment{Envelope: env(cdcMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am1.String()}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider rejects an amendment", Given: history(review, evs(am2Proposed)),
			Command: RejectAmendment{Envelope: env(cdcMember, "c"), Group: drafters, OpinionID: id, AmendmentID: am2.String()}, WantCode: "forbidden"},
		{Name: "forbidden: the secretariat outside the group opens the vote", Given: review,
			Command: OpenVote{Envelope: env(secretariatAlone, "c"), Group: drafters, OpinionID: id}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider withdraws", Given: draft,
			Command: Withdraw{Envelope: env(cdcMember, "c"), Group: drafters, OpinionID: id, Reason: "Hors sujet"}, WantCode: "forbidden"},
		{Name: "forbidden: an outsider withdraws a withdrawn opinion", Given: withdrawn,
			Command: Withdraw{Envelope: env(cdcMember, "c"), Group: drafters, OpinionID: id, Reason: "Encore"}, WantCode: "forbidden"},
		{Name: "forbidden: a process withdraws", Given: draft,
			Command: Withdraw{Envelope: env(process, "c"), Group: drafters, OpinionID: id, Reason: "Sans objet"}, WantCode: "forbidden"},

		// Any organisation proposes amendments; the secretariat publishes; the process records the outcome.
		{Name: "propose an amendment, the secretariat", Given: review, Command: ProposeAmendment{Envelope: env(secretariat, "cmd-am2"), OpinionID: id,
			Passage: "concertent", Replacement: "organisent ensemble", Reason: "Formulation plus explicite"}, Want: evs(am2Proposed)},
		{Name: "forbidden: propose an amendment for no organisation", Given: review, Command: ProposeAmendment{Envelope: env(secretariatAlone, "x"),
			OpinionID: id, Passage: "concertent", Replacement: "organisent"}, WantCode: "forbidden"},
		{Name: "forbidden: a member whose organisation is not a UUID proposes an amendment", Given: review,
			Command: ProposeAmendment{Envelope: env(events.Actor{User: "x@demo.invalid", Organisation: "CDC", Role: "member"}, "x"),
				OpinionID: id, Passage: "concertent", Replacement: "organisent"}, WantCode: "forbidden"},
		{Name: "forbidden: an auditor proposes an amendment", Given: review, Command: ProposeAmendment{Envelope: env(auditor, "x"),
			OpinionID: id, Passage: "concertent", Replacement: "organisent"}, WantCode: "forbidden"},
		{Name: "forbidden: a member of the group records the outcome", Given: voting, Command: RecordOutcome{Envelope: env(amfMember, "c"),
			OpinionID: id, Outcome: OutcomeAdopted, ConsultationID: consultation.String(), TextSHA256: sha0}, WantCode: "forbidden"},
		{Name: "forbidden: the secretariat records the outcome", Given: voting, Command: RecordOutcome{Envelope: env(secretariat, "c"),
			OpinionID: id, Outcome: OutcomeAdopted, ConsultationID: consultation.String(), TextSHA256: sha0}, WantCode: "forbidden"},
		{Name: "forbidden: an auditor records the outcome of no opinion", Command: RecordOutcome{Envelope: env(auditor, "c"),
			OpinionID: id, Outcome: OutcomeAdopted, ConsultationID: consultation.String(), TextSHA256: sha0}, WantCode: "forbidden"},
		{Name: "publish, the secretariat of a member organisation", Given: decided, Command: Publish{Envelope: env(secretariat, "c"), OpinionID: id},
			Want: evs(Published{OpinionID: opinionID, Outcome: OutcomeAdopted})},
		{Name: "forbidden: a member of the group publishes", Given: decided, Command: Publish{Envelope: env(amfMember, "c"), OpinionID: id},
			WantCode: "forbidden"},
		{Name: "forbidden: a process publishes", Given: decided, Command: Publish{Envelope: env(process, "c"), OpinionID: id},
			WantCode: "forbidden"},
	}
}

func TestDecide(t *testing.T) {
	decidertest.Run(t, Decider(nil, nil, nil), Rejections(), decideCases())
}

// TestDecidedTextsReplay checks every successful case's events against the text they
// produce: the draft.changed events of a command apply one after the other.
func TestDecidedTextsReplay(t *testing.T) {
	for _, tc := range decideCases() {
		if tc.WantCode != "" {
			continue
		}
		o := Fold(append(append([]events.Payload{}, tc.Given...), tc.Want...)...)
		if o.Corrupt {
			t.Errorf("%s: the history does not replay", tc.Name)
		}
		if got := changeset.Len16(o.Text); got > MaxTextLength {
			t.Errorf("%s: text of %d units", tc.Name, got)
		}
	}
}
