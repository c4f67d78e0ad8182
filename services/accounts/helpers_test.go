package accounts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
)

// cheap argon2id parameters: tests check behaviour, not cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

// password returns a fresh random password: no test holds a constant one.
func password() string { return rand.Text() }

// clock is a test clock moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// kvStore opens the KV store on a fresh embedded NATS server.
func kvStore(t *testing.T) *KVStore {
	t.Helper()
	nc := bustest.NATS(t)("accounts-test")
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenKV(context.Background(), js, KVConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachStore runs test against the memory store and the JetStream KV store.
func eachStore(t *testing.T, test func(t *testing.T, st Store)) {
	t.Run("memory", func(t *testing.T) { test(t, NewMemoryStore()) })
	t.Run("kv", func(t *testing.T) { test(t, kvStore(t)) })
}

func newService(t *testing.T, st Store, c *clock) *Service {
	t.Helper()
	svc, err := New(Config{Store: st, Params: cheap, Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// writeProblem stands in for the gateway's problem writer.
func writeProblem(w http.ResponseWriter, _ *http.Request, err error) {
	e := errcode.From(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": e.Code, "status": e.Status, "detail": e.Detail})
}

func mustCreate(t *testing.T, svc *Service, n NewAccount) Account {
	t.Helper()
	a, err := svc.CreateAccount(context.Background(), n)
	if err != nil {
		t.Fatalf("creating %s: %v", n.Email, err)
	}
	return a
}
