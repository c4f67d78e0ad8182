// Package projections folds events into in-memory read models ("views") that know the
// global position they have reached, serve snapshots and "what changed since position N",
// and notify live subscribers (the gateway's websocket hub) of every change.
//
// A view is a Model (pure folding logic, one package per view under projections/) wrapped
// in a View, which adds positions, tombstones, waiting and subscriptions.
package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/comite-partenaires/comite/events"
)

// Model is the folding logic of one read model. Implementations need no locking: the
// View serialises every call.
type Model interface {
	// Apply folds one event and returns the IDs of the rows it changed (created, updated
	// or removed). Events the model does not care about return nil.
	Apply(ev events.Event, payload events.Payload) (changed []string, err error)
	// Row returns the current row with that ID, or false if there is none (never was, or
	// removed).
	Row(id string) (any, bool)
	// Rows returns every current row, in display order.
	Rows() []any
}

// Nested is a Model whose rows are grouped under a parent ID: a row "<parent>/<rest>"
// belongs to parent (e.g. the text changes "<opinion id>/<version>" of one opinion). A
// subscriber following parent gets the parent's row, if any, and every row under it.
type Nested interface {
	// RowsUnder returns the rows under parent, in display order.
	RowsUnder(parent string) []any
}

// follows reports whether a subscriber following only (every row when "") cares about
// the row id: the row itself, or a row under it ("<only>/…").
func follows(only, id string) bool {
	return only == "" || id == only || strings.HasPrefix(id, only+"/")
}

// Tombstone is the row sent for a row that was removed: clients drop it.
type Tombstone struct {
	ID       string `json:"id"`
	Removed  bool   `json:"removed"`
	Position uint64 `json:"position"`
}

// Patch is a change of a view: the rows changed by one or more events, and the position
// the view reached.
type Patch struct {
	View     string
	Position uint64
	Rows     []any
}

// Visibility decides what an actor sees of a row: the row itself, a redacted copy (e.g. a
// secret tally without its choices), or nothing (false). A view without one shows every
// row to everyone its role lets read it (authz.MayRead decides that, per view).
type Visibility func(actor events.Actor, row any) (any, bool)

// change is one row changed by an event: its ID and its new value (a Tombstone if gone).
type change struct {
	id  string
	row any
}

// ErrNotFound is returned for an unknown row ID.
var ErrNotFound = errors.New("projections: not found")

// View wraps a Model with the position it reached, when each row last changed, and its
// subscribers. It is safe for concurrent use.
type View struct {
	name      string
	singleton bool
	model     Model
	visible   Visibility

	mu        sync.RWMutex
	position  uint64
	changedAt map[string]uint64
	// removals lists removed rows still in changedAt, oldest first; past
	// maxTombstones the oldest are forgotten, and forgotten is the position of the
	// last one forgotten: a client resubscribing from before it gets a snapshot.
	removals      []removal
	maxTombstones int
	forgotten     uint64
	reached       chan struct{} // closed and replaced whenever position moves
	subs          map[*Subscriber]struct{}
	failed        error
}

// NewView wraps a model. A singleton view holds one object (e.g. the committee) and is
// served over HTTP as {"item": …} instead of {"items": […]}.
func NewView(name string, model Model, singleton bool) *View {
	return &View{name: name, singleton: singleton, model: model,
		changedAt: map[string]uint64{}, reached: make(chan struct{}), subs: map[*Subscriber]struct{}{},
		maxTombstones: DefaultMaxTombstones}
}

// DefaultMaxTombstones is how many removed rows a view remembers, to tell resubscribing
// clients which rows went away; a client that was away longer gets a fresh snapshot.
// It bounds the memory of views that drop rows as they go (e.g. a bounded timeline).
const DefaultMaxTombstones = 4096

// removal is a row removed at a position.
type removal struct {
	id  string
	pos uint64
}

// WithVisibility sets the rule that filters rows per actor and returns v; set it before the
// view is used.
func (v *View) WithVisibility(f Visibility) *View {
	v.visible = f
	return v
}

// Name is the view's name in URLs and live messages.
func (v *View) Name() string { return v.name }

