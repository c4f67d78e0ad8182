package membership_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/membership"
)

func spec(t *testing.T, name string) bus.CommandSpec {
	t.Helper()
	for _, s := range membership.Commands() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no command %s", name)
	return bus.CommandSpec{}
}

func TestCommandDecoding(t *testing.T) {
	id := membership.OrganisationIDFor("x").String()
	cases := []decidertest.DecodeCase{
		{Command: "add-organisation", Body: `{"name": "Association des Maires de France", "acronym": "AMF"}`},
		{Command: "add-organisation", Body: `{"name":"Régions de France","acronym":"ARF","kind":"elected_officials_association","website":"https://regions-france.org"}`},
		{Command: "add-organisation", Body: `{"name":" ","acronym":"A M F","kind":"club","website":"ftp://x.fr"}`,
			Fields: map[string]string{"name": "notblank", "acronym": "acronym", "kind": "oneof=elected_officials_association public_operator ministry other", "website": "http_url"}},
		{Command: "add-organisation", Body: `{"acronym":"ABCDEFGHIJKLMNOPQRSTU"}`, Fields: map[string]string{"name": "required", "acronym": "max=20"}},
		{Command: "create-committee", Body: `{"name":"Comité des partenaires du numérique pour l'éducation","acronym":"CPNE"}`},
		{Command: "create-committee", Body: `{}`, Fields: map[string]string{"name": "required"}},
		{Command: "update-organisation", Body: `{"organisation_id":"` + id + `","website":""}`},
		{Command: "update-organisation", Body: `{"organisation_id":"nope","name":"","kind":"x"}`,
			Fields: map[string]string{"organisation_id": "uuid", "name": "notblank", "kind": "oneof=elected_officials_association public_operator ministry other"}},
		{Command: "remove-organisation", Body: `{"organisation_id":"` + id + `","reason":"fusion"}`},
		{Command: "add-representative", Body: `{"organisation_id":"` + id + `","name":"Alice","email":"alice@amf.asso.fr","role":"member"}`},
		{Command: "add-representative", Body: `{"organisation_id":"` + id + `","name":"Alice","email":"alice","role":"president"}`,
			Fields: map[string]string{"email": "email", "role": "oneof=secretariat member auditor observer"}},
		{Command: "change-role", Body: `{"representative_id":"` + id + `","role":"auditor"}`},
		{Command: "change-role", Body: `{"representative_id":"` + id + `"}`, Fields: map[string]string{"role": "required"}},
		{Command: "remove-representative", Body: `{"representative_id":"` + id + `"}`},
		{Command: "designate-secretariat", Body: `{"organisation_id":"` + id + `"}`},
		{Command: "designate-secretariat", Body: `{"organisation_id":"` + id + `","acronym":"DNE"}`, Fields: map[string]string{"acronym": "unknown"}},
	}
	decidertest.Decoding(t, membership.Decider(), cases)
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range membership.Commands() {
		if s.Context != membership.Context || !bus.ValidName(s.Name) || s.Summary == "" || seen[s.Name] {
			t.Errorf("bad spec %+v", s)
		}
		seen[s.Name] = true
	}
	reg := events.NewRegistry()
	membership.Register(reg)
	membership.Register(reg) // harmless twice
	if got := reg.Types(); len(got) != len(membership.EventTypes()) {
		t.Fatalf("registered %v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	if _, err := membership.New(bus.ServiceConfig{}); err == nil {
		t.Fatal("empty config accepted")
	}
	if _, err := membership.New(bus.ServiceConfig{Store: bustest.NewFakeStore()}); err == nil {
		t.Fatal("config without registry accepted")
	}
}

// harness runs the membership service over an embedded NATS server.
type harness struct {
	client *bus.Client
	store  store.Store
	nc     func(string) *nats.Conn
}

func newHarness(t *testing.T, st func(nc *nats.Conn) store.Store, replies bus.ReplyStore) *harness {
	t.Helper()
	connect := bustest.NATS(t)
	nc := connect("membership")
	h := &harness{store: st(nc), nc: connect}
	svc, err := membership.New(bus.ServiceConfig{Store: h.store, Conn: nc, Registry: events.NewRegistry(),
		Replies: replies, Clock: func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	h.client = bus.NewClient(connect("gateway"), bus.ClientOptions{})
	return h
}

func (h *harness) send(t *testing.T, id, command, body string) (bus.Reply, error) {
	t.Helper()
	return h.client.Send(context.Background(), bus.Request{Context: membership.Context, Command: command,
		CommandID: id, Body: []byte(body), Actor: events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}})
}

func (h *harness) must(t *testing.T, id, command, body string) bus.Reply {
	t.Helper()
	rep, err := h.send(t, id, command, body)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	return rep
}

// scenario is the committee's life as the gateway drives it, checked against the log.
func scenario(t *testing.T, h *harness) {
	if _, err := h.send(t, "c0", "add-organisation", `{"name":"Association des Maires de France","acronym":"AMF"}`); !errors.Is(err, membership.ErrCommitteeNotFound) {
		t.Fatalf("before the committee: %v", err)
	}
	h.must(t, "c1", "create-committee", `{"name":"Comité des partenaires du numérique pour l'éducation","acronym":"CPNE"}`)
	amf := h.must(t, "c2", "add-organisation", `{"name": "Association des Maires de France", "acronym": "AMF"}`)
	again := h.must(t, "c2", "add-organisation", `{"name": "Association des Maires de France", "acronym": "AMF"}`)
	if !reflect.DeepEqual(amf, again) || len(amf.Events) != 1 || amf.Events[0].Type != membership.TypeOrganisationAdded {
		t.Fatalf("add-organisation %+v, retried %+v", amf, again)
	}
	if _, err := h.send(t, "c3", "add-organisation", `{"name":"Autre","acronym":"amf"}`); !errors.Is(err, membership.ErrOrganisationExists) {
		t.Fatalf("duplicate acronym: %v", err)
	}
	dne := membership.OrganisationIDFor("c4").String()
	h.must(t, "c4", "add-organisation", `{"name":"Direction du numérique pour l'éducation","acronym":"DNE","kind":"ministry"}`)
	h.must(t, "c5", "designate-secretariat", `{"organisation_id":"`+dne+`"}`)
	noop := h.must(t, "c6", "designate-secretariat", `{"organisation_id":"`+dne+`"}`)
	if len(noop.Events) != 0 {
		t.Fatalf("designating twice appended %+v", noop.Events)
	}
	rep := h.must(t, "c7", "add-representative", `{"organisation_id":"`+membership.OrganisationIDFor("c2").String()+
		`","name":"Alice Martin","email":"alice@amf.asso.fr","role":"member"}`)
	h.must(t, "c8", "change-role", `{"representative_id":"`+membership.RepresentativeIDFor("c7").String()+`","role":"auditor"}`)
	if _, err := h.send(t, "c9", "remove-organisation", `{"organisation_id":"`+dne+`"}`); !errors.Is(err, membership.ErrOrganisationIsSecretariat) {
		t.Fatalf("removing the secretariat: %v", err)
	}
	removed := h.must(t, "c10", "remove-organisation", `{"organisation_id":"`+membership.OrganisationIDFor("c2").String()+`","reason":"test"}`)
	if len(removed.Events) != 2 || removed.Events[1].Type != membership.TypeRepresentativeRemoved || removed.Position <= rep.Position {
		t.Fatalf("remove-organisation %+v", removed)
	}

	var types []string
	var last events.Event
	for ev, err := range h.store.Read(context.Background(), membership.CommitteeStream, 0) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		last = ev
	}
	want := []string{membership.TypeCommitteeCreated, membership.TypeOrganisationAdded, membership.TypeOrganisationAdded,
		membership.TypeSecretariatDesignated, membership.TypeRepresentativeAdded, membership.TypeRepresentativeRoleChanged,
		membership.TypeOrganisationRemoved, membership.TypeRepresentativeRemoved}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("log %v\nwant %v", types, want)
	}
	if last.Meta.CommandID != "c10" || last.Meta.Actor.Role != "secretariat" || last.ID != events.DeriveID("c10", 1) ||
		last.Position != removed.Position {
		t.Fatalf("last event %+v", last)
	}
}

func TestServiceOverNATS(t *testing.T) {
	h := newHarness(t, func(*nats.Conn) store.Store { return bustest.NewFakeStore() }, bustest.NewFakeReplies())
	scenario(t, h)
}
