package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/presence"
)

var errNoRoute = errcode.NotFound.With("no such API route")

// Close codes sent on the live websocket.
const (
	// CloseSlowConsumer: the client did not read fast enough; it should reconnect and
	// resubscribe with its last positions (RFC 6455 1013 "try again later").
	CloseSlowConsumer = websocket.CloseTryAgainLater
	// CloseProtocol: the client sent something that is not the live protocol.
	CloseProtocol = websocket.ClosePolicyViolation
	// CloseRateLimited ends a connection whose client sends more messages than
	// LiveConfig allows (a private-use code, 4000–4999, as RFC 6455 permits).
	CloseRateLimited = 4429
	// CloseUnauthenticated ends a connection whose session ended (signed out, expired,
	// account disabled): the client goes back to its sign-in page.
	CloseUnauthenticated = 4401
)

// LiveConfig tunes the live websocket.
type LiveConfig struct {
	// MaxMessageBytes bounds one client message (4 KiB by default).
	MaxMessageBytes int64
	// SendBuffer is how many messages may wait for a slow client before it is
	// disconnected (256 by default).
	SendBuffer int
	// PingInterval is the keepalive period (30 s by default); a client that does not
	// answer within two periods is disconnected.
	PingInterval time.Duration
	// MaxSubscriptions bounds the views one connection follows (32 by default).
	MaxSubscriptions int
	// MessageRate and MessageBurst bound the messages a client may send: a sustained
	// rate per second (10 by default) with bursts (40 by default). A client over the
	// limit is disconnected with CloseRateLimited.
	MessageRate  float64
	MessageBurst int
	// Recheck is how often a connection's session is checked again (30 s by default): a
	// connection outliving its session is closed with CloseUnauthenticated.
	Recheck time.Duration
}

// Validate checks the configuration.
func (c LiveConfig) Validate() error {
	if c.MaxMessageBytes < 0 || c.SendBuffer < 0 || c.PingInterval < 0 || c.MaxSubscriptions < 0 || c.MessageRate < 0 || c.MessageBurst < 0 || c.Recheck < 0 {
		return errors.New("gateway: live limits must not be negative")
	}
	return nil
}

func (c LiveConfig) withDefaults() LiveConfig {
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 4 << 10
	}
	if c.Recheck == 0 {
		c.Recheck = 30 * time.Second
	}
	if c.MessageRate == 0 {
		c.MessageRate = 10
	}
	if c.MessageBurst == 0 {
		c.MessageBurst = 40
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = 256
	}
	if c.PingInterval == 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.MaxSubscriptions == 0 {
		c.MaxSubscriptions = 32
	}
	return c
}

// ClientMessage is what a browser sends on the live websocket: "subscribe" or
// "unsubscribe" a view key (since: the position it holds), or "presence" in a document
// followed as "presence:<id>" (its cursor, and the text's version the cursor refers to).
type ClientMessage struct {
	Type    string           `json:"type"`
	View    string           `json:"view"`
	Since   uint64           `json:"since"`
	Cursor  *presence.Cursor `json:"cursor,omitempty"`
	Version int              `json:"version,omitempty"`
}

