package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// testAppendAndRead: per-stream revisions from 0, global positions strictly increasing,
// ReadAll in global order across streams, reads from the middle, a missing stream, the
// content as stored (canonical time and payload) and the hash chains.
func testAppendAndRead(t *testing.T, h Harness) {
	s := h.Store
	a, b := newStream("opinion"), newStream("vote")
	inA1 := newBatch("opinions.opinion.drafted", 3)
	inB := newBatch("consultations.vote.opened", 2)
	inA2 := newBatch("opinions.opinion.amended", 2)

	r1 := mustAppend(t, s, a, store.NoStream, inA1...)
	r2 := mustAppend(t, s, b, store.NoStream, inB...)
	r3 := mustAppend(t, s, a, store.Exact(2), inA2...)
	for i, e := range r1.Events {
		if e.Revision != uint64(i) {
			t.Fatalf("first append: event %d at revision %d", i, e.Revision)
		}
	}
	if r1.Events[0].PrevHash != "" {
		t.Fatalf("first event of a stream has prev_hash %q", r1.Events[0].PrevHash)
	}
	if r2.Events[0].Revision != 0 || r2.Events[0].PrevHash != "" {
		t.Fatalf("first event of a second stream at revision %d with prev_hash %q", r2.Events[0].Revision, r2.Events[0].PrevHash)
	}
	if r3.Events[0].Revision != 3 || r3.LastRevision != 4 || r3.Events[0].PrevHash != r1.Events[2].Hash {
		t.Fatalf("second append to %s: revisions %d..%d, prev_hash linked %v", a, r3.Events[0].Revision, r3.LastRevision, r3.Events[0].PrevHash == r1.Events[2].Hash)
	}
	if !(r1.Position < r2.Events[0].Position && r2.Position < r3.Events[0].Position) {
		t.Fatalf("positions not increasing across appends: %d, %d..%d, %d..", r1.Position, r2.Events[0].Position, r2.Position, r3.Events[0].Position)
	}

	wantA := slices.Concat(r1.Events, r3.Events)
	gotA := readStream(t, s, a, 0)
	sameEvents(t, "Read "+a, gotA, wantA)
	in := slices.Concat(inA1, inA2)
	for i, e := range gotA {
		data, err := events.CanonicalJSON(in[i].Data)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Time.Equal(events.CanonicalTime(in[i].Time)) || e.Time.Location() != events.CanonicalTime(in[i].Time).Location() {
			t.Fatalf("event %d time %v, want canonical %v", i, e.Time, events.CanonicalTime(in[i].Time))
		}
		if !bytes.Equal(e.Data, data) || e.Meta != in[i].Meta || e.Schema != in[i].Schema {
			t.Fatalf("event %d stored as %s %+v, want %s %+v", i, e.Data, e.Meta, data, in[i].Meta)
		}
	}
	sameEvents(t, "Read from revision 2", readStream(t, s, a, 2), wantA[2:])
	sameEvents(t, "Read from last revision", readStream(t, s, a, 4), wantA[4:])
	if got := readStream(t, s, a, 5); len(got) != 0 {
		t.Fatalf("Read past the end yielded %d events", len(got))
	}
	sameEvents(t, "Read "+b, readStream(t, s, b, 0), r2.Events)
	if got := readStream(t, s, newStream("opinion"), 0); len(got) != 0 {
		t.Fatalf("Read of a missing stream yielded %d events", len(got))
	}

	all := readAll(t, s, store.Start)
	want := slices.Concat(r1.Events, r2.Events, r3.Events)
	sameEvents(t, "ReadAll", all, want)
	increasing(t, "ReadAll", all)
	verifyChains(t, all)
	sameEvents(t, "ReadAll from a middle position", readAll(t, s, all[3].Position), all[3:])
	sameEvents(t, "ReadAll just after a position", readAll(t, s, all[3].Position+1), all[4:])
	if got := readAll(t, s, all[len(all)-1].Position+1); len(got) != 0 {
		t.Fatalf("ReadAll past the head yielded %d events", len(got))
	}
	if got := head(t, s); got != r3.Position {
		t.Fatalf("head %d, want %d", got, r3.Position)
	}
}

