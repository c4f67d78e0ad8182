package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// Subscribe delivers every event after position after: an ordered consumer (ephemeral,
// no acks, flow-controlled) over all event subjects, starting at sequence after+1.
// JetStream delivers the backlog and then live messages as one sequence, and the client
// recreates the consumer from the last delivered sequence on any gap or missed
// heartbeat, so there is no catch-up/live switch to get wrong. When the server goes
// away (a restart, a cluster leader change) the subscription resumes after the last
// event it delivered, with growing pauses; it ends with Close, when ctx is canceled,
// when the store is closed, when the connection is closed (ErrClosed), or on a stored
// message that is not an event.
func (s *Store) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	it, err := s.consume(ctx, after)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		it.Stop()
		return nil, fmt.Errorf("jetstream store: %w", store.ErrClosed)
	}
	s.subs.Add(1) // under mu, so never after Close has started waiting
	s.mu.Unlock()
	subCtx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.life, cancel)
	feed := store.NewFeed(s.cfg.SubscribeBuffer, cancel)
	feed.Run(func(ch chan<- events.Event) error { return s.follow(subCtx, it, after, ch) }, func() {
		stopOnClose()
		s.subs.Done()
	})
	return feed, nil
}

// consume starts an ordered consumer after position after. It tries each consumer
// (re)creation once: retrying is follow's job, where waits end with the context (the
// client's own retry loop cannot be interrupted).
func (s *Store) consume(ctx context.Context, after store.Position) (natsjs.MessagesContext, error) {
	cfg := natsjs.OrderedConsumerConfig{FilterSubjects: []string{s.all}, DeliverPolicy: natsjs.DeliverAllPolicy, MaxResetAttempts: 1}
	if after > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = natsjs.DeliverByStartSequencePolicy, after+1
	}
	rctx, cancel := s.requestContext(ctx)
	defer cancel()
	cons, err := s.js.OrderedConsumer(rctx, s.cfg.Stream, cfg)
	if err != nil {
		return nil, s.mapErr(ctx, "subscribe", err)
	}
	it, err := cons.Messages(natsjs.PullMaxMessages(s.cfg.SubscribeBuffer))
	if err != nil {
		return nil, s.mapErr(ctx, "subscribe", err)
	}
	return it, nil
}

// follow forwards events until ctx ends (nil) or the subscription cannot go on; on a
// transient failure it starts a new consumer after the last event delivered.
func (s *Store) follow(ctx context.Context, it natsjs.MessagesContext, after uint64, ch chan<- events.Event) error {
	last := after
	for failures := 0; ; {
		delivered, err := s.deliver(ctx, it, &last, ch)
		it.Stop()
		if delivered {
			failures = 0
		}
		for {
			switch {
			case ctx.Err() != nil:
				return nil
			case s.nc.IsClosed():
				return fmt.Errorf("jetstream store: subscription: connection closed: %w", store.ErrClosed)
			case errors.Is(err, errCorrupt):
				return err
			}
			failures++
			if err := store.Backoff(ctx, failures, 50*time.Millisecond, 2*time.Second); err != nil {
				return nil
			}
			if it, err = s.consume(ctx, last); err == nil {
				break
			}
		}
	}
}

// deliver decodes and forwards messages until ctx ends or the iterator fails; it
// reports whether it passed on any event.
func (s *Store) deliver(ctx context.Context, it natsjs.MessagesContext, last *uint64, ch chan<- events.Event) (bool, error) {
	delivered := false
	for {
		msg, err := it.Next(natsjs.NextContext(ctx))
		if ctx.Err() != nil {
			return delivered, nil
		}
		if err != nil {
			return delivered, s.mapErr(ctx, "subscription", err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return delivered, fmt.Errorf("jetstream store: subscription: %w", err)
		}
		seq := md.Sequence.Stream
		if seq <= *last {
			continue // redelivered after a consumer reset: already passed on
		}
		e, err := decode(s.cfg.SubjectPrefix, msg.Subject(), seq, msg.Headers(), msg.Data())
		if err != nil {
			return delivered, err
		}
		select {
		case ch <- e:
			*last, delivered = seq, true
		case <-ctx.Done():
			return delivered, nil
		}
	}
}
