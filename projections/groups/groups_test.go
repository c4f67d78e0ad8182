package groups

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

var (
	observer    = projectiontest.Observer
	auditor     = projectiontest.Auditor
	secretariat = projectiontest.Secretariat
	day0        = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
)

// feed applies payloads to a fresh v at positions 1, 2, … a day apart, each in the stream
// of the group it names (revisions counted per stream).
func feed(t *testing.T, v *projections.View, payloads ...events.Payload) {
	t.Helper()
	f := projectiontest.NewFeeder(t, v)
	f.Clock, f.Tick = day0, 24*time.Hour
	f.Stream = func(p events.Payload) string {
		if g, ok := groupOf(p); ok {
			return workinggroups.GroupStream(g)
		}
		return "other"
	}
	f.Feed(payloads...)
}

func groupOf(p events.Payload) (uuid.UUID, bool) {
	raw, _ := json.Marshal(p)
	var g struct {
		GroupID uuid.UUID `json:"group_id"`
	}
	_ = json.Unmarshal(raw, &g)
	return g.GroupID, g.GroupID != uuid.Nil
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func row(t *testing.T, v *projections.View, actor events.Actor, id string) GroupRow {
	t.Helper()
	_, r, err := v.GetFor(actor, id)
	if err != nil {
		t.Fatalf("group %s: %v", id, err)
	}
	return r.(GroupRow)
}

func TestGroupsFoldMeetingsAttendanceAndMinutes(t *testing.T) {
	v := Views()[0]
	g, g2, lead, amf, cdc := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	m1, m2 := uuid.New(), uuid.New()
	feed(t, v,
		workinggroups.GroupCreated{GroupID: g, Name: "Référentiels nationaux", Mandate: "Examiner les référentiels.", Theme: "referentiels", LeadOrganisationID: lead},
		workinggroups.MemberAdded{GroupID: g, OrganisationID: amf},
		workinggroups.MemberAdded{GroupID: g, OrganisationID: cdc},
		membership.OrganisationAdded{OrganisationID: uuid.New(), Name: "Autre", Acronym: "X"}, // another context: ignored
		workinggroups.MeetingScheduled{GroupID: g, MeetingID: m2, Title: "Journée", Kind: workinggroups.KindJourneeDePartage,
			StartsAt: day0.AddDate(0, 2, 0), Place: "ENS de Lyon",
			Agenda: []workinggroups.AgendaItem{{Title: "Financements", PresenterOrganisationID: cdc}, {Title: "Formation"}}},
		workinggroups.MeetingScheduled{GroupID: g, MeetingID: m1, Title: "Réunion de lancement", Kind: workinggroups.KindMeeting,
			StartsAt: day0.AddDate(0, 0, 6), VideoURL: "https://visio.example.org/x", Agenda: []workinggroups.AgendaItem{{Title: "Tour de table"}}},
		workinggroups.AttendanceRecorded{GroupID: g, MeetingID: m1, Version: 1, Present: []uuid.UUID{lead}, Excused: []uuid.UUID{amf}},
		workinggroups.MinutesPublished{GroupID: g, MeetingID: m1, Version: 1, Text: "Compte rendu."},
		workinggroups.MinutesPublished{GroupID: g, MeetingID: m1, Version: 2, Text: "Compte rendu corrigé."},
		workinggroups.MemberRemoved{GroupID: g, OrganisationID: amf, Reason: "départ"},
		workinggroups.AttendanceRecorded{GroupID: g, MeetingID: uuid.New(), Version: 1, Present: []uuid.UUID{lead}}, // unknown meeting
		workinggroups.MemberAdded{GroupID: uuid.New(), OrganisationID: amf},                                         // unknown group
		workinggroups.GroupCreated{GroupID: g2, Name: "Gouvernance", Theme: "gouvernance", LeadOrganisationID: amf},
		workinggroups.GroupClosed{GroupID: g2, Reason: "mandat rempli"},
	)
	if pos := v.Position(); pos != 14 {
		t.Fatalf("position %d", pos)
	}
	r := row(t, v, auditor, g.String())
	if r.Status != StatusOpen || r.Theme != "referentiels" || r.Description != "Examiner les référentiels." || r.LeadOrganisationID != lead.String() {
		t.Errorf("group %+v", r)
	}
	if r.Revision != 8 || r.Position != 10 {
		t.Errorf("revision %d position %d, want 8 and 10 (the group's last event)", r.Revision, r.Position)
	}
	if got := asJSON(r.Members); got != `[{"organisation_id":"`+lead.String()+`","since":"2025-03-04","lead":true},{"organisation_id":"`+cdc.String()+`","since":"2025-03-06"}]` {
		t.Errorf("members %s", got)
	}
	if len(r.Meetings) != 2 || r.Meetings[0].ID != m1.String() || r.Meetings[1].ID != m2.String() {
		t.Fatalf("meetings not by starting time: %s", asJSON(r.Meetings))
	}
	first, journee := r.Meetings[0], r.Meetings[1]
	if first.Attendance == nil || asJSON(first.Attendance.Present) != `["`+lead.String()+`"]` || asJSON(first.Attendance.Excused) != `["`+amf.String()+`"]` {
		t.Errorf("attendance %s", asJSON(first.Attendance))
	}
	if !first.MinutesPublished || len(first.Minutes) != 2 || first.Minutes[1].Text != "Compte rendu corrigé." || first.Minutes[1].Version != 2 {
		t.Errorf("minutes %s", asJSON(first.Minutes))
	}
	if first.VideoURL != "https://visio.example.org/x" || first.Kind != "meeting" {
		t.Errorf("meeting %s", asJSON(first))
	}
	if journee.Kind != "journee_de_partage" || journee.Place != "ENS de Lyon" || journee.MinutesPublished || journee.Attendance != nil ||
		asJSON(journee.Agenda) != `[{"title":"Financements","presenter_organisation_id":"`+cdc.String()+`"},{"title":"Formation"}]` {
		t.Errorf("journée %s", asJSON(journee))
	}
	if !strings.Contains(asJSON(journee), `"minutes":[]`) {
		t.Errorf("no minutes must be an empty list: %s", asJSON(journee))
	}

	// Observers see the group, its meetings and minutes, never attendance.
	o := row(t, v, observer, g.String())
	if o.Meetings[0].Attendance != nil || len(o.Meetings[0].Minutes) != 2 || len(o.Members) != 2 {
		t.Errorf("observer sees %s", asJSON(o))
	}
	if row(t, v, auditor, g.String()).Meetings[0].Attendance == nil {
		t.Error("redacting for an observer changed the view's row")
	}
	_, rows := v.SnapshotFor(observer)
	if s := asJSON(rows); strings.Contains(s, `"attendance"`) || len(rows) != 2 {
		t.Errorf("observer snapshot %s", s)
	}

	// Open groups come first; a closed group keeps its reason.
	_, rows = v.SnapshotFor(secretariat)
	if rows[0].(GroupRow).ID != g.String() || rows[1].(GroupRow).Status != StatusClosed || rows[1].(GroupRow).CloseReason != "mandat rempli" {
		t.Errorf("rows %s", asJSON(rows))
	}
}

func TestGroupsPatchesCarryTheChangedGroupOnly(t *testing.T) {
	v := Views()[0]
	g, g2, lead := uuid.New(), uuid.New(), uuid.New()
	feed(t, v,
		workinggroups.GroupCreated{GroupID: g, Name: "A", Theme: "usages", LeadOrganisationID: lead},
		workinggroups.GroupCreated{GroupID: g2, Name: "B", Theme: "filiere", LeadOrganisationID: lead},
	)
	s := projections.NewSubscriber(4, observer, "")
	v.Subscribe(2, s)
	m := uuid.New()
	ev := events.Event{ID: uuid.New(), Stream: workinggroups.GroupStream(g), Revision: 1, Position: 3, Time: day0}
	if err := v.Apply(ev, workinggroups.MeetingScheduled{GroupID: g, MeetingID: m, Title: "R", Kind: "meeting", StartsAt: day0.Add(time.Hour), Place: "Paris", Agenda: []workinggroups.AgendaItem{{Title: "Ordre du jour"}}}); err != nil {
		t.Fatal(err)
	}
	ev = events.Event{ID: uuid.New(), Stream: workinggroups.GroupStream(g), Revision: 2, Position: 4, Time: day0.Add(2 * time.Hour)}
	if err := v.Apply(ev, workinggroups.AttendanceRecorded{GroupID: g, MeetingID: m, Version: 1, Present: []uuid.UUID{lead}, Excused: []uuid.UUID{}}); err != nil {
		t.Fatal(err)
	}
	p1, p2 := <-s.C(), <-s.C()
	if len(p1.Rows) != 1 || p1.Rows[0].(GroupRow).ID != g.String() || p2.Position != 4 {
		t.Fatalf("patches %s / %s", asJSON(p1), asJSON(p2))
	}
	if strings.Contains(asJSON(p2.Rows), "attendance") {
		t.Errorf("an observer's patch carries attendance: %s", asJSON(p2.Rows))
	}
}

func TestGroupsStateRoundTrip(t *testing.T) {
	v := Views()[0]
	g := uuid.New()
	feed(t, v, workinggroups.GroupCreated{GroupID: g, Name: "A", Theme: "usages", LeadOrganisationID: uuid.New()})
	snap, err := v.Save()
	if err != nil {
		t.Fatal(err)
	}
	back := Views()[0]
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if a, b := asJSON(row(t, v, secretariat, g.String())), asJSON(row(t, back, secretariat, g.String())); a != b {
		t.Fatalf("restored %s, want %s", b, a)
	}
	m := &model{groups: map[string]*GroupRow{}}
	for _, bad := range []string{`[`, `{"x":{"id":"y"}}`, `{"x":null}`} {
		if err := m.LoadState([]byte(bad)); err == nil {
			t.Errorf("LoadState(%s) accepted", bad)
		}
	}
	if len(m.groups) != 0 {
		t.Error("a failed LoadState changed the model")
	}
}
