package accounts

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/errcode"
)

// ExternalIdentity is what an identity provider (OpenID Connect) vouches for about the
// person signing in.
type ExternalIdentity struct {
	// Issuer names the provider; it is recorded on the accounts it creates.
	Issuer string
	// Email is the verified address that links the identity to an account.
	Email string
	// Name is the display name ("" takes the email's local part for a new account).
	Name string
	// Role is "" when the provider says nothing about it: an existing account keeps its
	// own, and no account is created.
	Role Role
	// Organisation, when HasOrganisation, is the organisation the provider says the
	// person acts for; otherwise an existing account keeps its own.
	Organisation    uuid.UUID
	HasOrganisation bool
}

// Codes of refused external identities.
var (
	// ExternalRoleMissing refuses to create an account the provider gives no role for.
	ExternalRoleMissing = errcode.New("external_role_missing", 403,
		"Le fournisseur d'identité n'indique aucun rôle pour ce compte.",
		"The identity provider gives no role for this account.")
	// ExternalOrganisationMissing refuses a member for whom no organisation is known.
	ExternalOrganisationMissing = errcode.New("external_organisation_missing", 403,
		"Le fournisseur d'identité n'indique pas l'organisation de ce membre.",
		"The identity provider does not say which organisation this member acts for.")
)

// UpsertExternalAccount finds or creates the account of a person an identity provider
// vouches for, and returns it ready for StartSession.
//
// The provider is trusted for what it states: an existing account — local or external
// — with the same email is used, and takes the role and organisation the provider gives
// (it keeps its own when the provider is silent: a local secretariat account signs in
// through the provider unchanged if no role claim is configured). Auditors and observers
// act for no organisation, so a stated organisation is dropped for them; a member needs
// one. A new account needs a stated role. A disabled account is AccountDisabled and is
// left as it is. The account's password, if any, is left untouched.
func (s *Service) UpsertExternalAccount(ctx context.Context, x ExternalIdentity) (Account, error) {
	x.Email = NormalizeEmail(x.Email)
	if !validEmail(x.Email) {
		return Account{}, errcode.ValidationFailed.WithFields(map[string]string{"email": "must be an email address"})
	}
	if x.Role != "" && !x.Role.Valid() {
		return Account{}, errcode.ValidationFailed.WithFields(map[string]string{
			"role": "must be one of secretariat, member, auditor, observer"})
	}
	x.Name = externalName(x.Name, x.Email)
	// Two first sign-ins of the same person may race: the loser of CreateAccount
	// updates the winner's account.
	for range 2 {
		r, err := s.store.Account(ctx, x.Email)
		switch {
		case errors.Is(err, ErrNotFound):
			acct, err := s.createExternal(ctx, x)
			if errors.Is(err, ErrExists) {
				continue
			}
			return acct, err
		case err != nil:
			return Account{}, err
		}
		return s.updateExternal(ctx, r, x)
	}
	return Account{}, errors.New("accounts: external account created and removed concurrently")
}

// placeOf is the role and organisation an account ends with.
func placeOf(role Role, org uuid.UUID) (Role, uuid.UUID, error) {
	switch role {
	case RoleAuditor, RoleObserver:
		return role, uuid.Nil, nil
	case RoleMember:
		if org == uuid.Nil {
			return "", uuid.Nil, ExternalOrganisationMissing
		}
	}
	return role, org, nil
}

func (s *Service) createExternal(ctx context.Context, x ExternalIdentity) (Account, error) {
	if x.Role == "" {
		return Account{}, ExternalRoleMissing
	}
	org := uuid.Nil
	if x.HasOrganisation {
		org = x.Organisation
	}
	role, org, err := placeOf(x.Role, org)
	if err != nil {
		return Account{}, err
	}
	r := Record{Account: Account{ID: uuid.New(), Email: x.Email, Name: x.Name, OrganisationID: org, Role: role,
		Created: s.now().UTC(), External: x.Issuer}}
	if err := s.store.CreateAccount(ctx, r); err != nil {
		return Account{}, err
	}
	s.log.Info("account created from identity provider", "account", r.ID, "email", r.Email, "role", r.Role,
		"issuer", x.Issuer)
	return r.Account, nil
}

func (s *Service) updateExternal(ctx context.Context, current Record, x ExternalIdentity) (Account, error) {
	if current.Disabled {
		return Account{}, AccountDisabled
	}
	r, err := s.store.UpdateAccount(ctx, x.Email, func(r *Record) error {
		if r.Disabled {
			return AccountDisabled
		}
		role, org := r.Role, r.OrganisationID
		if x.Role != "" {
			role = x.Role
		}
		if x.HasOrganisation {
			org = x.Organisation
		}
		role, org, err := placeOf(role, org)
		if err != nil {
			return err
		}
		r.Role, r.OrganisationID = role, org
		if r.External != "" {
			// The provider owns the name of the accounts it made; a local account keeps
			// the one the secretariat gave it.
			r.Name = x.Name
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if r.Role != current.Role || r.OrganisationID != current.OrganisationID {
		s.log.Info("account updated from identity provider", "account", r.ID, "email", r.Email,
			"old_role", current.Role, "role", r.Role, "old_organisation", current.OrganisationID,
			"organisation", r.OrganisationID, "issuer", x.Issuer)
	}
	return r.Account, nil
}

// externalName bounds a provider's display name, or derives one from the email.
func externalName(name, email string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		name = string([]rune(name)[:maxNameRunes])
	}
	return name
}
