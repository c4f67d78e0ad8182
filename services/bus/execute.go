package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Execute runs one command in process, exactly as if it had come over NATS: strict
// decoding, idempotency by command ID, load–decide–append. Errors are *errcode.Error.
func (s *Service) Execute(ctx context.Context, req Request) (rep Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Log.Error("bus: panic handling command", "context", s.context, "command", req.Command,
				"command_id", req.CommandID, "panic", fmt.Sprint(p))
			rep, err = Reply{}, errcode.Internal
		}
	}()
	spec, ok := s.specs[req.Command]
	if req.Context != s.context || !ok {
		return Reply{}, errcode.UnknownCommand.With("%s.%s", req.Context, req.Command)
	}
	if s.cfg.Authorize != nil {
		if err := s.cfg.Authorize(req.Actor, req.Context, req.Command); err != nil {
			return Reply{}, err
		}
	}
	if rule := checkCommandID(req.CommandID); rule != "" {
		return Reply{}, errcode.ValidationFailed.WithFields(map[string]string{"command_id": rule})
	}
	ptr, err := s.decoder.decodePtr(spec, req.Body)
	if err != nil {
		return Reply{}, err
	}
	if env, ok := ptr.(enveloped); ok {
		env.setEnvelope(Envelope{CommandID: req.CommandID, Actor: req.Actor, Time: s.cfg.Clock().UTC()})
	}
	cmd := reflect.ValueOf(ptr).Elem().Interface()

	s.mu.Lock()
	replies := s.replies
	s.mu.Unlock()
	if replies == nil {
		return Reply{}, errcode.Unavailable.With("service not started")
	}
	unlock := s.locks.lock(req.CommandID)
	defer unlock()
	key, hash := replyKey(req.CommandID), RequestHash(s.cfg.ActorKey, req)
	rec, err := replies.Begin(ctx, key, hash)
	if err != nil {
		s.cfg.Log.Error("bus: reply store unavailable", "command_id", req.CommandID, "err", err)
		return Reply{}, errcode.Unavailable.With("reply store")
	}
	if rec.Hash != hash {
		return Reply{}, errcode.IdempotencyReused
	}
	if rec.Done() {
		return decodeReply(rec.Reply)
	}

	meta := events.Meta{CommandID: req.CommandID, CorrelationID: req.CorrelationID, CausationID: req.CausationID,
		Actor: req.Actor, Trace: req.Trace}
	if meta.CorrelationID == "" {
		meta.CorrelationID = req.CommandID
	}
	if meta.CausationID == "" {
		meta.CausationID = req.CommandID
	}
	rep, err = s.run(ctx, cmd, meta, req.ExpectedRevision)
	if err != nil {
		// Nothing was appended by this attempt (or, if an append's acknowledgement was
		// lost, a retry finds the events in the stream): let the ID be used again.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if aerr := replies.Abandon(actx, key, hash); aerr != nil {
			s.cfg.Log.Warn("bus: could not release command ID", "command_id", req.CommandID, "err", aerr)
		}
		return Reply{}, err
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return Reply{}, errcode.Internal
	}
	stored, err := replies.Finish(ctx, key, hash, body)
	if err != nil {
		// The events are in the log; a retry rebuilds this very reply from them.
		s.cfg.Log.Warn("bus: reply not stored", "command_id", req.CommandID, "err", err)
		return rep, nil
	}
	if stored.Hash != hash {
		return Reply{}, errcode.IdempotencyReused
	}
	return decodeReply(stored.Reply)
}

func decodeReply(b []byte) (Reply, error) {
	var rep Reply
	if err := json.Unmarshal(b, &rep); err != nil {
		return Reply{}, errcode.Internal.With("stored reply unreadable")
	}
	if rep.Events == nil {
		rep.Events = []EventRef{}
	}
	return rep, nil
}

// engine is a Decider bound to its store: the load–decide–append loop.
type engine[S any] struct {
	cfg ServiceConfig
	d   Decider[S]
	// streams serialises the commands of one instance on one stream: they could only
	// append one after the other anyway, and would otherwise waste attempts on each
	// other. Retries remain for writers in other instances.
	streams keyedLocks
}

// loaded is an aggregate as read from its stream.
type loaded[S any] struct {
	state S
	// next is the stream's next revision (0 when empty); last the position of its last event.
	next uint64
	last uint64
	// applied holds this command's events if the stream already has them.
	applied []events.Event
}

