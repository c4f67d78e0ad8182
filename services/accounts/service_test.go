package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

func TestCreateAccountRules(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		svc := newService(t, st, newClock())
		ctx := context.Background()
		org := uuid.New()
		pw := password()
		for _, tc := range []struct {
			name   string
			n      NewAccount
			fields []string
		}{
			{"bad email", NewAccount{Email: "nobody", Name: "N", Role: RoleObserver, Password: pw}, []string{"email"}},
			{"display name", NewAccount{Email: "N <n@x.fr>", Name: "N", Role: RoleObserver, Password: pw}, []string{"email"}},
			{"no name", NewAccount{Email: "n@x.fr", Name: " ", Role: RoleObserver, Password: pw}, []string{"name"}},
			{"system role", NewAccount{Email: "n@x.fr", Name: "N", Role: "system", Password: pw}, []string{"role"}},
			{"member without organisation", NewAccount{Email: "n@x.fr", Name: "N", Role: RoleMember, Password: pw}, []string{"organisation_id"}},
			{"auditor with organisation", NewAccount{Email: "n@x.fr", Name: "N", Role: RoleAuditor, OrganisationID: org, Password: pw}, []string{"organisation_id"}},
			{"short password", NewAccount{Email: "n@x.fr", Name: "N", Role: RoleObserver, Password: "short"}, []string{"password"}},
			{"password is email", NewAccount{Email: "someone.long@x.fr", Name: "N", Role: RoleObserver, Password: "someone.long@x.fr"}, []string{"password"}},
		} {
			_, err := svc.CreateAccount(ctx, tc.n)
			if !errors.Is(err, errcode.ValidationFailed) {
				t.Errorf("%s: err = %v, want validation_failed", tc.name, err)
				continue
			}
			for _, f := range tc.fields {
				if errcode.From(err).Fields[f] == "" {
					t.Errorf("%s: fields %v do not name %s", tc.name, errcode.From(err).Fields, f)
				}
			}
		}
		a := mustCreate(t, svc, NewAccount{Email: "  Claire.Martin@AMF.fr ", Name: " Claire Martin ", Role: RoleMember, OrganisationID: org, Password: pw})
		if a.Email != "claire.martin@amf.fr" || a.Name != "Claire Martin" || a.ID == uuid.Nil || a.Created.IsZero() {
			t.Fatalf("account = %+v", a)
		}
		if a.Actor() != (events.Actor{User: "claire.martin@amf.fr", Organisation: org.String(), Role: "member"}) {
			t.Fatalf("actor = %+v", a.Actor())
		}
		_, err := svc.CreateAccount(ctx, NewAccount{Email: "CLAIRE.martin@amf.fr", Name: "X", Role: RoleObserver, Password: password()})
		if !errors.Is(err, EmailTaken) {
			t.Fatalf("second account with the same email: err = %v", err)
		}
		sec := mustCreate(t, svc, NewAccount{Email: "sec@men.fr", Name: "Sec", Role: RoleSecretariat, Password: password()})
		if sec.Actor().Organisation != "" {
			t.Fatalf("secretariat without organisation acts for %q", sec.Actor().Organisation)
		}
		list, err := svc.Accounts(ctx)
		if err != nil || len(list) != 2 || list[0].Email != "claire.martin@amf.fr" || list[1].Email != "sec@men.fr" {
			t.Fatalf("Accounts = %+v, %v", list, err)
		}
		if got, err := svc.Account(ctx, "SEC@men.fr"); err != nil || got.ID != sec.ID {
			t.Fatalf("Account = %+v, %v", got, err)
		}
		if _, err := svc.Account(ctx, "nobody@men.fr"); !errors.Is(err, errcode.NotFound) {
			t.Fatalf("unknown account: err = %v", err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		svc := newService(t, st, newClock())
		ctx := context.Background()
		pw := password()
		a := mustCreate(t, svc, NewAccount{Email: "obs@x.fr", Name: "Obs", Role: RoleObserver, Password: pw})
		if got, err := svc.Authenticate(ctx, " OBS@x.fr", pw); err != nil || got.ID != a.ID {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		for name, c := range map[string][2]string{
			"wrong password": {"obs@x.fr", pw + "!"},
			"unknown email":  {"who@x.fr", pw},
			"empty":          {"obs@x.fr", ""},
			"too long":       {"obs@x.fr", pw + string(make([]byte, MaxPasswordBytes))},
		} {
			if _, err := svc.Authenticate(ctx, c[0], c[1]); !errors.Is(err, InvalidCredentials) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		if _, err := svc.Disable(ctx, "obs@x.fr"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, "obs@x.fr", pw); !errors.Is(err, InvalidCredentials) {
			t.Fatalf("disabled: err = %v", err)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		c := newClock()
		svc := newService(t, st, c)
		ctx := context.Background()
		a := mustCreate(t, svc, NewAccount{Email: "m@x.fr", Name: "M", Role: RoleMember, OrganisationID: uuid.New(), Password: password()})
		secret, sess, err := svc.StartSession(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !sess.Expires.Equal(c.Now().Add(DefaultSessionLifetime)) {
			t.Fatalf("expires %v", sess.Expires)
		}
		if got, err := svc.SessionAccount(ctx, secret); err != nil || got.ID != a.ID {
			t.Fatalf("SessionAccount = %+v, %v", got, err)
		}
		if _, err := st.Session(ctx, secret); !errors.Is(err, ErrNotFound) {
			t.Fatal("the store keys sessions by the raw secret")
		}
		c.Advance(DefaultSessionLifetime - time.Second)
		if _, err := svc.SessionAccount(ctx, secret); err != nil {
			t.Fatalf("session ended early: %v", err)
		}
		c.Advance(time.Second)
		if _, err := svc.SessionAccount(ctx, secret); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("expired session: err = %v", err)
		}
		secret, _, _ = svc.StartSession(ctx, a)
		if err := svc.EndSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SessionAccount(ctx, secret); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("ended session: err = %v", err)
		}
		if err := svc.EndSession(ctx, secret); err != nil {
			t.Fatalf("ending twice: %v", err)
		}
		if _, err := svc.SessionAccount(ctx, "cs_nonsense"); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("malformed: err = %v", err)
		}
	})
}

func TestDisableRevokesSessionsAndTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		svc := newService(t, st, newClock())
		ctx := context.Background()
		a := mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleAuditor, Password: password()})
		other := mustCreate(t, svc, NewAccount{Email: "b@x.fr", Name: "B", Role: RoleAuditor, Password: password()})
		s1, _, _ := svc.StartSession(ctx, a)
		s2, _, _ := svc.StartSession(ctx, a)
		tok, _, err := svc.IssueToken(ctx, "a@x.fr", "export", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		otherSession, _, _ := svc.StartSession(ctx, other)
		if got, err := svc.TokenAccount(ctx, tok); err != nil || got.ID != a.ID {
			t.Fatalf("TokenAccount = %+v, %v", got, err)
		}
		d, err := svc.Disable(ctx, "A@x.fr")
		if err != nil || !d.Disabled {
			t.Fatalf("Disable = %+v, %v", d, err)
		}
		for _, s := range []string{s1, s2} {
			if _, err := svc.SessionAccount(ctx, s); !errors.Is(err, errcode.Unauthenticated) {
				t.Errorf("session of a disabled account: err = %v", err)
			}
			if _, err := st.Session(ctx, secretKey(s)); !errors.Is(err, ErrNotFound) {
				t.Errorf("session record kept: %v", err)
			}
		}
		if _, err := svc.TokenAccount(ctx, tok); !errors.Is(err, errcode.Unauthenticated) {
			t.Errorf("token of a disabled account: err = %v", err)
		}
		if _, err := st.Token(ctx, secretKey(tok)); !errors.Is(err, ErrNotFound) {
			t.Errorf("token record kept: %v", err)
		}
		if _, err := svc.SessionAccount(ctx, otherSession); err != nil {
			t.Errorf("another account's session was revoked: %v", err)
		}
		if _, _, err := svc.IssueToken(ctx, "a@x.fr", "", time.Time{}); !errors.Is(err, AccountDisabled) {
			t.Errorf("token for a disabled account: err = %v", err)
		}
		if _, _, err := svc.StartSession(ctx, d); !errors.Is(err, InvalidCredentials) {
			t.Errorf("session for a disabled account: err = %v", err)
		}
		if _, err := svc.Disable(ctx, "nobody@x.fr"); !errors.Is(err, errcode.NotFound) {
			t.Errorf("disabling an unknown account: err = %v", err)
		}
	})
}

