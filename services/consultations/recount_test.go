package consultations

import (
	"errors"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/google/uuid"
)

// closedWith folds opened, the ballots and a close recording the official tally.
func closedWith(o ConsultationOpened, ballots ...events.Payload) Consultation {
	c := Fold(append([]events.Payload{o}, ballots...)...)
	return Evolve(c, ConsultationClosed{ConsultationID: cid, ClosedAt: deadline, Result: Tally(c)})
}

func TestRecount(t *testing.T) {
	// AMF 3 pour, ADF 2 contre, ARF 2 contre: rejected (3 < 4) with quorum 50 % of 8.
	c := closedWith(opened, cast(amf, 3, OptionFor), cast(adf, 2, OptionAgainst), cast(arf, 2, OptionAgainst))
	if c.Result.Outcome != OutcomeRejected {
		t.Fatalf("official outcome %s", c.Result.Outcome)
	}
	// AMF weighs 5: 5 pour against 4 contre, adopted — as a simulation only.
	sim, err := Recount(c, RecountRules{Weights: map[uuid.UUID]int{amf: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if !sim.Simulation || sim.Official.Outcome != OutcomeRejected || sim.Recount.Outcome != OutcomeAdopted ||
		sim.Recount.ElectorateWeight != 10 || sim.Recount.Counts[0].Weight != 5 || sim.Recount.Counts[1].Weight != 4 {
		t.Fatalf("recount with AMF weighing 5: %+v", sim)
	}
	if c.Electorate[amf] != 3 || c.Result.Outcome != OutcomeRejected {
		t.Fatalf("the recount changed the consultation: %+v", c)
	}
	// A quorum of 90 %: 7 of 8 is not enough.
	sim, err = Recount(c, RecountRules{MinParticipation: ptr(90)})
	if err != nil || sim.Recount.Outcome != OutcomeNoQuorum || sim.Recount.MinParticipation != 90 || sim.Official.MinParticipation != 50 {
		t.Fatalf("recount with a 90 %% quorum: %+v %v", sim, err)
	}
	// The same rules give the official result back.
	if sim, err = Recount(c, RecountRules{}); err != nil || sim.Recount.Outcome != sim.Official.Outcome || sim.Recount.ParticipatingWeight != sim.Official.ParticipatingWeight {
		t.Fatalf("recount under the same rules: %+v %v", sim, err)
	}

	// A secret consultation: another quorum yes, other weights no.
	secret := closedWith(withSecret(opened), participation(amf, 3), participation(adf, 2))
	secret.SecretBallots = []SecretBallot{{Choices: []string{OptionFor}, Ballots: 2, Weight: 5}}
	if _, err := Recount(secret, RecountRules{Weights: map[uuid.UUID]int{amf: 1}}); !errors.Is(err, ErrSecretWeights) {
		t.Fatalf("secret with weights: %v", err)
	}
	if sim, err := Recount(secret, RecountRules{MinParticipation: ptr(70)}); err != nil || sim.Recount.Outcome != OutcomeNoQuorum {
		t.Fatalf("secret with a 70 %% quorum (5 of 8 took part): %+v %v", sim, err)
	}

	refusals := []struct {
		name  string
		c     Consultation
		rules RecountRules
		want  error
	}{
		{"never opened", Consultation{}, RecountRules{}, ErrConsultationNotFound},
		{"still open", Fold(opened, cast(amf, 3, OptionFor)), RecountRules{}, ErrNotClosed},
		{"quorum over 100", c, RecountRules{MinParticipation: ptr(101)}, errcode.ValidationFailed},
		{"negative weight", c, RecountRules{Weights: map[uuid.UUID]int{amf: -1}}, errcode.ValidationFailed},
		{"weight of an organisation outside the electorate", c, RecountRules{Weights: map[uuid.UUID]int{dne: 1}}, errcode.ValidationFailed},
	}
	for _, r := range refusals {
		if _, err := Recount(r.c, r.rules); !errors.Is(err, r.want) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
}
