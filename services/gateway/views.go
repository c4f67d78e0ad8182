package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
)

// ListResponse is a list view over HTTP.
type ListResponse struct {
	Position uint64 `json:"position"`
	Items    []any  `json:"items"`
}

// ItemResponse is one object over HTTP.
type ItemResponse struct {
	Position uint64 `json:"position"`
	Item     any    `json:"item"`
}

func (g *Gateway) viewFor(w http.ResponseWriter, r *http.Request) (*projections.View, bool) {
	v, ok := g.views.View(r.PathValue("view"))
	if !ok {
		g.writeProblem(w, r, errcode.UnknownView.With("%s", r.PathValue("view")))
		return nil, false
	}
	if !g.mayRead(w, r, v.Name()) {
		return nil, false
	}
	if s := r.URL.Query().Get("min_position"); s != "" {
		pos, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			g.writeProblem(w, r, errcode.ValidationFailed.WithFields(map[string]string{"min_position": "number"}))
			return nil, false
		}
		ctx, cancel := context.WithTimeout(r.Context(), g.cfg.MaxWait)
		defer cancel()
		if err := v.WaitFor(ctx, pos); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				g.writeProblem(w, r, errcode.Timeout.With("view %s has not reached position %d", v.Name(), pos))
			} else {
				g.writeProblem(w, r, err)
			}
			return nil, false
		}
	}
	return v, true
}

func (g *Gateway) handleView(w http.ResponseWriter, r *http.Request) {
	v, ok := g.viewFor(w, r)
	if !ok {
		return
	}
	if v, ok = g.viewAsOf(w, r, v); !ok {
		return
	}
	actor, _ := g.actor(r) // viewFor checked it
	pos, rows := v.SnapshotFor(actor)
	if v.Singleton() {
		var item any
		if len(rows) > 0 {
			item = rows[0]
		}
		writeJSON(w, g.log, http.StatusOK, ItemResponse{Position: pos, Item: item})
		return
	}
	if rows == nil {
		rows = []any{}
	}
	writeJSON(w, g.log, http.StatusOK, ListResponse{Position: pos, Items: rows})
}

func (g *Gateway) handleViewItem(w http.ResponseWriter, r *http.Request) {
	v, ok := g.viewFor(w, r)
	if !ok {
		return
	}
	if v, ok = g.viewAsOf(w, r, v); !ok {
		return
	}
	actor, _ := g.actor(r) // viewFor checked it
	pos, item, err := v.GetFor(actor, r.PathValue("id"))
	if errors.Is(err, projections.ErrNotFound) {
		g.writeProblem(w, r, errcode.NotFound.With("%s/%s", v.Name(), r.PathValue("id")))
		return
	}
	writeJSON(w, g.log, http.StatusOK, ItemResponse{Position: pos, Item: item})
}

// mayRead refuses a view to an actor the rules do not let read it.
func (g *Gateway) mayRead(w http.ResponseWriter, r *http.Request, view string) bool {
	actor, err := g.actor(r)
	if err == nil && g.cfg.MayRead != nil {
		err = g.cfg.MayRead(actor, view)
	}
	if err != nil {
		g.writeProblem(w, r, err)
		return false
	}
	return true
}

// handleLive opens the live websocket for a signed-in client: an unidentified upgrade
// is refused with 401 before any websocket is opened.
func (g *Gateway) handleLive(w http.ResponseWriter, r *http.Request) {
	actor, err := g.actor(r)
	if err != nil {
		g.writeProblem(w, r, err)
		return
	}
	var recheck func() error
	if g.cfg.Identify != nil {
		// The session is checked again from the upgrade request's credentials alone.
		again := r.Clone(context.Background())
		again.Body = http.NoBody
		recheck = func() error { _, err := g.cfg.Identify(again); return err }
	}
	g.live.serve(w, r, actor, g.cfg.MayRead, recheck)
}
