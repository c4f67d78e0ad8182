// Package drafts is the change log of the texts being co-drafted: the view
// "opinion-updates" holds one row per accepted change of a text (opinions.draft.changed),
// with the CodeMirror change set as stored, so that an editor can pull what it missed.
//
// The rows of a text are "<opinion id>/<version>", grouped under the opinion ID
// (projections.Nested): a live subscription "opinion-updates:<id>" follows every change of
// that text. The client flow is: read "opinion-details:<id>" (text, version, position P),
// then subscribe live to "opinion-updates:<id>" with since = P; it gets exactly the
// changes after P, then each new one; after a reconnect, since = the last position it
// saw gives exactly the ones it missed. A client drops the changes whose version is at
// or below its own (@codemirror/collab's receiveUpdates expects the next ones only).
//
// Versions are zero-padded to ten digits in the IDs so that the IDs of one text sort in
// version order: the view sends the rows changed by one event in ID order (e.g. every
// row of a text when it is published), and clients that key rows by ID can sort them.
//
// Visibility is the opinion views' own rule (opinions.Readable): observers read the
// changes of published texts only, without users' e-mail addresses.
package drafts

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/opinions"
	svc "github.com/comite-partenaires/comite/services/opinions"
)

// UpdatesView is the view's name.
const UpdatesView = "opinion-updates"

