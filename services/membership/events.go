package membership

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// Event types of the membership context. They are history: never rename one.
const (
	TypeCommitteeCreated          = "membership.committee.created"
	TypeSecretariatDesignated     = "membership.committee.secretariat_designated"
	TypeOrganisationAdded         = "membership.organisation.added"
	TypeOrganisationUpdated       = "membership.organisation.updated"
	TypeOrganisationRemoved       = "membership.organisation.removed"
	TypeRepresentativeAdded       = "membership.representative.added"
	TypeRepresentativeRoleChanged = "membership.representative.role_changed"
	TypeRepresentativeRemoved     = "membership.representative.removed"
)

// eventSchemaV1 is the schema of every membership payload so far.
const eventSchemaV1 = 1

// CommitteeCreated: the committee exists, with its name.
type CommitteeCreated struct {
	CommitteeID uuid.UUID `json:"committee_id"`
	Name        string    `json:"name"`
	Acronym     string    `json:"acronym,omitempty"`
	Description string    `json:"description,omitempty"`
}

// EventType implements events.Payload.
func (CommitteeCreated) EventType() string { return TypeCommitteeCreated }

// SecretariatDesignated: an organisation now holds the committee's joint secretariat.
type SecretariatDesignated struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	// PreviousOrganisationID is the organisation that held it before, if any.
	PreviousOrganisationID *uuid.UUID `json:"previous_organisation_id,omitempty"`
}

// EventType implements events.Payload.
func (SecretariatDesignated) EventType() string { return TypeSecretariatDesignated }

// OrganisationAdded: an organisation joined the committee.
type OrganisationAdded struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	Name           string    `json:"name"`
	Acronym        string    `json:"acronym"`
	Kind           Kind      `json:"kind"`
	Website        string    `json:"website,omitempty"`
}

// EventType implements events.Payload.
func (OrganisationAdded) EventType() string { return TypeOrganisationAdded }

// OrganisationUpdated: an organisation's details changed. It carries every editable
// field's new value, so that readers need no earlier event to know the current state.
type OrganisationUpdated struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	Name           string    `json:"name"`
	Acronym        string    `json:"acronym"`
	Kind           Kind      `json:"kind"`
	// Website is empty when the organisation has none (any more).
	Website string `json:"website"`
}

// EventType implements events.Payload.
func (OrganisationUpdated) EventType() string { return TypeOrganisationUpdated }

// OrganisationRemoved: an organisation left the committee. Its representatives are
// removed by the same command, in the events that follow.
type OrganisationRemoved struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	Reason         string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (OrganisationRemoved) EventType() string { return TypeOrganisationRemoved }

// RepresentativeAdded: a person represents an organisation in the committee, in a role.
type RepresentativeAdded struct {
	RepresentativeID uuid.UUID `json:"representative_id"`
	OrganisationID   uuid.UUID `json:"organisation_id"`
	Name             string    `json:"name"`
	Email            string    `json:"email"`
	Role             Role      `json:"role"`
}

// EventType implements events.Payload.
func (RepresentativeAdded) EventType() string { return TypeRepresentativeAdded }

// RepresentativeRoleChanged: a representative's role changed.
type RepresentativeRoleChanged struct {
	RepresentativeID uuid.UUID `json:"representative_id"`
	OrganisationID   uuid.UUID `json:"organisation_id"`
	Role             Role      `json:"role"`
	PreviousRole     Role      `json:"previous_role"`
}

// EventType implements events.Payload.
func (RepresentativeRoleChanged) EventType() string { return TypeRepresentativeRoleChanged }

// RepresentativeRemoved: a person no longer represents their organisation.
type RepresentativeRemoved struct {
	RepresentativeID uuid.UUID `json:"representative_id"`
	OrganisationID   uuid.UUID `json:"organisation_id"`
	Reason           string    `json:"reason,omitempty"`
}

// EventType implements events.Payload.
func (RepresentativeRemoved) EventType() string { return TypeRepresentativeRemoved }

// Register records the membership event types in r (schema 1 each). Registering them
// again in the same registry is harmless.
func Register(r *events.Registry) {
	events.MustRegister[CommitteeCreated](r, eventSchemaV1)
	events.MustRegister[SecretariatDesignated](r, eventSchemaV1)
	events.MustRegister[OrganisationAdded](r, eventSchemaV1)
	events.MustRegister[OrganisationUpdated](r, eventSchemaV1)
	events.MustRegister[OrganisationRemoved](r, eventSchemaV1)
	events.MustRegister[RepresentativeAdded](r, eventSchemaV1)
	events.MustRegister[RepresentativeRoleChanged](r, eventSchemaV1)
	events.MustRegister[RepresentativeRemoved](r, eventSchemaV1)
}

// EventTypes lists the membership event types, in the order of Register.
func EventTypes() []string {
	return []string{TypeCommitteeCreated, TypeSecretariatDesignated, TypeOrganisationAdded,
		TypeOrganisationUpdated, TypeOrganisationRemoved, TypeRepresentativeAdded,
		TypeRepresentativeRoleChanged, TypeRepresentativeRemoved}
}
