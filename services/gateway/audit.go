package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/services/errcode"
)

// AuditLog is the event log as the auditors' endpoints read it.
type AuditLog interface {
	ReadAll(ctx context.Context, from uint64) iter.Seq2[events.Event, error]
	Head(ctx context.Context) (uint64, error)
}

// AuditConfig wires the auditors' endpoints.
type AuditConfig struct {
	Log AuditLog
	// Seal seals a checkpoint now (audit.Sealer.Seal); nil refuses POST checkpoints.
	Seal func(context.Context) (audit.CheckpointSealed, error)
	// Identify names who sends each request (as Config.Identify).
	Identify func(*http.Request) (Identity, error)
	// MayExport decides who reads the whole log (auditors); MaySeal who seals a
	// checkpoint on demand.
	MayExport, MaySeal func(events.Actor) error
	// Streams lists the log's streams, of one category when category is not empty;
	// Stream reads one stream's events, with what auditors may not see redacted (the
	// stream browser; auditors only, as MayExport). Nil: no stream browser.
	Streams func(ctx context.Context, category string) ([]StreamInfo, error)
	Stream  func(ctx context.Context, stream string) ([]BrowsedEvent, error)
	Logger  *slog.Logger
}

// StreamInfo is a row of the stream browser's list.
type StreamInfo struct {
	Stream        string    `json:"stream"`
	Category      string    `json:"category"`
	Events        uint64    `json:"events"`
	FirstPosition uint64    `json:"first_position"`
	LastPosition  uint64    `json:"last_position"`
	LastType      string    `json:"last_type"`
	LastTime      time.Time `json:"last_time"`
}

// BrowsedEvent is an event as the stream browser shows it: the envelope and payload, or,
// when Redacted, the envelope with the payload withheld (a ballot of a secret
// consultation written before ballots were sealed).
type BrowsedEvent struct {
	events.Event
	Redacted bool `json:"redacted,omitempty"`
}

// AuditRoutes are the routes NewAuditHandler serves.
func AuditRoutes() []string {
	return []string{"GET /api/v1/audit/head", "GET /api/v1/audit/events", "POST /api/v1/audit/checkpoints",
		"GET /api/v1/audit/streams", "GET /api/v1/audit/streams/{stream}"}
}

// NewAuditHandler serves the auditors' endpoints:
//
//   - GET /api/v1/audit/head: {"position": N}, the log's last position;
//   - GET /api/v1/audit/events?from=N: the log from position N as JSON lines, one envelope
//     per line as stored, up to the head at the time of the request (header
//     X-Audit-Head: a reader that stops short of it knows the stream was cut);
//   - POST /api/v1/audit/checkpoints: seal a checkpoint now, answered with it;
//   - GET /api/v1/audit/streams?category=C: the streams (of category C), with counts;
//   - GET /api/v1/audit/streams/{stream}: a stream's events, envelope and payload, secret
//     ballots redacted.
//
// `comite audit export --url` and `comite audit seal --url` use them.
func NewAuditHandler(cfg AuditConfig) (http.Handler, error) {
	if cfg.Log == nil || cfg.Identify == nil || cfg.MayExport == nil || cfg.MaySeal == nil {
		return nil, errors.New("gateway: the audit endpoints need Log, Identify, MayExport and MaySeal")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &auditHandler{cfg: cfg}
	mux := http.NewServeMux()
	routes := AuditRoutes()
	mux.HandleFunc(routes[0], a.head)
	mux.HandleFunc(routes[1], a.events)
	mux.HandleFunc(routes[2], a.seal)
	mux.HandleFunc(routes[3], a.streams)
	mux.HandleFunc(routes[4], a.stream)
	return mux, nil
}

type auditHandler struct{ cfg AuditConfig }

// allowed identifies the sender and applies may; it answers the problem itself.
func (a *auditHandler) allowed(w http.ResponseWriter, r *http.Request, may func(events.Actor) error) bool {
	id, err := a.cfg.Identify(r)
	if err == nil && id.Cookie && r.Method != http.MethodGet {
		err = errcode.Forbidden.With("seal with an API token (Authorization: Bearer), not a session cookie")
	}
	if err == nil {
		err = may(id.Actor)
	}
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return false
	}
	return true
}

func (a *auditHandler) head(w http.ResponseWriter, r *http.Request) {
	if !a.allowed(w, r, a.cfg.MayExport) {
		return
	}
	head, err := a.cfg.Log.Head(r.Context())
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return
	}
	writeJSON(w, a.cfg.Logger, http.StatusOK, map[string]uint64{"position": head})
}

func (a *auditHandler) events(w http.ResponseWriter, r *http.Request) {
	if !a.allowed(w, r, a.cfg.MayExport) {
		return
	}
	var from uint64
	if s := r.URL.Query().Get("from"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			WriteProblem(a.cfg.Logger, w, r, errcode.ValidationFailed.With("from must be a position (a non-negative integer)"))
			return
		}
		from = n
	}
	head, err := a.cfg.Log.Head(r.Context())
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Audit-Head", strconv.FormatUint(head, 10))
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for ev, err := range a.cfg.Log.ReadAll(r.Context(), from) {
		if err != nil {
			// Headers are gone: cutting the stream short is how the reader learns.
			a.cfg.Logger.Error("audit: reading the log", "err", err)
			return
		}
		if ev.Position > head {
			break
		}
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
	_ = bw.Flush()
}

func (a *auditHandler) seal(w http.ResponseWriter, r *http.Request) {
	if !a.allowed(w, r, a.cfg.MaySeal) {
		return
	}
	if a.cfg.Seal == nil {
		WriteProblem(a.cfg.Logger, w, r, errcode.Forbidden.With("this server does not seal checkpoints"))
		return
	}
	c, err := a.cfg.Seal(r.Context())
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return
	}
	writeJSON(w, a.cfg.Logger, http.StatusOK, c)
}

func (a *auditHandler) streams(w http.ResponseWriter, r *http.Request) {
	if !a.allowed(w, r, a.cfg.MayExport) {
		return
	}
	if a.cfg.Streams == nil {
		WriteProblem(a.cfg.Logger, w, r, errNoRoute)
		return
	}
	rows, err := a.cfg.Streams(r.Context(), r.URL.Query().Get("category"))
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return
	}
	if rows == nil {
		rows = []StreamInfo{}
	}
	writeJSON(w, a.cfg.Logger, http.StatusOK, map[string]any{"items": rows})
}

func (a *auditHandler) stream(w http.ResponseWriter, r *http.Request) {
	if !a.allowed(w, r, a.cfg.MayExport) {
		return
	}
	if a.cfg.Stream == nil {
		WriteProblem(a.cfg.Logger, w, r, errNoRoute)
		return
	}
	name := r.PathValue("stream")
	if err := events.ValidStream(name); err != nil {
		WriteProblem(a.cfg.Logger, w, r, errcode.ValidationFailed.With("%s", err.Error()))
		return
	}
	evs, err := a.cfg.Stream(r.Context(), name)
	if err != nil {
		WriteProblem(a.cfg.Logger, w, r, err)
		return
	}
	if len(evs) == 0 {
		WriteProblem(a.cfg.Logger, w, r, errcode.NotFound.With("no stream %s", name))
		return
	}
	writeJSON(w, a.cfg.Logger, http.StatusOK, map[string]any{"stream": name, "items": evs})
}
