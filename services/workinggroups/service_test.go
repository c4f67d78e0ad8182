package workinggroups_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/themes"
	wg "github.com/comite-partenaires/comite/services/workinggroups"
)

// testClock is the injected clock both services read; the test moves it forward to get
// past a meeting's start.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *testClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// world is the committee's services over one embedded NATS server and the real JetStream
// event store.
type world struct {
	client *bus.Client
	store  store.Store
	reg    *events.Registry
	clock  *testClock
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	connect := bustest.NATS(t)
	nc := connect("services")
	w := &world{store: bustest.JetStreamStore(t, nc), reg: events.NewRegistry(), clock: &testClock{}}
	w.clock.set(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC))
	members, err := membership.New(bus.ServiceConfig{Store: w.store, Conn: nc, Registry: w.reg, Clock: w.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := members.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = members.Stop() })
	groups, err := wg.New(bus.ServiceConfig{Conn: nc, Store: w.store, Registry: w.reg, Clock: w.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := groups.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = groups.Stop() })
	w.client = bus.NewClient(connect("gateway"), bus.ClientOptions{})
	return w
}

var secretariat = events.Actor{User: "secretariat@education.gouv.fr", Organisation: "DNE", Role: "secretariat"}

// member is a person acting for the organisation org.
func member(org string) events.Actor {
	return events.Actor{User: "membre@" + org[:8] + ".invalid", Organisation: org, Role: "member"}
}

func (w *world) send(t *testing.T, context, id, command, body string) (bus.Reply, error) {
	t.Helper()
	return w.sendAs(t, secretariat, context, id, command, body)
}

func (w *world) sendAs(t *testing.T, actor events.Actor, context, id, command, body string) (bus.Reply, error) {
	t.Helper()
	return w.client.Send(t.Context(), bus.Request{Context: context, Command: command, CommandID: id,
		Body: []byte(body), Actor: actor})
}

// must sends a command that must succeed with events of the given types.
func (w *world) must(t *testing.T, context, id, command, body string, types ...string) bus.Reply {
	t.Helper()
	return w.mustAs(t, secretariat, context, id, command, body, types...)
}

// mustAs is must with another actor than the secretariat.
func (w *world) mustAs(t *testing.T, actor events.Actor, context, id, command, body string, types ...string) bus.Reply {
	t.Helper()
	rep, err := w.sendAs(t, actor, context, id, command, body)
	if err != nil {
		t.Fatalf("%s %s: %v", command, id, err)
	}
	var got []string
	for _, e := range rep.Events {
		got = append(got, e.Type)
	}
	if !reflect.DeepEqual(got, types) {
		t.Fatalf("%s %s: events %v, want %v", command, id, got, types)
	}
	return rep
}

// reject sends a command that must be rejected with want, and checks that the log did
// not move.
func (w *world) reject(t *testing.T, id, command, body string, want *errcode.Error) *errcode.Error {
	t.Helper()
	return w.rejectAs(t, secretariat, id, command, body, want)
}

// rejectAs is reject with another actor than the secretariat.
func (w *world) rejectAs(t *testing.T, actor events.Actor, id, command, body string, want *errcode.Error) *errcode.Error {
	t.Helper()
	before := w.lastPosition(t)
	_, err := w.sendAs(t, actor, wg.Context, id, command, body)
	if !errors.Is(err, want) {
		t.Fatalf("%s %s: %v, want %s", command, id, err, want.Code)
	}
	if after := w.lastPosition(t); after != before {
		t.Fatalf("%s %s was rejected but the log moved from %d to %d", command, id, before, after)
	}
	return errcode.From(err)
}

