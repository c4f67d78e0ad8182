package directory

import "github.com/comite-partenaires/comite/projections"

// stateVersion is the form of the saved directory; bump it when the rows or the folding change.
const stateVersion = 1

type savedDirectory struct {
	Committee *CommitteeRow               `json:"committee"`
	Orgs      map[string]*OrganisationRow `json:"organisations"`
}

// StateVersion implements projections.Persistent for both models, which embed a directory.
func (*directory) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (d *directory) SaveState() ([]byte, error) {
	return projections.SaveJSON("directory", savedDirectory{Committee: d.committee, Orgs: d.orgs})
}

// LoadState implements projections.Persistent.
func (d *directory) LoadState(b []byte) error {
	var s savedDirectory
	if err := projections.LoadJSON("directory", b, &s); err != nil {
		return err
	}
	if s.Orgs == nil {
		s.Orgs = map[string]*OrganisationRow{}
	}
	d.committee, d.orgs = s.Committee, s.Orgs
	return nil
}
