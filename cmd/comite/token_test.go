package main

import (
	"context"
	"crypto/rand"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// testSecretariat is the account the tests act as through the API.
const testSecretariat = "secretariat@test.invalid"

// issueSecretariatToken creates the test secretariat account if needed and returns a new
// API token of it. Its password is random and never used.
func issueSecretariatToken(t testing.TB, svc *accounts.Service) string {
	t.Helper()
	ctx := context.Background()
	_, err := svc.CreateAccount(ctx, accounts.NewAccount{Email: testSecretariat, Name: "Secrétariat (tests)",
		Role: accounts.RoleSecretariat, Password: rand.Text()})
	if err != nil && !errors.Is(err, accounts.EmailTaken) {
		t.Fatal(err)
	}
	token, _, err := svc.IssueToken(ctx, testSecretariat, "tests", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// secretariatToken is issueSecretariatToken on a stopped server's data directory.
func secretariatToken(t testing.TB, dataDir string) string {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{DataDir: dataDir, Fsync: natsembed.FsyncInterval})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect("tests")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	svc, err := accountsService(context.Background(), nc, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return issueSecretariatToken(t, svc)
}

// with merges header maps (later ones win); nil maps are fine.
func with(hs ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		maps.Copy(out, h)
	}
	return out
}
