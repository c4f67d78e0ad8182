package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{`{"type":"subscribe","view":"organisations","since":0}`, `{"type":"unsubscribe","view":"x"}`,
		`{"type":"subscribe","view":"x","since":-1}`, `{"type":"subscribe"}`, `[]`, `{"type":"subscribe","view":"x"} {}`, "\xff", `{"since":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeClientMessage(b)
		if err == nil && (m.View == "" || (m.Type != "subscribe" && m.Type != "unsubscribe")) {
			t.Fatalf("accepted %q as %+v", b, m)
		}
	})
}

// FuzzCommandHandler sends arbitrary bodies and keys to the command endpoint: the answer is
// always a 200 or a problem+json 4xx, never a 5xx or a panic.
func FuzzCommandHandler(f *testing.F) {
	for _, s := range []string{`{"text":"x"}`, `{"text":`, ``, `null`, `{"text":"x","kind":"c"}`, `[1,2]`, "\x00", `{"text":"\ud800"}`} {
		f.Add("add-note", s, "")
		f.Add("other", s, "key\n")
	}
	fx := newFixture(f, LiveConfig{})
	f.Fuzz(func(t *testing.T, command, body, key string) {
		if strings.ContainsAny(command, "/?#% \x00") || command == "" {
			command = "add-note"
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/notes/"+command, strings.NewReader(body))
		req.Header["Idempotency-Key"] = []string{key}
		rec := httptest.NewRecorder()
		fx.gw.ServeHTTP(rec, req)
		switch {
		case rec.Code == 200:
		case rec.Code >= 400 && rec.Code < 500:
			if rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without problem+json", rec.Code)
			}
		default:
			t.Fatalf("status %d for %q %q", rec.Code, command, body)
		}
	})
}
