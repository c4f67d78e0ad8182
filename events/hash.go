package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// canonicalEnvelope fixes the field order of the hashed encoding. Position and Hash are
// left out: the first is assigned by the log after the hash is computed, the second is
// the result.
type canonicalEnvelope struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Schema   int             `json:"schema"`
	Stream   string          `json:"stream"`
	Revision uint64          `json:"revision"`
	Time     string          `json:"time"`
	Meta     Meta            `json:"meta"`
	Data     json.RawMessage `json:"data"`
	PrevHash string          `json:"prev_hash"`
}

// TimeFormat is the canonical encoding of event times: UTC, microsecond precision, so
// that every store (EventStoreDB keeps 100 ns ticks) returns the same instant.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// CanonicalTime truncates t to the precision the canonical encoding keeps, in UTC.
func CanonicalTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Canonical returns the canonical encoding of an event, the bytes its hash covers:
// compact JSON, fixed envelope field order, payload object keys sorted, numbers kept as
// written, no HTML escaping.
func Canonical(e Event) ([]byte, error) {
	data, err := CanonicalJSON(e.Data)
	if err != nil {
		return nil, fmt.Errorf("events: payload of %s: %w", e.ID, err)
	}
	env := canonicalEnvelope{
		ID: e.ID.String(), Type: e.Type, Schema: e.Schema, Stream: e.Stream,
		Revision: e.Revision, Time: CanonicalTime(e.Time).Format(TimeFormat),
		Meta: e.Meta, Data: data, PrevHash: e.PrevHash,
	}
	return marshalNoEscape(env)
}

