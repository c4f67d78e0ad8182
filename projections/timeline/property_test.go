package timeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// history generates a random committee history through the five contexts' real
// deciders: organisations, groups and meetings, opinions edited, amended, voted and
// published, consultations with ballots and closes, action sheets. The facts each
// context's Prepare would read are filled in from what the generator created.
type history struct {
	rng *rand.Rand
	log *projectiontest.Log
	// actors: the secretariat and members of the organisations created so far.
	actors        []events.Actor
	orgs          []uuid.UUID
	groups        []uuid.UUID
	meetings      map[uuid.UUID]uuid.UUID // meeting → group
	opinionsOf    map[uuid.UUID]uuid.UUID // opinion → group
	opinionList   []uuid.UUID
	amendments    map[uuid.UUID][]uuid.UUID // opinion → amendments
	consultations []uuid.UUID
	secretBox     map[uuid.UUID]map[uuid.UUID][]string // secret consultation → sealed ballots
	sheets        []uuid.UUID
	rejected      int
	accepted      int
}

var (
	system = events.Actor{User: "process:opinion-outcomes", Role: "system"}
	dneOrg = uuid.MustParse("1f0c6a52-9d3e-4b7a-8e21-5c4d3b2a1f03")
	propSe = projectiontest.For(projectiontest.Secretariat, dneOrg)
)

func (h *history) env(a events.Actor) bus.Envelope {
	return bus.Envelope{CommandID: uuid.NewString(), Actor: a, Time: h.log.Clock}
}

func pick[T any](h *history, list []T) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	return list[h.rng.IntN(len(list))], true
}

func decide[S any](h *history, d bus.Decider[S], actor events.Actor, cmd any) bool {
	if _, err := projectiontest.Decide(h.log, d, actor, cmd); err != nil {
		h.rejected++
		return false
	}
	h.accepted++
	return true
}

func (h *history) groupFacts(g uuid.UUID) *opinions.GroupFacts {
	return &opinions.GroupFacts{ID: g, Exists: true, Members: append([]uuid.UUID{dneOrg}, h.orgs...)}
}

func (h *history) active() map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{dneOrg: true}
	for _, o := range h.orgs {
		out[o] = true
	}
	return out
}

