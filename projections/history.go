package projections

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/comite-partenaires/comite/events"
)

// History answers what a view showed at a past point of the log: "time travel". It
// replays the log into a fresh instance of the view up to that point, and keeps snapshots
// taken on the way (and of every answer) so that the next question starts from the
// nearest one before it instead of the start of the log: moving a slider back and forth
// over a history costs a restore and a few events, not a replay.
//
// The answer to a question about position p is the view after every event at or before
// p was folded, exactly what the live view showed when it reached p. It is safe for
// concurrent use; questions are answered one at a time.
type History struct {
	log      Log
	decode   func(events.Event) (events.Payload, error)
	newViews func() []*View
	// maxSnapshots bounds the snapshots kept per view; firstInterval is how many events
	// a replay folds between kept snapshots at first.
	maxSnapshots, firstInterval int

	mu sync.Mutex
	// cache holds, per view, snapshots sorted by position; interval is how many events
	// a replay folds between two snapshots it keeps, doubled whenever the cache is thinned.
	cache    map[string][]ViewSnapshot
	interval map[string]int
	// index lists every event's position and the latest event time up to it, to turn
	// an instant into a position; it is read from the log as questions need it.
	index []indexEntry
}

type indexEntry struct {
	position uint64
	latest   int64 // the latest event time (Unix ns) at or before position
}

// Log is what a History reads: a store.Store is one.
type Log interface {
	// Head returns the position of the last event in the log (0 when empty).
	Head(ctx context.Context) (uint64, error)
	// ReadAll yields every event in global order from position from (inclusive).
	ReadAll(ctx context.Context, from uint64) iter.Seq2[events.Event, error]
}

// Default cache sizes of a History (see WithCache).
const (
	DefaultHistorySnapshots = 32
	DefaultHistoryInterval  = 1000
)

var (
	// ErrBeyondHead is returned for a position after the log's last event: the answer
	// would change as the log grows.
	ErrBeyondHead = errors.New("projections: beyond the end of the log")
	// ErrUnknownView is returned for a view the history does not make.
	ErrUnknownView = errors.New("projections: unknown view")
)

// NewHistory returns the history of the views newViews makes (fresh, empty instances each
// time it is called, e.g. the same function the runner's views come from), read from log
// and decoded with decode (an events.Registry's Decode).
func NewHistory(log Log, decode func(events.Event) (events.Payload, error), newViews func() []*View) (*History, error) {
	if log == nil || decode == nil || newViews == nil {
		return nil, errors.New("projections: a history needs a log, a decoder and its views")
	}
	return &History{log: log, decode: decode, newViews: newViews,
		maxSnapshots: DefaultHistorySnapshots, firstInterval: DefaultHistoryInterval,
		cache: map[string][]ViewSnapshot{}, interval: map[string]int{}}, nil
}

// WithCache sets how many snapshots the history keeps per view (at least 2) and how many
// events a replay folds between two it keeps, at first (at least 1); it returns h. Call it
// before the first question.
func (h *History) WithCache(snapshots, interval int) *History {
	h.maxSnapshots, h.firstInterval = max(snapshots, 2), max(interval, 1)
	return h
}

// At returns the view named name as it was once every event at or before pos had been
// folded; its Position is the position of the last such event (0 before the first). The
// view belongs to the caller and nothing else changes it: read it, do not subscribe to it.
func (h *History) At(ctx context.Context, name string, pos uint64) (*View, error) {
	head, err := h.log.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("projections: reading the log head: %w", err)
	}
	if pos > head {
		return nil, fmt.Errorf("%w: position %d asked, the log ends at %d", ErrBeyondHead, pos, head)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	v, err := h.fresh(name)
	if err != nil {
		return nil, err
	}
	if snap, ok := h.nearest(name, pos); ok {
		if err := v.Restore(snap); err != nil {
			return nil, err
		}
	}
	if err := h.fold(ctx, v, pos); err != nil {
		return nil, err
	}
	if snap, err := v.Save(); err == nil {
		h.keep(snap)
	}
	return v, nil
}

