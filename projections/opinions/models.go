package opinions

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/comite-partenaires/comite/events"
)

// stateVersion is the form of the saved state and of the folding; bump it when either
// changes (including the service's Opinion struct, saved as is).
const stateVersion = 1

// listModel serves the summary rows, the most recently changed first.
type listModel struct{ s *state }

// Apply implements projections.Model.
func (m listModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	list, _ := m.s.apply(ev, p)
	return list, nil
}

// Row implements projections.Model.
func (m listModel) Row(id string) (any, bool) {
	en, ok := m.s.Opinions[id]
	if !ok {
		return nil, false
	}
	return m.s.listRow(id, en), true
}

// Rows implements projections.Model.
func (m listModel) Rows() []any {
	ids := m.s.order(func(en *entry) uint64 { return en.Position })
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = m.s.listRow(id, m.s.Opinions[id])
	}
	return out
}

// RowType describes the rows for the OpenAPI document.
func (listModel) RowType() any { return OpinionRow{} }

// StateVersion implements projections.Persistent.
func (listModel) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m listModel) SaveState() ([]byte, error) { return m.s.save() }

// LoadState implements projections.Persistent.
func (m listModel) LoadState(b []byte) error { return m.s.load(b) }

// detailsModel serves the whole record of each text.
type detailsModel struct{ s *state }

// Apply implements projections.Model.
func (m detailsModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	_, details := m.s.apply(ev, p)
	return details, nil
}

// Row implements projections.Model.
func (m detailsModel) Row(id string) (any, bool) {
	en, ok := m.s.Opinions[id]
	if !ok {
		return nil, false
	}
	return m.s.detailRow(id, en), true
}

// Rows implements projections.Model.
func (m detailsModel) Rows() []any {
	ids := m.s.order(func(en *entry) uint64 { return en.DetailPosition })
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = m.s.detailRow(id, m.s.Opinions[id])
	}
	return out
}

// RowType describes the rows for the OpenAPI document.
func (detailsModel) RowType() any { return DetailRow{} }

// StateVersion implements projections.Persistent.
func (detailsModel) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m detailsModel) SaveState() ([]byte, error) { return m.s.save() }

// LoadState implements projections.Persistent.
func (m detailsModel) LoadState(b []byte) error { return m.s.load(b) }

// order returns the texts' IDs by decreasing position (the latest changed first), then ID.
func (s *state) order(pos func(*entry) uint64) []string {
	ids := make([]string, 0, len(s.Opinions))
	for id := range s.Opinions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := pos(s.Opinions[ids[i]]), pos(s.Opinions[ids[j]])
		if a != b {
			return a > b
		}
		return ids[i] < ids[j]
	})
	return ids
}

func (s *state) save() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("opinions: saving: %w", err)
	}
	return b, nil
}

// load replaces the state with a saved one, or leaves it as it was on error.
func (s *state) load(b []byte) error {
	fresh := newState()
	if err := json.Unmarshal(b, fresh); err != nil {
		return fmt.Errorf("opinions: loading: %w", err)
	}
	for id, en := range fresh.Opinions {
		if en == nil {
			return fmt.Errorf("opinions: loading: no state for text %s", id)
		}
	}
	for id, g := range fresh.Groups {
		if g == nil {
			return fmt.Errorf("opinions: loading: no state for group %s", id)
		}
	}
	if fresh.Opinions == nil || fresh.Groups == nil || fresh.SheetOpinion == nil || fresh.ConsultationOpinion == nil {
		return fmt.Errorf("opinions: loading: incomplete state")
	}
	*s = *fresh
	return nil
}
