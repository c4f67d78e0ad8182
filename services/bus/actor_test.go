package bus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// TestSignedActors: with an actor key, a service refuses requests whose actor is not
// signed with it, signed with another key, altered after signing, or signed for another
// command; a role the Authorize rule refuses is forbidden before the body is read.
func TestSignedActors(t *testing.T) {
	conn := bustest.NATS(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	svc, err := bus.NewService(bus.ServiceConfig{Conn: conn("service"), Store: bustest.NewFakeStore(), Registry: registry(),
		Replies: bustest.NewFakeReplies(), Clock: clock, ActorKey: key,
		Authorize: func(a events.Actor, _, _ string) error {
			if a.Role == "observer" {
				return errcode.Forbidden
			}
			return nil
		}}, ledgerDecider())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	nc := conn("gateway")
	ctx := context.Background()

	signed := bus.NewClient(nc, bus.ClientOptions{ActorKey: key})
	if _, err := signed.Send(ctx, ledgerRequest("a", "add-entry", `{"name":"a","amount":1}`)); err != nil {
		t.Fatalf("signed: %v", err)
	}
	if _, err := bus.NewClient(nc, bus.ClientOptions{}).Send(ctx, ledgerRequest("b", "add-entry", `{"name":"b","amount":1}`)); !errors.Is(err, errcode.Unauthenticated) {
		t.Fatalf("unsigned: %v", err)
	}
	other := bus.NewClient(nc, bus.ClientOptions{ActorKey: []byte("another key of thirty-two bytes!")})
	if _, err := other.Send(ctx, ledgerRequest("c", "add-entry", `{"name":"c","amount":1}`)); !errors.Is(err, errcode.Unauthenticated) {
		t.Fatalf("signed with another key: %v", err)
	}
	observer := ledgerRequest("d", "add-entry", `not even json`)
	observer.Actor.Role = "observer"
	if _, err := signed.Send(ctx, observer); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("observer: %v", err)
	}

	// A forged request: a member's signature with the actor changed to the secretariat,
	// and a valid signature of another command.
	member := `{"user":"u1","organisation":"amf","role":"member"}`
	forge := func(id, actor, signature string) error {
		msg := nats.NewMsg(bus.Subject("ledger", "add-entry"))
		msg.Header.Set(bus.HeaderCommandID, id)
		msg.Header.Set(bus.HeaderActor, actor)
		msg.Header.Set(bus.HeaderActorSignature, signature)
		msg.Data = []byte(`{"name":"forged","amount":1}`)
		resp, err := nc.RequestMsg(msg, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, err = bus.ParseReply(resp)
		return err
	}
	if err := forge("e", `{"user":"u1","organisation":"amf","role":"secretariat"}`, bus.SignActor(key, "e", "ledger", "add-entry", member)); !errors.Is(err, errcode.Unauthenticated) {
		t.Fatalf("altered actor: %v", err)
	}
	if err := forge("f", member, bus.SignActor(key, "another", "ledger", "add-entry", member)); !errors.Is(err, errcode.Unauthenticated) {
		t.Fatalf("signature of another command: %v", err)
	}
	if err := forge("g", member, bus.SignActor(key, "g", "ledger", "add-entry", member)); err != nil {
		t.Fatalf("a well-signed raw request: %v", err)
	}
}

func registry() *events.Registry {
	reg := events.NewRegistry()
	events.MustRegister[entryAdded](reg, 1)
	return reg
}

// TestRequestHashIsKeyed: with a key, the reply store's request hash cannot be recomputed
// by whoever reads the store (a secret ballot's choices are in the body).
func TestRequestHashIsKeyed(t *testing.T) {
	r := ledgerRequest("a", "cast", `{"choices":["pour"]}`)
	key := []byte("0123456789abcdef0123456789abcdef")
	plain, keyed := bus.RequestHash(nil, r), bus.RequestHash(key, r)
	if plain == keyed || keyed != bus.RequestHash(key, r) || keyed == bus.RequestHash([]byte("another key"), r) {
		t.Fatalf("plain %s keyed %s", plain, keyed)
	}
	r.Body = []byte(`{"choices":["contre"]}`)
	if bus.RequestHash(key, r) == keyed {
		t.Fatal("another body, the same hash")
	}
}
