package jetstream

import (
	"context"
	"fmt"
	"sync"
)

// streamLocks serialises this process's appends per event stream. Correctness never
// depends on it — JetStream's expected-last-subject-sequence check arbitrates between
// processes — but within one process it turns a race that JetStream would settle by
// rejecting all writers but one (each loser then re-reading and, for Any, retrying) into
// a queue: under contention on one stream (a document co-drafted by many) every append
// costs one round of tail read and publish.
type streamLocks struct {
	mu sync.Mutex
	m  map[string]*streamLock
}

type streamLock struct {
	held chan struct{} // capacity 1: full while held
	refs int           // holders and waiters; the entry goes when it drops to 0
}

// lock waits for the stream's lock, or for ctx to end; unlock releases it.
func (l *streamLocks) lock(ctx context.Context, stream string) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*streamLock{}
	}
	sl := l.m[stream]
	if sl == nil {
		sl = &streamLock{held: make(chan struct{}, 1)}
		l.m[stream] = sl
	}
	sl.refs++
	l.mu.Unlock()
	select {
	case sl.held <- struct{}{}:
		return func() {
			<-sl.held
			l.release(stream, sl)
		}, nil
	case <-ctx.Done():
		l.release(stream, sl)
		return nil, fmt.Errorf("jetstream store: %w", ctx.Err())
	}
}

func (l *streamLocks) release(stream string, sl *streamLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if sl.refs--; sl.refs == 0 {
		delete(l.m, stream)
	}
}
