// Package events defines Comité's event envelope, the explicit registry of event types
// with their upcasters, the canonical encoding and the per-stream SHA-256 hash chain.
//
// Events are the only source of truth: every service decides by emitting events, every
// read model is a fold over them, and auditors verify them offline.
package events

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Actor is who caused an event: the authenticated user, the organisation they act for
// and the role they acted in. It always comes from the session, never from a request body.
type Actor struct {
	User         string `json:"user,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Role         string `json:"role,omitempty"`
}

// Meta carries the provenance of an event: which command produced it, the conversation it
// belongs to (correlation) and the message that directly caused it (causation).
type Meta struct {
	CommandID     string `json:"command_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	Actor         Actor  `json:"actor"`
	Trace         string `json:"trace,omitempty"`
}

// Event is the envelope of DESIGN.md, as stored and as sent on the wire.
//
// Revision, Position, PrevHash and Hash are assigned by the store at append; Position is
// the only field not covered by the hash, because it is known only once the log has
// accepted the event (and differs between stores, e.g. after a migration).
type Event struct {
	ID       uuid.UUID       `json:"id"`
	Type     string          `json:"type"`
	Schema   int             `json:"schema"`
	Stream   string          `json:"stream"`
	Revision uint64          `json:"revision"`
	Position uint64          `json:"position"`
	Time     time.Time       `json:"time"`
	Meta     Meta            `json:"meta"`
	Data     json.RawMessage `json:"data"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// Payload is implemented by every event payload type. EventType returns the stable type
// string `<context>.<aggregate>.<past_tense>`; it is a constant written by hand, never
// derived from the Go type name, so that renaming Go code never renames history.
type Payload interface {
	EventType() string
}

// StreamName joins an aggregate category and its ID into a stream name, following
// EventStoreDB's category-id convention: "opinion-6f1c…".
func StreamName(category string, id uuid.UUID) string {
	return category + "-" + id.String()
}

// SplitStream returns the category and ID part of a stream name.
func SplitStream(stream string) (category, id string, ok bool) {
	return strings.Cut(stream, "-")
}

// ValidStream reports whether a stream name is usable in every store: a lower-case
// category of letters, then "-", then an ID of letters, digits and "-".
func ValidStream(stream string) error {
	cat, id, ok := SplitStream(stream)
	if !ok || cat == "" || id == "" || len(stream) > 200 {
		return fmt.Errorf("events: stream %q is not <category>-<id>", stream)
	}
	for _, r := range cat {
		if r < 'a' || r > 'z' {
			return fmt.Errorf("events: stream category %q must be lower-case letters", cat)
		}
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("events: stream id %q must be letters, digits and '-'", id)
		}
	}
	return nil
}

// eventNamespace is the UUID namespace of derived event IDs.
var eventNamespace = uuid.MustParse("9b0b6c1e-4c1a-4e47-9d8e-6a8f2f0c5e10")

// DeriveID returns the ID of the index-th event produced by a command: a retried command
// produces the same IDs, which makes its append idempotent.
func DeriveID(commandID string, index int) uuid.UUID {
	return uuid.NewSHA1(eventNamespace, fmt.Appendf(nil, "%s/%d", commandID, index))
}
