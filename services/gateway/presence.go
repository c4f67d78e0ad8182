package gateway

import (
	"errors"
	"time"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/presence"
)

// PresenceKey is the live key prefix of a document's presence: "presence:<document id>".
// Following it gives a snapshot (empty: presence is not stored) then one patch per
// message of the others in the document, each row a presence.Peer whose id is its tab
// (removed: it left). Clients announce themselves again every so often: a row not heard
// from for a while is gone (the client drops it).
const PresenceKey = "presence"

// maxCursor bounds cursor positions (the longest text is 200 000 characters).
const maxCursor = 1 << 20

// usePresence wires the hub to a presence bus; readers of a document are those who may
// read its row of view.
func (h *hub) usePresence(bus presence.Bus, view string) error {
	if bus == nil {
		return nil
	}
	stop, err := bus.Subscribe(h.onPresence)
	if err != nil {
		return err
	}
	h.presence, h.presenceView, h.stopPresence = bus, view, stop
	return nil
}

// publishPresence sends a presence message; presence is volatile, so a failure is
// logged, never an error for the client.
func (h *hub) publishPresence(doc string, p presence.Peer) {
	if h.presence == nil {
		return
	}
	if err := h.presence.Publish(doc, p); err != nil {
		h.log.Debug("presence not published", "doc", doc, "err", err)
	}
}

// onPresence forwards a presence message to this gateway's connections that follow the
// document (not to the one that sent it); a hello makes those present announce
// themselves again, for the newcomer.
func (h *hub) onPresence(doc string, p presence.Peer) {
	h.mu.Lock()
	conns := make([]*liveConn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		if c.id == p.ID {
			continue
		}
		c.mu.Lock()
		follows, mine, present := c.docs[doc], c.announced[doc], false
		if mine.ID != "" {
			present = true
		}
		c.mu.Unlock()
		if p.Hello {
			if present {
				mine.At = time.Now().UTC()
				h.publishPresence(doc, mine)
			}
			continue
		}
		if follows {
			c.enqueue(ServerMessage{Type: "patch", View: PresenceKey + ":" + doc, Items: []any{p}})
		}
	}
}

// mayJoin reports whether the connection's reader may see the document's row.
func (c *liveConn) mayJoin(doc string) error {
	h := c.hub
	if h.presence == nil {
		return errcode.NotFound.With("presence is not available on this server")
	}
	v, ok := h.views.View(h.presenceView)
	if !ok {
		return errcode.UnknownView.With("%s", h.presenceView)
	}
	if c.mayRead != nil {
		if err := c.mayRead(c.actor, v.Name()); err != nil {
			return err
		}
	}
	if _, _, err := v.GetFor(c.actor, doc); errors.Is(err, projections.ErrNotFound) {
		return errcode.NotFound.With("%s/%s", v.Name(), doc)
	}
	return nil
}

// handlePresence follows or leaves a document's presence, or announces where the
// client is in it.
func (c *liveConn) handlePresence(m ClientMessage, doc string) {
	key := PresenceKey + ":" + doc
	refuse := func(err error) {
		e := errcode.From(err)
		c.enqueue(ServerMessage{Type: "error", View: key, Code: e.Code, Message: e.EN + " " + e.Detail, Items: []any{}})
	}
	if m.Type != "unsubscribe" {
		if !presence.ValidDoc(doc) {
			refuse(errcode.ValidationFailed.WithFields(map[string]string{"view": "presence:<document id>"}))
			return
		}
		if err := c.mayJoin(doc); err != nil {
			refuse(err)
			return
		}
	}
	now := time.Now().UTC()
	c.mu.Lock()
	switch m.Type {
	case "subscribe":
		if !c.docs[doc] && len(c.docs)+len(c.subs) >= c.hub.cfg.MaxSubscriptions {
			c.mu.Unlock()
			refuse(errcode.RateLimited.With("at most %d views per connection", c.hub.cfg.MaxSubscriptions))
			return
		}
		c.docs[doc] = true
		c.mu.Unlock()
		if c.enqueue(ServerMessage{Type: "snapshot", View: key, Items: []any{}}) {
			c.hub.publishPresence(doc, presence.Peer{ID: c.id, Hello: true, At: now})
		}
	case "unsubscribe":
		delete(c.docs, doc)
		_, was := c.announced[doc]
		delete(c.announced, doc)
		c.mu.Unlock()
		if was {
			c.hub.publishPresence(doc, presence.Peer{ID: c.id, Gone: true, At: now})
		}
	default: // presence
		if !c.docs[doc] {
			c.mu.Unlock()
			refuse(errcode.ValidationFailed.With("subscribe to %s first", key))
			return
		}
		p := presence.Peer{ID: c.id, User: c.actor.User, Organisation: c.actor.Organisation, Role: c.actor.Role,
			Cursor: m.Cursor, Version: m.Version, At: now}
		c.announced[doc] = p
		c.mu.Unlock()
		c.hub.publishPresence(doc, p)
	}
}
