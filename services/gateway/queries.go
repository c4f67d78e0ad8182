package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Query is a read computed from the log rather than kept in a view, such as a recount
// simulation: POST /api/v1/queries/{name}/{id} with a JSON body of parameters. It
// changes nothing. The reader must be allowed to read the row id of View (the view's
// rules and the row's visibility decide, as for GET /api/v1/views/{view}/{id}).
type Query struct {
	Name string
	View string
	// Summary, Params and Answer document it in OpenAPI: a sentence, and zero values of
	// the body's and the answer's types.
	Summary        string
	Params, Answer any
	// Run answers the query about id with the parameters in body (JSON); its errors
	// carry codes (errcode) like commands'.
	Run func(ctx context.Context, id string, body []byte) (any, error)
}

func (g *Gateway) handleQuery(w http.ResponseWriter, r *http.Request) {
	q, ok := g.queries[r.PathValue("query")]
	if !ok {
		g.writeProblem(w, r, errcode.NotFound.With("query %s", r.PathValue("query")))
		return
	}
	v, ok := g.views.View(q.View)
	if !ok {
		g.writeProblem(w, r, errcode.UnknownView.With("%s", q.View))
		return
	}
	if !g.mayRead(w, r, v.Name()) {
		return
	}
	actor, _ := g.actor(r) // mayRead checked it
	id := r.PathValue("id")
	if _, _, err := v.GetFor(actor, id); errors.Is(err, projections.ErrNotFound) {
		g.writeProblem(w, r, errcode.NotFound.With("%s/%s", v.Name(), id))
		return
	}
	body, ok := g.readJSON(w, r)
	if !ok {
		return
	}
	answer, err := q.Run(r.Context(), id, body)
	if err != nil {
		g.writeProblem(w, r, err)
		return
	}
	writeJSON(w, g.log, http.StatusOK, answer)
}
