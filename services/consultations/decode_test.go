package consultations

import (
	"errors"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/errcode"
)

func TestDecoding(t *testing.T) {
	type D = decidertest.DecodeCase
	id, org, org2 := cid.String(), amf.String(), adf.String()
	electorate := `"electorate":[{"organisation_id":"` + org + `","weight":3},{"organisation_id":"` + org2 + `"}]`
	open := func(extra string) string {
		return `{"question":"Le comité adopte-t-il l'avis ?","kind":"yes_no_abstain",` + electorate +
			`,"deadline":"2026-03-12T19:00:00+01:00"` + extra + `}`
	}
	hash := strings.Repeat("0f", 32)
	long := strings.Repeat("é", 1001)
	oneof := "oneof=yes_no_abstain single_choice multiple_choice ranked"
	cases := []D{
		// open-consultation
		{Command: CmdOpenConsultation, Body: open(``)},
		{Command: CmdOpenConsultation, Body: open(`,"description":"Avis du groupe de travail « Gouvernance à la bonne échelle ».","quorum":{"min_participation":50},"secret":true,"results":"live","opinion_id":"` + id + `","opinion_text_sha256":"` + hash + `"`)},
		{Command: CmdOpenConsultation, Body: `{"question":"Quelles priorités pour la filière du numérique éducatif ?","kind":"multiple_choice",` +
			`"options":[{"id":"ressources","label":"Ressources numériques"},{"id":"achat-public","label":"Achat public mutualisé"},{"id":"logiciels-libres","label":"Logiciels libres"}],` +
			`"max_choices":2,` + electorate + `,"deadline":"2026-03-12T18:00:00Z"}`},
		{Command: CmdOpenConsultation, Body: `{}`,
			Fields: map[string]string{"question": "required", "kind": "required", "electorate": "required", "deadline": "required"}},
		{Command: CmdOpenConsultation, Body: `{"question":"  ","kind":"referendum","electorate":[],"deadline":"2026-03-12T18:00:00Z"}`,
			Fields: map[string]string{"question": "notblank", "kind": oneof, "electorate": "min=1"}},
		{Command: CmdOpenConsultation, Body: `{"question":"` + long + `","kind":"ranked",` + electorate + `,"deadline":"2026-03-12T18:00:00Z"}`,
			Fields: map[string]string{"question": "max=1000"}},
		{Command: CmdOpenConsultation, Body: open(`,"quorum":{"min_participation":101},"results":"never","max_choices":51`),
			Fields: map[string]string{"quorum.min_participation": "max=100", "results": "oneof=live at_close", "max_choices": "max=50"}},
		{Command: CmdOpenConsultation, Body: `{"question":"Q ?","kind":"ranked","options":[{"id":"","label":" "}],` +
			`"electorate":[{"organisation_id":"AMF","weight":0},{"organisation_id":"` + org + `","weight":1001}],"deadline":"2026-03-12T18:00:00Z"}`,
			Fields: map[string]string{"options[0].id": "required", "options[0].label": "notblank", "electorate[0].organisation_id": "uuid",
				"electorate[0].weight": "min=1", "electorate[1].weight": "max=1000"}},
		{Command: CmdOpenConsultation, Body: open(`,"opinion_id":"` + id + `"`),
			Fields: map[string]string{"opinion_text_sha256": "required_with=opinion_id"}},
		{Command: CmdOpenConsultation, Body: open(`,"opinion_text_sha256":"` + strings.Repeat("z", 64) + `"`),
			Fields: map[string]string{"opinion_id": "required_with=opinion_text_sha256", "opinion_text_sha256": "hexadecimal"}},
		{Command: CmdOpenConsultation, Body: open(`,"opinion_id":"` + id + `","opinion_text_sha256":"abc"`),
			Fields: map[string]string{"opinion_text_sha256": "len=64"}},
		{Command: CmdOpenConsultation, Body: open(`,"secret":"oui"`), Fields: map[string]string{"secret": "type"}},
		{Command: CmdOpenConsultation, Body: open(`,"electorate_weight":8`), Fields: map[string]string{"electorate_weight": "unknown"}},
		{Command: CmdOpenConsultation, Body: open(`,"ActiveOrganisations":{}`), Fields: map[string]string{"ActiveOrganisations": "unknown"}},

		// grant-proxy
		{Command: CmdGrantProxy, Body: `{"consultation_id":"` + id + `","from_organisation_id":"` + org + `","to_organisation_id":"` + org2 + `","signed_on":"2026-03-04","note":"Procuration remise en séance"}`},
		{Command: CmdGrantProxy, Body: `{"consultation_id":"` + id + `","from_organisation_id":"` + org + `","to_organisation_id":"x","signed_on":"04/03/2026"}`,
			Fields: map[string]string{"to_organisation_id": "uuid", "signed_on": "datetime=2006-01-02"}},
		{Command: CmdGrantProxy, Body: `{"consultation_id":"` + id + `","from_organisation_id":"` + org + `","to_organisation_id":"` + org2 + `","signed_on":"2026-03-04","note":"` + strings.Repeat("n", 1001) + `"}`,
			Fields: map[string]string{"note": "max=1000"}},
		{Command: CmdGrantProxy, Body: `{"consultation_id":"` + id + `","HolderActive":true}`, Fields: map[string]string{"HolderActive": "unknown"}},

		// revoke-proxy
		{Command: CmdRevokeProxy, Body: `{"consultation_id":"` + id + `","from_organisation_id":"` + org + `","reason":"Présent à la séance"}`},
		{Command: CmdRevokeProxy, Body: `{"consultation_id":"` + id + `"}`, Fields: map[string]string{"from_organisation_id": "required"}},

		// cast-ballot
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["pour"]}`},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["bassin","academie"],"change":true}`},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":[]}`,
			Fields: map[string]string{"choices": "min=1"}},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["","` + strings.Repeat("x", 41) + `"]}`,
			Fields: map[string]string{"choices[0]": "required", "choices[1]": "max=40"}},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":"pour"}`,
			Fields: map[string]string{"choices": "type"}},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["pour"],"change":1}`,
			Fields: map[string]string{"change": "type"}},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["pour"],"weight":10}`,
			Fields: map[string]string{"weight": "unknown"}},
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":[` +
			strings.Repeat(`"pour",`, 50) + `"pour"]}`, Fields: map[string]string{"choices": "max=50"}},

		// Prepare's facts never come from the body.
		{Command: CmdCastBallot, Body: `{"consultation_id":"` + id + `","organisation_id":"` + org + `","choices":["pour"],"sealed":true}`,
			Fields: map[string]string{"sealed": "unknown"}},
		{Command: CmdCloseConsultation, Body: `{"consultation_id":"` + id + `","box_opened":true,"box_ballots":{}}`,
			Fields: map[string]string{"box_opened": "unknown"}},

		// close-consultation
		{Command: CmdCloseConsultation, Body: `{"consultation_id":"` + id + `","reason":"Tous les membres ont voté."}`},
		{Command: CmdCloseConsultation, Body: `{"consultation_id":"` + id + `","at_deadline":true}`},
		{Command: CmdCloseConsultation, Body: `{"consultation_id":"nope","at_deadline":"yes"}`, Fields: map[string]string{"at_deadline": "type"}},
		{Command: CmdCloseConsultation, Body: `{"consultation_id":"nope"}`, Fields: map[string]string{"consultation_id": "uuid"}},
	}
	decidertest.Decoding(t, Decider(nil, nil, nil, nil), cases)

	// A deadline that is not RFC 3339 is refused by encoding/json's time parser, which
	// names no field (the bus's decoder cannot say which one).
	_, err := bus.NewDecoder().Decode(Commands()[0], []byte(`{"question":"Q ?","kind":"yes_no_abstain",`+electorate+`,"deadline":"12/03/2026"}`))
	if !errors.Is(err, errcode.ValidationFailed) {
		t.Errorf("deadline 12/03/2026: %v, want validation_failed", err)
	}
}