// ServerMessage is what the gateway sends: "snapshot", "patch" or "error".
type ServerMessage struct {
	Type     string `json:"type"`
	View     string `json:"view,omitempty"`
	Position uint64 `json:"position"`
	Items    []any  `json:"items"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// DecodeClientMessage parses and checks one client message.
func DecodeClientMessage(b []byte) (ClientMessage, error) {
	var m ClientMessage
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, errcode.InvalidJSON.With("%v", err)
	}
	if dec.More() {
		return m, errcode.InvalidJSON.With("one JSON object per message")
	}
	switch m.Type {
	case "subscribe", "unsubscribe":
		if m.View == "" {
			return m, errcode.ValidationFailed.WithFields(map[string]string{"view": "required"})
		}
	case "presence":
		if name, doc := SplitViewKey(m.View); name != PresenceKey || !presence.ValidDoc(doc) {
			return m, errcode.ValidationFailed.WithFields(map[string]string{"view": "presence:<document id>"})
		}
		if c := m.Cursor; c != nil && (c.Anchor < 0 || c.Head < 0 || c.Anchor > maxCursor || c.Head > maxCursor) || m.Version < 0 {
			return m, errcode.ValidationFailed.WithFields(map[string]string{"cursor": "min=0"})
		}
	default:
		return m, errcode.ValidationFailed.WithFields(map[string]string{"type": "oneof=subscribe unsubscribe presence"})
	}
	return m, nil
}

type hub struct {
	cfg     LiveConfig
	views   Views
	origins map[string]bool
	log     *slog.Logger
	up      websocket.Upgrader

	// presence carries who is in which document between gateways (nil: none);
	// presenceView is the view whose row a reader must see to be in a document.
	presence     presence.Bus
	presenceView string
	stopPresence func()

	mu     sync.Mutex
	conns  map[*liveConn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func newHub(cfg LiveConfig, views Views, origins []string, log *slog.Logger) *hub {
	h := &hub{cfg: cfg, views: views, origins: map[string]bool{}, log: log, conns: map[*liveConn]struct{}{}}
	for _, o := range origins {
		h.origins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	h.up = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096, CheckOrigin: h.checkOrigin}
	return h
}

// checkOrigin allows clients without an Origin (scripts, tests), the gateway's own
// origin, and the configured ones. Browsers always send an Origin, so a page on another
// site cannot open a live connection with the user's cookies.
func (h *hub) checkOrigin(r *http.Request) bool { return h.sameOrigin(r, false) }

// sameOrigin reports whether r comes from the gateway's own origin or an allowed one;
// a request without Origin passes unless required is set.
func (h *hub) sameOrigin(r *http.Request, required bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return !required
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return h.origins[strings.ToLower(u.Scheme+"://"+u.Host)]
}

func (h *hub) serve(w http.ResponseWriter, r *http.Request, actor events.Actor, mayRead func(events.Actor, string) error,
	recheck func() error) {
	ws, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader already answered with an HTTP error
	}
	c := &liveConn{hub: h, ws: ws, send: make(chan any, h.cfg.SendBuffer), actor: actor, mayRead: mayRead, recheck: recheck,
		id: uuid.NewString(), subs: map[string]liveSub{}, docs: map[string]bool{}, announced: map[string]presence.Peer{}, done: make(chan struct{}),
		budget: float64(h.cfg.MessageBurst), refilled: time.Now()}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	h.conns[c] = struct{}{}
	h.wg.Add(2)
	h.mu.Unlock()
	go c.writeLoop()
	go c.readLoop()
}

func (h *hub) close() {
	if h.stopPresence != nil {
		h.stopPresence()
	}
	h.mu.Lock()
	h.closed = true
	conns := make([]*liveConn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.shutdown(websocket.CloseGoingAway, "server shutting down")
	}
	h.wg.Wait()
}

// liveConn is one browser tab. One goroutine reads, one writes; every subscription has a
// forwarding goroutine. All of them end when done is closed.
type liveConn struct {
	hub  *hub
	ws   *websocket.Conn
	send chan any
	// actor is who opened the connection; mayRead filters its subscriptions.
	actor   events.Actor
	mayRead func(events.Actor, string) error
	// recheck is nil while the session still holds (nil func: nothing to check).
	recheck func() error
	// budget is the token bucket of the message rate limit, refilled since refilled;
	// only the read loop touches them.
	budget   float64
	refilled time.Time

	// id names the connection in presence messages.
	id string

	mu   sync.Mutex
	subs map[string]liveSub
	// docs are the documents whose presence the connection follows; announced, where it
	// said it is (its last presence there).
	docs      map[string]bool
	announced map[string]presence.Peer
	done      chan struct{}
	closeOnce sync.Once
	closeCode int
	closeText string
}

// spend takes one message from the rate limit's budget, refilled at MessageRate per
// second up to MessageBurst; false when the budget is spent.
func (c *liveConn) spend(now time.Time) bool {
	c.budget = min(float64(c.hub.cfg.MessageBurst), c.budget+now.Sub(c.refilled).Seconds()*c.hub.cfg.MessageRate)
	c.refilled = now
	if c.budget < 1 {
		return false
	}
	c.budget--
	return true
}

// shutdown ends the connection with a close code; the first reason wins.
func (c *liveConn) shutdown(code int, text string) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closeCode, c.closeText = code, text
		for _, s := range c.subs {
			s.view.Unsubscribe(s.sub)
			s.sub.Close()
		}
		left := c.announced
		c.announced, c.docs = map[string]presence.Peer{}, map[string]bool{}
		c.mu.Unlock()
		close(c.done)
		for doc, p := range left {
			c.hub.publishPresence(doc, presence.Peer{ID: p.ID, Gone: true, At: time.Now().UTC()})
		}
	})
}

// enqueue queues a message without blocking; a full queue means a slow client.
func (c *liveConn) enqueue(m any) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- m:
		return true
	default:
		c.shutdown(CloseSlowConsumer, "too slow: reconnect and resubscribe with your last position")
		return false
	}
}

func (c *liveConn) readLoop() {
	defer c.hub.wg.Done()
	defer c.shutdown(websocket.CloseNormalClosure, "")
	c.ws.SetReadLimit(c.hub.cfg.MaxMessageBytes)
	wait := 2 * c.hub.cfg.PingInterval
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(wait)) })
	for {
		kind, b, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.shutdown(websocket.CloseMessageTooBig, "message too big")
			}
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(wait))
		if !c.spend(time.Now()) {
			c.shutdown(CloseRateLimited, "too many messages: slow down")
			return
		}
		if kind != websocket.TextMessage {
			c.shutdown(CloseProtocol, "text JSON messages only")
			return
		}
		m, err := DecodeClientMessage(b)
		if err != nil {
			e := errcode.From(err)
			c.enqueue(ServerMessage{Type: "error", Code: e.Code, Message: e.Error(), Items: []any{}})
			continue
		}
		c.handle(m)
	}
}

// liveSub is one subscription of a connection: a view, or one row of it.
type liveSub struct {
	view *projections.View
	sub  *projections.Subscriber
}

// SplitViewKey splits a subscription key: "opinions" follows the whole view, and
// "opinion-details:<id>" follows the one row with that ID.
func SplitViewKey(key string) (view, row string) {
	view, row, _ = strings.Cut(key, ":")
	return view, row
}

func (c *liveConn) handle(m ClientMessage) {
	name, row := SplitViewKey(m.View)
	if name == PresenceKey {
		c.handlePresence(m, row)
		return
	}
	v, ok := c.hub.views.View(name)
	if !ok {
		c.enqueue(ServerMessage{Type: "error", View: m.View, Code: errcode.UnknownView.Code, Message: "unknown view " + m.View, Items: []any{}})
		return
	}
	if c.mayRead != nil && m.Type == "subscribe" {
		if err := c.mayRead(c.actor, name); err != nil {
			e := errcode.From(err)
			c.enqueue(ServerMessage{Type: "error", View: m.View, Code: e.Code, Message: e.EN, Items: []any{}})
			return
		}
	}
	s, refused := c.swapSubscription(m.View, v, row, m.Type == "subscribe")
	if refused {
		c.enqueue(ServerMessage{Type: "error", View: m.View, Code: errcode.RateLimited.Code,
			Message: fmt.Sprintf("at most %d views per connection", c.hub.cfg.MaxSubscriptions), Items: []any{}})
		return
	}
	if s == nil {
		return
	}
	pos, rows, snapshot := v.Subscribe(m.Since, s)
	select {
	case <-c.done: // closed meanwhile: shutdown may have missed this registration
		v.Unsubscribe(s)
		return
	default:
	}
	kind := "patch"
	if snapshot {
		kind = "snapshot"
	}
	if rows == nil {
		rows = []any{}
	}
	// The first message is the snapshot (or the catch-up patch); the forwarder, started
	// only afterwards, sends the live patches that follow it, in order.
	if !c.enqueue(ServerMessage{Type: kind, View: m.View, Position: pos, Items: rows}) {
		return
	}
	c.hub.wg.Add(1)
	go c.forward(m.View, s)
}

// swapSubscription drops the connection's current subscription under key, and when
// subscribe is set registers a new subscriber to v (or its one row) under that key (nil
// when the connection is closing). refused reports that the connection follows too many
// views already.
func (c *liveConn) swapSubscription(key string, v *projections.View, row string, subscribe bool) (s *projections.Subscriber, refused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.subs[key]; ok {
		old.view.Unsubscribe(old.sub)
		old.sub.Close()
		delete(c.subs, key)
	}
	select {
	case <-c.done:
		return nil, false
	default:
	}
	if !subscribe {
		return nil, false
	}
	if len(c.subs) >= c.hub.cfg.MaxSubscriptions {
		return nil, true
	}
	s = projections.NewSubscriber(c.hub.cfg.SendBuffer, c.actor, row)
	c.subs[key] = liveSub{view: v, sub: s}
	return s, false
}

func (c *liveConn) forward(key string, s *projections.Subscriber) {
	defer c.hub.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case p, ok := <-s.C():
			if !ok {
				if s.Overflowed() {
					c.mu.Lock()
					current := false
					for _, cur := range c.subs {
						current = current || cur.sub == s
					}
					c.mu.Unlock()
					if current {
						c.shutdown(CloseSlowConsumer, "too slow: reconnect and resubscribe with your last position")
					}
				}
				return
			}
			if !c.enqueue(ServerMessage{Type: "patch", View: key, Position: p.Position, Items: p.Rows}) {
				return
			}
		}
	}
}

func (c *liveConn) writeLoop() {
	defer c.hub.wg.Done()
	defer func() {
		c.hub.mu.Lock()
		delete(c.hub.conns, c)
		c.hub.mu.Unlock()
		_ = c.ws.Close()
	}()
	ping := time.NewTicker(c.hub.cfg.PingInterval)
	defer ping.Stop()
	recheck := time.NewTicker(c.hub.cfg.Recheck)
	defer recheck.Stop()
	for {
		select {
		case <-recheck.C:
			if c.recheck != nil && c.recheck() != nil {
				c.shutdown(CloseUnauthenticated, "session ended: sign in again")
			}
		case <-c.done:
			c.mu.Lock()
			code, text := c.closeCode, c.closeText
			c.mu.Unlock()
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
			return
		case m := <-c.send:
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WriteJSON(m); err != nil {
				c.shutdown(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)); err != nil {
				c.shutdown(websocket.CloseAbnormalClosure, "")
				return
			}
		}
	}
}
