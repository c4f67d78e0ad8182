package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestHashMatches agrees with ComputeHash on stored events, on payloads written another
// way (same content: still matching), and on altered ones.
func TestHashMatches(t *testing.T) {
	e := Event{ID: uuid.New(), Type: "opinions.opinion.created", Schema: 1, Stream: "opinion-1", Revision: 3,
		Time: time.Date(2026, 11, 23, 9, 0, 0, 120_000_000, time.UTC), Meta: Meta{Actor: Actor{User: "u"}},
		Data: json.RawMessage(`{"title":"L'école <numérique> & vous","n":1.50,"list":[1,2]}`)}
	if err := Chain(&e, "abc"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*Event)
		want bool
	}{
		{"as stored", func(*Event) {}, true},
		{"payload reformatted, same content", func(e *Event) {
			e.Data = json.RawMessage(` { "n" : 1.50, "list":[1, 2], "title":"L'\u00e9cole \u003cnum\u00e9rique> \u0026 vous" }`)
		}, true},
		{"payload changed", func(e *Event) { e.Data = json.RawMessage(`{"title":"x","n":1.50,"list":[1,2]}`) }, false},
		{"number rewritten", func(e *Event) {
			e.Data = json.RawMessage(`{"list":[1,2],"n":1.5,"title":"L'école <numérique> & vous"}`)
		}, false},
		{"prev_hash changed", func(e *Event) { e.PrevHash = "abd" }, false},
		{"time changed", func(e *Event) { e.Time = e.Time.Add(time.Microsecond) }, false},
		{"meta changed", func(e *Event) { e.Meta.Actor.Role = "auditor" }, false},
		{"hash changed", func(e *Event) { e.Hash = e.Hash[:63] + "0" }, e.Hash[63] == '0'},
		{"hash not hex", func(e *Event) { e.Hash = "zz" }, false},
	} {
		x := e
		c.edit(&x)
		got, err := HashMatches(x)
		h, herr := ComputeHash(x)
		if err != nil || herr != nil || got != c.want || got != (h == x.Hash) {
			t.Errorf("%s: HashMatches = %v, %v; want %v (ComputeHash says %v)", c.name, got, err, c.want, h == x.Hash)
		}
	}
	bad := e
	bad.Data = json.RawMessage(`{"unterminated`)
	if ok, err := HashMatches(bad); ok || err == nil {
		t.Errorf("invalid payload: %v, %v", ok, err)
	}
}

// TestPlainEnvelopeIsCanonical: the reflection-free encoding is byte for byte Canonical's
// on plain envelopes, with and without the optional meta fields.
func TestPlainEnvelopeIsCanonical(t *testing.T) {
	base := Event{ID: uuid.New(), Type: "a.b.c", Schema: 2, Stream: "opinion-1", Revision: 7,
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Data: json.RawMessage(`{"a":"é <&>","b":[1,2.50]}`), PrevHash: "ff"}
	full := base
	full.Meta = Meta{CommandID: "c", CorrelationID: "r", CausationID: "s", Trace: "t", Actor: Actor{User: "u@x.fr", Organisation: "o", Role: "member"}}
	partial := base
	partial.Meta = Meta{CausationID: "s", Actor: Actor{Role: "system"}}
	for _, e := range []Event{base, full, partial} {
		got, ok := appendPlainEnvelope(nil, e)
		want, err := Canonical(e)
		if !ok || err != nil || string(got) != string(want) {
			t.Errorf("plain %s\ncanonical %s", got, want)
		}
	}
	quoted := full
	quoted.Meta.Actor.User = `say "hi"`
	if _, ok := appendPlainEnvelope(nil, quoted); ok {
		t.Error("a string with a quote took the plain path")
	}
}
