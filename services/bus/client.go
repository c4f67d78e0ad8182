package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Sender sends one command and waits for its reply: a *Client over NATS, or an HTTP
// client of the gateway. The gateway, process managers and the demo seeder take one.
type Sender interface {
	Send(ctx context.Context, req Request) (Reply, error)
}

// ClientOptions configures a Client.
type ClientOptions struct {
	// Timeout bounds each Send when the context has no earlier deadline
	// (DefaultClientTimeout when zero).
	Timeout time.Duration
	// ActorKey signs every request's actor (see ServiceConfig.ActorKey). Only trusted
	// senders hold it: the gateway, which takes the actor from the session, and the
	// process managers.
	ActorKey []byte
}

// Client sends commands over NATS; the gateway and process managers use it. It is safe
// for concurrent use.
type Client struct {
	nc   *nats.Conn
	opts ClientOptions
}

// NewClient returns a client on nc.
func NewClient(nc *nats.Conn, opts ClientOptions) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultClientTimeout
	}
	return &Client{nc: nc, opts: opts}
}

// Send sends a command and waits for its reply. A rejection is returned as an
// *errcode.Error (errors.Is(err, errcode.ValidationFailed) and the like hold); no service
// listening is errcode.Unavailable, no answer in time errcode.Timeout. When req.CommandID
// is empty, Send generates one; the reply carries it.
func (c *Client) Send(ctx context.Context, req Request) (Reply, error) {
	if !ValidName(req.Context) || !ValidName(req.Command) {
		return Reply{}, errcode.UnknownCommand.With("%q.%q", req.Context, req.Command)
	}
	if req.CommandID == "" {
		req.CommandID = uuid.NewString()
	}
	msg := nats.NewMsg(Subject(req.Context, req.Command))
	msg.Data = req.Body
	msg.Header.Set(HeaderCommandID, req.CommandID)
	if req.CorrelationID != "" {
		msg.Header.Set(HeaderCorrelationID, req.CorrelationID)
	}
	if req.CausationID != "" {
		msg.Header.Set(HeaderCausationID, req.CausationID)
	}
	if req.Trace != "" {
		msg.Header.Set(HeaderTrace, req.Trace)
	}
	if req.ExpectedRevision != nil {
		msg.Header.Set(HeaderExpectedRevision, strconv.FormatUint(*req.ExpectedRevision, 10))
	}
	actor := ""
	if req.Actor != (events.Actor{}) {
		b, err := json.Marshal(req.Actor)
		if err != nil {
			return Reply{}, errcode.Internal.With("encoding actor: %v", err)
		}
		actor = string(b)
		msg.Header.Set(HeaderActor, actor)
	}
	if len(c.opts.ActorKey) > 0 {
		msg.Header.Set(HeaderActorSignature, SignActor(c.opts.ActorKey, req.CommandID, req.Context, req.Command, actor))
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	resp, err := c.nc.RequestMsgWithContext(ctx, msg)
	if err != nil {
		return Reply{}, transportError(ctx, err)
	}
	return ParseReply(resp)
}

// ParseReply reads a service's answer: a Reply, or the rejection it carries.
func ParseReply(msg *nats.Msg) (Reply, error) {
	if code := msg.Header.Get(HeaderErrorCode); code != "" {
		var e errcode.Error
		if err := json.Unmarshal(msg.Data, &e); err != nil || e.Code != code {
			desc := msg.Header.Get("Nats-Service-Error")
			if desc == "" {
				desc = code
			}
			return Reply{}, errcode.New(code, http.StatusInternalServerError, desc, desc)
		}
		return Reply{}, &e
	}
	var rep Reply
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		return Reply{}, errcode.Internal.With("unreadable reply: %v", err)
	}
	if rep.Events == nil {
		rep.Events = []EventRef{}
	}
	return rep, nil
}

// transportError maps a failed request to a coded error, keeping the cause for logs.
func transportError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: %w", errcode.Unavailable.With("no service answers"), err)
	case errors.Is(err, context.Canceled) && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("bus: %w", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return fmt.Errorf("%w: %w", errcode.Timeout, err)
	}
	return fmt.Errorf("%w: %w", errcode.Unavailable.With("nats"), err)
}
