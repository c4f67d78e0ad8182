package consultations

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/bus"
	cons "github.com/comite-partenaires/comite/services/consultations"
)

// consultation is what the generator remembers of a consultation it opened.
type consultation struct {
	id      uuid.UUID
	kind    cons.Kind
	options []string
	max     int
	secret  bool
	closed  bool
	// proxies are the organisations that gave a proxy (perhaps revoked since).
	proxies []uuid.UUID
	voters  []uuid.UUID
	// sealed are the choices of the secret ballots the decider accepted: the ballot box
	// a close's Prepare would open.
	sealed map[uuid.UUID][]string
}

// TestRebuildEqualsLive: random consultations histories (opening, proxies, ballots and
// changes, early and deadline closes, secret or not, every kind), decided by the real
// decider, give the same view built live with clients following it, rebuilt, and
// restored from a snapshot, as every reader sees it.
func TestRebuildEqualsLive(t *testing.T) {
	orgs := []uuid.UUID{amf, adf, cdc, dne, uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:test:arf"))}
	active := map[uuid.UUID]bool{}
	for _, o := range orgs {
		active[o] = true
	}
	d := cons.Decider(nil, nil, nil, nil)
	accepted, rejected := 0, 0
	types := map[string]int{}
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 11))
		log := projectiontest.NewLog(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
		var open []*consultation
		env := func(actor events.Actor) bus.Envelope {
			return bus.Envelope{CommandID: uuid.NewString(), Actor: actor, Time: log.Clock}
		}
		org := func() uuid.UUID { return orgs[rng.IntN(len(orgs))] }
		// pick is mostly a consultation still open, now and then a closed or unknown one.
		pick := func() *consultation {
			var still []*consultation
			for _, c := range open {
				if !c.closed {
					still = append(still, c)
				}
			}
			switch n := rng.IntN(20); {
			case n > 1 && len(still) > 0:
				return still[rng.IntN(len(still))]
			case n == 1 && len(open) > 0:
				return open[rng.IntN(len(open))]
			}
			return &consultation{id: uuid.New(), sealed: map[uuid.UUID][]string{}} // unknown: rejected
		}
		for range 15 + rng.IntN(40) {
			var cmd any
			actor := secretariat
			var c *consultation
			op := rng.IntN(14)
			if !slices.ContainsFunc(open, func(c *consultation) bool { return !c.closed }) && rng.IntN(10) > 0 {
				op = 0
			}
			switch op {
			case 0, 1:
				c = newConsultation(rng, orgs)
				cmd = openCommand(rng, c, env(secretariat), log.Clock, active)
			case 2:
				c = pick()
				from := c.voter(rng, org)
				if rng.IntN(2) == 0 {
					actor = memberOf(from)
				}
				cmd = cons.GrantProxy{Envelope: env(actor), ConsultationID: c.id.String(), FromOrganisationID: from.String(),
					ToOrganisationID: org().String(), SignedOn: log.Clock.Format(time.DateOnly), HolderActive: true}
			case 3:
				c = pick()
				from := c.voter(rng, org)
				if len(c.proxies) > 0 && rng.IntN(4) > 0 {
					from = c.proxies[rng.IntN(len(c.proxies))]
				}
				cmd = cons.RevokeProxy{Envelope: env(actor), ConsultationID: c.id.String(), FromOrganisationID: from.String()}
			case 4, 5, 6, 7, 8, 9, 10, 11:
				c = pick()
				voter := c.voter(rng, org)
				actor = memberOf(voter)
				if rng.IntN(8) == 0 {
					actor = memberOf(org()) // perhaps the proxy holder, perhaps nobody entitled
				}
				cmd = cons.CastBallot{Envelope: env(actor), ConsultationID: c.id.String(), OrganisationID: voter.String(),
					Choices: c.choices(rng), Change: rng.IntN(3) == 0, Sealed: c.secret}
			case 12, 13:
				c = pick()
				atDeadline := rng.IntN(2) == 0
				if atDeadline {
					actor = events.Actor{}
				}
				cmd = cons.CloseConsultation{Envelope: env(actor), ConsultationID: c.id.String(), AtDeadline: atDeadline,
					BoxOpened: c.secret, BoxBallots: c.sealed}
			}
			out, err := projectiontest.Decide(log, d, actor, cmd)
			if err != nil {
				continue
			}
			for _, p := range out {
				types[p.EventType()]++
			}
			for _, p := range out {
				switch e := p.(type) {
				case cons.ConsultationOpened:
					c.id = e.ConsultationID
					open = append(open, c)
				case cons.ProxyGranted:
					c.proxies = append(c.proxies, e.FromOrganisationID)
				case cons.ConsultationClosed:
					c.closed = true
				case cons.ParticipationRecorded:
					c.sealed[e.OrganisationID] = cmd.(cons.CastBallot).Choices
				}
			}
		}
		accepted += len(log.Events)
		rejected += log.Rejected
		projectiontest.Check(t, Views, log.Events, memberOf(amf), memberOf(adf))
	}
	if accepted < rejected {
		t.Errorf("the generator tests little: %d events, %d rejections", accepted, rejected)
	}
	for _, typ := range cons.EventTypes() {
		if types[typ] < 5 {
			t.Errorf("the generator produced %d events %s: %v", types[typ], typ, types)
		}
	}
	t.Logf("%d events, %d rejections: %v", accepted, rejected, types)
}

