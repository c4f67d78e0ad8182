package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/comite-partenaires/comite/services/errcode"
)

// Prefixes of secrets: they tell a leaked string's kind at a glance (and let secret
// scanners recognise them), and keep a session secret from being used as a token.
const (
	SessionPrefix = "cs_"
	TokenPrefix   = "ct_"
	// CookieName is the session cookie.
	CookieName = "comite_session"
)

// secretBytes of randomness in every secret: 256 bits, beyond guessing.
const secretBytes = 32

var (
	secretEnc = base64.RawURLEncoding.Strict()
	// secretLen is the length of a well-formed secret, prefix included (3 + 43).
	secretLen = 3 + secretEnc.EncodedLen(secretBytes)
)

// Errors of malformed credentials: coded Unauthenticated, and never quoting the input.
var (
	errMalformedCookie = errcode.Unauthenticated.With("malformed session cookie")
	errMalformedBearer = errcode.Unauthenticated.With("malformed bearer token")
)

func newSecret(prefix string) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + secretEnc.EncodeToString(b), nil
}

// NewSessionSecret returns a fresh session secret, cs_ + base64url(32 random bytes).
func NewSessionSecret() (string, error) { return newSecret(SessionPrefix) }

// NewToken returns a fresh API token, ct_ + base64url(32 random bytes).
func NewToken() (string, error) { return newSecret(TokenPrefix) }

// secretKey is the storage key of a session or token: the hex SHA-256 of the secret, so
// that reading the store gives nothing one could sign in with.
func secretKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormed checks prefix, length and alphabet without branching on each character,
// then decodes strictly (the unused low bits of the last character must be zero, so that
// each secret has exactly one spelling).
func wellFormed(s, prefix string) bool {
	if len(s) != secretLen || s[:3] != prefix {
		return false
	}
	bad := 0
	for i := 3; i < len(s); i++ {
		c := s[i]
		ok := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
		if !ok {
			bad++
		}
	}
	if bad != 0 {
		return false
	}
	b, err := secretEnc.DecodeString(s[3:])
	return err == nil && len(b) == secretBytes
}

// ParseSessionCookie checks a comite_session cookie value and returns the session secret.
func ParseSessionCookie(value string) (string, error) {
	if !wellFormed(value, SessionPrefix) {
		return "", errMalformedCookie
	}
	return value, nil
}

// ParseBearer checks an Authorization header value, "Bearer ct_…" (the scheme is
// case-insensitive, RFC 9110; exactly one space), and returns the API token.
func ParseBearer(header string) (string, error) {
	const scheme = "bearer "
	if len(header) != len(scheme)+secretLen {
		return "", errMalformedBearer
	}
	for i := range len(scheme) {
		c := header[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != scheme[i] {
			return "", errMalformedBearer
		}
	}
	tok := header[len(scheme):]
	if !wellFormed(tok, TokenPrefix) {
		return "", errMalformedBearer
	}
	return tok, nil
}
