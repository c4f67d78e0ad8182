package audit

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/comite-partenaires/comite/events"
)

// errSlowPath sends a line to encoding/json: the fast decoder only takes envelopes as the
// store writes them.
var errSlowPath = errors.New("not a plain envelope")

// decodeEnvelope decodes one line of an events file into e. It reads the envelopes the
// exporter writes (each field once, lower-case keys, strings without escapes outside meta
// and data, unsigned integers) in one pass, and hands anything else to json.Unmarshal,
// so its result is always json.Unmarshal's: verifying a million events spent two thirds
// of its time in encoding/json's reflection and double scan.
func decodeEnvelope(line []byte, e *events.Event) error {
	if err := fastEnvelope(line, e, true); err != nil {
		*e = events.Event{}
		return json.Unmarshal(line, e)
	}
	return nil
}

// envelope field bits, to refuse duplicates.
const (
	fID = 1 << iota
	fType
	fSchema
	fStream
	fRevision
	fPosition
	fTime
	fMeta
	fData
	fPrevHash
	fHash
)

// fastEnvelope decodes a plain envelope; with validate false it does not check that the
// payload is valid JSON (the caller proves it otherwise: a payload whose bytes hash to the
// event's hash is the canonical JSON hashed at append).
func fastEnvelope(b []byte, e *events.Event, validate bool) error {
	p := &scan{b: b, validate: validate}
	seen, err := p.object(func(key []byte) (int, error) { return p.field(key, e) })
	if err != nil {
		return err
	}
	p.space()
	if p.i != len(b) || seen != 1<<11-1 {
		return errSlowPath
	}
	return nil
}

// object reads a JSON object, calling field after each key's colon to read its value;
// field returns a distinct bit per key (a key seen twice sends the line to encoding/json).
// It returns the bits of the keys read.
func (p *scan) object(field func(key []byte) (int, error)) (int, error) {
	if !p.byte('{') {
		return 0, errSlowPath
	}
	if p.byte('}') {
		return 0, nil
	}
	seen := 0
	for {
		key, ok := p.plainString()
		if !ok || !p.byte(':') {
			return 0, errSlowPath
		}
		bit, err := field(key)
		if err != nil || bit == 0 || seen&bit != 0 {
			return 0, errSlowPath
		}
		seen |= bit
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return seen, nil
		}
		return 0, errSlowPath
	}
}

func (p *scan) field(key []byte, e *events.Event) (int, error) {
	switch string(key) {
	case "id":
		s, ok := p.plainString()
		if !ok {
			return 0, errSlowPath
		}
		return fID, e.ID.UnmarshalText(s)
	case "type":
		return fType, p.str(&e.Type)
	case "stream":
		return fStream, p.str(&e.Stream)
	case "prev_hash":
		return fPrevHash, p.str(&e.PrevHash)
	case "hash":
		return fHash, p.str(&e.Hash)
	case "time":
		start := p.i
		if _, ok := p.plainString(); !ok {
			return 0, errSlowPath
		}
		return fTime, e.Time.UnmarshalJSON(p.b[start:p.i])
	case "schema":
		n, err := p.uint()
		e.Schema = int(n)
		if n > 1<<31 {
			err = errSlowPath
		}
		return fSchema, err
	case "revision":
		n, err := p.uint()
		e.Revision = n
		return fRevision, err
	case "position":
		n, err := p.uint()
		e.Position = n
		return fPosition, err
	case "meta":
		return fMeta, p.meta(&e.Meta)
	case "data":
		raw, ok := p.value()
		if !ok || p.validate && !json.Valid(raw) {
			return 0, errSlowPath
		}
		e.Data = append(json.RawMessage(nil), raw...)
		return fData, nil
	}
	return 0, errSlowPath
}

// scan is a cursor over a line.
type scan struct {
	b        []byte
	i        int
	validate bool
}

func (p *scan) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// byte consumes c after optional space.
func (p *scan) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plainString reads a string without escapes or control characters, returning its
// contents.
func (p *scan) plainString() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false // escapes and non-ASCII (invalid UTF-8 rules): encoding/json decides
		}
		p.i++
	}
	return nil, false
}

func (p *scan) str(dst *string) error {
	s, ok := p.plainString()
	if !ok {
		return errSlowPath
	}
	*dst = string(s)
	return nil
}

func (p *scan) uint() (uint64, error) {
	p.space()
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == start || p.i-start > 1 && p.b[start] == '0' {
		return 0, errSlowPath
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, errSlowPath
	}
	return strconv.ParseUint(string(p.b[start:p.i]), 10, 64)
}

// value returns the extent of the next JSON object or array (the only shapes meta and
// data take in the fast path), not validated: the caller decodes or validates it.
func (p *scan) value() ([]byte, bool) {
	p.space()
	start, depth, inString := p.i, 0, false
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		switch {
		case inString && c == '\\':
			p.i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				p.i++
				return p.b[start:p.i], true
			}
		case depth == 0:
			return nil, false
		}
	}
	return nil, false
}

// meta reads the envelope's meta object: known keys once each, plain strings.
func (p *scan) meta(m *events.Meta) error {
	_, err := p.object(func(key []byte) (int, error) {
		switch string(key) {
		case "command_id":
			return 1, p.str(&m.CommandID)
		case "correlation_id":
			return 2, p.str(&m.CorrelationID)
		case "causation_id":
			return 4, p.str(&m.CausationID)
		case "trace":
			return 8, p.str(&m.Trace)
		case "actor":
			return 16, p.actor(&m.Actor)
		}
		return 0, errSlowPath
	})
	return err
}

// actor reads meta's actor object: known keys once each, plain strings.
func (p *scan) actor(a *events.Actor) error {
	_, err := p.object(func(key []byte) (int, error) {
		switch string(key) {
		case "user":
			return 1, p.str(&a.User)
		case "organisation":
			return 2, p.str(&a.Organisation)
		case "role":
			return 4, p.str(&a.Role)
		}
		return 0, errSlowPath
	})
	return err
}
