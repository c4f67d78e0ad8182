package consultations

import (
	"fmt"

	"github.com/comite-partenaires/comite/projections"
)

// stateVersion is the form of the saved state; bump it when the rows, the folding, or
// the context's Consultation state (saved as JSON, see entry) change.
const stateVersion = 2

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m *model) SaveState() ([]byte, error) {
	return projections.SaveJSON("consultations view", m.entries)
}

// LoadState implements projections.Persistent.
func (m *model) LoadState(b []byte) error {
	entries, err := projections.LoadRows("consultations view", b, func(id string, en *entry) error {
		if en == nil {
			return fmt.Errorf("consultation %s has no state", id)
		}
		if en.Casts == nil {
			en.Casts = map[string]cast{}
		}
		if en.Recorded == nil {
			en.Recorded = map[string]bool{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.entries = entries
	return nil
}
