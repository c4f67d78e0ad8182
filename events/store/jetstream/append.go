package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// JetStream error codes the adapter reacts to (nats-server's jetstream_errors.json).
const (
	codeWrongLastSequence         = 10071 // the expected last subject sequence did not hold
	codeWrongLastSequenceConstant = 10164 // same, detected before the sequence was known
	codeDuplicateInProcess        = 10158 // an event ID is being stored by someone else
	codeBatchDuplicate            = 10201 // an atomic batch holds an event ID already stored
	codeBatchIncomplete           = 10176 // a staged batch message was lost: nothing stored
	codeBatchTooManyInflight      = 10210
	codeMessageTooLarge           = 10054
)

// Outcomes of a publish that Append handles itself.
var (
	errConflict  = errors.New("stream moved since it was read")
	errDuplicate = errors.New("event IDs already stored")
)

// Append appends evs to stream if it satisfies expected, atomically; see the package
// documentation for how.
func (s *Store) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
	if err := s.check(ctx); err != nil {
		return store.AppendResult{}, err
	}
	if err := store.CheckAppend(stream, evs, s.cfg.MaxEventsPerBatch, nil); err != nil {
		return store.AppendResult{}, err
	}
	unlock, err := s.locks.lock(ctx, stream)
	if err != nil {
		return store.AppendResult{}, err
	}
	defer unlock()
	subject := subjectFor(s.cfg.SubjectPrefix, stream)
	for attempt := 1; ; attempt++ {
		tail, err := s.last(ctx, subject)
		if err != nil {
			return store.AppendResult{}, err
		}
		if res, done, err := store.Settle(ctx, s.Read, stream, expected, evs, tail); done {
			return res, err
		}
		res, err := s.publish(ctx, stream, subject, evs, tail)
		switch {
		case err == nil:
			return res, nil
		case errors.Is(err, errDuplicate):
			tail, err := s.last(ctx, subject)
			if err != nil {
				return store.AppendResult{}, err
			}
			if res, ok, err := store.FindAppended(ctx, s.Read, stream, expected, evs, store.NextRevision(tail)); err != nil || ok {
				return res, err
			}
			return store.AppendResult{}, fmt.Errorf("jetstream store: %w: %s: some event IDs are already stored elsewhere in the log", store.ErrInvalidEvent, stream)
		case !errors.Is(err, errConflict):
			return store.AppendResult{}, err
		case attempt >= s.cfg.AppendAttempts:
			return store.AppendResult{}, fmt.Errorf("jetstream store: %w: %s still contended after %d attempts", store.ErrUnavailable, stream, attempt)
		}
		// Exact and NoStream: the next round reports the conflict (or recognises a
		// concurrent identical append). Any and StreamExists: the next round appends
		// after the new tail.
		if err := store.Backoff(ctx, attempt, 200*time.Microsecond, 5*time.Millisecond); err != nil {
			return store.AppendResult{}, fmt.Errorf("jetstream store: %w", err)
		}
	}
}

// publish chains evs after tail and stores them (s.commit: alone, or in a batch with
// concurrent appends; see group.go). It returns errConflict when the stream moved since tail was read (or a batch was
// dropped before its commit) and errDuplicate when some event IDs are already stored.
func (s *Store) publish(ctx context.Context, stream, subject string, evs []events.Event, tail *events.Event) (store.AppendResult, error) {
	next, prev, lastSeq := store.NextRevision(tail), "", uint64(0)
	if tail != nil {
		prev, lastSeq = tail.Hash, tail.Position
	}
	out := make([]events.Event, len(evs))
	msgs := make([]*nats.Msg, len(evs))
	for i, e := range evs {
		e.Stream, e.Revision, e.Position = stream, next+uint64(i), 0
		if err := events.Chain(&e, prev); err != nil {
			return store.AppendResult{}, fmt.Errorf("jetstream store: %w: %w", store.ErrInvalidEvent, err)
		}
		m, err := encode(s.cfg.SubjectPrefix, e)
		if err != nil {
			return store.AppendResult{}, fmt.Errorf("jetstream store: %w: %w", store.ErrInvalidEvent, err)
		}
		prev, out[i], msgs[i] = e.Hash, e, m
	}
	msgs[0].Header.Set(natsjs.ExpectedLastSubjSeqHeader, strconv.FormatUint(lastSeq, 10))
	seq, err := s.commit(ctx, msgs)
	if err != nil {
		return store.AppendResult{}, err
	}
	first := seq + 1 - uint64(len(out))
	for i := range out {
		out[i].Position = first + uint64(i)
	}
	return store.ResultOf(out), nil
}

// pubAckResponse is JetStream's reply to a publish.
type pubAckResponse struct {
	Error     *natsjs.APIError `json:"error,omitempty"`
	Stream    string           `json:"stream"`
	Sequence  uint64           `json:"seq"`
	Duplicate bool             `json:"duplicate,omitempty"`
}

// request publishes m and waits for JetStream's acknowledgement, which (with the
// server's sync_interval always) comes once the message is on disk. It returns the
// stored sequence.
func (s *Store) request(ctx context.Context, m *nats.Msg) (uint64, error) {
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	reply, err := s.nc.RequestMsgWithContext(rctx, m)
	if err != nil {
		return 0, s.mapErr(ctx, "publish", err)
	}
	var ack pubAckResponse
	if err := json.Unmarshal(reply.Data, &ack); err != nil {
		return 0, fmt.Errorf("jetstream store: publish: %w: invalid acknowledgement %q", store.ErrUnavailable, reply.Data)
	}
	if e := ack.Error; e != nil {
		switch e.ErrorCode {
		case codeWrongLastSequence, codeWrongLastSequenceConstant, codeDuplicateInProcess, codeBatchIncomplete, codeBatchTooManyInflight:
			// The stream moved, an event ID is being stored by a concurrent append, or a
			// batch was dropped whole: read the stream again and retry.
			return 0, fmt.Errorf("%w: %w", errConflict, e)
		case codeBatchDuplicate:
			return 0, fmt.Errorf("%w: %w", errDuplicate, e)
		case codeMessageTooLarge:
			return 0, fmt.Errorf("jetstream store: %w: %w", store.ErrInvalidEvent, e)
		}
		return 0, s.mapErr(ctx, "publish", e)
	}
	if ack.Duplicate {
		return 0, fmt.Errorf("%w: sequence %d", errDuplicate, ack.Sequence)
	}
	if ack.Stream != s.cfg.Stream || ack.Sequence == 0 {
		return 0, fmt.Errorf("jetstream store: publish: %w: acknowledged by stream %q at %d", store.ErrUnavailable, ack.Stream, ack.Sequence)
	}
	return ack.Sequence, nil
}
