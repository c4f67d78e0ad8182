package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// MaxEventsPerAppend bounds one append (EventStoreDB's own limit is by size, 16 MiB by
// default; Comité's commands produce a handful of events).
const MaxEventsPerAppend = 1000

// errConflict: EventStoreDB rejected the exact revision the append expected.
var errConflict = errors.New("stream moved since it was read")

// Append appends evs to stream if it satisfies expected, atomically; see the package
// documentation for how.
func (s *Store) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
	ctx, done, err := s.begin(ctx)
	if err != nil {
		return store.AppendResult{}, err
	}
	defer done()
	if err := store.CheckAppend(stream, evs, MaxEventsPerAppend, func(e events.Event) string {
		if isSystem("", e.Type) {
			return "has a system type " + e.Type
		}
		return ""
	}); err != nil {
		return store.AppendResult{}, err
	}
	unlock, err := s.lock(ctx, stream)
	if err != nil {
		return store.AppendResult{}, err
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		tail, err := s.last(ctx, stream)
		if err != nil {
			return store.AppendResult{}, err
		}
		if res, done, err := store.Settle(ctx, s.Read, stream, expected, evs, tail); done {
			return res, err
		}
		res, err := s.write(ctx, stream, evs, tail)
		switch {
		case err == nil:
			return res, nil
		case !errors.Is(err, errConflict):
			return store.AppendResult{}, err
		case attempt >= s.cfg.AppendAttempts:
			return store.AppendResult{}, fmt.Errorf("esdb store: %w: %s still contended after %d attempts", store.ErrUnavailable, stream, attempt)
		}
		// Exact and NoStream: the next round reports the conflict (or recognises a
		// concurrent identical append). Any and StreamExists: it appends after the new
		// tail.
		if err := store.Backoff(ctx, attempt, time.Millisecond, 20*time.Millisecond); err != nil {
			return store.AppendResult{}, fmt.Errorf("esdb store: %w", err)
		}
	}
}

// last returns the stream's last event, nil when it has none.
func (s *Store) last(ctx context.Context, stream string) (*events.Event, error) {
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	rs, err := guard(rctx, 0, &s.pending, func() (*client.ReadStream, error) {
		return s.client.ReadStream(rctx, s.cfg.StreamPrefix+stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
	})
	if err != nil {
		return nil, s.mapErr(ctx, "read "+stream, err)
	}
	defer rs.Close()
	r, err := guard(rctx, 0, &s.pending, rs.Recv)
	if errors.Is(err, io.EOF) || notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.mapErr(ctx, "read "+stream, err)
	}
	e, err := decode(r.Event, s.cfg.StreamPrefix)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// notFound reports the client's "stream not found".
func notFound(err error) bool {
	var ce *client.Error
	return errors.As(err, &ce) && ce.Code() == client.ErrorCodeResourceNotFound
}

// write chains evs after tail and appends them in one call expecting tail's revision
// exactly (NoStream without a tail). It returns errConflict when the stream moved since
// tail was read. The result is read back: it carries each event's position.
func (s *Store) write(ctx context.Context, stream string, evs []events.Event, tail *events.Event) (store.AppendResult, error) {
	next, prev := store.NextRevision(tail), ""
	var expect client.ExpectedRevision = client.NoStream{}
	if tail != nil {
		prev, expect = tail.Hash, client.Revision(tail.Revision)
	}
	data := make([]client.EventData, len(evs))
	for i, e := range evs {
		e.Stream, e.Revision, e.Position = stream, next+uint64(i), 0
		if err := events.Chain(&e, prev); err != nil {
			return store.AppendResult{}, fmt.Errorf("esdb store: %w: %w", store.ErrInvalidEvent, err)
		}
		d, err := encode(e)
		if err != nil {
			return store.AppendResult{}, fmt.Errorf("esdb store: %w: %w", store.ErrInvalidEvent, err)
		}
		prev, data[i] = e.Hash, d
	}
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	if _, err := guard(rctx, 0, &s.pending, func() (*client.WriteResult, error) {
		return s.client.AppendToStream(rctx, s.cfg.StreamPrefix+stream, client.AppendToStreamOptions{ExpectedRevision: expect}, data...)
	}); err != nil {
		var ce *client.Error
		if errors.As(err, &ce) && ce.Code() == client.ErrorCodeWrongExpectedVersion {
			return store.AppendResult{}, fmt.Errorf("%w: %s", errConflict, err)
		}
		return store.AppendResult{}, s.mapErr(ctx, "append to "+stream, err)
	}
	stored, err := store.StoredAt(ctx, s.Read, stream, next, evs)
	if err != nil {
		return store.AppendResult{}, err
	}
	if stored == nil {
		return store.AppendResult{}, fmt.Errorf("esdb store: append to %s: %w: the appended events are not at revision %d", stream, store.ErrUnavailable, next)
	}
	for _, e := range stored {
		if e.Position == store.Start {
			return store.AppendResult{}, fmt.Errorf("esdb store: append to %s: %w: the server reports no position for stream reads", stream, store.ErrUnavailable)
		}
	}
	return store.ResultOf(stored), nil
}
