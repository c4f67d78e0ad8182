package consultations

import (
	"slices"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	cons "github.com/comite-partenaires/comite/services/consultations"
)

// Visible is the view's visibility rule (projections.Visibility):
//
//   - observers see closed consultations only, and no organisation's choices;
//   - an open ballot's choices (non-secret consultations) are shown to every other
//     reader once counts may be shown (results "live", or the consultation closed);
//     before that, each organisation sees only the ballots it is concerned by: its own,
//     and those it cast holding a proxy;
//   - a secret ballot's choices are never in a row (see ConsultationRow), nor is the
//     tally of a consultation whose results come at the close, before it closes.
func Visible(actor events.Actor, row any) (any, bool) {
	r, ok := row.(ConsultationRow)
	if !ok {
		return row, true
	}
	observer := authz.Is(actor, authz.Observer)
	if observer && r.Status != StatusClosed {
		return nil, false
	}
	countsShown := r.Status == StatusClosed || r.Results == cons.ResultsLive
	org := ""
	if id, ok := authz.ActsFor(actor); ok {
		org = id.String()
	}
	maySee := func(p Participant) bool {
		switch {
		case observer || r.Secret:
			return false
		case countsShown:
			return true
		}
		return org != "" && (p.OrganisationID == org || p.CastByOrganisation == org)
	}
	hide := slices.ContainsFunc(r.Participants, func(p Participant) bool { return p.Choices != nil && !maySee(p) })
	if !hide {
		return r, true
	}
	// The row may be shared with other readers (a live patch goes to every subscriber):
	// redact a copy.
	ps := slices.Clone(r.Participants)
	for i := range ps {
		if !maySee(ps[i]) {
			ps[i].Choices = nil
		}
	}
	r.Participants = ps
	return r, true
}
