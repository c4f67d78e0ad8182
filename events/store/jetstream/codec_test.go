package jetstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events"
)

// newTestEvents returns k events ready to append.
func newTestEvents(k int) []events.Event {
	evs := make([]events.Event, k)
	for i := range evs {
		evs[i] = events.Event{
			ID: uuid.New(), Type: "opinions.opinion.amended", Schema: 1,
			Time: time.Date(2026, 11, 23, 10, 0, i, 0, time.UTC),
			Meta: events.Meta{CommandID: fmt.Sprint("cmd-", i), Actor: events.Actor{User: "u-1"}},
			Data: json.RawMessage(fmt.Sprintf(`{"paragraph":%d,"text":"Considérant que <b>l'État</b> & les régions…"}`, i)),
		}
	}
	return evs
}

// storedMsg returns an event as this adapter stores it (chained, encoded).
func storedMsg(t testing.TB, stream string, rev uint64, prev string) (*nats.Msg, events.Event) {
	t.Helper()
	e := newTestEvents(1)[0]
	e.Stream, e.Revision = stream, rev
	if err := events.Chain(&e, prev); err != nil {
		t.Fatal(err)
	}
	m, err := encode(DefaultSubjectPrefix, e)
	if err != nil {
		t.Fatal(err)
	}
	return m, e
}

