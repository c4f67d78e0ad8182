package accounts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// DemoPersonaEmail is the demo persona of an organisation: its acronym, lower-cased, with
// anything but letters, digits and dashes turned into dashes, @demo.invalid.
func DemoPersonaEmail(acronym string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(acronym) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String() + DemoDomain
}

// EnsureDemoAccounts creates the demo personas: secretariat@demo.invalid (acting for
// the organisation of secretariatAcronym), auditor@demo.invalid, observer@demo.invalid and
// one member per organisation of orgs (acronym → organisation ID), e.g. amf@demo.invalid.
// All share password, which the caller chooses (from the environment, or generated and
// shown once): none is written in the code. Running it again creates only what is missing
// and sets the password of existing personas back to password if it changed.
func EnsureDemoAccounts(ctx context.Context, svc *Service, orgs map[string]uuid.UUID, secretariatAcronym, password string) error {
	if err := CheckPassword("", password); err != nil {
		return fmt.Errorf("accounts: demo password: %w", err)
	}
	secretariat, ok := orgs[secretariatAcronym]
	if secretariatAcronym != "" && !ok {
		return fmt.Errorf("accounts: secretariat organisation %q is not among the demo organisations", secretariatAcronym)
	}
	label := "Secrétariat"
	if secretariatAcronym != "" {
		label += " (" + secretariatAcronym + ")"
	}
	want := []NewAccount{
		{Email: "secretariat" + DemoDomain, Name: label, Role: RoleSecretariat, OrganisationID: secretariat},
		{Email: "auditor" + DemoDomain, Name: "Auditeur", Role: RoleAuditor},
		{Email: "observer" + DemoDomain, Name: "Observateur", Role: RoleObserver},
	}
	acronyms := make([]string, 0, len(orgs))
	for a := range orgs {
		acronyms = append(acronyms, a)
	}
	sort.Strings(acronyms)
	for _, a := range acronyms {
		want = append(want, NewAccount{Email: DemoPersonaEmail(a), Name: "Membre " + a, Role: RoleMember, OrganisationID: orgs[a]})
	}
	for _, n := range want {
		n.Password = password
		_, err := svc.CreateAccount(ctx, n)
		if !errors.Is(err, EmailTaken) {
			if err != nil {
				return fmt.Errorf("accounts: demo persona %s: %w", n.Email, err)
			}
			continue
		}
		r, err := svc.store.Account(ctx, n.Email)
		if err != nil {
			return err
		}
		if ok, _ := VerifyPassword(password, r.PasswordHash); !ok {
			if _, err := svc.ResetPassword(ctx, n.Email, password); err != nil {
				return fmt.Errorf("accounts: demo persona %s: %w", n.Email, err)
			}
		}
	}
	return nil
}
