package projections

import (
	"reflect"
	"testing"

	"github.com/comite-partenaires/comite/events"
)

type put struct {
	id, value string
}

func (put) EventType() string { return "test.kv.put" }

// kv holds string rows by ID; a value "" removes the row.
type kv struct {
	rows  map[string]string
	order []string
}

func (m *kv) Apply(_ events.Event, p events.Payload) ([]string, error) {
	e := p.(put)
	if e.value == "" {
		delete(m.rows, e.id)
	} else {
		if _, ok := m.rows[e.id]; !ok {
			m.order = append(m.order, e.id)
		}
		m.rows[e.id] = e.value
	}
	return []string{e.id}, nil
}
func (m *kv) Row(id string) (any, bool) { r, ok := m.rows[id]; return r, ok }
func (m *kv) Rows() []any {
	var out []any
	for _, id := range m.order {
		if r, ok := m.rows[id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// observersSeePublic hides rows starting with "draft" from observers and shows the others
// upper-cased to them, so that both hiding and redacting are visible.
func observersSeePublic(actor events.Actor, row any) (any, bool) {
	s := row.(string)
	if actor.Role != "observer" {
		return s, true
	}
	if len(s) >= 5 && s[:5] == "draft" {
		return nil, false
	}
	return "public:" + s, true
}

func TestVisibilityFiltersSnapshotsPatchesAndRows(t *testing.T) {
	v := NewView("kv", &kv{rows: map[string]string{}}, false).WithVisibility(observersSeePublic)
	observer, member := events.Actor{User: "o", Role: "observer"}, events.Actor{User: "m", Role: "member"}
	_ = v.Apply(at(1), put{"a", "draft one"})
	_ = v.Apply(at(2), put{"b", "adopted"})

	if _, rows := v.SnapshotFor(observer); !reflect.DeepEqual(rows, []any{"public:adopted"}) {
		t.Fatalf("observer snapshot %v", rows)
	}
	if _, rows := v.SnapshotFor(member); len(rows) != 2 {
		t.Fatalf("member snapshot %v", rows)
	}
	if _, _, err := v.GetFor(observer, "a"); err != ErrNotFound {
		t.Fatalf("observer got a hidden row: %v", err)
	}

	so := NewSubscriber(8, observer, "")
	sm := NewSubscriber(8, member, "a")
	v.Subscribe(0, so)
	if _, rows, _ := v.Subscribe(0, sm); !reflect.DeepEqual(rows, []any{"draft one"}) {
		t.Fatalf("one-row snapshot %v", rows)
	}
	_ = v.Apply(at(3), put{"a", "published one"}) // becomes visible to observers
	_ = v.Apply(at(4), put{"b", "draft again"})   // becomes hidden: a tombstone
	_ = v.Apply(at(5), put{"c", "draft three"})   // hidden: a tombstone too, harmless

	want := []Patch{
		{View: "kv", Position: 3, Rows: []any{"public:published one"}},
		{View: "kv", Position: 4, Rows: []any{Tombstone{ID: "b", Removed: true, Position: 4}}},
		{View: "kv", Position: 5, Rows: []any{Tombstone{ID: "c", Removed: true, Position: 5}}},
	}
	for _, w := range want {
		if got := <-so.C(); !reflect.DeepEqual(got, w) {
			t.Fatalf("observer patch %+v, want %+v", got, w)
		}
	}
	if got := <-sm.C(); !reflect.DeepEqual(got, Patch{View: "kv", Position: 3, Rows: []any{"published one"}}) {
		t.Fatalf("one-row patch %+v", got)
	}
	select {
	case p := <-sm.C():
		t.Fatalf("a one-row subscriber got another row's patch: %+v", p)
	default:
	}

	// Catching up after position 3: the observer learns that b is gone for it.
	_, rows, snap := v.Subscribe(3, NewSubscriber(8, observer, ""))
	if snap || len(rows) != 2 || rows[0] != (Tombstone{ID: "b", Removed: true, Position: 5}) {
		t.Fatalf("catch-up %v (snapshot %v)", rows, snap)
	}
}
