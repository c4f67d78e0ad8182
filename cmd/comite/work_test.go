package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/gateway"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/processes"
	"github.com/comite-partenaires/comite/services/themes"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// testActorHeader carries the acting person in tests, until sessions exist (issue 5).
const testActorHeader = "X-Test-Actor"

func actorFromHeader(r *http.Request) (gateway.Identity, error) {
	var a events.Actor
	if err := json.Unmarshal([]byte(r.Header.Get(testActorHeader)), &a); err != nil {
		return gateway.Identity{}, errcode.Unauthenticated
	}
	return gateway.Identity{Actor: a}, nil
}

// workServer is the all-in-one server with a clock the test moves and actors the test
// chooses per request.
type workServer struct {
	*inProcess
	dir string
	now atomic.Int64
}

func (w *workServer) clock() time.Time { return time.Unix(0, w.now.Load()).UTC() }

func startWorkServer(t *testing.T) *workServer {
	t.Helper()
	w := &workServer{dir: t.TempDir()}
	w.now.Store(time.Now().UnixNano())
	w.start(t)
	return w
}

// start starts the server on w's data directory (again, after stop).
func (w *workServer) start(t *testing.T) {
	t.Helper()
	w.inProcess = startServer(t, serverConfig{systemConfig: systemConfig{DataDir: w.dir, Clock: w.clock,
		Tick: 10 * time.Millisecond}, identify: actorFromHeader})
}