// CanonicalJSON re-encodes a JSON document compactly with object keys sorted and numbers
// kept as written. An empty document encodes as null.
func CanonicalJSON(raw []byte) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("null"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	return marshalNoEscape(v)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ComputeHash returns the hex SHA-256 of the event's canonical encoding (which includes
// PrevHash).
func ComputeHash(e Event) (string, error) {
	b, err := Canonical(e)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Chain links an event to its predecessor in the stream: it sets PrevHash (empty for the
// first event of a stream), normalises Time and Data to their canonical form, and sets
// Hash. Stores call it at append, once the revision is known.
func Chain(e *Event, prevHash string) error {
	data, err := CanonicalJSON(e.Data)
	if err != nil {
		return fmt.Errorf("events: payload of %s: %w", e.ID, err)
	}
	e.Data = data
	e.Time = CanonicalTime(e.Time)
	e.PrevHash = prevHash
	h, err := ComputeHash(*e)
	if err != nil {
		return err
	}
	e.Hash = h
	return nil
}

// ErrBrokenChain reports an event whose hash or link does not match.
var ErrBrokenChain = errors.New("events: hash chain broken")

// ChainError names the first event at which a stream's chain breaks.
type ChainError struct {
	Stream   string
	Revision uint64
	ID       string
	Reason   string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("events: chain broken in %s at revision %d (event %s): %s", e.Stream, e.Revision, e.ID, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBrokenChain) hold.
func (e *ChainError) Unwrap() error { return ErrBrokenChain }

// ChainVerifier checks streams' hash chains incrementally, events in any interleaving of
// streams but each stream in revision order.
type ChainVerifier struct {
	last map[string]struct {
		rev  uint64
		hash string
	}
}

// NewChainVerifier returns an empty verifier.
func NewChainVerifier() *ChainVerifier {
	return &ChainVerifier{last: map[string]struct {
		rev  uint64
		hash string
	}{}}
}

// Check verifies one event against its own hash and its stream's previous event.
func (v *ChainVerifier) Check(e Event) error {
	fail := func(reason string) error {
		return &ChainError{Stream: e.Stream, Revision: e.Revision, ID: e.ID.String(), Reason: reason}
	}
	prev, seen := v.last[e.Stream]
	switch {
	case !seen && e.Revision != 0:
		return fail(fmt.Sprintf("stream starts at revision %d, not 0", e.Revision))
	case seen && e.Revision != prev.rev+1:
		return fail(fmt.Sprintf("revision follows %d", prev.rev))
	case !seen && e.PrevHash != "":
		return fail("first event has a prev_hash")
	case seen && e.PrevHash != prev.hash:
		return fail("prev_hash does not match the previous event's hash")
	}
	h, err := ComputeHash(e)
	if err != nil {
		return fail(err.Error())
	}
	if h != e.Hash {
		return fail("hash does not match the content")
	}
	v.last[e.Stream] = struct {
		rev  uint64
		hash string
	}{e.Revision, e.Hash}
	return nil
}

// HashMatches reports whether e.Hash is the hash of e's content — what comparing
// ComputeHash(e) with e.Hash says — but cheaply when the payload is already in its
// canonical form, as the store keeps it: it first hashes the envelope with e.Data as it
// is (compacted), which can only give e.Hash if those are the very bytes hashed at
// append (SHA-256 being collision resistant), and canonicalises the payload only when
// that fails. Verifying a million events spends most of its time here.
func HashMatches(e Event) (bool, error) {
	env := canonicalEnvelope{
		ID: e.ID.String(), Type: e.Type, Schema: e.Schema, Stream: e.Stream,
		Revision: e.Revision, Time: CanonicalTime(e.Time).Format(TimeFormat),
		Meta: e.Meta, Data: e.Data, PrevHash: e.PrevHash,
	}
	var want [sha256.Size]byte
	if _, err := hex.Decode(want[:], []byte(e.Hash)); err == nil && len(e.Hash) == 2*sha256.Size && len(e.Data) > 0 {
		if b, ok := appendPlainEnvelope(make([]byte, 0, 512+len(e.Data)), e); ok && sha256.Sum256(b) == want {
			return true, nil
		}
		if b, err := marshalNoEscape(env); err == nil && sha256.Sum256(b) == want {
			return true, nil
		}
	}
	h, err := ComputeHash(e)
	if err != nil {
		return false, err
	}
	return h == e.Hash, nil
}

// appendPlainEnvelope appends the canonical envelope of e without reflection, when every
// string outside the payload is plain (printable ASCII but '"' and '\\', which
// encoding/json writes as they are) and the payload is appended as it is; false
// otherwise. Its bytes can only hash to e.Hash if they are the canonical encoding hashed
// at append, so a payload that is not canonical merely misses this path.
func appendPlainEnvelope(b []byte, e Event) ([]byte, bool) {
	strs := [...]string{e.Type, e.Stream, e.PrevHash, e.Meta.CommandID, e.Meta.CorrelationID, e.Meta.CausationID,
		e.Meta.Trace, e.Meta.Actor.User, e.Meta.Actor.Organisation, e.Meta.Actor.Role}
	for _, s := range strs {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				return nil, false
			}
		}
	}
	str := func(key, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, key...)
		b = append(b, `":"`...)
		b = append(b, v...)
		b = append(b, '"')
	}
	b = append(b, '{')
	str("id", e.ID.String(), false)
	str("type", e.Type, false)
	b = append(b, `,"schema":`...)
	b = strconv.AppendInt(b, int64(e.Schema), 10)
	str("stream", e.Stream, false)
	b = append(b, `,"revision":`...)
	b = strconv.AppendUint(b, e.Revision, 10)
	str("time", CanonicalTime(e.Time).Format(TimeFormat), false)
	b = append(b, `,"meta":{`...)
	str("command_id", e.Meta.CommandID, true)
	str("correlation_id", e.Meta.CorrelationID, true)
	str("causation_id", e.Meta.CausationID, true)
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"actor":{`...)
	str("user", e.Meta.Actor.User, true)
	str("organisation", e.Meta.Actor.Organisation, true)
	str("role", e.Meta.Actor.Role, true)
	b = append(b, '}')
	str("trace", e.Meta.Trace, true)
	b = append(b, `},"data":`...)
	b = append(b, e.Data...)
	str("prev_hash", e.PrevHash, false)
	return append(b, '}'), true
}
