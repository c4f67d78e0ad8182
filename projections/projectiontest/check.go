// Package projectiontest checks read models against the promise of the projections
// package: a view built live, event by event, while clients follow it through patches,
// equals the same view rebuilt from scratch, and equals it again after a snapshot. It
// also gives the views' tests what they share: a Log written by the real deciders, a
// Feeder that turns payloads into events, and the actors they act and read as.
package projectiontest

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
)

// Event is an event with its decoded payload, as the runner hands them to views.
type Event struct {
	Event   events.Event
	Payload events.Payload
}

// Check folds evs (positions strictly increasing) into views made by newViews, in four
// ways, and fails t unless they agree on every view:
//
//   - live: one event at a time, followed by a client per actor subscribed from the
//     start, and one per actor that joins half-way with since = the position then (a
//     reconnect); each client keeps rows by ID from its snapshot and patches;
//   - rebuilt: fresh views fed every event at once;
//   - restored: fresh views fed the first half, saved, restored into other fresh views
//     (through JSON, as on disk), which fold the second half (Persistent models only;
//     every view of the package must be Persistent);
//   - each client's copy equals what the live view shows that actor (SnapshotFor);
//
// and it checks time travel: a projections.History over evs, asked for each view at
// several positions in a jumbled order, answers what fresh views fed the events up to
// there show, to every reader; its PositionAt matches the definition.
//
// Rows are compared as JSON; clients' copies ignoring order. Readers are Actors plus
// extra (e.g. a member of an organisation of the history, for rules that depend on the
// reader's organisation).
func Check(t testing.TB, newViews func() []*projections.View, evs []Event, extra ...events.Actor) {
	t.Helper()
	readers := append(append([]events.Actor(nil), Actors...), extra...)
	live, rebuilt, firstHalf := newViews(), newViews(), newViews()
	half := len(evs) / 2
	type client struct {
		actor events.Actor
		view  int
		sub   *projections.Subscriber
		rows  map[string]json.RawMessage
	}
	var clients []*client
	follow := func(since uint64, vi int, v *projections.View, actor events.Actor) {
		c := &client{actor: actor, view: vi, sub: projections.NewSubscriber(len(evs)+2, actor, ""), rows: map[string]json.RawMessage{}}
		_, rows, snapshot := v.Subscribe(since, c.sub)
		if since > 0 {
			// A reconnecting client holds what the view showed it at since.
			for id, raw := range byID(t, v.Name(), snapshotAt(t, newViews, vi, evs, since, actor)) {
				c.rows[id] = raw
			}
		}
		applyRows(t, v.Name(), c.rows, rows, snapshot)
		clients = append(clients, c)
	}
	for vi, v := range live {
		for _, a := range readers {
			follow(0, vi, v, a)
		}
	}
	for i, e := range evs {
		if i == half && i > 0 {
			for vi, v := range live {
				for _, a := range readers {
					follow(evs[i-1].Event.Position, vi, v, a)
				}
			}
		}
		Apply(t, live, e)
		if i < half {
			Apply(t, firstHalf, e)
		}
	}
	for _, e := range evs {
		Apply(t, rebuilt, e)
	}
	restored := newViews()
	for i, v := range firstHalf {
		snap, err := v.Save()
		if err != nil {
			t.Fatalf("view %s: %v", v.Name(), err)
		}
		raw, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		var back projections.ViewSnapshot
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if err := restored[i].Restore(back); err != nil {
			t.Fatalf("view %s: %v", v.Name(), err)
		}
	}
	for _, e := range evs[half:] {
		Apply(t, restored, e)
	}

	for i, v := range live {
		want := dump(t, rebuilt[i])
		if got := dump(t, v); got != want {
			t.Fatalf("view %s built live differs from its rebuild:\nlive:    %s\nrebuilt: %s", v.Name(), got, want)
		}
		if got := dump(t, restored[i]); got != want {
			t.Fatalf("view %s restored from a snapshot differs from its rebuild:\nrestored: %s\nrebuilt:  %s", v.Name(), got, want)
		}
		if v.Position() != rebuilt[i].Position() || restored[i].Position() != v.Position() {
			t.Fatalf("view %s positions: live %d, rebuilt %d, restored %d", v.Name(), v.Position(), rebuilt[i].Position(), restored[i].Position())
		}
	}
	checkHistory(t, newViews, evs, readers)
	for _, c := range clients {
		v := live[c.view]
		for len(c.sub.C()) > 0 {
			p := <-c.sub.C()
			applyRows(t, v.Name(), c.rows, p.Rows, false)
		}
		if c.sub.Overflowed() {
			t.Fatalf("view %s: a client's buffer overflowed", v.Name())
		}
		_, rows := v.SnapshotFor(c.actor)
		want := canonical(byID(t, v.Name(), rows))
		if got := canonical(c.rows); got != want {
			t.Fatalf("view %s as seen by %s: the client's copy differs from the view:\nclient: %s\nview:   %s", v.Name(), c.actor.Role, got, want)
		}
	}
}

// snapshotAt is what view vi showed actor once the events up to position since were
// folded: what a client that disconnected then held.
func snapshotAt(t testing.TB, newViews func() []*projections.View, vi int, evs []Event, since uint64, actor events.Actor) []any {
	views := newViews()
	for _, e := range evs {
		if e.Event.Position > since {
			break
		}
		Apply(t, views[vi:vi+1], e)
	}
	_, rows := views[vi].SnapshotFor(actor)
	return rows
}

func applyRows(t testing.TB, view string, into map[string]json.RawMessage, rows []any, snapshot bool) {
	t.Helper()
	if snapshot {
		clear(into)
	}
	for id, raw := range byID(t, view, rows) {
		var tomb struct {
			Removed bool `json:"removed"`
		}
		_ = json.Unmarshal(raw, &tomb)
		if tomb.Removed {
			delete(into, id)
		} else {
			into[id] = raw
		}
	}
}

func byID(t testing.TB, view string, rows []any) map[string]json.RawMessage {
	t.Helper()
	out := make(map[string]json.RawMessage, len(rows))
	for _, r := range rows {
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("view %s: row %v: %v", view, r, err)
		}
		var id struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &id); err != nil || id.ID == "" {
			t.Fatalf("view %s: a row without an id: %s", view, raw)
		}
		out[id.ID] = raw
	}
	return out
}

func canonical(rows map[string]json.RawMessage) string {
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := ""
	for _, id := range ids {
		out += fmt.Sprintf("%s=%s\n", id, rows[id])
	}
	return out
}

func dump(t testing.TB, v *projections.View) string {
	t.Helper()
	pos, rows := v.Snapshot()
	raw, err := json.Marshal(rows)
	if err != nil {
		t.Fatalf("view %s: %v", v.Name(), err)
	}
	return fmt.Sprintf("position %d: %s", pos, raw)
}
