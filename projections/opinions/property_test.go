package opinions

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	svc "github.com/comite-partenaires/comite/services/opinions"
)

// words make the random texts; some take two UTF-16 units, so that positions matter.
var words = []string{"le", "comité", "recommande", "une", "démarche", "concertée", "🇫🇷", "école", "numérique", "\n"}

func sentence(rng *rand.Rand) string {
	n := 1 + rng.IntN(8)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

// passage picks a run of the text to amend (sometimes one that is not there).
func passage(rng *rand.Rand, text string) string {
	r := []rune(text)
	if len(r) == 0 || rng.IntN(10) == 0 {
		return "absent"
	}
	from := rng.IntN(len(r))
	to := from + 1 + rng.IntN(min(12, len(r)-from))
	return string(r[from:to])
}

// TestRebuildEqualsLive: random histories of texts (drafting, amendments, votes,
// publication, withdrawal), of their groups, of consultations and action sheets, decided
// by the real deciders, give the same views built live (with clients following them),
// rebuilt, and restored from a snapshot.
func TestRebuildEqualsLive(t *testing.T) {
	actors := []events.Actor{secretariat, memberB, memberC}
	seen := map[string]int{}
	accepted, rejected := 0, 0
	for seed := range uint64(120) {
		rng := rand.New(rand.NewPCG(seed, 11))
		w := newWorld()
		groups := []uuid.UUID{w.createGroup(orgA, "Gouvernance"), w.createGroup(orgC, "Usages")}
		var ids, amendments, consults, sheets []uuid.UUID
		pick := func(list []uuid.UUID) uuid.UUID {
			if len(list) == 0 || rng.IntN(12) == 0 {
				return uuid.New()
			}
			return list[rng.IntN(len(list))]
		}
		who := func() events.Actor { return actors[rng.IntN(len(actors))] }
		// inState picks, most of the time, a text in one of the states (the commands that
		// follow then mostly succeed), else any.
		inState := func(states ...svc.State) (uuid.UUID, bool) {
			var fit []uuid.UUID
			for _, id := range ids {
				for _, st := range states {
					if w.opinion(id).State == st {
						fit = append(fit, id)
					}
				}
			}
			switch {
			case len(fit) > 0 && rng.IntN(5) > 0:
				return fit[rng.IntN(len(fit))], true
			case len(fit) == 0 && rng.IntN(4) > 0:
				return uuid.Nil, false // nothing to act on: another command instead
			}
			return pick(ids), true
		}
		bound := map[uuid.UUID]uuid.UUID{} // consultation → text
		// drafter is, most of the time, someone whose organisation drafts the text.
		drafter := func(id uuid.UUID) events.Actor {
			f := w.facts(w.opinion(id).GroupID)
			for _, a := range rng.Perm(len(actors)) {
				if org, _ := uuid.Parse(actors[a].Organisation); f.HasMember(org) && rng.IntN(6) > 0 {
					return actors[a]
				}
			}
			return who()
		}
		for range 20 + rng.IntN(60) {
			switch op := rng.IntN(19); op {
			case 0:
				g := groups[rng.IntN(len(groups))]
				if rng.IntN(2) == 0 {
					w.addMember(g, orgs[rng.IntN(len(orgs))])
				} else {
					w.removeMember(g, orgs[rng.IntN(len(orgs))])
				}
			case 1, 2:
				kinds := []svc.Kind{svc.KindContribution, svc.KindOpinion, svc.KindRecommendation}
				g := groups[rng.IntN(len(groups))]
				a := who()
				if f := w.facts(g); rng.IntN(4) > 0 && len(f.Members) > 0 {
					a = member(f.Members[rng.IntN(len(f.Members))])
				}
				if id := w.create(a, g, kinds[rng.IntN(3)], "Texte "+sentence(rng), sentence(rng)); w.opinion(id).Created {
					ids = append(ids, id)
				}
			case 3, 4, 5:
				id, ok := inState(svc.StateDraft)
				if !ok {
					continue
				}
				switch a := drafter(id); op {
				case 3:
					w.editText(a, id, sentence(rng)+" "+sentence(rng))
				case 4:
					w.push(a, id, w.opinion(id).Text+" "+sentence(rng))
				case 5:
					w.submit(a, id)
				}
			case 6, 7, 8, 9, 10:
				id, ok := inState(svc.StateInReview)
				if !ok {
					continue
				}
				switch op {
				case 6, 7:
					amendments = append(amendments, w.propose(who(), id, passage(rng, w.opinion(id).Text), sentence(rng)))
				case 8:
					w.accept(drafter(id), id, pick(amendmentsOf(w.opinion(id), amendments)))
				case 9:
					w.reject(drafter(id), id, pick(amendmentsOf(w.opinion(id), amendments)))
				case 10:
					w.openVote(drafter(id), id)
				}
			case 11, 16:
				id, ok := inState(svc.StateVoting)
				if !ok {
					continue
				}
				c := w.openConsultation(id)
				if w.opinion(id).Frozen != nil {
					consults, bound[c] = append(consults, c), id
				}
			case 12, 17:
				outcomes := []svc.Outcome{svc.OutcomeAdopted, svc.OutcomeRejected}
				if len(consults) == 0 && rng.IntN(4) > 0 {
					continue
				}
				c := pick(consults)
				w.closeConsultation(c)
				id, ok := bound[c]
				if !ok || rng.IntN(8) == 0 {
					id = pick(ids)
				}
				w.recordOutcome(id, c, outcomes[rng.IntN(2)])
			case 13, 18:
				if id, ok := inState(svc.StateAdopted, svc.StateRejected); ok {
					w.publish(id)
				}
			case 14:
				if rng.IntN(3) == 0 {
					id := pick(ids)
					w.withdraw(drafter(id), id)
				} else {
					if id, ok := inState(svc.StateAdopted, svc.StatePublished); ok {
						sheets = append(sheets, w.createSheet(id, "Fiche "+sentence(rng)))
					}
				}
			case 15:
				if len(sheets) > 0 || rng.IntN(4) == 0 {
					w.startSheet(pick(sheets))
				}
			}
		}
		if len(w.log.Events) < 5 {
			continue
		}
		for _, e := range w.log.Events {
			seen[e.Event.Type]++
		}
		accepted, rejected = accepted+len(w.log.Events), rejected+w.log.Rejected
		projectiontest.Check(t, Views, w.log.Events)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
	// The generator reaches every event the views fold, not only rejections.
	for _, typ := range append(svc.EventTypes(), "workinggroups.group.member_added", "workinggroups.group.member_removed",
		"consultations.consultation.opened", "consultations.consultation.closed",
		"actionsheets.sheet.created", "actionsheets.sheet.started") {
		if seen[typ] == 0 {
			t.Errorf("no %s in any history", typ)
		}
	}
	if rejected > accepted {
		t.Errorf("%d commands refused, %d events: the generator tests little", rejected, accepted)
	}
	t.Logf("%d events, %d commands refused; %v", accepted, rejected, seen)
}

// amendmentsOf keeps the amendments of the opinion o.
func amendmentsOf(o svc.Opinion, all []uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, a := range all {
		if _, ok := o.Amendments[a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// member is the tests' actor acting for org.
func member(org uuid.UUID) events.Actor {
	switch org {
	case orgA:
		return secretariat
	case orgB:
		return memberB
	}
	return memberC
}
