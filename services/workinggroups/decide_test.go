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

// Actors of the decide table.
var (
	// secretariat runs the committee; its organisation (the ministry's DNE) is in no group.
	secretariat = events.Actor{User: "secretariat@education.gouv.fr", Organisation: membership.OrganisationIDFor("cmd-dne").String(),
		Role: "secretariat"}
	// secretariatAlone is the secretariat acting for no organisation.
	secretariatAlone = events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	// amfMember acts for the group's lead organisation; adfMember and regionsMember for
	// organisations of the group; cdcMember for an organisation of the committee outside it.
	amfMember     = memberOf(amf, "amf")
	adfMember     = memberOf(adf, "adf")
	regionsMember = memberOf(regions, "regions")
	cdcMember     = memberOf(cdc, "cdc")
	auditor       = events.Actor{User: "auditeur@ccomptes.fr", Role: "auditor"}
	observer      = events.Actor{User: "observateur@demo.invalid", Role: "observer"}
	process       = events.Actor{User: "process:deadlines", Role: "system"}
)

func memberOf(org uuid.UUID, user string) events.Actor {
	return events.Actor{User: user + "@demo.invalid", Organisation: org.String(), Role: "member"}
}

// env is the envelope of a command with the given ID, sent by a and decided at t.
func env(a events.Actor, commandID string, t time.Time) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Actor: a, Time: t}
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
	createBy := func(a events.Actor, lead uuid.UUID) CreateGroup {
		return CreateGroup{Envelope: env(a, "cmd-usages", now), Name: "Usages", Mandate: "Suivre les usages.", Theme: themes.SchoolUses,
			LeadOrganisationID: lead.String(), ActiveOrganisations: active(amf, adf, cdc)}
	}
	usagesBy := func(lead uuid.UUID) []events.Payload {
		return []events.Payload{GroupCreated{GroupID: GroupIDFor("cmd-usages"), Name: "Usages", Mandate: "Suivre les usages.",
			Theme: themes.SchoolUses, LeadOrganisationID: lead}}
	}
	meetingBy := func(a events.Actor) ScheduleMeeting {
		return ScheduleMeeting{Envelope: env(a, "cmd-meeting", now), GroupID: g, Title: "Journée de partage sur la maintenance",
			Kind: KindJourneeDePartage, StartsAt: startsAt, Place: "ENS de Lyon", VideoURL: "https://visio.education.gouv.fr/jdp",
			Agenda: agenda(), ActiveOrganisations: active(cdc)}
	}
	attendanceBy := func(a events.Actor) RecordAttendance {
		return RecordAttendance{Envelope: env(a, "r1", later), GroupID: g, MeetingID: m,
			Present: []string{adf.String(), amf.String()}, Excused: []string{regions.String()}}
	}
	minutesBy := func(a events.Actor) PublishMinutes {
		return PublishMinutes{Envelope: env(a, "p1", later), GroupID: g, MeetingID: m, Text: minutes1.Text}
	}
	return []decidertest.Case{
		// create-group
		{Name: "create group, a member for its own organisation", Command: CreateGroup{Envelope: env(amfMember, "cmd-group", now),
			Name: "  Équipement des   écoles primaires ", Mandate: " " + mandate + "\n", Theme: themes.Infrastructure,
			LeadOrganisationID: amf.String(), ActiveOrganisations: active(amf)},
			Want: []events.Payload{created}},
		{Name: "create group, the secretariat for any lead", Command: createBy(secretariat, adf), Want: usagesBy(adf)},
		{Name: "create group, the secretariat without an organisation", Command: createBy(secretariatAlone, cdc), Want: usagesBy(cdc)},
		{Name: "create group led by an organisation outside the committee", Command: CreateGroup{Envelope: env(secretariat, "cmd-group", now),
			Name: "Usages", Mandate: "Suivre les usages.", Theme: themes.SchoolUses, LeadOrganisationID: villes.String(), ActiveOrganisations: active(amf)},
			WantCode: "organisation_not_found"},
		{Name: "create group over an existing one", Given: []events.Payload{created}, Command: CreateGroup{Envelope: env(amfMember, "cmd-group", now),
			Name: "Autre", Mandate: "Autre.", Theme: themes.Governance, LeadOrganisationID: amf.String(), ActiveOrganisations: active(amf)},
			WantCode: "group_exists"},
		{Name: "forbidden: a member creates a group led by another organisation", Command: createBy(adfMember, amf), WantCode: "forbidden"},
		{Name: "forbidden: a member without an organisation creates a group", Command: createBy(events.Actor{User: "x@demo.invalid", Role: "member"}, amf),
			WantCode: "forbidden"},
		{Name: "forbidden: a member whose organisation is not a UUID creates a group",
			Command: createBy(events.Actor{User: "x@demo.invalid", Organisation: "AMF", Role: "member"}, amf), WantCode: "forbidden"},
		{Name: "forbidden: an auditor creates a group", Command: createBy(auditor, amf), WantCode: "forbidden"},
		{Name: "forbidden: an observer creates a group", Command: createBy(observer, amf), WantCode: "forbidden"},
		{Name: "forbidden: a process creates a group", Command: createBy(process, amf), WantCode: "forbidden"},
		{Name: "forbidden: no actor creates a group", Command: createBy(events.Actor{}, amf), WantCode: "forbidden"},

		// add-member
		{Name: "add member, the lead organisation", Given: []events.Payload{created},
			Command: AddMember{Envelope: env(amfMember, "a1", now), GroupID: g, OrganisationID: adf.String(), ActiveOrganisations: active(adf)},
			Want:    []events.Payload{adfAdded}},
		{Name: "add member, the secretariat", Given: base,
			Command: AddMember{Envelope: env(secretariat, "a2", now), GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)},
			Want:    []events.Payload{MemberAdded{GroupID: group, OrganisationID: cdc}}},
		{Name: "add a member twice", Given: base, Command: AddMember{Envelope: env(amfMember, "a3", now), GroupID: g, OrganisationID: adf.String(),
			ActiveOrganisations: active(adf)}, WantCode: "already_member"},
		{Name: "add the lead as a member", Given: base, Command: AddMember{Envelope: env(secretariat, "a3", now), GroupID: g,
			OrganisationID: amf.String(), ActiveOrganisations: active(amf)}, WantCode: "already_member"},
		{Name: "add an organisation outside the committee", Given: base, Command: AddMember{Envelope: env(amfMember, "a3", now), GroupID: g,
			OrganisationID: villes.String(), ActiveOrganisations: active()}, WantCode: "organisation_not_found"},
		{Name: "add member to no group", Command: AddMember{Envelope: env(amfMember, "a3", now), GroupID: g, OrganisationID: adf.String(),
			ActiveOrganisations: active(adf)}, WantCode: "group_not_found"},
		{Name: "add member to another group than the stream's", Given: base, Command: AddMember{Envelope: env(secretariat, "a3", now),
			GroupID: other.String(), OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)}, WantCode: "group_not_found"},
		{Name: "add member to a closed group", Given: given(closed), Command: AddMember{Envelope: env(amfMember, "a3", now), GroupID: g,
			OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)}, WantCode: "group_closed"},
		{Name: "forbidden: a member of the group that does not lead it adds a member", Given: base,
			Command:  AddMember{Envelope: env(adfMember, "a3", now), GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)},
			WantCode: "forbidden"},
		{Name: "forbidden: an organisation adds itself to a group", Given: base,
			Command:  AddMember{Envelope: env(cdcMember, "a3", now), GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)},
			WantCode: "forbidden"},
		{Name: "forbidden: a non-lead adds a member to a closed group", Given: given(closed),
			Command:  AddMember{Envelope: env(adfMember, "a3", now), GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)},
			WantCode: "forbidden"},
		{Name: "forbidden: an auditor adds a member", Given: base,
			Command:  AddMember{Envelope: env(auditor, "a3", now), GroupID: g, OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)},
			WantCode: "forbidden"},

		// remove-member
		{Name: "remove member, the secretariat", Given: base, Command: RemoveMember{Envelope: env(secretariat, "rm1", now), GroupID: g,
			OrganisationID: adf.String(), Reason: " Réorganisation interne "},
			Want: []events.Payload{MemberRemoved{GroupID: group, OrganisationID: adf, Reason: "Réorganisation interne"}}},
		{Name: "remove member, the lead organisation", Given: base, Command: RemoveMember{Envelope: env(amfMember, "rm2", now), GroupID: g,
			OrganisationID: regions.String()}, Want: []events.Payload{MemberRemoved{GroupID: group, OrganisationID: regions}}},
		{Name: "remove a non-member", Given: base, Command: RemoveMember{Envelope: env(amfMember, "rm3", now), GroupID: g,
			OrganisationID: cdc.String()}, WantCode: "not_a_member"},
		{Name: "remove a member already removed", Given: given(MemberRemoved{GroupID: group, OrganisationID: adf}),
			Command: RemoveMember{Envelope: env(amfMember, "rm3", now), GroupID: g, OrganisationID: adf.String()}, WantCode: "not_a_member"},
		{Name: "remove the lead organisation", Given: base, Command: RemoveMember{Envelope: env(amfMember, "rm3", now), GroupID: g,
			OrganisationID: amf.String()}, WantCode: "lead_organisation_cannot_leave"},
		{Name: "remove member from a closed group", Given: given(closed), Command: RemoveMember{Envelope: env(secretariat, "rm3", now),
			GroupID: g, OrganisationID: adf.String()}, WantCode: "group_closed"},
		{Name: "forbidden: a member that does not lead the group removes another", Given: base,
			Command: RemoveMember{Envelope: env(adfMember, "rm3", now), GroupID: g, OrganisationID: regions.String()}, WantCode: "forbidden"},
		{Name: "forbidden: a member that does not lead the group removes itself", Given: base,
			Command: RemoveMember{Envelope: env(adfMember, "rm3", now), GroupID: g, OrganisationID: adf.String()}, WantCode: "forbidden"},
		{Name: "forbidden: an observer removes a member", Given: base,
			Command: RemoveMember{Envelope: env(observer, "rm3", now), GroupID: g, OrganisationID: adf.String()}, WantCode: "forbidden"},

		// schedule-meeting
		{Name: "schedule meeting, a member of the group", Given: base, Command: ScheduleMeeting{Envelope: env(adfMember, "cmd-meeting", now), GroupID: g,
			Title: "Journée de partage  sur la maintenance", Kind: KindJourneeDePartage, StartsAt: startsAt.In(time.FixedZone("CET", 3600)),
			Place: " ENS de Lyon ", VideoURL: "https://visio.education.gouv.fr/jdp", Agenda: agenda(), ActiveOrganisations: active(cdc)},
			Want: []events.Payload{scheduled}},
		{Name: "schedule meeting, the secretariat", Given: base, Command: meetingBy(secretariat), Want: []events.Payload{scheduled}},
		{Name: "schedule video meeting without presenters", Given: base, Command: ScheduleMeeting{Envelope: env(amfMember, "cmd-visio", now), GroupID: g,
			Title: "Conférence de consensus", Kind: KindConferenceDeConsensus, StartsAt: now.Add(time.Minute),
			VideoURL: "https://visio.education.gouv.fr/cc", Agenda: []AgendaItemInput{{Title: "Adoption de la position commune"}}},
			Want: []events.Payload{MeetingScheduled{GroupID: group, MeetingID: MeetingIDFor("cmd-visio"), Title: "Conférence de consensus",
				Kind: KindConferenceDeConsensus, StartsAt: now.Add(time.Minute), VideoURL: "https://visio.education.gouv.fr/cc",
				Agenda: []AgendaItem{{Title: "Adoption de la position commune"}}}}},
		{Name: "schedule meeting now", Given: base, Command: ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: g, Title: "Réunion",
			Kind: KindMeeting, StartsAt: now, Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)}, WantCode: "date_in_past"},
		{Name: "schedule meeting in the past", Given: base, Command: ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: g, Title: "Réunion",
			Kind: KindMeeting, StartsAt: now.AddDate(0, 0, -1), Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)}, WantCode: "date_in_past"},
		{Name: "schedule meeting with a presenter outside the committee", Given: base, Command: ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: g,
			Title: "Réunion", Kind: KindMeeting, StartsAt: startsAt, Place: "Paris",
			Agenda:              []AgendaItemInput{{Title: "Point d'étape"}, {Title: "Témoignage", PresenterOrganisationID: villes.String()}},
			ActiveOrganisations: active()}, WantCode: "organisation_not_found"},
		{Name: "schedule the same meeting again is a no-op", Given: given(scheduled), Command: ScheduleMeeting{Envelope: env(adfMember, "cmd-meeting", now),
			GroupID: g, Title: "Journée de partage sur la maintenance", Kind: KindJourneeDePartage, StartsAt: startsAt, Place: "ENS de Lyon",
			Agenda: agenda(), ActiveOrganisations: active(cdc)}},
		{Name: "schedule meeting in a closed group", Given: given(closed), Command: ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: g,
			Title: "Réunion", Kind: KindMeeting, StartsAt: startsAt, Place: "Paris", Agenda: agenda(), ActiveOrganisations: active(cdc)},
			WantCode: "group_closed"},
		{Name: "forbidden: an organisation outside the group schedules a meeting, even as a presenter", Given: base,
			Command: meetingBy(cdcMember), WantCode: "forbidden"},
		{Name: "forbidden: an organisation that left the group schedules a meeting",
			Given: given(MemberRemoved{GroupID: group, OrganisationID: regions}), Command: meetingBy(regionsMember), WantCode: "forbidden"},
		{Name: "forbidden: a process schedules a meeting", Given: base, Command: meetingBy(process), WantCode: "forbidden"},

		// record-attendance
		{Name: "record attendance, a member of the group", Given: given(scheduled), Command: attendanceBy(regionsMember), Want: []events.Payload{attended}},
		{Name: "record attendance, the secretariat", Given: given(scheduled), Command: attendanceBy(secretariat), Want: []events.Payload{attended}},
		{Name: "record attendance at the meeting's start, no one excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", startsAt),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}},
			Want: []events.Payload{AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 1, Present: []uuid.UUID{amf}, Excused: []uuid.UUID{}}}},
		{Name: "record attendance again replaces it", Given: given(scheduled, attended), Command: RecordAttendance{Envelope: env(amfMember, "r2", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String(), regions.String()}},
			Want: []events.Payload{AttendanceRecorded{GroupID: group, MeetingID: meeting, Version: 2,
				Present: sortedIDs([]uuid.UUID{amf, adf, regions}), Excused: []uuid.UUID{}}}},
		{Name: "record the same attendance again is a no-op", Given: given(scheduled, attended), Command: RecordAttendance{Envelope: env(amfMember, "r2", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String()}, Excused: []string{regions.String()}}},
		{Name: "record attendance before the meeting", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", startsAt.Add(-time.Second)),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}}, WantCode: "meeting_not_started"},
		{Name: "record attendance of an unknown meeting", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", later),
			GroupID: g, MeetingID: MeetingIDFor("nope").String(), Present: []string{amf.String()}}, WantCode: "meeting_not_found"},
		{Name: "record a non-member as present", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), cdc.String()}}, WantCode: "not_a_member"},
		{Name: "record a non-member as excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}, Excused: []string{villes.String()}}, WantCode: "not_a_member"},
		{Name: "record an organisation both present and excused", Given: given(scheduled), Command: RecordAttendance{Envelope: env(amfMember, "r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String(), adf.String()}, Excused: []string{adf.String()}}, WantCode: "present_and_excused"},
		{Name: "record attendance in a closed group", Given: given(scheduled, closed), Command: RecordAttendance{Envelope: env(amfMember, "r1", later),
			GroupID: g, MeetingID: m, Present: []string{amf.String()}}, WantCode: "group_closed"},
		{Name: "forbidden: an organisation outside the group records attendance", Given: given(scheduled), Command: attendanceBy(cdcMember),
			WantCode: "forbidden"},
		{Name: "forbidden: an auditor records attendance", Given: given(scheduled), Command: attendanceBy(auditor), WantCode: "forbidden"},

		// publish-minutes
		{Name: "publish minutes, a member of the group", Given: given(scheduled, attended), Command: PublishMinutes{Envelope: env(adfMember, "p1", later),
			GroupID: g, MeetingID: m, Text: "\n" + minutes1.Text + "  "}, Want: []events.Payload{minutes1}},
		{Name: "publish minutes, the secretariat", Given: given(scheduled), Command: minutesBy(secretariatAlone), Want: []events.Payload{minutes1}},
		{Name: "publish a new version of the minutes", Given: given(scheduled, minutes1), Command: PublishMinutes{Envelope: env(amfMember, "p2", later),
			GroupID: g, MeetingID: m, Text: minutes1.Text + " Prochaine réunion en juin."},
			Want: []events.Payload{MinutesPublished{GroupID: group, MeetingID: meeting, Version: 2, Text: minutes1.Text + " Prochaine réunion en juin."}}},
		{Name: "publish the same minutes again is a no-op", Given: given(scheduled, minutes1), Command: PublishMinutes{Envelope: env(amfMember, "p2", later),
			GroupID: g, MeetingID: m, Text: minutes1.Text}},
		{Name: "publish minutes before the meeting", Given: given(scheduled), Command: PublishMinutes{Envelope: env(amfMember, "p1", now),
			GroupID: g, MeetingID: m, Text: "Trop tôt."}, WantCode: "meeting_not_started"},
		{Name: "publish minutes of an unknown meeting", Given: given(scheduled), Command: PublishMinutes{Envelope: env(amfMember, "p1", later),
			GroupID: g, MeetingID: "not-a-uuid", Text: "Texte."}, WantCode: "meeting_not_found"},
		{Name: "forbidden: an organisation outside the group publishes minutes", Given: given(scheduled), Command: minutesBy(cdcMember),
			WantCode: "forbidden"},
		{Name: "forbidden: an observer publishes minutes", Given: given(scheduled), Command: minutesBy(observer), WantCode: "forbidden"},

		// close-group
		{Name: "close group, the lead organisation", Given: base, Command: CloseGroup{Envelope: env(amfMember, "cl1", now), GroupID: g,
			Reason: " Mandat rempli "}, Want: []events.Payload{closed}},
		{Name: "close group, the secretariat", Given: base, Command: CloseGroup{Envelope: env(secretariat, "cl2", now), GroupID: g,
			Reason: "Mandat rempli"}, Want: []events.Payload{closed}},
		{Name: "close a closed group", Given: given(closed), Command: CloseGroup{Envelope: env(amfMember, "cl3", now), GroupID: g}, WantCode: "group_closed"},
		{Name: "close no group", Command: CloseGroup{Envelope: env(amfMember, "cl3", now), GroupID: g}, WantCode: "group_not_found"},
		{Name: "close a group with a malformed ID", Given: base, Command: CloseGroup{Envelope: env(secretariat, "cl3", now), GroupID: "x"},
			WantCode: "group_not_found"},
		{Name: "forbidden: a member that does not lead the group closes it", Given: base,
			Command: CloseGroup{Envelope: env(adfMember, "cl3", now), GroupID: g}, WantCode: "forbidden"},
		{Name: "forbidden: a process closes a group", Given: base, Command: CloseGroup{Envelope: env(process, "cl3", now), GroupID: g},
			WantCode: "forbidden"},
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
		{ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: group.String(), StartsAt: now.Add(-time.Hour), Agenda: agenda()},
			map[string]string{"starts_at": "future"}},
		{ScheduleMeeting{Envelope: env(adfMember, "x", now), GroupID: group.String(), StartsAt: startsAt,
			Agenda: []AgendaItemInput{{Title: "A"}, {Title: "B", PresenterOrganisationID: villes.String()}}},
			map[string]string{"agenda[1].presenter_organisation_id": "committee_organisation"}},
		{RecordAttendance{Envelope: env(adfMember, "x", later), GroupID: group.String(), MeetingID: meeting.String(),
			Present: []string{amf.String()}, Excused: []string{adf.String(), cdc.String()}}, map[string]string{"excused[1]": "member"}},
		{RecordAttendance{Envelope: env(adfMember, "x", later), GroupID: group.String(), MeetingID: meeting.String(),
			Present: []string{amf.String()}, Excused: []string{adf.String(), amf.String()}}, map[string]string{"excused[1]": "excluded_with=present"}},
		{CreateGroup{Envelope: env(amfMember, "y", now), LeadOrganisationID: amf.String()}, map[string]string{"lead_organisation_id": "committee_organisation"}},
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
	if got := streamOf(CreateGroup{Envelope: env(amfMember, "cmd-group", now)}); got != GroupStream(group) {
		t.Fatalf("create-group addresses %s", got)
	}
	if got := streamOf(CloseGroup{GroupID: group.String()}); got != GroupStream(group) {
		t.Fatalf("close-group addresses %s", got)
	}
	if got := streamOf(CloseGroup{GroupID: "x"}); got != GroupStream(uuid.Nil) {
		t.Fatalf("a malformed group ID addresses %s", got)
	}
}
