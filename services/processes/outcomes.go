package processes

import (
	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/opinions"
)

// OpinionOutcomesName names the process that records a consultation's outcome on the
// opinion version it was bound to.
const OpinionOutcomesName = "opinion-outcomes"

// OpinionOutcomes reacts to a closed consultation bound to an opinion's frozen version:
// the opinion is adopted when the vote adopted it, and rejected otherwise (a vote
// without quorum decides nothing in favour of the text). The opinion service refuses
// the outcome if the opinion was withdrawn meanwhile, or if its frozen text is not the
// one voted on; the process then logs the refusal and moves on.
func OpinionOutcomes(_ events.Event, p events.Payload) []Command {
	e, ok := p.(consultations.ConsultationClosed)
	if !ok || e.OpinionID == nil {
		return nil
	}
	outcome := opinions.OutcomeRejected
	if e.Result.Outcome == consultations.OutcomeAdopted {
		outcome = opinions.OutcomeAdopted
	}
	return []Command{{Context: opinions.Context, Command: opinions.CmdRecordOutcome, Body: opinions.RecordOutcome{
		OpinionID: e.OpinionID.String(), Outcome: outcome, ConsultationID: e.ConsultationID.String(),
		TextSHA256: e.OpinionTextSHA256,
	}}}
}

// OpinionOutcomesConfig is the manager configuration of OpinionOutcomes, to be
// completed with the store, registry, sender and checkpoints.
func OpinionOutcomesConfig() ManagerConfig {
	return ManagerConfig{Name: OpinionOutcomesName, Types: []string{consultations.TypeConsultationClosed}, React: OpinionOutcomes}
}
