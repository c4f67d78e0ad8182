package esdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// formatVersion marks the metadata of events written by this adapter.
const formatVersion = 1

// errCorrupt marks a stored event that is not a Comité event as this adapter writes
// them (a foreign event in the database, or an altered one).
var errCorrupt = errors.New("esdb store: stored event is not a valid Comité event")

// envelope is the part of a Comité event that has no native EventStoreDB field; it
// travels as the event's (user) metadata, JSON. ID, type, stream, revision and data are
// EventStoreDB's own fields; the revision is repeated here so that an event stored at
// another revision than the one its hash covers is detected.
type envelope struct {
	Comite   int         `json:"comite"`
	Schema   int         `json:"schema"`
	Revision uint64      `json:"revision"`
	Time     string      `json:"time"`
	Meta     events.Meta `json:"meta"`
	PrevHash string      `json:"prev_hash"`
	Hash     string      `json:"hash"`
}

// encode turns a chained event into the client's EventData.
func encode(e events.Event) (client.EventData, error) {
	var md bytes.Buffer
	enc := json.NewEncoder(&md)
	enc.SetEscapeHTML(false)
	err := enc.Encode(envelope{
		Comite: formatVersion, Schema: e.Schema, Revision: e.Revision,
		Time: events.CanonicalTime(e.Time).Format(events.TimeFormat), Meta: e.Meta,
		PrevHash: e.PrevHash, Hash: e.Hash,
	})
	if err != nil {
		return client.EventData{}, fmt.Errorf("esdb store: encode %s: %w", e.ID, err)
	}
	return client.EventData{
		EventID: e.ID, EventType: e.Type, ContentType: client.ContentTypeJson,
		Data: e.Data, Metadata: bytes.TrimSuffix(md.Bytes(), []byte("\n")),
	}, nil
}

// isSystem reports whether an event is EventStoreDB's own ($-prefixed stream or type):
// never part of Comité's log.
func isSystem(stream, typ string) bool {
	return strings.HasPrefix(stream, "$") || strings.HasPrefix(typ, "$")
}

// position is the Comité position of a recorded event: its commit position, 0 when the
// server did not report one.
func position(p client.Position) uint64 {
	if p.Commit == math.MaxUint64 {
		return 0
	}
	return p.Commit
}

// decode rebuilds a Comité event from a recorded event of a stream named with prefix
// and checks it: the hash must be the one its content yields, so what Read returns is
// exactly what Append chained.
func decode(r *client.RecordedEvent, prefix string) (events.Event, error) {
	fail := func(format string, args ...any) (events.Event, error) {
		return events.Event{}, fmt.Errorf("%w: %s@%d: %s", errCorrupt, r.StreamID, r.EventNumber, fmt.Sprintf(format, args...))
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(r.UserMetadata))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return fail("metadata: %v", err)
	}
	if dec.More() {
		return fail("trailing data after the metadata")
	}
	if env.Comite != formatVersion {
		return fail("metadata format %d, want %d", env.Comite, formatVersion)
	}
	if env.Revision != r.EventNumber {
		return fail("stored at revision %d, chained at %d", r.EventNumber, env.Revision)
	}
	at, err := time.Parse(events.TimeFormat, env.Time)
	if err != nil {
		return fail("time: %v", err)
	}
	if r.EventID == uuid.Nil || r.EventType == "" {
		return fail("no event ID or type")
	}
	stream, ok := strings.CutPrefix(r.StreamID, prefix)
	if !ok {
		return fail("stream outside prefix %q", prefix)
	}
	if err := events.ValidStream(stream); err != nil {
		return fail("%v", err)
	}
	e := events.Event{
		ID: r.EventID, Type: r.EventType, Schema: env.Schema, Stream: stream,
		Revision: r.EventNumber, Position: position(r.Position), Time: at, Meta: env.Meta,
		Data: json.RawMessage(r.Data), PrevHash: env.PrevHash, Hash: env.Hash,
	}
	if h, err := events.ComputeHash(e); err != nil || h != e.Hash {
		return fail("hash does not match the content (%v)", err)
	}
	return e, nil
}