// PositionAt returns the position the log had reached at instant t: the last event of
// the longest start of the log whose events all happened at or before t (0 if the first
// did not). For an instant after the last event, that is the head, which later events
// will move: callers refuse instants in the future.
func (h *History) PositionAt(ctx context.Context, t time.Time) (uint64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.extendIndex(ctx); err != nil {
		return 0, err
	}
	ns := t.UnixNano()
	// latest never decreases along the log: the first entry past t ends the prefix.
	i := sort.Search(len(h.index), func(i int) bool { return h.index[i].latest > ns })
	if i == 0 {
		return 0, nil
	}
	return h.index[i-1].position, nil
}

// extendIndex reads the events appended since the index was last extended.
func (h *History) extendIndex(ctx context.Context) error {
	var from uint64
	var latest int64
	if n := len(h.index); n > 0 {
		from, latest = h.index[n-1].position, h.index[n-1].latest
	}
	for ev, err := range h.log.ReadAll(ctx, from+1) {
		if err != nil {
			return fmt.Errorf("projections: reading the log: %w", err)
		}
		latest = max(latest, ev.Time.UnixNano())
		h.index = append(h.index, indexEntry{ev.Position, latest})
	}
	return nil
}

// fresh makes a new, empty instance of the view named name.
func (h *History) fresh(name string) (*View, error) {
	for _, v := range h.newViews() {
		if v.Name() == name {
			return v, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownView, name)
}

// nearest returns the kept snapshot of the view with the highest position at or before pos.
func (h *History) nearest(name string, pos uint64) (ViewSnapshot, bool) {
	snaps := h.cache[name]
	i := sort.Search(len(snaps), func(i int) bool { return snaps[i].Position > pos })
	if i == 0 {
		return ViewSnapshot{}, false
	}
	return snaps[i-1], true
}

// fold folds the events after v's position up to pos into v, keeping a snapshot every
// interval events.
func (h *History) fold(ctx context.Context, v *View, pos uint64) error {
	interval := h.interval[v.Name()]
	if interval == 0 {
		interval = h.firstInterval
	}
	n := 0
	return Replay(ctx, h.log, h.decode, v, pos, func(ev events.Event) {
		if n++; n%interval == 0 && ev.Position < pos {
			if snap, err := v.Save(); err == nil {
				h.keep(snap)
			}
		}
	})
}

// Replay folds into v the events of log after v's position, up to position to
// (inclusive), decoded with decode; after each event, each (if not nil) is called. It
// returns the first error of the log, the decoder or the view, or ctx's.
func Replay(ctx context.Context, log Log, decode func(events.Event) (events.Payload, error), v *View, to uint64, each func(events.Event)) error {
	if v.Position() >= to {
		return nil
	}
	for ev, err := range log.ReadAll(ctx, v.Position()+1) {
		if err != nil {
			return fmt.Errorf("projections: reading the log: %w", err)
		}
		if ev.Position > to {
			break
		}
		payload, err := decode(ev)
		if err != nil {
			return err
		}
		if err := v.Apply(ev, payload); err != nil {
			return err
		}
		if each != nil {
			each(ev)
		}
	}
	return ctx.Err()
}

// keep adds a snapshot to the view's cache; past maxSnapshots, every other one is
// dropped (the newest always stays) and replays keep snapshots half as often.
func (h *History) keep(snap ViewSnapshot) {
	snaps := h.cache[snap.View]
	i := sort.Search(len(snaps), func(i int) bool { return snaps[i].Position >= snap.Position })
	if i < len(snaps) && snaps[i].Position == snap.Position {
		return
	}
	snaps = slices.Insert(snaps, i, snap)
	if len(snaps) > h.maxSnapshots {
		thinned := snaps[:0]
		for j, s := range snaps {
			if j%2 == 1 || j == len(snaps)-1 {
				thinned = append(thinned, s)
			}
		}
		clear(snaps[len(thinned):])
		snaps = thinned
		if h.interval[snap.View] == 0 {
			h.interval[snap.View] = h.firstInterval
		}
		h.interval[snap.View] *= 2
	}
	h.cache[snap.View] = snaps
}