// post sends a command through the HTTP API and returns its reply, failing the test on
// anything but 200.
func (w *workServer) post(t *testing.T, actor events.Actor, correlation, key, path string, body any) commandReply {
	t.Helper()
	r := w.send(t, actor, correlation, key, path, body)
	if r.Status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	var rep commandReply
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func (w *workServer) send(t *testing.T, actor events.Actor, correlation, key, path string, body any) httpResult {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(actor)
	h := map[string]string{testActorHeader: string(a), "Idempotency-Key": key}
	if correlation != "" {
		h["X-Correlation-Id"] = correlation
	}
	return call(t, "POST", w.http.URL+"/api/v1/"+path, string(b), h)
}

// log returns every event of the log, in global order.
func (w *workServer) log(t *testing.T) []events.Event {
	t.Helper()
	var out []events.Event
	for ev, err := range w.srv.sys.store.ReadAll(context.Background(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// TestCommitteeWorkEndToEnd drives a recommendation from its drafting to its action
// sheets through the HTTP API only — real gateway, NATS, services, JetStream store,
// deadline scheduler and process manager — then finds every step in the log, in order,
// with its correlation and causation.
func TestCommitteeWorkEndToEnd(t *testing.T) {
	w := startWorkServer(t)
	secretariat := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}

	// The committee's organisations (demo.Organisations), with IDs known in advance.
	org := map[string]uuid.UUID{}
	for _, o := range demo.Organisations() {
		key := uuid.NewString()
		w.post(t, secretariat, "", key, "membership/add-organisation", o)
		org[o.Acronym] = membership.OrganisationIDFor(key)
	}
	secretariat.Organisation = org["MEN-DNE"].String()
	w.post(t, secretariat, "", uuid.NewString(), "membership/designate-secretariat", map[string]any{"organisation_id": org["MEN-DNE"]})
	member := func(acronym string) events.Actor {
		return events.Actor{User: strings.ToLower(acronym) + "@demo.invalid", Organisation: org[acronym].String(), Role: "member"}
	}

	const dossier = "dossier-gouvernance-2027"
	var keys []string // the command IDs of the story, in order
	step := func(actor events.Actor, path string, body any) commandReply {
		t.Helper()
		key := uuid.NewString()
		keys = append(keys, key)
		return w.post(t, actor, dossier, key, path, body)
	}

	// A working group drafts a recommendation.
	step(member("AMF"), "workinggroups/create-group", map[string]any{"name": "Gouvernance à la bonne échelle",
		"mandate": "Structurer un cadre général de cohérence entre les échelons territoriaux.", "theme": "gouvernance",
		"lead_organisation_id": org["AMF"]})
	group := workinggroups.GroupIDFor(keys[len(keys)-1])
	for _, a := range []string{"ADF", "ARF", "MEN-DNE"} {
		step(member("AMF"), "workinggroups/add-member", map[string]any{"group_id": group, "organisation_id": org[a]})
	}
	draft := "Le comité recommande une gouvernance concertée du service public du numérique éducatif.\n" +
		"Chaque académie nomme un délégué au numérique."
	step(member("AMF"), "opinions/create-opinion", map[string]any{"kind": "recommendation", "group_id": group,
		"title": "Recommandation sur la gouvernance à la bonne échelle", "theme": "gouvernance", "text": draft})
	opinion := opinions.OpinionIDFor(keys[len(keys)-1])
	revised := draft + "\nLes collectivités sont associées à la feuille de route numérique académique."
	step(member("ADF"), "opinions/edit-text", map[string]any{"opinion_id": opinion, "base_version": 1, "text": revised})
	step(member("AMF"), "opinions/submit-for-review", map[string]any{"opinion_id": opinion})

	// An amendment is proposed and accepted.
	step(member("ARF"), "opinions/propose-amendment", map[string]any{"opinion_id": opinion,
		"passage": "Chaque académie nomme", "replacement": "Chaque recteur d'académie nomme",
		"reason": "Conformément à la demande du ministère aux recteurs."})
	amendment := opinions.AmendmentIDFor(keys[len(keys)-1])
	step(member("AMF"), "opinions/accept-amendment", map[string]any{"opinion_id": opinion, "amendment_id": amendment})

	// The text is frozen: the vote is bound to its SHA-256.
	frozen := strings.Replace(revised, "Chaque académie nomme", "Chaque recteur d'académie nomme", 1)
	sum := opinions.TextSHA256(frozen)
	step(member("AMF"), "opinions/open-vote", map[string]any{"opinion_id": opinion})

	// The 11 organisations vote, with a quorum; Villes Internet through a proxy to the AMF.
	var electorate []map[string]any
	for _, o := range demo.Organisations() {
		electorate = append(electorate, map[string]any{"organisation_id": org[o.Acronym]})
	}
	deadline := w.clock().Add(7 * 24 * time.Hour).Truncate(time.Second)
	step(secretariat, "consultations/open-consultation", map[string]any{
		"question": "Adoptez-vous la recommandation sur la gouvernance à la bonne échelle ?", "kind": "yes_no_abstain",
		"electorate": electorate, "quorum": map[string]any{"min_participation": 60}, "deadline": deadline,
		"opinion_id": opinion, "opinion_text_sha256": sum})
	consultation := consultations.ConsultationIDFor(keys[len(keys)-1])
	step(member("VI"), "consultations/grant-proxy", map[string]any{"consultation_id": consultation,
		"from_organisation_id": org["VI"], "to_organisation_id": org["AMF"], "signed_on": w.clock().Format(time.DateOnly)})
	choices := map[string]string{"AMF": "pour", "AMRF": "pour", "ADF": "pour", "ARF": "pour", "AMGVF": "pour", "RFVE": "pour",
		"AMVBF": "contre", "VI": "pour", "CDC": "abstention", "MEN-DNE": "pour", "MEFI": "contre"}
	for _, o := range demo.Organisations() {
		voter := member(o.Acronym)
		if o.Acronym == "VI" {
			voter = member("AMF")
		}
		step(voter, "consultations/cast-ballot", map[string]any{"consultation_id": consultation,
			"organisation_id": org[o.Acronym], "choices": []string{choices[o.Acronym]}})
	}

	// The deadline passes: the scheduler closes the consultation, the process manager
	// adopts the opinion.
	w.now.Store(deadline.Add(time.Second).UnixNano())
	eventually(t, "the opinion's adoption", func() bool {
		return slices.ContainsFunc(w.log(t), func(e events.Event) bool { return e.Type == opinions.TypeAdopted })
	})

	// Three action sheets follow from it, and progress is recorded.
	sheet := map[string]any{"theme": "gouvernance", "due_date": w.clock().AddDate(0, 6, 0).Format(time.DateOnly), "opinion_id": opinion}
	for _, s := range []struct{ title, level, owner string }{
		{"Désigner un référent numérique dans chaque mairie", "commune", "AMF"},
		{"Mutualiser la maintenance des équipements des collèges", "departement", "ADF"},
		{"Feuille de route numérique régionale des lycées", "region", "ARF"},
	} {
		body := map[string]any{"title": s.title, "level": s.level, "organisation_id": org[s.owner]}
		for k, v := range sheet {
			body[k] = v
		}
		step(member(s.owner), "actionsheets/create-sheet", body)
	}
	firstSheet := actionsheets.SheetIDFor(keys[len(keys)-3])
	step(member("AMF"), "actionsheets/start-sheet", map[string]any{"sheet_id": firstSheet})
	step(member("AMF"), "actionsheets/record-progress", map[string]any{"sheet_id": firstSheet, "percent": 40,
		"comment": "Référents désignés dans 40 % des communes adhérentes."})

	checkStory(t, w.log(t), dossier, keys, sum)
}

// checkStory finds the story in the log: its events in order, each correlated with the
// dossier and caused by its command (or, for the scheduler's and the process manager's,
// by the event that led to them), and a hash chain that holds.
func checkStory(t *testing.T, log []events.Event, dossier string, keys []string, sum string) {
	t.Helper()
	verifier := events.NewChainVerifier()
	var story []events.Event
	for _, ev := range log {
		if err := verifier.Check(ev); err != nil {
			t.Fatal(err)
		}
		if ev.Meta.CorrelationID == dossier {
			story = append(story, ev)
		}
	}
	var types []string
	for _, ev := range story {
		types = append(types, ev.Type)
	}
	want := []string{workinggroups.TypeGroupCreated, workinggroups.TypeMemberAdded, workinggroups.TypeMemberAdded, workinggroups.TypeMemberAdded,
		opinions.TypeCreated, opinions.TypeDraftChanged, opinions.TypeDraftChanged, opinions.TypeSubmittedForReview,
		opinions.TypeAmendmentProposed, opinions.TypeAmendmentAccepted, opinions.TypeDraftChanged, opinions.TypeVotingOpened,
		consultations.TypeConsultationOpened, consultations.TypeProxyGranted}
	for range 11 {
		want = append(want, consultations.TypeBallotCast)
	}
	want = append(want, consultations.TypeConsultationClosed, opinions.TypeAdopted,
		actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated,
		actionsheets.TypeSheetStarted, actionsheets.TypeProgressRecorded)
	if !slices.Equal(types, want) {
		t.Fatalf("the story in the log:\n%s\nwant:\n%s", strings.Join(types, "\n"), strings.Join(want, "\n"))
	}

	// Causation: each command's events are caused by it, in the order sent; the close by
	// the opening, the adoption by the close.
	byID := map[string]events.Event{}
	for _, ev := range story {
		byID[ev.ID.String()] = ev
	}
	k := 0
	for i, ev := range story {
		switch ev.Type {
		case consultations.TypeConsultationClosed:
			opened := byID[ev.Meta.CausationID]
			if opened.Type != consultations.TypeConsultationOpened || ev.Meta.Actor != processes.Actor("deadlines") {
				t.Fatalf("closed: caused by %q (%s), actor %+v", ev.Meta.CausationID, opened.Type, ev.Meta.Actor)
			}
			continue
		case opinions.TypeAdopted:
			closed := byID[ev.Meta.CausationID]
			if closed.Type != consultations.TypeConsultationClosed || ev.Meta.Actor != processes.Actor(processes.OpinionOutcomesName) {
				t.Fatalf("adopted: caused by %q (%s), actor %+v", ev.Meta.CausationID, closed.Type, ev.Meta.Actor)
			}
			var closing consultations.ConsultationClosed
			if err := json.Unmarshal(closed.Data, &closing); err != nil {
				t.Fatal(err)
			}
			r := closing.Result
			if r.Outcome != consultations.OutcomeAdopted || !r.QuorumReached || r.BallotsCast != 11 || closing.OpinionTextSHA256 != sum {
				t.Fatalf("closing result %+v on %s", r, closing.OpinionTextSHA256)
			}
			continue
		}
		if i > 0 && story[i-1].Meta.CommandID == ev.Meta.CommandID {
			continue // another event of the same command
		}
		if k >= len(keys) || ev.Meta.CommandID != keys[k] || ev.Meta.CausationID != keys[k] {
			t.Fatalf("event %d %s: command %q caused by %q, want command %d %v", i, ev.Type, ev.Meta.CommandID, ev.Meta.CausationID, k, keys[min(k, len(keys)-1)])
		}
		k++
	}
	if k != len(keys) {
		t.Fatalf("%d of %d commands found in the log", k, len(keys))
	}
	var frozen opinions.VotingOpened
	for _, ev := range story {
		if ev.Type == opinions.TypeVotingOpened {
			if err := json.Unmarshal(ev.Data, &frozen); err != nil {
				t.Fatal(err)
			}
		}
	}
	if frozen.TextSHA256 != sum || opinions.TextSHA256(frozen.Text) != sum {
		t.Fatalf("frozen version %+v, want SHA-256 %s", frozen, sum)
	}
}

// TestBadWorkInputAppendsNothing: wrong types, missing fields, huge strings, unknown enum
// values, dates in the past, refused transitions and a CSV with one broken line all get
// a 4xx problem with its code (and the offending field), and the log does not move.
func TestBadWorkInputAppendsNothing(t *testing.T) {
	w := startWorkServer(t)
	sec := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	org := map[string]uuid.UUID{}
	for _, o := range demo.Organisations()[:4] {
		key := uuid.NewString()
		w.post(t, sec, "", key, "membership/add-organisation", o)
		org[o.Acronym] = membership.OrganisationIDFor(key)
	}
	amf := events.Actor{User: "amf@demo.invalid", Organisation: org["AMF"].String(), Role: "member"}
	key := uuid.NewString()
	w.post(t, amf, "", key, "workinggroups/create-group", map[string]any{"name": "Infrastructures et équipements",
		"mandate": "Très haut débit dans les écoles.", "theme": "infrastructures", "lead_organisation_id": org["AMF"]})
	group := workinggroups.GroupIDFor(key)
	key = uuid.NewString()
	w.post(t, amf, "", key, "opinions/create-opinion", map[string]any{"kind": "opinion", "group_id": group,
		"title": "Avis sur le très haut débit", "text": "Texte initial."})
	opinion := opinions.OpinionIDFor(key)
	key = uuid.NewString()
	w.post(t, sec, "", key, "consultations/open-consultation", map[string]any{"question": "Pour ou contre ?",
		"kind": "yes_no_abstain", "electorate": []map[string]any{{"organisation_id": org["AMF"]}, {"organisation_id": org["ADF"]}},
		"deadline": w.clock().Add(time.Hour)})
	consultation := consultations.ConsultationIDFor(key)
	past := w.clock().Add(-time.Hour)
	yesterday := w.clock().AddDate(0, 0, -2).Format(time.DateOnly)
	later := w.clock().AddDate(0, 3, 0).Format(time.DateOnly)
	sheet := func(k, v string) map[string]any {
		b := map[string]any{"title": "Fiche", "level": "commune", "theme": "infrastructures", "organisation_id": org["AMF"], "due_date": later}
		b[k] = v
		return b
	}
	csv := "titre;niveau;thème;organisation;échéance\n" +
		"Raccorder les écoles au THD;commune;infrastructures;AMF;" + later + "\n" +
		"Plan collèges;département;infrastructures;ADF;" + yesterday + "\n" +
		"Lycées connectés;région;infrastructures;ARF;" + later + "\n"

	cases := []struct {
		name, path string
		actor      events.Actor
		body       any
		status     int
		code       string
		field      string // a field the problem must name, if any
	}{
		{"group: wrong type", "workinggroups/create-group", amf, map[string]any{"name": "G", "mandate": "M", "theme": 3, "lead_organisation_id": org["AMF"]}, 422, "validation_failed", "theme"},
		{"group: missing lead", "workinggroups/create-group", amf, map[string]any{"name": "G", "mandate": "M", "theme": "usages"}, 422, "validation_failed", "lead_organisation_id"},
		{"group: unknown theme", "workinggroups/create-group", amf, map[string]any{"name": "G", "mandate": "M", "theme": "sport", "lead_organisation_id": org["AMF"]}, 422, "validation_failed", "theme"},
		{"group: huge mandate", "workinggroups/create-group", amf, map[string]any{"name": "G", "mandate": strings.Repeat("é", 6000), "theme": "usages", "lead_organisation_id": org["AMF"]}, 422, "validation_failed", "mandate"},
		{"group: unknown organisation", "workinggroups/create-group", amf, map[string]any{"name": "G", "mandate": "M", "theme": "usages", "lead_organisation_id": uuid.New()}, 404, "organisation_not_found", ""},
		{"meeting in the past", "workinggroups/schedule-meeting", amf, map[string]any{"group_id": group, "title": "Réunion", "kind": "meeting", "starts_at": past, "place": "Lyon", "agenda": []map[string]any{{"title": "Point THD"}}}, 422, "date_in_past", "starts_at"},
		{"meeting at no date", "workinggroups/schedule-meeting", amf, map[string]any{"group_id": group, "title": "Réunion", "kind": "meeting", "starts_at": "demain", "place": "Lyon", "agenda": []map[string]any{{"title": "Point THD"}}}, 422, "validation_failed", "starts_at"},
		{"meeting of an unknown kind", "workinggroups/schedule-meeting", amf, map[string]any{"group_id": group, "title": "Réunion", "kind": "apéritif", "starts_at": w.clock().Add(time.Hour), "place": "Lyon", "agenda": []map[string]any{{"title": "Point"}}}, 422, "validation_failed", "kind"},
		{"opinion: unknown kind", "opinions/create-opinion", amf, map[string]any{"kind": "manifeste", "group_id": group, "title": "T"}, 422, "validation_failed", "kind"},
		{"opinion: unknown group", "opinions/create-opinion", amf, map[string]any{"kind": "opinion", "group_id": uuid.New(), "title": "T"}, 404, "group_not_found", ""},
		{"opinion: stale edit", "opinions/edit-text", amf, map[string]any{"opinion_id": opinion, "base_version": 0, "text": "Autre"}, 409, "version_mismatch", ""},
		{"opinion: changes longer than the text", "opinions/push-changes", amf, map[string]any{"opinion_id": opinion, "version": 1, "client_id": "c1", "changes": []any{[]any{99, "x"}}}, 422, "invalid_changes", ""},
		{"opinion: vote on a draft", "opinions/open-vote", amf, map[string]any{"opinion_id": opinion}, 409, "opinion_not_in_review", ""},
		{"vote: deadline in the past", "consultations/open-consultation", sec, map[string]any{"question": "Q", "kind": "yes_no_abstain", "electorate": []map[string]any{{"organisation_id": org["AMF"]}}, "deadline": past}, 422, "date_in_past", "deadline"},
		{"vote: no electorate", "consultations/open-consultation", sec, map[string]any{"question": "Q", "kind": "yes_no_abstain", "electorate": []any{}, "deadline": w.clock().Add(time.Hour)}, 422, "validation_failed", "electorate"},
		{"vote: unknown kind", "consultations/open-consultation", sec, map[string]any{"question": "Q", "kind": "referendum", "electorate": []map[string]any{{"organisation_id": org["AMF"]}}, "deadline": w.clock().Add(time.Hour)}, 422, "validation_failed", "kind"},
		{"ballot for another organisation", "consultations/cast-ballot", amf, map[string]any{"consultation_id": consultation, "organisation_id": org["ADF"], "choices": []string{"pour"}}, 403, "not_entitled_to_vote", ""},
		{"ballot with an unknown choice", "consultations/cast-ballot", amf, map[string]any{"consultation_id": consultation, "organisation_id": org["AMF"], "choices": []string{"peut-etre"}}, 422, "invalid_choice", ""},
		{"sheet due in the past", "actionsheets/create-sheet", amf, sheet("due_date", yesterday), 422, "date_in_past", "due_date"},
		{"sheet at an unknown level", "actionsheets/create-sheet", amf, sheet("level", "canton"), 422, "validation_failed", "level"},
		{"sheet with a huge title", "actionsheets/create-sheet", amf, sheet("title", strings.Repeat("x", 301)), 422, "validation_failed", "title"},
		{"progress over 100 %", "actionsheets/record-progress", amf, map[string]any{"sheet_id": uuid.New(), "percent": 150, "comment": "c"}, 422, "validation_failed", "percent"},
		{"progress on no sheet", "actionsheets/start-sheet", amf, map[string]any{"sheet_id": uuid.New()}, 404, "sheet_not_found", ""},
		{"CSV with one broken line", "actionsheets/import-sheets", sec, map[string]any{"csv": csv}, 422, "csv_invalid", "ligne 3: echeance"},
	}
	before := w.head(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := w.send(t, c.actor, "", uuid.NewString(), c.path, c.body)
			var prob struct {
				Code   string            `json:"code"`
				FR     string            `json:"message_fr"`
				EN     string            `json:"message_en"`
				Fields map[string]string `json:"fields"`
			}
			_ = json.Unmarshal(r.Body, &prob)
			if r.Status != c.status || prob.Code != c.code || prob.FR == "" || prob.EN == "" ||
				r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, c.status, c.code)
			}
			if _, ok := prob.Fields[c.field]; c.field != "" && !ok {
				t.Fatalf("fields %v do not name %s", prob.Fields, c.field)
			}
		})
	}
	if after := w.head(t); after != before {
		t.Fatalf("rejected commands appended %d events", after-before)
	}
}

