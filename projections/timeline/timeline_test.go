package timeline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

var (
	t0          = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	secretariat = projectiontest.For(projectiontest.Secretariat, uuid.New())
	observer    = projectiontest.Observer
)

// step is one event to feed: who, when (minutes after t0), what.
type step struct {
	actor   events.Actor
	minutes int
	payload events.Payload
}

// fold feeds the steps to v at positions after its own, and returns the events.
func fold(t *testing.T, v *projections.View, steps ...step) []events.Event {
	t.Helper()
	f := projectiontest.NewFeeder(t, v)
	var out []events.Event
	for _, s := range steps {
		f.Actor, f.Clock = s.actor, t0.Add(time.Duration(s.minutes)*time.Minute)
		out = append(out, f.Feed(s.payload)...)
	}
	return out
}

func rowsOf(t *testing.T, v *projections.View, actor events.Actor) []EntryRow {
	t.Helper()
	_, rows := v.SnapshotFor(actor)
	out := make([]EntryRow, len(rows))
	for i, r := range rows {
		out[i] = r.(EntryRow)
	}
	return out
}

func types(rows []EntryRow) string {
	var s []string
	for _, r := range rows {
		s = append(s, strings.TrimPrefix(r.Type[strings.Index(r.Type, ".")+1:], ""))
	}
	return strings.Join(s, " ")
}

func draft(opinion uuid.UUID, source string) opinions.DraftChanged {
	return opinions.DraftChanged{OpinionID: opinion, Source: source, Changes: json.RawMessage(`[]`)}
}