func (h *history) step() {
	mem, wg := membership.Decider(), workinggroups.Decider(nil, nil)
	op, co, as := opinions.Decider(nil, nil, nil), consultations.Decider(nil, nil, nil, nil), actionsheets.Decider(nil, nil)
	actor, _ := pick(h, h.actors)
	switch h.rng.IntN(14) {
	case 0:
		c := membership.AddOrganisation{Envelope: h.env(propSe), Name: "Organisation", Acronym: fmt.Sprintf("O%d", len(h.orgs))}
		if decide(h, mem, propSe, c) {
			id := membership.OrganisationIDFor(c.CommandID)
			h.orgs = append(h.orgs, id)
			member := projectiontest.Member(id)
			h.actors = append(h.actors, member)
			decide(h, mem, propSe, membership.AddRepresentative{Envelope: h.env(propSe), OrganisationID: id.String(),
				Name: "Élise " + id.String()[:4], Email: member.User, Role: "member"})
		}
	case 1:
		lead, ok := pick(h, append([]uuid.UUID{dneOrg}, h.orgs...))
		active := workinggroups.OrganisationSet{dneOrg: {}}
		for _, o := range h.orgs {
			active[o] = struct{}{}
		}
		c := workinggroups.CreateGroup{Envelope: h.env(propSe), Name: "Groupe", Mandate: "m", Theme: "gouvernance",
			LeadOrganisationID: lead.String(), ActiveOrganisations: active}
		if ok && decide(h, wg, propSe, c) {
			h.groups = append(h.groups, workinggroups.GroupIDFor(c.CommandID))
		}
	case 2:
		g, ok1 := pick(h, h.groups)
		o, ok2 := pick(h, h.orgs)
		if !ok1 || !ok2 {
			return
		}
		decide(h, wg, propSe, workinggroups.AddMember{Envelope: h.env(propSe), GroupID: g.String(), OrganisationID: o.String(),
			ActiveOrganisations: workinggroups.OrganisationSet{o: {}}})
	case 3:
		g, ok := pick(h, h.groups)
		if !ok {
			return
		}
		c := workinggroups.ScheduleMeeting{Envelope: h.env(propSe), GroupID: g.String(), Title: "Réunion", Kind: "meeting",
			StartsAt: h.log.Clock.Add(2 * time.Minute), Place: "Paris", Agenda: []workinggroups.AgendaItemInput{{Title: "Point"}}}
		if decide(h, wg, propSe, c) {
			h.meetings[workinggroups.MeetingIDFor(c.CommandID)] = g
		}
	case 4:
		for m, g := range h.meetings {
			if h.rng.IntN(2) == 0 {
				decide(h, wg, propSe, workinggroups.RecordAttendance{Envelope: h.env(propSe), GroupID: g.String(), MeetingID: m.String(), Present: []string{dneOrg.String()}})
			} else {
				decide(h, wg, propSe, workinggroups.PublishMinutes{Envelope: h.env(propSe), GroupID: g.String(), MeetingID: m.String(), Text: "Compte rendu"})
			}
			break
		}
	case 5:
		g, ok := pick(h, h.groups)
		c := opinions.CreateOpinion{Envelope: h.env(propSe), Kind: "opinion", Title: "Avis", GroupID: g.String(),
			Text: "Le comité recommande une gouvernance concertée.", Group: h.groupFacts(g)}
		if ok && decide(h, op, propSe, c) {
			id := opinions.OpinionIDFor(c.CommandID)
			h.opinionsOf[id] = g
			h.opinionList = append(h.opinionList, id)
		}
	case 6, 7:
		// Text edits by a few people in a row: they fold, or not, by person and time.
		o, ok := pick(h, h.opinionList)
		if !ok {
			return
		}
		for range 1 + h.rng.IntN(4) {
			who, _ := pick(h, []events.Actor{propSe, actor})
			cmd := opinions.EditText{Envelope: h.env(who), OpinionID: o.String(), Group: h.groupFacts(h.opinionsOf[o])}
			s := projectiontest.State(h.log, op, cmd)
			v := s.Version
			cmd.BaseVersion, cmd.Text = &v, s.Text+" Ajout."
			decide(h, op, who, cmd)
		}
	case 8:
		o, ok := pick(h, h.opinionList)
		if !ok {
			return
		}
		g := h.groupFacts(h.opinionsOf[o])
		switch h.rng.IntN(4) {
		case 0:
			decide(h, op, propSe, opinions.SubmitForReview{Envelope: h.env(propSe), OpinionID: o.String(), Group: g})
		case 1:
			c := opinions.ProposeAmendment{Envelope: h.env(actor), OpinionID: o.String(), Passage: "gouvernance", Replacement: "gouvernance partagée"}
			if decide(h, op, actor, c) {
				h.amendments[o] = append(h.amendments[o], opinions.AmendmentIDFor(c.CommandID))
			}
		case 2:
			if a, ok := pick(h, h.amendments[o]); ok {
				decide(h, op, propSe, opinions.AcceptAmendment{Envelope: h.env(propSe), OpinionID: o.String(), AmendmentID: a.String(), Group: g})
			}
		case 3:
			if a, ok := pick(h, h.amendments[o]); ok {
				decide(h, op, propSe, opinions.RejectAmendment{Envelope: h.env(propSe), OpinionID: o.String(), AmendmentID: a.String(), Group: g})
			}
		}
	case 9:
		o, ok := pick(h, h.opinionList)
		if !ok {
			return
		}
		switch h.rng.IntN(4) {
		case 0:
			decide(h, op, propSe, opinions.OpenVote{Envelope: h.env(propSe), OpinionID: o.String(), Group: h.groupFacts(h.opinionsOf[o])})
		case 1:
			cmd := opinions.RecordOutcome{Envelope: h.env(system), OpinionID: o.String(), Outcome: "adopted", ConsultationID: uuid.NewString()}
			if s := projectiontest.State(h.log, op, cmd); s.Frozen != nil {
				cmd.TextSHA256 = s.Frozen.SHA256
			}
			decide(h, op, system, cmd)
		case 2:
			decide(h, op, propSe, opinions.Publish{Envelope: h.env(propSe), OpinionID: o.String()})
		case 3:
			decide(h, op, propSe, opinions.Withdraw{Envelope: h.env(propSe), OpinionID: o.String(), Reason: "r", Group: h.groupFacts(h.opinionsOf[o])})
		}
	case 10:
		var electorate []consultations.Voter
		for o := range h.active() {
			electorate = append(electorate, consultations.Voter{OrganisationID: o.String()})
		}
		c := consultations.OpenConsultation{Envelope: h.env(propSe), Question: "Adopte-t-on ?", Kind: "yes_no_abstain",
			Electorate: electorate, Deadline: h.log.Clock.Add(24 * time.Hour), Secret: h.rng.IntN(3) == 0, Results: "at_close",
			ActiveOrganisations: h.active()}
		if o, ok := pick(h, h.opinionList); ok && h.rng.IntN(2) == 0 {
			if s := projectiontest.State(h.log, op, opinions.Publish{OpinionID: o.String()}); s.Frozen != nil {
				c.OpinionID, c.OpinionTextSHA256 = o.String(), s.Frozen.SHA256
				c.Opinion = &consultations.OpinionVersion{State: string(s.State), TextSHA256: s.Frozen.SHA256}
			}
		}
		if decide(h, co, propSe, c) {
			id := consultations.ConsultationIDFor(c.CommandID)
			h.consultations = append(h.consultations, id)
			if c.Secret {
				h.secretBox[id] = map[uuid.UUID][]string{}
			}
		}
	case 11:
		id, ok := pick(h, h.consultations)
		if !ok {
			return
		}
		org, _ := uuid.Parse(actor.Organisation)
		choice := []string{"pour", "contre", "abstention"}[h.rng.IntN(3)]
		box, secret := h.secretBox[id]
		c := consultations.CastBallot{Envelope: h.env(actor), ConsultationID: id.String(), OrganisationID: actor.Organisation,
			Choices: []string{choice}, Change: h.rng.IntN(3) == 0, Sealed: secret}
		if decide(h, co, actor, c) && secret {
			box[org] = []string{choice}
		}
	case 12:
		id, ok := pick(h, h.consultations)
		if !ok {
			return
		}
		box, secret := h.secretBox[id]
		decide(h, co, propSe, consultations.CloseConsultation{Envelope: h.env(propSe), ConsultationID: id.String(),
			BoxOpened: secret, BoxBallots: box})
	case 13:
		s, ok := pick(h, h.sheets)
		n := h.rng.IntN(5)
		if !ok {
			n = 0
		}
		switch n {
		case 0, 1:
			orgs := actionsheets.Organisations{dneOrg: "DNE"}
			for _, o := range h.orgs {
				orgs[o] = "X"
			}
			c := actionsheets.CreateSheet{Envelope: h.env(propSe), Title: "Fiche " + uuid.NewString()[:6], Level: "commune",
				Theme: "infrastructures", OrganisationID: dneOrg.String(), DueDate: h.log.Clock.AddDate(0, 6, 0).Format(time.DateOnly), Organisations: orgs}
			if o, ok := pick(h, h.opinionList); ok {
				c.OpinionID = o.String()
			}
			if decide(h, as, propSe, c) {
				h.sheets = append(h.sheets, actionsheets.SheetIDFor(c.CommandID))
			}
		case 2:
			decide(h, as, propSe, actionsheets.StartSheet{Envelope: h.env(propSe), SheetID: s.String()})
		case 3:
			p := h.rng.IntN(101)
			decide(h, as, propSe, actionsheets.RecordProgress{Envelope: h.env(propSe), SheetID: s.String(), Percent: &p, Comment: "c"})
		case 4:
			decide(h, as, propSe, actionsheets.RescheduleSheet{Envelope: h.env(propSe), SheetID: s.String(),
				DueDate: h.log.Clock.AddDate(1, 0, 0).Format(time.DateOnly), Reason: "r"})
		}
	}
}

