package projections

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
)

// Persistent is a Model whose state can be written into a snapshot and read back, so that
// a restart folds only the events after the snapshot (see Runner.WithSnapshots). A model
// that is not Persistent is rebuilt from the start of the log at every start.
type Persistent interface {
	Model
	// StateVersion names the form of the saved state and the folding logic: bump it when
	// either changes, and snapshots written by other versions are ignored (rebuilt).
	StateVersion() int
	// SaveState encodes the whole folded state (e.g. as JSON).
	SaveState() ([]byte, error)
	// LoadState replaces the state of a fresh model with a saved one; on error it leaves
	// the model as it was (decode into a new value, then swap).
	LoadState([]byte) error
}

// ViewSnapshot is what a view saves: its position, the position at which each row last
// changed (so that a client resubscribing with since still gets exactly what it missed),
// and the model's state.
type ViewSnapshot struct {
	View         string            `json:"view"`
	StateVersion int               `json:"state_version"`
	Position     uint64            `json:"position"`
	ChangedAt    map[string]uint64 `json:"changed_at"`
	// Forgotten is the position of the last removal the view no longer remembers.
	Forgotten uint64          `json:"forgotten,omitempty"`
	State     json.RawMessage `json:"state"`
}

// ErrNotPersistent is returned by Save for a view whose model is not Persistent.
var ErrNotPersistent = errors.New("projections: the model cannot be saved")

// Save captures the view's state, consistently with its position.
func (v *View) Save() (ViewSnapshot, error) {
	p, ok := v.model.(Persistent)
	if !ok {
		return ViewSnapshot{}, ErrNotPersistent
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.failed != nil {
		return ViewSnapshot{}, v.failed
	}
	state, err := p.SaveState()
	if err != nil {
		return ViewSnapshot{}, fmt.Errorf("projections: saving view %s: %w", v.name, err)
	}
	return ViewSnapshot{View: v.name, StateVersion: p.StateVersion(), Position: v.position,
		ChangedAt: maps.Clone(v.changedAt), Forgotten: v.forgotten, State: state}, nil
}

// Restore loads a snapshot into a view that has folded nothing yet. A snapshot of another
// view or another state version is refused, and the view is left untouched.
func (v *View) Restore(s ViewSnapshot) error {
	p, ok := v.model.(Persistent)
	if !ok {
		return ErrNotPersistent
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case s.View != v.name:
		return fmt.Errorf("projections: a snapshot of view %q cannot restore view %q", s.View, v.name)
	case s.StateVersion != p.StateVersion():
		return fmt.Errorf("projections: snapshot of view %s has state version %d, the code %d", v.name, s.StateVersion, p.StateVersion())
	case v.position != 0:
		return fmt.Errorf("projections: view %s already folded events", v.name)
	}
	if err := p.LoadState(s.State); err != nil {
		return fmt.Errorf("projections: loading view %s: %w", v.name, err)
	}
	v.position = s.Position
	v.changedAt = maps.Clone(s.ChangedAt)
	if v.changedAt == nil {
		v.changedAt = map[string]uint64{}
	}
	v.forgotten = s.Forgotten
	v.removals = v.removals[:0]
	for id, at := range v.changedAt {
		if _, ok := v.model.Row(id); !ok {
			v.removals = append(v.removals, removal{id, at})
		}
	}
	sort.Slice(v.removals, func(i, j int) bool {
		a, b := v.removals[i], v.removals[j]
		return a.pos < b.pos || a.pos == b.pos && a.id < b.id
	})
	return nil
}

// SaveJSON encodes a model's state as JSON, for SaveState. An error reads "prefix: …"
// (prefix names the model, e.g. its package).
func SaveJSON(prefix string, state any) ([]byte, error) {
	b, err := json.Marshal(state)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	return b, nil
}

// LoadJSON decodes a state saved as JSON into into, for LoadState: into is a fresh value
// that the model takes only once it is checked, so that on error it keeps its state. An
// error reads "prefix: …".
func LoadJSON(prefix string, b []byte, into any) error {
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	return nil
}

// LoadRows decodes rows saved as JSON by ID (see SaveJSON), for LoadState: a saved null
// loads as an empty map, and check, unless nil, vets each row (nil for a saved null) and
// may complete it, e.g. turn lists saved empty, which read back nil, into empty ones.
// The model takes the rows only when err is nil, so that on error it keeps its state. An
// error, check's included, reads "prefix: …".
func LoadRows[R any](prefix string, b []byte, check func(id string, row *R) error) (map[string]*R, error) {
	var rows map[string]*R
	if err := LoadJSON(prefix, b, &rows); err != nil {
		return nil, err
	}
	if rows == nil {
		rows = map[string]*R{}
	}
	if check != nil {
		for id, r := range rows {
			if err := check(id, r); err != nil {
				return nil, fmt.Errorf("%s: %w", prefix, err)
			}
		}
	}
	return rows, nil
}
