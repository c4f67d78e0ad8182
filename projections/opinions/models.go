package opinions

import (
	"sort"

	"github.com/comite-partenaires/comite/events"
)

// listModel serves the summary rows, the most recently changed first; the state it
// embeds makes it projections.Persistent.
type listModel struct{ *state }

// Apply implements projections.Model.
func (m listModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	list, _ := m.apply(ev, p)
	return list, nil
}

// Row implements projections.Model.
func (m listModel) Row(id string) (any, bool) {
	en, ok := m.Opinions[id]
	if !ok {
		return nil, false
	}
	return m.listRow(id, en), true
}

// Rows implements projections.Model.
func (m listModel) Rows() []any {
	ids := m.order(func(en *entry) uint64 { return en.Position })
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = m.listRow(id, m.Opinions[id])
	}
	return out
}

// RowType describes the rows for the OpenAPI document.
func (listModel) RowType() any { return OpinionRow{} }

// detailsModel serves the whole record of each text; the state it embeds makes it
// projections.Persistent.
type detailsModel struct{ *state }

// Apply implements projections.Model.
func (m detailsModel) Apply(ev events.Event, p events.Payload) ([]string, error) {
	_, details := m.apply(ev, p)
	return details, nil
}

// Row implements projections.Model.
func (m detailsModel) Row(id string) (any, bool) {
	en, ok := m.Opinions[id]
	if !ok {
		return nil, false
	}
	return m.detailRow(id, en), true
}

// Rows implements projections.Model.
func (m detailsModel) Rows() []any {
	ids := m.order(func(en *entry) uint64 { return en.DetailPosition })
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = m.detailRow(id, m.Opinions[id])
	}
	return out
}

// RowType describes the rows for the OpenAPI document.
func (detailsModel) RowType() any { return DetailRow{} }

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
