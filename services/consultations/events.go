package consultations

import (
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// Event types of the consultations context. They are history: never rename one.
const (
	TypeConsultationOpened = "consultations.consultation.opened"
	TypeProxyGranted       = "consultations.consultation.proxy_granted"
	TypeProxyRevoked       = "consultations.consultation.proxy_revoked"
	TypeBallotCast         = "consultations.consultation.ballot_cast"
	TypeBallotChanged      = "consultations.consultation.ballot_changed"
	TypeConsultationClosed = "consultations.consultation.closed"
	// TypeParticipationRecorded is a secret consultation's ballot as the log knows it:
	// who took part, never what they chose.
	TypeParticipationRecorded = "consultations.consultation.participation_recorded"
)

// eventSchemaV1 is the schema of every consultations payload so far.
const eventSchemaV1 = 1

// Elector is an organisation of the electorate with its weight, as events record it.
type Elector struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	Weight         int       `json:"weight"`
}

// CastBy is who cast a ballot: the user and the organisation they acted for (the voting
// organisation itself, or the holder of its proxy).
type CastBy struct {
	User         string    `json:"user"`
	Organisation uuid.UUID `json:"organisation"`
}

// ConsultationOpened: a consultation is open, with everything that decides its outcome
// (options, electorate and weights, quorum, deadline), so that the tally can be
// re-checked from the log alone.
type ConsultationOpened struct {
	ConsultationID uuid.UUID `json:"consultation_id"`
	Question       string    `json:"question"`
	Description    string    `json:"description,omitempty"`
	Kind           Kind      `json:"kind"`
	Options        []Option  `json:"options"`
	// MaxChoices is set for multiple_choice only.
	MaxChoices int        `json:"max_choices,omitempty"`
	Electorate []Elector  `json:"electorate"`
	Quorum     Quorum     `json:"quorum"`
	Deadline   time.Time  `json:"deadline"`
	Secret     bool       `json:"secret"`
	Results    Visibility `json:"results"`
	// OpinionID and OpinionTextSHA256 name the opinion version put to the vote, if any.
	OpinionID         *uuid.UUID `json:"opinion_id,omitempty"`
	OpinionTextSHA256 string     `json:"opinion_text_sha256,omitempty"`
}

// EventType implements events.Payload.
func (ConsultationOpened) EventType() string { return TypeConsultationOpened }

// ProxyGranted: an organisation of the electorate gave its proxy to another organisation.
type ProxyGranted struct {
	ConsultationID     uuid.UUID `json:"consultation_id"`
	FromOrganisationID uuid.UUID `json:"from_organisation_id"`
	ToOrganisationID   uuid.UUID `json:"to_organisation_id"`
	// SignedOn is the civil date (2006-01-02) on the proxy.
	SignedOn string `json:"signed_on"`
	Note     string `json:"note,omitempty"`
	// RecordedBySecretariat tells a paper proxy the secretariat recorded from one the
	// granting organisation gave itself.
	RecordedBySecretariat bool `json:"recorded_by_secretariat"`
}

// EventType implements events.Payload.
func (ProxyGranted) EventType() string { return TypeProxyGranted }

