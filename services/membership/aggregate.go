// Package membership is the committee's membership context: the committee itself, its
// organisations (associations of elected officials, public operators, ministries), their
// representatives with their roles, and the joint secretariat.
//
// One deployment serves one committee, so the committee is one aggregate, in the stream
// CommitteeStream: uniqueness rules (one acronym, one e-mail address) are pure decisions
// over its state.
package membership

import (
	"context"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/internal/cow"
	"github.com/comite-partenaires/comite/services/bus"
)

// CommitteeID is the fixed ID of the committee a deployment serves:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:membership:committee").
const CommitteeID = "bb2db1eb-e884-5b8d-8930-46199b7def92"

// CommitteeStream is the stream of the committee aggregate.
const CommitteeStream = "committee-" + CommitteeID

// idNamespace is the UUID namespace of the IDs this context derives from command IDs:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:membership:ids").
var idNamespace = uuid.MustParse("b974af3d-c40d-5b3a-94c1-06ed02d0d0a1")

// OrganisationIDFor is the ID of the organisation added by the command commandID: a
// retried command names the same organisation, and a client knows the ID in advance.
func OrganisationIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("organisation/"+commandID))
}

// RepresentativeIDFor is the ID of the representative added by the command commandID.
func RepresentativeIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("representative/"+commandID))
}

// Committee is the state of the committee aggregate. Its maps are never modified in
// place: Evolve returns a state with new maps, so earlier states stay valid.
type Committee struct {
	Created     bool
	Name        string
	Acronym     string
	Description string
	// Secretariat is the organisation holding the joint secretariat (uuid.Nil if none).
	Secretariat     uuid.UUID
	Organisations   map[uuid.UUID]Organisation
	Representatives map[uuid.UUID]Representative
}

// Organisation is a member organisation, current or removed.
type Organisation struct {
	ID      uuid.UUID
	Name    string
	Acronym string
	Kind    Kind
	Website string
	Removed bool
}

// Representative is a person representing an organisation, current or removed.
type Representative struct {
	ID             uuid.UUID
	OrganisationID uuid.UUID
	Name           string
	Email          string
	Role           Role
	Removed        bool
}

// Evolve folds one event into the committee. It is pure: c is not modified. Events of
// other contexts are ignored.
func Evolve(c Committee, p events.Payload) Committee {
	switch e := p.(type) {
	case CommitteeCreated:
		c.Created, c.Name, c.Acronym, c.Description = true, e.Name, e.Acronym, e.Description
	case SecretariatDesignated:
		c.Secretariat = e.OrganisationID
	case OrganisationAdded:
		c.Organisations = cow.With(c.Organisations, e.OrganisationID, Organisation{ID: e.OrganisationID,
			Name: e.Name, Acronym: e.Acronym, Kind: e.Kind, Website: e.Website})
	case OrganisationUpdated:
		o := c.Organisations[e.OrganisationID]
		o.ID, o.Name, o.Acronym, o.Kind, o.Website = e.OrganisationID, e.Name, e.Acronym, e.Kind, e.Website
		c.Organisations = cow.With(c.Organisations, e.OrganisationID, o)
	case OrganisationRemoved:
		o := c.Organisations[e.OrganisationID]
		o.ID, o.Removed = e.OrganisationID, true
		c.Organisations = cow.With(c.Organisations, e.OrganisationID, o)
	case RepresentativeAdded:
		c.Representatives = cow.With(c.Representatives, e.RepresentativeID, Representative{ID: e.RepresentativeID,
			OrganisationID: e.OrganisationID, Name: e.Name, Email: e.Email, Role: e.Role})
	case RepresentativeRoleChanged:
		r := c.Representatives[e.RepresentativeID]
		r.ID, r.Role = e.RepresentativeID, e.Role
		c.Representatives = cow.With(c.Representatives, e.RepresentativeID, r)
	case RepresentativeRemoved:
		r := c.Representatives[e.RepresentativeID]
		r.ID, r.Removed = e.RepresentativeID, true
		c.Representatives = cow.With(c.Representatives, e.RepresentativeID, r)
	}
	return c
}

// Fold evolves the empty committee through evs: the state after them.
func Fold(evs ...events.Payload) Committee {
	var c Committee
	for _, e := range evs {
		c = Evolve(c, e)
	}
	return c
}

// LoadCommittee reads the committee as it stands in st: what other contexts check
// organisations against before deciding (see bus.Decider.Prepare). It registers the
// membership event types in reg.
func LoadCommittee(ctx context.Context, st store.Store, reg *events.Registry) (Committee, error) {
	Register(reg)
	c, _, err := bus.Fold(ctx, st, reg, CommitteeStream, Committee{}, Evolve)
	return c, err
}

// ActiveOrganisation returns the organisation id if it is a current member of the committee.
func (c Committee) ActiveOrganisation(id uuid.UUID) (Organisation, bool) {
	o, ok := c.Organisations[id]
	return o, ok && !o.Removed
}
