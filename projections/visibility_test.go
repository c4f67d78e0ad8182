package projections

import (
	"encoding/json"
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

// A view forgets old removals beyond its limit, and a client away since before the last
// forgotten one gets a fresh snapshot instead of a patch that would miss it.
func TestRemovalsAreBoundedAndOldClientsGetSnapshots(t *testing.T) {
	v := NewView("kv", &kv{rows: map[string]string{}}, false)
	v.maxTombstones = 3
	pos := uint64(0)
	next := func(id, value string) {
		pos++
		if err := v.Apply(at(pos), put{id, value}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"a", "b", "c", "d", "e", "keep"} {
		next(id, "x")
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		next(id, "") // removed at positions 7 … 11
	}
	if len(v.changedAt) != 4 || len(v.removals) != 3 || v.forgotten != 8 {
		t.Fatalf("changedAt %v removals %v forgotten %d", v.changedAt, v.removals, v.forgotten)
	}
	if _, rows, snap := v.Subscribe(7, NewSubscriber(4, events.Actor{}, "")); !snap || len(rows) != 1 {
		t.Fatalf("a client from before a forgotten removal got %v (snapshot %v)", rows, snap)
	}
	_, rows, snap := v.Subscribe(8, NewSubscriber(4, events.Actor{}, ""))
	if snap || len(rows) != 3 {
		t.Fatalf("a client from after the forgotten removals got %v (snapshot %v)", rows, snap)
	}
	// The limit and what was forgotten survive a snapshot.
	saved, err := (&View{name: "kv", model: &persistentKV{v.model.(*kv)}, changedAt: v.changedAt, forgotten: v.forgotten, position: v.position}).Save()
	if err != nil {
		t.Fatal(err)
	}
	back := NewView("kv", &persistentKV{&kv{rows: map[string]string{}}}, false)
	if err := back.Restore(saved); err != nil {
		t.Fatal(err)
	}
	if back.forgotten != 8 || len(back.removals) != 3 || back.removals[0] != (removal{"c", 9}) {
		t.Fatalf("restored forgotten %d removals %v", back.forgotten, back.removals)
	}
}

// persistentKV is kv with a saved state.
type persistentKV struct{ *kv }

func (m *persistentKV) StateVersion() int { return 1 }
func (m *persistentKV) SaveState() ([]byte, error) {
	return json.Marshal(struct {
		Rows  map[string]string
		Order []string
	}{m.rows, m.order})
}
func (m *persistentKV) LoadState(b []byte) error {
	var s struct {
		Rows  map[string]string
		Order []string
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	m.rows, m.order = s.Rows, s.Order
	return nil
}

// nestedKV is kv whose rows "<parent>/<n>" are listed under their parent.
type nestedKV struct{ *kv }

func (m nestedKV) RowsUnder(parent string) []any {
	var out []any
	for _, id := range m.order {
		if r, ok := m.rows[id]; ok && len(id) > len(parent) && id[:len(parent)+1] == parent+"/" {
			out = append(out, r)
		}
	}
	return out
}

// A subscriber following "doc" gets the rows under it ("doc/1", "doc/2"), in its
// snapshot and its patches, and nothing of "docx/1" or "other".
func TestFollowingAParentGetsTheRowsUnderIt(t *testing.T) {
	v := NewView("kv", nestedKV{&kv{rows: map[string]string{}}}, false)
	_ = v.Apply(at(1), put{"doc/1", "un"})
	_ = v.Apply(at(2), put{"docx/1", "autre"})
	s := NewSubscriber(8, events.Actor{}, "doc")
	if _, rows, _ := v.Subscribe(0, s); !reflect.DeepEqual(rows, []any{"un"}) {
		t.Fatalf("snapshot %v", rows)
	}
	_ = v.Apply(at(3), put{"other", "x"})
	_ = v.Apply(at(4), put{"doc/2", "deux"})
	if p := <-s.C(); p.Position != 4 || !reflect.DeepEqual(p.Rows, []any{"deux"}) {
		t.Fatalf("patch %+v", p)
	}
	if _, rows, _ := v.Subscribe(1, NewSubscriber(8, events.Actor{}, "doc")); !reflect.DeepEqual(rows, []any{"deux"}) {
		t.Fatalf("catch-up %v", rows)
	}
}