func TestEpochsRevokeEvenIfRecordsSurvive(t *testing.T) {
	st := NewMemoryStore()
	svc := newService(t, st, newClock())
	ctx := context.Background()
	a := mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: password()})
	s, sess, _ := svc.StartSession(ctx, a)
	if _, err := svc.ResetPassword(ctx, "a@x.fr", password()); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash between the account update and the deletion of its sessions.
	_ = st.PutSession(ctx, secretKey(s), sess)
	if _, err := svc.SessionAccount(ctx, s); !errors.Is(err, errcode.Unauthenticated) {
		t.Fatalf("session from before the reset: err = %v", err)
	}
}

func TestResetPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		c := newClock()
		svc := newService(t, st, c)
		ctx := context.Background()
		old := password()
		a := mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: old})
		s, _, _ := svc.StartSession(ctx, a)
		tok, _, _ := svc.IssueToken(ctx, "a@x.fr", "ci", time.Time{})
		if _, err := svc.ResetPassword(ctx, "a@x.fr", "short"); !errors.Is(err, errcode.ValidationFailed) {
			t.Fatalf("weak password: err = %v", err)
		}
		c.Advance(time.Hour)
		pw := password()
		r, err := svc.ResetPassword(ctx, "a@x.fr", pw)
		if err != nil || !r.PasswordChanged.Equal(c.Now()) {
			t.Fatalf("ResetPassword = %+v, %v", r, err)
		}
		if _, err := svc.Authenticate(ctx, "a@x.fr", old); !errors.Is(err, InvalidCredentials) {
			t.Fatalf("old password: err = %v", err)
		}
		if _, err := svc.Authenticate(ctx, "a@x.fr", pw); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := svc.SessionAccount(ctx, s); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("session survived the reset: %v", err)
		}
		if _, err := svc.TokenAccount(ctx, tok); err != nil {
			t.Fatalf("token revoked by a password reset: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		c := newClock()
		svc := newService(t, st, c)
		ctx := context.Background()
		mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleSecretariat, Password: password()})
		tok, rec, err := svc.IssueToken(ctx, "a@x.fr", "nightly export", c.Now().Add(time.Hour))
		if err != nil || rec.Name != "nightly export" || rec.ID == uuid.Nil {
			t.Fatalf("IssueToken = %+v, %v", rec, err)
		}
		if _, err := st.Token(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Fatal("the store keys tokens by the raw token")
		}
		if _, err := svc.TokenAccount(ctx, tok); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Hour)
		if _, err := svc.TokenAccount(ctx, tok); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("expired token: err = %v", err)
		}
		forever, _, _ := svc.IssueToken(ctx, "a@x.fr", "", time.Time{})
		c.Advance(10 * 365 * 24 * time.Hour)
		if _, err := svc.TokenAccount(ctx, forever); err != nil {
			t.Fatalf("token without expiry: %v", err)
		}
		if err := svc.RevokeToken(ctx, forever); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.TokenAccount(ctx, forever); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("revoked token: err = %v", err)
		}
		sess, _ := NewSessionSecret()
		if _, err := svc.TokenAccount(ctx, sess); !errors.Is(err, errcode.Unauthenticated) {
			t.Fatalf("session secret as token: err = %v", err)
		}
		if _, _, err := svc.IssueToken(ctx, "nobody@x.fr", "", time.Time{}); !errors.Is(err, errcode.NotFound) {
			t.Fatalf("token for nobody: err = %v", err)
		}
	})
}

// TestUnknownEmailCostsAHash checks that an unknown email is not answered faster than a
// wrong password (real parameters: the cost to compare is argon2id's).
func TestUnknownEmailCostsAHash(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with production parameters")
	}
	svc, err := New(Config{Store: NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: password()})
	measure := func(email string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			_, _ = svc.Authenticate(ctx, email, "wrong password!")
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("a@x.fr"), measure("nobody@x.fr")
	if unknown < known/2 {
		t.Fatalf("unknown email answered in %v, known in %v: timing reveals accounts", unknown, known)
	}
}

func TestKVUpdateAccountIsAtomic(t *testing.T) {
	st := kvStore(t)
	svc := newService(t, st, newClock())
	ctx := context.Background()
	mustCreate(t, svc, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleObserver, Password: password()})
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := st.UpdateAccount(ctx, "a@x.fr", func(r *Record) error { r.SessionEpoch++; return nil })
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	r, _ := st.Account(ctx, "a@x.fr")
	if r.SessionEpoch != 8 {
		t.Fatalf("epoch %d after 8 concurrent increments", r.SessionEpoch)
	}
	if _, err := st.UpdateAccount(ctx, "b@x.fr", func(*Record) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("updating a missing account: %v", err)
	}
}
