package audit

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/comite-partenaires/comite/events"
)

// TestDecodeEnvelopeIsJSON: the fast decoder gives json.Unmarshal's result on every line
// an export writes, and on lines it must leave to encoding/json.
func TestDecodeEnvelopeIsJSON(t *testing.T) {
	st, _ := buildLog(t, 60, 20)
	dir, _ := exportAll(t, st, Filter{})
	lines := bundleLines(t, dir)
	fast := 0
	for _, l := range lines {
		var a events.Event
		if fastEnvelope(l, &a, true) == nil {
			fast++
		}
		assertSameDecode(t, l)
	}
	if fast != len(lines) {
		t.Fatalf("%d of %d exported lines took the fast path", fast, len(lines))
	}
	for _, l := range []string{
		`{"id":"not-a-uuid","type":"t","schema":1,"stream":"s","revision":0,"position":1,"time":"2026-01-01T00:00:00Z","meta":{"actor":{}},"data":{},"prev_hash":"","hash":""}`,
		`{"ID":"a65cc67d-7681-54cc-80b5-17d2da0e1a1c","type":"t"}`,
		`{"type":"a","type":"b"}`,
		`{"type":"a\u0062","schema":1.0}`,
		`{"data":null,"meta":{"actor":{"user":"é"}}}`,
		`{"revision":-1}`,
		`{"revision":01}`,
		`{"time":"2026-13-01T00:00:00Z"}`,
		`{"data":{"a":[1,{"b":"}"}]},"x":1}`,
		`[]`,
		`{"meta":{"actor":{"user":"a","user":"b"}}}`,
		`{"meta":{"trace":"a","trace":"b"}}`,
		`{"meta":{"actor":null}}`,
		`{"meta":{"Actor":{}}}`,
		`{"meta":{"actor":{"user":"é"}}}`,
		`{"meta":{"command_id":"x",}}`,
	} {
		assertSameDecode(t, []byte(l))
	}
}

func assertSameDecode(t *testing.T, line []byte) {
	t.Helper()
	var a, b events.Event
	errA := decodeEnvelope(line, &a)
	errB := json.Unmarshal(line, &b)
	if (errA == nil) != (errB == nil) || errA == nil && !reflect.DeepEqual(a, b) {
		t.Fatalf("%s\nfast: %+v, %v\njson: %+v, %v", line, a, errA, b, errB)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	st, _ := buildLog(f, 5, 0)
	dir, _ := exportAll(f, st, Filter{})
	for _, l := range bundleLines(f, dir) {
		f.Add(l)
	}
	f.Add([]byte(`{"id":"a65cc67d-7681-54cc-80b5-17d2da0e1a1c","data":{"k":"\""}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var a events.Event
		if fastEnvelope(line, &a, true) != nil {
			return
		}
		var b events.Event
		if err := json.Unmarshal(line, &b); err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%q\nfast: %+v\njson: %+v, %v", line, a, b, err)
		}
	})
}
