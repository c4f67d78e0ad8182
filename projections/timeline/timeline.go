// Package timeline is the decision timeline: one row per decision event of every context
// (membership, working groups, opinions, consultations, action sheets), newest first,
// saying who did what, when, in which group, about which object.
//
// Rows carry machine parameters (Summary), never sentences: the web app turns them into
// a sentence in the reader's language. Keystroke-level text changes
// (opinions.draft.changed) are folded into one row per opinion, per person and per ten
// minutes, so that co-drafting does not drown the decisions.
//
// The view is bounded: it keeps the last MaxEntries rows and drops older ones (its
// clients get them as tombstones); the timeline is the recent activity a person follows.
// The full history is the log's: Export folds it into an unbounded Archive and writes it
// as CSV or JSON.
package timeline

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/authz"
)

// View is the timeline view's name.
const View = "timeline"

// MaxEntries is how many rows the view keeps. A busy committee makes a few hundred
// decisions a month, so this is months of activity in a few megabytes at most, whatever
// the length of the log.
const MaxEntries = 2000

// DraftWindow is how long one person's successive text changes to one opinion fold into
// the same row, counted from the first change of the row.
const DraftWindow = 10 * time.Minute

// Object kinds: what a row links to.
const (
	KindCommittee    = "committee"
	KindOrganisation = "organisation"
	KindGroup        = "group"
	KindOpinion      = "opinion"
	KindConsultation = "consultation"
	KindSheet        = "sheet"
)

