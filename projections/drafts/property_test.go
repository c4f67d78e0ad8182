package drafts

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/opinions"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/bus"
	svc "github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
)

// Organisations of the tests: A and B draft, C does not.
var (
	orgA = uuid.MustParse("0a000000-0000-4000-8000-00000000000a")
	orgB = uuid.MustParse("0b000000-0000-4000-8000-00000000000b")
	orgC = uuid.MustParse("0c000000-0000-4000-8000-00000000000c")

	memberA = projectiontest.Member(orgA)
	memberB = projectiontest.Member(orgB)
	memberC = projectiontest.Member(orgC)
	process = events.Actor{User: "process:opinion-outcomes", Role: "system"}
	group   = uuid.MustParse("90000000-0000-4000-8000-000000000009")
	facts   = svc.GroupFacts{ID: group, Exists: true, Members: []uuid.UUID{orgA, orgB}}
)

// words make the random texts: accents, a flag (four UTF-16 units), CJK, new lines.
var words = []string{"le", "comité", "recommande", "une", "démarche", "🇫🇷", "协作", "école", "\n"}

func sentence(rng *rand.Rand) string {
	parts := make([]string, 1+rng.IntN(5))
	for i := range parts {
		parts[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

// world writes a log of opinions through the real opinions decider.
type world struct {
	log *projectiontest.Log
	d   bus.Decider[svc.Opinion]
	n   int
}

func newWorld() *world {
	return &world{log: projectiontest.NewLog(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)), d: svc.Decider(nil, nil, nil)}
}

func (w *world) env(a events.Actor) bus.Envelope {
	w.n++
	return bus.Envelope{CommandID: uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(w.n), byte(w.n >> 8)}).String(), Actor: a, Time: w.log.Clock}
}

func (w *world) do(a events.Actor, cmd any) { _, _ = projectiontest.Decide(w.log, w.d, a, cmd) }

func (w *world) opinion(id uuid.UUID) svc.Opinion {
	return projectiontest.State(w.log, w.d, svc.Publish{OpinionID: id.String()})
}

// splice is a random change of text: a few characters replaced by a few words, at a
// UTF-16 offset that may fall inside a character (the decider refuses those).
func splice(rng *rand.Rand, text string) json.RawMessage {
	n := changeset.Len16(text)
	from := rng.IntN(n + 1)
	to := min(n, from+rng.IntN(4))
	raw, _ := json.Marshal(changeset.Splice(n, from, to, sentence(rng)))
	return raw
}

// history is a random history of a few texts: co-drafting pushes (several changes at
// once, some on a stale version), whole-text edits, amendments, votes, publication and
// withdrawal. It returns the log and the texts' IDs.
func history(seed uint64) (*world, []uuid.UUID) {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := newWorld()
	actors := []events.Actor{memberA, memberB, memberC}
	who := func() events.Actor { return actors[rng.IntN(len(actors))] }
	var ids []uuid.UUID
	pick := func() uuid.UUID {
		if len(ids) == 0 {
			return uuid.New()
		}
		return ids[rng.IntN(len(ids))]
	}
	f := facts
	for range 20 + rng.IntN(60) {
		switch op := rng.IntN(12); {
		case op == 0 || len(ids) == 0:
			e := w.env(memberA)
			w.do(memberA, svc.CreateOpinion{Envelope: e, Kind: svc.KindOpinion, Title: "Avis " + sentence(rng), GroupID: group.String(), Text: sentence(rng), Group: &f})
			ids = append(ids, svc.OpinionIDFor(e.CommandID))
		case op <= 5:
			id := pick()
			o := w.opinion(id)
			v := o.Version - rng.IntN(2)*rng.IntN(2)
			var changes []json.RawMessage
			text := o.Text
			for range 1 + rng.IntN(3) {
				raw := splice(rng, text)
				cs, _ := changeset.Parse(raw)
				if next, err := cs.Apply(text); err == nil {
					text = next
				}
				changes = append(changes, raw)
			}
			a := who()
			w.do(a, svc.PushChanges{Envelope: w.env(a), OpinionID: id.String(), Version: &v, ClientID: "editor-" + a.Organisation[:2], Changes: changes, Group: &f})
		case op == 6:
			id := pick()
			v := w.opinion(id).Version
			w.do(memberB, svc.EditText{Envelope: w.env(memberB), OpinionID: id.String(), BaseVersion: &v, Text: sentence(rng), Group: &f})
		case op == 7:
			id := pick()
			w.do(memberA, svc.SubmitForReview{Envelope: w.env(memberA), OpinionID: id.String(), Group: &f})
		case op == 8:
			id := pick()
			o := w.opinion(id)
			r := []rune(o.Text)
			passage := "absent"
			if len(r) > 0 {
				from := rng.IntN(len(r))
				passage = string(r[from : from+1+rng.IntN(min(6, len(r)-from))])
			}
			e := w.env(memberC)
			w.do(memberC, svc.ProposeAmendment{Envelope: e, OpinionID: id.String(), Passage: passage, Replacement: sentence(rng)})
			w.do(memberA, svc.AcceptAmendment{Envelope: w.env(memberA), OpinionID: id.String(), AmendmentID: svc.AmendmentIDFor(e.CommandID).String(), Group: &f})
		case op == 9:
			id := pick()
			w.do(memberA, svc.OpenVote{Envelope: w.env(memberA), OpinionID: id.String(), Group: &f})
			if o := w.opinion(id); o.Frozen != nil {
				outcome := []svc.Outcome{svc.OutcomeAdopted, svc.OutcomeRejected}[rng.IntN(2)]
				w.do(process, svc.RecordOutcome{Envelope: w.env(process), OpinionID: id.String(), Outcome: outcome,
					ConsultationID: uuid.NewString(), TextSHA256: o.Frozen.SHA256})
			}
		case op == 10:
			w.do(projectiontest.Secretariat, svc.Publish{Envelope: w.env(projectiontest.Secretariat), OpinionID: pick().String()})
		case op == 11 && rng.IntN(3) == 0:
			w.do(memberA, svc.Withdraw{Envelope: w.env(memberA), OpinionID: pick().String(), Reason: "Abandonné", Group: &f})
		}
	}
	return w, ids
}

