package opinions_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
)

// Issue 7, must-hold 1: editors making random concurrent edits (multi-byte text included)
// through the real service all end with the server's text. Each schedule creates an
// opinion, lets 3 to 6 editors (collab_client_test.go) edit, push and pull it in a random
// order, settles (everyone pulls, rebases and pushes until nothing is unconfirmed), then
// checks that every editor holds the server's text and version, that the log replays to
// it on its own (changeset.Compose), that each editor's changes were accepted exactly once,
// and the oracle: which characters survive and in which order, predicted without
// transforming anything.
//
// The schedules run on three paths, from cheap to real:
//
//   - TestCollabConvergence (-collab.schedules, thousands): the pure decider, as the bus
//     runs it (strict decoding and validation of the body, the group's facts Prepare
//     would give, Decide, Evolve), on an in-memory log. It holds everything that decides
//     convergence on the server side (the version check, parsing, validating, applying
//     and storing the change sets) at a cost that allows thousands of schedules.
//   - TestCollabConvergenceInProcess (-collab.service, hundreds): the real service through
//     Service.Execute on the in-memory store: Prepare, the load–decide–append loop,
//     idempotency, event encoding. Each push folds the opinion's whole stream, which is
//     why this path runs fewer schedules.
//   - TestCollabConvergenceOverNATS (-collab.nats, tens): editors in goroutines push
//     through bus.Client over NATS to two instances of the service on the JetStream
//     store, and pull from that store, so pushes race for real.
var (
	collabSchedules = flag.Int("collab.schedules", 3000, "schedules run against the decider (TestCollabConvergence)")
	collabService   = flag.Int("collab.service", 300, "schedules run through Service.Execute (TestCollabConvergenceInProcess)")
	collabNATS      = flag.Int("collab.nats", 12, "schedules run over NATS and JetStream (TestCollabConvergenceOverNATS)")
	collabSeed      = flag.Uint64("collab.seed", 0, "run only this schedule, e.g. to replay a failure")
)

// collabInitial is every schedule's version 1: accents, a flag (two surrogate pairs), CJK.
const collabInitial = "Le comité 🇫🇷 recommande 教育."

// editorActors are the editors' actors: people of the three member organisations.
var editorActors = []events.Actor{memberOf(amf, "alice"), memberOf(adf, "bruno"), memberOf(dne, "chloe"),
	memberOf(amf, "david"), memberOf(adf, "emma"), memberOf(dne, "farid")}

// server is an authority the checks can also ask for the opinion as it stands.
type server interface {
	authority
	// create starts the schedule's opinion with collabInitial as version 1.
	create(ctx context.Context, seed uint64) error
	// load returns the opinion: its current text and version.
	load(ctx context.Context) (opinions.Opinion, error)
}

// pushBody and createBody are the bodies an editor's client sends.
func pushBody(opinion uuid.UUID, clientID string, version int, changes []changeset.ChangeSet) ([]byte, error) {
	return json.Marshal(map[string]any{"opinion_id": opinion, "version": version, "client_id": clientID,
		"changes": changesJSON(changes)})
}

func createBody(seed uint64) []byte {
	b, _ := json.Marshal(map[string]any{"kind": "recommendation", "title": fmt.Sprintf("Co-rédaction %d", seed),
		"group_id": openGroup, "text": collabInitial})
	return b
}

func createID(seed uint64) string { return fmt.Sprintf("collab-%d", seed) }

// deciderServer runs the commands through the pure decider, as the bus does minus the
// store: Decoder.Decode (strict JSON, validate tags), the envelope, the group's facts
// (what Prepare finds through the GroupLookup), Decide, then Evolve on the events.
type deciderServer struct {
	decoder *bus.Decoder
	specs   map[string]bus.CommandSpec
	facts   opinions.GroupFacts
	state   opinions.Opinion
	// log holds version v's change, parsed from its DraftChanged, at v-1.
	log []update
}

func newDeciderServer(decoder *bus.Decoder) (*deciderServer, error) {
	facts, err := groups(context.Background(), openGroup)
	if err != nil {
		return nil, err
	}
	facts.ID = openGroup
	d := &deciderServer{decoder: decoder, specs: map[string]bus.CommandSpec{}, facts: facts}
	for _, spec := range opinions.Commands() {
		d.specs[spec.Name] = spec
	}
	return d, nil
}

