package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// decodeReply decodes the event in a direct get reply.
func (s *Store) decodeReply(m *nats.Msg) (events.Event, error) {
	seq, err := parseSeq(m)
	if err != nil {
		return events.Event{}, err
	}
	return decode(s.cfg.SubjectPrefix, m.Header.Get(natsjs.SubjectHeader), seq, m.Header, m.Data)
}

// last returns the last event on a subject, nil when there is none.
func (s *Store) last(ctx context.Context, subject string) (*events.Event, error) {
	m, err := s.directGet(ctx, directRequest{LastFor: subject})
	if err != nil || m == nil {
		return nil, err
	}
	e, err := s.decodeReply(m)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// scan calls fn with each event on filter from sequence from up to upTo (inclusive), in
// order, a page of Config.ReadBatch events per direct get request, until fn returns
// false.
func (s *Store) scan(ctx context.Context, filter string, from, upTo uint64, fn func(events.Event) bool) error {
	inbox := s.nc.NewInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return s.mapErr(ctx, "read", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	for seq := from; seq <= upTo; {
		n := min(uint64(s.cfg.ReadBatch), upTo-seq+1)
		body, err := json.Marshal(directRequest{Seq: seq, NextFor: filter, Batch: int(n)})
		if err != nil {
			return fmt.Errorf("jetstream store: %w", err)
		}
		if err := s.nc.PublishRequest(s.apiGet, inbox, body); err != nil {
			return s.mapErr(ctx, "read", err)
		}
		got, more, err := s.page(ctx, sub, upTo, func(e events.Event) bool {
			seq = e.Position + 1
			return fn(e)
		})
		if err != nil || !more || got == 0 {
			return err
		}
	}
	return nil
}

// page reads one batched direct get reply: messages, then an end-of-batch marker (or a
// lone "not found"). It reports how many events it passed to fn and whether more may
// follow.
func (s *Store) page(ctx context.Context, sub *nats.Subscription, upTo uint64, fn func(events.Event) bool) (int, bool, error) {
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	for got := 0; ; {
		m, err := sub.NextMsgWithContext(rctx)
		if err != nil {
			return got, false, s.mapErr(ctx, "read", err)
		}
		switch st := m.Header.Get(headerStatus); st {
		case "":
		case statusNotFound:
			return got, false, nil
		case statusEndOfBatch:
			return got, m.Header.Get(headerNumPending) != "0", nil
		default:
			return got, false, fmt.Errorf("jetstream store: read: %w: status %s %s", store.ErrUnavailable, st, m.Header.Get(headerDescription))
		}
		e, err := s.decodeReply(m)
		if err != nil {
			return got, false, err
		}
		if e.Position > upTo {
			return got, false, nil
		}
		got++
		if !fn(e) {
			return got, false, nil
		}
	}
}

// Read yields the events of a stream from revision from.
func (s *Store) Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		if err := s.check(ctx); err != nil {
			yield(events.Event{}, err)
			return
		}
		if err := events.ValidStream(stream); err != nil {
			yield(events.Event{}, fmt.Errorf("jetstream store: %w: %w", store.ErrInvalidEvent, err))
			return
		}
		subject := subjectFor(s.cfg.SubjectPrefix, stream)
		tail, err := s.last(ctx, subject)
		if err != nil {
			yield(events.Event{}, err)
			return
		}
		if tail == nil || from > tail.Revision {
			return
		}
		start := uint64(1)
		if from > 0 {
			if start, err = s.seqOfRevision(ctx, subject, from, tail.Position); err != nil {
				yield(events.Event{}, err)
				return
			}
		}
		want, stopped := from, false
		err = s.scan(ctx, subject, start, tail.Position, func(e events.Event) bool {
			if e.Stream != stream || e.Revision != want {
				yield(events.Event{}, fmt.Errorf("%w: %s at sequence %d has revision %d, want %d", errCorrupt, stream, e.Position, e.Revision, want))
				stopped = true
				return false
			}
			want++
			stopped = !yield(e, nil)
			return !stopped
		})
		if err != nil && !stopped {
			yield(events.Event{}, err)
		}
	}
}

// seqOfRevision finds the sequence of a stream's event at revision rev by binary search:
// revisions grow with sequences along a subject, and a direct get with next_by_subj
// returns the subject's first message at or after a sequence.
func (s *Store) seqOfRevision(ctx context.Context, subject string, rev, lastSeq uint64) (uint64, error) {
	lo, hi := uint64(1), lastSeq
	for lo <= hi {
		mid := lo + (hi-lo)/2
		m, err := s.directGet(ctx, directRequest{Seq: mid, NextFor: subject})
		if err != nil {
			return 0, err
		}
		if m == nil {
			break
		}
		e, err := s.decodeReply(m)
		if err != nil {
			return 0, err
		}
		switch {
		case e.Revision == rev:
			return e.Position, nil
		case e.Revision < rev:
			lo = e.Position + 1
		default:
			hi = mid - 1
		}
	}
	return 0, fmt.Errorf("%w: revision %d of %s not found", errCorrupt, rev, subject)
}

// ReadAll yields every event from position from in global order, up to the last event
// at call time.
func (s *Store) ReadAll(ctx context.Context, from store.Position) iter.Seq2[events.Event, error] {
	return func(yield func(events.Event, error) bool) {
		head, err := s.Head(ctx)
		if err != nil {
			yield(events.Event{}, err)
			return
		}
		stopped := false
		// No subject filter: the JetStream stream holds nothing but events, and the
		// unfiltered walk is the server's fast path.
		err = s.scan(ctx, "", max(from, 1), head, func(e events.Event) bool {
			stopped = !yield(e, nil)
			return !stopped
		})
		if err != nil && !stopped {
			yield(events.Event{}, err)
		}
	}
}