// Actor is who caused the entry. User (an e-mail address) is hidden from observers;
// Name is the representative's name when the directory knows the address.
type Actor struct {
	User         string `json:"user,omitempty"`
	Name         string `json:"name,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Role         string `json:"role,omitempty"`
}

// Object is what an entry is about, for a link to its page.
type Object struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// EntryRow is one entry of the timeline.
type EntryRow struct {
	// ID is the event's ID (for a folded row of text changes, the first one's).
	ID string `json:"id"`
	// Position is the event's global position (for a folded row, the last one's), which
	// orders the timeline.
	Position uint64    `json:"position"`
	Time     time.Time `json:"time"`
	// Since is when a folded row's first change happened; absent otherwise.
	Since *time.Time `json:"since,omitempty"`
	// Type is the event type, e.g. "opinions.opinion.adopted"; Context its first part.
	Type    string `json:"type"`
	Context string `json:"context"`
	Actor   Actor  `json:"actor"`
	// GroupID is the working group the entry happened in, when known.
	GroupID string `json:"group_id,omitempty"`
	Object  Object `json:"object"`
	// Organisations are the organisations the entry concerns (the actor's, the one added
	// or voting, a sheet's owner, a consultation's electorate), for notifications.
	Organisations []string `json:"organisations,omitempty"`
	// Summary holds the parameters of the sentence: title, question, status, acronym…
	Summary map[string]string `json:"summary,omitempty"`
	// Count is how many text changes a folded row stands for.
	Count int `json:"count,omitempty"`
	// Public tells whether observers see the entry: it is about the directory, a group
	// (not its attendance), an action sheet, a published opinion or a closed consultation.
	Public bool `json:"public"`
}

func (r *EntryRow) copy() EntryRow {
	c := *r
	c.Organisations = slices.Clone(r.Organisations)
	c.Summary = maps.Clone(r.Summary)
	if r.Since != nil {
		s := *r.Since
		c.Since = &s
	}
	return c
}

// Views returns a fresh timeline view.
func Views() []*projections.View {
	return []*projections.View{projections.NewView(View, newModel(MaxEntries), false).WithVisibility(Visible)}
}

// Visible is the timeline's rule per reader: observers see public entries only, without
// the e-mail address of who acted; everyone else sees every entry.
func Visible(actor events.Actor, row any) (any, bool) {
	r, ok := row.(EntryRow)
	if !ok {
		return nil, false
	}
	if !authz.Is(actor, authz.Observer) {
		return r, true
	}
	if !r.Public {
		return nil, false
	}
	r.Actor.User = ""
	return r, true
}

// model is the folded timeline. Besides the rows, it remembers what later events need to
// describe themselves: names and titles of objects, the group of each object, and which
// opinions are published and which consultations closed. Those maps grow with the number
// of objects, not of events.
type model struct {
	max int
	// archive keeps every row and no order (Rows sorts them): the export's whole history,
	// without the cost of moving folded rows to the top of a long list.
	archive bool
	rows    map[string]*EntryRow
	order   []string // row IDs by position, oldest first
	// about lists the rows in the window about each object ("kind:id").
	about map[string][]string
	// public holds the opinions published and consultations closed ("kind:id").
	public map[string]bool
	// names holds each object's title ("kind:id"; "meeting:id" too).
	names map[string]string
	// groupOf is the working group of opinions, consultations and sheets (by ID).
	groupOf map[string]string
	// owners is the owner organisation of each sheet.
	owners map[string]string
	// people maps representatives' e-mail addresses and IDs to their names.
	people map[string]string
	// drafts is the open folded row of text changes of each opinion and person.
	drafts map[string]string
}

func newModel(max int) *model {
	return &model{max: max, rows: map[string]*EntryRow{}, about: map[string][]string{}, public: map[string]bool{},
		names: map[string]string{}, groupOf: map[string]string{}, owners: map[string]string{}, people: map[string]string{}, drafts: map[string]string{}}
}

func key(kind, id string) string { return kind + ":" + id }

// Apply implements projections.Model.
func (m *model) Apply(ev events.Event, p events.Payload) ([]string, error) {
	e, ok := m.describe(ev, p)
	if !ok {
		return nil, nil
	}
	if e.fold != "" {
		if id, changed := m.foldDraft(ev, e); changed {
			return append([]string{id}, m.evict()...), nil
		}
	}
	row := &EntryRow{ID: ev.ID.String(), Position: ev.Position, Time: ev.Time.UTC(), Type: ev.Type,
		Context: contextOf(ev.Type), Actor: m.actor(ev.Meta.Actor), GroupID: e.group, Object: e.object,
		Organisations: organisations(ev.Meta.Actor.Organisation, e.orgs), Summary: e.summary}
	objectKey := key(e.object.Kind, e.object.ID)
	row.Public = e.public || m.public[objectKey]
	if e.fold != "" {
		since := row.Time
		row.Since, row.Count = &since, 1
		m.drafts[e.fold] = row.ID
	}
	m.insert(row)
	changed := []string{row.ID}
	if e.publish {
		// The object became public: so do the entries about it still in the window.
		m.public[objectKey] = true
		for _, id := range m.about[objectKey] {
			if r := m.rows[id]; r != nil && !r.Public {
				r.Public = true
				changed = append(changed, id)
			}
		}
	}
	return append(changed, m.evict()...), nil
}

// foldDraft adds a text change to the person's open row for the opinion, if it is recent
// enough; it reports the row's ID and true, or false when a new row is needed.
func (m *model) foldDraft(ev events.Event, e entry) (string, bool) {
	id, ok := m.drafts[e.fold]
	r := m.rows[id]
	if !ok || r == nil || r.Since == nil || ev.Time.UTC().Sub(*r.Since) >= DraftWindow {
		return "", false
	}
	r.Count++
	r.Time, r.Position = ev.Time.UTC(), ev.Position
	if !m.archive {
		// The row moves to the top: the position orders the timeline.
		m.order = slices.DeleteFunc(m.order, func(s string) bool { return s == id })
		m.order = append(m.order, id)
	}
	return id, true
}

func (m *model) insert(r *EntryRow) {
	m.rows[r.ID] = r
	if !m.archive {
		m.order = append(m.order, r.ID)
	}
	k := key(r.Object.Kind, r.Object.ID)
	m.about[k] = append(m.about[k], r.ID)
}

// evict drops the oldest rows beyond max and returns their IDs.
func (m *model) evict() []string {
	var gone []string
	for len(m.order) > m.max {
		id := m.order[0]
		m.order = m.order[1:]
		r := m.rows[id]
		delete(m.rows, id)
		gone = append(gone, id)
		if r == nil {
			continue
		}
		k := key(r.Object.Kind, r.Object.ID)
		if rest := slices.DeleteFunc(m.about[k], func(s string) bool { return s == id }); len(rest) > 0 {
			m.about[k] = rest
		} else {
			delete(m.about, k)
		}
		for f, rid := range m.drafts {
			if rid == id {
				delete(m.drafts, f)
			}
		}
	}
	if len(gone) > 0 {
		// Let the backing array go: order is trimmed from the front forever.
		m.order = slices.Clone(m.order)
	}
	return gone
}

func (m *model) actor(a events.Actor) Actor {
	return Actor{User: a.User, Name: m.people[a.User], Organisation: a.Organisation, Role: a.Role}
}

// Row implements projections.Model.
func (m *model) Row(id string) (any, bool) { return projections.RowByID(m.rows, id, (*EntryRow).copy) }

// Rows implements projections.Model: newest first.
func (m *model) Rows() []any {
	rows := m.oldestFirst()
	out := make([]any, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, rows[i].copy())
	}
	return out
}

// oldestFirst lists the rows by position, oldest first (the order the list keeps, or, for
// an archive, sorted).
func (m *model) oldestFirst() []*EntryRow {
	if m.archive {
		return slices.SortedFunc(maps.Values(m.rows), func(a, b *EntryRow) int { return cmp.Compare(a.Position, b.Position) })
	}
	rows := make([]*EntryRow, 0, len(m.order))
	for _, id := range m.order {
		if r, ok := m.rows[id]; ok {
			rows = append(rows, r)
		}
	}
	return rows
}

// RowType describes the rows for the OpenAPI document.
func (*model) RowType() any { return EntryRow{} }

func contextOf(eventType string) string {
	for i := range len(eventType) {
		if eventType[i] == '.' {
			return eventType[:i]
		}
	}
	return eventType
}

// organisations lists the actor's organisation and the others an entry concerns, once
// each, in that order.
func organisations(actor string, others []string) []string {
	var out []string
	for _, o := range append([]string{actor}, others...) {
		if o != "" && o != "00000000-0000-0000-0000-000000000000" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
