package directory

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// TestRebuildEqualsLive: random membership histories, decided by the real decider, give
// the same directory built live (with clients following it), rebuilt, and restored from
// a snapshot.
func TestRebuildEqualsLive(t *testing.T) {
	d := membership.Decider()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		log := projectiontest.NewLog(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
		var orgs, reps []string
		pick := func(ids []string) string {
			if len(ids) == 0 || rng.IntN(10) == 0 {
				return uuid.NewString() // sometimes an unknown one: a rejection
			}
			return ids[rng.IntN(len(ids))]
		}
		env := func() bus.Envelope {
			return bus.Envelope{CommandID: uuid.NewString(), Actor: projectiontest.Secretariat, Time: log.Clock}
		}
		for range 10 + rng.IntN(40) {
			var cmd any
			switch rng.IntN(8) {
			case 0:
				cmd = membership.CreateCommittee{Envelope: env(), Name: "Comité", Acronym: "CPNE"}
			case 1, 2:
				c := membership.AddOrganisation{Envelope: env(), Name: "Organisation " + string(rune('A'+rng.IntN(26))), Acronym: string(rune('A'+rng.IntN(26))) + "X"}
				orgs = append(orgs, membership.OrganisationIDFor(c.CommandID).String())
				cmd = c
			case 3:
				name := "Nouveau nom"
				cmd = membership.UpdateOrganisation{Envelope: env(), OrganisationID: pick(orgs), Name: &name}
			case 4:
				cmd = membership.RemoveOrganisation{Envelope: env(), OrganisationID: pick(orgs)}
			case 5:
				c := membership.AddRepresentative{Envelope: env(), OrganisationID: pick(orgs), Name: "Élise", Email: "e@example.org", Role: "member"}
				reps = append(reps, membership.RepresentativeIDFor(c.CommandID).String())
				cmd = c
			case 6:
				cmd = membership.ChangeRole{Envelope: env(), RepresentativeID: pick(reps), Role: "auditor"}
			case 7:
				cmd = membership.DesignateSecretariat{Envelope: env(), OrganisationID: pick(orgs)}
			}
			_, _ = projectiontest.Decide(log, d, projectiontest.Secretariat, cmd)
		}
		if len(log.Events) < 3 {
			continue
		}
		projectiontest.Check(t, Views, log.Events)
	}
}