// testExpectedRevision: every kind of expectation, matching and not. A mismatch is
// ErrWrongRevision carrying the stream's actual next revision, and appends nothing.
func testExpectedRevision(t *testing.T, h Harness) {
	s := h.Store
	cases := []struct {
		name  string
		prior int
		exp   store.Revision
		ok    bool
	}{
		{"no_stream on empty", 0, store.NoStream, true},
		{"no_stream on existing", 2, store.NoStream, false},
		{"stream_exists on empty", 0, store.StreamExists, false},
		{"stream_exists on existing", 2, store.StreamExists, true},
		{"any on empty", 0, store.Any, true},
		{"any on existing", 2, store.Any, true},
		{"exact last revision", 2, store.Exact(1), true},
		{"exact too low", 3, store.Exact(1), false},
		{"exact too high", 2, store.Exact(5), false},
		{"exact 0 on empty", 0, store.Exact(0), false},
		{"expected for next", 3, store.ExpectedFor(3), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := newStream("membership")
			if c.prior > 0 {
				mustAppend(t, s, stream, store.NoStream, newBatch("membership.member.joined", c.prior)...)
			}
			before := head(t, s)
			in := newBatch("membership.member.left", 2)
			res, err := s.Append(t.Context(), stream, c.exp, in...)
			if c.ok {
				if err != nil {
					t.Fatalf("append expecting %s on %d events: %v", c.exp, c.prior, err)
				}
				checkResult(t, stream, in, res)
				if res.Events[0].Revision != uint64(c.prior) || res.Position <= before {
					t.Fatalf("appended at revision %d position %d, want revision %d after position %d", res.Events[0].Revision, res.Position, c.prior, before)
				}
				if got := readStream(t, s, stream, 0); len(got) != c.prior+2 {
					t.Fatalf("stream has %d events, want %d", len(got), c.prior+2)
				}
				return
			}
			wrongRevision(t, err, stream, c.exp, uint64(c.prior))
			if got := readStream(t, s, stream, 0); len(got) != c.prior {
				t.Fatalf("rejected append left %d events, want %d", len(got), c.prior)
			}
			if got := head(t, s); got != before {
				t.Fatalf("rejected append moved the head from %d to %d", before, got)
			}
		})
	}
}

// testInvalidInput: bad stream names and bad events are ErrInvalidEvent and append
// nothing, not even the valid events of the same batch.
func testInvalidInput(t *testing.T, h Harness) {
	s := h.Store
	good := newStream("opinion")
	first := mustAppend(t, s, good, store.NoStream, newEvent("opinions.opinion.drafted", 0))
	for _, name := range []string{"", "opinion", "opinion-", "-6f1c", "Opinion-6f1c", "opi nion-6f1c", "opinion-6f.1c", "opinion-6f 1c", "opinion-*", "opinion->", "opinion-a\x00b", "é-1"} {
		_, err := s.Append(t.Context(), name, store.Any, newEvent("opinions.opinion.drafted", 1))
		if !errors.Is(err, store.ErrInvalidEvent) {
			t.Errorf("append to stream %q: err = %v, want ErrInvalidEvent", name, err)
		}
	}
	noID := newEvent("opinions.opinion.amended", 1)
	noID.ID = uuid.Nil
	noType := newEvent("", 1)
	badData := newEvent("opinions.opinion.amended", 1)
	badData.Data = []byte(`{"title": `)
	dup := newEvent("opinions.opinion.amended", 1)
	batches := map[string][]events.Event{
		"event without ID":       {newEvent("opinions.opinion.amended", 0), noID, newEvent("opinions.opinion.amended", 2)},
		"event without type":     {newEvent("opinions.opinion.amended", 0), noType, newEvent("opinions.opinion.amended", 2)},
		"payload not JSON":       {newEvent("opinions.opinion.amended", 0), badData},
		"same ID twice in batch": {dup, newEvent("opinions.opinion.amended", 2), dup},
	}
	for name, evs := range batches {
		for _, exp := range []store.Revision{store.Any, store.Exact(0)} {
			_, err := s.Append(t.Context(), good, exp, evs...)
			if !errors.Is(err, store.ErrInvalidEvent) {
				t.Errorf("%s expecting %s: err = %v, want ErrInvalidEvent", name, exp, err)
			}
		}
	}
	all := readAll(t, s, store.Start)
	sameEvents(t, "log after invalid appends", all, first.Events)
	if got := head(t, s); got != first.Position {
		t.Fatalf("invalid appends moved the head from %d to %d", first.Position, got)
	}
	// The valid events of a rejected batch were not burned: they can be appended now.
	fixed := batches["event without type"]
	fixed[1].Type = "opinions.opinion.amended"
	mustAppend(t, s, good, store.Exact(0), fixed...)
}