func TestEncodeDecode(t *testing.T) {
	m, want := storedMsg(t, "opinion-6f1c", 3, "abc")
	if m.Subject != "comite.ev.opinion.6f1c" {
		t.Fatalf("subject %q", m.Subject)
	}
	got, err := decode(DefaultSubjectPrefix, m.Subject, 42, m.Header, m.Data)
	if err != nil {
		t.Fatal(err)
	}
	want.Position = 42
	if !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("payload stored as %s, want the canonical %s", got.Data, want.Data)
	}
	if got.ID != want.ID || got.Revision != 3 || got.Position != 42 || got.Hash != want.Hash || got.PrevHash != "abc" || !got.Time.Equal(want.Time) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	v := events.NewChainVerifier()
	first, firstEv := storedMsg(t, "vote-1", 0, "")
	second, _ := storedMsg(t, "vote-1", 1, firstEv.Hash)
	for i, m := range []*nats.Msg{first, second} {
		e, err := decode(DefaultSubjectPrefix, m.Subject, uint64(i+1), m.Header, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(e); err != nil {
			t.Fatalf("stored events do not chain: %v", err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	m, e := storedMsg(t, "opinion-6f1c", 3, "abc")
	withPosition := e
	withPosition.Position = 9
	posBody, _ := json.Marshal(withPosition)
	cases := map[string]struct {
		subject string
		seq     uint64
		hdr     nats.Header
		data    []byte
	}{
		"no sequence":            {m.Subject, 0, m.Header, m.Data},
		"other subject":          {"comite.ev.opinion.other", 1, m.Header, m.Data},
		"foreign prefix":         {"elsewhere.opinion.6f1c", 1, m.Header, m.Data},
		"not JSON":               {m.Subject, 1, m.Header, []byte("hello")},
		"empty":                  {m.Subject, 1, m.Header, nil},
		"trailing data":          {m.Subject, 1, m.Header, append(append([]byte{}, m.Data...), " {}"...)},
		"revision header lies":   {m.Subject, 1, nats.Header{HeaderRevision: {"4"}}, m.Data},
		"message ID lies":        {m.Subject, 1, nats.Header{"Nats-Msg-Id": {uuid.NewString()}}, m.Data},
		"position in envelope":   {m.Subject, 1, m.Header, posBody},
		"no ID":                  {m.Subject, 1, nil, []byte(`{"type":"t","stream":"opinion-6f1c","hash":"h"}`)},
		"no type":                {m.Subject, 1, nil, []byte(`{"id":"` + uuid.NewString() + `","stream":"opinion-6f1c","hash":"h"}`)},
		"invalid stream":         {"comite.ev.Opinion.6f1c", 1, nil, []byte(`{"id":"` + uuid.NewString() + `","type":"t","stream":"Opinion-6f1c","hash":"h"}`)},
		"no hash":                {m.Subject, 1, nil, []byte(`{"id":"` + uuid.NewString() + `","type":"t","stream":"opinion-6f1c"}`)},
		"wrong type for a field": {m.Subject, 1, nil, []byte(`{"id":"` + uuid.NewString() + `","type":"t","stream":"opinion-6f1c","hash":"h","revision":"3"}`)},
	}
	for name, c := range cases {
		if _, err := decode(DefaultSubjectPrefix, c.subject, c.seq, c.hdr, c.data); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: err = %v, want errCorrupt", name, err)
		}
	}
}

// FuzzDecode feeds arbitrary stored messages to the decoder: it must never panic, and
// whatever it accepts must be a well-formed event of this log that encodes back to a
// message it decodes identically.
func FuzzDecode(f *testing.F) {
	m, _ := storedMsg(f, "opinion-6f1c", 3, "abc")
	f.Add(m.Subject, uint64(7), m.Header.Get(HeaderRevision), m.Header.Get("Nats-Msg-Id"), m.Data)
	f.Add(m.Subject, uint64(7), "", "", m.Data)
	f.Add(m.Subject, uint64(0), "3", "", m.Data)
	f.Add("comite.ev.opinion.other", uint64(1), "", "", m.Data)
	f.Add(m.Subject, uint64(1), "", "", []byte(`{"id":"6f1c4b1e-4c1a-4e47-9d8e-6a8f2f0c5e10","type":"t","stream":"opinion-6f1c","hash":"h","data":{"a":[1,2,{"b":null}]}}`))
	f.Add(m.Subject, uint64(1), "", "", []byte(`{"id":"6f1c4b1e-4c1a-4e47-9d8e-6a8f2f0c5e10","type":"t","stream":"opinion-6f1c","hash":"h","time":"2026-13-45T99:00:00Z"}`))
	f.Add("comite.ev.a.b", uint64(1), "", "", []byte(`{"id":"6f1c4b1e-4c1a-4e47-9d8e-6a8f2f0c5e10","type":"t","stream":"a-b","hash":"h","position":0,"revision":18446744073709551615}`))
	f.Add("", uint64(1), "", "", []byte(`null`))
	f.Add("comite.ev.>", uint64(1), "x", "y", []byte(`{"stream":">"}`))
	f.Add(m.Subject, uint64(1), "", "", []byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, subject string, seq uint64, rev, msgID string, data []byte) {
		hdr := nats.Header{}
		if rev != "" {
			hdr.Set(HeaderRevision, rev)
		}
		if msgID != "" {
			hdr.Set("Nats-Msg-Id", msgID)
		}
		e, err := decode(DefaultSubjectPrefix, subject, seq, hdr, data)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decode error %v does not wrap errCorrupt", err)
			}
			return
		}
		switch {
		case e.Position != seq || seq == 0:
			t.Fatalf("position %d from sequence %d", e.Position, seq)
		case e.ID == uuid.Nil || e.Type == "" || e.Hash == "":
			t.Fatalf("accepted an event without ID, type or hash: %+v", e)
		case events.ValidStream(e.Stream) != nil:
			t.Fatalf("accepted invalid stream %q", e.Stream)
		case subjectFor(DefaultSubjectPrefix, e.Stream) != subject:
			t.Fatalf("accepted stream %s on subject %q", e.Stream, subject)
		}
		again, err := encode(DefaultSubjectPrefix, e)
		if err != nil {
			t.Fatalf("accepted an event that does not encode: %v", err)
		}
		back, err := decode(DefaultSubjectPrefix, again.Subject, seq, again.Header, again.Data)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if back.ID != e.ID || back.Stream != e.Stream || back.Revision != e.Revision || back.Hash != e.Hash || back.Position != e.Position || !back.Time.Equal(e.Time) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", e, back)
		}
	})
}
