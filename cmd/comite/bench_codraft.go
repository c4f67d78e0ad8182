package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/comite-partenaires/comite/internal/bench"
	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/natsembed"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/opinions/collab"
)

// Defaults of the codraft scenario (issue 7, must-hold 5).
const (
	benchEditors    = 50
	benchKeysPerSec = 5.0
	// benchBatchDelay is the browser editor's batchDelayMs (frontend/src/codraft.ts): a
	// push leaves this long after the first unsent keystroke, one at a time.
	benchBatchDelay = 100 * time.Millisecond
)

// benchCodraft has editors type into the demo draft at benchKeysPerSec each, through the
// real gateway: each reads the text, follows opinion-updates:<id> on the live websocket,
// types one character at a time at a random place, and pushes its unconfirmed changes
// with push-changes as the browser editor does (frontend/src/codraft.ts: one push in
// flight, leaving benchBatchDelay after the first unsent keystroke; on version_mismatch,
// it rebases on what it receives and pushes again). It times each change from its first
// push to its echo on the websocket (the batching delay before the push is not counted). The baseline is a raw websocket broadcast with as
// many clients sending as many messages.
func benchCodraft(ctx context.Context, o benchOptions) (bench.Report, error) {
	editors := o.Clients
	if editors == 0 {
		editors = benchEditors
	}
	rep := bench.Report{Scenario: "codraft"}
	stop := bench.Phase(o.Progress, "codraft: raw websocket echo", o.Duration)
	raw, err := bench.RawEcho(ctx, editors, benchKeysPerSec, o.Duration)
	stop()
	if err != nil {
		return rep, err
	}
	for _, fsync := range o.Fsyncs {
		run, err := codraftRun(ctx, o, fsync, editors)
		if err != nil {
			return rep, err
		}
		rep.Add(bench.Latency("push→echo p50 fsync="+string(fsync), run.echo.Percentile(50), raw.Echo.Percentile(50)),
			bench.Latency("push→echo p99 fsync="+string(fsync), run.echo.Percentile(99), raw.Echo.Percentile(99)),
			bench.Rate("events/s fsync="+string(fsync), run.perSecond(), raw.PerSecond(), "1/s"))
		rep.Note("fsync=%s: %d keystrokes, %d pushes (%d refused as stale, rebased and sent again), %d changes echoed, all editors converged: %v",
			fsync, run.typed.Load(), run.pushes.Load(), run.refused.Load(), run.echo.Count(), run.converged)
	}
	rep.Note("value: %d editors × %.0f keystrokes/s on the demo draft (push-changes over HTTP, echo on /api/v1/live)", editors, benchKeysPerSec)
	rep.Note("baseline: raw gorilla/websocket broadcast, %d clients × %.0f messages/s", editors, benchKeysPerSec)
	return rep, nil
}

// codraftOutcome is what one run of editors measured.
type codraftOutcome struct {
	echo                   *bench.Latencies
	typed, pushes, refused atomic.Int64
	events                 atomic.Int64 // changes editor 0 received while typing
	typing                 atomic.Bool
	elapsed                time.Duration
	converged              bool
}

func (c *codraftOutcome) perSecond() float64 {
	if c.elapsed <= 0 {
		return 0
	}
	return float64(c.events.Load()) / c.elapsed.Seconds()
}

