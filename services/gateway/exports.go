package gateway

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Export is a download computed from the log, such as the whole decision history:
// GET /api/v1/exports/{name}?format=… . The reader must be allowed to read View, and Run
// writes what that reader may see.
type Export struct {
	Name string
	View string
	// Formats lists the formats Run writes (e.g. "csv", "json"), the first by default,
	// and their media types.
	Formats []ExportFormat
	Run     func(ctx context.Context, reader events.Actor, format string, w *bytes.Buffer) error
}

// ExportFormat is a format of an export and its media type.
type ExportFormat struct {
	Name, MediaType string
}

func (g *Gateway) handleExport(w http.ResponseWriter, r *http.Request) {
	e, ok := g.exports[r.PathValue("export")]
	if !ok {
		g.writeProblem(w, r, errcode.NotFound.With("export %s", r.PathValue("export")))
		return
	}
	if !g.mayRead(w, r, e.View) {
		return
	}
	actor, _ := g.actor(r) // mayRead checked it
	format := e.Formats[0]
	if name := r.URL.Query().Get("format"); name != "" {
		i := slices.IndexFunc(e.Formats, func(f ExportFormat) bool { return f.Name == name })
		if i < 0 {
			names := make([]string, len(e.Formats))
			for j, f := range e.Formats {
				names[j] = f.Name
			}
			g.writeProblem(w, r, errcode.ValidationFailed.WithFields(map[string]string{"format": "oneof=" + strings.Join(names, " ")}))
			return
		}
		format = e.Formats[i]
	}
	// The whole answer is made before anything is sent, so that a failure is a problem,
	// not a truncated file.
	var buf bytes.Buffer
	if err := e.Run(r.Context(), actor, format.Name, &buf); err != nil {
		g.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", format.MediaType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="comite-%s-%s.%s"`, e.Name, time.Now().UTC().Format("20060102-150405"), format.Name))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := buf.WriteTo(w); err != nil {
		g.log.Debug("export not delivered", "export", e.Name, "err", err)
	}
}
