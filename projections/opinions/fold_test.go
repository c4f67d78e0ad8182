package opinions

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	svc "github.com/comite-partenaires/comite/services/opinions"
)

var observer = projectiontest.Observer

func detail(t *testing.T, v *projections.View, actor events.Actor, id uuid.UUID) (DetailRow, bool) {
	t.Helper()
	_, row, err := v.GetFor(actor, id.String())
	if err != nil {
		return DetailRow{}, false
	}
	return row.(DetailRow), true
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestLifecycle follows a recommendation from its draft to its publication, with its
// amendments, its vote and an action sheet, through the real deciders.
func TestLifecycle(t *testing.T) {
	w := newWorld()
	g := w.createGroup(orgA, "Gouvernance")
	w.addMember(g, orgB)
	id := w.create(memberB, g, svc.KindRecommendation, "Recommandation  sur la gouvernance", "Le comité recommande une démarche concertée.")
	if w.editText(memberB, id, "Le comité recommande une démarche concertée et partagée.") == nil ||
		w.push(secretariat, id, "Le comité recommande une démarche concertée et partagée 🇫🇷.") == nil || w.submit(memberB, id) == nil {
		t.Fatal("drafting refused")
	}
	kept := w.propose(memberC, id, "concertée", "coordonnée")
	dropped := w.propose(memberC, id, "partagée", "commune")
	overlapping := w.propose(memberB, id, "concertée et", "concertée, ouverte et")
	views := Views()
	list, details := views[0], views[1]
	projectiontest.Apply(t, views, w.log.Events...)
	d, ok := detail(t, details, secretariat, id)
	if !ok || d.Status != "in_review" || d.PendingAmendments != 3 || len(d.Amendments) != 3 || d.Version != 3 {
		t.Fatalf("in review: %s", asJSON(d))
	}
	if d.GroupName != "Gouvernance" || strings.Join(d.GroupMembers, ",") != orgA.String()+","+orgB.String() {
		t.Fatalf("group %q %v", d.GroupName, d.GroupMembers)
	}
	if d.Amendments[0].ProposedBy.OrganisationID != orgC.String() || d.Amendments[0].State != AmendmentProposed || d.Amendments[0].Offset != 34 {
		t.Fatalf("amendment %+v", d.Amendments[0])
	}

	// Accepting the first applies it and outdates the overlapping one; the other moves.
	w.accept(secretariat, id, kept)
	w.reject(memberB, id, overlapping)
	w.reject(memberB, id, dropped)
	if w.openVote(secretariat, id) == nil {
		t.Fatal("open vote refused")
	}
	consultation := w.openConsultation(id)
	sheet := w.createSheet(id, "Associer les collectivités")
	w.startSheet(sheet)
	w.closeConsultation(consultation)
	w.recordOutcome(id, consultation, svc.OutcomeAdopted)
	n := len(w.log.Events)
	half := w.log.Events[:n-2]
	views = Views()
	list, details = views[0], views[1]
	projectiontest.Apply(t, views, half...)

	want := "Le comité recommande une démarche coordonnée et partagée 🇫🇷."
	d, _ = detail(t, details, secretariat, id)
	if d.Text != want || d.Version != 4 || d.TextLength != len([]rune(want))+2 || d.Status != "voting" {
		t.Fatalf("text %q v%d len %d %s", d.Text, d.Version, d.TextLength, d.Status)
	}
	if d.LastEdit == nil || d.LastEdit.Source != svc.SourceAmendment || d.LastEdit.Actor.User != secretariat.User {
		t.Fatalf("last edit %+v", d.LastEdit)
	}
	states := map[string]string{}
	for _, a := range d.Amendments {
		states[a.ID] = a.State
	}
	if states[kept.String()] != AmendmentAccepted || states[dropped.String()] != AmendmentRejected || states[overlapping.String()] != AmendmentRejected {
		t.Fatalf("amendment states %v", states)
	}
	if d.Amendments[1].DecidedBy == nil || d.Amendments[1].DecisionReason != "Hors sujet" || !d.Amendments[2].Outdated {
		t.Fatalf("decisions %s", asJSON(d.Amendments))
	}
	if len(d.FrozenVersions) != 1 || d.FrozenVersions[0].SHA256 != svc.TextSHA256(want) || d.FrozenSHA256 != svc.TextSHA256(want) {
		t.Fatalf("frozen %+v", d.FrozenVersions)
	}
	if len(d.Consultations) != 1 || d.Consultations[0].ID != consultation.String() || d.ConsultationID != consultation.String() || d.Consultations[0].Closed {
		t.Fatalf("consultations %+v", d.Consultations)
	}
	if len(d.ActionSheets) != 1 || d.ActionSheets[0].Status != "in_progress" || d.ActionSheets[0].Title != "Associer les collectivités" {
		t.Fatalf("sheets %+v", d.ActionSheets)
	}
	if _, seen := detail(t, details, observer, id); seen {
		t.Fatal("an observer reads a text being voted on")
	}
	if _, rows := list.SnapshotFor(observer); len(rows) != 0 {
		t.Fatalf("observer's list %v", rows)
	}

	// An observer following the list sees the text appear once published, without e-mails.
	s := projections.NewSubscriber(8, observer, "")
	list.Subscribe(0, s)
	w.publish(id)
	projectiontest.Apply(t, views, w.log.Events[len(half):]...)
	var got []any
	for len(s.C()) > 0 {
		got = append(got, (<-s.C()).Rows...)
	}
	if txt := asJSON(got); !strings.Contains(txt, `"status":"published"`) || !strings.Contains(txt, `"outcome":"adopted"`) {
		t.Fatalf("observer's patches %s", txt)
	}
	d, ok = detail(t, details, observer, id)
	if !ok || strings.Contains(asJSON(d), "@check.invalid") || d.History[0].Actor.OrganisationID != orgB.String() {
		t.Fatalf("observer's detail %s", asJSON(d))
	}
	var steps []string
	for _, h := range d.History {
		steps = append(steps, h.From+">"+h.Status)
	}
	if strings.Join(steps, " ") != ">draft draft>in_review in_review>voting voting>adopted adopted>published" {
		t.Fatalf("history %v", steps)
	}
	if !d.Consultations[0].Closed || d.History[3].ConsultationID != consultation.String() || d.History[3].Actor.Role != "system" {
		t.Fatalf("decision %s", asJSON(d))
	}
	if d.Title != "Recommandation sur la gouvernance" || d.Revision != uint64(w.opinionEvents(id)-1) {
		t.Fatalf("title %q revision %d", d.Title, d.Revision)
	}
	// The secretariat still sees who acted.
	if d, _ = detail(t, details, secretariat, id); d.History[0].Actor.User != memberB.User {
		t.Fatalf("history actor %+v", d.History[0].Actor)
	}
}

func (w *world) opinionEvents(id uuid.UUID) int {
	n := 0
	for _, e := range w.log.Events {
		if e.Event.Stream == svc.OpinionStream(id) {
			n++
		}
	}
	return n
}

// TestGroupChangesReachDetailsOnly: a member joining the drafting group changes the
// details (who may edit) but not the list.
func TestGroupChangesReachDetailsOnly(t *testing.T) {
	w := newWorld()
	g := w.createGroup(orgA, "Usages")
	id := w.create(secretariat, g, svc.KindContribution, "Contribution", "")
	views := Views()
	projectiontest.Apply(t, views, w.log.Events...)
	ls, ds := projections.NewSubscriber(4, secretariat, ""), projections.NewSubscriber(4, secretariat, id.String())
	views[0].Subscribe(0, ls)
	views[1].Subscribe(0, ds)
	before := len(w.log.Events)
	w.addMember(g, orgC)
	projectiontest.Apply(t, views, w.log.Events[before:]...)
	if len(ls.C()) != 0 || len(ds.C()) != 1 {
		t.Fatalf("list patches %d, detail patches %d", len(ls.C()), len(ds.C()))
	}
	if p := <-ds.C(); !strings.Contains(asJSON(p.Rows), orgC.String()) {
		t.Fatalf("detail patch %s", asJSON(p.Rows))
	}
	d, _ := detail(t, views[1], secretariat, id)
	if d.TextLength != 0 || d.Version != 0 || d.Text != "" || len(d.History) != 1 || d.LastEdit != nil {
		t.Fatalf("empty draft %s", asJSON(d))
	}
}

// TestWithdrawnAndUnknown: a withdrawn text keeps its reason; events about texts the view
// never saw, and events of no interest, change nothing.
func TestWithdrawnAndUnknown(t *testing.T) {
	w := newWorld()
	g := w.createGroup(orgA, "Filière")
	id := w.create(secretariat, g, svc.KindOpinion, "Avis", "Texte.")
	w.withdraw(secretariat, id)
	views := Views()
	projectiontest.Apply(t, views, w.log.Events...)
	d, _ := detail(t, views[1], secretariat, id)
	if d.Status != "withdrawn" || d.WithdrawnReason != "Abandonné" || d.History[1].Reason != "Abandonné" {
		t.Fatalf("withdrawn %s", asJSON(d))
	}
	pos := views[0].Position()
	stray := []projectiontest.Event{
		{Event: events.Event{ID: uuid.New(), Position: pos + 1}, Payload: svc.Published{OpinionID: uuid.New(), Outcome: svc.OutcomeAdopted}},
		{Event: events.Event{ID: uuid.New(), Position: pos + 2}, Payload: svc.DraftChanged{OpinionID: id, Version: 9, Changes: json.RawMessage(`[1]`)}},
	}
	projectiontest.Apply(t, views, stray...)
	if _, rows := views[0].Snapshot(); len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	// A change set that does not replay marks the text, never panics.
	if d, _ = detail(t, views[1], secretariat, id); !d.TextError || d.Text != "Texte." {
		t.Fatalf("corrupt text %s", asJSON(d))
	}
}

// TestTextChangedAfterTheVoteIsFlagged: a change of the text after its consultation
// opened (which the deciders refuse, but a log written otherwise could hold) marks the
// consultation on the text's record, for good.
func TestTextChangedAfterTheVoteIsFlagged(t *testing.T) {
	w := newWorld()
	g := w.createGroup(orgA, "Gouvernance")
	id := w.create(secretariat, g, svc.KindOpinion, "Avis", "Le texte voté.")
	if w.submit(secretariat, id) == nil || w.openVote(secretariat, id) == nil {
		t.Fatal("refused")
	}
	consultation := w.openConsultation(id)
	views := Views()
	details := views[1]
	projectiontest.Apply(t, views, w.log.Events...)
	d, _ := detail(t, details, secretariat, id)
	if len(d.Consultations) != 1 || d.Consultations[0].ID != consultation.String() || d.Consultations[0].TextChanged {
		t.Fatalf("before any change: %s", asJSON(d.Consultations))
	}
	last := w.log.Events[len(w.log.Events)-1].Event
	change := func(version int, changes string) {
		t.Helper()
		last.ID, last.Position, last.Time = uuid.New(), last.Position+1, last.Time.Add(time.Minute)
		last.Type, last.Stream = svc.TypeDraftChanged, svc.OpinionStream(id)
		projectiontest.Apply(t, views, projectiontest.Event{Event: last, Payload: svc.DraftChanged{OpinionID: id, Version: version,
			Source: svc.SourceEdit, Changes: json.RawMessage(changes)}})
	}
	change(2, `[14,[0," Modifié."]]`)
	d, _ = detail(t, details, secretariat, id)
	if d.Text != "Le texte voté. Modifié." || !d.Consultations[0].TextChanged || d.Consultations[0].TextChangedAt == nil || !d.Consultations[0].TextChangedAt.Equal(last.Time) {
		t.Fatalf("after a change: %q %s", d.Text, asJSON(d.Consultations))
	}
	// Back to the voted text: still flagged, with the time of the first change.
	first := *d.Consultations[0].TextChangedAt
	change(3, `[14,[9]]`)
	d, _ = detail(t, details, secretariat, id)
	if d.Text != "Le texte voté." || !d.Consultations[0].TextChanged || !d.Consultations[0].TextChangedAt.Equal(first) {
		t.Fatalf("after changing it back: %q %s", d.Text, asJSON(d.Consultations))
	}
}