// testContextCanceled: a canceled context fails every call and appends nothing.
func testContextCanceled(t *testing.T, h Harness) {
	s := h.Store
	stream := newStream("opinion")
	ctx := canceled(t)
	if _, err := s.Append(ctx, stream, store.NoStream, newBatch("opinions.opinion.drafted", 2)...); !errors.Is(err, ctx.Err()) {
		t.Fatalf("append with a canceled context: err = %v, want %v", err, ctx.Err())
	}
	if _, err := s.Head(ctx); !errors.Is(err, ctx.Err()) {
		t.Fatalf("head with a canceled context: err = %v, want %v", err, ctx.Err())
	}
	for name, seq := range map[string]func(func(events.Event, error) bool){
		"Read": s.Read(ctx, stream, 0), "ReadAll": s.ReadAll(ctx, store.Start),
	} {
		var errs int
		for _, err := range seq {
			if !errors.Is(err, ctx.Err()) {
				t.Fatalf("%s with a canceled context: %v, want %v", name, err, ctx.Err())
			}
			errs++
		}
		if errs != 1 {
			t.Fatalf("%s with a canceled context yielded %d values, want one error", name, errs)
		}
	}
	if got := readAll(t, s, store.Start); len(got) != 0 {
		t.Fatalf("append with a canceled context stored %d events", len(got))
	}
}

// testIdempotent: re-appending the same event IDs after success (same expectation, Any,
// StreamExists) returns the original result and stores nothing, for single events and
// batches.
func testIdempotent(t *testing.T, h Harness) {
	s := h.Store
	for _, k := range []int{1, 3} {
		stream := newStream("actionsheet")
		prior := mustAppend(t, s, stream, store.NoStream, newEvent("actionsheets.sheet.created", 0))
		in := newBatch("actionsheets.sheet.updated", k)
		first := mustAppend(t, s, stream, store.Exact(0), in...)
		headBefore := head(t, s)
		for _, exp := range []store.Revision{store.Exact(0), store.Any, store.StreamExists, store.Exact(0)} {
			again, err := s.Append(t.Context(), stream, exp, in...)
			if err != nil {
				t.Fatalf("re-append of %d events expecting %s: %v", k, exp, err)
			}
			sameEvents(t, "re-append result", again.Events, first.Events)
			if again.LastRevision != first.LastRevision || again.Position != first.Position {
				t.Fatalf("re-append result %d/%d, want %d/%d", again.LastRevision, again.Position, first.LastRevision, first.Position)
			}
		}
		sameEvents(t, "stream after re-appends", readStream(t, s, stream, 0), slices.Concat(prior.Events, first.Events))
		if got := head(t, s); got != headBefore {
			t.Fatalf("re-appends moved the head from %d to %d", headBefore, got)
		}
		// A new stream's first batch retried with NoStream.
		fresh := newStream("actionsheet")
		in = newBatch("actionsheets.sheet.created", k)
		first = mustAppend(t, s, fresh, store.NoStream, in...)
		again, err := s.Append(t.Context(), fresh, store.NoStream, in...)
		if err != nil {
			t.Fatalf("re-append of a first batch of %d expecting no_stream: %v", k, err)
		}
		sameEvents(t, "re-append of a first batch", again.Events, first.Events)
		if got := readStream(t, s, fresh, 0); len(got) != k {
			t.Fatalf("stream has %d events after re-append, want %d", len(got), k)
		}
	}
	// Same IDs but another expectation that never held for them is still a conflict.
	stream := newStream("actionsheet")
	in := newBatch("actionsheets.sheet.created", 2)
	mustAppend(t, s, stream, store.NoStream, in...)
	_, err := s.Append(t.Context(), stream, store.Exact(0), in...)
	wrongRevision(t, err, stream, store.Exact(0), 2)
}
