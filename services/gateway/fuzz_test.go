package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
)

func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{`{"type":"subscribe","view":"organisations","since":0}`, `{"type":"unsubscribe","view":"x"}`,
		`{"type":"subscribe","view":"x","since":-1}`, `{"type":"subscribe"}`, `[]`, `{"type":"subscribe","view":"x"} {}`, "\xff", `{"since":1e400}`,
		`{"type":"presence","view":"presence:d1","cursor":{"anchor":1,"head":2},"version":3}`, `{"type":"presence","view":"presence:a.b"}`,
		`{"type":"presence","view":"opinions"}`, `{"type":"presence","view":"presence:d","cursor":{"anchor":-1,"head":0}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeClientMessage(b)
		if err == nil && m.Type == "presence" {
			if name, doc := SplitViewKey(m.View); name != PresenceKey || strings.ContainsAny(doc, ".*> ") || m.Cursor != nil && (m.Cursor.Anchor < 0 || m.Cursor.Head < 0) {
				t.Fatalf("accepted presence %q as %+v", b, m)
			}
		}
		if err == nil && (m.View == "" || (m.Type != "subscribe" && m.Type != "unsubscribe" && m.Type != "presence")) {
			t.Fatalf("accepted %q as %+v", b, m)
		}
	})
}

// FuzzCommandHandler sends arbitrary bodies and keys to the command endpoint: the answer is
// always a 200 or a problem+json 4xx, never a 5xx or a panic.
func FuzzCommandHandler(f *testing.F) {
	for _, s := range []string{`{"text":"x"}`, `{"text":`, ``, `null`, `{"text":"x","kind":"c"}`, `[1,2]`, "\x00", `{"text":"\ud800"}`} {
		f.Add("add-note", s, "")
		f.Add("other", s, "key\n")
	}
	fx := newFixture(f, LiveConfig{})
	f.Fuzz(func(t *testing.T, command, body, key string) {
		if strings.ContainsAny(command, "/?#% \x00") || command == "" {
			command = "add-note"
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/notes/"+command, strings.NewReader(body))
		req.Header["Idempotency-Key"] = []string{key}
		rec := httptest.NewRecorder()
		fx.gw.ServeHTTP(rec, req)
		switch {
		case rec.Code == 200:
		case rec.Code >= 400 && rec.Code < 500:
			if rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without problem+json", rec.Code)
			}
		default:
			t.Fatalf("status %d for %q %q", rec.Code, command, body)
		}
	})
}

// noteLog is a log of note events for the history in FuzzViewQuery.
type noteLog []events.Event

func (l noteLog) Head(context.Context) (uint64, error) { return uint64(len(l)), nil }
func (l noteLog) ReadAll(_ context.Context, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		for _, ev := range l {
			if ev.Position >= from && !yield(ev, nil) {
				return
			}
		}
	}
}

// FuzzViewQuery sends arbitrary query strings (time travel, waiting) to the view
// endpoints: the answer is always a 200 or a problem+json 4xx, never a 5xx or a panic.
func FuzzViewQuery(f *testing.F) {
	for _, s := range []string{"at=1", "at=0", "at=99", "as_of=2026-01-01T00:00:00Z", "at=1&as_of=x", "as_of=%ff",
		"at=18446744073709551616", "min_position=1&at=2", "as_of=2999-01-01T00:00:00Z", "at=+1", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	var log noteLog
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		log = append(log, events.Event{ID: uuid.New(), Type: "test.note.added", Position: uint64(i + 1), Time: start.Add(time.Duration(i) * time.Minute)})
	}
	decode := func(ev events.Event) (events.Payload, error) {
		return noteAdded{ID: fmt.Sprint(ev.Position), Text: "n"}, nil
	}
	history, err := projections.NewHistory(log, decode, func() []*projections.View {
		return []*projections.View{projections.NewView("notes", &notes{rows: map[string]noteRow{}}, false)}
	})
	if err != nil {
		f.Fatal(err)
	}
	fx := newFixtureWith(f, func(c *Config) { c.History = history; c.MaxWait = time.Millisecond })
	f.Fuzz(func(t *testing.T, query string, item bool) {
		path := "/api/v1/views/notes"
		if item {
			path += "/1"
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		fx.gw.ServeHTTP(rec, req)
		switch {
		case rec.Code == 200:
		case rec.Code >= 400 && rec.Code < 500 || rec.Code == http.StatusGatewayTimeout:
			if rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without problem+json", rec.Code)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, query)
		}
	})
}

// FuzzQueryHandler sends arbitrary IDs and bodies to a query: the answer is always a 200
// or a problem+json 4xx, never a 5xx or a panic, and the query runs only for a row the
// reader may read with a JSON body.
func FuzzQueryHandler(f *testing.F) {
	for _, s := range []string{`{}`, `{"min_participation":40}`, ``, `null`, `[`, "\xff", `{"a":` + strings.Repeat("[", 100)} {
		f.Add("n1", s)
		f.Add("missing", s)
	}
	var ran []string
	fx := newFixtureWith(f, func(c *Config) {
		c.Queries = []Query{{Name: "count", View: "notes", Run: func(_ context.Context, id string, body []byte) (any, error) {
			ran = append(ran, id)
			var p struct {
				MinParticipation int `json:"min_participation"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, errcode.ValidationFailed
			}
			return p, nil
		}}}
	})
	fx.apply(f, "n1", "note", false)
	f.Fuzz(func(t *testing.T, id, body string) {
		// Path segments the router cleans (".", "..") are not IDs.
		if strings.Trim(id, ".") == "" {
			id = "n1"
		}
		before := len(ran)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/queries/count/"+url.PathEscape(id), strings.NewReader(body))
		rec := httptest.NewRecorder()
		fx.gw.ServeHTTP(rec, req)
		switch {
		case rec.Code == 200:
			if id != "n1" || len(ran) != before+1 {
				t.Fatalf("200 for %q without running the query on a readable row", id)
			}
		case rec.Code >= 400 && rec.Code < 500:
			if rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without problem+json", rec.Code)
			}
			if id != "n1" && len(ran) != before {
				t.Fatalf("the query ran for the unknown row %q", id)
			}
		default:
			t.Fatalf("status %d for %q %q", rec.Code, id, body)
		}
	})
}
