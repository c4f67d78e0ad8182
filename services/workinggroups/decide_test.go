package workinggroups

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/themes"
)

// now is the clock of the decide table: 5 March 2026, 9:00 UTC.
var now = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)

var (
	amf     = membership.OrganisationIDFor("cmd-amf")
	adf     = membership.OrganisationIDFor("cmd-adf")
	regions = membership.OrganisationIDFor("cmd-regions")
	cdc     = membership.OrganisationIDFor("cmd-cdc")
	// villes is an organisation that left the committee: never among the active ones.
	villes = membership.OrganisationIDFor("cmd-villes-internet")

	group   = GroupIDFor("cmd-group")
	meeting = MeetingIDFor("cmd-meeting")
	other   = GroupIDFor("cmd-other-group")

	startsAt = time.Date(2026, 3, 12, 14, 0, 0, 0, time.UTC)
	// later is after the meeting has started.
	later = startsAt.Add(26 * time.Hour)
)

const mandate = "Repérer et valoriser les bonnes pratiques en matière d'acquisition des matériels, " +
	"de leur maintenance et de leur renouvellement dans les écoles primaires."

var (
	created = GroupCreated{GroupID: group, Name: "Équipement des écoles primaires", Mandate: mandate,
		Theme: themes.Infrastructure, LeadOrganisationID: amf}
	adfAdded     = MemberAdded{GroupID: group, OrganisationID: adf}
	regionsAdded = MemberAdded{GroupID: group, OrganisationID: regions}
	closed       = GroupClosed{GroupID: group, Reason: "Mandat rempli"}
	scheduled    = MeetingScheduled{GroupID: group, MeetingID: meeting, Title: "Journée de partage sur la maintenance",
		Kind: KindJourneeDePartage, StartsAt: startsAt, Place: "ENS de Lyon", VideoURL: "https://visio.education.gouv.fr/jdp",
		Agenda: []AgendaItem{{Title: "Mutualisation des services d'e-éducation", PresenterOrganisationID: cdc},
			{Title: "Retours d'expérience des départements"}}}
	attended = AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 1,
		Present: sortedIDs([]uuid.UUID{amf, adf}), Excused: []uuid.UUID{regions}}
	minutes1 = MinutesPublished{GroupID: group, MeetingID: meeting, Version: 1,
		Text: "Compte rendu : les départements présents ont partagé leurs plans de maintenance."}
)

// env is the envelope of a command with the given ID, decided at t.
func env(commandID string, t time.Time) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Time: t}
}

