package workinggroups

import (
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/themes"
)

// Context is the working-groups bounded context's name on the bus.
const Context = "workinggroups"

// Command names (subjects comite.cmd.workinggroups.<name>, gateway URLs).
const (
	CmdCreateGroup      = "create-group"
	CmdAddMember        = "add-member"
	CmdRemoveMember     = "remove-member"
	CmdScheduleMeeting  = "schedule-meeting"
	CmdRecordAttendance = "record-attendance"
	CmdPublishMinutes   = "publish-minutes"
	CmdCloseGroup       = "close-group"
)

// MeetingKind is the kind of a group's meeting, from the committee's charter.
type MeetingKind string

// Kinds of meetings.
const (
	// KindMeeting is an ordinary working meeting of the group.
	KindMeeting MeetingKind = "meeting"
	// KindJourneeDePartage is a « journée de partage »: a day of exchanging practices
	// with the wider educational community.
	KindJourneeDePartage MeetingKind = "journee_de_partage"
	// KindConferenceDeConsensus is a « conférence de consensus », which prepares a shared
	// position of the partners.
	KindConferenceDeConsensus MeetingKind = "conference_de_consensus"
)

// CreateGroup creates a working group led by an organisation of the committee, which is
// its first member. Its ID is derived from the command ID (GroupIDFor).
type CreateGroup struct {
	bus.Envelope `validate:"-"`
	Name         string `json:"name" validate:"required,notblank,max=200"`
	// Mandate says what the committee expects of the group.
	Mandate            string       `json:"mandate" validate:"required,notblank,max=5000"`
	Theme              themes.Theme `json:"theme" validate:"required,oneof=gouvernance usages accompagnement referentiels infrastructures filiere"`
	LeadOrganisationID string       `json:"lead_organisation_id" validate:"required,uuid"`
	// ActiveOrganisations is filled in by Prepare, never read from the body: which of the
	// organisations the command names are current members of the committee.
	ActiveOrganisations OrganisationSet `json:"-" validate:"-"`
}

// AddMember makes an organisation of the committee a member of a group. Adding a member
// again is rejected (already_member), so that a client learns its view was stale.
type AddMember struct {
	bus.Envelope   `validate:"-"`
	GroupID        string `json:"group_id" validate:"required,uuid"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	// ActiveOrganisations is filled in by Prepare (see CreateGroup).
	ActiveOrganisations OrganisationSet `json:"-" validate:"-"`
}

// RemoveMember takes an organisation out of a group; the lead organisation cannot leave.
// An organisation that has left the committee can still be removed.
type RemoveMember struct {
	bus.Envelope   `validate:"-"`
	GroupID        string `json:"group_id" validate:"required,uuid"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	Reason         string `json:"reason,omitempty" validate:"max=1000"`
}

// ScheduleMeeting plans a meeting of a group, in the future, in a place or by video (or
// both), with an ordered agenda. Its ID is derived from the command ID (MeetingIDFor).
type ScheduleMeeting struct {
	bus.Envelope `validate:"-"`
	GroupID      string      `json:"group_id" validate:"required,uuid"`
	Title        string      `json:"title" validate:"required,notblank,max=200"`
	Kind         MeetingKind `json:"kind" validate:"required,oneof=meeting journee_de_partage conference_de_consensus"`
	// StartsAt is RFC 3339; it must be later than the command's time.
	StartsAt time.Time `json:"starts_at" validate:"required"`
	// Place is required without a video URL.
	Place string `json:"place,omitempty" validate:"required_without=VideoURL,omitempty,notblank,max=300"`
	// VideoURL is an https URL of the video conference.
	VideoURL string `json:"video_url,omitempty" validate:"omitempty,max=2000,https_url"`
	// Agenda lists the items in the order they will be taken.
	Agenda []AgendaItemInput `json:"agenda" validate:"required,min=1,max=50,dive"`
	// ActiveOrganisations is filled in by Prepare (see CreateGroup).
	ActiveOrganisations OrganisationSet `json:"-" validate:"-"`
}

// AgendaItemInput is an agenda item as a command proposes it.
type AgendaItemInput struct {
	Title string `json:"title" validate:"required,notblank,max=300"`
	// PresenterOrganisationID, if any, is the committee organisation presenting the item;
	// it need not be a member of the group (partners are invited to present).
	PresenterOrganisationID string `json:"presenter_organisation_id,omitempty" validate:"omitempty,uuid"`
}

