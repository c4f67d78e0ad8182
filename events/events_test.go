package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// chained returns n events of one stream, linked as a store would link them.
func chained(t *testing.T, stream string, n int) []Event {
	t.Helper()
	out := make([]Event, n)
	prev := ""
	for i := range out {
		e := Event{
			ID: DeriveID("cmd-"+stream, i), Type: "opinions.opinion.amended", Schema: 1,
			Stream: stream, Revision: uint64(i), Position: uint64(100 + i),
			Time: time.Date(2026, 11, 23, 9, 0, i, 987654321, time.FixedZone("CET", 3600)),
			Meta: Meta{CommandID: "cmd", Actor: Actor{User: "u", Organisation: "amf"}},
			Data: json.RawMessage(`{ "text": "<p>Avis & recommandations</p>", "n": 1.50, "z": null, "a": [3, 1] }`),
		}
		if err := Chain(&e, prev); err != nil {
			t.Fatal(err)
		}
		prev, out[i] = e.Hash, e
	}
	return out
}

func verify(evs []Event) error {
	v := NewChainVerifier()
	for _, e := range evs {
		if err := v.Check(e); err != nil {
			return err
		}
	}
	return nil
}

func TestChainNormalisesAndLinks(t *testing.T) {
	evs := chained(t, "opinion-1", 3)
	first := evs[0]
	if first.PrevHash != "" {
		t.Fatalf("first event prev_hash %q", first.PrevHash)
	}
	if got, want := string(first.Data), `{"a":[3,1],"n":1.50,"text":"<p>Avis & recommandations</p>","z":null}`; got != want {
		t.Fatalf("canonical payload %s, want %s", got, want)
	}
	if first.Time.Location() != time.UTC || first.Time.Nanosecond() != 987654000 {
		t.Fatalf("canonical time %v, want UTC truncated to the microsecond", first.Time)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].PrevHash != evs[i-1].Hash {
			t.Fatalf("event %d not linked to %d", i, i-1)
		}
	}
	if h, err := ComputeHash(first); err != nil || h != first.Hash || len(h) != 64 {
		t.Fatalf("hash %q (%v), stored %q", h, err, first.Hash)
	}
	if err := verify(evs); err != nil {
		t.Fatal(err)
	}
}

func TestHashIgnoresPositionAndEncodingNoise(t *testing.T) {
	e := chained(t, "opinion-1", 1)[0]
	moved := e
	moved.Position = 99999
	moved.Time = e.Time.In(time.FixedZone("X", -7*3600)).Add(300 * time.Nanosecond)
	moved.Data = json.RawMessage(`{"z":null,"text":"<p>Avis & recommandations</p>","n":1.50,"a":[3,1]}`)
	if h, err := ComputeHash(moved); err != nil || h != e.Hash {
		t.Fatalf("hash changed with position, time zone, sub-µs time or key order: %v", err)
	}
	moved.Data = json.RawMessage(`{"z":null,"text":"<p>Avis & recommandations</p>","n":1.5,"a":[3,1]}`)
	if h, _ := ComputeHash(moved); h == e.Hash {
		t.Fatal("numbers are hashed as written: 1.5 and 1.50 must differ")
	}
}

func TestVerifierNamesTheFirstAlteredEvent(t *testing.T) {
	cases := map[string]func(evs []Event) ([]Event, uint64){
		"payload altered": func(evs []Event) ([]Event, uint64) {
			evs[2].Data = json.RawMessage(`{"a":[3,1],"n":2,"text":"x","z":null}`)
			return evs, 2
		},
		"actor altered": func(evs []Event) ([]Event, uint64) {
			evs[1].Meta.Actor.Organisation = "adf"
			return evs, 1
		},
		"type altered and rehashed": func(evs []Event) ([]Event, uint64) {
			evs[1].Type = "opinions.opinion.adopted"
			evs[1].Hash, _ = ComputeHash(evs[1])
			return evs, 2 // event 1 now hashes right, but event 2 no longer links to it
		},
		"event removed": func(evs []Event) ([]Event, uint64) {
			return append(evs[:1:1], evs[2:]...), 2
		},
		"events reordered": func(evs []Event) ([]Event, uint64) {
			evs[1], evs[2] = evs[2], evs[1]
			return evs, 2
		},
		"stream truncated at the start": func(evs []Event) ([]Event, uint64) {
			return evs[1:], 1
		},
		"first event given a prev_hash": func(evs []Event) ([]Event, uint64) {
			evs[0].PrevHash = strings.Repeat("0", 64)
			return evs, 0
		},
		"revision renumbered": func(evs []Event) ([]Event, uint64) {
			evs[3].Revision = 7
			return evs, 7
		},
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			evs, at := tamper(chained(t, "opinion-1", 5))
			err := verify(evs)
			if !errors.Is(err, ErrBrokenChain) {
				t.Fatalf("err = %v, want ErrBrokenChain", err)
			}
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Stream != "opinion-1" || ce.Revision != at {
				t.Fatalf("err = %v, want a ChainError at revision %d", err, at)
			}
		})
	}
}

func TestVerifierInterleavedStreams(t *testing.T) {
	a, b := chained(t, "opinion-1", 3), chained(t, "vote-2", 3)
	mixed := []Event{a[0], b[0], b[1], a[1], a[2], b[2]}
	if err := verify(mixed); err != nil {
		t.Fatalf("interleaved streams: %v", err)
	}
	// Two streams with the same content still have their own chains: moving an event
	// of one into the other is caught.
	b[1].Stream = "opinion-1"
	if err := verify([]Event{a[0], b[0], b[1]}); !errors.Is(err, ErrBrokenChain) {
		t.Fatalf("event moved across streams: %v", err)
	}
}

func TestCanonicalJSON(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "null",
		"  ":                        "null",
		`{"b":1,"a":{"d":2,"c":3}}`: `{"a":{"c":3,"d":2},"b":1}`,
		`["<&>", 1e3, -0.0]`:        `["<&>",1e3,-0.0]`,
		`"é\u00e9"`:                 `"éé"`,
	} {
		got, err := CanonicalJSON([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("CanonicalJSON(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`{"a":`, `{} {}`, `nul`, `{"a":1,}`} {
		if _, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("CanonicalJSON(%q) accepted", bad)
		}
	}
	e := Event{ID: uuid.New(), Type: "t", Stream: "a-b", Data: json.RawMessage(`{"a":`)}
	if err := Chain(&e, ""); err == nil {
		t.Fatal("Chain accepted an invalid payload")
	}
}

func TestDeriveIDAndStreams(t *testing.T) {
	if DeriveID("c1", 0) != DeriveID("c1", 0) || DeriveID("c1", 0) == DeriveID("c1", 1) || DeriveID("c1", 0) == DeriveID("c2", 0) {
		t.Fatal("DeriveID is not deterministic per (command, index)")
	}
	id := uuid.New()
	name := StreamName("opinion", id)
	if cat, got, ok := SplitStream(name); !ok || cat != "opinion" || got != id.String() || ValidStream(name) != nil {
		t.Fatalf("stream %q splits into %q %q %v", name, cat, got, ok)
	}
	for _, bad := range []string{"", "opinion", "opinion-", "-x", "Opinion-x", "op1nion-x", "opinion-a.b", "opinion-a*", "opinion-a>", "opinion-a b", "opinion-" + strings.Repeat("a", 200)} {
		if ValidStream(bad) == nil {
			t.Errorf("ValidStream(%q) accepted", bad)
		}
	}
}
