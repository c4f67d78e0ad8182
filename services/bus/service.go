package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Decider is a context's decision logic, in the shape the bus runs: how to rebuild an
// aggregate of state S from its events, and what events a command produces. Evolve and
// Decide must be pure: no I/O, no clock, no randomness, no mutation of their arguments.
type Decider[S any] struct {
	// Context is the bounded context, e.g. "membership".
	Context string
	// Commands is the context's catalogue; every spec's Context must be Context.
	Commands []CommandSpec
	// Initial returns the state of an aggregate whose stream is empty (the zero S when nil).
	Initial func() S
	// Evolve folds one event into the state.
	Evolve func(S, events.Payload) S
	// Decide returns the events a command produces, none for a no-op, or a rejection
	// (an *errcode.Error). It receives the command as a value of its struct type, with
	// its Envelope filled in when the struct embeds one.
	Decide func(S, any) ([]events.Payload, error)
	// Stream names the stream of the aggregate a command addresses.
	Stream func(cmd any) string
	// Prepare, when set, runs before every decision, outside the pure core: it may read
	// other aggregates (read-only, e.g. with [Fold]) and returns the command with the facts
	// decide needs filled in (fields tagged json:"-", never read from the body), so that
	// Decide stays a pure function of (state, command). A rejection it returns (an
	// *errcode.Error) is the command's; any other error is internal.
	Prepare func(ctx context.Context, cmd any) (any, error)
}

func (d Decider[S]) validate() error {
	if !ValidName(d.Context) {
		return fmt.Errorf("bus: context %q is not a lower-case kebab-case name", d.Context)
	}
	if d.Evolve == nil || d.Decide == nil || d.Stream == nil {
		return fmt.Errorf("bus: %s: Evolve, Decide and Stream are required", d.Context)
	}
	if len(d.Commands) == 0 {
		return fmt.Errorf("bus: %s: no commands", d.Context)
	}
	seen := map[string]bool{}
	for _, c := range d.Commands {
		if c.Context != d.Context || !ValidName(c.Name) || c.New == nil || seen[c.Name] {
			return fmt.Errorf("bus: %s: bad or duplicate command spec %s.%s", d.Context, c.Context, c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// ServiceConfig configures a Service. Store and Registry are required; Conn is required
// by Start only, so that Execute can be used without NATS when Replies is set.
type ServiceConfig struct {
	Conn     *nats.Conn
	Store    store.Store
	Registry *events.Registry
	// Replies remembers replies by command ID. When nil, Start opens the JetStream KV
	// bucket DefaultRepliesBucket on Conn (shared by every service of the deployment).
	Replies ReplyStore
	// Clock stamps events (time.Now when nil).
	Clock func() time.Time
	// Log defaults to a logger that discards everything.
	Log *slog.Logger
	// Version is the micro service's semantic version ("1.0.0" when empty).
	Version string
	// QueueGroup defaults to "comite-<context>", the service name.
	QueueGroup string
	// MaxAttempts bounds load–decide–append rounds on concurrent writes (5 when zero).
	MaxAttempts int
	// MaxInFlight bounds the requests one instance handles at once (64 when zero).
	MaxInFlight int
	// HandlerTimeout bounds the handling of one request (DefaultHandlerTimeout when zero).
	HandlerTimeout time.Duration
	// Authorize, when set, decides whether the actor may send the command at all
	// (authz.MayCommand in production), before the body is even decoded; object rules
	// stay in decide. Nil lets every actor through: for tests of the bus itself.
	Authorize func(actor events.Actor, context, command string) error
	// ActorKey, when set, is the secret shared with the senders (gateways, process
	// managers): a request arriving over NATS must carry HeaderActorSignature, an HMAC of
	// its actor made with this key, or it is refused as unauthenticated. Without a key,
	// the actor header is trusted: for tests only.
	ActorKey []byte
}

// Validate checks the configuration.
func (c ServiceConfig) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("bus: Store is required"))
	}
	if c.Registry == nil {
		errs = append(errs, errors.New("bus: Registry is required"))
	}
	if c.MaxAttempts < 0 || c.MaxInFlight < 0 || c.HandlerTimeout < 0 {
		errs = append(errs, errors.New("bus: MaxAttempts, MaxInFlight and HandlerTimeout must not be negative"))
	}
	return errors.Join(errs...)
}

func (c ServiceConfig) withDefaults(context string) ServiceConfig {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Version == "" {
		c.Version = "1.0.0"
	}
	if c.QueueGroup == "" {
		c.QueueGroup = ServiceName(context)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 5
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 64
	}
	if c.HandlerTimeout == 0 {
		c.HandlerTimeout = DefaultHandlerTimeout
	}
	return c
}

// ServiceName is the micro service name of a context: "comite-<context>".
func ServiceName(context string) string { return "comite-" + context }

// Service runs one context's commands: over NATS once started, or in process with
// Execute.
type Service struct {
	cfg     ServiceConfig
	context string
	specs   map[string]CommandSpec
	order   []string
	decoder *Decoder
	run     func(ctx context.Context, cmd any, meta events.Meta, expected *uint64) (Reply, error)
	locks   keyedLocks

	mu       sync.Mutex
	replies  ReplyStore
	micro    micro.Service
	cancel   context.CancelFunc
	stopping bool
	inflight sync.WaitGroup
	slots    chan struct{}
	stopOnce sync.Once
}

// NewService returns a service running d's commands. It does not touch NATS until Start.
func NewService[S any](cfg ServiceConfig, d Decider[S]) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults(d.Context)
	s := &Service{cfg: cfg, context: d.Context, specs: map[string]CommandSpec{}, decoder: NewDecoder(),
		slots: make(chan struct{}, cfg.MaxInFlight), replies: cfg.Replies}
	for _, c := range d.Commands {
		s.specs[c.Name] = c
		s.order = append(s.order, c.Name)
	}
	e := &engine[S]{cfg: cfg, d: d}
	s.run = e.run
	return s, nil
}

