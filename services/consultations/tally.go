package consultations

import "math"

// Outcome is what a consultation decided.
type Outcome string

// Outcomes of a tally.
const (
	// OutcomeAdopted: yes_no_abstain with quorum, more weight pour than contre.
	OutcomeAdopted Outcome = "adopted"
	// OutcomeRejected: yes_no_abstain with quorum, not more weight pour than contre
	// (a tie rejects).
	OutcomeRejected Outcome = "rejected"
	// OutcomeNoQuorum: too little of the electorate's weight took part; nothing is decided.
	OutcomeNoQuorum Outcome = "no_quorum"
	// OutcomeDecided: one option won (single_choice, multiple_choice, ranked).
	OutcomeDecided Outcome = "decided"
	// OutcomeTie: several options share the best score; Winners lists them all.
	OutcomeTie Outcome = "tie"
	// OutcomeNoVotes: the quorum was reached (no quorum was required) but nobody voted.
	OutcomeNoVotes Outcome = "no_votes"
)

// OptionCount is one option's score.
type OptionCount struct {
	OptionID string `json:"option_id"`
	// Weight is the total weight of the ballots choosing the option; for ranked, of the
	// ballots ranking it first.
	Weight int `json:"weight"`
	// Ballots is the number of ballots choosing it (ranked: ranking it first).
	Ballots int `json:"ballots"`
	// Points is the weighted Borda score (ranked only).
	Points int `json:"points,omitempty"`
}

// Result is a consultation's tally.
type Result struct {
	Kind Kind `json:"kind"`
	// Counts has one entry per option, in the ballot paper's order.
	Counts      []OptionCount `json:"counts"`
	BallotsCast int           `json:"ballots_cast"`
	// ParticipatingWeight is the weight of the organisations that voted, abstentions included.
	ParticipatingWeight int `json:"participating_weight"`
	// ExpressedWeight leaves out abstentions (yes_no_abstain); for other kinds it is the
	// participating weight.
	ExpressedWeight  int `json:"expressed_weight"`
	ElectorateWeight int `json:"electorate_weight"`
	// ParticipationPercent is ParticipatingWeight over ElectorateWeight, in percent,
	// rounded to two decimals (for display: the quorum is decided on integers).
	ParticipationPercent float64 `json:"participation_percent"`
	MinParticipation     int     `json:"min_participation"`
	QuorumReached        bool    `json:"quorum_reached"`
	Outcome              Outcome `json:"outcome"`
	// Winners are the option IDs with the best score (several on a tie); empty for
	// yes_no_abstain, without quorum and without votes.
	Winners []string `json:"winners,omitempty"`
}

// Tally counts a consultation's current ballots. It is pure, and may be called at any
// time (live results); the result that counts is the one the closing event records.
//
// Every ballot counts with its organisation's weight in the electorate. The quorum is
// reached when participating weight × 100 ≥ min_participation × electorate weight.
//   - yes_no_abstain: adopted when weight(pour) > weight(contre), abstentions not being
//     expressed votes; rejected otherwise (a tie rejects);
//   - single_choice and multiple_choice: every chosen option gets the ballot's weight; the
//     options with the most weight win (several: a tie);
//   - ranked: a Borda count over the n options: the option ranked r-th (1-based) on a
//     ballot gets (n − r + 1) × weight points, unranked options none; the options with the
//     most points win (several: a tie).
//
// In a secret consultation the participations (sealed ballots) count for participation
// only; the choices are counted from c.SecretBallots, which the close fills in from the
// ballot box. Before the close a secret consultation's counts are therefore all zero.
func Tally(c Consultation) Result {
	r := Result{Kind: c.Kind, MinParticipation: c.MinParticipation, Counts: make([]OptionCount, len(c.Options))}
	t := counter{r: &r, kind: c.Kind, index: make(map[string]int, len(c.Options))}
	for i, o := range c.Options {
		r.Counts[i].OptionID = o.ID
		t.index[o.ID] = i
	}
	for _, w := range c.Electorate {
		r.ElectorateWeight += w
	}
	for org, b := range c.Ballots {
		w, ok := c.Electorate[org]
		if !ok || (len(b.Choices) == 0 && !b.Sealed) {
			continue // decide never lets such a ballot in
		}
		r.BallotsCast++
		r.ParticipatingWeight += w
		if !b.Sealed {
			t.count(b.Choices, 1, w)
		}
	}
	for _, b := range c.SecretBallots {
		t.count(b.Choices, b.Ballots, b.Weight)
	}
	if r.ElectorateWeight > 0 {
		r.ParticipationPercent = math.Round(float64(r.ParticipatingWeight)*10000/float64(r.ElectorateWeight)) / 100
	}
	r.QuorumReached = r.ParticipatingWeight*100 >= c.MinParticipation*r.ElectorateWeight
	switch {
	case !r.QuorumReached:
		r.Outcome = OutcomeNoQuorum
	case c.Kind == KindYesNoAbstain:
		r.Outcome = OutcomeRejected
		if r.weightOf(t.index, OptionFor) > r.weightOf(t.index, OptionAgainst) {
			r.Outcome = OutcomeAdopted
		}
	default:
		r.Outcome, r.Winners = r.best(c.Kind == KindRanked)
	}
	return r
}

// counter adds ballots' choices to a result.
type counter struct {
	r     *Result
	kind  Kind
	index map[string]int
}

// count adds the choices of ballots ballots weighing weight in all (several only for a
// secret consultation's identical ballots).
func (t counter) count(choices []string, ballots, weight int) {
	if len(choices) == 0 {
		return
	}
	if t.kind != KindYesNoAbstain || choices[0] != OptionAbstain {
		t.r.ExpressedWeight += weight
	}
	n := len(t.r.Counts)
	for rank, id := range choices {
		i, ok := t.index[id]
		if !ok {
			continue
		}
		if t.kind == KindRanked {
			t.r.Counts[i].Points += (n - rank) * weight
			if rank > 0 {
				continue
			}
		}
		t.r.Counts[i].Weight += weight
		t.r.Counts[i].Ballots += ballots
	}
}

// weightOf is an option's weight (0 for an unknown option).
func (r Result) weightOf(index map[string]int, id string) int {
	if i, ok := index[id]; ok {
		return r.Counts[i].Weight
	}
	return 0
}

// best returns the options with the highest score, in ballot order, and the outcome.
func (r Result) best(byPoints bool) (Outcome, []string) {
	score := func(c OptionCount) int {
		if byPoints {
			return c.Points
		}
		return c.Weight
	}
	top := 0
	for _, c := range r.Counts {
		top = max(top, score(c))
	}
	if top == 0 {
		return OutcomeNoVotes, nil
	}
	var winners []string
	for _, c := range r.Counts {
		if score(c) == top {
			winners = append(winners, c.OptionID)
		}
	}
	if len(winners) > 1 {
		return OutcomeTie, winners
	}
	return OutcomeDecided, winners
}
