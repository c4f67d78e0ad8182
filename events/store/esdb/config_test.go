package esdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdbdouble"
)

const secret = "s3cr3t-pw"

// TestConfigRedactsPassword: nothing a Config prints, logs or returns as an error
// carries the password of its URL.
func TestConfigRedactsPassword(t *testing.T) {
	c := Config{URL: "esdb://admin:" + secret + "@db.example:2113?tls=true"}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("store", "config", c)
	outputs := map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c),
		"%#v": fmt.Sprintf("%#v", c), "slog": logs.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, secret) || !strings.Contains(out, "db.example") {
			t.Errorf("%s: %q shows the password or hides the host", name, out)
		}
	}
	bad := []Config{
		{URL: "esdb://admin:" + secret + "@db example:2113"},
		{URL: "esdb://admin:" + secret + "@db.example:2113?tls=maybe"},
		{URL: "http://admin:" + secret + "@db.example:2113"},
		{URL: "esdb://admin:" + secret + "@db.example:2113", RequestTimeout: -time.Second},
		{URL: ""},
	}
	for _, b := range bad {
		err := b.Validate()
		if err == nil {
			t.Errorf("%v: Validate accepted it", b)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Validate error shows the password: %v", err)
		}
	}
	// A failed connection (credentials need TLS; nothing listens on port 1).
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, Config{URL: "esdb://admin:" + secret + "@127.0.0.1:1?tls=false&maxDiscoverAttempts=1", RequestTimeout: 2 * time.Second})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("Open of an unreachable server: %v", err)
	}
	if !errors.Is(err, store.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Open of an unreachable server: %v, want ErrUnavailable", err)
	}
}

// FuzzDecode: decode never panics, and what it accepts encodes back to itself.
func FuzzDecode(f *testing.F) {
	e := events.Event{
		ID: uuid.MustParse("6f1c2d3e-0000-4000-8000-000000000001"), Type: "opinions.opinion.drafted", Schema: 1,
		Stream: "opinion-6f1c", Revision: 2, Time: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
		Meta: events.Meta{CommandID: "c-1", Actor: events.Actor{User: "u-1", Organisation: "amf"}},
		Data: []byte(`{"title":"Avis <b>"}`),
	}
	if err := events.Chain(&e, "abc"); err != nil {
		f.Fatal(err)
	}
	d, err := encode(e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(d.Metadata, d.Data, e.Type, e.Stream, e.Revision)
	f.Add([]byte(`{"comite":1}`), []byte(`{}`), "x", "opinion-1", uint64(0))
	f.Add([]byte(`{}`), []byte(`null`), "$metadata", "$$opinion-1", uint64(7))
	f.Fuzz(func(t *testing.T, md, data []byte, typ, stream string, rev uint64) {
		rec := &client.RecordedEvent{
			EventID: e.ID, EventType: typ, StreamID: stream, EventNumber: rev,
			Position: client.Position{Commit: 4096, Prepare: 4096}, Data: data, UserMetadata: md,
		}
		got, err := decode(rec, "")
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decode error %v is not errCorrupt", err)
			}
			return
		}
		if got.Position != 4096 {
			t.Fatalf("position %d", got.Position)
		}
		again, err := encode(got)
		if err != nil {
			t.Fatal(err)
		}
		rec.UserMetadata, rec.Data = again.Metadata, again.Data
		back, err := decode(rec, "")
		if err != nil || back.Hash != got.Hash || !bytes.Equal(back.Data, got.Data) || back.Meta != got.Meta || !back.Time.Equal(got.Time) {
			t.Fatalf("re-encoded event decodes as %+v, %v; want %+v", back, err, got)
		}
	})
}

// TestTLSAndCredentials: a URL with credentials and a private CA (tlsCAFile) reaches a
// server that requires both (the double, secured); a wrong password, no TLS or an
// untrusted certificate fail, and no error shows the password.
func TestTLSAndCredentials(t *testing.T) {
	d := esdbdouble.New()
	pemCA, err := d.Secure("admin", secret)
	if err != nil {
		t.Fatal(err)
	}
	url, err := d.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pemCA, 0o600); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(url, "esdb://")
	s, err := Open(t.Context(), Config{URL: "esdb://admin:" + secret + "@" + host + "?tlsCAFile=" + ca})
	if err != nil {
		t.Fatalf("TLS with credentials: %v", err)
	}
	defer s.Close()
	stream := events.StreamName("opinion", uuid.New())
	if _, err := s.Append(t.Context(), stream, store.NoStream, testEvents(2)...); err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]string{
		"wrong password": "esdb://admin:wr0ng-" + secret + "@" + host + "?tlsCAFile=" + ca + "&maxDiscoverAttempts=1",
		"no TLS":         "esdb://" + host + "?tls=false&maxDiscoverAttempts=1",
		"untrusted":      "esdb://admin:" + secret + "@" + host + "?maxDiscoverAttempts=1",
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		_, err := Open(ctx, Config{URL: u, RequestTimeout: 5 * time.Second})
		cancel()
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: Open = %v, want an error without the password", name, err)
		}
	}
}