// ProxyRevoked: a proxy was withdrawn before it was used.
type ProxyRevoked struct {
	ConsultationID     uuid.UUID `json:"consultation_id"`
	FromOrganisationID uuid.UUID `json:"from_organisation_id"`
	ToOrganisationID   uuid.UUID `json:"to_organisation_id"`
	Reason             string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (ProxyRevoked) EventType() string { return TypeProxyRevoked }

// BallotCast: an organisation's first ballot in an open (non-secret) consultation. There
// is at most one per organisation and consultation. (Logs written before secret ballots
// were sealed may hold BallotCast events of secret consultations too; they still count.)
type BallotCast struct {
	ConsultationID uuid.UUID `json:"consultation_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
	Choices        []string  `json:"choices"`
	Weight         int       `json:"weight"`
	CastBy         CastBy    `json:"cast_by"`
	ViaProxy       bool      `json:"via_proxy"`
}

// EventType implements events.Payload.
func (BallotCast) EventType() string { return TypeBallotCast }

// BallotChanged: an organisation replaced its ballot in an open (non-secret)
// consultation. Every change is its own event, numbered.
type BallotChanged struct {
	ConsultationID uuid.UUID `json:"consultation_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
	Choices        []string  `json:"choices"`
	Weight         int       `json:"weight"`
	CastBy         CastBy    `json:"cast_by"`
	ViaProxy       bool      `json:"via_proxy"`
	// Sequence numbers the organisation's changes: 1 for the first change.
	Sequence int `json:"sequence"`
}

// EventType implements events.Payload.
func (BallotChanged) EventType() string { return TypeBallotChanged }

// ParticipationRecorded: an organisation took part in a secret consultation. It holds
// nothing derived from the choices, which went, sealed, into the ballot box (see
// BallotBox) and come out, unlinked, in the closing event's SecretBallots. There is at
// most one per organisation and consultation, and a secret ballot is never changed.
type ParticipationRecorded struct {
	ConsultationID uuid.UUID `json:"consultation_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
	Weight         int       `json:"weight"`
	CastBy         CastBy    `json:"cast_by"`
	ViaProxy       bool      `json:"via_proxy"`
}

// EventType implements events.Payload.
func (ParticipationRecorded) EventType() string { return TypeParticipationRecorded }

// SecretBallot is one distinct ballot of a secret consultation as its closing event
// publishes it: the choices (in the ballot's order), how many organisations cast exactly
// these choices and their total weight. Identical ballots are merged and the list is
// sorted by choices, so that neither order nor a single organisation's weight tells who
// cast which; Tally recounts the result from them.
type SecretBallot struct {
	Choices []string `json:"choices"`
	Ballots int      `json:"ballots"`
	Weight  int      `json:"weight"`
}

// ConsultationClosed: voting is over and Result is the tally, computed once, here. It
// repeats the opinion binding so that a process manager can adopt or reject the opinion
// from this event alone.
type ConsultationClosed struct {
	ConsultationID uuid.UUID `json:"consultation_id"`
	// AtDeadline tells a close at the deadline from an early close by the secretariat.
	AtDeadline bool       `json:"at_deadline"`
	Reason     string     `json:"reason,omitempty"`
	ClosedAt   time.Time  `json:"closed_at"`
	Result     Result     `json:"result"`
	OpinionID  *uuid.UUID `json:"opinion_id,omitempty"`
	// OpinionTextSHA256 is the frozen text the electorate voted on.
	OpinionTextSHA256 string `json:"opinion_text_sha256,omitempty"`
	// Secret is set when the consultation was secret; SecretBallots then holds its
	// ballots, out of the ballot box, without organisations (see SecretBallot).
	Secret        bool           `json:"secret,omitempty"`
	SecretBallots []SecretBallot `json:"secret_ballots,omitempty"`
}

// EventType implements events.Payload.
func (ConsultationClosed) EventType() string { return TypeConsultationClosed }

// Register records the consultations event types in r (schema 1 each). Registering them
// again in the same registry is harmless.
func Register(r *events.Registry) {
	events.MustRegister[ConsultationOpened](r, eventSchemaV1)
	events.MustRegister[ProxyGranted](r, eventSchemaV1)
	events.MustRegister[ProxyRevoked](r, eventSchemaV1)
	events.MustRegister[BallotCast](r, eventSchemaV1)
	events.MustRegister[BallotChanged](r, eventSchemaV1)
	events.MustRegister[ConsultationClosed](r, eventSchemaV1)
	events.MustRegister[ParticipationRecorded](r, eventSchemaV1)
}

// EventTypes lists the consultations event types, in the order of Register.
func EventTypes() []string {
	return []string{TypeConsultationOpened, TypeProxyGranted, TypeProxyRevoked, TypeBallotCast,
		TypeBallotChanged, TypeConsultationClosed, TypeParticipationRecorded}
}
