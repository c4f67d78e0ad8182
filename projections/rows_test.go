package projections

import (
	"strings"
	"testing"
)

func TestRowByIDAndSortedRows(t *testing.T) {
	type row struct{ id, name string }
	rows := map[string]*row{"b": {"b", "x"}, "a": {"a", "y"}, "c": {"c", "x"}}
	value := func(r *row) row { return *r }
	if r, ok := RowByID(rows, "a", value); !ok || r.(row).name != "y" {
		t.Fatalf("row a: %v %v", r, ok)
	}
	if r, ok := RowByID(rows, "z", value); ok || r != nil {
		t.Fatalf("row z: %v %v", r, ok)
	}
	byName := func(a, b *row) int { return strings.Compare(a.name+a.id, b.name+b.id) }
	got := SortedRows(rows, byName, value)
	if len(got) != 3 || got[0].(row).id != "b" || got[1].(row).id != "c" || got[2].(row).id != "a" {
		t.Fatalf("sorted %v", got)
	}
	if got := SortedRows(map[string]*row{}, byName, value); got == nil || len(got) != 0 {
		t.Fatalf("no rows: %#v", got)
	}
}
