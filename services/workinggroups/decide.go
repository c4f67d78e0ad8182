package workinggroups

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Rejections of working-groups commands. The codes are stable and append-only.
var (
	ErrGroupNotFound = errcode.New("group_not_found", http.StatusNotFound,
		"Ce groupe de travail n'existe pas.", "This working group does not exist.")
	ErrGroupExists = errcode.New("group_exists", http.StatusConflict,
		"Ce groupe de travail existe déjà.", "This working group already exists.")
	ErrGroupClosed = errcode.New("group_closed", http.StatusConflict,
		"Ce groupe de travail est clos.", "This working group is closed.")
	// ErrOrganisationNotFound has the code and status of membership's: to the client, an
	// organisation that is not (or no longer) in the committee does not exist.
	ErrOrganisationNotFound = errcode.New("organisation_not_found", http.StatusNotFound,
		"Cette organisation ne fait pas partie du comité.", "This organisation is not a member of the committee.")
	ErrAlreadyMember = errcode.New("already_member", http.StatusConflict,
		"Cette organisation est déjà membre du groupe de travail.", "This organisation is already a member of the working group.")
	ErrNotAMember = errcode.New("not_a_member", http.StatusConflict,
		"Cette organisation n'est pas membre du groupe de travail.", "This organisation is not a member of the working group.")
	ErrLeadCannotLeave = errcode.New("lead_organisation_cannot_leave", http.StatusConflict,
		"L'organisation pilote ne peut pas quitter le groupe de travail.", "The lead organisation cannot leave the working group.")
	ErrMeetingNotFound = errcode.New("meeting_not_found", http.StatusNotFound,
		"Cette réunion n'existe pas dans ce groupe de travail.", "This meeting does not exist in this working group.")
	ErrMeetingNotStarted = errcode.New("meeting_not_started", http.StatusConflict,
		"La réunion n'a pas encore commencé.", "The meeting has not started yet.")
	ErrPresentAndExcused = errcode.New("present_and_excused", http.StatusUnprocessableEntity,
		"Une organisation ne peut pas être à la fois présente et excusée.", "An organisation cannot be both present and excused.")
)

// Rejections lists every rejection code working-groups commands can get from Decide,
// including the shared errcode.DateInPast and errcode.Forbidden.
func Rejections() []*errcode.Error {
	return []*errcode.Error{ErrGroupNotFound, ErrGroupExists, ErrGroupClosed, ErrOrganisationNotFound,
		ErrAlreadyMember, ErrNotAMember, ErrLeadCannotLeave, ErrMeetingNotFound, ErrMeetingNotStarted,
		ErrPresentAndExcused, errcode.DateInPast, errcode.Forbidden}
}

// Decide returns the events a working-groups command produces against the group g, none
// when the command changes nothing, or a rejection. It is pure: the clock is the
// command's Envelope.Time, the actor its Envelope.Actor, and committee facts are in the
// command (see Prepare).
//
// Checks come in this order: the actor's role (forbidden), the group's existence
// (group_not_found), the object rules of authz.go (forbidden), the group being open
// (group_closed), then the command's own rules.
func Decide(g Group, cmd any) ([]events.Payload, error) {
	if c, ok := cmd.(CreateGroup); ok {
		if err := checkPerson(c.Actor); err != nil {
			return nil, err
		}
		return createGroup(g, c)
	}
	a, ok := cmd.(addressed)
	if !ok {
		return nil, errcode.UnknownCommand.With("workinggroups: %T", cmd)
	}
	if err := checkPerson(a.actor()); err != nil {
		return nil, err
	}
	if err := checkFound(g, a.group()); err != nil {
		return nil, err
	}
	var err error
	switch cmd.(type) {
	case AddMember, RemoveMember, CloseGroup:
		err = mayManage(g, a.actor())
	default:
		err = mayMeet(g, a.actor())
	}
	if err != nil {
		return nil, err
	}
	if g.Closed {
		return nil, ErrGroupClosed.With("%s", g.ID)
	}
	switch cmd := cmd.(type) {
	case AddMember:
		return addMember(g, cmd)
	case RemoveMember:
		return removeMember(g, cmd)
	case ScheduleMeeting:
		return scheduleMeeting(g, cmd)
	case RecordAttendance:
		return recordAttendance(g, cmd)
	case PublishMinutes:
		return publishMinutes(g, cmd)
	case CloseGroup:
		return []events.Payload{GroupClosed{GroupID: g.ID, Reason: strings.TrimSpace(cmd.Reason)}}, nil
	}
	return nil, errcode.UnknownCommand.With("workinggroups: %T", cmd)
}

// checkFound rejects a command on a group that does not exist (or is not g).
func checkFound(g Group, groupID string) error {
	if id, err := uuid.Parse(groupID); err != nil || !g.Created || g.ID != id {
		return ErrGroupNotFound.With("%s", groupID)
	}
	return nil
}

// createGroup checks that the lead is in the committee before who may name it: an
// unknown organisation is organisation_not_found whoever asks.
func createGroup(g Group, cmd CreateGroup) ([]events.Payload, error) {
	if g.Created {
		return nil, ErrGroupExists.With("%s", g.ID)
	}
	lead, err := activeOrganisation(cmd.ActiveOrganisations, cmd.LeadOrganisationID, "lead_organisation_id")
	if err != nil {
		return nil, err
	}
	if err := mayLead(cmd.Actor, lead); err != nil {
		return nil, err
	}
	return []events.Payload{GroupCreated{GroupID: GroupIDFor(cmd.CommandID), Name: clean(cmd.Name),
		Mandate: strings.TrimSpace(cmd.Mandate), Theme: cmd.Theme, LeadOrganisationID: lead}}, nil
}