// TestRebuildEqualsLive: random histories decided by the real opinions decider give the
// same opinion-updates view built live (with clients following it), rebuilt and restored;
// and each text's changes, applied in version order from the empty text, give the text
// the service holds.
func TestRebuildEqualsLive(t *testing.T) {
	seen := map[string]int{}
	changes := 0
	for seed := range uint64(150) {
		w, ids := history(seed)
		for _, e := range w.log.Events {
			seen[e.Event.Type]++
			if p, ok := e.Payload.(svc.DraftChanged); ok {
				seen[p.Source]++
				changes++
			}
		}
		projectiontest.Check(t, Views, w.log.Events, memberA, memberC)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
		v := Views()[0]
		projectiontest.Apply(t, []*projections.View{v}, w.log.Events...)
		for _, id := range ids {
			o := w.opinion(id)
			text := ""
			for i, r := range v.Model().(projections.Nested).RowsUnder(id.String()) {
				row := r.(UpdateRow)
				if row.Version != i+1 {
					t.Fatalf("seed %d: text %s: row %d has version %d", seed, id, i, row.Version)
				}
				cs, err := changeset.Parse(row.Changes)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if text, err = cs.Apply(text); err != nil {
					t.Fatalf("seed %d: version %d: %v", seed, row.Version, err)
				}
			}
			if text != o.Text {
				t.Fatalf("seed %d: text %s: the changes give %q, the service holds %q", seed, id, text, o.Text)
			}
		}
	}
	for _, want := range []string{svc.TypePublished, svc.TypeWithdrawn, svc.SourceInitial, svc.SourcePush, svc.SourceEdit, svc.SourceAmendment} {
		if seen[want] == 0 {
			t.Errorf("no %s in any history", want)
		}
	}
	t.Logf("%d changes; %v", changes, seen)
}

// TestPullFromDetails is the client flow: read opinion-details (version, position P),
// subscribe to opinion-updates:<id> with since = P: the rows are exactly the changes
// after the version read, in version order, then the later ones arrive live; a
// reconnect with since = the last position gets exactly the missed ones.
func TestPullFromDetails(t *testing.T) {
	for seed := range uint64(60) {
		w, ids := history(seed)
		if len(ids) == 0 {
			continue
		}
		id := ids[0].String()
		evs := w.log.Events
		details := opinions.Views()[1]
		updates := Views()[0]
		cut := len(evs) / 3
		projectiontest.Apply(t, []*projections.View{details, updates}, evs[:cut]...)
		late := len(evs) * 2 / 3
		projectiontest.Apply(t, []*projections.View{updates}, evs[cut:late]...) // the details lag behind
		_, row, err := details.GetFor(memberB, id)
		if err != nil {
			continue // not created yet
		}
		d := row.(opinions.DetailRow)
		sub := projections.NewSubscriber(len(evs)+1, memberB, id)
		_, rows, snapshot := updates.Subscribe(d.Position, sub)
		if d.Position == 0 {
			if !snapshot {
				t.Fatalf("seed %d: since 0 gives no snapshot", seed)
			}
		}
		got := []int{}
		version := d.Version
		take := func(rows []any) {
			for _, r := range rows {
				u := r.(UpdateRow)
				if u.Version <= version {
					continue // already in the text read (a snapshot, or a status change)
				}
				if u.Version != version+1 {
					t.Fatalf("seed %d: version %d after %d", seed, u.Version, version)
				}
				version = u.Version
				got = append(got, u.Version)
			}
		}
		take(rows)
		projectiontest.Apply(t, []*projections.View{updates}, evs[late:]...)
		for len(sub.C()) > 0 {
			take((<-sub.C()).Rows)
		}
		if want := w.opinion(ids[0]).Version; version != want {
			t.Fatalf("seed %d: the client reached version %d, the service %d (%v)", seed, version, want, got)
		}
	}
}
