package main

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/gateway"
)

// listStreams is the stream browser's list: every stream of the log (of one category when
// category is set), found by reading the whole log — seconds for a million events, which
// an auditor's occasional browsing can afford.
func listStreams(st store.Store) func(context.Context, string) ([]gateway.StreamInfo, error) {
	return func(ctx context.Context, category string) ([]gateway.StreamInfo, error) {
		byName := map[string]*gateway.StreamInfo{}
		for ev, err := range st.ReadAll(ctx, store.Start) {
			if err != nil {
				return nil, err
			}
			cat, _, _ := events.SplitStream(ev.Stream)
			if category != "" && cat != category {
				continue
			}
			s := byName[ev.Stream]
			if s == nil {
				s = &gateway.StreamInfo{Stream: ev.Stream, Category: cat, FirstPosition: ev.Position}
				byName[ev.Stream] = s
			}
			s.Events++
			s.LastPosition, s.LastType, s.LastTime = ev.Position, ev.Type, ev.Time
		}
		out := make([]gateway.StreamInfo, 0, len(byName))
		for _, s := range byName {
			out = append(out, *s)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].FirstPosition < out[j].FirstPosition })
		return out, nil
	}
}

// readStream is the stream browser's stream: its events, envelope and payload, with the
// secret-ballot rule applied.
func readStream(st store.Store) func(context.Context, string) ([]gateway.BrowsedEvent, error) {
	return func(ctx context.Context, stream string) ([]gateway.BrowsedEvent, error) {
		var out []gateway.BrowsedEvent
		for ev, err := range st.Read(ctx, stream, 0) {
			if err != nil {
				return nil, err
			}
			out = append(out, gateway.BrowsedEvent{Event: ev})
		}
		return redactSecretBallots(out), nil
	}
}

// redactSecretBallots withholds the payload of the ballots of a secret consultation that
// name an organisation and its choices (logs written before secret ballots were sealed
// in the ballot box hold such events): an auditor sees that a ballot was cast, when and
// its hash, never whose choice it was.
func redactSecretBallots(evs []gateway.BrowsedEvent) []gateway.BrowsedEvent {
	secret := false
	for i, ev := range evs {
		switch ev.Type {
		case consultations.TypeConsultationOpened:
			var o struct {
				Secret bool `json:"secret"`
			}
			_ = json.Unmarshal(ev.Data, &o)
			secret = o.Secret
		case consultations.TypeBallotCast, consultations.TypeBallotChanged:
			if secret {
				evs[i].Data, evs[i].Redacted = json.RawMessage(`null`), true
			}
		}
	}
	return evs
}
