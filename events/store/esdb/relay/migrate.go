package relay

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// ErrNotACopy: the target log holds events that are not the source's, in the source's
// order: it is neither empty nor an interrupted migration of this source.
var ErrNotACopy = errors.New("relay: the target log is not a copy of the source")

// MigrateStats reports a migration.
type MigrateStats struct {
	// Events is how many events the source holds; Copied how many this run appended
	// (the others were there from an interrupted run).
	Events, Copied uint64
}

// Migrate copies the whole source log into the target log, event by event in the
// source's order (Copy: the same IDs, revisions, times, payloads and hashes; positions
// are the target's), then reads both logs again and checks that they hold the same
// events in the same order and that every stream's hash chain holds in the target.
//
// It is resumable: the target may hold the beginning of the source (an interrupted
// migration); copying resumes after the target's last event. progress, when not nil, is
// called with the number of source events done so far and their total.
func Migrate(ctx context.Context, src, dst store.Store, progress func(done, total uint64)) (MigrateStats, error) {
	if progress == nil {
		progress = func(uint64, uint64) {}
	}
	var st MigrateStats
	for _, err := range src.ReadAll(ctx, store.Start) {
		if err != nil {
			return st, fmt.Errorf("relay: reading the source: %w", err)
		}
		st.Events++
	}
	last, err := lastEvent(ctx, dst)
	if err != nil {
		return st, err
	}
	resume := last == nil
	var done uint64
	for e, err := range src.ReadAll(ctx, store.Start) {
		if err != nil {
			return st, fmt.Errorf("relay: reading the source: %w", err)
		}
		done++
		if !resume {
			resume = e.ID == last.ID
			continue
		}
		if err := Copy(ctx, dst, e); err != nil {
			return st, err
		}
		st.Copied++
		progress(done, st.Events)
	}
	if !resume {
		return st, fmt.Errorf("%w: its last event %s is not in the source", ErrNotACopy, last.ID)
	}
	progress(done, st.Events)
	return st, Compare(ctx, src, dst)
}

// lastEvent returns the log's last event, nil when it is empty.
func lastEvent(ctx context.Context, s store.Store) (*events.Event, error) {
	head, err := s.Head(ctx)
	if err != nil || head == store.Start {
		return nil, err
	}
	for e, err := range s.ReadAll(ctx, head) {
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
	return nil, nil
}

// Compare checks that two logs hold the same events (everything the hash covers, and
// the hash) in the same order, and that the second's hash chains hold.
func Compare(ctx context.Context, a, b store.Store) error {
	next, stop := iter.Pull2(a.ReadAll(ctx, store.Start))
	defer stop()
	chains := events.NewChainVerifier()
	var n uint64
	for eb, err := range b.ReadAll(ctx, store.Start) {
		if err != nil {
			return fmt.Errorf("relay: reading the target: %w", err)
		}
		ea, err, ok := next()
		if err != nil {
			return fmt.Errorf("relay: reading the source: %w", err)
		}
		if !ok {
			return fmt.Errorf("%w: it holds more than the source's %d events", ErrNotACopy, n)
		}
		if err := sameEvent(ea, eb); err != nil {
			return fmt.Errorf("%w: event %d: %w", ErrNotACopy, n, err)
		}
		if err := chains.Check(eb); err != nil {
			return fmt.Errorf("relay: the target's hash chain: %w", err)
		}
		n++
	}
	if _, err, ok := next(); err != nil || ok {
		return fmt.Errorf("%w: it holds only %d events of the source (%v)", ErrNotACopy, n, err)
	}
	return nil
}

// sameEvent compares two copies of an event byte for byte on their canonical encoding
// (every field but the position) and on their hash.
func sameEvent(a, b events.Event) error {
	ca, err := events.Canonical(a)
	if err != nil {
		return err
	}
	cb, err := events.Canonical(b)
	if err != nil {
		return err
	}
	if string(ca) != string(cb) || a.Hash != b.Hash {
		return fmt.Errorf("%s differs from the source's %s", b.ID, a.ID)
	}
	return nil
}
