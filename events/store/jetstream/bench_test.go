package jetstream

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// The benchmarks run on the embedded server with its defaults (file storage, fsync
// always), so BenchmarkAppend/BenchmarkRawPublish is the price of the store over a bare
// synchronous JetStream publish of a message of the same size: the tail read, the
// hashing, the revision check.
//
//	go test -run x -bench . ./events/store/jetstream/

// benchParallelism × GOMAXPROCS goroutines in the parallel benchmarks (16 on 2 cores).
const benchParallelism = 8

// sampleBody returns the stored form of a typical event, the raw benchmark's payload.
func sampleBody(b *testing.B) []byte {
	m, _ := storedMsg(b, "opinion-6f1c4b1e-4c1a-4e47-9d8e-6a8f2f0c5e10", 12, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	return m.Data
}

func BenchmarkRawPublish(b *testing.B) {
	n := startNode(b, b.TempDir(), Config{})
	defer n.stop()
	ctx := context.Background()
	js, err := natsjs.New(n.nc)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, natsjs.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: natsjs.FileStorage, AllowAtomicPublish: true}); err != nil {
		b.Fatal(err)
	}
	body := sampleBody(b)
	b.Run("serial", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := js.Publish(ctx, "raw.opinion.1", body); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, 1)
	})
	for _, par := range []int{benchParallelism, 4 * benchParallelism, 8 * benchParallelism} {
		b.Run(fmt.Sprintf("parallel/writers=%d", par*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			b.SetParallelism(par)
			b.RunParallel(func(pb *testing.PB) {
				subject := "raw.opinion." + uuid.NewString()
				for pb.Next() {
					if _, err := js.Publish(ctx, subject, body); err != nil {
						b.Error(err)
						return
					}
				}
			})
			perSecond(b, 1)
		})
	}
	// Atomic batches on one subject, as Append sends several events: JetStream stages
	// each batch in a directory of its own, which costs about as much as a dozen
	// single messages, then syncs it once.
	for _, k := range []int{10, 50, 200} {
		b.Run(fmt.Sprintf("batch/events=%d", k), func(b *testing.B) {
			for b.Loop() {
				id := uuid.NewString()
				for i := 1; i <= k; i++ {
					m := nats.NewMsg("raw.opinion.batch")
					m.Data = body
					m.Header.Set(hdrBatchID, id)
					m.Header.Set(hdrBatchSeq, strconv.Itoa(i))
					if i < k {
						if err := n.nc.PublishMsg(m); err != nil {
							b.Fatal(err)
						}
						continue
					}
					m.Header.Set(hdrBatchCommit, "1")
					if _, err := js.PublishMsg(ctx, m); err != nil {
						b.Fatal(err)
					}
				}
			}
			perSecond(b, k)
		})
	}
}

func BenchmarkAppend(b *testing.B) {
	n := startNode(b, b.TempDir(), Config{})
	defer n.stop()
	for _, k := range []int{1, 10} {
		b.Run(fmt.Sprintf("serial/events=%d", k), func(b *testing.B) {
			stream, next := fmt.Sprintf("opinion-serial%d", k), uint64(0)
			for b.Loop() {
				res, err := n.st.Append(context.Background(), stream, store.ExpectedFor(next), newTestEvents(k)...)
				if err != nil {
					b.Fatal(err)
				}
				next = res.LastRevision + 1
			}
			perSecond(b, k)
		})
	}
	b.Run("parallel-any-one-stream/events=1", func(b *testing.B) {
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := n.st.Append(context.Background(), "meeting-contended", store.Any, newTestEvents(1)...); err != nil {
					b.Error(err)
					return
				}
			}
		})
		perSecond(b, 1)
	})
}

// BenchmarkAppendParallel is concurrent appends of one event, each writer on a stream of
// its own, with group commit off (each append synced on its own, as a raw publish is)
// and on; compare with BenchmarkRawPublish/parallel.
func BenchmarkAppendParallel(b *testing.B) {
	for _, group := range []int{-1, 8, 16, 32} { // 32 is DefaultGroupCommitAfter
		n := startNode(b, b.TempDir(), Config{GroupCommitAfter: group})
		for _, par := range []int{benchParallelism, 4 * benchParallelism, 8 * benchParallelism} {
			b.Run(fmt.Sprintf("group-commit-after=%d/writers=%d", group, par*runtime.GOMAXPROCS(0)), func(b *testing.B) {
				var before, batched int64
				if n.st.group != nil {
					before, batched = n.st.group.batches.Load(), n.st.group.batched.Load()
				}
				b.SetParallelism(par)
				b.RunParallel(func(pb *testing.PB) {
					stream, next := events.StreamName("opinion", uuid.New()), uint64(0)
					for pb.Next() {
						res, err := n.st.Append(context.Background(), stream, store.ExpectedFor(next), newTestEvents(1)...)
						if err != nil {
							b.Error(err)
							return
						}
						next = res.LastRevision + 1
					}
				})
				perSecond(b, 1)
				if n.st.group != nil {
					b.ReportMetric(float64(n.st.group.batches.Load()-before), "batches")
					if k := n.st.group.batches.Load() - before; k > 0 {
						b.ReportMetric(float64(n.st.group.batched.Load()-batched)/float64(k), "appends/batch")
					}
				}
			})
		}
		n.stop()
	}
}

// BenchmarkRead measures loading one aggregate's stream (100 events) and replaying
// the whole log (ReadAll).
func BenchmarkRead(b *testing.B) {
	n := startNode(b, b.TempDir(), Config{})
	defer n.stop()
	ctx := context.Background()
	const streams, perStream = 20, 100
	for i := range streams {
		for r := 0; r < perStream; r += 50 {
			if _, err := n.st.Append(ctx, fmt.Sprintf("opinion-%d", i), store.ExpectedFor(uint64(r)), newTestEvents(50)...); err != nil {
				b.Fatal(err)
			}
		}
	}
	count := func(seq func(func(events.Event, error) bool)) int {
		c := 0
		for _, err := range seq {
			if err != nil {
				b.Fatal(err)
			}
			c++
		}
		return c
	}
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			if c := count(n.st.Read(ctx, "opinion-7", 0)); c != perStream {
				b.Fatalf("read %d events", c)
			}
		}
		perSecond(b, perStream)
	})
	b.Run("stream-from-middle", func(b *testing.B) {
		for b.Loop() {
			if c := count(n.st.Read(ctx, "opinion-7", 90)); c != 10 {
				b.Fatalf("read %d events", c)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if c := count(n.st.ReadAll(ctx, store.Start)); c != streams*perStream {
				b.Fatalf("read %d events", c)
			}
		}
		perSecond(b, streams*perStream)
	})
	b.Run("subscribe-replay", func(b *testing.B) {
		for b.Loop() {
			sub, err := n.st.Subscribe(ctx, store.Start)
			if err != nil {
				b.Fatal(err)
			}
			for range streams * perStream {
				if _, ok := <-sub.Events(); !ok {
					b.Fatal(sub.Err())
				}
			}
			_ = sub.Close()
		}
		perSecond(b, streams*perStream)
	})
}

// perSecond reports events per second, k events per benchmark iteration.
func perSecond(b *testing.B, k int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N*k)/s, "events/s")
	}
}
