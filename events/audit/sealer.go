package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
	"github.com/comite-partenaires/comite/events/store"
)

// SealerActor is who seals checkpoints.
var SealerActor = events.Actor{User: "process:audit-sealer", Role: "system"}

// DefaultEvery is how many events a checkpoint is sealed after, by default.
const DefaultEvery = 1000

// SealerConfig configures a Sealer.
type SealerConfig struct {
	Store    store.Store
	Registry *events.Registry
	// Every seals a checkpoint each time the log holds a multiple of Every events (0:
	// only on demand).
	Every uint64
	// Clock stamps the checkpoint events (time.Now when nil).
	Clock func() time.Time
	Log   *slog.Logger
}

// Sealer seals checkpoints into the log: every Every events while Run follows the log,
// and on demand (Seal). It resumes from its last checkpoint, whose compact range saves
// reading the log again. Several sealers may run on one log: a checkpoint's event ID is
// derived from its size, and the checkpoint stream's expected revision lets one win.
type Sealer struct {
	cfg  SealerConfig
	reqs chan sealRequest
}

type sealRequest struct {
	head  uint64
	reply chan sealReply
}

type sealReply struct {
	cp  CheckpointSealed
	err error
}

// NewSealer checks the configuration and registers the audit event types.
func NewSealer(cfg SealerConfig) (*Sealer, error) {
	if cfg.Store == nil || cfg.Registry == nil {
		return nil, errors.New("audit: the sealer needs a Store and a Registry")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := Register(cfg.Registry); err != nil {
		return nil, err
	}
	return &Sealer{cfg: cfg, reqs: make(chan sealRequest)}, nil
}

// sealState is what sealing needs: the compact range over the log up to pos, whether an
// event other than a checkpoint came since the last checkpoint, the checkpoint stream's
// next revision and the last checkpoint.
type sealState struct {
	rng    *merkle.Range
	pos    uint64
	fresh  bool
	next   uint64
	sealed uint64
	last   CheckpointSealed
}

// load finds the last checkpoint sealed: the state as of its position.
func (s *Sealer) load(ctx context.Context) (*sealState, error) {
	st := &sealState{rng: &merkle.Range{}}
	for ev, err := range s.cfg.Store.Read(ctx, CheckpointStream, 0) {
		if err != nil {
			return nil, fmt.Errorf("audit: reading %s: %w", CheckpointStream, err)
		}
		p, err := s.cfg.Registry.Decode(ev)
		if err != nil {
			return nil, err
		}
		c := p.(CheckpointSealed)
		st.next, st.last = ev.Revision+1, c
	}
	if st.next > 0 {
		r, err := merkle.NewRange(st.last.Size, st.last.Range)
		if err != nil {
			return nil, fmt.Errorf("audit: last checkpoint: %w", err)
		}
		st.rng, st.pos, st.sealed = r, st.last.Position, st.last.Size
	}
	return st, nil
}

// fold adds an event to the state.
func (st *sealState) fold(ev events.Event) error {
	leaf, err := Leaf(ev)
	if err != nil {
		return err
	}
	st.rng.Append(leaf)
	st.pos = ev.Position
	st.fresh = st.fresh || ev.Type != TypeCheckpointSealed
	return nil
}

// seal appends a checkpoint over the state, unless the log holds nothing new since the
// last one (only checkpoints): then it returns the last one.
func (s *Sealer) seal(ctx context.Context, st *sealState) (CheckpointSealed, error) {
	if !st.fresh {
		return st.last, nil
	}
	c := CheckpointSealed{Size: st.rng.Size(), Position: st.pos, Root: st.rng.Root(), Range: st.rng.Hashes()}
	ev, err := s.cfg.Registry.New(c, CheckpointStream, events.DeriveID(checkpointID(c.Size), 0), s.cfg.Clock(),
		events.Meta{CommandID: checkpointID(c.Size), Actor: SealerActor})
	if err != nil {
		return CheckpointSealed{}, err
	}
	res, err := s.cfg.Store.Append(ctx, CheckpointStream, store.ExpectedFor(st.next), ev)
	var wrong *store.WrongRevisionError
	if errors.As(err, &wrong) {
		// Another sealer was first: take its checkpoints as ours.
		fresh, lerr := s.load(ctx)
		if lerr != nil {
			return CheckpointSealed{}, lerr
		}
		st.next, st.last, st.sealed = fresh.next, fresh.last, max(st.sealed, fresh.sealed)
		return st.last, nil
	}
	if err != nil {
		return CheckpointSealed{}, fmt.Errorf("audit: sealing a checkpoint: %w", err)
	}
	st.next, st.last, st.sealed, st.fresh = res.LastRevision+1, c, c.Size, false
	s.cfg.Log.Info("audit: checkpoint sealed", "size", c.Size, "position", c.Position, "root", c.Root.String(),
		"at", res.Position)
	return c, nil
}

// Run follows the log and seals a checkpoint every Every events until ctx ends; it
// answers Seal's requests.
func (s *Sealer) Run(ctx context.Context) error {
	st, err := s.load(ctx)
	if err != nil {
		return err
	}
	// A log that grew while no sealer ran (or before sealers existed) gets one checkpoint
	// once caught up, not one per Every events sealed late in a burst.
	startHead, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("audit: following the log: %w", err)
	}
	sub, err := s.cfg.Store.Subscribe(ctx, st.pos)
	if err != nil {
		return fmt.Errorf("audit: following the log: %w", err)
	}
	defer sub.Close()
	var pending []sealRequest
	answer := func() {
		rest := pending[:0]
		for _, r := range pending {
			if st.pos < r.head {
				rest = append(rest, r)
				continue
			}
			c, err := s.seal(ctx, st)
			r.reply <- sealReply{c, err}
		}
		pending = rest
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-s.reqs:
			pending = append(pending, r)
			answer()
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return fmt.Errorf("audit: following the log: %w", err)
				}
				return nil
			}
			if err := st.fold(ev); err != nil {
				return err
			}
			if s.cfg.Every > 0 && ev.Position >= startHead && (st.rng.Size()%s.cfg.Every == 0 ||
				ev.Position == startHead && st.rng.Size()-st.sealed >= s.cfg.Every) {
				if _, err := s.seal(ctx, st); err != nil {
					s.cfg.Log.Error("audit: checkpoint not sealed", "size", st.rng.Size(), "err", err)
				}
			}
			answer()
		}
	}
}

// Seal asks Run to seal a checkpoint over the whole log as it is now (or returns the
// last one if nothing but checkpoints came since).
func (s *Sealer) Seal(ctx context.Context) (CheckpointSealed, error) {
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return CheckpointSealed{}, err
	}
	r := sealRequest{head: head, reply: make(chan sealReply, 1)}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		return CheckpointSealed{}, ctx.Err()
	}
	select {
	case rep := <-r.reply:
		return rep.cp, rep.err
	case <-ctx.Done():
		return CheckpointSealed{}, ctx.Err()
	}
}

// SealOnce seals a checkpoint over the whole log without Run (a stopped server's data
// directory): it reads the log from the last checkpoint on.
func (s *Sealer) SealOnce(ctx context.Context) (CheckpointSealed, error) {
	st, err := s.load(ctx)
	if err != nil {
		return CheckpointSealed{}, err
	}
	for ev, err := range s.cfg.Store.ReadAll(ctx, st.pos+1) {
		if err != nil {
			return CheckpointSealed{}, fmt.Errorf("audit: reading the log: %w", err)
		}
		if err := st.fold(ev); err != nil {
			return CheckpointSealed{}, err
		}
	}
	return s.seal(ctx, st)
}
