package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events/store"
)

// Group commit.
//
// With fsync always, JetStream syncs each stored message on its own, so concurrent
// appends are bounded by the disk's sync rate (and the server's one-message-at-a-time
// ingest). An atomic batch is synced once, however many messages it holds, but costs a
// fixed price of some ten to thirty single messages (the server stages each batch in a
// directory of its own): measured on the project's machines, batches only beat single
// messages from about 50–100 messages up (BenchmarkRawPublish). So appends go on their
// own, each sent by its caller, while at most Config.GroupCommitAfter are in flight;
// beyond that, further appends queue, and a committer goroutine sends what has queued up
// while its previous batch was in flight as ONE atomic batch — each append's messages
// consecutive, its first message carrying its own Nats-Expected-Last-Subject-Sequence —
// and answers each append from the batch's acknowledgement, which comes once the whole
// batch is on disk.
//
// JetStream rejects a batch whole when any of its expectations fails (a stream moved
// under another process) or any event ID is already stored: then each append of the
// batch is sent again on its own, so that only the one at fault is refused and the
// others are stored. Appends to one stream queue on the stream's lock before they read
// its tail, so one process never puts two appends of the same stream in a batch.
// Atomicity holds because a batch is stored whole or not at all: a crash loses the whole
// batch (none of it was acknowledged) or none of it.

// pending is one append waiting for the committer.
type pending struct {
	msgs []*nats.Msg
	// state: 0 queued, 1 taken by the committer, 2 abandoned by its caller.
	state atomic.Int32
	done  chan sent // capacity 1
}

// sent is the outcome of a send: the sequence of the append's last message.
type sent struct {
	seq uint64
	err error
}

const (
	pendingQueued int32 = iota
	pendingTaken
	pendingAbandoned
)

// committer gathers concurrent appends into batches.
type committer struct {
	s     *Store
	after int64 // appends in flight before others queue
	max   int   // messages in a shared batch at most
	wake  chan struct{}
	// inflight counts the appends being sent or queued.
	inflight atomic.Int64

	mu    sync.Mutex
	queue []*pending

	done chan struct{}

	// batches and batched count the shared batches stored and the appends in them.
	batches, batched atomic.Int64
}

func newCommitter(s *Store) *committer {
	c := &committer{s: s, after: int64(s.cfg.GroupCommitAfter), max: s.cfg.MaxEventsPerBatch,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go c.run()
	return c
}

// commit stores msgs (one append's messages, in order, the expectation on the first)
// and returns the last one's sequence once they are durable.
func (s *Store) commit(ctx context.Context, msgs []*nats.Msg) (uint64, error) {
	if s.group == nil {
		return s.send(ctx, msgs)
	}
	c := s.group
	defer c.inflight.Add(-1)
	if c.inflight.Add(1) <= c.after {
		return s.send(ctx, msgs)
	}
	p := &pending{msgs: msgs, done: make(chan sent, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, p)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	select {
	case r := <-p.done:
		return r.seq, r.err
	case <-ctx.Done():
		if p.state.CompareAndSwap(pendingQueued, pendingAbandoned) {
			return 0, fmt.Errorf("jetstream store: %w", ctx.Err())
		}
		// Already on its way: its outcome is the server's, not the caller's deadline
		// (the request itself is bounded by Config.RequestTimeout).
		r := <-p.done
		return r.seq, r.err
	case <-c.done:
		if p.state.CompareAndSwap(pendingQueued, pendingAbandoned) {
			return 0, fmt.Errorf("jetstream store: %w", store.ErrClosed)
		}
		r := <-p.done
		return r.seq, r.err
	}
}

// run sends what has queued up, one round at a time, until the store closes.
func (c *committer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.s.life.Done():
			c.fail(fmt.Errorf("jetstream store: %w", store.ErrClosed))
			return
		case <-c.wake:
		}
		for {
			round := c.take()
			if len(round) == 0 {
				break
			}
			c.send(round)
		}
	}
}

// take removes from the queue the appends of the next round: up to max messages (at
// least one append, whatever its size), skipping abandoned ones.
func (c *committer) take() []*pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	var round []*pending
	n, i := 0, 0
	for ; i < len(c.queue); i++ {
		p := c.queue[i]
		if len(round) > 0 && n+len(p.msgs) > c.max {
			break
		}
		if !p.state.CompareAndSwap(pendingQueued, pendingTaken) {
			continue
		}
		round = append(round, p)
		n += len(p.msgs)
	}
	c.queue = append(c.queue[:0], c.queue[i:]...)
	return round
}

// fail answers every queued append with err (the store is closing).
func (c *committer) fail(err error) {
	c.mu.Lock()
	q := c.queue
	c.queue = nil
	c.mu.Unlock()
	for _, p := range q {
		if p.state.CompareAndSwap(pendingQueued, pendingTaken) {
			p.done <- sent{err: err}
		}
	}
}

// send stores one round: a shared batch of all its appends (one alone is sent as is); a
// rejected shared batch is sent again append by append, concurrently.
func (c *committer) send(round []*pending) {
	ctx, cancel := context.WithTimeout(c.s.life, c.s.cfg.RequestTimeout)
	defer cancel()
	if len(round) > 1 {
		var all []*nats.Msg
		for _, p := range round {
			all = append(all, p.msgs...)
		}
		seq, err := c.s.send(ctx, all)
		switch {
		case err == nil:
			c.batches.Add(1)
			c.batched.Add(int64(len(round)))
			last := seq - uint64(len(all))
			for _, p := range round {
				last += uint64(len(p.msgs))
				p.done <- sent{seq: last}
			}
			return
		case !errors.Is(err, errConflict) && !errors.Is(err, errDuplicate) && !errors.Is(err, store.ErrInvalidEvent):
			// Unavailable, closed, timed out: nothing tells which appends are stored;
			// each caller reports it, and a retry with the same event IDs is idempotent.
			for _, p := range round {
				p.done <- sent{err: err}
			}
			return
		}
		// One append is at fault and JetStream stored nothing: send each on its own.
	}
	var wg sync.WaitGroup
	for _, p := range round {
		wg.Go(func() {
			seq, err := c.s.send(ctx, p.msgs)
			p.done <- sent{seq: seq, err: err}
		})
	}
	wg.Wait()
}

// send stores msgs as one message, or as one atomic batch (staged messages without
// reply, the expectation where the caller put it, the commit on the last), and returns
// the sequence of the last.
func (s *Store) send(ctx context.Context, msgs []*nats.Msg) (uint64, error) {
	commit := msgs[len(msgs)-1]
	if len(msgs) == 1 {
		commit.Header.Del(hdrBatchID)
		commit.Header.Del(hdrBatchSeq)
		commit.Header.Del(hdrBatchCommit)
		return s.request(ctx, commit)
	}
	id := uuid.NewString()
	for i, m := range msgs {
		m.Header.Set(hdrBatchID, id)
		m.Header.Set(hdrBatchSeq, strconv.Itoa(i+1))
		m.Header.Del(hdrBatchCommit)
	}
	commit.Header.Set(hdrBatchCommit, "1")
	// Staged messages get no reply: the commit's reply covers the whole batch, and a
	// lost staged message makes the server reject the commit as incomplete.
	for _, m := range msgs[:len(msgs)-1] {
		if err := s.nc.PublishMsg(m); err != nil {
			return 0, s.mapErr(ctx, "publish", err)
		}
	}
	return s.request(ctx, commit)
}
