package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/membership"
)

// TestRecountSimulation recounts a closed consultation through the HTTP API under other
// weights and another quorum: the answer is marked as a simulation, comes from the log,
// and leaves the official result and the log untouched; refusals are coded.
func TestRecountSimulation(t *testing.T) {
	w := startWorkServer(t)
	secretariat := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	org := map[string]uuid.UUID{}
	for _, o := range demo.Organisations()[:3] {
		key := uuid.NewString()
		w.post(t, secretariat, "", key, "membership/add-organisation", o)
		org[o.Acronym] = membership.OrganisationIDFor(key)
	}
	var electorate []map[string]any
	acronyms := []string{}
	for a := range org {
		acronyms = append(acronyms, a)
		electorate = append(electorate, map[string]any{"organisation_id": org[a], "weight": 1})
	}
	key := uuid.NewString()
	w.post(t, secretariat, "", key, "consultations/open-consultation", map[string]any{
		"question": "Le comité adopte-t-il l'avis ?", "kind": "yes_no_abstain", "electorate": electorate,
		"quorum": map[string]any{"min_participation": 50}, "deadline": w.clock().Add(24 * time.Hour), "results": "live"})
	id := consultations.ConsultationIDFor(key).String()
	recount := func(actor events.Actor, id, body string) httpResult {
		a, _ := json.Marshal(actor)
		return call(t, "POST", w.http.URL+"/api/v1/queries/recount/"+id, body, map[string]string{testActorHeader: string(a)})
	}
	if r := recount(secretariat, id, `{}`); r.Status != 409 || !strings.Contains(string(r.Body), `"consultation_not_closed"`) {
		t.Fatalf("recount of an open consultation: %d %s", r.Status, r.Body)
	}
	// One for, one against: a tie rejects.
	choices := []string{consultations.OptionFor, consultations.OptionAgainst}
	for i, a := range acronyms[:2] {
		voter := events.Actor{User: strings.ToLower(a) + "@demo.invalid", Organisation: org[a].String(), Role: "member"}
		w.post(t, voter, "", uuid.NewString(), "consultations/cast-ballot", map[string]any{
			"consultation_id": id, "organisation_id": org[a], "choices": []string{choices[i]}})
	}
	closed := w.post(t, secretariat, "", uuid.NewString(), "consultations/close-consultation", map[string]any{"consultation_id": id})
	head := w.head(t)

	// The voter for weighs 3: adopted, in the simulation only.
	r := recount(secretariat, id, `{"weights": {"`+org[acronyms[0]].String()+`": 3}}`)
	var sim consultations.Simulation
	if r.Status != 200 || json.Unmarshal(r.Body, &sim) != nil {
		t.Fatalf("recount: %d %s", r.Status, r.Body)
	}
	if !sim.Simulation || sim.Official.Outcome != consultations.OutcomeRejected || sim.Recount.Outcome != consultations.OutcomeAdopted ||
		sim.Recount.ElectorateWeight != 5 || sim.Official.ElectorateWeight != 3 {
		t.Fatalf("recount: %s", r.Body)
	}
	// A quorum of 80 %: 2 of 3 is short.
	if r := recount(secretariat, id, `{"min_participation": 80}`); r.Status != 200 || !strings.Contains(string(r.Body), `"recount":{"kind":"yes_no_abstain"`) ||
		!strings.Contains(string(r.Body), `"outcome":"no_quorum"`) {
		t.Fatalf("recount with a quorum of 80 %%: %d %s", r.Status, r.Body)
	}
	for body, code := range map[string]string{
		`{"min_participation": 101}`:                             "validation_failed",
		`{"weights": {"` + uuid.NewString() + `": 2}}`:           "validation_failed",
		`{"quorum": 3}`:                                          "validation_failed",
		`{"weights": [1]}`:                                       "validation_failed",
		`{"weights": {"` + org[acronyms[0]].String() + `": -1}}`: "validation_failed",
		`not json`: "invalid_json",
	} {
		if r := recount(secretariat, id, body); r.Status/100 != 4 || !strings.Contains(string(r.Body), `"`+code+`"`) {
			t.Fatalf("recount with %s: %d %s, want %s", body, r.Status, r.Body, code)
		}
	}
	if r := recount(secretariat, uuid.NewString(), `{}`); r.Status != 404 {
		t.Fatalf("recount of an unknown consultation: %d %s", r.Status, r.Body)
	}
	// Nothing was appended, and the official result is still the one of the close.
	if after := w.head(t); after != head {
		t.Fatalf("a recount appended events: head %d, was %d", after, head)
	}
	a, _ := json.Marshal(secretariat)
	view := call(t, "GET", w.http.URL+"/api/v1/views/consultations/"+id+"?min_position="+itoa(closed.Position), "", map[string]string{testActorHeader: string(a)})
	if view.Status != 200 || !strings.Contains(string(view.Body), `"outcome":"rejected"`) || strings.Contains(string(view.Body), `"adopted"`) {
		t.Fatalf("the official result after recounts: %d %s", view.Status, view.Body)
	}
}