// active is the committee facts Prepare would gather for organisations still in the committee.
func active(ids ...uuid.UUID) OrganisationSet {
	s := OrganisationSet{}
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

func agenda() []AgendaItemInput {
	return []AgendaItemInput{{Title: " Mutualisation des services  d'e-éducation ", PresenterOrganisationID: cdc.String()},
		{Title: "Retours d'expérience des départements"}}
}

func decideCases() []decidertest.Case {
	g := group.String()
	m := meeting.String()
	base := []events.Payload{created, adfAdded, regionsAdded}
	given := func(evs ...events.Payload) []events.Payload {
		return append(append([]events.Payload{}, base...), evs...)
	}
	return []decidertest.Case{
		// create-group
		{Name: "create group", Command: CreateGroup{Envelope: env("cmd-group", now), Name: "  Équipement des   écoles primaires ",
			Mandate: " " + mandate + "\n", Theme: themes.Infrastructure, LeadOrganisationID: amf.String(), ActiveOrganisations: active(amf)},
			Want: []events.Payload{created}},
		{Name: "create group led by an organisation outside the committee", Command: CreateGroup{Envelope: env("cmd-group", now),
			Name: "Usages", Mandate: "Suivre les usages.", Theme: themes.SchoolUses, LeadOrganisationID: villes.String(), ActiveOrganisations: active(amf)},
			WantCode: "organisation_not_found"},
		{Name: "create group over an existing one", Given: []events.Payload{created}, Command: CreateGroup{Envelope: env("cmd-group", now),
			Name: "Autre", Mandate: "Autre.", Theme: themes.Governance, LeadOrganisationID: amf.String(), ActiveOrganisations: active(amf)},
			WantCode: "group_exists"},

		// add-member
		{Name: "add member", Given: []events.Payload{created},
			Command: AddMember{Envelope: env("a1", now), GroupID: g, OrganisationID: adf.String(), ActiveOrganisations: active(adf)},
			Want:    []events.Payload{adfAdded}},
		{Name: "add a member twice", Given: base, Command: AddMember{GroupID: g, OrganisationID: adf.String(), ActiveOrganisations: active(adf)},
			WantCode: "already_member"},
		{Name: "add the lead as a member", Given: base, Command: AddMember{GroupID: g, OrganisationID: amf.String(), ActiveOrganisations: active(amf)},
			WantCode: "already_member"},
		{Name: "add an organisation outside the committee", Given: base, Command: AddMember{GroupID: g, OrganisationID: villes.String(),
			ActiveOrganisations: active()}, WantCode: "organisation_not_found"},
		{Name: "add member to no group", Command: AddMember{GroupID: g, OrganisationID: adf.String(), ActiveOrganisations: active(adf)},
			WantCode: "group_not_found"},
		{Name: "add member to another group than the stream's", Given: base,
			Command: AddMember{GroupID: other.String(), OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)}, WantCode: "group_not_found"},
		{Name: "add member to a closed group", Given: given(closed),
			Command: AddMember{GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)}, WantCode: "group_closed"},

		// remove-member
		{Name: "remove member", Given: base, Command: RemoveMember{GroupID: g, OrganisationID: adf.String(), Reason: " Réorganisation interne "},
			Want: []events.Payload{MemberRemoved{GroupID: group, OrganisationID: adf, Reason: "Réorganisation interne"}}},
		{Name: "remove a non-member", Given: base, Command: RemoveMember{GroupID: g, OrganisationID: cdc.String()}, WantCode: "not_a_member"},
		{Name: "remove a member already removed", Given: given(MemberRemoved{GroupID: group, OrganisationID: adf}),
			Command: RemoveMember{GroupID: g, OrganisationID: adf.String()}, WantCode: "not_a_member"},
		{Name: "remove the lead organisation", Given: base, Command: RemoveMember{GroupID: g, OrganisationID: amf.String()},
			WantCode: "lead_organisation_cannot_leave"},
		{Name: "remove member from a closed group", Given: given(closed), Command: RemoveMember{GroupID: g, OrganisationID: adf.String()},
			WantCode: "group_closed"},

		// schedule-meeting
		{Name: "schedule meeting", Given: base, Command: ScheduleMeeting{Envelope: env("cmd-meeting", now), GroupID: g,
			Title: "Journée de partage  sur la maintenance", Kind: KindJourneeDePartage, StartsAt: startsAt.In(time.FixedZone("CET", 3600)),
			Place: " ENS de Lyon ", VideoURL: "https://visio.education.gouv.fr/jdp", Agenda: agenda(), ActiveOrganisations: active(cdc)},
			Want: []events.Payload{scheduled}},
		{Name: "schedule video meeting without presenters", Given: base, Command: ScheduleMeeting{Envelope: env("cmd-visio", now), GroupID: g,
			Title: "Conférence de consensus", Kind: KindConferenceDeConsensus, StartsAt: now.Add(time.Minute),
			VideoURL: "https://visio.education.gouv.fr/cc", Agenda: []AgendaItemInput{{Title: "Adoption de la position commune"}}},
			Want: []events.Payload{MeetingScheduled{GroupID: group, MeetingID: MeetingIDFor("cmd-visio"), Title: "Conférence de consensus",
				Kind: KindConferenceDeConsensus, StartsAt: now.Add(time.Minute), VideoURL: "https://visio.education.gouv.fr/cc",
				Agenda: []AgendaItem{{Title: "Adoption de la position commune"}}}}},
		{Name: "schedule meeting now", Given: base, Command: ScheduleMeeting{Envelope: env("x", now), GroupID: g, Title: "Réunion",
			Kind: KindMeeting, StartsAt: now, Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)}, WantCode: "date_in_past"},
		{Name: "schedule meeting in the past", Given: base, Command: ScheduleMeeting{Envelope: env("x", now), GroupID: g, Title: "Réunion",
			Kind: KindMeeting, StartsAt: now.AddDate(0, 0, -1), Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)}, WantCode: "date_in_past"},
		{Name: "schedule meeting with a presenter outside the committee", Given: base, Command: ScheduleMeeting{Envelope: env("x", now), GroupID: g,
			Title: "Réunion", Kind: KindMeeting, StartsAt: startsAt, Place: "Paris",
			Agenda:              []AgendaItemInput{{Title: "Point d'étape"}, {Title: "Témoignage", PresenterOrganisationID: villes.String()}},
			ActiveOrganisations: active()}, WantCode: "organisation_not_found"},
		{Name: "schedule the same meeting again is a no-op", Given: given(scheduled), Command: ScheduleMeeting{Envelope: env("cmd-meeting", now),
			GroupID: g, Title: "Journée de partage sur la maintenance", Kind: KindJourneeDePartage, StartsAt: startsAt, Place: "ENS de Lyon",
			Agenda: agenda(), ActiveOrganisations: active(cdc)}},
		{Name: "schedule meeting in a closed group", Given: given(closed), Command: ScheduleMeeting{Envelope: env("x", now), GroupID: g,
			Title: "Réunion", Kind: KindMeeting, StartsAt: startsAt, Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)},
			WantCode: "group_closed"},

		// record-attendance
		{Name: "record attendance", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", later), GroupID: g, MeetingID: m,
			Present: []string{adf.String(), amf.String()}, Excused: []string{regions.String()}}, Want: []events.Payload{attended}},
		{Name: "record attendance at the meeting's start, no one excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", startsAt),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}},
			Want: []events.Payload{AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 1, Present: []uuid.UUID{amf}, Excused: []uuid.UUID{}}}},
		{Name: "record attendance again replaces it", Given: given(scheduled, attended), Command: RecordAttendance{Envelope: env("r2", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String(), regions.String()}},
			Want: []events.Payload{AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 2,
				Present: sortedIDs([]uuid.UUID{amf, adf, regions}), Excused: []uuid.UUID{}}}},
		{Name: "record the same attendance again is a no-op", Given: given(scheduled, attended), Command: RecordAttendance{Envelope: env("r2", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String()}, Excused: []string{regions.String()}}},
		{Name: "record attendance before the meeting", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", startsAt.Add(-time.Second)),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}}, WantCode: "meeting_not_started"},
		{Name: "record attendance of an unknown meeting", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", later),
			GroupID: g, MeetingID: MeetingIDFor("nope").String(), Present: []string{amf.String()}}, WantCode: "meeting_not_found"},
		{Name: "record a non-member as present", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), cdc.String()}}, WantCode: "not_a_member"},
		{Name: "record a non-member as excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}, Excused: []string{villes.String()}}, WantCode: "not_a_member"},
		{Name: "record an organisation both present and excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env("r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String()}, Excused: []string{adf.String()}}, WantCode: "present_and_excused"},
		{Name: "record attendance in a closed group", Given: given(scheduled, closed), Command: RecordAttendance{Envelope: env("r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}}, WantCode: "group_closed"},

		// publish-minutes
		{Name: "publish minutes", Given: given(scheduled, attended), Command: PublishMinutes{Envelope: env("p1", later), GroupID: g, MeetingID: m,
			Text: "\n" + minutes1.Text + "  "}, Want: []events.Payload{minutes1}},
		{Name: "publish a new version of the minutes", Given: given(scheduled, minutes1), Command: PublishMinutes{Envelope: env("p2", later),
			GroupID: g, MeetingID: m, Text: minutes1.Text + " Prochaine réunion en juin."},
			Want: []events.Payload{MinutesPublished{GroupID: group, MeetingID: meeting, Version: 2, Text: minutes1.Text + " Prochaine réunion en juin."}}},
		{Name: "publish the same minutes again is a no-op", Given: given(scheduled, minutes1), Command: PublishMinutes{Envelope: env("p2", later),
			GroupID: g, MeetingID: m, Text: minutes1.Text}},
		{Name: "publish minutes before the meeting", Given: given(scheduled), Command: PublishMinutes{Envelope: env("p1", now),
			GroupID: g, MeetingID: m, Text: "Trop tôt."}, WantCode: "meeting_not_started"},
		{Name: "publish minutes of an unknown meeting", Given: given(scheduled), Command: PublishMinutes{Envelope: env("p1", later),
			GroupID: g, MeetingID: "not-a-uuid", Text: "Texte."}, WantCode: "meeting_not_found"},

		// close-group
		{Name: "close group", Given: base, Command: CloseGroup{GroupID: g, Reason: " Mandat rempli "}, Want: []events.Payload{closed}},
		{Name: "close a closed group", Given: given(closed), Command: CloseGroup{GroupID: g}, WantCode: "group_closed"},
		{Name: "close no group", Command: CloseGroup{GroupID: g}, WantCode: "group_not_found"},
		{Name: "close a group with a malformed ID", Given: base, Command: CloseGroup{GroupID: "x"}, WantCode: "group_not_found"},
	}
}

func TestDecide(t *testing.T) {
	decidertest.Run(t, Decider(nil, nil), Rejections(), decideCases())
}

// TestDecideRejectionFields checks that rejections name the JSON field at fault, which
// the client highlights.
func TestDecideRejectionFields(t *testing.T) {
	state := Fold(created, adfAdded, scheduled)
	cases := []struct {
		cmd  any
		want map[string]string
	}{
		{ScheduleMeeting{Envelope: env("x", now), GroupID: group.String(), StartsAt: now.Add(-time.Hour), Agenda: agenda()},
			map[string]string{"starts_at": "future"}},
		{ScheduleMeeting{Envelope: env("x", now), GroupID: group.String(), StartsAt: startsAt,
			Agenda: []AgendaItemInput{{Title: "A"}, {Title: "B", PresenterOrganisationID: villes.String()}}},
			map[string]string{"agenda[1].presenter_organisation_id": "committee_organisation"}},
		{RecordAttendance{Envelope: env("x", later), GroupID: group.String(), MeetingID: meeting.String(),
			Present: []string{amf.String()}, Excused: []string{adf.String(), cdc.String()}}, map[string]string{"excused[1]": "member"}},
		{RecordAttendance{Envelope: env("x", later), GroupID: group.String(), MeetingID: meeting.String(),
			Present: []string{amf.String()}, Excused: []string{adf.String(), amf.String()}}, map[string]string{"excused[1]": "excluded_with=present"}},
		{CreateGroup{Envelope: env("y", now), LeadOrganisationID: amf.String()}, map[string]string{"lead_organisation_id": "committee_organisation"}},
	}
	for i, tc := range cases {
		s := state
		if _, ok := tc.cmd.(CreateGroup); ok {
			s = Group{}
		}
		_, err := Decide(s, tc.cmd)
		if err == nil || !reflect.DeepEqual(errcode.From(err).Fields, tc.want) {
			t.Errorf("case %d: %v, fields %v, want %v", i, err, errcode.From(err).Fields, tc.want)
		}
	}
}

func TestEvolveIsPure(t *testing.T) {
	before := Fold(created, adfAdded, scheduled, attended, minutes1)
	members, meetings := before.Members, before.Meetings
	m := meetings[meeting]
	minutes, present := m.Minutes, m.Attendance.Present
	_ = Evolve(before, MemberAdded{GroupID: group, OrganisationID: cdc})
	_ = Evolve(before, MemberRemoved{GroupID: group, OrganisationID: adf})
	_ = Evolve(before, AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 2, Present: []uuid.UUID{amf}, Excused: []uuid.UUID{}})
	_ = Evolve(before, MinutesPublished{GroupID: group, MeetingID: meeting, Version: 2, Text: "v2"})
	_ = Evolve(before, MeetingScheduled{GroupID: group, MeetingID: MeetingIDFor("other"), StartsAt: startsAt})
	_ = Evolve(before, closed)
	if len(members) != 2 || members.Has(cdc) || !members.Has(adf) || len(meetings) != 1 ||
		len(meetings[meeting].Minutes) != 1 || len(minutes) != 1 || meetings[meeting].Attendance.Version != 1 ||
		!reflect.DeepEqual(present, attended.Present) || before.Closed {
		t.Fatal("Evolve modified its input state")
	}
	// Minutes versions accumulate, and the older states keep theirs.
	v2 := Evolve(before, MinutesPublished{GroupID: group, MeetingID: meeting, Version: 2, Text: "v2"})
	v3 := Evolve(v2, MinutesPublished{GroupID: group, MeetingID: meeting, Version: 3, Text: "v3"})
	// Two futures of one state (which append could make share an array).
	v4a := Evolve(v3, MinutesPublished{GroupID: group, MeetingID: meeting, Version: 4, Text: "a"})
	v4b := Evolve(v3, MinutesPublished{GroupID: group, MeetingID: meeting, Version: 4, Text: "b"})
	if got := v4a.Meetings[meeting].Minutes; len(got) != 4 || got[3].Text != "a" || v4b.Meetings[meeting].Minutes[3].Text != "b" ||
		len(v3.Meetings[meeting].Minutes) != 3 {
		t.Fatalf("minutes versions %+v", got)
	}
}

