package opinions_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/opinions/collab"
)

// This file is a co-drafting editor as @codemirror/collab (6.1) runs one against a central
// authority: its document is a collab.Doc (local text, version, unconfirmed changes;
// receiveUpdates); the authority is the opinions service (collab_property_test.go).

// update is an accepted change as an editor receives it: an opinions.draft.changed event.
type update = collab.Update

// authority is the opinions service as an editor talks to it.
type authority interface {
	// push sends push-changes: changes made on version, under a fresh command ID.
	push(ctx context.Context, actor events.Actor, commandID, clientID string, version int, changes []changeset.ChangeSet) error
	// pull returns the changes accepted after version, in order.
	pull(ctx context.Context, version int) ([]update, error)
}

// editor is one simulated client.
type editor struct {
	id    string
	actor events.Actor
	collab.Doc
	pushes int
	// made counts the editor's own changes, refused its stale pushes, lost those that
	// got no answer.
	made, refused, lost int
}

// newEditor returns an editor holding text at version.
func newEditor(id string, actor events.Actor, text string, version int) *editor {
	return &editor{id: id, actor: actor, Doc: collab.Doc{ClientID: id, Text: text, Version: version}}
}

// receive is receiveUpdates (collab.Doc.Receive).
func (e *editor) receive(updates []update) error { return e.Receive(updates) }

// sync pulls what the authority accepted since the editor's version.
func (e *editor) sync(ctx context.Context, a authority) error {
	updates, err := a.pull(ctx, e.Version)
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return nil
	}
	return e.receive(updates)
}

// send pushes the unconfirmed changes (at most MaxChangeSets). The authority's reply is
// not used, as in @codemirror/collab: the changes are confirmed when they come back in a
// pull. A stale push is refused with version_mismatch and sent again after a pull; so is
// one that got no answer (a new command ID with the rebased changes: if the first was
// applied, the pull confirms its changes and they are not sent again).
func (e *editor) send(ctx context.Context, a authority) (accepted bool, err error) {
	if len(e.Unconfirmed) == 0 {
		return false, nil
	}
	e.pushes++
	err = a.push(ctx, e.actor, fmt.Sprintf("%s-push-%d", e.id, e.pushes), e.id, e.Version, e.Sendable())
	switch errcode.From(err).Code {
	case opinions.ErrVersionMismatch.Code:
		e.refused++
		return false, nil
	case errcode.Timeout.Code, errcode.Unavailable.Code:
		// Lost on the way, or only its reply: a pull tells, as for any push.
		e.lost++
		return false, nil
	}
	return err == nil, err
}

// edit makes a random change to the local text and records it in the oracle.
func (e *editor) edit(rng *rand.Rand, gen *textGen, o *oracle) error {
	cs := randomChange(rng, gen, e.Text)
	if cs.Empty() {
		return nil // CodeMirror records no update for a transaction that changes nothing
	}
	o.saw(e.Text)
	for _, s := range deletedBy(cs, e.Text) {
		o.deleted(s)
	}
	if err := e.Edit(cs); err != nil {
		return err
	}
	for _, s := range cs.Sections() {
		o.inserted(s.Insert)
	}
	e.made++
	o.saw(e.Text)
	return nil
}

// randomChange is what a person does in an editor: type, delete, replace a selection,
// sometimes at several cursors at once. Positions fall between characters.
func randomChange(rng *rand.Rand, gen *textGen, doc string) changeset.ChangeSet {
	bounds := []int{0} // UTF-16 offsets between characters
	at := 0
	for _, r := range doc {
		at += changeset.Len16(string(r))
		bounds = append(bounds, at)
	}
	cursors := 1
	if rng.IntN(10) == 0 {
		cursors = 2 + rng.IntN(2)
	}
	// Pick ranges left to right, never overlapping.
	var sections []changeset.Section
	pos, i := 0, 0
	for c := 0; c < cursors && i < len(bounds); c++ {
		i += rng.IntN(max(1, (len(bounds)-i)/(cursors-c)))
		from := bounds[min(i, len(bounds)-1)]
		j := i
		kind := rng.IntN(100)
		if kind >= 45 { // delete or replace: up to 6 characters
			j = min(len(bounds)-1, i+1+rng.IntN(6))
		}
		to := bounds[j]
		insert := ""
		if kind < 45 || kind >= 70 {
			insert = gen.text(rng)
		}
		if from > pos {
			sections = append(sections, changeset.Section{Len: from - pos})
		}
		if to > from || insert != "" {
			sections = append(sections, changeset.Section{Len: to - from, Replaced: true, Insert: insert})
		}
		pos, i = to, j+1
	}
	if end := bounds[len(bounds)-1]; end > pos {
		sections = append(sections, changeset.Section{Len: end - pos})
	}
	return changeset.New(sections...).Normalize()
}

// deletedBy returns the pieces of doc a change deletes or replaces.
func deletedBy(cs changeset.ChangeSet, doc string) []string {
	var out []string
	pos := 0
	for _, s := range cs.Sections() {
		if s.Replaced && s.Len > 0 {
			piece, _ := changeset.Slice16(doc, pos, pos+s.Len)
			out = append(out, piece)
		}
		pos += s.Len
	}
	return out
}

