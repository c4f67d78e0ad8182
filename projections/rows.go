package projections

import (
	"maps"
	"slices"
)

// RowByID is Model.Row for a model that keeps its rows by ID: the one with that ID, as
// row makes it (e.g. a copy the caller may keep), or false.
func RowByID[R, T any](rows map[string]R, id string, row func(R) T) (any, bool) {
	r, ok := rows[id]
	if !ok {
		return nil, false
	}
	return row(r), true
}

// SortedRows is Model.Rows for a model that keeps its rows by ID: every row, as row
// makes it, in the order cmp gives them (make it total, e.g. ending with the IDs: map
// order is random).
func SortedRows[R, T any](rows map[string]R, cmp func(a, b R) int, row func(R) T) []any {
	list := slices.SortedFunc(maps.Values(rows), cmp)
	out := make([]any, len(list))
	for i, r := range list {
		out[i] = row(r)
	}
	return out
}