// TestDeadlineAcrossServerRestart: the server stops while a vote is open and starts again
// after its deadline; the consultation is closed once and the opinion adopted once, and
// a further restart changes nothing.
func TestDeadlineAcrossServerRestart(t *testing.T) {
	w := startWorkServer(t)
	sec := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	org := map[string]uuid.UUID{}
	for _, o := range demo.Organisations()[:2] {
		key := uuid.NewString()
		w.post(t, sec, "", key, "membership/add-organisation", o)
		org[o.Acronym] = membership.OrganisationIDFor(key)
	}
	member := func(a string) events.Actor {
		return events.Actor{User: a, Organisation: org[a].String(), Role: "member"}
	}
	key := uuid.NewString()
	w.post(t, member("AMF"), "", key, "workinggroups/create-group", map[string]any{"name": "Usages", "mandate": "M",
		"theme": "usages", "lead_organisation_id": org["AMF"]})
	key2 := uuid.NewString()
	w.post(t, member("AMF"), "", key2, "opinions/create-opinion", map[string]any{"kind": "opinion",
		"group_id": workinggroups.GroupIDFor(key), "title": "Avis sur les usages", "text": "Les usages d'abord."})
	opinion := opinions.OpinionIDFor(key2)
	w.post(t, member("AMF"), "", uuid.NewString(), "opinions/submit-for-review", map[string]any{"opinion_id": opinion})
	w.post(t, member("AMF"), "", uuid.NewString(), "opinions/open-vote", map[string]any{"opinion_id": opinion})
	deadline := w.clock().Add(time.Hour)
	key3 := uuid.NewString()
	w.post(t, sec, "", key3, "consultations/open-consultation", map[string]any{"question": "Adopter l'avis ?",
		"kind": "yes_no_abstain", "deadline": deadline, "opinion_id": opinion,
		"opinion_text_sha256": opinions.TextSHA256("Les usages d'abord."),
		"electorate":          []map[string]any{{"organisation_id": org["AMF"]}, {"organisation_id": org["AMRF"]}}})
	for _, a := range []string{"AMF", "AMRF"} {
		w.post(t, member(a), "", uuid.NewString(), "consultations/cast-ballot", map[string]any{
			"consultation_id": consultations.ConsultationIDFor(key3), "organisation_id": org[a], "choices": []string{"pour"}})
	}

	count := func(typ string) int {
		n := 0
		for _, ev := range w.log(t) {
			if ev.Type == typ {
				n++
			}
		}
		return n
	}
	w.stop()
	w.now.Store(deadline.Add(time.Minute).UnixNano())
	w.start(t)
	eventually(t, "the adoption after the restart", func() bool { return count(opinions.TypeAdopted) == 1 })
	w.stop()
	w.start(t)
	// Give the restarted scheduler and process manager time to (wrongly) act again: the
	// scheduler ticks every 10 ms.
	time.Sleep(300 * time.Millisecond)
	if c, a := count(consultations.TypeConsultationClosed), count(opinions.TypeAdopted); c != 1 || a != 1 {
		t.Fatalf("%d closing and %d adoption events, want 1 and 1", c, a)
	}
}

