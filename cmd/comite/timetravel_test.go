package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestViewsAsOfAPastPoint asks the real server's views for their state at a past
// position and instant (?at, ?as_of) while the log moves on, and checks the refusals.
func TestViewsAsOfAPastPoint(t *testing.T) {
	p := startInProcess(t, t.TempDir(), false)
	add := func(body string) commandReply {
		t.Helper()
		r := call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", body, p.auth)
		var rep commandReply
		if r.Status != 200 || json.Unmarshal(r.Body, &rep) != nil {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		return rep
	}
	amf := add(`{"name": "Association des Maires de France", "acronym": "AMF"}`)
	cdc := add(`{"name": "Caisse des Dépôts", "acronym": "CDC"}`)
	get := func(path string) (int, organisationsView, string) {
		t.Helper()
		r := call(t, "GET", p.http.URL+path, "", p.auth)
		var v organisationsView
		_ = json.Unmarshal(r.Body, &v)
		return r.Status, v, string(r.Body)
	}
	acronyms := func(v organisationsView) string {
		var out []string
		for _, it := range v.Items {
			out = append(out, it.Acronym)
		}
		return strings.Join(out, ",")
	}
	// The live view first, so the history is asked while the live view is current.
	st, live, body := get("/api/v1/views/organisations?min_position=" + itoa(cdc.Position))
	if st != 200 || acronyms(live) != "AMF,CDC" {
		t.Fatalf("live view: %d %s", st, body)
	}
	// The answer's position is the last event at or before the one asked (positions are
	// not dense in every store: just before AMF's is some earlier event's).
	for _, c := range []struct {
		at   uint64
		want string
	}{{amf.Position, "AMF"}, {cdc.Position, "AMF,CDC"}, {amf.Position - 1, ""}, {amf.Position, "AMF"}} {
		st, v, body := get("/api/v1/views/organisations?at=" + itoa(c.at))
		isEvent := c.at != amf.Position-1
		if st != 200 || v.Position > c.at || isEvent && v.Position != c.at || acronyms(v) != c.want {
			t.Fatalf("at %d: %d %s, want position %d and %q", c.at, st, body, c.at, c.want)
		}
	}
	// One row as of a position before it existed is not found; after, it is.
	cdcID := live.Items[1].ID
	if r := call(t, "GET", p.http.URL+"/api/v1/views/organisations/"+cdcID+"?at="+itoa(amf.Position), "", p.auth); r.Status != 404 {
		t.Fatalf("CDC before it was added: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/views/organisations/"+cdcID+"?at="+itoa(cdc.Position), "", p.auth); r.Status != 200 || !strings.Contains(string(r.Body), `"CDC"`) {
		t.Fatalf("CDC once added: %d %s", r.Status, r.Body)
	}
	// as_of: the instant of AMF's event shows AMF alone (CDC came later).
	log := (&workServer{inProcess: p}).log(t)
	var amfTime time.Time
	for _, ev := range log {
		if ev.Position == amf.Position {
			amfTime = ev.Time
		}
	}
	if st, v, body := get("/api/v1/views/organisations?as_of=" + url.QueryEscape(amfTime.Format(time.RFC3339Nano))); st != 200 || acronyms(v) != "AMF" || v.Position != amf.Position {
		t.Fatalf("as of %s: %d %s", amfTime, st, body)
	}
	for q, field := range map[string]string{
		"at=abc": "at", "at=-1": "at", "at=" + itoa(cdc.Position+1000): "at",
		"at=1&as_of=2026-01-01T00:00:00Z": "as_of", "as_of=yesterday": "as_of",
		"as_of=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)): "as_of",
	} {
		r := call(t, "GET", p.http.URL+"/api/v1/views/organisations?"+q, "", p.auth)
		if r.Status != 422 || r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Fatalf("?%s: %d %s, want a 422 naming %s", q, r.Status, r.Body, field)
		}
	}
	if after := p.head(t); after != cdc.Position {
		t.Fatalf("asking the past appended events: head %d, was %d", after, cdc.Position)
	}
}
