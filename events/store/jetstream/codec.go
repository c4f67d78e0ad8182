package jetstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
)

// Headers of a stored event. The envelope in the body is the truth; the headers let
// operators (and the nats CLI) filter without parsing JSON, and carry JetStream's own
// controls.
const (
	// HeaderRevision is the event's revision in its stream, in decimal.
	HeaderRevision = "Comite-Revision"
	// HeaderType is the event's type.
	HeaderType = "Comite-Type"

	hdrBatchID     = "Nats-Batch-Id"
	hdrBatchSeq    = "Nats-Batch-Sequence"
	hdrBatchCommit = "Nats-Batch-Commit"
)

// errCorrupt marks a stored message that is not an event of this log.
var errCorrupt = errors.New("jetstream store: stored message is not a valid event")

// subjectFor returns the subject of an event stream: "<prefix>.<category>.<id>". The
// stream name must be valid (events.ValidStream), which keeps it a single pair of
// literal subject tokens.
func subjectFor(prefix, stream string) string {
	cat, id, _ := events.SplitStream(stream)
	return prefix + "." + cat + "." + id
}

// encode returns the message that stores e, an event already chained: the JSON
// envelope with Position left 0 (the stream sequence is the position), the event ID as
// Nats-Msg-Id for JetStream's duplicate window, and informative headers.
func encode(prefix string, e events.Event) (*nats.Msg, error) {
	e.Position = 0
	// No HTML escaping: the payload is stored byte for byte in its canonical form, the
	// form its hash covers.
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("jetstream store: encode %s: %w", e.ID, err)
	}
	m := nats.NewMsg(subjectFor(prefix, e.Stream))
	m.Data = bytes.TrimSuffix(body.Bytes(), []byte("\n"))
	m.Header.Set(natsjs.MsgIDHeader, e.ID.String())
	m.Header.Set(HeaderRevision, strconv.FormatUint(e.Revision, 10))
	m.Header.Set(HeaderType, e.Type)
	return m, nil
}

// decode turns a stored message into an event with its Position set to the message's
// stream sequence. It checks that the envelope agrees with where and how it is stored
// (subject, headers, no stored position), so that a message published to the log's
// subjects by something other than this adapter is reported, never silently folded.
func decode(prefix, subject string, seq uint64, hdr nats.Header, data []byte) (events.Event, error) {
	fail := func(format string, args ...any) (events.Event, error) {
		return events.Event{}, fmt.Errorf("%w: sequence %d on %q: %s", errCorrupt, seq, subject, fmt.Sprintf(format, args...))
	}
	if seq == 0 {
		return fail("no sequence")
	}
	var e events.Event
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return fail("envelope: %v", err)
	}
	if dec.More() {
		return fail("trailing data after the envelope")
	}
	switch {
	case e.ID == uuid.Nil:
		return fail("no event ID")
	case e.Type == "":
		return fail("no event type")
	case e.Position != 0:
		return fail("position %d stored in the envelope", e.Position)
	case e.Hash == "":
		return fail("no hash")
	}
	if err := events.ValidStream(e.Stream); err != nil {
		return fail("%v", err)
	}
	if want := subjectFor(prefix, e.Stream); subject != want {
		return fail("stream %s belongs on %q", e.Stream, want)
	}
	if v := hdr.Get(HeaderRevision); v != "" && v != strconv.FormatUint(e.Revision, 10) {
		return fail("revision header %q, envelope revision %d", v, e.Revision)
	}
	if v := hdr.Get(natsjs.MsgIDHeader); v != "" && !strings.EqualFold(v, e.ID.String()) {
		return fail("message ID %q, event ID %s", v, e.ID)
	}
	e.Position = seq
	return e, nil
}
