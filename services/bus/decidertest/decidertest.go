// Package decidertest runs a context's decider tables — {given events, command, want
// events | want code} — and the checks every context shares: each rejection code appears
// in the table, each command has a successful case, decide does not modify its state,
// events survive JSON, and the catalogue's commands decode as documented.
package decidertest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Case is one row of a decide table.
type Case struct {
	Name string
	// Given is the aggregate's history before the command.
	Given []events.Payload
	// Command is the command value as Decide receives it: its Envelope and any facts
	// Prepare would fill in already set.
	Command any
	// Want is the events the command must produce (nil or empty: none, a no-op).
	Want []events.Payload
	// WantCode, when set, is the rejection code the command must get instead.
	WantCode string
}

// Fold evolves d's initial state through evs.
func Fold[S any](d bus.Decider[S], evs ...events.Payload) S {
	var s S
	if d.Initial != nil {
		s = d.Initial()
	}
	for _, e := range evs {
		s = d.Evolve(s, e)
	}
	return s
}

// Run checks every case against d, then that each of rejections appears in some case and
// each command of d.Commands has a case that produces events.
func Run[S any](t *testing.T, d bus.Decider[S], rejections []*errcode.Error, cases []Case) {
	t.Helper()
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.Name] {
			t.Errorf("two cases named %q", tc.Name)
		}
		names[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) { runCase(t, d, tc) })
	}
	seen := map[string]bool{}
	succeeded := map[reflect.Type]bool{}
	for _, tc := range cases {
		seen[tc.WantCode] = true
		if tc.WantCode == "" && len(tc.Want) > 0 {
			succeeded[reflect.TypeOf(tc.Command)] = true
		}
	}
	for _, e := range rejections {
		if !seen[e.Code] {
			t.Errorf("rejection %s never appears in the decide table", e.Code)
		}
		if e.FR == "" || e.EN == "" || e.Status < 400 || e.Status > 499 {
			t.Errorf("rejection %s lacks a message or a 4xx status", e.Code)
		}
	}
	for _, spec := range d.Commands {
		if typ := reflect.TypeOf(spec.New()).Elem(); !succeeded[typ] {
			t.Errorf("%s (%s) has no successful decide case", spec.Name, typ.Name())
		}
	}
	// An unknown command is refused with unknown_command (at least once the aggregate
	// exists: some contexts refuse everything before that), and never produces events.
	unknown := false
	for _, tc := range cases {
		evs, err := d.Decide(Fold(d, tc.Given...), struct{}{})
		unknown = unknown || errors.Is(err, errcode.UnknownCommand)
		if len(evs) > 0 {
			t.Errorf("an unknown command after %q produced events", tc.Name)
		}
	}
	if !unknown {
		t.Error("an unknown command is never refused with unknown_command")
	}
}

func runCase[S any](t *testing.T, d bus.Decider[S], tc Case) {
	state := Fold(d, tc.Given...)
	got, err := d.Decide(state, tc.Command)
	if !reflect.DeepEqual(Fold(d, tc.Given...), state) {
		t.Fatal("Decide modified the state it was given")
	}
	if tc.WantCode != "" {
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != tc.WantCode {
			t.Fatalf("err = %v, want code %s", err, tc.WantCode)
		}
		if got != nil {
			t.Fatalf("rejection with events %v", got)
		}
		return
	}
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if len(got) != len(tc.Want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.Want)) {
		t.Fatalf("events\n got %s\nwant %s", dump(got), dump(tc.Want))
	}
	for _, e := range got {
		roundTrip(t, e)
	}
	after := state
	for _, e := range got {
		after = d.Evolve(after, e)
	}
	_ = after // Evolve must accept every event Decide produces without panicking.
}

// roundTrip checks that an event payload decodes from its JSON to the same value.
func roundTrip(t *testing.T, p events.Payload) {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("%s: %v", p.EventType(), err)
	}
	back := reflect.New(reflect.TypeOf(p))
	if err := json.Unmarshal(b, back.Interface()); err != nil {
		t.Fatalf("%s: %v", p.EventType(), err)
	}
	if !reflect.DeepEqual(back.Elem().Interface(), p) {
		t.Fatalf("%s does not survive JSON:\n got %#v\nwant %#v", p.EventType(), back.Elem().Interface(), p)
	}
}

func dump(ps []events.Payload) string {
	var b strings.Builder
	for _, p := range ps {
		j, _ := json.Marshal(p)
		b.WriteString("\n  " + p.EventType() + " " + string(j))
	}
	return b.String()
}

// DecodeCase is a command body and the validation it must get.
type DecodeCase struct {
	Command string
	Body    string
	// Fields is nil for a body that must be accepted; otherwise the validation_failed
	// fields (JSON name → rule) it must get.
	Fields map[string]string
}

// Decoding checks the catalogue (names, summaries, one context) and decodes every case
// with the bus's decoder; every command needs at least one accepted body, and every
// accepted body must decode into a command that decide knows.
func Decoding[S any](t *testing.T, d bus.Decider[S], cases []DecodeCase) {
	t.Helper()
	specs := map[string]bus.CommandSpec{}
	for _, s := range d.Commands {
		if s.Context != d.Context || !bus.ValidName(s.Name) || s.Summary == "" || specs[s.Name].New != nil {
			t.Errorf("bad catalogue entry %+v", s)
		}
		specs[s.Name] = s
	}
	dec := bus.NewDecoder()
	accepted := map[string]bool{}
	for _, tc := range cases {
		spec, ok := specs[tc.Command]
		if !ok {
			t.Errorf("no command %s", tc.Command)
			continue
		}
		cmd, err := dec.Decode(spec, []byte(tc.Body))
		if tc.Fields == nil {
			if err != nil {
				t.Errorf("%s %s: %v", tc.Command, tc.Body, err)
				continue
			}
			accepted[tc.Command] = true
			if _, err := d.Decide(Fold(d), cmd); errors.Is(err, errcode.UnknownCommand) {
				t.Errorf("%s: Decide does not know %T", tc.Command, cmd)
			}
			continue
		}
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != "validation_failed" || !reflect.DeepEqual(e.Fields, tc.Fields) {
			var fields map[string]string
			if e != nil {
				fields = e.Fields
			}
			t.Errorf("%s %s: %v (fields %v), want fields %v", tc.Command, tc.Body, err, fields, tc.Fields)
		}
	}
	for name := range specs {
		if !accepted[name] {
			t.Errorf("no accepted body for %s", name)
		}
	}
}