// Start serves the commands on NATS until Stop or until ctx ends; requests in flight are
// handled under a context derived from ctx.
func (s *Service) Start(ctx context.Context) error {
	if s.cfg.Conn == nil {
		return errors.New("bus: Start needs ServiceConfig.Conn")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.micro != nil || s.stopping {
		return errors.New("bus: service already started or stopped")
	}
	if s.replies == nil {
		js, err := jetstream.New(s.cfg.Conn)
		if err != nil {
			return fmt.Errorf("bus: %w", err)
		}
		kv, err := NewKVReplies(ctx, js, KVRepliesConfig{})
		if err != nil {
			return err
		}
		s.replies = kv
	}
	svc, err := micro.AddService(s.cfg.Conn, micro.Config{
		Name:        ServiceName(s.context),
		Version:     s.cfg.Version,
		Description: "Comité " + s.context + " commands",
		QueueGroup:  s.cfg.QueueGroup,
	})
	if err != nil {
		return fmt.Errorf("bus: starting %s: %w", ServiceName(s.context), err)
	}
	base, cancel := context.WithCancel(ctx)
	group := svc.AddGroup(SubjectPrefix + "." + s.context)
	for _, name := range s.order {
		if err := group.AddEndpoint(name, s.handler(base), micro.WithEndpointMetadata(map[string]string{
			"summary": s.specs[name].Summary})); err != nil {
			cancel()
			_ = svc.Stop()
			return fmt.Errorf("bus: serving %s: %w", Subject(s.context, name), err)
		}
	}
	// Once Start returns, the subscriptions are known to the server: a request sent on
	// another connection finds the service.
	if err := s.cfg.Conn.FlushTimeout(DefaultHandlerTimeout); err != nil {
		cancel()
		_ = svc.Stop()
		return fmt.Errorf("bus: starting %s: %w", ServiceName(s.context), err)
	}
	s.micro, s.cancel = svc, cancel
	s.cfg.Log.Info("bus: serving commands", "service", ServiceName(s.context), "commands", len(s.order))
	return nil
}

// Stop stops taking requests, waits for those in flight and releases the service. It is
// idempotent and may be called without Start.
func (s *Service) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		s.mu.Lock()
		svc, cancel := s.micro, s.cancel
		s.stopping = true
		s.mu.Unlock()
		if svc != nil {
			if e := svc.Stop(); e != nil && !errors.Is(e, nats.ErrConnectionClosed) {
				err = fmt.Errorf("bus: stopping %s: %w", ServiceName(s.context), e)
			}
		}
		s.inflight.Wait()
		if cancel != nil {
			cancel()
		}
	})
	return err
}

