package consultations

import (
	"encoding/json"
	"fmt"
)

// stateVersion is the form of the saved state; bump it when the rows, the folding, or
// the context's Consultation state (saved as JSON, see entry) change.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m *model) SaveState() ([]byte, error) {
	b, err := json.Marshal(m.entries)
	if err != nil {
		return nil, fmt.Errorf("consultations view: %w", err)
	}
	return b, nil
}

// LoadState implements projections.Persistent.
func (m *model) LoadState(b []byte) error {
	var entries map[string]*entry
	if err := json.Unmarshal(b, &entries); err != nil {
		return fmt.Errorf("consultations view: %w", err)
	}
	for id, en := range entries {
		if en == nil {
			return fmt.Errorf("consultations view: consultation %s has no state", id)
		}
		if en.Casts == nil {
			en.Casts = map[string]cast{}
		}
		if en.Recorded == nil {
			en.Recorded = map[string]bool{}
		}
	}
	if entries == nil {
		entries = map[string]*entry{}
	}
	m.entries = entries
	return nil
}
