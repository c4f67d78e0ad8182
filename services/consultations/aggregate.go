// Package consultations is the committee's voting context: consultations put a question
// to an electorate of member organisations (each with a weight), which cast one ballot
// per organisation, directly or through a dated proxy, until the consultation is closed
// early by the secretariat or at its deadline.
//
// Each consultation is one aggregate in its own stream (ConsultationStream): all its
// ballots and proxies are there, so "one ballot per organisation" is a pure decision
// protected by the stream's optimistic concurrency — of two representatives racing to
// vote for the same organisation, exactly one wins and the other gets
// ballot_already_cast.
//
// The result is computed once, by the pure function Tally, into the closing event
// (consultations.consultation.closed); read models and process managers (adopting or
// rejecting a bound opinion) read it from there and never count again.
//
// # Secret ballots
//
// In a secret consultation no event links an organisation to its choices. A ballot is
// recorded in two places that nothing joins:
//
//   - the log gets a participation_recorded event (organisation, weight, who cast it),
//     with nothing derived from the choices;
//   - the choices go first, in Prepare, into the ballot box (BallotBox, a JetStream KV
//     bucket outside the log), sealed with AES-256-GCM under a random key of the
//     consultation's own, under a reference that is an HMAC of the organisation and the
//     command ID with that key: the box shows neither organisations nor choices.
//
// The close (early or at the deadline) opens the box in its Prepare, keeps exactly the
// sealed ballot of each participation (the one whose reference matches the participation
// event's organisation and command ID: ballots that decide refused after Prepare sealed
// them do not count), and its event carries them as SecretBallots — identical ballots
// merged, sorted by choices, without organisation, reference, time or order — with the
// Result that Tally recounts from them, so anyone can re-check the tally from the log.
// A secret ballot cannot be changed: change=true is a first ballot when there is none,
// and ballot_change_not_allowed otherwise.
//
// Once the closing event is appended the consultation's key and sealed ballots are
// destroyed (the key first, which makes whatever is left unreadable). Should that fail or
// the process die in between, the next ballot or close sent for the consultation (whose
// Prepare finds it closed) destroys them, and so does SweepBallotBox, which the
// integrator runs at start-up for every closed consultation left in the box.
//
// Trust assumption: whoever can read the ballot box bucket (key and sealed ballots)
// before the close, or the service's memory, can link organisations to choices; the log,
// the APIs, the views and the audit exports cannot. The bus's reply store keeps, for its
// TTL, a hash of each request (body included) under its command ID; in production that
// hash is an HMAC with the deployment's key (bus.RequestHash), so it cannot be tested
// against the few possible ballots by a reader of the bucket without the key.
//
// The published SecretBallots hold what a recount needs and nothing else; like any
// published tally they reveal a choice only when the numbers leave no doubt (a unanimous
// vote, or a distinct ballot cast by one organisation whose weight nobody else has).
package consultations

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/internal/cow"
	"github.com/comite-partenaires/comite/services/bus"
)

// StreamCategory is the category of consultation streams ("consultation-<uuid>").
const StreamCategory = "consultation"

// idNamespace is the UUID namespace of the IDs this context derives from command IDs:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:consultations:ids").
var idNamespace = uuid.MustParse("eb4f6be5-1e64-5542-ab05-e921e2154506")

// ConsultationIDFor is the ID of the consultation opened by the command commandID: a
// retried command names the same consultation, and a client knows the ID in advance.
func ConsultationIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("consultation/"+commandID))
}

// ConsultationStream is the stream holding a consultation and all its ballots.
func ConsultationStream(id uuid.UUID) string { return events.StreamName(StreamCategory, id) }

// DeadlineCommandID is the command ID of the close-consultation command sent at a
// consultation's deadline. It is fixed, so that any number of schedulers (one per
// instance) sending the deadline close send the same command and it closes only once;
// they must also send the same body and actor (see DeadlineCloseRequest).
func DeadlineCommandID(consultationID uuid.UUID) string {
	return "consultation-deadline/" + consultationID.String()
}

// DeadlineCloseRequest is the close-consultation request a scheduler sends at the
// deadline: the same command ID, body and (empty) actor from every scheduler, so that
// their requests are one command for the bus's idempotency. Sent too early it is
// rejected with deadline_not_reached and may be sent again later.
func DeadlineCloseRequest(consultationID uuid.UUID) bus.Request {
	return bus.Request{Context: Context, Command: CmdCloseConsultation, CommandID: DeadlineCommandID(consultationID),
		Body: []byte(`{"consultation_id":"` + consultationID.String() + `","at_deadline":true}`)}
}

// Consultation is the state of one consultation. Its maps are never modified in place:
// Evolve returns a state with new maps, so earlier states stay valid.
type Consultation struct {
	ID          uuid.UUID
	Opened      bool
	Question    string
	Description string
	Kind        Kind
	// Options are in the order the ballot paper shows them.
	Options []Option
	// MaxChoices bounds a multiple_choice ballot (0 for other kinds).
	MaxChoices int
	// Electorate maps each voting organisation to its weight. It is fixed at opening: an
	// organisation removed from the committee afterwards keeps its vote.
	Electorate map[uuid.UUID]int
	// MinParticipation is the quorum: the percentage of the electorate's total weight
	// that must have voted.
	MinParticipation int
	// Deadline is when voting ends, even before the closing event is in the stream.
	Deadline time.Time
	Secret   bool
	// Results says when read models may show the counts.
	Results Visibility
	// OpinionID and OpinionTextSHA256 bind the consultation to the frozen version of an
	// opinion (uuid.Nil and "" when unbound).
	OpinionID         uuid.UUID
	OpinionTextSHA256 string
	// Ballots holds each organisation's current ballot; in a secret consultation, its
	// participation (Sealed, without choices).
	Ballots map[uuid.UUID]Ballot
	// Proxies holds the proxies in force, by granting organisation.
	Proxies map[uuid.UUID]Proxy
	Closed  bool
	// Result is the tally computed when the consultation closed (zero until then).
	Result Result
	// SecretBallots are a secret consultation's ballots out of the ballot box, as the
	// closing event published them (nil until then).
	SecretBallots []SecretBallot
}