// run decides and appends, reloading on concurrent writes. With an expected revision,
// a stream found elsewhere is a rejection rather than a reason to decide again.
func (e *engine[S]) run(ctx context.Context, cmd any, meta events.Meta, expected *uint64) (Reply, error) {
	stream := e.d.Stream(cmd)
	unlock := e.streams.lock(stream)
	defer unlock()
	log := e.cfg.Log.With("context", e.d.Context, "stream", stream, "command_id", meta.CommandID)
	for attempt := 1; attempt <= e.cfg.MaxAttempts; attempt++ {
		agg, err := e.load(ctx, stream, meta.CommandID)
		if err != nil {
			log.Error("bus: loading aggregate", "err", err)
			return Reply{}, storeError(err)
		}
		if len(agg.applied) > 0 {
			// An earlier attempt (here or in another instance) already appended them.
			return replyFor(meta.CommandID, agg.applied, agg.last), nil
		}
		if expected != nil && (agg.next == 0 || agg.next-1 != *expected) {
			if agg.next == 0 {
				return Reply{}, errcode.WrongRevision.With("%s has no events, not revision %d", stream, *expected)
			}
			return Reply{}, errcode.WrongRevision.With("%s is at revision %d, not %d", stream, agg.next-1, *expected)
		}
		decided := cmd
		if e.d.Prepare != nil {
			if decided, err = e.d.Prepare(ctx, cmd); err != nil {
				var coded *errcode.Error
				if errors.As(err, &coded) {
					return Reply{}, coded
				}
				log.Error("bus: preparing command", "err", err)
				return Reply{}, storeError(err)
			}
		}
		payloads, err := e.d.Decide(agg.state, decided)
		if err != nil {
			var coded *errcode.Error
			if errors.As(err, &coded) {
				return Reply{}, coded
			}
			log.Error("bus: decide failed", "err", err)
			return Reply{}, errcode.Internal
		}
		if len(payloads) == 0 {
			return replyFor(meta.CommandID, nil, agg.last), nil
		}
		at := e.cfg.Clock()
		evs := make([]events.Event, 0, len(payloads))
		for i, p := range payloads {
			ev, err := e.cfg.Registry.New(p, stream, events.DeriveID(meta.CommandID, i), at, meta)
			if err != nil {
				log.Error("bus: building event", "type", p.EventType(), "err", err)
				return Reply{}, errcode.Internal
			}
			evs = append(evs, ev)
		}
		res, err := e.cfg.Store.Append(ctx, stream, store.ExpectedFor(agg.next), evs...)
		if errors.Is(err, store.ErrWrongRevision) {
			log.Debug("bus: concurrent write, deciding again", "attempt", attempt)
			if attempt == e.cfg.MaxAttempts {
				break
			}
			if err := backoff(ctx, attempt); err != nil {
				return Reply{}, storeError(err)
			}
			continue
		}
		if err != nil {
			log.Error("bus: appending", "err", err)
			return Reply{}, storeError(err)
		}
		return replyFor(meta.CommandID, res.Events, res.Position), nil
	}
	return Reply{}, errcode.Conflict.With("%d concurrent writes to %s", e.cfg.MaxAttempts, stream)
}

// load folds the stream and notices whether this command's events are already in it
// (their IDs are derived from the command ID).
func (e *engine[S]) load(ctx context.Context, stream, commandID string) (loaded[S], error) {
	var agg loaded[S]
	if e.d.Initial != nil {
		agg.state = e.d.Initial()
	}
	want := events.DeriveID(commandID, 0)
	state, at, err := foldStream(ctx, e.cfg.Store, e.cfg.Registry, stream, agg.state, e.d.Evolve, func(ev events.Event) {
		if ev.ID == want {
			agg.applied = append(agg.applied, ev)
			want = events.DeriveID(commandID, len(agg.applied))
		}
	})
	agg.state, agg.next, agg.last = state, at.Next, at.Position
	return agg, err
}

// StreamAt is how far a fold read a stream.
type StreamAt struct {
	// Next is the stream's next revision: 0 for an empty stream.
	Next uint64
	// Position is the global position of the stream's last event (0 when empty).
	Position uint64
}

// Fold reads a stream from its start and folds its events into initial with evolve: the
// read-only view of another aggregate a Decider's Prepare needs. Every event must decode
// with reg (register the types you read; registering them again is harmless).
func Fold[S any](ctx context.Context, st store.Store, reg *events.Registry, stream string, initial S,
	evolve func(S, events.Payload) S) (S, StreamAt, error) {
	return foldStream(ctx, st, reg, stream, initial, evolve, nil)
}

func foldStream[S any](ctx context.Context, st store.Store, reg *events.Registry, stream string, state S,
	evolve func(S, events.Payload) S, each func(events.Event)) (S, StreamAt, error) {
	var at StreamAt
	for ev, err := range st.Read(ctx, stream, 0) {
		if err != nil {
			return state, at, err
		}
		p, err := reg.Decode(ev)
		if err != nil {
			return state, at, err
		}
		state = evolve(state, p)
		at = StreamAt{Next: ev.Revision + 1, Position: ev.Position}
		if each != nil {
			each(ev)
		}
	}
	return state, at, nil
}

// backoff waits a random moment, longer after each failed attempt, so that writers in
// other instances racing for the same stream stop colliding.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// storeError maps a store failure to a code the client can act on.
func storeError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errcode.Timeout
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled):
		return errcode.Unavailable
	}
	return errcode.Internal
}
