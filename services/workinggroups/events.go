package workinggroups

import (
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/themes"
)

// Event types of the working-groups context. They are history: never rename one.
const (
	TypeGroupCreated       = "workinggroups.group.created"
	TypeMemberAdded        = "workinggroups.group.member_added"
	TypeMemberRemoved      = "workinggroups.group.member_removed"
	TypeGroupClosed        = "workinggroups.group.closed"
	TypeMeetingScheduled   = "workinggroups.meeting.scheduled"
	TypeAttendanceRecorded = "workinggroups.meeting.attendance_recorded"
	TypeMinutesPublished   = "workinggroups.meeting.minutes_published"
)

// eventSchemaV1 is the schema of every working-groups payload so far.
const eventSchemaV1 = 1

// GroupCreated: a working group exists. Its lead organisation is its first member: no
// MemberAdded follows for it.
type GroupCreated struct {
	GroupID            uuid.UUID    `json:"group_id"`
	Name               string       `json:"name"`
	Mandate            string       `json:"mandate"`
	Theme              themes.Theme `json:"theme"`
	LeadOrganisationID uuid.UUID    `json:"lead_organisation_id"`
}

// EventType implements events.Payload.
func (GroupCreated) EventType() string { return TypeGroupCreated }

// MemberAdded: an organisation joined a group.
type MemberAdded struct {
	GroupID        uuid.UUID `json:"group_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
}

// EventType implements events.Payload.
func (MemberAdded) EventType() string { return TypeMemberAdded }

// MemberRemoved: an organisation left a group.
type MemberRemoved struct {
	GroupID        uuid.UUID `json:"group_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
	Reason         string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (MemberRemoved) EventType() string { return TypeMemberRemoved }

// GroupClosed: a group ended its work; nothing more happens in its stream.
type GroupClosed struct {
	GroupID uuid.UUID `json:"group_id"`
	Reason  string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (GroupClosed) EventType() string { return TypeGroupClosed }

// AgendaItem is one item of a meeting's agenda.
type AgendaItem struct {
	Title string `json:"title"`
	// PresenterOrganisationID is absent (uuid.Nil) when no organisation presents the item.
	PresenterOrganisationID uuid.UUID `json:"presenter_organisation_id,omitzero"`
}

// MeetingScheduled: a group planned a meeting.
type MeetingScheduled struct {
	GroupID   uuid.UUID   `json:"group_id"`
	MeetingID uuid.UUID   `json:"meeting_id"`
	Title     string      `json:"title"`
	Kind      MeetingKind `json:"kind"`
	// StartsAt is in UTC.
	StartsAt time.Time    `json:"starts_at"`
	Place    string       `json:"place,omitempty"`
	VideoURL string       `json:"video_url,omitempty"`
	Agenda   []AgendaItem `json:"agenda"`
}

// EventType implements events.Payload.
func (MeetingScheduled) EventType() string { return TypeMeetingScheduled }

// AttendanceRecorded: who attended a meeting, replacing any earlier recording for it.
// Both lists are sorted and never null.
type AttendanceRecorded struct {
	GroupID   uuid.UUID `json:"group_id"`
	MeetingID uuid.UUID `json:"meeting_id"`
	// Version counts the recordings for this meeting, from 1.
	Version int         `json:"version"`
	Present []uuid.UUID `json:"present"`
	Excused []uuid.UUID `json:"excused"`
}

// EventType implements events.Payload.
func (AttendanceRecorded) EventType() string { return TypeAttendanceRecorded }

// MinutesPublished: a version of a meeting's minutes was published; earlier versions
// remain valid history.
type MinutesPublished struct {
	GroupID   uuid.UUID `json:"group_id"`
	MeetingID uuid.UUID `json:"meeting_id"`
	// Version counts the publications for this meeting, from 1.
	Version int    `json:"version"`
	Text    string `json:"text"`
}

// EventType implements events.Payload.
func (MinutesPublished) EventType() string { return TypeMinutesPublished }

// Register records the working-groups event types in r (schema 1 each). Registering them
// again in the same registry is harmless.
func Register(r *events.Registry) {
	events.MustRegister[GroupCreated](r, eventSchemaV1)
	events.MustRegister[MemberAdded](r, eventSchemaV1)
	events.MustRegister[MemberRemoved](r, eventSchemaV1)
	events.MustRegister[GroupClosed](r, eventSchemaV1)
	events.MustRegister[MeetingScheduled](r, eventSchemaV1)
	events.MustRegister[AttendanceRecorded](r, eventSchemaV1)
	events.MustRegister[MinutesPublished](r, eventSchemaV1)
}

// EventTypes lists the working-groups event types, in the order of Register.
func EventTypes() []string {
	return []string{TypeGroupCreated, TypeMemberAdded, TypeMemberRemoved, TypeGroupClosed,
		TypeMeetingScheduled, TypeAttendanceRecorded, TypeMinutesPublished}
}