// Ballot is an organisation's current ballot.
type Ballot struct {
	OrganisationID uuid.UUID
	Choices        []string
	Weight         int
	CastBy         CastBy
	ViaProxy       bool
	// Changes counts the changes since the first ballot (0 for an unchanged ballot).
	Changes int
	// Sealed is set for a secret consultation's participation: the choices are in the
	// ballot box, not here (Choices is nil).
	Sealed bool
}

// Proxy is a proxy in force: From's ballot may be cast by a representative of To.
type Proxy struct {
	From     uuid.UUID
	To       uuid.UUID
	SignedOn string
	Note     string
}

// Evolve folds one event into the consultation. It is pure: c is not modified. Events
// of other contexts are ignored.
func Evolve(c Consultation, p events.Payload) Consultation {
	switch e := p.(type) {
	case ConsultationOpened:
		c.ID, c.Opened = e.ConsultationID, true
		c.Question, c.Description, c.Kind = e.Question, e.Description, e.Kind
		c.Options, c.MaxChoices = slices.Clone(e.Options), e.MaxChoices
		c.Electorate = make(map[uuid.UUID]int, len(e.Electorate))
		for _, v := range e.Electorate {
			c.Electorate[v.OrganisationID] = v.Weight
		}
		c.MinParticipation, c.Deadline, c.Secret, c.Results = e.Quorum.MinParticipation, e.Deadline, e.Secret, e.Results
		c.OpinionID, c.OpinionTextSHA256 = uuid.Nil, e.OpinionTextSHA256
		if e.OpinionID != nil {
			c.OpinionID = *e.OpinionID
		}
	case ProxyGranted:
		c.Proxies = cow.With(c.Proxies, e.FromOrganisationID, Proxy{From: e.FromOrganisationID, To: e.ToOrganisationID,
			SignedOn: e.SignedOn, Note: e.Note})
	case ProxyRevoked:
		c.Proxies = cow.Without(c.Proxies, e.FromOrganisationID)
	case BallotCast:
		c.Ballots = cow.With(c.Ballots, e.OrganisationID, Ballot{OrganisationID: e.OrganisationID,
			Choices: slices.Clone(e.Choices), Weight: e.Weight, CastBy: e.CastBy, ViaProxy: e.ViaProxy})
	case BallotChanged:
		c.Ballots = cow.With(c.Ballots, e.OrganisationID, Ballot{OrganisationID: e.OrganisationID,
			Choices: slices.Clone(e.Choices), Weight: e.Weight, CastBy: e.CastBy, ViaProxy: e.ViaProxy, Changes: e.Sequence})
	case ParticipationRecorded:
		c.Ballots = cow.With(c.Ballots, e.OrganisationID, Ballot{OrganisationID: e.OrganisationID,
			Weight: e.Weight, CastBy: e.CastBy, ViaProxy: e.ViaProxy, Sealed: true})
	case ConsultationClosed:
		c.Closed, c.Result = true, e.Result
		if e.SecretBallots != nil {
			c.SecretBallots = make([]SecretBallot, len(e.SecretBallots))
			for i, b := range e.SecretBallots {
				c.SecretBallots[i] = SecretBallot{Choices: slices.Clone(b.Choices), Ballots: b.Ballots, Weight: b.Weight}
			}
		}
	}
	return c
}

// Fold evolves the empty consultation through evs: the state after them.
func Fold(evs ...events.Payload) Consultation {
	var c Consultation
	for _, e := range evs {
		c = Evolve(c, e)
	}
	return c
}

// LoadConsultation reads a consultation as it stands in st (false when its stream is
// empty): for process managers and other contexts that need its state. It registers the
// consultations event types in reg.
func LoadConsultation(ctx context.Context, st store.Store, reg *events.Registry, id uuid.UUID) (Consultation, bool, error) {
	Register(reg)
	c, at, err := bus.Fold(ctx, st, reg, ConsultationStream(id), Consultation{}, Evolve)
	if err != nil {
		return Consultation{}, false, err
	}
	return c, at.Next > 0 && c.Opened, nil
}

// WeightOf is an organisation's weight in the electorate, and whether it is in it.
func (c Consultation) WeightOf(org uuid.UUID) (int, bool) {
	w, ok := c.Electorate[org]
	return w, ok
}

// VotingEnded reports whether no ballot is accepted any more at instant now: the
// consultation is closed, or its deadline has come.
func (c Consultation) VotingEnded(now time.Time) bool {
	return c.Closed || !now.Before(c.Deadline)
}

// hasOption reports whether id is one of the consultation's options.
func (c Consultation) hasOption(id string) bool {
	return slices.ContainsFunc(c.Options, func(o Option) bool { return o.ID == id })
}
