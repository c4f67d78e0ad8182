package membership

import (
	"github.com/comite-partenaires/comite/services/bus"
)

// Context is the membership bounded context's name on the bus.
const Context = "membership"

// Command names (subjects comite.cmd.membership.<name>, gateway URLs).
const (
	CmdCreateCommittee      = "create-committee"
	CmdAddOrganisation      = "add-organisation"
	CmdUpdateOrganisation   = "update-organisation"
	CmdRemoveOrganisation   = "remove-organisation"
	CmdAddRepresentative    = "add-representative"
	CmdChangeRole           = "change-role"
	CmdRemoveRepresentative = "remove-representative"
	CmdDesignateSecretariat = "designate-secretariat"
)

// Kind is the kind of an organisation.
type Kind string

// Kinds of organisations in the committee.
const (
	// KindElectedOfficials: an association of elected officials (AMF, AMRF, ADF, Régions de France…).
	KindElectedOfficials Kind = "elected_officials_association"
	// KindPublicOperator: a public operator such as the Caisse des Dépôts.
	KindPublicOperator Kind = "public_operator"
	// KindMinistry: a ministry or one of its directorates (e.g. the DNE).
	KindMinistry Kind = "ministry"
	// KindOther: anything else, and the default.
	KindOther Kind = "other"
)

// Role is what a representative may do in the committee (see DESIGN.md, Security).
type Role string

// Roles of representatives.
const (
	// RoleSecretariat runs the committee.
	RoleSecretariat Role = "secretariat"
	// RoleMember acts for one organisation: one ballot per organisation per vote.
	RoleMember Role = "member"
	// RoleAuditor reads everything, exports the audit trail, changes nothing.
	RoleAuditor Role = "auditor"
	// RoleObserver reads published material.
	RoleObserver Role = "observer"
)

// CreateCommittee creates the committee this deployment serves.
type CreateCommittee struct {
	bus.Envelope `validate:"-"`
	Name         string `json:"name" validate:"required,notblank,max=200"`
	Acronym      string `json:"acronym,omitempty" validate:"omitempty,max=20,acronym"`
	Description  string `json:"description,omitempty" validate:"max=2000"`
}

// AddOrganisation adds an organisation to the committee. Its ID is derived from the
// command ID (OrganisationIDFor), so that a retried command names the same organisation.
type AddOrganisation struct {
	bus.Envelope `validate:"-"`
	Name         string `json:"name" validate:"required,notblank,max=200"`
	Acronym      string `json:"acronym" validate:"required,max=20,acronym"`
	// Kind defaults to "other".
	Kind    Kind   `json:"kind,omitempty" validate:"omitempty,oneof=elected_officials_association public_operator ministry other"`
	Website string `json:"website,omitempty" validate:"omitempty,max=300,http_url"`
}

// UpdateOrganisation changes an organisation's details; absent fields keep their value,
// and an empty website removes it.
type UpdateOrganisation struct {
	bus.Envelope   `validate:"-"`
	OrganisationID string  `json:"organisation_id" validate:"required,uuid"`
	Name           *string `json:"name,omitempty" validate:"omitnil,notblank,max=200"`
	Acronym        *string `json:"acronym,omitempty" validate:"omitnil,max=20,acronym"`
	Kind           *Kind   `json:"kind,omitempty" validate:"omitnil,oneof=elected_officials_association public_operator ministry other"`
	Website        *string `json:"website,omitempty" validate:"omitnil,max=300,http_url|len=0"`
}

// RemoveOrganisation removes an organisation, and its representatives, from the committee.
type RemoveOrganisation struct {
	bus.Envelope   `validate:"-"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	Reason         string `json:"reason,omitempty" validate:"max=500"`
}

// AddRepresentative makes a person an organisation's representative. Its ID is derived
// from the command ID (RepresentativeIDFor).
type AddRepresentative struct {
	bus.Envelope   `validate:"-"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	Name           string `json:"name" validate:"required,notblank,max=200"`
	Email          string `json:"email" validate:"required,max=254,email"`
	Role           Role   `json:"role" validate:"required,oneof=secretariat member auditor observer"`
}

// ChangeRole gives a representative another role.
type ChangeRole struct {
	bus.Envelope     `validate:"-"`
	RepresentativeID string `json:"representative_id" validate:"required,uuid"`
	Role             Role   `json:"role" validate:"required,oneof=secretariat member auditor observer"`
}

// RemoveRepresentative ends a person's representation.
type RemoveRepresentative struct {
	bus.Envelope     `validate:"-"`
	RepresentativeID string `json:"representative_id" validate:"required,uuid"`
	Reason           string `json:"reason,omitempty" validate:"max=500"`
}

// DesignateSecretariat gives an organisation the committee's joint secretariat (the DNE
// in the founding documents).
type DesignateSecretariat struct {
	bus.Envelope   `validate:"-"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
}

// Commands is the membership catalogue. It is pure: the gateway calls it to route
// commands and document them without running the service.
func Commands() []bus.CommandSpec {
	spec := func(name, summary string, newCmd func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: Context, Name: name, Summary: summary, New: newCmd}
	}
	return []bus.CommandSpec{
		spec(CmdCreateCommittee, "Create the committee this deployment serves.", func() any { return new(CreateCommittee) }),
		spec(CmdAddOrganisation, "Add an organisation to the committee.", func() any { return new(AddOrganisation) }),
		spec(CmdUpdateOrganisation, "Change an organisation's name, acronym, kind or website.", func() any { return new(UpdateOrganisation) }),
		spec(CmdRemoveOrganisation, "Remove an organisation and its representatives from the committee.", func() any { return new(RemoveOrganisation) }),
		spec(CmdAddRepresentative, "Make a person an organisation's representative, in a role.", func() any { return new(AddRepresentative) }),
		spec(CmdChangeRole, "Change a representative's role.", func() any { return new(ChangeRole) }),
		spec(CmdRemoveRepresentative, "End a person's representation.", func() any { return new(RemoveRepresentative) }),
		spec(CmdDesignateSecretariat, "Give an organisation the committee's joint secretariat.", func() any { return new(DesignateSecretariat) }),
	}
}
