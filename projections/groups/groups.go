// Package groups is the working groups read model: one row per working group with its
// member organisations and its meetings (agenda, attendance, minutes), folded from the
// workinggroups context's events.
//
// Observers read groups as published material: without attendance. Minutes are in the
// log only once published (workinggroups.meeting.minutes_published), so every reader who
// may read the view sees them.
package groups

import (
	"cmp"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/authz"
)

// View is the name of the working groups view.
const View = "groups"

// Status of a group.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// GroupRow is a working group as the workspace shows it.
type GroupRow struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Theme string `json:"theme"`
	// Status is "open" or "closed".
	Status string `json:"status"`
	// Description is the group's mandate: what the committee expects of it.
	Description string `json:"description,omitempty"`
	CloseReason string `json:"close_reason,omitempty"`
	// LeadOrganisationID leads the group; it is among Members.
	LeadOrganisationID string `json:"lead_organisation_id"`
	// Members are the current member organisations, in the order they joined.
	Members []Member `json:"members"`
	// Meetings are every meeting of the group, by starting time.
	Meetings []Meeting `json:"meetings"`
	// Revision is the group stream's revision: send it as If-Match with a working-groups
	// command to have it refused (wrong_revision) if the group changed meanwhile.
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

// Member is a member organisation of a group.
type Member struct {
	OrganisationID string `json:"organisation_id"`
	// Since is the day (YYYY-MM-DD, UTC) the organisation joined the group.
	Since string `json:"since"`
	Lead  bool   `json:"lead,omitempty"`
}

// Meeting is a meeting of a group: an ordinary meeting, a journée de partage or a
// conférence de consensus.
type Meeting struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Kind is meeting, journee_de_partage or conference_de_consensus.
	Kind     string       `json:"kind"`
	StartsAt time.Time    `json:"starts_at"`
	Place    string       `json:"place,omitempty"`
	VideoURL string       `json:"video_url,omitempty"`
	Agenda   []AgendaItem `json:"agenda"`
	// Attendance is the latest recording of who attended (absent if none, and always
	// absent for observers).
	Attendance *Attendance `json:"attendance,omitempty"`
	// MinutesPublished tells whether any minutes were published.
	MinutesPublished bool `json:"minutes_published"`
	// Minutes are every published version of the minutes, oldest first.
	Minutes []Minutes `json:"minutes"`
}

// AgendaItem is one item of a meeting's agenda, in the order the items are taken.
type AgendaItem struct {
	Title                   string `json:"title"`
	PresenterOrganisationID string `json:"presenter_organisation_id,omitempty"`
}

// Attendance is who attended a meeting and who sent apologies (organisation IDs, sorted).
type Attendance struct {
	Version    int       `json:"version"`
	Present    []string  `json:"present"`
	Excused    []string  `json:"excused"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Minutes is one published version of a meeting's minutes.
type Minutes struct {
	Version     int       `json:"version"`
	Text        string    `json:"text"`
	PublishedAt time.Time `json:"published_at"`
}

// Views returns a fresh groups view.
func Views() []*projections.View {
	return []*projections.View{
		projections.NewView(View, &model{groups: map[string]*GroupRow{}}, false).WithVisibility(Visible),
	}
}

// Visible is the view's rule: observers see groups without attendance; everybody else
// who may read the view sees them whole.
func Visible(actor events.Actor, row any) (any, bool) {
	g, ok := row.(GroupRow)
	if !ok {
		return row, true
	}
	if !authz.Is(actor, authz.Observer) {
		return g, true
	}
	c := g.copy()
	for i := range c.Meetings {
		c.Meetings[i].Attendance = nil
	}
	return c, true
}

// model holds the groups by ID.
type model struct {
	groups map[string]*GroupRow
}

func (m *model) Row(id string) (any, bool) {
	return projections.RowByID(m.groups, id, (*GroupRow).copy)
}

// Rows returns the groups: open ones first, then by name.
func (m *model) Rows() []any {
	return projections.SortedRows(m.groups, compareGroups, (*GroupRow).copy)
}

// RowType describes the rows for the OpenAPI document.
func (*model) RowType() any { return GroupRow{} }

// compareGroups orders groups: open before closed, then by name, then by ID.
func compareGroups(a, b *GroupRow) int {
	if a.Status != b.Status {
		if a.Status == StatusOpen {
			return -1
		}
		return 1
	}
	return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
}

// copy returns a deep copy the caller may keep: rows leave the view's lock as JSON later.
func (g *GroupRow) copy() GroupRow {
	c := *g
	c.Members = append([]Member{}, g.Members...)
	c.Meetings = make([]Meeting, len(g.Meetings))
	for i, mt := range g.Meetings {
		mc := mt
		mc.Agenda = append([]AgendaItem{}, mt.Agenda...)
		mc.Minutes = append([]Minutes{}, mt.Minutes...)
		if mt.Attendance != nil {
			a := *mt.Attendance
			a.Present = append([]string{}, a.Present...)
			a.Excused = append([]string{}, a.Excused...)
			mc.Attendance = &a
		}
		c.Meetings[i] = mc
	}
	return c
}
