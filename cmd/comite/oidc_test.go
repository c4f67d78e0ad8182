package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/accounts/oidctest"
	"github.com/comite-partenaires/comite/services/demo"
)

// lockedBuffer collects a server's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeSignsInWithOIDC runs `comite serve` with the --oidc-* flags and the client
// secret in its variable, against a test provider; a browser signs in through the
// provider as a member of AMF and reads a view with the session cookie alone.
func TestServeSignsInWithOIDC(t *testing.T) {
	const secret = "oidc-client-secret-for-tests"
	provider := oidctest.New(t, "comite", secret)
	provider.SetClaims(map[string]any{"email": "Claire@Partenaire.example", "email_verified": true,
		"name": "Claire Dubois", "org": "amf", "comite_role": "member"})
	t.Setenv(oidcClientSecretEnv, secret)
	t.Setenv(demoPasswordEnv, "demo-password-for-oidc-test")

	// The provider must know the callback before the server starts: take a free port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", addr, "--demo", "--fsync", "interval",
			"--log-level", "debug",
			"--oidc-issuer", provider.Issuer(), "--oidc-client-id", "comite",
			"--oidc-redirect-url", base + accounts.OIDCCallbackPath,
			"--oidc-org-claim", "org", "--oidc-role-claim", "comite_role", "--oidc-label", "Partenaires SSO"},
			&stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("comite serve did not stop")
		}
	})
	eventually(t, "comite serve ready", func() bool {
		r, err := httpGet(base + "/healthz")
		return err == nil && r == 200
	})

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	getBody := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	if resp, body := getBody(base + accounts.OIDCInfoPath); resp.StatusCode != 200 ||
		body != `{"enabled":true,"label":"Partenaires SSO"}`+"\n" {
		t.Fatalf("OIDC info: %d %s", resp.StatusCode, body)
	}
	resp, _ := getBody(base + accounts.OIDCLoginPath)
	if resp.Request.URL.String() != base+"/" {
		t.Fatalf("landed on %s; logs:\n%s", resp.Request.URL, stderr.String())
	}
	resp, body := getBody(base + "/api/v1/session")
	var who struct {
		User accounts.User `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &who); err != nil || resp.StatusCode != 200 {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	amf := demo.OrganisationID("AMF")
	if who.User.Email != "claire@partenaire.example" || who.User.Role != accounts.RoleMember ||
		who.User.OrganisationID == nil || *who.User.OrganisationID != amf || who.User.Name != "Claire Dubois" {
		t.Fatalf("signed in as %+v", who.User)
	}
	resp, body = getBody(base + "/api/v1/views/organisations")
	if resp.StatusCode != 200 || !strings.Contains(body, amf.String()) {
		t.Fatalf("organisations view: %d %.300s", resp.StatusCode, body)
	}

	// An unknown organisation is refused, back on the web app with the reason.
	provider.SetClaims(map[string]any{"email": "x@partenaire.example", "org": "NOPE", "comite_role": "member"})
	other, _ := cookiejar.New(nil)
	browser.Jar = other
	resp, _ = getBody(base + accounts.OIDCLoginPath)
	if resp.Request.URL.String() != base+"/?signin_error=oidc_organisation" {
		t.Fatalf("unknown organisation landed on %s", resp.Request.URL)
	}

	logs := stdout.String() + stderr.String()
	for _, s := range append(provider.Issued(), secret) {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret is in the output:\n%s", logs)
		}
	}
	if !strings.Contains(logs, "signed in with OpenID Connect") {
		t.Fatalf("no sign-in logged:\n%s", logs)
	}
}

func TestServeOIDCFlagsChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--oidc-client-id", "c"},
		{"--oidc-issuer", "https://id.example", "--oidc-client-id", "c"},
		{"--oidc-issuer", "https://id.example", "--oidc-redirect-url", "https://comite.example/api/v1/session/oidc/callback"},
		{"--oidc-issuer", "id.example", "--oidc-client-id", "c", "--oidc-redirect-url", "https://comite.example/cb"},
	} {
		var out strings.Builder
		if code := run(context.Background(), append([]string{"serve", "--data", t.TempDir()}, args...), &out, &out); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, out.String())
		}
	}
}
