package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// transcript collects every output of userRun, to look for secrets in it.
var transcript strings.Builder

// userRun runs `comite <args>` with input on stdin and returns the exit code and outputs.
func userRun(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(input)
	defer func() { stdin = old }()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	transcript.WriteString(out.String() + errOut.String())
	return code, out.String(), errOut.String()
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	menDNE := seedOrganisations(t, dir, "AMF", "ADF", "MEN-DNE")["MEN-DNE"]
	pw := rand.Text()
	secrets := []string{pw}

	code, out, errOut := userRun(t, pw+"\n", "user", "add", "--data", dir, "--email", "Claire.Martin@AMF.fr",
		"--name", "Claire Martin", "--role", "member", "--organisation", "amf", "--password-stdin")
	if code != 0 || !strings.Contains(out, "claire.martin@amf.fr, member") {
		t.Fatalf("add: %d\n%s%s", code, out, errOut)
	}
	secPW := rand.Text()
	secrets = append(secrets, secPW)
	if code, out, errOut := userRun(t, secPW, "user", "add", "--data", dir, "--email", "sec@education.gouv.fr",
		"--name", "Secrétariat", "--role", "secretariat", "--organisation", menDNE.String()); code != 0 {
		t.Fatalf("add secretariat by organisation ID: %d\n%s%s", code, out, errOut)
	}

	for _, tc := range []struct {
		name, input string
		args        []string
		code        int
		want        string
	}{
		{"taken", pw, []string{"--email", "claire.martin@amf.fr", "--name", "C", "--role", "observer"}, 1, "email_taken"},
		{"member without organisation", pw, []string{"--email", "x@amf.fr", "--name", "X", "--role", "member"}, 1, "organisation_id: a member acts for an organisation"},
		{"weak password", "short\n", []string{"--email", "x@amf.fr", "--name", "X", "--role", "observer"}, 1, "password: at least 12 characters"},
		{"no password", "", []string{"--email", "x@amf.fr", "--name", "X", "--role", "observer"}, 1, "no password on standard input"},
		{"unknown organisation", pw, []string{"--email", "x@amf.fr", "--name", "X", "--role", "member", "--organisation", "NOPE"}, 1, `no organisation "NOPE" (known: ADF, AMF, MEN-DNE)`},
		{"bad role", pw, []string{"--email", "x@amf.fr", "--name", "X", "--role", "admin"}, 1, "role: must be one of"},
		{"missing email", pw, []string{"--name", "X", "--role", "observer"}, 2, "--email is required"},
		{"password flag", pw, []string{"--email", "x@amf.fr", "--name", "X", "--role", "observer", "--password", pw}, 2, "flag provided but not defined: -password"},
	} {
		code, out, errOut := userRun(t, tc.input, append([]string{"user", "add", "--data", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: %d\n%s%s", tc.name, code, out, errOut)
		}
	}

	code, out, errOut = userRun(t, "", "user", "token", "--data", dir, "--email", "claire.martin@amf.fr", "--name", "export", "--expires", "24h")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "ct_") || len(token) != 46 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("token: %d\n%s%s", code, out, errOut)
	}
	secrets = append(secrets, token)
	env, err := openAccounts(context.Background(), dir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := env.svc.TokenAccount(context.Background(), token); err != nil || a.Email != "claire.martin@amf.fr" {
		t.Fatalf("token does not act for Claire: %+v, %v", a, err)
	}
	env.Close()

	newPW := rand.Text()
	secrets = append(secrets, newPW)
	if code, out, errOut := userRun(t, newPW+"\r\n", "user", "reset-password", "--data", dir, "--email", "CLAIRE.martin@amf.fr"); code != 0 {
		t.Fatalf("reset-password: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := userRun(t, newPW, "user", "reset-password", "--data", dir, "--email", "nobody@amf.fr"); code != 1 || !strings.Contains(errOut, "not_found") {
		t.Fatalf("reset-password of nobody: %d %s", code, errOut)
	}
	if code, out, errOut := userRun(t, "", "user", "disable", "--data", dir, "--email", "claire.martin@amf.fr"); code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = userRun(t, "", "user", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "EMAIL") ||
		!strings.Contains(lines[1], "claire.martin@amf.fr") || !strings.Contains(lines[1], "AMF") || !strings.Contains(lines[1], "disabled") ||
		!strings.Contains(lines[2], "sec@education.gouv.fr") || !strings.Contains(lines[2], "MEN-DNE") || !strings.Contains(lines[2], "active") {
		t.Fatalf("list: %d\n%s%s", code, out, errOut)
	}

	env, err = openAccounts(context.Background(), dir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	ctx := context.Background()
	if _, err := env.svc.TokenAccount(ctx, token); err == nil {
		t.Fatal("token of a disabled account still works")
	}
	if _, err := env.svc.Authenticate(ctx, "sec@education.gouv.fr", secPW); err != nil {
		t.Fatalf("secretariat password: %v", err)
	}
	if code, _, errOut := userRun(t, "", "user", "token", "--data", t.TempDir(), "--email", "claire.martin@amf.fr"); code != 1 || !strings.Contains(errOut, "not_found") {
		t.Fatalf("token in another data dir: %d %s", code, errOut)
	}
	// Passwords never appear in any output; the token only once, where it is printed.
	for i, secret := range secrets {
		want := 0
		if secret == token {
			want = 1
		}
		if n := strings.Count(transcript.String(), secret); n != want {
			t.Errorf("secret %d appears %d times in the output, want %d", i, n, want)
		}
	}
}

// seedOrganisations creates the committee and the demo organisations named by acronym in
// a stopped server's data directory, and returns their IDs.
func seedOrganisations(t *testing.T, dir string, acronyms ...string) map[string]uuid.UUID {
	t.Helper()
	ctx := context.Background()
	sys, err := startSystem(ctx, systemConfig{DataDir: dir, Fsync: natsembed.FsyncInterval, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if err := demo.EnsureCommittee(ctx, sys.client); err != nil {
		t.Fatal(err)
	}
	ids := map[string]uuid.UUID{}
	for _, o := range demo.Organisations() {
		if !slices.Contains(acronyms, o.Acronym) {
			continue
		}
		body, _ := json.Marshal(o)
		cmdID := uuid.NewString()
		if _, err := sys.client.Send(ctx, bus.Request{Context: membership.Context, Command: "add-organisation",
			CommandID: cmdID, Body: body, Actor: demo.Actor}); err != nil {
			t.Fatalf("adding %s: %v", o.Acronym, err)
		}
		ids[o.Acronym] = membership.OrganisationIDFor(cmdID)
	}
	return ids
}

func TestUserHelp(t *testing.T) {
	if code, out, _ := userRun(t, "", "user", "--help"); code != 0 || !strings.Contains(out, "reset-password") {
		t.Fatalf("user --help: %d %s", code, out)
	}
	if code, _, errOut := userRun(t, "", "user"); code != 2 || !strings.Contains(errOut, "Usage: comite user") {
		t.Fatalf("user: %d %s", code, errOut)
	}
	if code, _, errOut := userRun(t, "", "user", "rename"); code != 2 || !strings.Contains(errOut, `unknown command "rename"`) {
		t.Fatalf("user rename: %d %s", code, errOut)
	}
	for _, sub := range []string{"add", "list", "disable", "reset-password", "token"} {
		code, out, errOut := userRun(t, "", "user", sub, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: comite user "+sub) || !strings.Contains(errOut, "-data") {
			t.Errorf("user %s --help: %d\n%s%s", sub, code, out, errOut)
		}
	}
	if code, out, _ := userRun(t, "", "--help"); code != 0 || !strings.Contains(out, "user ") {
		t.Fatalf("comite --help does not list user: %s", out)
	}
}