// newConsultation draws a consultation's kind, options and electorate.
func newConsultation(rng *rand.Rand, orgs []uuid.UUID) *consultation {
	kinds := []cons.Kind{cons.KindYesNoAbstain, cons.KindSingleChoice, cons.KindMultipleChoice, cons.KindRanked}
	c := &consultation{kind: kinds[rng.IntN(len(kinds))], secret: rng.IntN(3) == 0, sealed: map[uuid.UUID][]string{}}
	if c.kind == cons.KindYesNoAbstain {
		c.options = []string{cons.OptionFor, cons.OptionAgainst, cons.OptionAbstain}
	} else {
		for i := range 2 + rng.IntN(3) {
			c.options = append(c.options, string(rune('a'+i)))
		}
	}
	if c.kind == cons.KindMultipleChoice {
		c.max = 1 + rng.IntN(len(c.options))
	}
	for _, o := range orgs {
		if rng.IntN(4) > 0 {
			c.voters = append(c.voters, o)
		}
	}
	return c
}

func openCommand(rng *rand.Rand, c *consultation, e bus.Envelope, now time.Time, active map[uuid.UUID]bool) cons.OpenConsultation {
	cmd := cons.OpenConsultation{Envelope: e, Question: "Question ?", Kind: c.kind, MaxChoices: c.max,
		Quorum: cons.Quorum{MinParticipation: rng.IntN(3) * 30}, Deadline: now.Add(time.Duration(5+rng.IntN(40)) * time.Minute),
		Secret: c.secret, ActiveOrganisations: active}
	if rng.IntN(2) == 0 {
		cmd.Results = cons.ResultsLive
	}
	if c.kind != cons.KindYesNoAbstain {
		for _, id := range c.options {
			cmd.Options = append(cmd.Options, cons.Option{ID: id, Label: "Option " + id})
		}
	}
	for _, v := range c.voters {
		w := 1 + rng.IntN(3)
		cmd.Electorate = append(cmd.Electorate, cons.Voter{OrganisationID: v.String(), Weight: &w})
	}
	return cmd
}

// voter is an organisation of the electorate, now and then one outside it.
func (c *consultation) voter(rng *rand.Rand, any func() uuid.UUID) uuid.UUID {
	if len(c.voters) == 0 || rng.IntN(8) == 0 {
		return any()
	}
	return c.voters[rng.IntN(len(c.voters))]
}

// choices draws a ballot that suits the consultation's kind, now and then one that does not.
func (c *consultation) choices(rng *rand.Rand) []string {
	if len(c.options) == 0 || rng.IntN(10) == 0 {
		return []string{"nope"}
	}
	perm := rng.Perm(len(c.options))
	n := 1
	switch c.kind {
	case cons.KindMultipleChoice:
		n = 1 + rng.IntN(c.max)
	case cons.KindRanked:
		n = 1 + rng.IntN(len(c.options))
	}
	out := make([]string, n)
	for i := range n {
		out[i] = c.options[perm[i]]
	}
	return out
}
