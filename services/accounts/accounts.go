// Package accounts is Comité's identity layer: local accounts with argon2id passwords,
// browser sessions, API tokens and login throttling (DESIGN.md, Security).
//
// It is a library the gateway mounts: [Service] holds the rules (who may sign in, what
// revokes what), a [Store] keeps accounts, sessions and tokens (JetStream KV in
// production, memory in tests), [Authenticator] names the actor of each request and
// [Handler] serves /api/v1/session.
//
// Raw secrets never leave the request that carries them: the store only ever sees the
// SHA-256 of a session secret or a token, and no log line, event or error message holds a
// password, a session secret or a token.
package accounts

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Role is what an account may do in the committee (DESIGN.md, Security). It is a plain
// string on the wire and in events.Actor.Role; the "system" role of the process managers
// is deliberately not a Role: no person can hold it.
type Role string

// The roles a person can hold.
const (
	RoleSecretariat Role = "secretariat"
	RoleMember      Role = "member"
	RoleAuditor     Role = "auditor"
	RoleObserver    Role = "observer"
)

// Roles returns every role an account can hold.
func Roles() []Role { return []Role{RoleSecretariat, RoleMember, RoleAuditor, RoleObserver} }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSecretariat, RoleMember, RoleAuditor, RoleObserver:
		return true
	}
	return false
}

// Account is a person who can sign in. It never holds the password hash: that stays in
// the store's Record.
type Account struct {
	ID    uuid.UUID `json:"id"`
	Email string    `json:"email"`
	Name  string    `json:"name"`
	// OrganisationID is the organisation the account acts for: required for members,
	// optional for the secretariat, uuid.Nil for auditors and observers.
	OrganisationID  uuid.UUID `json:"organisation_id"`
	Role            Role      `json:"role"`
	Disabled        bool      `json:"disabled"`
	Created         time.Time `json:"created"`
	PasswordChanged time.Time `json:"password_changed"`
	// External is the issuer of the identity provider that created the account (it has
	// no password until one is set), "" for a local account.
	External string `json:"external,omitempty"`
}

// Actor is who the account acts as in commands' metadata.
func (a Account) Actor() events.Actor {
	act := events.Actor{User: a.Email, Role: string(a.Role)}
	if a.OrganisationID != uuid.Nil {
		act.Organisation = a.OrganisationID.String()
	}
	return act
}

// Limits on input, so that a request cannot make the server hash megabytes or store
// novels as names.
const (
	// MinPasswordLength is counted in characters (runes), as people count them.
	MinPasswordLength = 12
	// MaxPasswordBytes bounds what argon2id is asked to hash.
	MaxPasswordBytes = 1024
	maxEmailBytes    = 254
	maxNameRunes     = 200
)

// Codes of this package, next to the shared ones in errcode.
var (
	// InvalidCredentials is the one answer to a failed sign-in, whether the email is
	// unknown, the password wrong or the account disabled, so that it reveals nothing.
	InvalidCredentials = errcode.New("invalid_credentials", 401,
		"Adresse électronique ou mot de passe incorrect.", "Wrong email address or password.")
	// EmailTaken refuses a second account with the same email address.
	EmailTaken = errcode.New("email_taken", 409,
		"Un compte existe déjà avec cette adresse électronique.", "An account with this email address already exists.")
	// AccountDisabled refuses to act on (issue a token for) a disabled account.
	AccountDisabled = errcode.New("account_disabled", 409,
		"Ce compte est désactivé.", "This account is disabled.")
)

// NormalizeEmail trims and lower-cases an email address: the form accounts are stored,
// looked up and throttled under.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// emailKey is the storage key of an account: the hex SHA-256 of its normalized email, so
// that KV subjects never carry addresses (and any address is a valid key).
func emailKey(email string) string {
	sum := sha256.Sum256([]byte(NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// validEmail accepts a bare address (no display name), as net/mail parses it.
func validEmail(email string) bool {
	if email == "" || len(email) > maxEmailBytes || strings.ContainsAny(email, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && a.Name == ""
}

// NewAccount is what creating an account needs.
type NewAccount struct {
	Email          string
	Name           string
	Role           Role
	OrganisationID uuid.UUID
	// Password is hashed at once and never kept.
	Password string
}

// validate checks everything but the password's strength (CheckPassword).
func (n NewAccount) validate() error {
	fields := map[string]string{}
	if !validEmail(n.Email) {
		fields["email"] = "must be an email address"
	}
	if name := strings.TrimSpace(n.Name); name == "" || utf8.RuneCountInString(name) > maxNameRunes {
		fields["name"] = "required, at most 200 characters"
	}
	switch {
	case !n.Role.Valid():
		fields["role"] = "must be one of secretariat, member, auditor, observer"
	case n.Role == RoleMember && n.OrganisationID == uuid.Nil:
		fields["organisation_id"] = "a member acts for an organisation"
	case (n.Role == RoleAuditor || n.Role == RoleObserver) && n.OrganisationID != uuid.Nil:
		fields["organisation_id"] = "auditors and observers act for no organisation"
	}
	if err := CheckPassword(n.Email, n.Password); err != nil {
		for k, v := range errcode.From(err).Fields {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		return errcode.ValidationFailed.WithFields(fields)
	}
	return nil
}

// CheckPassword enforces the password rules: at least MinPasswordLength characters, at
// most MaxPasswordBytes bytes, and not the email address itself. The error names the
// field, never the password.
func CheckPassword(email, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return errcode.ValidationFailed.WithFields(map[string]string{"password": "at least 12 characters"})
	case len(password) > MaxPasswordBytes:
		return errcode.ValidationFailed.WithFields(map[string]string{"password": "at most 1024 bytes"})
	case strings.EqualFold(strings.TrimSpace(password), NormalizeEmail(email)):
		return errcode.ValidationFailed.WithFields(map[string]string{"password": "must not be the email address"})
	}
	return nil
}