// TestRebuildEqualsLive: random histories across every context give the same timeline
// built live (with clients following it, a secretariat and an observer), rebuilt, and
// restored from a snapshot; with the real bound and with a tiny one that drops rows.
func TestRebuildEqualsLive(t *testing.T) {
	tiny := func() []*projections.View {
		return []*projections.View{projections.NewView(View, newModel(7), false).WithVisibility(Visible)}
	}
	total, rejected, publicRows := 0, 0, 0
	for seed := range uint64(120) {
		h := &history{rng: rand.New(rand.NewPCG(seed, 6)), log: projectiontest.NewLog(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)),
			actors: []events.Actor{propSe}, meetings: map[uuid.UUID]uuid.UUID{}, opinionsOf: map[uuid.UUID]uuid.UUID{},
			amendments: map[uuid.UUID][]uuid.UUID{}, secretBox: map[uuid.UUID]map[uuid.UUID][]string{}}
		decide(h, membership.Decider(), propSe, membership.CreateCommittee{Envelope: h.env(propSe), Name: "Comité"})
		for range 20 + h.rng.IntN(60) {
			h.step()
		}
		total += h.accepted
		rejected += h.rejected
		if len(h.log.Events) < 3 {
			continue
		}
		projectiontest.Check(t, Views, h.log.Events)
		projectiontest.Check(t, tiny, h.log.Events)
		v := Views()[0]
		for _, e := range h.log.Events {
			if err := v.Apply(e.Event, e.Payload); err != nil {
				t.Fatal(err)
			}
		}
		_, rows := v.SnapshotFor(events.Actor{Role: "observer"})
		publicRows += len(rows)
	}
	// A generator that only produced rejections, or nothing observers see, tests little.
	if total < rejected || publicRows == 0 {
		t.Fatalf("%d commands accepted, %d rejected, %d rows public", total, rejected, publicRows)
	}
	t.Logf("%d commands accepted, %d rejected, %d rows public", total, rejected, publicRows)
}

