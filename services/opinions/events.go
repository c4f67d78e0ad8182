package opinions

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/themes"
)

// Event types of the opinions context. They are history: never rename one.
const (
	TypeCreated            = "opinions.opinion.created"
	TypeDraftChanged       = "opinions.draft.changed"
	TypeSubmittedForReview = "opinions.opinion.submitted_for_review"
	TypeAmendmentProposed  = "opinions.amendment.proposed"
	TypeAmendmentAccepted  = "opinions.amendment.accepted"
	TypeAmendmentRejected  = "opinions.amendment.rejected"
	TypeVotingOpened       = "opinions.opinion.voting_opened"
	TypeAdopted            = "opinions.opinion.adopted"
	TypeRejected           = "opinions.opinion.rejected"
	TypePublished          = "opinions.opinion.published"
	TypeWithdrawn          = "opinions.opinion.withdrawn"
)

// eventSchemaV1 is the schema of every opinions payload so far.
const eventSchemaV1 = 1

// Sources of a text change (DraftChanged.Source): who made it, for the history the
// secretariat reads.
const (
	// SourceInitial: the text given when the opinion was created.
	SourceInitial = "initial"
	// SourcePush: changes pushed by a co-drafting editor (push-changes).
	SourcePush = "push"
	// SourceEdit: a whole-text edit (edit-text).
	SourceEdit = "edit"
	// SourceAmendment: an accepted amendment.
	SourceAmendment = "amendment"
)

// Created: a contribution, opinion or recommendation exists, as an empty draft at
// version 0 (an initial text follows as its first DraftChanged).
type Created struct {
	OpinionID uuid.UUID    `json:"opinion_id"`
	Kind      Kind         `json:"kind"`
	Title     string       `json:"title"`
	GroupID   uuid.UUID    `json:"group_id"`
	Theme     themes.Theme `json:"theme,omitempty"`
}

// EventType implements events.Payload.
func (Created) EventType() string { return TypeCreated }

// DraftChanged: the text moved from version Version-1 to Version by one CodeMirror
// change set. It is the only way the text ever changes, so that live co-drafting
// (@codemirror/collab) and every other edit share one history.
type DraftChanged struct {
	OpinionID uuid.UUID `json:"opinion_id"`
	// Version is the text's version after the change.
	Version int `json:"version"`
	// ClientID is the co-drafting editor that made the change (push only): an editor
	// recognises its own changes by it.
	ClientID string `json:"client_id,omitempty"`
	// Source is one of the Source constants.
	Source string `json:"source"`
	// AmendmentID is the accepted amendment (source "amendment" only).
	AmendmentID uuid.UUID `json:"amendment_id,omitzero"`
	// Changes is the change set in CodeMirror's JSON form (ChangeSet.toJSON), compact;
	// pushed sets are stored normalised (changeset.Normalize), as CodeMirror builds them.
	Changes json.RawMessage `json:"changes"`
}

// EventType implements events.Payload.
func (DraftChanged) EventType() string { return TypeDraftChanged }

// SubmittedForReview: the draft is closed to free editing; from now on the text changes
// only through amendments.
type SubmittedForReview struct {
	OpinionID uuid.UUID `json:"opinion_id"`
	Version   int       `json:"version"`
}

// EventType implements events.Payload.
func (SubmittedForReview) EventType() string { return TypeSubmittedForReview }

// AmendmentProposed: someone proposes to replace a passage of the text under review.
type AmendmentProposed struct {
	OpinionID   uuid.UUID `json:"opinion_id"`
	AmendmentID uuid.UUID `json:"amendment_id"`
	Passage     string    `json:"passage"`
	Replacement string    `json:"replacement"`
	Reason      string    `json:"reason,omitempty"`
	// Offset is where the passage starts in the text (its first occurrence), in UTF-16
	// code units as CodeMirror counts them.
	Offset int `json:"offset"`
	// Version is the version of the text the amendment was proposed on.
	Version int `json:"version"`
}

