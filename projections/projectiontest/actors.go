package projectiontest

import (
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// The tests' actors with no organisation, one per role the views' rules tell apart.
// Every address of this package is under check.invalid: a row showing one leaked it.
var (
	Secretariat = events.Actor{User: "secretariat@check.invalid", Role: "secretariat"}
	Observer    = events.Actor{User: "observer@check.invalid", Role: "observer"}
	Auditor     = events.Actor{User: "auditor@check.invalid", Role: "auditor"}
)

// Actors are the readers Check follows the views as: someone who sees everything and an
// observer, who sees only what the views' visibility rules let through.
var Actors = []events.Actor{Secretariat, Observer}

// Member is a representative of org in the member role, with an address of their own.
func Member(org uuid.UUID) events.Actor {
	return events.Actor{User: "member-" + org.String()[:8] + "@check.invalid", Organisation: org.String(), Role: "member"}
}

// For is the actor a acting for organisation org, e.g. the secretariat as a representative
// of the organisation that holds it.
func For(a events.Actor, org uuid.UUID) events.Actor {
	a.Organisation = org.String()
	return a
}