// textGen writes what editors type: ASCII, spaces and line breaks, a ZWJ and a combining
// accent (which repeat), and accented Latin letters, CJK and emoji (surrogate pairs in
// UTF-16), each of which appears at most once in a schedule, so that the oracle can follow
// every one of them.
type textGen struct {
	mu   sync.Mutex // editors run concurrently over NATS
	next [3]rune
}

// Pools of unique characters: Latin Extended-A and B, CJK, emoji.
var pools = [3][2]rune{{0x0100, 0x024F}, {0x4E00, 0x4FFF}, {0x1F300, 0x1F5FF}}

func newTextGen() *textGen { return &textGen{next: [3]rune{pools[0][0], pools[1][0], pools[2][0]}} }

func (g *textGen) unique(pool int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.next[pool]
	if r > pools[pool][1] {
		panic("textGen: pool exhausted; make shorter schedules")
	}
	g.next[pool]++
	return string(r)
}

func (g *textGen) text(rng *rand.Rand) string {
	var b strings.Builder
	for range 1 + rng.IntN(5) {
		switch k := rng.IntN(100); {
		case k < 35:
			b.WriteByte(byte('a' + rng.IntN(26)))
		case k < 45:
			b.WriteByte(' ')
		case k < 50:
			b.WriteByte('\n')
		case k < 65:
			b.WriteString(g.unique(0))
		case k < 80:
			b.WriteString(g.unique(1))
		case k < 92:
			b.WriteString(g.unique(2))
		case k < 96:
			b.WriteString("\u200d")
		default:
			b.WriteString("\u0301")
		}
	}
	return b.String()
}

// tracked reports whether the oracle follows r: every character that appears at most
// once in a schedule.
func tracked(r rune) bool { return r >= 0x80 && r != 0x200d && r != 0x0301 }

// oracle predicts the final text without transforming anything: the tracked characters
// it holds are those typed (or there at the start) and never deleted by an editor that
// saw them, and any two of them an editor ever saw in some order are in that order.
type oracle struct {
	mu      sync.Mutex // editors run concurrently over NATS
	alive   map[rune]bool
	gone    map[rune]bool
	views   [][]rune
	initial string
}

func newOracle(initial string) *oracle {
	o := &oracle{alive: map[rune]bool{}, gone: map[rune]bool{}, initial: initial}
	o.inserted(initial)
	return o
}

func (o *oracle) inserted(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range s {
		if tracked(r) {
			o.alive[r] = true
		}
	}
}

func (o *oracle) deleted(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range s {
		if tracked(r) {
			o.gone[r] = true
		}
	}
}

func (o *oracle) saw(text string) {
	view := trackedRunes(text)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.views = append(o.views, view)
}

func trackedRunes(text string) []rune {
	var out []rune
	for _, r := range text {
		if tracked(r) {
			out = append(out, r)
		}
	}
	return out
}

// check compares the final text with the prediction.
func (o *oracle) check(final string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !utf8.ValidString(final) {
		return errors.New("the final text is not valid UTF-8")
	}
	at := map[rune]int{}
	for i, r := range trackedRunes(final) {
		if _, dup := at[r]; dup {
			return fmt.Errorf("%q appears twice", r)
		}
		if !o.alive[r] || o.gone[r] {
			return fmt.Errorf("%q is in the final text, but was never typed or was deleted", r)
		}
		at[r] = i
	}
	for r := range o.alive {
		if _, ok := at[r]; !ok && !o.gone[r] {
			return fmt.Errorf("%q was typed and never deleted, but is not in the final text", r)
		}
	}
	for v, view := range o.views {
		last := -1
		for _, r := range view {
			i, ok := at[r]
			if !ok {
				continue
			}
			if i < last {
				return fmt.Errorf("view %d had %q after characters the final text puts after it", v, r)
			}
			last = i
		}
	}
	return nil
}

// replay rebuilds the text from the log on its own: the initial text, then every change
// composed into one set (changeset.Compose, not the aggregate's fold).
func replay(log []update, initial string) (string, error) {
	if len(log) == 0 {
		return initial, nil
	}
	all := log[0].Changes
	for _, u := range log[1:] {
		var err error
		if all, err = all.Compose(u.Changes); err != nil {
			return "", err
		}
	}
	return all.Apply(initial)
}

// decodeUpdates turns an opinion's events into the updates after version: the stream holds
// Created, then version v's DraftChanged at revision v while the opinion is a draft.
func decodeUpdates(reg *events.Registry, evs []events.Event, version int) ([]update, error) {
	var out []update
	for _, ev := range evs {
		if ev.Type != opinions.TypeDraftChanged {
			continue
		}
		p, err := reg.Decode(ev)
		if err != nil {
			return nil, err
		}
		d := p.(opinions.DraftChanged)
		if d.Version <= version {
			continue
		}
		if want := version + len(out) + 1; d.Version != want {
			return nil, fmt.Errorf("version %d follows version %d", d.Version, want-1)
		}
		cs, err := changeset.Parse(d.Changes)
		if err != nil {
			return nil, err
		}
		out = append(out, update{Changes: cs, ClientID: d.ClientID})
	}
	return out, nil
}

// changesJSON is what an editor sends: ChangeSet.toJSON of each change.
func changesJSON(changes []changeset.ChangeSet) []json.RawMessage {
	out := make([]json.RawMessage, len(changes))
	for i, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
}

// ownCounts counts the accepted changes of each client.
func ownCounts(log []update) map[string]int {
	out := map[string]int{}
	for _, u := range log {
		out[u.ClientID]++
	}
	return out
}