// Singleton reports whether the view holds one object.
func (v *View) Singleton() bool { return v.singleton }

// Position returns the global position the view has reached.
func (v *View) Position() uint64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.position
}

// Apply folds one event and publishes the changed rows to subscribers. Events at or
// below the view's position are ignored, so replays and redeliveries are harmless.
func (v *View) Apply(ev events.Event, payload events.Payload) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.failed != nil {
		return v.failed
	}
	if ev.Position <= v.position {
		return nil
	}
	changed, err := v.model.Apply(ev, payload)
	if err != nil {
		v.failed = fmt.Errorf("projections: view %s at event %s (position %d): %w", v.name, ev.ID, ev.Position, err)
		return v.failed
	}
	v.position = ev.Position
	for _, id := range changed {
		v.changedAt[id] = ev.Position
	}
	// One Row call per changed row, shared by the removal bookkeeping and the patches.
	rows := v.changesLocked(changed)
	for _, c := range rows {
		if _, gone := c.row.(Tombstone); gone {
			v.removals = append(v.removals, removal{c.id, ev.Position})
		}
	}
	v.forgetRemovalsLocked()
	if len(rows) > 0 && len(v.subs) > 0 {
		for s := range v.subs {
			if out := v.filterLocked(s.actor, s.only, rows, ev.Position); len(out) > 0 {
				s.deliver(Patch{View: v.name, Position: ev.Position, Rows: out})
			}
		}
	}
	close(v.reached)
	v.reached = make(chan struct{})
	return nil
}

// forgetRemovalsLocked drops the oldest removed rows beyond maxTombstones.
func (v *View) forgetRemovalsLocked() {
	for len(v.removals) > v.maxTombstones {
		r := v.removals[0]
		v.removals = v.removals[1:]
		if _, back := v.model.Row(r.id); v.changedAt[r.id] == r.pos && !back {
			delete(v.changedAt, r.id)
		}
		v.forgotten = max(v.forgotten, r.pos)
	}
}

// changesLocked returns the current value of each changed row, once per ID.
func (v *View) changesLocked(ids []string) []change {
	rows := make([]change, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if r, ok := v.model.Row(id); ok {
			rows = append(rows, change{id, r})
		} else {
			rows = append(rows, change{id, Tombstone{ID: id, Removed: true, Position: v.changedAt[id]}})
		}
	}
	return rows
}

// filterLocked keeps the changes that concern a subscriber following only one row (if
// only is set) and shows them as actor may see them: a row the actor may not see is
// sent as a tombstone, so that a row that becomes hidden (e.g. a draft withdrawn from
// publication) disappears from the actor's screen.
func (v *View) filterLocked(actor events.Actor, only string, rows []change, pos uint64) []any {
	out := make([]any, 0, len(rows))
	for _, c := range rows {
		if !follows(only, c.id) {
			continue
		}
		if _, gone := c.row.(Tombstone); gone || v.visible == nil {
			out = append(out, c.row)
			continue
		}
		if r, ok := v.visible(actor, c.row); ok {
			out = append(out, r)
		} else {
			out = append(out, Tombstone{ID: c.id, Removed: true, Position: pos})
		}
	}
	return out
}

// visibleRows filters full rows for actor, dropping the hidden ones.
func (v *View) visibleRows(actor events.Actor, rows []any) []any {
	if v.visible == nil {
		return rows
	}
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		if r, ok := v.visible(actor, r); ok {
			out = append(out, r)
		}
	}
	return out
}

// Snapshot returns every current row and the position they reflect.
func (v *View) Snapshot() (uint64, []any) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.position, v.model.Rows()
}

// SnapshotFor is Snapshot as actor may see it.
func (v *View) SnapshotFor(actor events.Actor) (uint64, []any) {
	pos, rows := v.Snapshot()
	return pos, v.visibleRows(actor, rows)
}

// GetFor is Get as actor may see it: a row actor may not see is not found.
func (v *View) GetFor(actor events.Actor, id string) (uint64, any, error) {
	pos, row, err := v.Get(id)
	if err != nil || v.visible == nil {
		return pos, row, err
	}
	if r, ok := v.visible(actor, row); ok {
		return pos, r, nil
	}
	return pos, nil, ErrNotFound
}

