package natsembed

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

func TestStartConnectJetStreamAndRestart(t *testing.T) {
	dir := t.TempDir()
	for round := range 2 {
		s, err := Start(Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		nc, err := s.Connect("test")
		if err != nil {
			t.Fatal(err)
		}
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Storage: jetstream.FileStorage})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, "t.x", []byte("hello")); err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(round + 1); info.State.Msgs != want {
			t.Fatalf("round %d: %d messages, want %d (persisted across restart)", round, info.State.Msgs, want)
		}
		nc.Close()
		s.Shutdown()
		s.Shutdown() // idempotent
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err == nil {
		t.Fatal("empty DataDir accepted")
	}
	if err := (Config{DataDir: "x", Fsync: "sometimes"}).Validate(); err == nil {
		t.Fatal("unknown fsync accepted")
	}
	if err := (Config{DataDir: "x", Fsync: FsyncInterval}).Validate(); err != nil {
		t.Fatal(err)
	}
}
