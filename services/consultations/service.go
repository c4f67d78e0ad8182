package consultations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// OpinionLookup tells what the opinions context knows of an opinion: its state and the
// hash of its frozen text, false when it does not exist. The integrator wires it to the
// opinions context, which this package does not import.
type OpinionLookup func(ctx context.Context, opinionID uuid.UUID) (OpinionVersion, bool, error)

// Decider is the consultations decider as the bus runs it: each command addresses one
// consultation's stream. With a store, its Prepare reads the committee (membership) for
// open-consultation and grant-proxy, asks opinions about a bound opinion, seals a secret
// ballot into box and opens box to close a secret consultation; with st == nil it has no
// Prepare (pure tests set the facts themselves).
func Decider(st store.Store, reg *events.Registry, opinions OpinionLookup, box BallotBox) bus.Decider[Consultation] {
	d := bus.Decider[Consultation]{
		Context:  Context,
		Commands: Commands(),
		Evolve:   Evolve,
		Decide:   Decide,
		Stream:   func(cmd any) string { return ConsultationStream(consultationOf(cmd)) },
	}
	if st != nil {
		d.Prepare = func(ctx context.Context, cmd any) (any, error) { return prepare(ctx, st, reg, opinions, box, cmd) }
	}
	return d
}

// prepare fills in the facts decide needs from other aggregates.
func prepare(ctx context.Context, st store.Store, reg *events.Registry, opinions OpinionLookup, box BallotBox, cmd any) (any, error) {
	switch c := cmd.(type) {
	case CastBallot:
		return prepareBallot(ctx, st, reg, box, c)
	case CloseConsultation:
		return prepareClose(ctx, st, reg, box, c)
	case OpenConsultation:
		committee, err := membership.LoadCommittee(ctx, st, reg)
		if err != nil {
			return nil, fmt.Errorf("consultations: reading the committee: %w", err)
		}
		c.ActiveOrganisations = make(map[uuid.UUID]bool, len(c.Electorate))
		for _, v := range c.Electorate {
			if id, err := uuid.Parse(v.OrganisationID); err == nil {
				if _, ok := committee.ActiveOrganisation(id); ok {
					c.ActiveOrganisations[id] = true
				}
			}
		}
		if c.OpinionID != "" {
			id, err := uuid.Parse(c.OpinionID)
			if err != nil {
				return c, nil // decide rejects it
			}
			if opinions == nil {
				return nil, errors.New("consultations: a consultation bound to an opinion needs an OpinionLookup")
			}
			v, ok, err := opinions(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("consultations: looking up opinion %s: %w", id, err)
			}
			if ok {
				c.Opinion = &v
			}
		}
		return c, nil
	case GrantProxy:
		committee, err := membership.LoadCommittee(ctx, st, reg)
		if err != nil {
			return nil, fmt.Errorf("consultations: reading the committee: %w", err)
		}
		if id, err := uuid.Parse(c.ToOrganisationID); err == nil {
			_, c.HolderActive = committee.ActiveOrganisation(id)
		}
		return c, nil
	}
	return cmd, nil
}

// secretFacts is a consultation read for a secret ballot or close: its state and, for
// each participation, the command that recorded it.
type secretFacts struct {
	c Consultation
	// participations maps each participating organisation to its command ID.
	participations map[uuid.UUID]string
}

// readSecret folds the consultation's stream, noting each participation's command ID
// (from the event's metadata: the participation event itself holds no reference to
// the ballot box).
func readSecret(ctx context.Context, st store.Store, reg *events.Registry, id uuid.UUID) (secretFacts, error) {
	f := secretFacts{participations: map[uuid.UUID]string{}}
	for ev, err := range st.Read(ctx, ConsultationStream(id), 0) {
		if err != nil {
			return f, fmt.Errorf("consultations: reading consultation %s: %w", id, err)
		}
		p, err := reg.Decode(ev)
		if err != nil {
			return f, fmt.Errorf("consultations: reading consultation %s: %w", id, err)
		}
		f.c = Evolve(f.c, p)
		if pr, ok := p.(ParticipationRecorded); ok {
			f.participations[pr.OrganisationID] = ev.Meta.CommandID
		}
	}
	return f, nil
}

// errNoBallotBox is the internal error of a secret consultation without a box.
var errNoBallotBox = errors.New("consultations: secret consultations need a BallotBox")

