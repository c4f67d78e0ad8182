package accounts

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/services/errcode"
)

func TestSecretsFormat(t *testing.T) {
	s, _ := NewSessionSecret()
	tok, _ := NewToken()
	for _, c := range []struct{ secret, prefix string }{{s, "cs_"}, {tok, "ct_"}} {
		if len(c.secret) != 46 || !strings.HasPrefix(c.secret, c.prefix) {
			t.Fatalf("secret %q: want %s + 43 characters", c.secret, c.prefix)
		}
		b, err := base64.RawURLEncoding.DecodeString(c.secret[3:])
		if err != nil || len(b) != 32 {
			t.Fatalf("not base64url of 32 bytes: %v", err)
		}
	}
	if got, err := ParseSessionCookie(s); got != s || err != nil {
		t.Fatalf("ParseSessionCookie = %q, %v", got, err)
	}
	for _, h := range []string{"Bearer " + tok, "bearer " + tok, "BEARER " + tok} {
		if got, err := ParseBearer(h); got != tok || err != nil {
			t.Fatalf("ParseBearer(%q) = %q, %v", h, got, err)
		}
	}
}

func TestParseRefusesMalformed(t *testing.T) {
	s, _ := NewSessionSecret()
	tok, _ := NewToken()
	cookies := []string{"", "cs_", s[:45], s + "A", "ct_" + s[3:], "CS_" + s[3:], s[:45] + "=", s[:45] + "+",
		s[:10] + " " + s[11:], s[:45] + "\x00", strings.Replace(s, s[3:4], "é", 1)}
	// The last character of 32 bytes in base64 carries 4 bits of padding that must be 0.
	last := s[45]
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		if byte(c) != last {
			if _, err := base64.RawURLEncoding.Strict().DecodeString(s[3:45] + string(c)); err != nil {
				cookies = append(cookies, s[:45]+string(c))
				break
			}
		}
	}
	for _, c := range cookies {
		if _, err := ParseSessionCookie(c); !errors.Is(err, errcode.Unauthenticated) {
			t.Errorf("ParseSessionCookie(%q) err = %v", c, err)
		}
	}
	bearers := []string{"", tok, "Bearer", "Bearer ", "Bearer  " + tok, "Basic " + tok, "Bearer " + s,
		"Bearer " + tok + " ", " Bearer " + tok, "Bearer\t" + tok, "Bearer " + tok[:45]}
	for _, b := range bearers {
		if _, err := ParseBearer(b); !errors.Is(err, errcode.Unauthenticated) {
			t.Errorf("ParseBearer(%q) err = %v", b, err)
		}
	}
	// The error never quotes what it was given.
	_, err := ParseBearer("Bearer " + tok[:45] + "!")
	if strings.Contains(err.Error(), tok[:20]) {
		t.Fatal("error quotes the token")
	}
}

func FuzzParseBearer(f *testing.F) {
	tok, _ := NewToken()
	s, _ := NewSessionSecret()
	for _, seed := range []string{"", "Bearer " + tok, "bearer " + tok, "Bearer " + s, "Bearer  " + tok,
		"Basic dXNlcjpwYXNz", "Bearer " + tok[:45] + "=", "Bearer ct_" + strings.Repeat("A", 43)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, err := ParseBearer(h)
		if err != nil {
			if !errors.Is(err, errcode.Unauthenticated) || tok != "" {
				t.Fatalf("ParseBearer(%q) = %q, %v", h, tok, err)
			}
			return
		}
		if !strings.EqualFold(h[:7], "bearer ") || h[7:] != tok || !strings.HasPrefix(tok, "ct_") {
			t.Fatalf("ParseBearer(%q) = %q", h, tok)
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(tok[3:])
		if err != nil || len(b) != 32 || "ct_"+base64.RawURLEncoding.EncodeToString(b) != tok {
			t.Fatalf("accepted token %q does not round-trip", tok)
		}
	})
}

func FuzzParseSessionCookie(f *testing.F) {
	tok, _ := NewToken()
	s, _ := NewSessionSecret()
	for _, seed := range []string{"", s, tok, s[:45], s + "=", "cs_" + strings.Repeat("_", 43), "cs_" + strings.Repeat("A", 42) + "B"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := ParseSessionCookie(v)
		if err != nil {
			if !errors.Is(err, errcode.Unauthenticated) || got != "" {
				t.Fatalf("ParseSessionCookie(%q) = %q, %v", v, got, err)
			}
			return
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimPrefix(got, "cs_"))
		if got != v || err != nil || len(b) != 32 || "cs_"+base64.RawURLEncoding.EncodeToString(b) != v {
			t.Fatalf("accepted cookie %q does not round-trip", v)
		}
	})
}
