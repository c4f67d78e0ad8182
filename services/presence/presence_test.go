package presence

import (
	"testing"
	"time"

	"github.com/comite-partenaires/comite/services/natsembed"
)

// TestOverRealNATS: a presence published by one connection reaches every subscriber of
// another, with its document; invalid documents are refused before they reach a subject.
func TestOverRealNATS(t *testing.T) {
	srv, err := natsembed.Start(natsembed.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	pub, err := srv.Connect("pub")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	sub, err := srv.Connect("sub")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	a, _ := NewNATS(pub)
	b, _ := NewNATS(sub)
	got := make(chan [2]any, 4)
	stop, err := b.Subscribe(func(doc string, p Peer) { got <- [2]any{doc, p} })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	want := Peer{ID: "tab-1", User: "amf@demo.invalid", Organisation: "o-amf", Cursor: &Cursor{Anchor: 3, Head: 7}, Version: 4, At: time.Now().UTC().Truncate(time.Millisecond)}
	if err := a.Publish("doc-1", want); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		p := m[1].(Peer)
		if m[0] != "doc-1" || p.ID != want.ID || p.Cursor == nil || *p.Cursor != *want.Cursor || p.Version != 4 || !p.At.Equal(want.At) {
			t.Fatalf("received %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received")
	}
	for _, doc := range []string{"", "a.b", "a*", ">", "a b"} {
		if a.Publish(doc, want) == nil {
			t.Errorf("document %q accepted", doc)
		}
	}
	// A message without an ID is dropped.
	if err := pub.Publish(SubjectPrefix+"doc-1", []byte(`{"user":"x"}`)); err != nil {
		t.Fatal(err)
	}
	_ = pub.Flush()
	select {
	case m := <-got:
		t.Fatalf("a message without ID came through: %v", m)
	case <-time.After(200 * time.Millisecond):
	}
}
