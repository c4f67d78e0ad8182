package accounts

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// syncBuffer is a log sink written by handler goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNoSecretInLogsErrorsOrStore signs in, uses a session and a token, fails, resets,
// signs out and disables, with every log at debug level, then looks for each password,
// session secret and token in the logs, the error messages, the responses' problem
// bodies and the raw KV buckets.
func TestNoSecretInLogsErrorsOrStore(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	nc := bustest.NATS(t)("secrets-test")
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := OpenKV(ctx, js, KVConfig{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Store: st, Params: cheap, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	problems := func(w http.ResponseWriter, r *http.Request, err error) {
		errs = append(errs, err.Error())
		log.Debug("request rejected", "path", r.URL.Path, "err", err)
		writeProblem(w, r, err)
	}
	h, err := NewHandler(HandlerConfig{Service: svc, WriteProblem: problems, Log: log, Demo: true,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	do := func(method, path, body string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		bodies = append(bodies, w.Body.String())
		return w
	}
	login := func(email, pw string) string {
		b, _ := json.Marshal(map[string]string{"email": email, "password": pw})
		w := do("POST", "/api/v1/session", string(b))
		for _, c := range w.Result().Cookies() {
			return c.Value
		}
		return ""
	}

	pw, wrong, newPW, demoPW := password(), password(), password(), password()
	secrets := []string{pw, wrong, newPW, demoPW}
	if _, err := svc.CreateAccount(ctx, NewAccount{Email: "a@x.fr", Name: "A", Role: RoleSecretariat, Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAccount(ctx, NewAccount{Email: "b@x.fr", Name: "B", Role: RoleObserver, Password: "short"}); err != nil {
		errs = append(errs, err.Error())
	}
	if err := EnsureDemoAccounts(ctx, svc, nil, "", demoPW); err != nil {
		t.Fatal(err)
	}
	for range 12 { // through the delays to the refusals
		login("a@x.fr", wrong)
	}
	login("nobody@x.fr", pw)
	h.cfg.Throttle = NewThrottle(ThrottleConfig{}) // let the right password through
	session := login("a@x.fr", pw)
	if session == "" {
		t.Fatal("no session")
	}
	secrets = append(secrets, session)
	do("GET", "/api/v1/session", "", "Cookie", CookieName+"="+session)
	do("GET", "/api/v1/session", "", "Cookie", CookieName+"="+session+"x")
	tok, _, err := svc.IssueToken(ctx, "a@x.fr", "ci", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok)
	do("GET", "/api/v1/session", "", "Authorization", "Bearer "+tok)
	do("GET", "/api/v1/session", "", "Authorization", "Bearer "+tok+"x")
	do("GET", "/api/v1/session", "", "Authorization", "Bearer "+strings.Replace(tok, "ct_", "cs_", 1))
	do("DELETE", "/api/v1/session", "", "Cookie", CookieName+"="+session)
	do("GET", "/api/v1/session", "", "Cookie", CookieName+"="+session)
	if _, err := svc.ResetPassword(ctx, "a@x.fr", newPW); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ResetPassword(ctx, "a@x.fr", "short"); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := svc.Disable(ctx, "a@x.fr"); err != nil {
		t.Fatal(err)
	}
	do("GET", "/api/v1/session", "", "Authorization", "Bearer "+tok)
	demo := do("POST", "/api/v1/session/demo", `{"email":"auditor@demo.invalid"}`)
	for _, c := range demo.Result().Cookies() {
		secrets = append(secrets, c.Value)
	}
	if len(secrets) != 7 {
		t.Fatalf("%d secrets collected, want 7", len(secrets))
	}

	raw := rawBuckets(t, js)
	if !strings.Contains(logs.String(), "session started") || !strings.Contains(raw, "argon2id") {
		t.Fatal("the test captured nothing")
	}
	if len(errs) < 5 {
		t.Fatalf("only %d errors captured", len(errs))
	}
	for _, s := range secrets {
		// Every 12-character fragment, in case something logs a prefix or a truncated
		// secret (12 random characters never match by chance).
		for i := 0; i+12 <= len(s); i++ {
			needle := s[i : i+12]
			if strings.HasPrefix(needle, "cs_") || strings.HasPrefix(needle, "ct_") {
				needle = needle[3:]
			}
			for what, hay := range map[string]string{"logs": logs.String(), "errors": strings.Join(errs, "\n"),
				"responses": strings.Join(bodies, "\n"), "KV buckets": raw} {
				if strings.Contains(hay, needle) {
					t.Fatalf("a secret (%.4s…) appears in the %s", s, what)
				}
			}
		}
	}
	if errcode.From(errMalformedBearer).Detail == "" {
		t.Fatal("malformed bearer without detail")
	}
}

// rawBuckets concatenates every stored message of the three buckets (history included).
func rawBuckets(t *testing.T, js natsjs.JetStream) string {
	t.Helper()
	ctx := context.Background()
	var all strings.Builder
	for _, b := range []string{AccountsBucket, SessionsBucket, TokensBucket} {
		s, err := js.Stream(ctx, "KV_"+b)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if err != nil {
				continue // deleted
			}
			all.WriteString(m.Subject + " " + string(m.Data) + "\n")
		}
	}
	return all.String()
}
