// Package directory is the committee directory read model: the committee itself and its
// member organisations with their representatives, folded from membership events.
package directory

import (
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/membership"
)

// View names.
const (
	CommitteeView     = "committee"
	OrganisationsView = "organisations"
)

// CommitteeRow is the committee as the directory shows it.
type CommitteeRow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Acronym     string `json:"acronym,omitempty"`
	Description string `json:"description,omitempty"`
	// Secretariat is the ID of the organisation holding the joint secretariat, or "".
	Secretariat string `json:"secretariat"`
	// Organisations counts the current member organisations.
	Organisations int `json:"organisations"`
	// Revision is the committee stream's revision: send it as If-Match with a membership
	// command to have it refused (wrong_revision) if the committee changed meanwhile.
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

// Representative is a person representing an organisation. E-mail addresses are not in
// the directory: they are personal data, shown only where accounts are managed.
type Representative struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// OrganisationRow is a member organisation.
type OrganisationRow struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Acronym         string           `json:"acronym"`
	Kind            string           `json:"kind"`
	Website         string           `json:"website,omitempty"`
	Secretariat     bool             `json:"secretariat"`
	Representatives []Representative `json:"representatives"`
	Since           string           `json:"since"`
	Position        uint64           `json:"position"`
}

// Views returns fresh committee and organisations views.
func Views() []*projections.View {
	return []*projections.View{
		projections.NewView(CommitteeView, committeeModel{newDirectory()}, true),
		projections.NewView(OrganisationsView, organisationsModel{newDirectory()}, false),
	}
}

func newDirectory() *directory { return &directory{orgs: map[string]*OrganisationRow{}} }

// directory is the folded state. Each view folds its own copy (see Views): a view's
// state is guarded by that view's lock alone, and every event is folded once per copy.
type directory struct {
	committee *CommitteeRow
	orgs      map[string]*OrganisationRow
}

// apply folds one event and returns the committee's and the organisations' changed IDs.
func (d *directory) apply(ev events.Event, p events.Payload) (committee bool, orgs []string) {
	switch e := p.(type) {
	case membership.CommitteeCreated:
		d.committee = &CommitteeRow{ID: e.CommitteeID.String(), Name: e.Name, Acronym: e.Acronym, Description: e.Description}
		committee = true
	case membership.SecretariatDesignated:
		if d.committee != nil {
			if old, ok := d.orgs[d.committee.Secretariat]; ok {
				old.Secretariat, old.Position = false, ev.Position
				orgs = append(orgs, old.ID)
			}
			d.committee.Secretariat = e.OrganisationID.String()
			committee = true
		}
		if o, ok := d.orgs[e.OrganisationID.String()]; ok {
			o.Secretariat, o.Position = true, ev.Position
			orgs = append(orgs, o.ID)
		}
	case membership.OrganisationAdded:
		id := e.OrganisationID.String()
		d.orgs[id] = &OrganisationRow{ID: id, Name: e.Name, Acronym: e.Acronym, Kind: string(e.Kind),
			Website: e.Website, Representatives: []Representative{}, Since: ev.Time.Format("2006-01-02"), Position: ev.Position}
		orgs, committee = append(orgs, id), d.committee != nil
	case membership.OrganisationUpdated:
		if o, ok := d.orgs[e.OrganisationID.String()]; ok {
			o.Name, o.Acronym, o.Kind, o.Website, o.Position = e.Name, e.Acronym, string(e.Kind), e.Website, ev.Position
			orgs = append(orgs, o.ID)
		}
	case membership.OrganisationRemoved:
		id := e.OrganisationID.String()
		if _, ok := d.orgs[id]; ok {
			delete(d.orgs, id)
			orgs, committee = append(orgs, id), d.committee != nil
			if d.committee != nil && d.committee.Secretariat == id {
				d.committee.Secretariat = ""
			}
		}
	case membership.RepresentativeAdded:
		if o, ok := d.orgs[e.OrganisationID.String()]; ok {
			o.Representatives = append(o.Representatives, Representative{ID: e.RepresentativeID.String(), Name: e.Name, Role: string(e.Role)})
			o.Position = ev.Position
			orgs = append(orgs, o.ID)
		}
	case membership.RepresentativeRoleChanged:
		orgs = d.editRepresentative(ev, e.OrganisationID, e.RepresentativeID, func(r *Representative) bool { r.Role = string(e.Role); return true })
	case membership.RepresentativeRemoved:
		orgs = d.editRepresentative(ev, e.OrganisationID, e.RepresentativeID, func(*Representative) bool { return false })
	}
	if d.committee != nil && ev.Stream == membership.CommitteeStream {
		committee = true
		d.committee.Organisations = len(d.orgs)
		d.committee.Revision = ev.Revision
		d.committee.Position = ev.Position
	}
	return committee, orgs
}

// editRepresentative changes (keep == true) or removes a representative.
func (d *directory) editRepresentative(ev events.Event, orgID, repID uuid.UUID, keep func(*Representative) bool) []string {
	o, ok := d.orgs[orgID.String()]
	if !ok {
		return nil
	}
	reps := o.Representatives[:0:0]
	for _, r := range o.Representatives {
		if r.ID == repID.String() && !keep(&r) {
			continue
		}
		reps = append(reps, r)
	}
	o.Representatives, o.Position = reps, ev.Position
	return []string{o.ID}
}

// committeeModel serves the committee as a one-row view; the directory it embeds makes
// it projections.Persistent.
type committeeModel struct{ *directory }

func (m committeeModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	if c, _ := m.apply(ev, p); c && m.committee != nil {
		return []string{m.committee.ID}, nil
	}
	return nil, nil
}

func (m committeeModel) Row(id string) (any, bool) {
	if m.committee == nil || m.committee.ID != id {
		return nil, false
	}
	return *m.committee, true
}

func (m committeeModel) Rows() []any {
	if m.committee == nil {
		return nil
	}
	return []any{*m.committee}
}

// RowType describes the rows for the OpenAPI document.
func (committeeModel) RowType() any { return CommitteeRow{} }

// organisationsModel serves the member organisations, sorted by acronym; the directory
// it embeds makes it projections.Persistent.
type organisationsModel struct{ *directory }

func (m organisationsModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	_, orgs := m.apply(ev, p)
	return orgs, nil
}

func (m organisationsModel) Row(id string) (any, bool) {
	return projections.RowByID(m.orgs, id, (*OrganisationRow).copy)
}

func (m organisationsModel) Rows() []any {
	return projections.SortedRows(m.orgs, func(a, b *OrganisationRow) int {
		return strings.Compare(strings.ToLower(a.Acronym), strings.ToLower(b.Acronym))
	}, (*OrganisationRow).copy)
}

// RowType describes the rows for the OpenAPI document.
func (organisationsModel) RowType() any { return OrganisationRow{} }

// copy returns a value the caller may keep: rows leave the view's lock as JSON later.
func (o *OrganisationRow) copy() OrganisationRow {
	c := *o
	c.Representatives = append([]Representative(nil), o.Representatives...)
	return c
}
