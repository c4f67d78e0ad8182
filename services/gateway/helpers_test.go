package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/internal/poll"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// noteAdded is a payload for the test model.
type noteAdded struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Removed bool   `json:"removed,omitempty"`
}

func (noteAdded) EventType() string { return "test.note.added" }

// addNote is a command for the catalogue.
type addNote struct {
	Text string `json:"text" validate:"required,max=50"`
	Kind string `json:"kind,omitempty" validate:"omitempty,oneof=a b"`
	// Links and Due exercise list and date rules in OpenAPI.
	Links []string `json:"links,omitempty" validate:"max=7,unique,dive,uuid"`
	Due   string   `json:"due,omitempty" validate:"omitempty,datetime=2006-01-02"`
}

type noteRow struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Position uint64 `json:"position"`
}

// notes is a minimal model: one row per note, removable.
type notes struct{ rows map[string]noteRow }

func (n *notes) Apply(ev events.Event, p events.Payload) ([]string, error) {
	a, ok := p.(noteAdded)
	if !ok {
		return nil, nil
	}
	if a.Removed {
		delete(n.rows, a.ID)
	} else {
		n.rows[a.ID] = noteRow{ID: a.ID, Text: a.Text, Position: ev.Position}
	}
	return []string{a.ID}, nil
}
func (n *notes) Row(id string) (any, bool) { r, ok := n.rows[id]; return r, ok }
func (n *notes) Rows() []any {
	ids := make([]string, 0, len(n.rows))
	for id := range n.rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, n.rows[id])
	}
	return out
}
func (n *notes) RowType() any { return noteRow{} }

type testViews struct{ list []*projections.View }

func (t testViews) View(name string) (*projections.View, bool) {
	for _, v := range t.list {
		if v.Name() == name {
			return v, true
		}
	}
	return nil, false
}
func (t testViews) Views() []*projections.View { return t.list }

// fakeSender answers commands like a service would, and counts what it "appended".
type fakeSender struct {
	mu       sync.Mutex
	requests []bus.Request
	err      error
}

func (f *fakeSender) Send(_ context.Context, req bus.Request) (bus.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return bus.Reply{}, f.err
	}
	var c addNote
	if err := json.Unmarshal(req.Body, &c); err != nil || c.Text == "" {
		return bus.Reply{}, errcode.ValidationFailed.WithFields(map[string]string{"text": "required"})
	}
	f.requests = append(f.requests, req)
	pos := uint64(len(f.requests))
	return bus.Reply{CommandID: req.CommandID, Position: pos,
		Events: []bus.EventRef{{ID: events.DeriveID(req.CommandID, 0).String(), Type: "test.note.added", Stream: "note-1", Position: pos}}}, nil
}

func (f *fakeSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

type fixture struct {
	gw     *Gateway
	srv    *httptest.Server
	sender *fakeSender
	view   *projections.View
	pos    uint64
}

func newFixture(t testing.TB, live LiveConfig) *fixture {
	t.Helper()
	return newFixtureWith(t, func(c *Config) { c.Live = live })
}

// newFixtureWith is newFixture with the configuration changed by tweak.
func newFixtureWith(t testing.TB, tweak func(*Config)) *fixture {
	t.Helper()
	f := &fixture{sender: &fakeSender{}, view: projections.NewView("notes", &notes{rows: map[string]noteRow{}}, false)}
	cfg := Config{
		Sender: f.sender, Views: testViews{[]*projections.View{f.view}},
		Commands: []bus.CommandSpec{{Context: "notes", Name: "add-note", Summary: "Add a note", New: func() any { return new(addNote) }}},
		Ready:    func() error { return nil },
		Log:      slog.New(slog.DiscardHandler), Version: "test",
	}
	tweak(&cfg)
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.gw = gw
	f.srv = httptest.NewServer(gw)
	t.Cleanup(func() { gw.Close(); f.srv.Close() })
	return f
}

// apply folds a note event into the view, as the projection runner would.
func (f *fixture) apply(t testing.TB, id, text string, removed bool) uint64 {
	t.Helper()
	f.pos++
	ev := events.Event{ID: uuid.New(), Type: "test.note.added", Stream: "note-" + id, Position: f.pos}
	if err := f.view.Apply(ev, noteAdded{ID: id, Text: text, Removed: removed}); err != nil {
		t.Fatal(err)
	}
	return f.pos
}

// eventually waits for cond (see internal/poll).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, buf
}
