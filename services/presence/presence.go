// Package presence carries who is in a document, and where their cursor is, between the
// gateways: volatile messages over core NATS, never stored (DESIGN.md, "presence"). Each
// gateway publishes its own clients' presence and forwards everyone else's to the
// clients that follow the document.
package presence

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// SubjectPrefix is the subjects' prefix: presence of document D is on SubjectPrefix+D.
const SubjectPrefix = "comite.presence."

// Cursor is a selection in a document, in UTF-16 code units (CodeMirror's positions).
type Cursor struct {
	Anchor int `json:"anchor"`
	Head   int `json:"head"`
}

// Peer is one client (a browser tab) in a document. ID identifies the client; Gone says
// it left; Hello asks every client in the document to announce itself again (sent by a
// client that just arrived). Version is the text's version the cursor refers to.
type Peer struct {
	ID           string    `json:"id"`
	User         string    `json:"user,omitempty"`
	Organisation string    `json:"organisation_id,omitempty"`
	Role         string    `json:"role,omitempty"`
	Cursor       *Cursor   `json:"cursor,omitempty"`
	Version      int       `json:"version,omitempty"`
	At           time.Time `json:"at"`
	Gone         bool      `json:"removed,omitempty"`
	Hello        bool      `json:"hello,omitempty"`
}

// Bus publishes and receives presence.
type Bus interface {
	Publish(doc string, p Peer) error
	// Subscribe calls fn for every presence message of every document until stop.
	Subscribe(fn func(doc string, p Peer)) (stop func(), err error)
}

// NATS is the Bus on a NATS connection (core NATS: at most once, nothing stored).
type NATS struct{ nc *nats.Conn }

// NewNATS returns the presence bus on nc.
func NewNATS(nc *nats.Conn) (*NATS, error) {
	if nc == nil {
		return nil, errors.New("presence: a NATS connection is required")
	}
	return &NATS{nc: nc}, nil
}

// ValidDoc reports whether doc can be a subject token: not empty, no dots, wildcards
// or spaces.
func ValidDoc(doc string) bool {
	return doc != "" && len(doc) <= 100 && !strings.ContainsAny(doc, ".*> \t\r\n")
}

// Publish implements Bus.
func (b *NATS) Publish(doc string, p Peer) error {
	if !ValidDoc(doc) {
		return fmt.Errorf("presence: invalid document %q", doc)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return b.nc.Publish(SubjectPrefix+doc, data)
}

// Subscribe implements Bus; messages that do not decode are dropped.
func (b *NATS) Subscribe(fn func(doc string, p Peer)) (func(), error) {
	sub, err := b.nc.Subscribe(SubjectPrefix+"*", func(m *nats.Msg) {
		var p Peer
		if json.Unmarshal(m.Data, &p) != nil || p.ID == "" {
			return
		}
		fn(strings.TrimPrefix(m.Subject, SubjectPrefix), p)
	})
	if err != nil {
		return nil, fmt.Errorf("presence: subscribing: %w", err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}
