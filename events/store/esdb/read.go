package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// all is every event: the client's count is a maximum and the read streams. It is
// .NET's long.MaxValue, the largest count every server version reads as such.
const all = math.MaxInt64

// Read yields the events of a stream from revision from: one forward stream read.
func (s *Store) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		ctx, done, err := s.begin(ctx)
		if err != nil {
			yield(events.Event{}, err)
			return
		}
		defer done()
		if err := events.ValidStream(stream); err != nil {
			yield(events.Event{}, fmt.Errorf("esdb store: %w: %w", store.ErrInvalidEvent, err))
			return
		}
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rs, err := guard(rctx, s.cfg.RequestTimeout, &s.pending, func() (*client.ReadStream, error) {
			return s.client.ReadStream(rctx, s.cfg.StreamPrefix+stream, client.ReadStreamOptions{From: client.Revision(from)}, all)
		})
		if err != nil {
			yield(events.Event{}, s.mapErr(ctx, "read "+stream, err))
			return
		}
		defer rs.Close()
		for want := from; ; want++ {
			r, err := guard(rctx, s.cfg.RequestTimeout, &s.pending, rs.Recv)
			if errors.Is(err, io.EOF) || notFound(err) {
				return
			}
			if err != nil {
				yield(events.Event{}, s.mapErr(ctx, "read "+stream, err))
				return
			}
			e, err := decode(r.Event, s.cfg.StreamPrefix)
			if err == nil && (e.Stream != stream || e.Revision != want) {
				err = fmt.Errorf("%w: %s@%d read as revision %d", errCorrupt, e.Stream, e.Revision, want)
			}
			if err != nil {
				yield(events.Event{}, err)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// ReadAll yields every Comité event from position from (inclusive), in $all's order,
// skipping EventStoreDB's own events. A read from a position that is not an event's
// starts at the next event.
func (s *Store) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		ctx, done, err := s.begin(ctx)
		if err != nil {
			yield(events.Event{}, err)
			return
		}
		defer done()
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var start client.AllPosition = client.Start{}
		if from > store.Start {
			start = client.Position{Commit: from, Prepare: from}
		}
		rs, err := guard(rctx, s.cfg.RequestTimeout, &s.pending, func() (*client.ReadStream, error) {
			return s.client.ReadAll(rctx, client.ReadAllOptions{From: start}, all)
		})
		if err != nil {
			yield(events.Event{}, s.mapErr(ctx, "read $all", err))
			return
		}
		defer rs.Close()
		var last store.Position
		for {
			r, err := guard(rctx, s.cfg.RequestTimeout, &s.pending, rs.Recv)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(events.Event{}, s.mapErr(ctx, "read $all", err))
				return
			}
			e, ok, err := fromAll(r, s.cfg.StreamPrefix, from, last)
			if err != nil {
				yield(events.Event{}, err)
				return
			}
			if !ok {
				continue
			}
			last = e.Position
			if !yield(e, nil) {
				return
			}
		}
	}
}

// fromAll decodes an event read from $all: ok is false for an event to skip (a system
// event, one outside the stream prefix, or one before from). Positions must increase:
// Comité's consumers rely on it.
func fromAll(r *client.ResolvedEvent, prefix string, from, last store.Position) (events.Event, bool, error) {
	rec := r.Event
	if !ours(rec, prefix) {
		return events.Event{}, false, nil
	}
	pos := position(rec.Position)
	if pos < from {
		return events.Event{}, false, nil
	}
	if pos == store.Start || pos <= last {
		return events.Event{}, false, fmt.Errorf("%w: %s@%d at position %d after %d: positions must increase", errCorrupt, rec.StreamID, rec.EventNumber, pos, last)
	}
	e, err := decode(rec, prefix)
	return e, err == nil, err
}

// ours reports whether an event of $all belongs to this store: not a system event, and
// under the stream prefix when there is one.
func ours(rec *client.RecordedEvent, prefix string) bool {
	return rec != nil && !isSystem(rec.StreamID, rec.EventType) && strings.HasPrefix(rec.StreamID, prefix)
}