// prepareBallot seals a secret ballot into the box, under the reference of its
// organisation and command, before decide records the participation. It seals only a
// ballot that decide, on the consultation as it stands now, accepts: the box gets no
// ballot of an organisation that has already voted, nor of anyone not entitled. (One
// that decide still refuses, because the stream moved meanwhile, stays in the box
// uncounted until the close destroys it.)
func prepareBallot(ctx context.Context, st store.Store, reg *events.Registry, box BallotBox, cmd CastBallot) (any, error) {
	id := consultationOf(cmd)
	c, _, err := bus.Fold(ctx, st, reg, ConsultationStream(id), Consultation{}, Evolve)
	if err != nil {
		return nil, fmt.Errorf("consultations: reading consultation %s: %w", id, err)
	}
	switch {
	case !c.Opened || !c.Secret:
		return cmd, nil
	case box == nil:
		return nil, errNoBallotBox
	case c.Closed:
		// Decide refuses the ballot; empty what a failed destruction left behind.
		if err := box.Destroy(ctx, id); err != nil {
			return nil, fmt.Errorf("consultations: emptying the ballot box of closed %s: %w", id, err)
		}
		return cmd, nil
	}
	sealed := cmd
	sealed.Sealed = true
	if _, err := castBallot(c, sealed); err != nil {
		return cmd, nil // decide refuses it
	}
	org, weight, _ := inElectorate(c, "organisation_id", cmd.OrganisationID)
	key, err := box.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	ref := ballotRef(key, id, org, cmd.CommandID)
	b, err := sealBallot(key, id, ref, boxedBallot{Choices: cmd.Choices, Weight: weight})
	if err != nil {
		return nil, fmt.Errorf("consultations: sealing a ballot: %w", err)
	}
	if err := box.Put(ctx, id, ref, b); err != nil {
		return nil, err
	}
	return sealed, nil
}

// prepareClose opens the box of a secret consultation being closed: for each
// participation, the ballot sealed under its organisation and command; every other
// sealed ballot (refused after Prepare sealed it) is left out.
func prepareClose(ctx context.Context, st store.Store, reg *events.Registry, box BallotBox, cmd CloseConsultation) (any, error) {
	id := consultationOf(cmd)
	f, err := readSecret(ctx, st, reg, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !f.c.Opened || !f.c.Secret:
		return cmd, nil
	case box == nil:
		return nil, errNoBallotBox
	case f.c.Closed:
		// A second close is refused; empty what a failed destruction left behind.
		if err := box.Destroy(ctx, id); err != nil {
			return nil, fmt.Errorf("consultations: emptying the ballot box of closed %s: %w", id, err)
		}
		return cmd, nil
	case closeRefusal(f.c, cmd) != nil:
		return cmd, nil // decide refuses it: the box stays shut
	}
	cmd.BoxOpened, cmd.BoxBallots = true, make(map[uuid.UUID][]string, len(f.participations))
	if len(f.participations) == 0 {
		return cmd, nil
	}
	key, err := box.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	sealed, err := box.List(ctx, id)
	if err != nil {
		return nil, err
	}
	for org, commandID := range f.participations {
		ref := ballotRef(key, id, org, commandID)
		s, ok := sealed[ref]
		if !ok {
			return nil, fmt.Errorf("consultations: consultation %s: a participation has no sealed ballot in the box", id)
		}
		b, err := openBallot(key, id, ref, s)
		if err != nil {
			return nil, fmt.Errorf("consultations: consultation %s: %w", id, err)
		}
		cmd.BoxBallots[org] = b.Choices
	}
	return cmd, nil
}

// New registers the consultations (and membership, which Prepare reads) event types in
// cfg.Registry and returns the service, not yet serving: the caller starts it with
// Start and stops it with Stop. opinions may be nil if no consultation is ever bound to
// an opinion (one that is then fails as an internal error). box keeps the sealed ballots
// of secret consultations (NewKVBallotBox in a deployment, shared by every instance;
// NewMemoryBallotBox in tests); the service destroys a consultation's part of it once
// the closing event is appended. Run SweepBallotBox at start-up too.
func New(cfg bus.ServiceConfig, opinions OpinionLookup, box BallotBox) (*bus.Service, error) {
	if cfg.Registry == nil {
		return nil, errors.New("consultations: Registry is required")
	}
	if box == nil {
		return nil, errors.New("consultations: a BallotBox is required")
	}
	Register(cfg.Registry)
	membership.Register(cfg.Registry)
	if cfg.Store != nil {
		log := cfg.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		cfg.Store = boxJanitor{Store: cfg.Store, box: box, log: log}
	}
	return bus.NewService(cfg, Decider(cfg.Store, cfg.Registry, opinions, box))
}
