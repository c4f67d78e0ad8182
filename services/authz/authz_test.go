package authz

import (
	"errors"
	"testing"

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
