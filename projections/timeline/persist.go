package timeline

import (
	"fmt"

	"github.com/comite-partenaires/comite/projections"
)

// stateVersion is the form of the saved timeline; bump it when the rows or the folding change.
const stateVersion = 1

// saved is the timeline as a snapshot holds it: the rows oldest first, and what later
// events need to describe themselves.
type saved struct {
	Rows    []*EntryRow       `json:"rows"`
	Public  map[string]bool   `json:"public"`
	Names   map[string]string `json:"names"`
	GroupOf map[string]string `json:"group_of"`
	Owners  map[string]string `json:"owners"`
	People  map[string]string `json:"people"`
	Drafts  map[string]string `json:"drafts"`
}

// StateVersion implements projections.Persistent.
func (*model) StateVersion() int { return stateVersion }

// SaveState implements projections.Persistent.
func (m *model) SaveState() ([]byte, error) {
	return projections.SaveJSON("timeline", saved{Rows: m.oldestFirst(), Public: m.public, Names: m.names, GroupOf: m.groupOf,
		Owners: m.owners, People: m.people, Drafts: m.drafts})
}

// LoadState implements projections.Persistent.
func (m *model) LoadState(b []byte) error {
	var s saved
	if err := projections.LoadJSON("timeline", b, &s); err != nil {
		return err
	}
	n := newModel(m.max)
	n.archive = m.archive
	for _, r := range s.Rows {
		if r == nil || r.ID == "" {
			return fmt.Errorf("timeline: a saved row without an id")
		}
		n.insert(r)
	}
	fill := func(dst map[string]string, src map[string]string) {
		for k, v := range src {
			dst[k] = v
		}
	}
	for k, v := range s.Public {
		n.public[k] = v
	}
	fill(n.names, s.Names)
	fill(n.groupOf, s.GroupOf)
	fill(n.owners, s.Owners)
	fill(n.people, s.People)
	fill(n.drafts, s.Drafts)
	// A snapshot from a deployment that kept more rows keeps only the newest.
	n.evict()
	*m = *n
	return nil
}
