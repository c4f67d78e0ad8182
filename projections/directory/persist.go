package directory

import (
	"encoding/json"
	"fmt"
)

// stateVersion is the form of the saved directory; bump it when the rows or the folding change.
const stateVersion = 1

type savedDirectory struct {
	Committee *CommitteeRow               `json:"committee"`
	Orgs      map[string]*OrganisationRow `json:"organisations"`
}

func (d *directory) save() ([]byte, error) {
	return json.Marshal(savedDirectory{Committee: d.committee, Orgs: d.orgs})
}

func (d *directory) load(b []byte) error {
	var s savedDirectory
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if s.Orgs == nil {
		s.Orgs = map[string]*OrganisationRow{}
	}
	d.committee, d.orgs = s.Committee, s.Orgs
	return nil
}

// StateVersion implements projections.Persistent.
func (committeeModel) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m committeeModel) SaveState() ([]byte, error) { return m.d.save() }

// LoadState implements projections.Persistent.
func (m committeeModel) LoadState(b []byte) error { return m.d.load(b) }

// StateVersion implements projections.Persistent.
func (organisationsModel) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m organisationsModel) SaveState() ([]byte, error) { return m.d.save() }

// LoadState implements projections.Persistent.
func (m organisationsModel) LoadState(b []byte) error { return m.d.load(b) }
