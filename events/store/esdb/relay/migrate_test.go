package relay

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
)

// TestMigrateResumes: a migration interrupted half-way resumes where the target stops,
// copies each event once, and ends with two logs of the same events; a target that is
// not a copy of the source is refused.
func TestMigrateResumes(t *testing.T) {
	ctx := t.Context()
	src := memstore.New()
	defer src.Close()
	streams := []string{events.StreamName("opinion", uuid.New()), events.StreamName("vote", uuid.New())}
	next := map[string]uint64{}
	for i := range 30 {
		stream := streams[i%2]
		res, err := src.Append(ctx, stream, store.ExpectedFor(next[stream]), newEvents(1+i%3)...)
		if err != nil {
			t.Fatal(err)
		}
		next[stream] = res.LastRevision + 1
	}
	dst := memstore.New()
	defer dst.Close()
	cut, cancel := context.WithCancel(ctx)
	var seen uint64
	_, err := Migrate(cut, src, dst, func(done, _ uint64) {
		if seen = done; done == 25 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("an interrupted migration reported success")
	}
	first := len(readAll(t, dst))
	st, err := Migrate(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 60 || st.Copied != st.Events-uint64(first) || first < 25 {
		t.Fatalf("resumed migration %+v after %d events copied (progress at %d), want 60 events, the rest copied", st, first, seen)
	}
	if err := Compare(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if st, err := Migrate(ctx, src, dst, nil); err != nil || st.Copied != 0 {
		t.Fatalf("migrating again: %+v, %v; want nothing copied", st, err)
	}
	other := memstore.New()
	defer other.Close()
	if _, err := other.Append(ctx, streams[0], store.NoStream, newEvents(1)...); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, src, other, nil); !errors.Is(err, ErrNotACopy) && !errors.Is(err, ErrDiverged) {
		t.Fatalf("migrating into a foreign log: %v, want ErrNotACopy", err)
	}
}
