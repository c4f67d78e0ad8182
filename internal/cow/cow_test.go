package cow

import "testing"

func TestWithAndWithoutLeaveTheirInputAlone(t *testing.T) {
	m := map[string]int{"a": 1}
	w := With(m, "b", 2)
	if len(m) != 1 || w["a"] != 1 || w["b"] != 2 {
		t.Fatalf("With: input %v, output %v", m, w)
	}
	wo := Without(w, "a")
	if len(w) != 2 || len(wo) != 1 || wo["b"] != 2 {
		t.Fatalf("Without: input %v, output %v", w, wo)
	}
	if n := With[string, int](nil, "x", 1); n["x"] != 1 {
		t.Fatal("With on a nil map")
	}
}
