package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"golang.org/x/term"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// stdin is where passwords are read; tests replace it (run has no stdin parameter).
var stdin io.Reader = os.Stdin

const userUsage = `Usage: comite user <command> [flags]

Manage the local accounts of a stopped server's data directory.

Commands:
  add             create an account (password read from stdin)
  list            list the accounts
  disable         disable an account and revoke its sessions and API tokens
  reset-password  set a new password (read from stdin) and revoke the account's sessions
  token           create an API token for an account and print it once

Run "comite user <command> --help" for a command's flags.
`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"add": userAdd, "list": userList, "disable": userDisable, "reset-password": userResetPassword, "token": userToken,
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "comite user: unknown command %q\n\n%s", args[0], userUsage)
		return errUsage
	}
	return withFields(sub(ctx, args[1:], stdout, stderr))
}

// withFields spells out which fields a validation error names: the coded error's own
// message says only that some are invalid.
func withFields(err error) error {
	var coded *errcode.Error
	if !errors.As(err, &coded) || len(coded.Fields) == 0 {
		return err
	}
	names := slices.Sorted(maps.Keys(coded.Fields))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + coded.Fields[n]
	}
	return fmt.Errorf("%w (%s)", err, strings.Join(parts, "; "))
}

func userAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user add", "Create an account. The password is read from standard input (prompted for, without\n"+
		"echo, on a terminal): at least 12 characters, not the email address. It is never a flag,\n"+
		"so that it stays out of the shell history and the process list.\n\n"+
		"Roles: secretariat, member (needs --organisation), auditor, observer.\n\n"+
		"  printf '%s\\n' \"$PASSWORD\" | comite user add --data data --email claire@amf.fr \\\n"+
		"      --name 'Claire Martin' --role member --organisation AMF --password-stdin", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server (required)")
	email := fs.String("email", "", "email address, the sign-in name (required)")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "secretariat, member, auditor or observer (required)")
	org := fs.String("organisation", "", "organisation acronym or ID (members; optional for the secretariat)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input without prompting")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, stderr, map[string]string{"data": *dataDir, "email": *email, "name": *name, "role": *role}); err != nil {
		return err
	}
	env, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	var orgID uuid.UUID
	if *org != "" {
		if orgID, _, err = env.organisation(ctx, *org); err != nil {
			return err
		}
	}
	pw, err := readPassword(stderr, *pwStdin, true)
	if err != nil {
		return err
	}
	a, err := env.svc.CreateAccount(ctx, accounts.NewAccount{Email: *email, Name: *name, Role: accounts.Role(*role),
		OrganisationID: orgID, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "account %s created: %s, %s\n", a.ID, a.Email, a.Role)
	return nil
}

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user list", "List the accounts: email, name, role, organisation, status.", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, stderr, map[string]string{"data": *dataDir}); err != nil {
		return err
	}
	env, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	list, err := env.svc.Accounts(ctx)
	if err != nil {
		return err
	}
	committee, _ := env.committee(ctx) // acronyms are a nicety: IDs are shown without them
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tORGANISATION\tSTATUS\tCREATED")
	for _, a := range list {
		org := "-"
		if a.OrganisationID != uuid.Nil {
			org = a.OrganisationID.String()
			if o, ok := committee.Organisations[a.OrganisationID]; ok && o.Acronym != "" {
				org = o.Acronym
			}
		}
		status := "active"
		if a.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, a.Role, org, status, a.Created.Format(time.DateOnly))
	}
	return tw.Flush()
}

func userDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user disable", "Disable an account: it can no longer sign in, and its sessions and API tokens\n"+
		"are revoked at once.", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server (required)")
	email := fs.String("email", "", "email address of the account (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, stderr, map[string]string{"data": *dataDir, "email": *email}); err != nil {
		return err
	}
	env, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	a, err := env.svc.Disable(ctx, *email)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "account %s disabled; its sessions and API tokens are revoked\n", a.Email)
	return nil
}

func userResetPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user reset-password", "Set a new password, read from standard input (prompted for, without echo, on a\n"+
		"terminal), and sign the account out everywhere. API tokens stay valid.", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server (required)")
	email := fs.String("email", "", "email address of the account (required)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input without prompting")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, stderr, map[string]string{"data": *dataDir, "email": *email}); err != nil {
		return err
	}
	env, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	if _, err := env.svc.Account(ctx, *email); err != nil {
		return err
	}
	pw, err := readPassword(stderr, *pwStdin, true)
	if err != nil {
		return err
	}
	a, err := env.svc.ResetPassword(ctx, *email, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s reset; its sessions are revoked\n", a.Email)
	return nil
}

func userToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user token", "Create an API token acting as the account (Authorization: Bearer ct_…) and print it.\n"+
		"It is shown once: only its hash is kept.", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server (required)")
	email := fs.String("email", "", "email address of the account (required)")
	name := fs.String("name", "", "what the token is for, e.g. \"nightly export\"")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (0: does not expire)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, stderr, map[string]string{"data": *dataDir, "email": *email}); err != nil {
		return err
	}
	if *expires < 0 {
		fmt.Fprintln(stderr, "--expires must not be negative")
		return errUsage
	}
	env, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	var until time.Time
	if *expires > 0 {
		until = time.Now().Add(*expires)
	}
	tok, t, err := env.svc.IssueToken(ctx, *email, *name, until)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	note := "does not expire"
	if !t.Expires.IsZero() {
		note = "expires " + t.Expires.Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "API token %s for %s (%s). It is shown once: store it now.\n", t.ID, t.Email, note)
	return nil
}

// required reports the first missing flag.
func required(fs *flag.FlagSet, stderr io.Writer, flags map[string]string) error {
	for _, name := range []string{"data", "email", "name", "role"} {
		if v, ok := flags[name]; ok && strings.TrimSpace(v) == "" {
			fmt.Fprintf(stderr, "--%s is required\n", name)
			fs.Usage()
			return errUsage
		}
	}
	return nil
}

// readPassword reads a password: prompted for twice without echo on a terminal (unless
// --password-stdin), else the first line of stdin.
func readPassword(stderr io.Writer, fromStdin, confirm bool) (string, error) {
	if f, ok := stdin.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if confirm {
			fmt.Fprint(stderr, "Again: ")
			again, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return "", err
			}
			if string(again) != string(pw) {
				return "", errors.New("the passwords differ")
			}
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, accounts.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}

// accountsEnv is the embedded NATS server of a data directory with the accounts service
// on it (and the event store, opened on demand to resolve organisations).
type accountsEnv struct {
	nats  *natsembed.Server
	conn  *nats.Conn
	svc   *accounts.Service
	store *jetstream.Store
}

func openAccounts(ctx context.Context, dataDir string, stderr io.Writer) (_ *accountsEnv, err error) {
	log, _ := newLogger(stderr, "warn")
	env := &accountsEnv{}
	defer func() {
		if err != nil {
			env.Close()
		}
	}()
	if env.nats, err = natsembed.Start(natsembed.Config{DataDir: dataDir}); err != nil {
		return nil, err
	}
	if env.conn, err = env.nats.Connect("comite-user"); err != nil {
		return nil, fmt.Errorf("connecting to the embedded NATS server: %w", err)
	}
	if env.svc, err = accountsService(ctx, env.conn, time.Now, log); err != nil {
		return nil, err
	}
	return env, nil
}

// committee folds the membership stream: the organisations and their acronyms.
func (e *accountsEnv) committee(ctx context.Context) (membership.Committee, error) {
	if e.store == nil {
		st, err := jetstream.Open(ctx, e.conn, jetstream.Config{})
		if err != nil {
			return membership.Committee{}, fmt.Errorf("opening the event store: %w", err)
		}
		e.store = st
	}
	return membership.LoadCommittee(ctx, e.store, events.NewRegistry())
}

// organisation resolves an acronym (case-insensitive) or an ID to a current member
// organisation of the committee.
func (e *accountsEnv) organisation(ctx context.Context, ref string) (uuid.UUID, membership.Organisation, error) {
	c, err := e.committee(ctx)
	if err != nil {
		return uuid.Nil, membership.Organisation{}, err
	}
	if id, err := uuid.Parse(ref); err == nil {
		if o, ok := c.ActiveOrganisation(id); ok {
			return id, o, nil
		}
		return uuid.Nil, membership.Organisation{}, fmt.Errorf("organisation %s is not a member of the committee", id)
	}
	var known []string
	for id, o := range c.Organisations {
		if o.Removed {
			continue
		}
		if strings.EqualFold(o.Acronym, ref) {
			return id, o, nil
		}
		known = append(known, o.Acronym)
	}
	slices.Sort(known)
	if len(known) == 0 {
		return uuid.Nil, membership.Organisation{}, fmt.Errorf("no organisation %q: the committee has no organisations yet (comite demo --data, or add them)", ref)
	}
	return uuid.Nil, membership.Organisation{}, fmt.Errorf("no organisation %q (known: %s)", ref, strings.Join(known, ", "))
}

// Close closes the store, the connection and the server; it is idempotent.
func (e *accountsEnv) Close() {
	if e.store != nil {
		_ = e.store.Close()
		e.store = nil
	}
	if e.conn != nil {
		e.conn.Close()
		e.conn = nil
	}
	if e.nats != nil {
		e.nats.Shutdown()
		e.nats = nil
	}
}
