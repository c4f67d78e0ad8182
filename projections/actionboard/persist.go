package actionboard

import (
	"fmt"

	"github.com/comite-partenaires/comite/projections"
)

// stateVersion is the form of the saved board; bump it when the rows or the folding change.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent: the rows by sheet ID, as JSON.
func (m *model) SaveState() ([]byte, error) { return projections.SaveJSON("actionboard", m.sheets) }

// LoadState implements projections.Persistent; on error the model is left as it was.
func (m *model) LoadState(b []byte) error {
	sheets, err := projections.LoadRows("actionboard", b, func(id string, r *SheetRow) error {
		if r == nil || r.ID != id {
			return fmt.Errorf("saved sheet %q does not carry its own ID", id)
		}
		// A row saved with empty lists reads back nil lists: keep them [] as folded.
		if r.Progress == nil {
			r.Progress = []ProgressEntry{}
		}
		if r.Reschedules == nil {
			r.Reschedules = []Reschedule{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.sheets = sheets
	return nil
}