// Actor is who made a change: the user (an e-mail address, hidden from observers) and
// the organisation they acted for.
type Actor struct {
	User           string `json:"user,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
}

// UpdateRow is one accepted change of a text.
type UpdateRow struct {
	// ID is "<opinion id>/<version>", the version zero-padded to ten digits.
	ID        string `json:"id"`
	OpinionID string `json:"opinion_id"`
	// Version is the text's version after the change: the change takes the text from
	// Version-1 to Version.
	Version int `json:"version"`
	// ClientID is the co-drafting editor that pushed it ("" for other sources).
	ClientID string `json:"client_id"`
	// Source is initial, push, edit or amendment.
	Source string `json:"source"`
	// Changes is the change set in CodeMirror's JSON form (ChangeSet.toJSON), as stored.
	Changes json.RawMessage `json:"changes"`
	Actor   Actor           `json:"actor"`
	Time    time.Time       `json:"time"`
	// Position is the event's position in the log: where to resume from.
	Position uint64 `json:"position"`
	// Public tells whether observers may read the text (it is published).
	Public bool `json:"public,omitempty"`
}

// RowID is the ID of the row of version of the text opinionID.
func RowID(opinionID string, version int) string {
	return fmt.Sprintf("%s/%010d", opinionID, version)
}

// text is what the model keeps of one text.
type text struct {
	// Status is the text's lifecycle status, folded by the service's Evolve.
	Status svc.State   `json:"status"`
	Public bool        `json:"public,omitempty"`
	Rows   []UpdateRow `json:"rows"`
}

// model holds the changes of every text.
type model struct {
	Texts map[string]*text `json:"texts"`
}

func newModel() *model { return &model{Texts: map[string]*text{}} }

// Views returns a fresh opinion-updates view.
func Views() []*projections.View {
	return []*projections.View{projections.NewView(UpdatesView, newModel(), false).WithVisibility(visible)}
}

// visible applies the opinion views' rule to a change.
func visible(actor events.Actor, row any) (any, bool) {
	r, ok := row.(UpdateRow)
	if !ok {
		return nil, false
	}
	ok, anonymous := opinions.Readable(actor, r.Public)
	if !ok {
		return nil, false
	}
	if anonymous {
		r.Actor.User = ""
	}
	return r, true
}

// Apply implements projections.Model.
func (m *model) Apply(ev events.Event, p events.Payload) ([]string, error) {
	switch e := p.(type) {
	case svc.Created:
		id := e.OpinionID.String()
		if m.Texts[id] == nil {
			m.Texts[id] = &text{Status: svc.StateDraft, Rows: []UpdateRow{}}
		}
		return nil, nil
	case svc.DraftChanged:
		id := e.OpinionID.String()
		t := m.Texts[id]
		if t == nil {
			return nil, nil
		}
		a := ev.Meta.Actor
		row := UpdateRow{ID: RowID(id, e.Version), OpinionID: id, Version: e.Version, ClientID: e.ClientID,
			Source: e.Source, Changes: e.Changes, Actor: Actor{User: a.User, OrganisationID: a.Organisation},
			Time: ev.Time, Position: ev.Position, Public: t.Public}
		t.Rows = append(slices.Clip(t.Rows), row)
		return []string{row.ID}, nil
	}
	id, ok := opinionOf(p)
	if !ok {
		return nil, nil
	}
	t := m.Texts[id]
	if t == nil {
		return nil, nil
	}
	t.Status = svc.Evolve(svc.Opinion{Created: true, State: t.Status}, p).State
	public := opinions.Public(string(t.Status))
	if public == t.Public {
		return nil, nil
	}
	// Observers now see the changes, or no longer do: every row of the text changes.
	t.Public = public
	rows := make([]UpdateRow, len(t.Rows))
	ids := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		r.Public = public
		rows[i], ids[i] = r, r.ID
	}
	t.Rows = rows
	return ids, nil
}

// opinionOf names the text of a status event (the events Evolve folds, other than
// Created and DraftChanged).
func opinionOf(p events.Payload) (string, bool) {
	switch e := p.(type) {
	case svc.SubmittedForReview:
		return e.OpinionID.String(), true
	case svc.VotingOpened:
		return e.OpinionID.String(), true
	case svc.Adopted:
		return e.OpinionID.String(), true
	case svc.Rejected:
		return e.OpinionID.String(), true
	case svc.Published:
		return e.OpinionID.String(), true
	case svc.Withdrawn:
		return e.OpinionID.String(), true
	}
	return "", false
}

// Row implements projections.Model.
func (m *model) Row(id string) (any, bool) {
	opinion, rest, ok := strings.Cut(id, "/")
	if !ok {
		return nil, false
	}
	t := m.Texts[opinion]
	if t == nil {
		return nil, false
	}
	var version int
	if _, err := fmt.Sscanf(rest, "%d", &version); err != nil || RowID(opinion, version) != id {
		return nil, false
	}
	i := sort.Search(len(t.Rows), func(i int) bool { return t.Rows[i].Version >= version })
	if i < len(t.Rows) && t.Rows[i].Version == version {
		return t.Rows[i], true
	}
	return nil, false
}

// Rows implements projections.Model: every change, by text ID then version.
func (m *model) Rows() []any {
	ids := make([]string, 0, len(m.Texts))
	for id := range m.Texts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []any
	for _, id := range ids {
		out = append(out, m.RowsUnder(id)...)
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// RowsUnder implements projections.Nested: the changes of one text, in version order.
func (m *model) RowsUnder(parent string) []any {
	t := m.Texts[parent]
	if t == nil {
		return nil
	}
	out := make([]any, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r
	}
	return out
}

// RowType describes the rows for the OpenAPI document.
func (*model) RowType() any { return UpdateRow{} }

// stateVersion is the form of the saved state and of the folding; bump it when either
// changes.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m *model) SaveState() ([]byte, error) { return projections.SaveJSON("drafts: saving", m) }

// LoadState implements projections.Persistent: it replaces the state with a saved one, or
// leaves it as it was on error.
func (m *model) LoadState(b []byte) error {
	fresh := &model{}
	if err := projections.LoadJSON("drafts: loading", b, fresh); err != nil {
		return err
	}
	if fresh.Texts == nil {
		return fmt.Errorf("drafts: loading: incomplete state")
	}
	for id, t := range fresh.Texts {
		if t == nil {
			return fmt.Errorf("drafts: loading: no state for text %s", id)
		}
		if t.Rows == nil {
			t.Rows = []UpdateRow{}
		}
	}
	*m = *fresh
	return nil
}