// EventType implements events.Payload.
func (AmendmentProposed) EventType() string { return TypeAmendmentProposed }

// AmendmentAccepted: an amendment is accepted; the DraftChanged that follows it in the
// same command applies it to the text.
type AmendmentAccepted struct {
	OpinionID   uuid.UUID `json:"opinion_id"`
	AmendmentID uuid.UUID `json:"amendment_id"`
}

// EventType implements events.Payload.
func (AmendmentAccepted) EventType() string { return TypeAmendmentAccepted }

// AmendmentRejected: an amendment is rejected; the text stays as it is.
type AmendmentRejected struct {
	OpinionID   uuid.UUID `json:"opinion_id"`
	AmendmentID uuid.UUID `json:"amendment_id"`
	Reason      string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (AmendmentRejected) EventType() string { return TypeAmendmentRejected }

// VotingOpened: the text is frozen at Version for the vote; the consultation binds to
// TextSHA256, so that what is adopted is exactly what was voted on.
type VotingOpened struct {
	OpinionID  uuid.UUID `json:"opinion_id"`
	Version    int       `json:"version"`
	Text       string    `json:"text"`
	TextSHA256 string    `json:"text_sha256"`
}

// EventType implements events.Payload.
func (VotingOpened) EventType() string { return TypeVotingOpened }

// Adopted: the consultation on the frozen text adopted it.
type Adopted struct {
	OpinionID      uuid.UUID `json:"opinion_id"`
	ConsultationID uuid.UUID `json:"consultation_id"`
	TextSHA256     string    `json:"text_sha256"`
}

// EventType implements events.Payload.
func (Adopted) EventType() string { return TypeAdopted }

// Rejected: the consultation on the frozen text rejected it.
type Rejected struct {
	OpinionID      uuid.UUID `json:"opinion_id"`
	ConsultationID uuid.UUID `json:"consultation_id"`
	TextSHA256     string    `json:"text_sha256"`
}

// EventType implements events.Payload.
func (Rejected) EventType() string { return TypeRejected }

// Published: the decided opinion is made public, with its outcome.
type Published struct {
	OpinionID uuid.UUID `json:"opinion_id"`
	// Outcome is "adopted" or "rejected".
	Outcome Outcome `json:"outcome"`
}

// EventType implements events.Payload.
func (Published) EventType() string { return TypePublished }

// Withdrawn: the opinion is abandoned before any decision.
type Withdrawn struct {
	OpinionID uuid.UUID `json:"opinion_id"`
	Reason    string    `json:"reason"`
	// From is the state it was withdrawn from (draft, in_review or voting).
	From State `json:"from"`
}

// EventType implements events.Payload.
func (Withdrawn) EventType() string { return TypeWithdrawn }

// Register records the opinions event types in r (schema 1 each). Registering them
// again in the same registry is harmless.
func Register(r *events.Registry) {
	events.MustRegister[Created](r, eventSchemaV1)
	events.MustRegister[DraftChanged](r, eventSchemaV1)
	events.MustRegister[SubmittedForReview](r, eventSchemaV1)
	events.MustRegister[AmendmentProposed](r, eventSchemaV1)
	events.MustRegister[AmendmentAccepted](r, eventSchemaV1)
	events.MustRegister[AmendmentRejected](r, eventSchemaV1)
	events.MustRegister[VotingOpened](r, eventSchemaV1)
	events.MustRegister[Adopted](r, eventSchemaV1)
	events.MustRegister[Rejected](r, eventSchemaV1)
	events.MustRegister[Published](r, eventSchemaV1)
	events.MustRegister[Withdrawn](r, eventSchemaV1)
}

// EventTypes lists the opinions event types, in the order of Register.
func EventTypes() []string {
	return []string{TypeCreated, TypeDraftChanged, TypeSubmittedForReview, TypeAmendmentProposed,
		TypeAmendmentAccepted, TypeAmendmentRejected, TypeVotingOpened, TypeAdopted, TypeRejected,
		TypePublished, TypeWithdrawn}
}
