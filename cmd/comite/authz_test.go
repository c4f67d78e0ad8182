package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// TestAuthorizationMatrix sends every command of the catalogue and reads every view as
// every role, through the real gateway and services, and expects exactly the table's
// answer. A command or view without a rule fails here.
func TestAuthorizationMatrix(t *testing.T) {
	w := startWorkServer(t)
	commands, views := authz.CommandRoles(), authz.ViewRoles()
	catalogue := map[string]bool{}
	for _, c := range w.srv.sys.commands {
		name := c.Context + "." + c.Name
		catalogue[name] = true
		if _, ok := commands[name]; !ok {
			t.Errorf("no authorization rule for the command %s", name)
		}
	}
	for name := range commands {
		if !catalogue[name] {
			t.Errorf("a rule for %s, which is not a command", name)
		}
	}
	for _, v := range w.srv.runner.Views() {
		if _, ok := views[v.Name()]; !ok {
			t.Errorf("no read rule for the view %s", v.Name())
		}
	}
	if t.Failed() {
		return
	}
	org := uuid.NewString()
	for _, role := range authz.Roles() {
		actor := events.Actor{User: string(role) + "@demo.invalid", Organisation: org, Role: string(role)}
		for _, c := range w.srv.sys.commands {
			name := c.Context + "." + c.Name
			r := w.send(t, actor, "", uuid.NewString(), c.Context+"/"+c.Name, map[string]any{})
			var prob struct{ Code, Detail string }
			_ = json.Unmarshal(r.Body, &prob)
			refused := r.Status == http.StatusForbidden && strings.HasPrefix(prob.Detail, "the role ")
			if allowed := slices.Contains(commands[name], role); refused == allowed {
				t.Errorf("%s sending %s: %d %s (allowed by the table: %v)", role, name, r.Status, r.Body, allowed)
			}
		}
		for _, v := range w.srv.runner.Views() {
			a, _ := json.Marshal(actor)
			r := call(t, "GET", w.http.URL+"/api/v1/views/"+v.Name(), "", map[string]string{testActorHeader: string(a)})
			allowed := slices.Contains(views[v.Name()], role)
			if (r.Status == http.StatusOK) != allowed || (!allowed && r.Status != http.StatusForbidden) {
				t.Errorf("%s reading %s: %d (allowed by the table: %v)", role, v.Name(), r.Status, allowed)
			}
		}
	}
}

// TestForgedActorOnNATS: a command sent straight onto the NATS server, with an actor
// that was not signed by the gateway's key, is refused by the service and appends
// nothing.
func TestForgedActorOnNATS(t *testing.T) {
	p := startInProcess(t, t.TempDir(), false)
	nc, err := p.srv.sys.nats.Connect("intruder")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	before := p.head(t)
	secretariat := events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}
	req := bus.Request{Context: "membership", Command: "add-organisation", CommandID: uuid.NewString(), Actor: secretariat,
		Body: []byte(`{"name":"Organisation fantôme","acronym":"OF"}`)}
	for name, key := range map[string][]byte{"unsigned": nil, "signed with another key": []byte(strings.Repeat("k", 32))} {
		_, err := bus.NewClient(nc, bus.ClientOptions{ActorKey: key}).Send(context.Background(), req)
		if !errors.Is(err, errcode.Unauthenticated) {
			t.Errorf("%s: %v, want unauthenticated", name, err)
		}
	}
	// The same command signed with the data directory's key is accepted: the refusal
	// above was the signature's doing.
	if _, err := bus.NewClient(nc, bus.ClientOptions{ActorKey: p.srv.sys.actorKey}).Send(context.Background(), req); err != nil {
		t.Fatalf("signed: %v", err)
	}
	if after := p.head(t); after != before+1 {
		t.Fatalf("the log moved by %d events, want 1 (the signed command only)", after-before)
	}
}

// TestSignInAndCrossSiteThroughTheServer: on the real server, repeated wrong passwords
// are refused with 429 (even the right one then), a cross-origin POST and a
// cross-origin websocket upgrade are refused, and nothing but /healthz and the OpenAPI
// document answers without a session.
func TestSignInAndCrossSiteThroughTheServer(t *testing.T) {
	p := startInProcess(t, t.TempDir(), true)
	login := func(password string, h map[string]string) httpResult {
		b, _ := json.Marshal(map[string]string{"email": "amf@demo.invalid", "password": password})
		return call(t, "POST", p.http.URL+"/api/v1/session", string(b), h)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/views/organisations", "", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("a view without a session: %d", r.Status)
	}
	if r := login("not the password", map[string]string{"Origin": "https://evil.example"}); r.Status != http.StatusForbidden {
		t.Fatalf("cross-origin sign-in: %d %s", r.Status, r.Body)
	}
	if r := call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", `{"name":"X","acronym":"X"}`,
		with(p.auth, map[string]string{"Origin": "https://evil.example"})); r.Status != http.StatusForbidden {
		t.Fatalf("cross-origin command: %d %s", r.Status, r.Body)
	}
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.http.URL, "http")+"/api/v1/live",
		http.Header{"Origin": {"https://evil.example"}, "Authorization": {p.auth["Authorization"]}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin websocket upgrade: %v %v", err, resp)
	}
	var last httpResult
	for range 10 {
		if last = login("wrong password!", nil); last.Status == http.StatusTooManyRequests {
			break
		}
		if last.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d %s", last.Status, last.Body)
		}
	}
	if last = login("wrong password!", nil); last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("after 10 failures: %d %v", last.Status, last.Header)
	}
}
