package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
)

// History answers what a view showed at a past point of the log (a
// *projections.History in production).
type History interface {
	At(ctx context.Context, view string, pos uint64) (*projections.View, error)
	PositionAt(ctx context.Context, t time.Time) (uint64, error)
}

// viewAsOf returns v, or, when the request asks for a past state with ?at=<position> or
// ?as_of=<RFC 3339 instant>, the view as it was then. It writes the problem and returns
// false on bad input: both parameters at once, a malformed one, a point after the end
// of the log or in the future.
func (g *Gateway) viewAsOf(w http.ResponseWriter, r *http.Request, v *projections.View) (*projections.View, bool) {
	q := r.URL.Query()
	atS, asOfS := q.Get("at"), q.Get("as_of")
	if atS == "" && asOfS == "" {
		return v, true
	}
	fail := func(field, why string) (*projections.View, bool) {
		g.writeProblem(w, r, errcode.ValidationFailed.WithFields(map[string]string{field: why}))
		return nil, false
	}
	switch {
	case atS != "" && asOfS != "":
		return fail("as_of", "at or as_of, not both")
	case g.cfg.History == nil:
		return fail("at", "this server keeps no history of its views")
	}
	var pos uint64
	if atS != "" {
		p, err := strconv.ParseUint(atS, 10, 64)
		if err != nil {
			return fail("at", "a position: a whole number ≥ 0")
		}
		pos = p
	} else {
		t, err := time.Parse(time.RFC3339Nano, asOfS)
		if err != nil {
			return fail("as_of", "an RFC 3339 instant, e.g. 2026-03-01T09:30:00Z")
		}
		if t.After(time.Now()) {
			return fail("as_of", "an instant in the past")
		}
		if pos, err = g.cfg.History.PositionAt(r.Context(), t); err != nil {
			g.writeProblem(w, r, err)
			return nil, false
		}
	}
	past, err := g.cfg.History.At(r.Context(), v.Name(), pos)
	switch {
	case errors.Is(err, projections.ErrBeyondHead):
		return fail("at", "a position the log has reached")
	case err != nil:
		g.writeProblem(w, r, err)
		return nil, false
	}
	return past, true
}
