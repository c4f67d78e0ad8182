// Package store defines the event log contract every adapter honours: append with an
// expected revision (EventStoreDB's semantics), per-stream and global reads, and a
// catch-up subscription that turns live with no gap and no duplicate. The contract suite
// lives in storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/comite-partenaires/comite/events"
)

// Position is a place in the global log. Events have positions ≥ 1 in increasing order;
// Start (0) is before the first event. Positions are ordered but not necessarily dense.
type Position = uint64

// Start is the position before the first event.
const Start Position = 0

type revisionKind uint8

const (
	kindExact revisionKind = iota
	kindNoStream
	kindStreamExists
	kindAny
)

// Revision is the expected state of a stream at append.
type Revision struct {
	kind revisionKind
	n    uint64
}

var (
	// NoStream expects the stream to have no events yet.
	NoStream = Revision{kind: kindNoStream}
	// StreamExists expects the stream to have at least one event.
	StreamExists = Revision{kind: kindStreamExists}
	// Any appends whatever the stream holds.
	Any = Revision{kind: kindAny}
)

// Exact expects the stream's last event to be at revision n (0-based).
func Exact(n uint64) Revision { return Revision{kind: kindExact, n: n} }

// ExpectedFor returns the revision to expect after having read next events of a stream
// (Exact(next-1), or NoStream when next is 0): what a service passes after folding.
func ExpectedFor(next uint64) Revision {
	if next == 0 {
		return NoStream
	}
	return Exact(next - 1)
}

// Exact reports the exact revision expected, if this is an exact expectation.
func (r Revision) Exact() (uint64, bool) { return r.n, r.kind == kindExact }

// Matches reports whether a stream whose next revision is next (0 when it has no events)
// satisfies the expectation.
func (r Revision) Matches(next uint64) bool {
	switch r.kind {
	case kindNoStream:
		return next == 0
	case kindStreamExists:
		return next > 0
	case kindAny:
		return true
	default:
		return next > 0 && next-1 == r.n
	}
}

func (r Revision) String() string {
	switch r.kind {
	case kindNoStream:
		return "no_stream"
	case kindStreamExists:
		return "stream_exists"
	case kindAny:
		return "any"
	default:
		return fmt.Sprint(r.n)
	}
}

// AppendResult describes a successful append: the events as stored (revision, position
// and hashes filled in), the stream's last revision and the position of its last event.
type AppendResult struct {
	Events       []events.Event
	LastRevision uint64
	Position     Position
}

var (
	// ErrWrongRevision: the stream was not at the expected revision. The error is a
	// *WrongRevisionError carrying the actual state.
	ErrWrongRevision = errors.New("store: wrong expected revision")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrInvalidEvent: an event cannot be appended as given (no ID, no type, bad stream).
	ErrInvalidEvent = errors.New("store: invalid event")
	// ErrUnavailable: the log cannot be reached or written now (disk full, no quorum).
	ErrUnavailable = errors.New("store: unavailable")
)

// WrongRevisionError reports an optimistic concurrency conflict.
type WrongRevisionError struct {
	Stream   string
	Expected Revision
	// Next is the stream's actual next revision: 0 if it has no events.
	Next uint64
}

func (e *WrongRevisionError) Error() string {
	actual := "no stream"
	if e.Next > 0 {
		actual = fmt.Sprintf("revision %d", e.Next-1)
	}
	return fmt.Sprintf("store: %s expected %s, is at %s", e.Stream, e.Expected, actual)
}

// Unwrap makes errors.Is(err, ErrWrongRevision) hold.
func (e *WrongRevisionError) Unwrap() error { return ErrWrongRevision }

// Store is the event log.
//
// Append is atomic: all of evs become visible, or none (also across a crash). The store
// assigns each event's Revision, Position, PrevHash and Hash (events.Chain). Appending
// events whose IDs are already the stream's latest events, with an expectation that held
// when they were first appended, is idempotent: it returns the original result and stores
// nothing.
//
// Read yields a stream's events from revision from (inclusive), nothing for a stream
// without events. ReadAll yields every event in global order from position from
// (inclusive). Subscribe delivers every event with a position strictly after after:
// first the backlog, then live, with no gap and no duplicate.
type Store interface {
	Append(ctx context.Context, stream string, expected Revision, evs ...events.Event) (AppendResult, error)
	Read(ctx context.Context, stream string, from uint64) iter.Seq2[events.Event, error]
	ReadAll(ctx context.Context, from Position) iter.Seq2[events.Event, error]
	Subscribe(ctx context.Context, after Position) (Subscription, error)
	// Head returns the position of the last event in the log (Start when empty).
	Head(ctx context.Context) (Position, error)
	// Close releases the store; it is idempotent.
	Close() error
}

// Subscription is a live feed of the global log.
type Subscription interface {
	// Events delivers events in global order; it is closed when the subscription ends.
	Events() <-chan events.Event
	// Err returns why the subscription ended (nil after Close or context cancellation).
	Err() error
	// Close ends the subscription and waits for its goroutines; it is idempotent.
	Close() error
}
