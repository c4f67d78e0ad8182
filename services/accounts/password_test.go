package accounts

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/services/errcode"
)

func TestHashPasswordPHC(t *testing.T) {
	pw := password()
	phc, err := HashPassword(pw, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(phc) {
		t.Fatalf("not an OWASP argon2id PHC string: %s", phc)
	}
	if strings.Contains(phc, pw) {
		t.Fatal("hash contains the password")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{pw, true}, {pw + "x", false}, {"", false}, {strings.ToLower(pw), false}} {
		ok, err := VerifyPassword(tc.pw, phc)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword = %v, %v; want %v", ok, err, tc.want)
		}
	}
	again, _ := HashPassword(pw, Params{})
	if again == phc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyUsesTheHashParameters(t *testing.T) {
	pw := password()
	phc, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatal(phc)
	}
	if ok, err := VerifyPassword(pw, phc); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	phc, _ := HashPassword(password(), cheap)
	parts := strings.Split(phc, "$")
	for name, bad := range map[string]string{
		"empty":          "",
		"argon2i":        strings.Replace(phc, "argon2id", "argon2i", 1),
		"version":        strings.Replace(phc, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(phc, "m=64", "m=99999999", 1),
		"zero time":      strings.Replace(phc, "t=1", "t=0", 1),
		"bad salt":       strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":      strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"missing fields": "$argon2id$v=19$m=64,t=1,p=1$",
	} {
		if _, err := VerifyPassword("x", bad); !errors.Is(err, errBadHash) {
			t.Errorf("%s: err = %v, want errBadHash", name, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, email, pw string
		ok              bool
	}{
		{"long enough", "a@b.fr", password(), true},
		{"eleven", "a@b.fr", "abcdefghijk", false},
		{"twelve runes", "a@b.fr", "éééééééééééé", true},
		{"is the email", "Someone.Long@Example.org", " someone.long@example.org", false},
		{"too long", "a@b.fr", strings.Repeat("x", MaxPasswordBytes+1), false},
	} {
		err := CheckPassword(tc.email, tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if err != nil && (!errors.Is(err, errcode.ValidationFailed) || errcode.From(err).Fields["password"] == "") {
			t.Errorf("%s: err = %#v, want validation_failed naming password", tc.name, err)
		}
	}
}