func (d *deciderServer) run(command, commandID string, actor events.Actor, body []byte) error {
	cmd, err := d.decoder.Decode(d.specs[command], body)
	if err != nil {
		return err
	}
	env := bus.Envelope{CommandID: commandID, Actor: actor, Time: fixedClock()}
	switch c := cmd.(type) {
	case opinions.CreateOpinion:
		c.Envelope, c.Group = env, &d.facts
		cmd = c
	case opinions.PushChanges:
		c.Envelope, c.Group = env, &d.facts
		cmd = c
	}
	evs, err := opinions.Decide(d.state, cmd)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		d.state = opinions.Evolve(d.state, ev)
		if dc, ok := ev.(opinions.DraftChanged); ok {
			cs, err := changeset.Parse(dc.Changes)
			if err != nil {
				return err
			}
			d.log = append(d.log, update{Changes: cs, ClientID: dc.ClientID})
		}
	}
	if d.state.Corrupt {
		return fmt.Errorf("the decider's events do not replay")
	}
	return nil
}

func (d *deciderServer) create(_ context.Context, seed uint64) error {
	return d.run(opinions.CmdCreateOpinion, createID(seed), editorActors[0], createBody(seed))
}

func (d *deciderServer) push(_ context.Context, actor events.Actor, commandID, clientID string, version int,
	changes []changeset.ChangeSet) error {
	body, err := pushBody(d.state.ID, clientID, version, changes)
	if err != nil {
		return err
	}
	return d.run(opinions.CmdPushChanges, commandID, actor, body)
}

func (d *deciderServer) pull(_ context.Context, version int) ([]update, error) {
	return slices.Clone(d.log[min(version, len(d.log)):]), nil
}

func (d *deciderServer) load(context.Context) (opinions.Opinion, error) { return d.state, nil }

// serviceServer is the opinions service as editors reach it: commands through send
// (Service.Execute in process, bus.Client over NATS), pulls from the opinion's stream,
// the opinion as LoadOpinion folds it.
type serviceServer struct {
	send    func(context.Context, bus.Request) (bus.Reply, error)
	store   store.Store
	reg     *events.Registry
	opinion uuid.UUID
}

func (s *serviceServer) create(ctx context.Context, seed uint64) error {
	s.opinion = opinions.OpinionIDFor(createID(seed))
	_, err := s.send(ctx, bus.Request{Context: opinions.Context, Command: opinions.CmdCreateOpinion,
		CommandID: createID(seed), Body: createBody(seed), Actor: editorActors[0]})
	return err
}

func (s *serviceServer) push(ctx context.Context, actor events.Actor, commandID, clientID string, version int,
	changes []changeset.ChangeSet) error {
	body, err := pushBody(s.opinion, clientID, version, changes)
	if err != nil {
		return err
	}
	_, err = s.send(ctx, bus.Request{Context: opinions.Context, Command: opinions.CmdPushChanges, CommandID: commandID,
		Body: body, Actor: actor})
	return err
}

func (s *serviceServer) pull(ctx context.Context, version int) ([]update, error) {
	var evs []events.Event
	for ev, err := range s.store.Read(ctx, opinions.OpinionStream(s.opinion), uint64(version)+1) {
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return decodeUpdates(s.reg, evs, version)
}

func (s *serviceServer) load(ctx context.Context) (opinions.Opinion, error) {
	op, ok, err := opinions.LoadOpinion(ctx, s.store, events.NewRegistry(), s.opinion)
	if err == nil && !ok {
		err = fmt.Errorf("opinion %s not found", s.opinion)
	}
	return op, err
}

// stats counts what the schedules did.
type stats struct {
	schedules, editors, edits, pushes, refused, lost, events atomic.Int64
}

func (s *stats) String() string {
	return fmt.Sprintf("%d schedules, %d editors, %d edits, %d pushes (%d refused as stale, %d unanswered), %d change events",
		s.schedules.Load(), s.editors.Load(), s.edits.Load(), s.pushes.Load(), s.refused.Load(), s.lost.Load(), s.events.Load())
}

// newEditors makes n editors at version 1.
func newEditors(seed uint64, n int) []*editor {
	out := make([]*editor, n)
	for i := range out {
		out[i] = newEditor(fmt.Sprintf("ed-%d-%d", seed, i), editorActors[i], collabInitial, 1)
	}
	return out
}

// runSchedule plays one schedule, one action at a time in an order the seed decides.
func runSchedule(ctx context.Context, a server, seed uint64, st *stats) error {
	if err := a.create(ctx, seed); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f6d697465))
	eds := newEditors(seed, 3+rng.IntN(4))
	gen, o := newTextGen(), newOracle(collabInitial)
	// One editor may go offline for a while: it keeps typing, then rebases it all.
	offline, from, to := eds[rng.IntN(len(eds))], 0, 0
	steps := 12 + rng.IntN(37)
	if rng.IntN(2) == 0 {
		from = rng.IntN(steps)
		to = from + rng.IntN(steps-from+1)
	}
	for step := range steps {
		e := eds[rng.IntN(len(eds))]
		switch k := rng.IntN(100); {
		case k < 45 || e == offline && step >= from && step < to:
			if err := e.edit(rng, gen, o); err != nil {
				return err
			}
		case k < 75:
			refused := e.refused
			if _, err := e.send(ctx, a); err != nil {
				return fmt.Errorf("step %d: %s pushes: %w", step, e.id, err)
			}
			if e.refused > refused && rng.IntN(2) == 0 { // pull, rebase and push again at once
				if err := e.sync(ctx, a); err != nil {
					return err
				}
				if _, err := e.send(ctx, a); err != nil {
					return fmt.Errorf("step %d: %s pushes again: %w", step, e.id, err)
				}
			}
		default:
			if err := e.sync(ctx, a); err != nil {
				return fmt.Errorf("step %d: %s pulls: %w", step, e.id, err)
			}
		}
	}
	if err := settle(ctx, a, rng, eds); err != nil {
		return err
	}
	return verify(ctx, a, eds, o, st)
}