func TestTimelineDescribesDecisionsNewestFirst(t *testing.T) {
	v := Views()[0]
	amf, group, opinion := uuid.New(), uuid.New(), uuid.New()
	member := events.Actor{User: "marie@amf.example", Organisation: amf.String(), Role: "member"}
	evs := fold(t, v,
		step{secretariat, 0, membership.OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF"}},
		step{secretariat, 1, membership.RepresentativeAdded{RepresentativeID: uuid.New(), OrganisationID: amf, Name: "Marie Curie", Email: "marie@amf.example", Role: "member"}},
		step{member, 2, workinggroups.GroupCreated{GroupID: group, Name: "Gouvernance", Theme: "gouvernance", LeadOrganisationID: amf}},
		step{member, 3, opinions.Created{OpinionID: opinion, Kind: "opinion", Title: "Avis sur les écoles", GroupID: group}},
		step{member, 3, draft(opinion, opinions.SourceInitial)},
	)
	rows := rowsOf(t, v, secretariat)
	if got := types(rows); got != "opinion.created group.created representative.added organisation.added" {
		t.Fatalf("types %q", got)
	}
	created := rows[0]
	if created.ID != evs[3].ID.String() || created.Position != 4 || created.Context != "opinions" || created.GroupID != group.String() ||
		created.Object != (Object{KindOpinion, opinion.String()}) || created.Summary["title"] != "Avis sur les écoles" ||
		created.Summary["group"] != "Gouvernance" || created.Actor.Name != "Marie Curie" || created.Actor.Organisation != amf.String() {
		t.Fatalf("created row %+v", created)
	}
	if g := rows[1]; g.Summary["lead"] != "AMF" || g.GroupID != group.String() || len(g.Organisations) != 1 || g.Organisations[0] != amf.String() {
		t.Fatalf("group row %+v", g)
	}
	if r := rows[2]; r.Summary["name"] != "Marie Curie" || strings.Contains(mustJSON(r), "marie@amf.example") {
		t.Fatalf("representative row shows %s", mustJSON(r))
	}
}

func TestDraftChangesFoldPerOpinionPersonAndTenMinutes(t *testing.T) {
	v := Views()[0]
	group, opinion := uuid.New(), uuid.New()
	alice := events.Actor{User: "alice@example.org", Role: "member", Organisation: uuid.NewString()}
	bob := events.Actor{User: "bob@example.org", Role: "member", Organisation: uuid.NewString()}
	fold(t, v,
		step{alice, 0, opinions.Created{OpinionID: opinion, Title: "Avis", GroupID: group}},
		step{alice, 0, draft(opinion, opinions.SourceInitial)}, // the creation says it
		step{alice, 1, draft(opinion, opinions.SourcePush)},
		step{alice, 2, draft(opinion, opinions.SourcePush)},
		step{bob, 3, draft(opinion, opinions.SourceEdit)},
		step{alice, 9, draft(opinion, opinions.SourcePush)},
		step{alice, 11, draft(opinion, opinions.SourcePush)}, // ten minutes after alice's first: a new row
		step{alice, 12, opinions.AmendmentAccepted{OpinionID: opinion, AmendmentID: uuid.New()}},
		step{alice, 12, draft(opinion, opinions.SourceAmendment)}, // the acceptance says it
	)
	rows := rowsOf(t, v, secretariat)
	if got := types(rows); got != "amendment.accepted draft.changed draft.changed draft.changed opinion.created" {
		t.Fatalf("types %q", got)
	}
	late, first, bobs := rows[1], rows[2], rows[3]
	if first.Actor.User != "alice@example.org" || first.Count != 3 || !first.Since.Equal(t0.Add(time.Minute)) ||
		!first.Time.Equal(t0.Add(9*time.Minute)) || first.Position != 6 {
		t.Fatalf("alice's folded row %+v", first)
	}
	if bobs.Actor.User != "bob@example.org" || bobs.Count != 1 || bobs.Position != 5 {
		t.Fatalf("bob's row %+v", bobs)
	}
	if late.Count != 1 || late.Position != 7 || late.GroupID != group.String() || late.Summary["title"] != "Avis" {
		t.Fatalf("alice's later row %+v", late)
	}
}

func TestObserversSeePublishedMaterialOnly(t *testing.T) {
	v := Views()[0]
	org, group, opinion, meeting, consultation, sheet := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	sub := projections.NewSubscriber(64, observer, "")
	v.Subscribe(0, sub)
	fold(t, v,
		step{secretariat, 0, membership.OrganisationAdded{OrganisationID: org, Acronym: "AMF"}},
		step{secretariat, 1, workinggroups.GroupCreated{GroupID: group, Name: "Gouvernance", LeadOrganisationID: org}},
		step{secretariat, 2, workinggroups.MeetingScheduled{GroupID: group, MeetingID: meeting, Title: "Journée", StartsAt: t0.Add(48 * time.Hour)}},
		step{secretariat, 3, workinggroups.AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 1, Present: []uuid.UUID{org}}},
		step{secretariat, 4, opinions.Created{OpinionID: opinion, Title: "Avis", GroupID: group}},
		step{secretariat, 5, opinions.VotingOpened{OpinionID: opinion, Version: 3}},
		step{secretariat, 6, consultations.ConsultationOpened{ConsultationID: consultation, Question: "Adopte-t-on l'avis ?",
			OpinionID: &opinion, Electorate: []consultations.Elector{{OrganisationID: org, Weight: 1}}, Deadline: t0.Add(time.Hour)}},
		step{secretariat, 7, consultations.BallotCast{ConsultationID: consultation, OrganisationID: org, Choices: []string{"pour"}, Weight: 1}},
		step{secretariat, 8, actionsheets.SheetCreated{SheetID: sheet, Title: "Raccorder les écoles", OrganisationID: org, OpinionID: &opinion, DueDate: "2025-01-01"}},
	)
	if got := types(rowsOf(t, v, observer)); got != "sheet.created meeting.scheduled group.created organisation.added" {
		t.Fatalf("observer sees %q", got)
	}
	all := rowsOf(t, v, secretariat)
	if len(all) != 9 || all[1].GroupID != group.String() || all[0].GroupID != group.String() {
		t.Fatalf("secretariat sees %q; the ballot and the sheet in group %q %q", types(all), all[1].GroupID, all[0].GroupID)
	}
	if strings.Contains(mustJSON(all), "pour") {
		t.Fatalf("a ballot's choice is on the timeline: %s", mustJSON(all[1]))
	}
	if opened := all[2]; len(opened.Organisations) != 2 || opened.Organisations[1] != org.String() || opened.Summary["opinion_id"] != opinion.String() {
		t.Fatalf("the opening concerns %v", opened.Organisations)
	}
	// The close makes the consultation's entries public; the publication, the opinion's.
	fold(t, v,
		step{events.Actor{User: "system", Role: "system"}, 9, consultations.ConsultationClosed{ConsultationID: consultation,
			Result: consultations.Result{Outcome: consultations.OutcomeAdopted, QuorumReached: true}, OpinionID: &opinion}},
		step{events.Actor{User: "system", Role: "system"}, 9, opinions.Adopted{OpinionID: opinion, ConsultationID: consultation}},
	)
	if got := types(rowsOf(t, v, observer)); got != "consultation.closed sheet.created consultation.ballot_cast consultation.opened meeting.scheduled group.created organisation.added" {
		t.Fatalf("observer after the close sees %q", got)
	}
	fold(t, v, step{secretariat, 10, opinions.Published{OpinionID: opinion, Outcome: "adopted"}})
	seen := rowsOf(t, v, observer)
	if got := types(seen); got != "opinion.published opinion.adopted consultation.closed sheet.created consultation.ballot_cast consultation.opened opinion.voting_opened opinion.created meeting.scheduled group.created organisation.added" {
		t.Fatalf("observer after the publication sees %q", got)
	}
	for _, r := range seen {
		if r.Actor.User != "" || r.Actor.Organisation == "" && r.Actor.Role != "system" {
			t.Fatalf("observer sees actor %+v", r.Actor)
		}
	}
	// The live observer got the same rows, the earlier ones when they became public.
	got := map[string]bool{}
	for len(sub.C()) > 0 {
		for _, r := range (<-sub.C()).Rows {
			if row, ok := r.(EntryRow); ok {
				got[row.ID] = true
			}
		}
	}
	if len(got) != len(seen) {
		t.Fatalf("the live observer got %d rows, the snapshot has %d", len(got), len(seen))
	}
}