// lastPosition is the global position of the last event in the log.
func (w *world) lastPosition(t *testing.T) uint64 {
	t.Helper()
	var last uint64
	for ev, err := range w.store.ReadAll(t.Context(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		last = ev.Position
	}
	return last
}

// TestGroupLifeOverNATS runs a working group's life through the membership and
// working-groups services, over real NATS and the real JetStream event store.
func TestGroupLifeOverNATS(t *testing.T) {
	w := newWorld(t)
	org := func(id string) string { return membership.OrganisationIDFor(id).String() }
	amf, adf, cdc, villes := org("m-amf"), org("m-adf"), org("m-cdc"), org("m-villes")

	// The committee and its organisations, through the membership service.
	w.must(t, membership.Context, "m-committee", "create-committee", `{"name":"Comité des partenaires du numérique pour l'éducation","acronym":"CPNE"}`,
		membership.TypeCommitteeCreated)
	w.must(t, membership.Context, "m-amf", "add-organisation", `{"name":"Association des Maires de France","acronym":"AMF","kind":"elected_officials_association"}`,
		membership.TypeOrganisationAdded)
	w.must(t, membership.Context, "m-adf", "add-organisation", `{"name":"Assemblée des Départements de France","acronym":"ADF","kind":"elected_officials_association"}`,
		membership.TypeOrganisationAdded)
	w.must(t, membership.Context, "m-cdc", "add-organisation", `{"name":"Caisse des Dépôts","acronym":"CDC","kind":"public_operator"}`,
		membership.TypeOrganisationAdded)
	w.must(t, membership.Context, "m-villes", "add-organisation", `{"name":"Villes Internet","acronym":"VI"}`, membership.TypeOrganisationAdded)
	w.must(t, membership.Context, "m-villes-out", "remove-organisation", `{"organisation_id":"`+villes+`","reason":"Départ du comité"}`,
		membership.TypeOrganisationRemoved)

	// A group led by an organisation that left the committee does not come to be.
	e := w.reject(t, "w0", "create-group", `{"name":"Usages autour de l'École","mandate":"Suivre les usages périscolaires.","theme":"usages","lead_organisation_id":"`+villes+`"}`,
		wg.ErrOrganisationNotFound)
	if e.Fields["lead_organisation_id"] == "" || e.Status != 404 {
		t.Fatalf("rejection %+v", e)
	}
	if _, ok, err := wg.LoadGroup(t.Context(), w.store, w.reg, wg.GroupIDFor("w0")); ok || err != nil {
		t.Fatalf("rejected group exists %v (%v)", ok, err)
	}

	const createBody = `{"name":"Équipement des écoles primaires","mandate":"Repérer et valoriser les bonnes pratiques d'acquisition, de maintenance et de renouvellement des matériels.","theme":"infrastructures","lead_organisation_id":"`
	created := w.must(t, wg.Context, "w1", "create-group", createBody+amf+`"}`, wg.TypeGroupCreated)
	group := wg.GroupIDFor("w1")
	if created.Events[0].Stream != wg.GroupStream(group) {
		t.Fatalf("group created in %s", created.Events[0].Stream)
	}
	if again := w.must(t, wg.Context, "w1", "create-group", createBody+amf+`"}`, wg.TypeGroupCreated); !reflect.DeepEqual(again, created) {
		t.Fatalf("retried create-group: %+v, first %+v", again, created)
	}
	g := group.String()

	w.must(t, wg.Context, "w2", "add-member", `{"group_id":"`+g+`","organisation_id":"`+adf+`"}`, wg.TypeMemberAdded)
	w.reject(t, "w3", "add-member", `{"group_id":"`+g+`","organisation_id":"`+adf+`"}`, wg.ErrAlreadyMember)
	w.reject(t, "w3b", "add-member", `{"group_id":"`+g+`","organisation_id":"`+villes+`"}`, wg.ErrOrganisationNotFound)
	// Only the secretariat and the lead organisation manage the group's membership.
	w.rejectAs(t, member(adf), "w4a", "add-member", `{"group_id":"`+g+`","organisation_id":"`+cdc+`"}`, errcode.Forbidden)
	w.rejectAs(t, member(cdc), "w4b", "add-member", `{"group_id":"`+g+`","organisation_id":"`+cdc+`"}`, errcode.Forbidden)
	w.rejectAs(t, events.Actor{User: "auditeur@ccomptes.fr", Role: "auditor"}, "w4c", "add-member",
		`{"group_id":"`+g+`","organisation_id":"`+cdc+`"}`, errcode.Forbidden)
	w.mustAs(t, member(amf), wg.Context, "w4", "add-member", `{"group_id":"`+g+`","organisation_id":"`+cdc+`"}`, wg.TypeMemberAdded)

	// A journée de partage next week, with an agenda.
	meetingBody := `{"group_id":"` + g + `","title":"Journée de partage sur la maintenance des équipements","kind":"journee_de_partage",` +
		`"starts_at":"2026-03-12T14:00:00+01:00","place":"ENS de Lyon","video_url":"https://visio.education.gouv.fr/jdp-maintenance",` +
		`"agenda":[{"title":"Mutualisation des services d'e-éducation","presenter_organisation_id":"` + cdc + `"},` +
		`{"title":"Retours d'expérience des départements","presenter_organisation_id":"` + adf + `"},{"title":"Suites à donner"}]}`
	w.rejectAs(t, member(villes), "w5a", "schedule-meeting", meetingBody, errcode.Forbidden)
	w.must(t, wg.Context, "w5", "schedule-meeting", meetingBody, wg.TypeMeetingScheduled)
	meeting := wg.MeetingIDFor("w5").String()
	e = w.reject(t, "w6", "schedule-meeting", `{"group_id":"`+g+`","title":"Réunion de lancement","kind":"meeting","starts_at":"2026-03-04T10:00:00Z","place":"Paris","agenda":[{"title":"Tour de table"}]}`,
		errcode.DateInPast)
	if e.Fields["starts_at"] != "future" {
		t.Fatalf("date_in_past fields %v", e.Fields)
	}
	attendance := `{"group_id":"` + g + `","meeting_id":"` + meeting + `","present":["` + amf + `","` + adf + `"],"excused":["` + cdc + `"]}`
	w.reject(t, "w7", "record-attendance", attendance, wg.ErrMeetingNotStarted)
	w.reject(t, "w7b", "publish-minutes", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","text":"Trop tôt."}`, wg.ErrMeetingNotStarted)

	// The day after the meeting.
	w.clock.add(8 * 24 * time.Hour)
	rep, err := w.client.Send(t.Context(), bus.Request{Context: wg.Context, Command: "record-attendance", CommandID: "w8",
		CorrelationID: "seance-2026-03-12", Body: []byte(attendance), Actor: secretariat})
	if err != nil || len(rep.Events) != 1 {
		t.Fatalf("record-attendance: %+v, %v", rep, err)
	}
	w.reject(t, "w8b", "record-attendance", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","present":["`+amf+`","`+villes+`"]}`, wg.ErrNotAMember)
	w.must(t, wg.Context, "w9", "record-attendance", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","present":["`+cdc+`","`+amf+`","`+adf+`"]}`,
		wg.TypeAttendanceRecorded)
	w.rejectAs(t, member(villes), "w10a", "publish-minutes", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","text":"Compte rendu."}`,
		errcode.Forbidden)
	w.mustAs(t, member(adf), wg.Context, "w10", "publish-minutes", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","text":"Compte rendu : la Caisse des Dépôts a présenté la mutualisation des services d'e-éducation."}`,
		wg.TypeMinutesPublished)
	w.must(t, wg.Context, "w11", "publish-minutes", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","text":"Compte rendu (version relue) : la Caisse des Dépôts a présenté la mutualisation des services d'e-éducation ; l'ADF a présenté les retours des départements."}`,
		wg.TypeMinutesPublished)

	w.reject(t, "w12", "remove-member", `{"group_id":"`+g+`","organisation_id":"`+amf+`"}`, wg.ErrLeadCannotLeave)
	w.must(t, wg.Context, "w13", "remove-member", `{"group_id":"`+g+`","organisation_id":"`+cdc+`","reason":"Fin de la contribution"}`, wg.TypeMemberRemoved)
	w.rejectAs(t, member(adf), "w14a", "close-group", `{"group_id":"`+g+`"}`, errcode.Forbidden)
	closed := w.must(t, wg.Context, "w14", "close-group", `{"group_id":"`+g+`","reason":"Mandat rempli : avis remis au comité"}`, wg.TypeGroupClosed)
	w.reject(t, "w15", "add-member", `{"group_id":"`+g+`","organisation_id":"`+cdc+`"}`, wg.ErrGroupClosed)
	w.reject(t, "w16", "publish-minutes", `{"group_id":"`+g+`","meeting_id":"`+meeting+`","text":"Addendum."}`, wg.ErrGroupClosed)

	// The group's log: every accepted command's events, in order, with their provenance.
	type row struct{ typ, command, correlation string }
	var got []row
	var last events.Event
	for ev, err := range w.store.Read(t.Context(), wg.GroupStream(group), 0) {
		if err != nil {
			t.Fatal(err)
		}
		actor := map[string]events.Actor{"w4": member(amf), "w10": member(adf)}[ev.Meta.CommandID]
		if actor == (events.Actor{}) {
			actor = secretariat
		}
		if ev.Meta.Actor != actor || ev.Meta.CausationID != ev.Meta.CommandID {
			t.Errorf("event %s meta %+v", ev.Type, ev.Meta)
		}
		got = append(got, row{ev.Type, ev.Meta.CommandID, ev.Meta.CorrelationID})
		last = ev
	}
	want := []row{
		{wg.TypeGroupCreated, "w1", "w1"}, {wg.TypeMemberAdded, "w2", "w2"}, {wg.TypeMemberAdded, "w4", "w4"},
		{wg.TypeMeetingScheduled, "w5", "w5"}, {wg.TypeAttendanceRecorded, "w8", "seance-2026-03-12"},
		{wg.TypeAttendanceRecorded, "w9", "w9"}, {wg.TypeMinutesPublished, "w10", "w10"}, {wg.TypeMinutesPublished, "w11", "w11"},
		{wg.TypeMemberRemoved, "w13", "w13"}, {wg.TypeGroupClosed, "w14", "w14"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("log\n got %v\nwant %v", got, want)
	}
	if last.ID != events.DeriveID("w14", 0) || last.Position != closed.Position || last.Revision != uint64(len(want)-1) {
		t.Fatalf("last event %+v, reply %+v", last, closed)
	}
	if w.lastPosition(t) != closed.Position {
		t.Fatal("something was appended after the group closed")
	}

	// What other contexts read of the group.
	state, ok, err := wg.LoadGroup(t.Context(), w.store, events.NewRegistry(), group)
	if err != nil || !ok {
		t.Fatalf("LoadGroup: %v, %v", ok, err)
	}
	amfID, adfID, cdcID := uuid.MustParse(amf), uuid.MustParse(adf), uuid.MustParse(cdc)
	if state.ID != group || state.Name != "Équipement des écoles primaires" || state.Theme != themes.Infrastructure ||
		state.LeadOrganisation != amfID || !state.Closed || len(state.Members) != 2 || !state.IsMember(amfID) ||
		!state.IsMember(adfID) || state.IsMember(cdcID) {
		t.Fatalf("group %+v", state)
	}
	m := state.Meetings[wg.MeetingIDFor("w5")]
	wantStart := time.Date(2026, 3, 12, 13, 0, 0, 0, time.UTC)
	if !m.StartsAt.Equal(wantStart) || m.StartsAt.Location() != time.UTC || m.Kind != wg.KindJourneeDePartage || len(m.Agenda) != 3 ||
		m.Agenda[0].PresenterOrganisationID != cdcID || m.Attendance == nil || m.Attendance.Version != 2 ||
		len(m.Attendance.Present) != 3 || len(m.Attendance.Excused) != 0 || len(m.Minutes) != 2 || m.Minutes[1].Version != 2 {
		t.Fatalf("meeting %+v", m)
	}

	// The hash chain of the whole log holds.
	v := events.NewChainVerifier()
	for ev, err := range w.store.ReadAll(t.Context(), store.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(ev); err != nil {
			t.Fatal(err)
		}
	}
}