// settle brings every editor home: pull, then push what is still unconfirmed, until a
// round where nobody holds anything unconfirmed.
func settle(ctx context.Context, a authority, rng *rand.Rand, eds []*editor) error {
	for round := 0; ; round++ {
		if round > 100 {
			return fmt.Errorf("not settled after %d rounds", round)
		}
		pending := false
		for _, i := range rng.Perm(len(eds)) {
			e := eds[i]
			if err := e.sync(ctx, a); err != nil {
				return err
			}
			if len(e.Unconfirmed) == 0 {
				continue
			}
			pending = true
			if _, err := e.send(ctx, a); err != nil {
				return fmt.Errorf("settling: %s pushes: %w", e.id, err)
			}
		}
		if !pending {
			return nil
		}
	}
}

// verify checks the end of a schedule.
func verify(ctx context.Context, a server, eds []*editor, o *oracle, st *stats) error {
	op, err := a.load(ctx)
	if err != nil {
		return fmt.Errorf("loading the opinion: %w", err)
	}
	log, err := a.pull(ctx, 0)
	if err != nil {
		return err
	}
	if len(log) != op.Version {
		return fmt.Errorf("%d changes in the log, version %d", len(log), op.Version)
	}
	if replayed, err := replay(log, ""); err != nil || replayed != op.Text {
		return fmt.Errorf("the log composed replays to %q (%v); the server holds %q", replayed, err, op.Text)
	}
	counts := ownCounts(log)
	for _, e := range eds {
		switch {
		case e.Text != op.Text:
			return fmt.Errorf("%s holds\n%q\nthe server\n%q", e.id, e.Text, op.Text)
		case e.Version != op.Version || len(e.Unconfirmed) > 0:
			return fmt.Errorf("%s is at version %d with %d unconfirmed; the server at %d", e.id, e.Version, len(e.Unconfirmed), op.Version)
		case counts[e.id] != e.made:
			return fmt.Errorf("%s made %d changes, the log holds %d of them", e.id, e.made, counts[e.id])
		}
		st.edits.Add(int64(e.made))
		st.refused.Add(int64(e.refused))
		st.pushes.Add(int64(e.pushes))
		st.lost.Add(int64(e.lost))
	}
	if err := o.check(op.Text); err != nil {
		return fmt.Errorf("oracle: %w\nfinal text %q", err, op.Text)
	}
	st.schedules.Add(1)
	st.editors.Add(int64(len(eds)))
	st.events.Add(int64(len(log) - 1))
	return nil
}

// seeds are the schedules to run: n of them from first, or the one -collab.seed names.
func seeds(first uint64, n int) []uint64 {
	if *collabSeed != 0 {
		return []uint64{*collabSeed}
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

func fixedClock() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) }

// TestCollabConvergence runs thousands of schedules against the pure decider (see the
// comment at the top of this file).
func TestCollabConvergence(t *testing.T) {
	all := seeds(1, *collabSchedules)
	decoder := bus.NewDecoder()
	var st stats
	start := time.Now()
	parallel(t, 2, len(all), func(t *testing.T, i int) {
		d, err := newDeciderServer(decoder)
		if err != nil {
			t.Fatal(err)
		}
		if err := runSchedule(context.Background(), d, all[i], &st); err != nil {
			t.Fatalf("schedule %d (replay: go test -run 'TestCollabConvergence$' -collab.seed %d): %v", all[i], all[i], err)
		}
	})
	t.Logf("%s in %v", &st, time.Since(start).Round(time.Millisecond))
}