// TestArchiveAndExport: the archive keeps what the live timeline shows (and more, once
// the live one drops rows); the export holds the archive's entries as each reader sees
// them, oldest first, in CSV and JSON.
func TestArchiveAndExport(t *testing.T) {
	archive := func() []*projections.View { return []*projections.View{Archive()} }
	exported := 0
	for seed := range uint64(40) {
		h := &history{rng: rand.New(rand.NewPCG(seed, 11)), log: projectiontest.NewLog(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)),
			actors: []events.Actor{propSe}, meetings: map[uuid.UUID]uuid.UUID{}, opinionsOf: map[uuid.UUID]uuid.UUID{},
			amendments: map[uuid.UUID][]uuid.UUID{}, secretBox: map[uuid.UUID]map[uuid.UUID][]string{}}
		decide(h, membership.Decider(), propSe, membership.CreateCommittee{Envelope: h.env(propSe), Name: "Comité"})
		for range 20 + h.rng.IntN(60) {
			h.step()
		}
		projectiontest.Check(t, archive, h.log.Events)
		live, arch := Views()[0], Archive()
		projectiontest.Apply(t, []*projections.View{live, arch}, h.log.Events...)
		// Under MaxEntries rows, the archive is the live timeline.
		for _, reader := range []events.Actor{propSe, projectiontest.Observer} {
			_, l := live.SnapshotFor(reader)
			_, a := arch.SnapshotFor(reader)
			if fmt.Sprint(l) != fmt.Sprint(a) {
				t.Fatalf("seed %d: archive and live timeline differ for %s:\n%v\n%v", seed, reader.Role, a, l)
			}
		}
		log := projectiontest.NewMemLog(h.log.Events)
		for _, reader := range []events.Actor{propSe, projectiontest.Observer} {
			_, want := arch.SnapshotFor(reader)
			var js bytes.Buffer
			if err := Export(context.Background(), log, log.Decode, reader, FormatJSON, time.Now(), &js); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Position uint64     `json:"position"`
				Entries  []EntryRow `json:"entries"`
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Entries) != len(want) || doc.Position != h.log.Events[len(h.log.Events)-1].Event.Position {
				t.Fatalf("seed %d: JSON export of %d entries at %d, the archive shows %s %d", seed, len(doc.Entries), doc.Position, reader.Role, len(want))
			}
			for i, e := range doc.Entries {
				w := want[len(want)-1-i].(EntryRow)
				if e.ID != w.ID || e.Position != w.Position || e.Actor.User != w.Actor.User || e.Public != w.Public {
					t.Fatalf("seed %d: JSON export entry %d: %+v, want %+v", seed, i, e, w)
				}
				if reader.Role == "observer" && (!e.Public || e.Actor.User != "") {
					t.Fatalf("seed %d: the observer's export shows %+v", seed, e)
				}
			}
			var buf bytes.Buffer
			if err := Export(context.Background(), log, log.Decode, reader, FormatCSV, time.Now(), &buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(want)+1 || strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
				t.Fatalf("seed %d: CSV export of %d records for %d entries", seed, len(recs), len(want))
			}
			for i, r := range recs[1:] {
				if r[0] != strconv.FormatUint(doc.Entries[i].Position, 10) || r[5] != doc.Entries[i].Type {
					t.Fatalf("seed %d: CSV record %d %v, JSON entry %+v", seed, i, r, doc.Entries[i])
				}
			}
			exported += len(want)
		}
	}
	if exported == 0 {
		t.Fatal("nothing exported")
	}
	if err := Export(context.Background(), projectiontest.NewMemLog(nil), nil, propSe, "xml", time.Now(), io.Discard); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+33": "'+33", "-x": "'-x", "@SUM": "'@SUM", "Avis": "Avis", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