func TestFoldState(t *testing.T) {
	g := Fold(created, adfAdded, regionsAdded, MemberRemoved{GroupID: group, OrganisationID: regions}, scheduled, attended, minutes1, closed)
	if !g.Created || g.ID != group || g.LeadOrganisation != amf || g.Theme != themes.Infrastructure || !g.Closed || g.CloseReason != "Mandat rempli" {
		t.Fatalf("group %+v", g)
	}
	if want := sortedIDs([]uuid.UUID{amf, adf}); !reflect.DeepEqual(g.Members.IDs(), want) || !g.IsMember(amf) || g.IsMember(regions) {
		t.Fatalf("members %v, want %v", g.Members.IDs(), want)
	}
	m := g.Meetings[meeting]
	if m.Kind != KindJourneeDePartage || len(m.Agenda) != 2 || m.Agenda[0].PresenterOrganisationID != cdc ||
		m.Attendance == nil || m.Attendance.Version != 1 || len(m.Minutes) != 1 || !m.Started(startsAt) || m.Started(now) {
		t.Fatalf("meeting %+v", m)
	}
}

func TestDerivedIDs(t *testing.T) {
	if GroupIDFor("a") != GroupIDFor("a") || GroupIDFor("a") == GroupIDFor("b") || GroupIDFor("a") == MeetingIDFor("a") {
		t.Fatal("derived IDs are not deterministic and distinct")
	}
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:workinggroups:ids")); idNamespace != want {
		t.Fatalf("idNamespace = %s, want %s", idNamespace, want)
	}
	if err := events.ValidStream(GroupStream(group)); err != nil {
		t.Fatal(err)
	}
	if got := streamOf(CreateGroup{Envelope: env("cmd-group", now)}); got != GroupStream(group) {
		t.Fatalf("create-group addresses %s", got)
	}
	if got := streamOf(CloseGroup{GroupID: group.String()}); got != GroupStream(group) {
		t.Fatalf("close-group addresses %s", got)
	}
	if got := streamOf(CloseGroup{GroupID: "x"}); got != GroupStream(uuid.Nil) {
		t.Fatalf("a malformed group ID addresses %s", got)
	}
}
