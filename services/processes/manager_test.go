package processes_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
	"github.com/comite-partenaires/comite/internal/poll"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/processes"
)

type rang struct {
	N int `json:"n"`
}

func (rang) EventType() string { return "test.bell.rang" }

type other struct{}

func (other) EventType() string { return "test.bell.polished" }

// recorder is a Sender that fails the first attempt of every command transiently, and
// the command "refuse" finally.
type recorder struct {
	mu    sync.Mutex
	tries map[string]int
	done  []bus.Request
}

func (r *recorder) Send(_ context.Context, req bus.Request) (bus.Reply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tries == nil {
		r.tries = map[string]int{}
	}
	r.tries[req.CommandID]++
	if r.tries[req.CommandID] == 1 {
		return bus.Reply{}, errcode.Unavailable
	}
	if req.Command == "refuse" {
		return bus.Reply{}, errcode.Forbidden
	}
	r.done = append(r.done, req)
	return bus.Reply{CommandID: req.CommandID}, nil
}

func (r *recorder) sent() []bus.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bus.Request(nil), r.done...)
}

// eventually waits for cond (see internal/poll).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}

func appendEvent(t *testing.T, st store.Store, reg *events.Registry, id string, p events.Payload) events.Event {
	t.Helper()
	ev, err := reg.New(p, "bell-1", events.DeriveID(id, 0), time.Now(), events.Meta{CommandID: id, CorrelationID: "corr-" + id})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Append(context.Background(), "bell-1", store.Any, ev)
	if err != nil {
		t.Fatal(err)
	}
	return res.Events[0]
}

func TestManagerActsOnceAndResumesFromCheckpoint(t *testing.T) {
	st, reg := memstore.New(), events.NewRegistry()
	events.MustRegister[rang](reg, 1)
	events.MustRegister[other](reg, 1)
	cps := &processes.MemoryCheckpoints{}
	send := &recorder{}
	cfg := processes.ManagerConfig{Name: "bells", Types: []string{"test.bell.rang"}, Store: st, Registry: reg,
		Sender: send, Checkpoints: cps, Retry: time.Millisecond,
		React: func(ev events.Event, p events.Payload) []processes.Command {
			cmds := []processes.Command{{Context: "bells", Command: "answer", Body: p}}
			if p.(rang).N == 2 {
				cmds = append(cmds, processes.Command{Context: "bells", Command: "refuse", Body: p})
			}
			return cmds
		}}
	run := func() (stop func()) {
		m, err := processes.NewManager(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}
	first := appendEvent(t, st, reg, "a", rang{N: 1})
	appendEvent(t, st, reg, "b", other{})
	stop := run()
	second := appendEvent(t, st, reg, "c", rang{N: 2})
	eventually(t, "two answers", func() bool { return len(send.sent()) == 2 })
	eventually(t, "the checkpoint", func() bool { p, _ := cps.Load(context.Background(), "bells"); return p == second.Position })
	stop()

	got := send.sent()
	if got[0].CommandID != processes.CommandID("bells", first, 0) || got[0].CausationID != first.ID.String() ||
		got[0].CorrelationID != "corr-a" || got[0].Actor != processes.Actor("bells") || string(got[0].Body) != `{"n":1}` {
		t.Fatalf("first command %+v", got[0])
	}
	if got[1].CommandID != processes.CommandID("bells", second, 0) {
		t.Fatalf("second command %+v", got[1])
	}
	send.mu.Lock()
	refused := send.tries[processes.CommandID("bells", second, 1)]
	send.mu.Unlock()
	if refused != 2 {
		t.Fatalf("the refused command was tried %d times, want 2 (a transient failure, then the final refusal)", refused)
	}

	// A restart resumes after the checkpoint: nothing is sent again.
	third := appendEvent(t, st, reg, "d", rang{N: 3})
	stop = run()
	eventually(t, "the third answer", func() bool { return len(send.sent()) == 3 })
	stop()
	if got := send.sent(); got[2].CommandID != processes.CommandID("bells", third, 0) {
		t.Fatalf("after restart sent %+v", got[2:])
	}

	// Without its checkpoint, a process replays the log and sends the very same
	// command IDs again: the services make that harmless.
	cfg.Checkpoints = &processes.MemoryCheckpoints{}
	stop = run()
	eventually(t, "the replay", func() bool { return len(send.sent()) == 6 })
	stop()
	all := send.sent()
	for i := range 3 {
		if all[i].CommandID != all[i+3].CommandID {
			t.Fatalf("replay sent %s, first run %s", all[i+3].CommandID, all[i].CommandID)
		}
	}
}

func TestManagerConfig(t *testing.T) {
	if _, err := processes.NewManager(processes.ManagerConfig{Name: "Bad Name"}); err == nil {
		t.Fatal("bad config accepted")
	}
}
