package main

import (
	"bytes"
	"context"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections/timeline"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/gateway"
)

// logReads are the reads the gateway computes from the log besides the views: recount
// simulations of closed consultations, and the whole decision history as CSV or JSON.
func logReads(sys *system) ([]gateway.Query, []gateway.Export) {
	queries := []gateway.Query{{Name: "recount", View: "consultations", Run: consultations.RecountQuery(sys.store, sys.registry),
		Summary: "Recount a closed consultation under other weights or another quorum: a simulation, never recorded",
		Params:  new(consultations.RecountRules), Answer: new(consultations.Simulation)}}
	exports := []gateway.Export{{Name: "timeline", View: timeline.View,
		Formats: []gateway.ExportFormat{{Name: timeline.FormatCSV, MediaType: "text/csv; charset=utf-8"},
			{Name: timeline.FormatJSON, MediaType: "application/json"}},
		Run: func(ctx context.Context, reader events.Actor, format string, w *bytes.Buffer) error {
			return timeline.Export(ctx, sys.store, sys.registry.Decode, reader, format, time.Now(), w)
		}}}
	return queries, exports
}
