// Package workinggroups is the committee's working-groups context: the groups the
// committee relies on for specific subjects (« groupes de travail, déjà existants ou à
// créer »), their member organisations, and their meetings — ordinary meetings, journées
// de partage and conférences de consensus — with agendas, attendance and minutes.
//
// Each group is one aggregate, in its own stream (GroupStream): its meetings are part of
// it, so that "only members attend" and "no minutes before the meeting" are pure
// decisions over one state. Whether an organisation belongs to the committee is another
// aggregate's fact (membership's committee), read by the decider's Prepare.
//
// Who may act on a group is decided here too, from the command's actor (authz.go): the
// secretariat and the lead organisation manage a group's membership, the member
// organisations run its meetings.
package workinggroups

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/internal/cow"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/themes"
)

// StreamCategory is the category of group streams: "workinggroup-<uuid>".
const StreamCategory = "workinggroup"

// idNamespace is the UUID namespace of the IDs this context derives from command IDs:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:workinggroups:ids").
var idNamespace = uuid.MustParse("30a30933-36e2-56d2-a5c4-6a602b74b910")

// GroupIDFor is the ID of the group created by the command commandID: a retried command
// names the same group, and a client knows the ID before the reply.
func GroupIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("group/"+commandID))
}

// MeetingIDFor is the ID of the meeting scheduled by the command commandID.
func MeetingIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("meeting/"+commandID))
}

// GroupStream is the stream of the group id.
func GroupStream(id uuid.UUID) string { return events.StreamName(StreamCategory, id) }

// OrganisationSet is a set of organisation IDs. Like every map of the state, it is
// never modified once built: Evolve builds a new one.
type OrganisationSet map[uuid.UUID]struct{}

// Has reports whether id is in the set.
func (s OrganisationSet) Has(id uuid.UUID) bool {
	_, ok := s[id]
	return ok
}

// IDs returns the set's IDs in a stable order (by their string form), so that events
// and views built from a set do not depend on map order.
func (s OrganisationSet) IDs() []uuid.UUID {
	return sortedIDs(slices.Collect(maps.Keys(s)))
}

// Group is the state of a working group. Its maps and slices are never modified in
// place: Evolve returns a state with new ones, so earlier states stay valid.
type Group struct {
	// Created is false for a group whose stream is empty.
	Created bool
	ID      uuid.UUID
	Name    string
	Mandate string
	Theme   themes.Theme
	// LeadOrganisation leads the group; it is a member and cannot leave.
	LeadOrganisation uuid.UUID
	// Members are the current member organisations, the lead included.
	Members OrganisationSet
	// Closed groups take no more commands.
	Closed      bool
	CloseReason string
	// Meetings by ID, past and future.
	Meetings map[uuid.UUID]Meeting
}

// IsMember reports whether the organisation id currently belongs to the group: what the
// opinions context checks before letting a group's member edit its drafts.
func (g Group) IsMember(id uuid.UUID) bool { return g.Members.Has(id) }

// Meeting is a meeting of a group, with what was recorded of it.
type Meeting struct {
	ID       uuid.UUID
	Title    string
	Kind     MeetingKind
	StartsAt time.Time
	Place    string
	VideoURL string
	Agenda   []AgendaItem
	// Attendance is the latest attendance recorded (nil if none); earlier recordings
	// stay in the log.
	Attendance *Attendance
	// Minutes are every published version of the minutes, oldest first.
	Minutes []Minutes
}

// Started reports whether the meeting has started at the instant now.
func (m Meeting) Started(now time.Time) bool { return !now.Before(m.StartsAt) }

// Attendance is one recording of who attended a meeting.
type Attendance struct {
	// Version counts recordings for the meeting, from 1.
	Version int
	Present []uuid.UUID
	Excused []uuid.UUID
}

// Minutes is one published version of a meeting's minutes.
type Minutes struct {
	// Version counts publications for the meeting, from 1.
	Version int
	Text    string
}

// Evolve folds one event into the group. It is pure: g is not modified. Events of other
// contexts are ignored.
func Evolve(g Group, p events.Payload) Group {
	switch e := p.(type) {
	case GroupCreated:
		g.Created, g.ID, g.Name, g.Mandate, g.Theme = true, e.GroupID, e.Name, e.Mandate, e.Theme
		g.LeadOrganisation = e.LeadOrganisationID
		g.Members = cow.With(g.Members, e.LeadOrganisationID, struct{}{})
	case MemberAdded:
		g.Members = cow.With(g.Members, e.OrganisationID, struct{}{})
	case MemberRemoved:
		g.Members = cow.Without(g.Members, e.OrganisationID)
	case MeetingScheduled:
		g.Meetings = cow.With(g.Meetings, e.MeetingID, Meeting{ID: e.MeetingID, Title: e.Title, Kind: e.Kind,
			StartsAt: e.StartsAt, Place: e.Place, VideoURL: e.VideoURL, Agenda: slices.Clone(e.Agenda)})
	case AttendanceRecorded:
		m := g.Meetings[e.MeetingID]
		m.Attendance = &Attendance{Version: e.Version, Present: slices.Clone(e.Present), Excused: slices.Clone(e.Excused)}
		g.Meetings = cow.With(g.Meetings, e.MeetingID, m)
	case MinutesPublished:
		m := g.Meetings[e.MeetingID]
		// Clip first: append then always copies, leaving the slice of the old state alone.
		m.Minutes = append(slices.Clip(m.Minutes), Minutes{Version: e.Version, Text: e.Text})
		g.Meetings = cow.With(g.Meetings, e.MeetingID, m)
	case GroupClosed:
		g.Closed, g.CloseReason = true, e.Reason
	}
	return g
}

// sortedIDs sorts ids in place by their string form and returns them.
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return cmp.Compare(a.String(), b.String()) })
	return ids
}

// Fold evolves the empty group through evs: the state after them.
func Fold(evs ...events.Payload) Group {
	var g Group
	for _, e := range evs {
		g = Evolve(g, e)
	}
	return g
}

// LoadGroup reads the group id as it stands in st, and whether it exists: what other
// contexts (opinions) check before deciding. It registers this context's event types in
// reg.
func LoadGroup(ctx context.Context, st store.Store, reg *events.Registry, id uuid.UUID) (Group, bool, error) {
	Register(reg)
	g, _, err := bus.Fold(ctx, st, reg, GroupStream(id), Group{}, Evolve)
	if err != nil {
		return Group{}, false, err
	}
	return g, g.Created, nil
}