func codraftRun(ctx context.Context, o benchOptions, fsync natsembed.Fsync, editors int) (*codraftOutcome, error) {
	sys, err := startBenchServer(ctx, o.Tmp, fsync, editors)
	if err != nil {
		return nil, err
	}
	defer sys.stop()
	// The drafting group of the demo draft: AMF (lead), ADF, ARF, AMRF, MEN-DNE (the
	// secretariat's organisation).
	var tokens []string
	for _, email := range []string{accounts.DemoPersonaEmail("AMF"), accounts.DemoPersonaEmail("ADF"), accounts.DemoPersonaEmail("ARF"),
		accounts.DemoPersonaEmail("AMRF"), "secretariat@demo.invalid"} {
		t, err := sys.token(ctx, email)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	draft := demo.DraftOpinionID().String()
	out := &codraftOutcome{echo: &bench.Latencies{}}
	eds := make([]*benchEditor, editors)
	for i := range eds {
		eds[i] = &benchEditor{sys: sys, token: tokens[i%len(tokens)], draft: draft, out: out, first: i == 0,
			rng: rand.New(rand.NewPCG(uint64(i), 7))}
		if err := eds[i].open(ctx, fmt.Sprintf("bench-%d", i)); err != nil {
			return nil, err
		}
		defer eds[i].close()
	}
	stop := bench.Phase(o.Progress, fmt.Sprintf("codraft: %d editors, fsync %s", editors, fsync), o.Duration)
	out.typing.Store(true)
	start := time.Now()
	var wg sync.WaitGroup
	for i, e := range eds {
		wg.Go(func() { e.typeFor(ctx, o.Duration, i, editors) })
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	out.typing.Store(false)
	stop()
	// Let the last pushes land (30 s at most), then check that the editors agree: same
	// version, same text, nothing unconfirmed.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !converged(eds) {
		for _, e := range eds {
			e.push(ctx)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out.converged = converged(eds)
	for _, e := range eds {
		if err := e.failure(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// converged reports whether every editor is at the same version and text with nothing
// unconfirmed.
func converged(eds []*benchEditor) bool {
	eds[0].mu.Lock()
	text, version := eds[0].doc.Text, eds[0].doc.Version
	eds[0].mu.Unlock()
	for _, e := range eds {
		e.mu.Lock()
		ok := e.doc.Text == text && e.doc.Version == version && len(e.doc.Unconfirmed) == 0
		e.mu.Unlock()
		if !ok {
			return false
		}
	}
	return true
}

// benchEditor is one simulated editor over the gateway.
type benchEditor struct {
	sys   *benchServer
	token string
	draft string
	out   *codraftOutcome
	first bool
	rng   *rand.Rand
	ws    *websocket.Conn
	done  chan struct{}

	mu  sync.Mutex
	doc collab.Doc
	// stamps[i] is when Unconfirmed[i] was first pushed (zero: not yet).
	stamps []time.Time
	// rows holds received changes by version until the ones before them arrive.
	rows map[int]collab.Update
	// pushing: a push is in flight; awaiting: changes of a successful push not echoed
	// yet; scheduled: a push will leave after benchBatchDelay.
	pushing, scheduled bool
	awaiting           int
	err                error
}

// updateRow is the part of an opinion-updates row an editor reads.
type updateRow struct {
	Version  int             `json:"version"`
	ClientID string          `json:"client_id"`
	Changes  json.RawMessage `json:"changes"`
	Removed  bool            `json:"removed"`
}

func (e *benchEditor) open(ctx context.Context, clientID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.sys.url+"/api/v1/views/opinion-details/"+e.draft, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.sys.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var details struct {
		Position uint64 `json:"position"`
		Item     struct {
			Text    string `json:"text"`
			Version int    `json:"version"`
		} `json:"item"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&details); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: opinion-details: %d %v", resp.StatusCode, err)
	}
	e.doc = collab.Doc{ClientID: clientID, Text: details.Item.Text, Version: details.Item.Version}
	e.rows = map[int]collab.Update{}
	h := http.Header{"Authorization": {"Bearer " + e.token}}
	e.ws, _, err = websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(e.sys.url, "http")+"/api/v1/live", h)
	if err != nil {
		return fmt.Errorf("bench: live websocket: %w", err)
	}
	if err := e.ws.WriteJSON(map[string]any{"type": "subscribe", "view": "opinion-updates:" + e.draft, "since": details.Position}); err != nil {
		return err
	}
	e.done = make(chan struct{})
	go e.read(ctx)
	return nil
}

func (e *benchEditor) close() {
	_ = e.ws.Close()
	<-e.done
}

// read applies the changes the live websocket brings, in version order.
func (e *benchEditor) read(ctx context.Context) {
	defer close(e.done)
	for {
		var m struct {
			Type    string      `json:"type"`
			Code    string      `json:"code"`
			Message string      `json:"message"`
			Items   []updateRow `json:"items"`
		}
		if err := e.ws.ReadJSON(&m); err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				e.fail(fmt.Errorf("bench: live websocket of %s: %w", e.doc.ClientID, err))
			}
			return
		}
		if m.Type == "error" {
			e.fail(fmt.Errorf("bench: live: %s %s", m.Code, m.Message))
			return
		}
		if err := e.receive(m.Items); err != nil {
			e.fail(err)
			return
		}
		e.schedule(ctx)
	}
}

func (e *benchEditor) receive(rows []updateRow) error {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range rows {
		if r.Removed || r.Version <= e.doc.Version {
			continue
		}
		cs, err := changeset.Parse(r.Changes)
		if err != nil {
			return fmt.Errorf("bench: change %d: %w", r.Version, err)
		}
		e.rows[r.Version] = collab.Update{Changes: cs, ClientID: r.ClientID}
	}
	var run []collab.Update
	for {
		u, ok := e.rows[e.doc.Version+len(run)+1]
		if !ok {
			break
		}
		delete(e.rows, e.doc.Version+len(run)+1)
		run = append(run, u)
	}
	if len(run) == 0 {
		return nil
	}
	own := 0
	for _, u := range run {
		if u.ClientID == e.doc.ClientID {
			own++
		}
	}
	if err := e.doc.Receive(run); err != nil {
		return err
	}
	for _, t := range e.stamps[:own] {
		if !t.IsZero() {
			e.out.echo.Add(now.Sub(t))
		}
	}
	e.stamps = e.stamps[own:]
	e.awaiting = max(0, e.awaiting-own)
	if e.first && e.out.typing.Load() {
		e.out.events.Add(int64(len(run)))
	}
	return nil
}

// typeFor types benchKeysPerSec keystrokes a second for d: one character inserted at a
// random place (between characters, in UTF-16 code units), then a push if none is in
// flight.
func (e *benchEditor) typeFor(ctx context.Context, d time.Duration, i, of int) {
	bench.Paced(ctx, benchKeysPerSec, d, i, of, func(int) bool {
		if e.failure() != nil {
			return false
		}
		e.mu.Lock()
		cs := keystroke(e.rng, e.doc.Text)
		err := e.doc.Edit(cs)
		e.stamps = append(e.stamps, time.Time{})
		e.mu.Unlock()
		if err != nil {
			e.fail(err)
			return false
		}
		e.out.typed.Add(1)
		e.schedule(ctx)
		return true
	})
}

// keystroke inserts one letter at a random character boundary of text.
func keystroke(rng *rand.Rand, text string) changeset.ChangeSet {
	var bounds []int
	for i := range text {
		bounds = append(bounds, i)
	}
	bounds = append(bounds, len(text))
	at := changeset.Offset16(text, bounds[rng.IntN(len(bounds))])
	return changeset.Splice(changeset.Len16(text), at, at, string(rune('a'+rng.IntN(26))))
}

// schedule has the sendable changes pushed benchBatchDelay from now, unless a push is
// already scheduled or cannot leave yet.
func (e *benchEditor) schedule(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scheduled || e.pushing || e.awaiting > 0 || len(e.doc.Unconfirmed) == 0 || e.err != nil {
		return
	}
	e.scheduled = true
	time.AfterFunc(benchBatchDelay, func() {
		e.mu.Lock()
		e.scheduled = false
		e.mu.Unlock()
		e.push(ctx)
	})
}

// push sends the sendable changes unless a push is in flight or the last one's changes
// have not come back yet.
func (e *benchEditor) push(ctx context.Context) {
	e.mu.Lock()
	if e.pushing || e.awaiting > 0 || len(e.doc.Unconfirmed) == 0 || e.err != nil {
		e.mu.Unlock()
		return
	}
	changes := e.doc.Sendable()
	version := e.doc.Version
	now := time.Now()
	for i := range changes {
		if e.stamps[i].IsZero() {
			e.stamps[i] = now
		}
	}
	body, err := json.Marshal(map[string]any{"opinion_id": e.draft, "version": version, "client_id": e.doc.ClientID, "changes": changes})
	e.pushing = true
	e.mu.Unlock()
	if err != nil {
		e.fail(err)
		return
	}
	go func() {
		_, err := e.sys.command(ctx, e.token, "opinions/push-changes", string(body))
		e.out.pushes.Add(1)
		stale := err != nil && errors.Is(err, errStatus) && strings.Contains(err.Error(), "version_mismatch")
		e.mu.Lock()
		e.pushing = false
		moved := e.doc.Version > version
		switch {
		case err == nil:
			// Confirmed when the changes come back on the websocket.
			e.awaiting = len(changes) - (e.doc.Version - version)
		case stale:
			e.out.refused.Add(1)
		default:
			if e.err == nil && ctx.Err() == nil {
				e.err = err
			}
		}
		e.mu.Unlock()
		if err == nil || (stale && moved) {
			e.schedule(ctx)
		}
	}()
}

func (e *benchEditor) fail(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}

func (e *benchEditor) failure() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}
