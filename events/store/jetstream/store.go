// Package jetstream is Comité's default event store: the log is one JetStream stream on
// the embedded NATS server (services/natsembed) or on a NATS cluster.
//
// # Layout
//
// One JetStream stream (Config.Stream, file storage) captures "<prefix>.>". Event stream
// "<category>-<id>" lives on subject "<prefix>.<category>.<id>", so that JetStream's
// per-subject index gives each event stream its own sequence of messages in the global
// log. The global Position of an event is its JetStream stream sequence; its revision
// is counted per subject and kept in the envelope (and in the Comite-Revision header).
// A message body is the JSON envelope (events.Event) with Position left 0: the position
// is only known once JetStream has stored the message, and is filled in when read.
// The stream denies deletes and purges: the log is append-only, which the audit relies
// on.
//
// # Appending
//
// An append reads the stream's last event (a direct get of the last message on its
// subject) for its revision and hash, checks the expected revision, links the new events
// into the hash chain (events.Chain) and publishes them with
// Nats-Expected-Last-Subject-Sequence set to the last event's sequence (0 for a new
// stream). JetStream applies that check under its stream lock, so of N writers that read
// the same tail exactly one is stored: the check that makes optimistic concurrency sound
// is the server's, ours only saves a round trip. The check is sent for every kind of
// expectation, even Any, because the hash chain and revisions depend on the tail that
// was read; an Any or StreamExists append that loses this race re-reads and retries
// (Config.AppendAttempts). Within one process, appends to the same stream also queue on
// a per-stream lock, so that only separate processes ever race at the server.
//
// Several events are published as one JetStream atomic batch (stream option
// AllowAtomicPublish; headers Nats-Batch-Id, Nats-Batch-Sequence and Nats-Batch-Commit
// on the last message; the expectation on the first): the server stages the batch and
// stores it whole or not at all, and a replica-1 server that crashes while storing a
// committed batch completes it when it restarts. A batch is written under the stream's
// isolation lock, so direct gets (used for every read but subscriptions) never see part
// of one, and its messages have consecutive sequences. A single event is a plain
// publish.
//
// # Group commit
//
// With more than Config.GroupCommitAfter appends in flight, further concurrent appends
// (to different streams) are gathered into one atomic batch, synced once, each append
// acknowledged from the batch's acknowledgement with its own positions; a batch rejected
// whole is sent again append by append, so that one conflicting append never fails the
// others. See group.go.
//
// # Idempotency
//
// Each message carries its event ID as Nats-Msg-Id, so JetStream drops a re-published
// event within Config.DuplicateWindow. That is only the fast path: when an append is
// rejected (wrong revision, or duplicate IDs) the adapter reads the stream at the
// revisions the events would have had — after Exact(n) for an exact expectation, from 0
// for NoStream, the stream's last events for Any and StreamExists — and when it finds
// exactly these event IDs there, it returns the original result. So a retried command is
// idempotent at any time, across restarts, and when several instances retry at once.
//
// # Reading
//
// Read and ReadAll use batched direct gets ($JS.API.DIRECT.GET with next_by_subj and
// batch, which needs AllowDirect), bounded by the last event at call time: no consumer
// to create and delete, and each page is an isolated snapshot. Read from a middle
// revision finds the revision's sequence by binary search over the subject. Subscribe
// uses an ordered consumer, which JetStream resets on any gap, delivering the backlog
// and then live events in one sequence.
package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events/store"
)

