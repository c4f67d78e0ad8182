package esdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// Subscribe delivers every Comité event after position after: a catch-up subscription
// to $all (the server sends the backlog, then live events, in one sequence; its starting
// point is exclusive). EventStoreDB's own events are skipped. When the subscription
// drops (a server restart, a network cut) it resumes after the last event it delivered,
// with growing pauses; it ends with Close, when ctx is canceled, when the store is
// closed, or on a stored event that is not a Comité event.
func (s *Store) Subscribe(ctx context.Context, after store.Position) (store.Subscription, error) {
	// The first subscription counts as a call in flight; the feed's goroutine, as a
	// subscription (subs).
	_, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	subCtx, cancel := context.WithCancel(ctx)
	first, err := s.subscribeAfter(subCtx, after)
	if err != nil {
		cancel()
		return nil, s.mapErr(ctx, "subscribe", err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = first.Close()
		return nil, fmt.Errorf("esdb store: %w", store.ErrClosed)
	}
	s.subs.Add(1) // under mu, so never after Close has started waiting
	s.mu.Unlock()
	stopOnClose := context.AfterFunc(s.life, cancel)
	feed := store.NewFeed(s.cfg.SubscribeBuffer, cancel)
	feed.Run(func(ch chan<- events.Event) error { return s.follow(subCtx, first, after, ch) }, func() {
		stopOnClose()
		s.subs.Done()
	})
	return feed, nil
}

// subscribeAfter opens a $all subscription strictly after position after.
func (s *Store) subscribeAfter(ctx context.Context, after store.Position) (*client.Subscription, error) {
	var from client.AllPosition = client.Start{}
	if after > store.Start {
		from = client.Position{Commit: after, Prepare: after}
	}
	return guard(ctx, s.cfg.RequestTimeout, &s.pending, func() (*client.Subscription, error) {
		return s.client.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: from})
	})
}

// follow forwards events until ctx ends (nil) or the subscription cannot go on; when
// the server drops it, it subscribes again after the last event delivered.
func (s *Store) follow(ctx context.Context, sub *client.Subscription, after store.Position, ch chan<- events.Event) error {
	last := after
	for failures := 0; ; {
		delivered, err := s.deliver(ctx, sub, &last, ch)
		_ = sub.Close()
		if delivered {
			failures = 0
		}
		for {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, errCorrupt) {
				return err
			}
			failures++
			if store.Backoff(ctx, failures, 50*time.Millisecond, 2*time.Second) != nil {
				return nil
			}
			if sub, err = s.subscribeAfter(ctx, last); err == nil {
				break
			}
		}
	}
}

// deliver decodes and forwards events until ctx ends or the subscription drops; it
// reports whether it passed on any event.
func (s *Store) deliver(ctx context.Context, sub *client.Subscription, last *store.Position, ch chan<- events.Event) (bool, error) {
	delivered := false
	for {
		m, err := guard(ctx, 0, &s.pending, func() (*client.SubscriptionEvent, error) { return sub.Recv(), nil })
		if ctx.Err() != nil || err != nil {
			return delivered, nil
		}
		if m.SubscriptionDropped != nil {
			return delivered, s.mapErr(ctx, "subscription", m.SubscriptionDropped.Error)
		}
		if m.EventAppeared == nil {
			continue // CaughtUp, FellBehind, checkpoints
		}
		// Already passed on (after a resubscription), or a system event: skipped.
		e, ok, err := fromAll(m.EventAppeared, s.cfg.StreamPrefix, *last+1, *last)
		if err != nil {
			return delivered, err
		}
		if !ok {
			continue
		}
		select {
		case ch <- e:
			*last, delivered = e.Position, true
		case <-ctx.Done():
			return delivered, nil
		}
	}
}
