package actionboard

import (
	"encoding/json"
	"fmt"
)

// stateVersion is the form of the saved board; bump it when the rows or the folding change.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent: the rows by sheet ID, as JSON.
func (m *model) SaveState() ([]byte, error) {
	b, err := json.Marshal(m.sheets)
	if err != nil {
		return nil, fmt.Errorf("actionboard: %w", err)
	}
	return b, nil
}

// LoadState implements projections.Persistent; on error the model is left as it was.
func (m *model) LoadState(b []byte) error {
	var sheets map[string]*SheetRow
	if err := json.Unmarshal(b, &sheets); err != nil {
		return fmt.Errorf("actionboard: %w", err)
	}
	if sheets == nil {
		sheets = map[string]*SheetRow{}
	}
	for id, r := range sheets {
		if r == nil || r.ID != id {
			return fmt.Errorf("actionboard: saved sheet %q does not carry its own ID", id)
		}
		// A row saved with empty lists reads back nil lists: keep them [] as folded.
		if r.Progress == nil {
			r.Progress = []ProgressEntry{}
		}
		if r.Reschedules == nil {
			r.Reschedules = []Reschedule{}
		}
	}
	m.sheets = sheets
	return nil
}