func addMember(g Group, cmd AddMember) ([]events.Payload, error) {
	id, _ := uuid.Parse(cmd.OrganisationID)
	if g.IsMember(id) {
		return nil, ErrAlreadyMember.With("%s", id)
	}
	id, err := activeOrganisation(cmd.ActiveOrganisations, cmd.OrganisationID, "organisation_id")
	if err != nil {
		return nil, err
	}
	return []events.Payload{MemberAdded{GroupID: g.ID, OrganisationID: id}}, nil
}

func removeMember(g Group, cmd RemoveMember) ([]events.Payload, error) {
	id, err := uuid.Parse(cmd.OrganisationID)
	switch {
	case err == nil && id == g.LeadOrganisation:
		return nil, ErrLeadCannotLeave.With("%s", id)
	case err != nil || !g.IsMember(id):
		return nil, ErrNotAMember.WithFields(map[string]string{"organisation_id": "member"}).With("%s", cmd.OrganisationID)
	}
	return []events.Payload{MemberRemoved{GroupID: g.ID, OrganisationID: id, Reason: strings.TrimSpace(cmd.Reason)}}, nil
}

func scheduleMeeting(g Group, cmd ScheduleMeeting) ([]events.Payload, error) {
	id := MeetingIDFor(cmd.CommandID)
	if _, ok := g.Meetings[id]; ok {
		return nil, nil // the same command, decided again
	}
	if !cmd.StartsAt.After(cmd.Time) {
		return nil, errcode.DateInPast.WithFields(map[string]string{"starts_at": "future"}).
			With("%s is not after %s", cmd.StartsAt.UTC().Format(time.RFC3339), cmd.Time.UTC().Format(time.RFC3339))
	}
	agenda := make([]AgendaItem, 0, len(cmd.Agenda))
	for i, it := range cmd.Agenda {
		item := AgendaItem{Title: clean(it.Title)}
		if it.PresenterOrganisationID != "" {
			p, err := activeOrganisation(cmd.ActiveOrganisations, it.PresenterOrganisationID,
				fmt.Sprintf("agenda[%d].presenter_organisation_id", i))
			if err != nil {
				return nil, err
			}
			item.PresenterOrganisationID = p
		}
		agenda = append(agenda, item)
	}
	return []events.Payload{MeetingScheduled{GroupID: g.ID, MeetingID: id, Title: clean(cmd.Title), Kind: cmd.Kind,
		StartsAt: cmd.StartsAt.UTC(), Place: strings.TrimSpace(cmd.Place), VideoURL: strings.TrimSpace(cmd.VideoURL),
		Agenda: agenda}}, nil
}

func recordAttendance(g Group, cmd RecordAttendance) ([]events.Payload, error) {
	m, err := startedMeeting(g, cmd.MeetingID, cmd.Time)
	if err != nil {
		return nil, err
	}
	present, err := members(g, cmd.Present, "present")
	if err != nil {
		return nil, err
	}
	excused, err := members(g, cmd.Excused, "excused")
	if err != nil {
		return nil, err
	}
	for i, id := range cmd.Excused {
		if slices.Contains(cmd.Present, id) {
			return nil, ErrPresentAndExcused.WithFields(map[string]string{fmt.Sprintf("excused[%d]", i): "excluded_with=present"}).With("%s", id)
		}
	}
	if a := m.Attendance; a != nil && slices.Equal(a.Present, present) && slices.Equal(a.Excused, excused) {
		return nil, nil
	}
	version := 1
	if m.Attendance != nil {
		version = m.Attendance.Version + 1
	}
	return []events.Payload{AttendanceRecorded{GroupID: g.ID, MeetingID: m.ID, Version: version,
		Present: present, Excused: excused}}, nil
}

func publishMinutes(g Group, cmd PublishMinutes) ([]events.Payload, error) {
	m, err := startedMeeting(g, cmd.MeetingID, cmd.Time)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(cmd.Text)
	if n := len(m.Minutes); n > 0 && m.Minutes[n-1].Text == text {
		return nil, nil
	}
	return []events.Payload{MinutesPublished{GroupID: g.ID, MeetingID: m.ID, Version: len(m.Minutes) + 1, Text: text}}, nil
}

// startedMeeting finds a meeting of g that has started at the command's time.
func startedMeeting(g Group, meetingID string, now time.Time) (Meeting, error) {
	id, err := uuid.Parse(meetingID)
	m, ok := g.Meetings[id]
	if err != nil || !ok {
		return Meeting{}, ErrMeetingNotFound.With("%s", meetingID)
	}
	if !m.Started(now) {
		return Meeting{}, ErrMeetingNotStarted.With("meeting %s starts at %s", m.ID, m.StartsAt.Format(time.RFC3339))
	}
	return m, nil
}

// members parses organisation IDs that must all be members of g, sorted.
func members(g Group, ids []string, field string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ids))
	for i, s := range ids {
		id, err := uuid.Parse(s)
		if err != nil || !g.IsMember(id) {
			return nil, ErrNotAMember.WithFields(map[string]string{fmt.Sprintf("%s[%d]", field, i): "member"}).With("%s", s)
		}
		out = append(out, id)
	}
	return sortedIDs(out), nil
}

// activeOrganisation parses an organisation ID the command names and checks, against the
// facts Prepare gathered, that it is a current organisation of the committee; field is
// the JSON field it came from, named in the rejection.
func activeOrganisation(active OrganisationSet, s, field string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || !active.Has(id) {
		return uuid.Nil, ErrOrganisationNotFound.WithFields(map[string]string{field: "committee_organisation"}).With("%s", s)
	}
	return id, nil
}

// clean trims a name and collapses its inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
