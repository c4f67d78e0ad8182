package consultations

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Refusals of a recount.
var (
	// ErrNotClosed: only a closed consultation can be recounted.
	ErrNotClosed = errcode.New("consultation_not_closed", http.StatusConflict,
		"Seule une consultation close peut être recomptée.", "Only a closed consultation can be recounted.")
	// ErrSecretWeights: a secret ballot's choices are not tied to organisations, so other
	// weights cannot be applied to them (another quorum can).
	ErrSecretWeights = errcode.New("recount_secret_weights", http.StatusUnprocessableEntity,
		"Vote secret : les choix ne sont pas rattachés aux organisations, seul le quorum peut être changé.",
		"Secret ballot: choices are not tied to organisations; only the quorum can be changed.")
)

// RecountRules are the other rules a closed consultation is counted under in a recount.
type RecountRules struct {
	// Weights replaces the weights of the organisations it names (each in the
	// electorate, weight 0 to 1000); the others keep theirs. Not for secret ballots.
	Weights map[uuid.UUID]int `json:"weights,omitempty"`
	// MinParticipation, when set, replaces the quorum (a percentage, 0 to 100).
	MinParticipation *int `json:"min_participation,omitempty"`
}

// Simulation is a recount: what the official result was and what the ballots give
// under other rules. It is never recorded; Simulation is always true, so that whoever
// reads one cannot take it for the official result.
type Simulation struct {
	Simulation bool         `json:"simulation"`
	Rules      RecountRules `json:"rules"`
	Official   Result       `json:"official"`
	Recount    Result       `json:"recount"`
}

// Recount counts a closed consultation's ballots again under rules, with the same
// counting as the close (Tally). It is pure and changes nothing: the official result stays
// the one the closing event recorded.
func Recount(c Consultation, rules RecountRules) (Simulation, error) {
	if !c.Opened {
		return Simulation{}, ErrConsultationNotFound
	}
	if !c.Closed {
		return Simulation{}, ErrNotClosed
	}
	fields := map[string]string{}
	if m := rules.MinParticipation; m != nil && (*m < 0 || *m > 100) {
		fields["min_participation"] = "min=0,max=100"
	}
	for org, w := range rules.Weights {
		if _, ok := c.Electorate[org]; !ok {
			fields["weights."+org.String()] = "not_in_electorate"
		} else if w < 0 || w > 1000 {
			fields["weights."+org.String()] = "min=0,max=1000"
		}
	}
	if len(fields) > 0 {
		return Simulation{}, errcode.ValidationFailed.WithFields(fields)
	}
	if c.Secret && len(rules.Weights) > 0 {
		return Simulation{}, ErrSecretWeights
	}
	again := c
	if len(rules.Weights) > 0 {
		again.Electorate = maps.Clone(c.Electorate)
		maps.Copy(again.Electorate, rules.Weights)
	}
	if rules.MinParticipation != nil {
		again.MinParticipation = *rules.MinParticipation
	}
	recount := Tally(again)
	if len(recount.Counts) != len(c.Result.Counts) {
		return Simulation{}, fmt.Errorf("consultations: recount of %s has %d options, the official result %d", c.ID, len(recount.Counts), len(c.Result.Counts))
	}
	return Simulation{Simulation: true, Rules: rules, Official: c.Result, Recount: recount}, nil
}

// RecountQuery answers recount simulations from the log: the consultation id's stream is
// read from st and folded, and Recount applied under the rules in body (RecountRules as
// JSON; unknown fields are refused). Nothing is appended.
func RecountQuery(st store.Store, reg *events.Registry) func(ctx context.Context, id string, body []byte) (any, error) {
	return func(ctx context.Context, id string, body []byte) (any, error) {
		cid, err := uuid.Parse(id)
		if err != nil {
			return nil, ErrConsultationNotFound
		}
		var rules RecountRules
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			return nil, errcode.ValidationFailed.With("recount rules: %v", err)
		}
		c, ok, err := LoadConsultation(ctx, st, reg, cid)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrConsultationNotFound
		}
		return Recount(c, rules)
	}
}
