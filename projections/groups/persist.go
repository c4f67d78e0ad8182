package groups

import (
	"encoding/json"
	"fmt"
)

// stateVersion is the form of the saved groups; bump it when the rows or the folding change.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent: the groups by ID, as JSON.
func (m *model) SaveState() ([]byte, error) {
	b, err := json.Marshal(m.groups)
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	return b, nil
}

// LoadState implements projections.Persistent; on error the model is left as it was.
func (m *model) LoadState(b []byte) error {
	var groups map[string]*GroupRow
	if err := json.Unmarshal(b, &groups); err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	if groups == nil {
		groups = map[string]*GroupRow{}
	}
	for id, g := range groups {
		if g == nil || g.ID != id {
			return fmt.Errorf("groups: saved group %q is malformed", id)
		}
		if g.Members == nil {
			g.Members = []Member{}
		}
		if g.Meetings == nil {
			g.Meetings = []Meeting{}
		}
	}
	m.groups = groups
	return nil
}