// handler turns micro requests into Execute calls, each in its own goroutine (at most
// MaxInFlight at once) so that one slow command does not hold up the others. Replies are
// published on the connection rather than through micro.Request, whose methods must not
// be called once the handler has returned.
func (s *Service) handler(base context.Context) micro.Handler {
	return micro.HandlerFunc(func(r micro.Request) {
		reply, subject, h, data := r.Reply(), r.Subject(), r.Headers(), r.Data()
		select {
		case s.slots <- struct{}{}:
		case <-base.Done():
			s.respond(reply, nil, errcode.Unavailable.With("service stopping"))
			return
		}
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			<-s.slots
			s.respond(reply, nil, errcode.Unavailable.With("service stopping"))
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		go func() {
			defer func() { <-s.slots; s.inflight.Done() }()
			ctx, cancel := context.WithTimeout(base, s.cfg.HandlerTimeout)
			defer cancel()
			s.serve(ctx, reply, subject, h, data)
		}()
	})
}

// serve answers one request.
func (s *Service) serve(ctx context.Context, reply, subject string, h micro.Headers, data []byte) {
	_, command, _ := cutLast(subject)
	req := Request{Context: s.context, Command: command, CommandID: h.Get(HeaderCommandID), Body: data,
		CorrelationID: h.Get(HeaderCorrelationID), CausationID: h.Get(HeaderCausationID), Trace: h.Get(HeaderTrace)}
	if len(s.cfg.ActorKey) > 0 && !VerifyActor(s.cfg.ActorKey, req.CommandID, s.context, command, h.Get(HeaderActor),
		h.Get(HeaderActorSignature)) {
		s.respond(reply, nil, errcode.Unauthenticated.With("the actor of %s is not signed by a trusted sender", req.CommandID))
		return
	}
	if a := h.Get(HeaderActor); a != "" {
		if err := json.Unmarshal([]byte(a), &req.Actor); err != nil {
			s.respond(reply, nil, errcode.ValidationFailed.WithFields(map[string]string{HeaderActor: "json"}))
			return
		}
	}
	if r := h.Get(HeaderExpectedRevision); r != "" {
		n, err := ParseRevision(r)
		if err != nil {
			s.respond(reply, nil, err)
			return
		}
		req.ExpectedRevision = &n
	}
	rep, err := s.Execute(ctx, req)
	if err != nil {
		s.respond(reply, nil, err)
		return
	}
	s.respond(reply, &rep, nil)
}

// respond publishes a reply, or a rejection as micro does: its code in micro's error
// code header, its English message in the error header, its JSON as the body.
func (s *Service) respond(to string, rep *Reply, err error) {
	if to == "" {
		return
	}
	msg := nats.NewMsg(to)
	msg.Header.Set("Content-Type", "application/json")
	var body []byte
	if err == nil {
		body, err = json.Marshal(rep)
	}
	if err != nil {
		e := errcode.From(err)
		body, _ = json.Marshal(e)
		msg.Header.Set(micro.ErrorHeader, e.EN)
		msg.Header.Set(micro.ErrorCodeHeader, e.Code)
	}
	msg.Data = body
	if perr := s.cfg.Conn.PublishMsg(msg); perr != nil {
		s.cfg.Log.Warn("bus: reply not sent", "to", to, "err", perr)
	}
}

// cutLast splits a subject at its last dot.
func cutLast(subject string) (before, after string, ok bool) {
	for i := len(subject) - 1; i >= 0; i-- {
		if subject[i] == '.' {
			return subject[:i], subject[i+1:], true
		}
	}
	return "", subject, false
}

// keyedLocks serialises requests that share a command ID within one instance, so that a
// duplicate waits for the first and then finds its reply instead of deciding again.
type keyedLocks struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedLocks) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