// TestCollabConvergenceInProcess runs hundreds of schedules through the real service's
// Service.Execute on the in-memory store.
func TestCollabConvergenceInProcess(t *testing.T) {
	all := seeds(1_000_001, *collabService)
	var st stats
	start := time.Now()
	const workers = 2 // each with its own store and service
	svcs := make([]*serviceServer, workers)
	for w := range svcs {
		mem := bustest.NewFakeStore()
		svc, err := opinions.New(bus.ServiceConfig{Store: mem, Registry: events.NewRegistry(),
			Replies: bustest.NewFakeReplies(), Clock: fixedClock}, groups)
		if err != nil {
			t.Fatal(err)
		}
		reg := events.NewRegistry()
		opinions.Register(reg)
		svcs[w] = &serviceServer{send: svc.Execute, store: mem, reg: reg}
	}
	parallel(t, workers, len(all), func(t *testing.T, i int) {
		a := *svcs[i%workers] // a copy: its own opinion, the worker's service and store
		if err := runSchedule(context.Background(), &a, all[i], &st); err != nil {
			t.Fatalf("schedule %d (replay: go test -run InProcess -collab.seed %d): %v", all[i], all[i], err)
		}
	})
	t.Logf("%s in %v", &st, time.Since(start).Round(time.Millisecond))
}

// parallel runs run(i) for i in [0, n) on workers parallel subtests; schedule i runs on
// worker i%workers.
func parallel(t *testing.T, workers, n int, run func(t *testing.T, i int)) {
	t.Run("workers", func(t *testing.T) {
		for w := range workers {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				t.Parallel()
				for i := w; i < n; i += workers {
					run(t, i)
				}
			})
		}
	})
}

// TestCollabConvergenceOverNATS runs tens of schedules end to end: editors push through
// bus.Client over NATS to two instances of the service on the JetStream store, and pull
// from that store. Each editor runs in its own goroutine, so pushes race for real (within
// an instance and between the two); the seed decides what each editor types and does, not
// how the goroutines interleave.
func TestCollabConvergenceOverNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("NATS schedules skipped in -short mode")
	}
	h := newHarness(t, 2)
	reg := events.NewRegistry()
	opinions.Register(reg)
	var st stats
	start := time.Now()
	for _, seed := range seeds(2_000_001, *collabNATS) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := runConcurrent(ctx, &serviceServer{send: h.client.Send, store: h.store, reg: reg}, seed, &st)
		cancel()
		if err != nil {
			t.Fatalf("schedule %d (run again: go test -run OverNATS -collab.seed %d): %v", seed, seed, err)
		}
	}
	t.Logf("%s in %v", &st, time.Since(start).Round(time.Millisecond))
}

// runConcurrent plays a schedule with one goroutine per editor: each makes its random
// actions, then settles on its own (pull, rebase, push until its changes are confirmed);
// once all are done, everyone pulls and the result is checked.
func runConcurrent(ctx context.Context, a server, seed uint64, st *stats) error {
	if err := a.create(ctx, seed); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e617473))
	eds := newEditors(seed, 3+rng.IntN(4))
	gen, o := newTextGen(), newOracle(collabInitial)
	errs := make([]error, len(eds))
	var wg sync.WaitGroup
	for i, e := range eds {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		actions := 8 + r.IntN(16)
		wg.Go(func() { errs[i] = e.work(ctx, a, r, gen, o, actions) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, e := range eds {
		if err := e.sync(ctx, a); err != nil {
			return err
		}
	}
	return verify(ctx, a, eds, o, st)
}

// work is one editor's life in a concurrent schedule.
func (e *editor) work(ctx context.Context, a authority, rng *rand.Rand, gen *textGen, o *oracle, actions int) error {
	for range actions {
		switch k := rng.IntN(100); {
		case k < 50:
			if err := e.edit(rng, gen, o); err != nil {
				return err
			}
		case k < 80:
			if _, err := e.send(ctx, a); err != nil {
				return fmt.Errorf("%s pushes: %w", e.id, err)
			}
		default:
			if err := e.sync(ctx, a); err != nil {
				return fmt.Errorf("%s pulls: %w", e.id, err)
			}
		}
	}
	for attempt := 0; ; attempt++ {
		if err := e.sync(ctx, a); err != nil {
			return err
		}
		if len(e.Unconfirmed) == 0 {
			return nil
		}
		if attempt > 200 {
			return fmt.Errorf("%s: %d changes still unconfirmed after %d pushes", e.id, len(e.Unconfirmed), attempt)
		}
		if _, err := e.send(ctx, a); err != nil {
			return fmt.Errorf("%s pushes while settling: %w", e.id, err)
		}
	}
}