// Get returns one row and the view's position.
func (v *View) Get(id string) (uint64, any, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	r, ok := v.model.Row(id)
	if !ok {
		return v.position, nil, ErrNotFound
	}
	return v.position, r, nil
}

// Err returns the error that stopped the view, if any: an event it could not fold.
func (v *View) Err() error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.failed
}

// WaitFor blocks until the view has reached pos, the context ends, or the view failed.
func (v *View) WaitFor(ctx context.Context, pos uint64) error {
	for {
		v.mu.RLock()
		reached, ch, failed := v.position >= pos, v.reached, v.failed
		v.mu.RUnlock()
		if failed != nil {
			return failed
		}
		if reached {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Subscribe registers a live subscriber and returns what it must show first, atomically
// with the registration so that no change falls in between: with since == 0, a snapshot
// of every row (or of its one row, for a subscriber following one); otherwise only the
// rows changed after since (tombstones included), as a patch. Every later change arrives
// on the subscriber's channel. Rows are shown as the subscriber's actor may see them.
func (v *View) Subscribe(since uint64, s *Subscriber) (position uint64, rows []any, snapshot bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.subs[s] = struct{}{}
	if since == 0 || since > v.position || since < v.forgotten {
		// A client ahead of us (another gateway, a reset log) gets a fresh snapshot, and
		// so does one away for longer than the removals the view remembers.
		if s.only != "" {
			var rows []any
			if r, ok := v.model.Row(s.only); ok {
				rows = append(rows, r)
			}
			if n, ok := v.model.(Nested); ok {
				rows = append(rows, n.RowsUnder(s.only)...)
			}
			return v.position, v.visibleRows(s.actor, rows), true
		}
		return v.position, v.visibleRows(s.actor, v.model.Rows()), true
	}
	var ids []string
	for id, at := range v.changedAt {
		if at > since {
			ids = append(ids, id)
		}
	}
	sortIDsByPosition(ids, v.changedAt)
	return v.position, v.filterLocked(s.actor, s.only, v.changesLocked(ids), v.position), false
}

// Unsubscribe removes a subscriber; it is idempotent.
func (v *View) Unsubscribe(s *Subscriber) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.subs, s)
}

// Subscriber receives a view's patches. Deliver never blocks the view: a subscriber whose
// buffer is full is marked overflowed and its channel closed, and its owner is expected
// to disconnect the client (which then resubscribes with its last position).
type Subscriber struct {
	actor      events.Actor
	only       string
	ch         chan Patch
	once       sync.Once
	overflowed bool
	mu         sync.Mutex
}

// NewSubscriber returns a subscriber buffering up to buffer patches, that sees rows as
// actor may see them; with only set, it follows that one row of the view.
func NewSubscriber(buffer int, actor events.Actor, only string) *Subscriber {
	return &Subscriber{ch: make(chan Patch, buffer), actor: actor, only: only}
}

// C delivers patches; it is closed when the subscriber overflows or is closed.
func (s *Subscriber) C() <-chan Patch { return s.ch }

// Overflowed reports whether patches were dropped because the subscriber was too slow.
func (s *Subscriber) Overflowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overflowed
}

func (s *Subscriber) deliver(p Patch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overflowed {
		return
	}
	select {
	case s.ch <- p:
	default:
		s.overflowed = true
		s.once.Do(func() { close(s.ch) })
	}
}

// Close closes the channel; the subscriber must be unsubscribed from its views first.
func (s *Subscriber) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overflowed = true
	s.once.Do(func() { close(s.ch) })
}

func sortIDsByPosition(ids []string, at map[string]uint64) {
	sort.Slice(ids, func(i, j int) bool {
		if at[ids[i]] != at[ids[j]] {
			return at[ids[i]] < at[ids[j]]
		}
		return ids[i] < ids[j]
	})
}

// Model returns the wrapped model, for introspection (e.g. the OpenAPI row type).
func (v *View) Model() Model { return v.model }
