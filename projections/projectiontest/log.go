package projectiontest

import (
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
)

// Log is an event log written by real deciders, for property tests: commands go through
// a context's pure Decide against the state its Evolve folds from the log, and accepted
// ones append their events with streams, revisions and increasing positions, as a store
// would. Prepare is not run: tests set the facts it would fill in themselves.
type Log struct {
	// Events is the log so far.
	Events []Event
	// Clock is the time given to the next events; each decision advances it a minute.
	Clock time.Time
	// Rejected counts the commands the deciders refused (a generator that only produces
	// rejections tests nothing: assert it stays below the accepted ones).
	Rejected int
}

// NewLog returns an empty log whose clock starts at start.
func NewLog(start time.Time) *Log { return &Log{Clock: start} }

// Decide runs cmd, sent by actor, through d against the current state of its aggregate
// and appends the events it produces. It returns the decider's rejection, if any.
func Decide[S any](l *Log, d bus.Decider[S], actor events.Actor, cmd any) ([]events.Payload, error) {
	stream := d.Stream(cmd)
	state, revision := fold(l, d, stream)
	out, err := d.Decide(state, cmd)
	if err != nil {
		l.Rejected++
		return nil, err
	}
	l.Clock = l.Clock.Add(time.Minute)
	commandID := uuid.NewString()
	for i, p := range out {
		l.Events = append(l.Events, Event{Payload: p, Event: events.Event{
			ID: events.DeriveID(commandID, i), Type: p.EventType(), Schema: 1, Stream: stream,
			Revision: revision + uint64(i), Position: uint64(len(l.Events) + 1), Time: l.Clock,
			Meta: events.Meta{CommandID: commandID, CorrelationID: commandID, Actor: actor},
		}})
	}
	return out, nil
}

// State is the state of the aggregate cmd addresses, as d folds it from the log: what
// Decide would decide cmd against (a generator reads it to send commands that fit).
func State[S any](l *Log, d bus.Decider[S], cmd any) S {
	state, _ := fold(l, d, d.Stream(cmd))
	return state
}

// fold is the state of stream, as d folds it from the log, and the stream's next revision.
func fold[S any](l *Log, d bus.Decider[S], stream string) (state S, revision uint64) {
	if d.Initial != nil {
		state = d.Initial()
	}
	for _, e := range l.Events {
		if e.Event.Stream == stream {
			state = d.Evolve(state, e.Payload)
			revision++
		}
	}
	return state, revision
}
