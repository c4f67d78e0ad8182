package main

import (
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/actionboard"
	"github.com/comite-partenaires/comite/projections/consultations"
	"github.com/comite-partenaires/comite/projections/directory"
	"github.com/comite-partenaires/comite/projections/drafts"
	"github.com/comite-partenaires/comite/projections/groups"
	"github.com/comite-partenaires/comite/projections/opinions"
	"github.com/comite-partenaires/comite/projections/timeline"
)

// readModels returns fresh instances of every read model the gateway serves, in the
// order the runner folds them. Each projections package adds its views here.
func readModels() []*projections.View {
	var vs []*projections.View
	vs = append(vs, directory.Views()...)
	vs = append(vs, groups.Views()...)
	vs = append(vs, actionboard.Views()...)
	vs = append(vs, consultations.Views()...)
	vs = append(vs, timeline.Views()...)
	vs = append(vs, opinions.Views()...)
	vs = append(vs, drafts.Views()...)
	return vs
}
