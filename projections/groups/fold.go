package groups

import (
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// Apply folds one working-groups event. Events of other contexts, and events naming a
// group or meeting the model does not know, change nothing.
func (m *model) Apply(ev events.Event, p events.Payload) ([]string, error) {
	var g *GroupRow
	switch e := p.(type) {
	case workinggroups.GroupCreated:
		id := e.GroupID.String()
		if _, ok := m.groups[id]; ok {
			return nil, nil
		}
		lead := e.LeadOrganisationID.String()
		g = &GroupRow{ID: id, Name: e.Name, Theme: string(e.Theme), Status: StatusOpen,
			Description: e.Mandate, LeadOrganisationID: lead,
			Members:  []Member{{OrganisationID: lead, Since: day(ev.Time), Lead: true}},
			Meetings: []Meeting{}}
		m.groups[id] = g
	case workinggroups.MemberAdded:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		org := e.OrganisationID.String()
		if !slices.ContainsFunc(g.Members, func(x Member) bool { return x.OrganisationID == org }) {
			g.Members = append(g.Members, Member{OrganisationID: org, Since: day(ev.Time)})
		}
	case workinggroups.MemberRemoved:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		org := e.OrganisationID.String()
		g.Members = slices.DeleteFunc(g.Members, func(x Member) bool { return x.OrganisationID == org })
	case workinggroups.GroupClosed:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		g.Status, g.CloseReason = StatusClosed, e.Reason
	case workinggroups.MeetingScheduled:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		id := e.MeetingID.String()
		if meetingIndex(g, id) >= 0 {
			return nil, nil
		}
		agenda := make([]AgendaItem, 0, len(e.Agenda))
		for _, it := range e.Agenda {
			item := AgendaItem{Title: it.Title}
			if it.PresenterOrganisationID != uuid.Nil {
				item.PresenterOrganisationID = it.PresenterOrganisationID.String()
			}
			agenda = append(agenda, item)
		}
		g.Meetings = append(g.Meetings, Meeting{ID: id, Title: e.Title, Kind: string(e.Kind),
			StartsAt: e.StartsAt.UTC(), Place: e.Place, VideoURL: e.VideoURL, Agenda: agenda, Minutes: []Minutes{}})
		sort.SliceStable(g.Meetings, func(i, j int) bool {
			a, b := g.Meetings[i], g.Meetings[j]
			if !a.StartsAt.Equal(b.StartsAt) {
				return a.StartsAt.Before(b.StartsAt)
			}
			return a.ID < b.ID
		})
	case workinggroups.AttendanceRecorded:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		i := meetingIndex(g, e.MeetingID.String())
		if i < 0 {
			return nil, nil
		}
		g.Meetings[i].Attendance = &Attendance{Version: e.Version, Present: strs(e.Present),
			Excused: strs(e.Excused), RecordedAt: ev.Time.UTC()}
	case workinggroups.MinutesPublished:
		if g = m.groups[e.GroupID.String()]; g == nil {
			return nil, nil
		}
		i := meetingIndex(g, e.MeetingID.String())
		if i < 0 {
			return nil, nil
		}
		mt := &g.Meetings[i]
		mt.Minutes = append(mt.Minutes, Minutes{Version: e.Version, Text: e.Text, PublishedAt: ev.Time.UTC()})
		mt.MinutesPublished = true
	default:
		return nil, nil
	}
	g.Revision, g.Position = ev.Revision, ev.Position
	return []string{g.ID}, nil
}

// meetingIndex is the index of the meeting id in g.Meetings, or -1.
func meetingIndex(g *GroupRow, id string) int {
	return slices.IndexFunc(g.Meetings, func(m Meeting) bool { return m.ID == id })
}

// day is the UTC day of t, YYYY-MM-DD.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// strs turns IDs into their string forms, keeping their order; never nil.
func strs(ids []uuid.UUID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}