// RecordAttendance records which member organisations attended a meeting and which sent
// apologies, once the meeting has started. Recording again replaces the attendance; the
// earlier recordings stay in the log. Recording the very same sets again is a no-op.
type RecordAttendance struct {
	bus.Envelope `validate:"-"`
	GroupID      string   `json:"group_id" validate:"required,uuid"`
	MeetingID    string   `json:"meeting_id" validate:"required,uuid"`
	Present      []string `json:"present" validate:"required,min=1,max=200,unique,dive,uuid"`
	Excused      []string `json:"excused,omitempty" validate:"max=200,unique,dive,uuid"`
}

// PublishMinutes publishes the minutes (compte rendu) of a meeting that has started.
// Publishing again adds a version; every version is kept. Publishing the same text as
// the latest version is a no-op.
type PublishMinutes struct {
	bus.Envelope `validate:"-"`
	GroupID      string `json:"group_id" validate:"required,uuid"`
	MeetingID    string `json:"meeting_id" validate:"required,uuid"`
	Text         string `json:"text" validate:"required,notblank,max=50000"`
}

// CloseGroup ends a group's work: every later command on it is rejected (group_closed).
type CloseGroup struct {
	bus.Envelope `validate:"-"`
	GroupID      string `json:"group_id" validate:"required,uuid"`
	Reason       string `json:"reason,omitempty" validate:"max=1000"`
}

// addressed is implemented by the commands on an existing group: the group they name
// and who sends them.
type addressed interface {
	group() string
	actor() events.Actor
}

func (c AddMember) group() string        { return c.GroupID }
func (c RemoveMember) group() string     { return c.GroupID }
func (c ScheduleMeeting) group() string  { return c.GroupID }
func (c RecordAttendance) group() string { return c.GroupID }
func (c PublishMinutes) group() string   { return c.GroupID }
func (c CloseGroup) group() string       { return c.GroupID }

func (c AddMember) actor() events.Actor        { return c.Actor }
func (c RemoveMember) actor() events.Actor     { return c.Actor }
func (c ScheduleMeeting) actor() events.Actor  { return c.Actor }
func (c RecordAttendance) actor() events.Actor { return c.Actor }
func (c PublishMinutes) actor() events.Actor   { return c.Actor }
func (c CloseGroup) actor() events.Actor       { return c.Actor }

// committeeFacts is implemented by the commands naming organisations that must belong
// to the committee: Prepare checks them and hands back the command with the facts.
type committeeFacts interface {
	organisations() []string
	withActive(OrganisationSet) any
}

func (c CreateGroup) organisations() []string { return []string{c.LeadOrganisationID} }
func (c CreateGroup) withActive(s OrganisationSet) any {
	c.ActiveOrganisations = s
	return c
}

func (c AddMember) organisations() []string { return []string{c.OrganisationID} }
func (c AddMember) withActive(s OrganisationSet) any {
	c.ActiveOrganisations = s
	return c
}

func (c ScheduleMeeting) organisations() []string {
	var ids []string
	for _, it := range c.Agenda {
		if it.PresenterOrganisationID != "" {
			ids = append(ids, it.PresenterOrganisationID)
		}
	}
	return ids
}
func (c ScheduleMeeting) withActive(s OrganisationSet) any {
	c.ActiveOrganisations = s
	return c
}

// streamOf names the stream a command addresses. A malformed group ID (which decoding
// rejects first) names the nil group, which does not exist.
func streamOf(cmd any) string {
	switch c := cmd.(type) {
	case CreateGroup:
		return GroupStream(GroupIDFor(c.CommandID))
	case addressed:
		id, _ := uuid.Parse(c.group())
		return GroupStream(id)
	}
	return GroupStream(uuid.Nil)
}

// Commands is the working-groups catalogue. It is pure: the gateway calls it to route
// commands and document them without running the service.
func Commands() []bus.CommandSpec {
	spec := func(name, summary string, newCmd func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: Context, Name: name, Summary: summary, New: newCmd}
	}
	return []bus.CommandSpec{
		spec(CmdCreateGroup, "Create a working group on a theme, led by an organisation of the committee.", func() any { return new(CreateGroup) }),
		spec(CmdAddMember, "Make an organisation of the committee a member of a working group.", func() any { return new(AddMember) }),
		spec(CmdRemoveMember, "Take an organisation out of a working group (not its lead).", func() any { return new(RemoveMember) }),
		spec(CmdScheduleMeeting, "Schedule a meeting, journée de partage or conférence de consensus with its agenda.", func() any { return new(ScheduleMeeting) }),
		spec(CmdRecordAttendance, "Record which members attended a meeting and which were excused.", func() any { return new(RecordAttendance) }),
		spec(CmdPublishMinutes, "Publish (a new version of) the minutes of a meeting.", func() any { return new(PublishMinutes) }),
		spec(CmdCloseGroup, "Close a working group; it then takes no more commands.", func() any { return new(CloseGroup) }),
	}
}
