package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/comite-partenaires/comite/services/natsembed"
)

// RawMessageBytes is the size of the raw baseline's messages: about one stored event.
const RawMessageBytes = 300

// RawPublish is the raw JetStream baseline: an embedded server on a fresh directory
// under tmp with the given fsync, one file-storage stream, and writers goroutines each
// publishing RawMessageBytes-byte messages synchronously (waiting for each
// acknowledgement) on a subject of its own, for d.
func RawPublish(ctx context.Context, tmp string, fsync natsembed.Fsync, writers int, d time.Duration) (Outcome, error) {
	dir, err := os.MkdirTemp(tmp, "raw-jetstream-")
	if err != nil {
		return Outcome{}, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	srv, err := natsembed.Start(natsembed.Config{DataDir: dir, Fsync: fsync})
	if err != nil {
		return Outcome{}, err
	}
	defer srv.Shutdown()
	nc, err := srv.Connect("bench-raw")
	if err != nil {
		return Outcome{}, fmt.Errorf("bench: %w", err)
	}
	defer nc.Close()
	js, err := natsjs.New(nc)
	if err != nil {
		return Outcome{}, fmt.Errorf("bench: %w", err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, natsjs.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"},
		Storage: natsjs.FileStorage, AllowDirect: true}); err != nil {
		return Outcome{}, fmt.Errorf("bench: raw stream: %w", err)
	}
	body := []byte(`{"data":"` + strings.Repeat("x", RawMessageBytes-11) + `"}`)
	return Load(ctx, writers, d, func(ctx context.Context, w, _ int) error {
		_, err := js.Publish(ctx, fmt.Sprintf("raw.writer.%d", w), body)
		return err
	})
}
