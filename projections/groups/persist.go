package groups

import (
	"fmt"

	"github.com/comite-partenaires/comite/projections"
)

// stateVersion is the form of the saved groups; bump it when the rows or the folding change.
const stateVersion = 1

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent: the groups by ID, as JSON.
func (m *model) SaveState() ([]byte, error) { return projections.SaveJSON("groups", m.groups) }

// LoadState implements projections.Persistent; on error the model is left as it was.
func (m *model) LoadState(b []byte) error {
	groups, err := projections.LoadRows("groups", b, func(id string, g *GroupRow) error {
		if g == nil || g.ID != id {
			return fmt.Errorf("saved group %q is malformed", id)
		}
		if g.Members == nil {
			g.Members = []Member{}
		}
		if g.Meetings == nil {
			g.Meetings = []Meeting{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.groups = groups
	return nil
}
