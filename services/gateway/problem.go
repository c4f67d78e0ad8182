package gateway

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/comite-partenaires/comite/services/errcode"
)

// Problem is an RFC 9457 problem document, extended with Comité's stable code, the
// message in both languages and the offending fields.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Code      string            `json:"code"`
	Detail    string            `json:"detail,omitempty"`
	MessageFR string            `json:"message_fr"`
	MessageEN string            `json:"message_en"`
	Fields    map[string]string `json:"fields,omitempty"`
}

// ProblemFor turns any error into a problem document. Errors without a code become a
// bare "internal" problem: their text never leaves the server.
func ProblemFor(err error) Problem {
	e := errcode.From(err)
	return Problem{
		Type: "urn:comite:problem:" + e.Code, Title: e.EN, Status: e.Status, Code: e.Code,
		Detail: e.Detail, MessageFR: e.FR, MessageEN: e.EN, Fields: e.Fields,
	}
}

func (g *Gateway) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	WriteProblem(g.log, w, r, err)
}

// WriteProblem answers a request with err as a problem document; errors without a code,
// and server errors, are logged to log (their text never reaches the client). Handlers
// mounted in the gateway (Config.Session) answer errors with it.
func WriteProblem(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(err)
	var coded *errcode.Error
	if !errors.As(err, &coded) || p.Status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", p.Code, "err", err)
	} else {
		log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "code", p.Code)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, log *slog.Logger, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Error("encoding response", "err", err)
		http.Error(w, `{"code":"internal"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
