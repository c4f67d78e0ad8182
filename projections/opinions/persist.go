package opinions

import (
	"fmt"

	"github.com/comite-partenaires/comite/projections"
)

// stateVersion is the form of the saved state and of the folding; bump it when either
// changes (including the service's Opinion struct, saved as is).
const stateVersion = 2

// StateVersion implements projections.Persistent for both models, which embed a state.
func (*state) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (s *state) SaveState() ([]byte, error) { return projections.SaveJSON("opinions: saving", s) }

// LoadState implements projections.Persistent: it replaces the state with a saved one, or
// leaves it as it was on error.
func (s *state) LoadState(b []byte) error {
	fresh := newState()
	if err := projections.LoadJSON("opinions: loading", b, fresh); err != nil {
		return err
	}
	for id, en := range fresh.Opinions {
		if en == nil {
			return fmt.Errorf("opinions: loading: no state for text %s", id)
		}
	}
	for id, g := range fresh.Groups {
		if g == nil {
			return fmt.Errorf("opinions: loading: no state for group %s", id)
		}
	}
	if fresh.Opinions == nil || fresh.Groups == nil || fresh.SheetOpinion == nil || fresh.ConsultationOpinion == nil {
		return fmt.Errorf("opinions: loading: incomplete state")
	}
	*s = *fresh
	return nil
}