// Store is the JetStream event store. It is safe for concurrent use.
type Store struct {
	cfg    Config
	nc     *nats.Conn
	js     natsjs.JetStream
	apiGet string // direct get subject of the stream
	all    string // subject filter of every event

	locks streamLocks
	// group gathers concurrent appends (nil when Config.GroupCommitAfter < 0).
	group *committer

	life context.Context // canceled by Close: ends subscriptions
	kill context.CancelFunc
	subs sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open creates the JetStream stream if needed (or updates its configuration) and
// returns a store on it. The caller owns nc: Close does not close it.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if nc == nil {
		return nil, errors.New("jetstream store: nil NATS connection")
	}
	cfg = cfg.withDefaults()
	js, err := natsjs.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream store: %w", err)
	}
	life, kill := context.WithCancel(context.Background())
	s := &Store{
		cfg: cfg, nc: nc, js: js,
		apiGet: "$JS.API.DIRECT.GET." + cfg.Stream,
		all:    cfg.SubjectPrefix + ".>",
		life:   life, kill: kill,
	}
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	_, err = js.CreateOrUpdateStream(rctx, natsjs.StreamConfig{
		Name:               cfg.Stream,
		Description:        "Comité event log: one subject per event stream, never deleted",
		Subjects:           []string{s.all},
		Storage:            natsjs.FileStorage,
		Retention:          natsjs.LimitsPolicy,
		Discard:            natsjs.DiscardNew,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxMsgsPerSubject:  -1,
		Duplicates:         cfg.DuplicateWindow,
		Replicas:           cfg.Replicas,
		AllowDirect:        true,
		AllowAtomicPublish: true,
		DenyDelete:         true,
		DenyPurge:          true,
	})
	if err != nil {
		kill()
		return nil, s.mapErr(ctx, "create stream "+cfg.Stream, err)
	}
	if cfg.GroupCommitAfter >= 0 {
		s.group = newCommitter(s)
	}
	return s, nil
}

// Close ends the store's subscriptions and waits for them; later calls fail with
// store.ErrClosed. It is idempotent and does not close the NATS connection.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.kill()
	s.subs.Wait()
	if s.group != nil {
		<-s.group.done
	}
	return nil
}

// Head returns the position of the last event, read with a direct get of the last
// message (isolated like every direct get, so never in the middle of a batch).
func (s *Store) Head(ctx context.Context) (store.Position, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	m, err := s.directGet(ctx, directRequest{LastFor: s.all})
	if err != nil || m == nil {
		return store.Start, err
	}
	return parseSeq(m)
}

// check reports whether the store can serve a call.
func (s *Store) check(ctx context.Context) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || s.nc.IsClosed() {
		return fmt.Errorf("jetstream store: %w", store.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("jetstream store: %w", err)
	}
	return nil
}

// requestContext bounds one request by Config.RequestTimeout unless ctx has a deadline.
func (s *Store) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return store.RequestContext(ctx, s.cfg.RequestTimeout)
}

// mapErr turns a NATS error into the store's vocabulary: the caller's own context error
// stays as is; a closed connection is ErrClosed; no responders, timeouts and server-side
// failures are ErrUnavailable.
func (s *Store) mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return fmt.Errorf("jetstream store: %s: %w", op, ctx.Err())
	}
	var apiErr *natsjs.APIError
	switch {
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, natsjs.ErrConnectionClosed):
		return fmt.Errorf("jetstream store: %s: %w: %w", op, store.ErrClosed, err)
	case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, natsjs.ErrNoStreamResponse),
		errors.Is(err, nats.ErrConnectionDraining), errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected), errors.Is(err, natsjs.ErrStreamNotFound):
		return fmt.Errorf("jetstream store: %s: %w: %w", op, store.ErrUnavailable, err)
	case errors.As(err, &apiErr) && apiErr.Code >= 500:
		return fmt.Errorf("jetstream store: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("jetstream store: %s: %w", op, err)
}

// directRequest is JetStream's direct get request (JSApiMsgGetRequest).
type directRequest struct {
	Seq     uint64 `json:"seq,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`
	Batch   int    `json:"batch,omitempty"`
}

// Status values of direct get replies.
const (
	statusNotFound    = "404"
	statusEndOfBatch  = "204"
	headerNumPending  = "Nats-Num-Pending"
	headerStatus      = "Status"
	headerDescription = "Description"
)

// directGet fetches one message; nil, nil when none matches.
func (s *Store) directGet(ctx context.Context, req directRequest) (*nats.Msg, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("jetstream store: %w", err)
	}
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	m, err := s.nc.RequestWithContext(rctx, s.apiGet, body)
	if err != nil {
		return nil, s.mapErr(ctx, "direct get", err)
	}
	switch st := m.Header.Get(headerStatus); st {
	case "":
		return m, nil
	case statusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("jetstream store: direct get: %w: status %s %s", store.ErrUnavailable, st, m.Header.Get(headerDescription))
	}
}

// parseSeq returns the stream sequence of a direct get reply.
func parseSeq(m *nats.Msg) (uint64, error) {
	seq, err := strconv.ParseUint(m.Header.Get(natsjs.SequenceHeader), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: direct get reply without sequence: %w", errCorrupt, err)
	}
	return seq, nil
}
