package authz

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

func TestChecks(t *testing.T) {
	cases := []struct {
		actor            events.Actor
		context, command string
		want             error
	}{
		{events.Actor{User: "s", Role: "secretariat"}, "membership", "add-organisation", nil},
		{events.Actor{User: "m", Role: "member"}, "membership", "add-organisation", errcode.Forbidden},
		{events.Actor{User: "a", Role: "auditor"}, "opinions", "edit-text", errcode.Forbidden},
		{events.Actor{User: "p", Role: "system"}, "opinions", "record-outcome", nil},
		{events.Actor{User: "s", Role: "secretariat"}, "opinions", "record-outcome", errcode.Forbidden},
		{events.Actor{User: "m", Role: "member"}, "opinions", "no-such-command", errcode.Forbidden},
		{events.Actor{}, "membership", "add-organisation", errcode.Unauthenticated},
		{events.Actor{User: "x", Role: "president"}, "membership", "add-organisation", errcode.Forbidden},
	}
	for _, c := range cases {
		if err := MayCommand(c.actor, c.context, c.command); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%+v %s.%s: %v, want %v", c.actor, c.context, c.command, err, c.want)
		}
	}
	if err := MayRead(events.Actor{User: "o", Role: "observer"}, "organisations"); err != nil {
		t.Errorf("observer reading organisations: %v", err)
	}
	if err := MayRead(events.Actor{User: "p", Role: "system"}, "organisations"); !errors.Is(err, errcode.Forbidden) {
		t.Errorf("system reading a view: %v", err)
	}
	CommandRoles()["membership.add-organisation"][0] = "member"
	if err := MayCommand(events.Actor{User: "m", Role: "member"}, "membership", "add-organisation"); err == nil {
		t.Error("CommandRoles handed out the table itself")
	}
}

func TestActorHelpers(t *testing.T) {
	org := uuid.New()
	member := events.Actor{User: "amf@demo.invalid", Organisation: org.String(), Role: "member"}
	secretariat := events.Actor{User: "s@demo.invalid", Organisation: org.String(), Role: "secretariat"}
	if !IsPerson(member) || !IsPerson(secretariat) || IsPerson(events.Actor{Role: "auditor"}) || IsPerson(events.Actor{Role: "system"}) {
		t.Fatal("IsPerson")
	}
	if !MemberFor(member, org) || MemberFor(member, uuid.New()) || MemberFor(secretariat, org) {
		t.Fatal("MemberFor")
	}
	if id, ok := ActsFor(member); !ok || id != org {
		t.Fatal("ActsFor of a member")
	}
	for _, bad := range []string{"", "AMF", uuid.Nil.String()} {
		if _, ok := ActsFor(events.Actor{Organisation: bad, Role: "member"}); ok {
			t.Errorf("ActsFor(%q) is valid", bad)
		}
	}
}