func TestTimelineKeepsTheLastRowsOnly(t *testing.T) {
	v := projections.NewView(View, newModel(3), false).WithVisibility(Visible)
	sub := projections.NewSubscriber(64, secretariat, "")
	v.Subscribe(0, sub)
	sheet := uuid.New()
	evs := fold(t, v,
		step{secretariat, 0, actionsheets.SheetCreated{SheetID: sheet, Title: "Fiche", DueDate: "2025-01-01"}},
		step{secretariat, 1, actionsheets.SheetStarted{SheetID: sheet}},
		step{secretariat, 2, actionsheets.ProgressRecorded{SheetID: sheet, Percent: 10, Comment: "c"}},
		step{secretariat, 3, actionsheets.ProgressRecorded{SheetID: sheet, Percent: 50, Comment: "c"}},
		step{secretariat, 4, actionsheets.SheetCompleted{SheetID: sheet}},
	)
	rows := rowsOf(t, v, secretariat)
	if len(rows) != 3 || rows[0].ID != evs[4].ID.String() || rows[2].ID != evs[2].ID.String() || rows[0].Summary["title"] != "Fiche" {
		t.Fatalf("rows %s", types(rows))
	}
	removed := 0
	for len(sub.C()) > 0 {
		for _, r := range (<-sub.C()).Rows {
			if tomb, ok := r.(projections.Tombstone); ok && tomb.Removed {
				removed++
			}
		}
	}
	if removed != 2 {
		t.Fatalf("%d tombstones for the 2 rows that left the window", removed)
	}
	// A snapshot restores the window and what later events need.
	snap, err := v.Save()
	if err != nil {
		t.Fatal(err)
	}
	w := projections.NewView(View, newModel(3), false)
	if err := w.Restore(snap); err != nil {
		t.Fatal(err)
	}
	fold(t, w, step{secretariat, 5, actionsheets.SheetRescheduled{SheetID: sheet, DueDate: "2026-01-01", PreviousDueDate: "2025-01-01", Reason: "r"}})
	if got := rowsOf(t, w, secretariat); len(got) != 3 || got[0].Summary["title"] != "Fiche" || got[0].Summary["due_date"] != "2026-01-01" {
		t.Fatalf("restored rows %+v", got)
	}
}

func TestIrrelevantEventsChangeNothing(t *testing.T) {
	m := newModel(10)
	changed, err := m.Apply(events.Event{ID: uuid.New(), Position: 1, Type: "other.thing.happened"}, other{})
	if err != nil || changed != nil || len(m.Rows()) != 0 {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	if err := m.LoadState([]byte(`{"rows":[{"position":1}]}`)); err == nil {
		t.Fatal("a row without an id was loaded")
	}
	if err := m.LoadState([]byte(`not json`)); err == nil {
		t.Fatal("garbage was loaded")
	}
}

type other struct{}

func (other) EventType() string { return "other.thing.happened" }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