// TestDemoSeedsTheCommitteesWork: the demo holds a working group per theme, a draft
// recommendation, an opinion put to the vote (the consultation bound to its frozen text)
// and action sheets at the three levels; seeding again the next day changes nothing.
func TestDemoSeedsTheCommitteesWork(t *testing.T) {
	p := startInProcess(t, t.TempDir(), true)
	ctx, st, reg := context.Background(), p.srv.sys.store, p.srv.sys.registry
	for _, th := range themes.All() {
		g, ok, err := workinggroups.LoadGroup(ctx, st, reg, demo.GroupID(th))
		if err != nil || !ok || g.Theme != th || len(g.Members) < 3 {
			t.Fatalf("group of %s: %+v %v %v", th, g, ok, err)
		}
	}
	draft, ok, err := opinions.LoadOpinion(ctx, st, reg, demo.DraftOpinionID())
	if err != nil || !ok || draft.State != opinions.StateDraft || draft.Kind != "recommendation" || draft.GroupID != demo.GroupID(themes.Governance) {
		t.Fatalf("draft recommendation %+v %v %v", draft, ok, err)
	}
	voted, ok, err := opinions.LoadOpinion(ctx, st, reg, demo.VotedOpinionID())
	if err != nil || !ok || voted.State != opinions.StateVoting || voted.Frozen == nil {
		t.Fatalf("opinion put to the vote %+v %v %v", voted, ok, err)
	}
	c, ok, err := consultations.LoadConsultation(ctx, st, reg, demo.ConsultationID())
	if err != nil || !ok || c.Closed || len(c.Electorate) != 11 || c.OpinionID != demo.VotedOpinionID() || c.OpinionTextSHA256 != voted.Frozen.SHA256 {
		t.Fatalf("consultation %+v %v %v", c, ok, err)
	}
	board, err := actionsheets.LoadBoard(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, s := range board.Sheets() {
		levels = append(levels, string(s.Level))
	}
	slices.Sort(levels)
	if !slices.Equal(levels, []string{"commune", "departement", "region"}) {
		t.Fatalf("sheets at %v", levels)
	}
	before := p.head(t)
	if err := demo.Seed(ctx, p.srv.sys.client, time.Now().Add(24*time.Hour), nil); err != nil {
		t.Fatalf("seeding the next day: %v", err)
	}
	if after := p.head(t); after != before {
		t.Fatalf("seeding again appended %d events", after-before)
	}
}
