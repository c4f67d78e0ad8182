package bus_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

var entrySpec = bus.CommandSpec{Context: "ledger", Name: "add-entry", New: func() any { return new(addEntry) }}

func TestDecodeReturnsValue(t *testing.T) {
	got, err := bus.NewDecoder().Decode(entrySpec, []byte(`{"name":"a","amount":2,"code":"R&D","tags":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := addEntry{Name: "a", Amount: 2, Code: "R&D", Tags: []string{"x"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
}

func TestCustomTags(t *testing.T) {
	cases := map[string]map[string]bool{
		"acronym":  {"AMF": true, "R&D": true, "Villes-I": true, "MEN-DNE": true, "L'AMF": true, "Régions": true, "A B": false, "-AMF": false, "AMF!": false, "": false},
		"notblank": {"a": true, " a ": true, " ": false, "\t\n": false, "": false},
	}
	tags := bus.CustomTags()
	for tag, values := range cases {
		re := regexp.MustCompile(tags[tag])
		for v, want := range values {
			if re.MatchString(v) != want {
				t.Errorf("%s %q: match %v", tag, v, !want)
			}
		}
	}
}

// FuzzDecodeCommand checks the strict decoder on arbitrary bodies: it never panics, it
// fails only with invalid_json or validation_failed, and what it accepts survives a
// round trip through JSON.
func FuzzDecodeCommand(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `1`, `{`, `}`, `{"name":"a","amount":1}`,
		`{"name":"a","amount":1,"tags":["x","y"],"note":{"text":"t"},"code":"AMF"}`,
		`{"name":"a","amount":1.5}`, `{"name":"a","amount":1e999}`, `{"name":"a","amount":-1}`,
		`{"name":"\u0000","amount":1}`, `{"name":"a","amount":1,"name":"b"}`, `{"name":"a","amount":1}x`,
		`{"name":"a","amount":1,"note":null}`, `{"name":"a","amount":1,"note":{"text":"t","x":1}}`,
		`{"NAME":"a","amount":1}`, `{"name":"` + "\xff" + `","amount":1}`, `{"tags":[1]}`, `{"tags":{}}`,
		`{"name":"a","amount":1,"CommandID":"c"}`, "\ufeff{}", `{"name":"a","amount":1,"tags":["a","b","c","d"]}`,
	} {
		f.Add([]byte(seed))
	}
	dec := bus.NewDecoder()
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := dec.Decode(entrySpec, body)
		if err != nil {
			var e *errcode.Error
			if !errors.As(err, &e) || (e.Code != "invalid_json" && e.Code != "validation_failed") {
				t.Fatalf("body %q: err %v", body, err)
			}
			if e.Code == "validation_failed" && len(e.Fields) == 0 && e.Detail == "" {
				t.Fatalf("body %q: validation_failed says nothing", body)
			}
			return
		}
		cmd, ok := got.(addEntry)
		if !ok {
			t.Fatalf("decoded %T", got)
		}
		again, err := json.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		round, err := dec.Decode(entrySpec, again)
		if err != nil || !reflect.DeepEqual(round, got) {
			t.Fatalf("body %q: round trip %s gave %#v, %v", body, again, round, err)
		}
	})
}

type meeting struct {
	StartsAt time.Time `json:"starts_at"`
	Place    string    `json:"place,omitempty" validate:"required_without=VideoURL"`
	VideoURL string    `json:"video_url,omitempty"`
}

// TestDecodeNamesFields: a value refused by its type's own decoder, and a rule naming
// another field, are reported with JSON field names.
func TestDecodeNamesFields(t *testing.T) {
	spec := bus.CommandSpec{Context: "groups", Name: "schedule", New: func() any { return new(meeting) }}
	cases := map[string]map[string]string{
		`{"starts_at":"demain","place":"Lyon"}`:         {"starts_at": "format"},
		`{"starts_at":"2027-01-05T10:00:00Z"}`:          {"place": "required_without=video_url"},
		`{"place":"Lyon","starts_at":"05/01/2027 10h"}`: {"starts_at": "format"},
	}
	for body, want := range cases {
		_, err := bus.NewDecoder().Decode(spec, []byte(body))
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != "validation_failed" || !reflect.DeepEqual(e.Fields, want) {
			t.Errorf("%s: %v (fields %v), want %v", body, err, e, want)
		}
	}
}
