package opinions

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/consultations"
	svc "github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// Organisations of the tests' committee: A leads the group, B joins it, C stays out.
var (
	orgA = uuid.MustParse("0a000000-0000-4000-8000-00000000000a")
	orgB = uuid.MustParse("0b000000-0000-4000-8000-00000000000b")
	orgC = uuid.MustParse("0c000000-0000-4000-8000-00000000000c")
	orgs = []uuid.UUID{orgA, orgB, orgC}
)

// Actors of the tests.
var (
	secretariat = projectiontest.For(projectiontest.Secretariat, orgA)
	memberB     = projectiontest.Member(orgB)
	memberC     = projectiontest.Member(orgC)
	process     = events.Actor{User: "process:opinion-outcomes", Role: "system"}
)

// world writes a log through the real deciders of the contexts the views fold, giving
// each command the facts Prepare would find (the drafting group's members, the committee's
// organisations, the opinion put to the vote).
type world struct {
	log      *projectiontest.Log
	opinions bus.Decider[svc.Opinion]
	groups   bus.Decider[workinggroups.Group]
	consult  bus.Decider[consultations.Consultation]
	sheets   bus.Decider[actionsheets.Board]
	n        int
}

func newWorld() *world {
	return &world{log: projectiontest.NewLog(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)),
		opinions: svc.Decider(nil, nil, nil), groups: workinggroups.Decider(nil, nil),
		consult: consultations.Decider(nil, nil, nil, nil), sheets: actionsheets.Decider(nil, nil)}
}

// env is a fresh command envelope.
func (w *world) env(a events.Actor) bus.Envelope {
	w.n++
	return bus.Envelope{CommandID: uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(w.n), byte(w.n >> 8)}).String(), Actor: a, Time: w.log.Clock}
}

func (w *world) opinion(id uuid.UUID) svc.Opinion {
	return projectiontest.State(w.log, w.opinions, svc.Publish{OpinionID: id.String()})
}

func (w *world) group(id uuid.UUID) workinggroups.Group {
	return projectiontest.State(w.log, w.groups, workinggroups.CloseGroup{GroupID: id.String()})
}

// facts are the drafting group's facts, as Prepare finds them.
func (w *world) facts(groupID uuid.UUID) svc.GroupFacts {
	g := w.group(groupID)
	return svc.GroupFacts{ID: groupID, Exists: g.Created, Closed: g.Closed, Members: g.Members.IDs()}
}

func (w *world) active() workinggroups.OrganisationSet {
	s := workinggroups.OrganisationSet{}
	for _, o := range orgs {
		s[o] = struct{}{}
	}
	return s
}

// do decides cmd with the decider of its context and returns the payloads, or nil when
// refused.
func (w *world) do(a events.Actor, cmd any) []events.Payload {
	var out []events.Payload
	var err error
	switch cmd.(type) {
	case workinggroups.CreateGroup, workinggroups.AddMember, workinggroups.RemoveMember, workinggroups.CloseGroup:
		out, err = projectiontest.Decide(w.log, w.groups, a, cmd)
	case consultations.OpenConsultation, consultations.CloseConsultation:
		out, err = projectiontest.Decide(w.log, w.consult, a, cmd)
	case actionsheets.CreateSheet, actionsheets.StartSheet, actionsheets.CompleteSheet:
		out, err = projectiontest.Decide(w.log, w.sheets, a, cmd)
	default:
		out, err = projectiontest.Decide(w.log, w.opinions, a, cmd)
	}
	if err != nil {
		return nil
	}
	return out
}

func (w *world) createGroup(lead uuid.UUID, name string) uuid.UUID {
	e := w.env(secretariat)
	w.do(secretariat, workinggroups.CreateGroup{Envelope: e, Name: name, Mandate: "Mandat", Theme: "gouvernance",
		LeadOrganisationID: lead.String(), ActiveOrganisations: w.active()})
	return workinggroups.GroupIDFor(e.CommandID)
}

func (w *world) addMember(group, org uuid.UUID) {
	w.do(secretariat, workinggroups.AddMember{Envelope: w.env(secretariat), GroupID: group.String(),
		OrganisationID: org.String(), ActiveOrganisations: w.active()})
}

func (w *world) removeMember(group, org uuid.UUID) {
	w.do(secretariat, workinggroups.RemoveMember{Envelope: w.env(secretariat), GroupID: group.String(), OrganisationID: org.String()})
}

func (w *world) create(a events.Actor, group uuid.UUID, kind svc.Kind, title, text string) uuid.UUID {
	e := w.env(a)
	f := w.facts(group)
	w.do(a, svc.CreateOpinion{Envelope: e, Kind: kind, Title: title, GroupID: group.String(), Text: text, Group: &f})
	return svc.OpinionIDFor(e.CommandID)
}

// drafting sends a command only the drafting group's members may send, with its facts.
func (w *world) drafting(a events.Actor, id uuid.UUID, cmd func(bus.Envelope, *svc.GroupFacts) any) []events.Payload {
	f := w.facts(w.opinion(id).GroupID)
	return w.do(a, cmd(w.env(a), &f))
}

func (w *world) editText(a events.Actor, id uuid.UUID, text string) []events.Payload {
	v := w.opinion(id).Version
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.EditText{Envelope: e, OpinionID: id.String(), BaseVersion: &v, Text: text, Group: f}
	})
}

func (w *world) push(a events.Actor, id uuid.UUID, text string) []events.Payload {
	o := w.opinion(id)
	v := o.Version
	cs, _ := json.Marshal(changeset.Replace(o.Text, text))
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.PushChanges{Envelope: e, OpinionID: id.String(), Version: &v, ClientID: "editor-1",
			Changes: []json.RawMessage{cs}, Group: f}
	})
}

func (w *world) submit(a events.Actor, id uuid.UUID) []events.Payload {
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.SubmitForReview{Envelope: e, OpinionID: id.String(), Group: f}
	})
}

func (w *world) propose(a events.Actor, id uuid.UUID, passage, replacement string) uuid.UUID {
	e := w.env(a)
	w.do(a, svc.ProposeAmendment{Envelope: e, OpinionID: id.String(), Passage: passage, Replacement: replacement, Reason: "Plus clair"})
	return svc.AmendmentIDFor(e.CommandID)
}

func (w *world) accept(a events.Actor, id, amendment uuid.UUID) []events.Payload {
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.AcceptAmendment{Envelope: e, OpinionID: id.String(), AmendmentID: amendment.String(), Group: f}
	})
}

func (w *world) reject(a events.Actor, id, amendment uuid.UUID) []events.Payload {
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.RejectAmendment{Envelope: e, OpinionID: id.String(), AmendmentID: amendment.String(), Reason: "Hors sujet", Group: f}
	})
}

func (w *world) openVote(a events.Actor, id uuid.UUID) []events.Payload {
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.OpenVote{Envelope: e, OpinionID: id.String(), Group: f}
	})
}

func (w *world) withdraw(a events.Actor, id uuid.UUID) []events.Payload {
	return w.drafting(a, id, func(e bus.Envelope, f *svc.GroupFacts) any {
		return svc.Withdraw{Envelope: e, OpinionID: id.String(), Reason: "Abandonné", Group: f}
	})
}

// openConsultation binds a consultation to the opinion's frozen text (or to a wrong hash
// when the opinion is not voting: the decider refuses it).
func (w *world) openConsultation(id uuid.UUID) uuid.UUID {
	o := w.opinion(id)
	e := w.env(secretariat)
	cmd := consultations.OpenConsultation{Envelope: e, Question: "Adopter l'avis ?", Kind: consultations.KindYesNoAbstain,
		Deadline: w.log.Clock.Add(14 * 24 * time.Hour), OpinionID: id.String(),
		ActiveOrganisations: map[uuid.UUID]bool{orgA: true, orgB: true, orgC: true}}
	for _, org := range orgs {
		cmd.Electorate = append(cmd.Electorate, consultations.Voter{OrganisationID: org.String()})
	}
	if o.Frozen != nil {
		cmd.OpinionTextSHA256 = o.Frozen.SHA256
		cmd.Opinion = &consultations.OpinionVersion{State: string(o.State), TextSHA256: o.Frozen.SHA256}
	}
	w.do(secretariat, cmd)
	return consultations.ConsultationIDFor(e.CommandID)
}

func (w *world) closeConsultation(id uuid.UUID) {
	w.do(secretariat, consultations.CloseConsultation{Envelope: w.env(secretariat), ConsultationID: id.String(), Reason: "Clôture anticipée"})
}

// recordOutcome is what the process manager sends when the bound consultation closes.
func (w *world) recordOutcome(id, consultation uuid.UUID, outcome svc.Outcome) []events.Payload {
	o := w.opinion(id)
	sha := svc.TextSHA256("")
	if o.Frozen != nil {
		sha = o.Frozen.SHA256
	}
	return w.do(process, svc.RecordOutcome{Envelope: w.env(process), OpinionID: id.String(), Outcome: outcome,
		ConsultationID: consultation.String(), TextSHA256: sha})
}

func (w *world) publish(id uuid.UUID) []events.Payload {
	return w.do(secretariat, svc.Publish{Envelope: w.env(secretariat), OpinionID: id.String()})
}

func (w *world) createSheet(opinion uuid.UUID, title string) uuid.UUID {
	e := w.env(secretariat)
	w.do(secretariat, actionsheets.CreateSheet{Envelope: e, Title: title, Level: "commune", Theme: "gouvernance",
		OrganisationID: orgB.String(), DueDate: w.log.Clock.AddDate(0, 6, 0).Format(time.DateOnly), OpinionID: opinion.String(),
		Organisations: actionsheets.Organisations{orgA: "A", orgB: "B", orgC: "C"}})
	return actionsheets.SheetIDFor(e.CommandID)
}

func (w *world) startSheet(id uuid.UUID) {
	w.do(secretariat, actionsheets.StartSheet{Envelope: w.env(secretariat), SheetID: id.String()})
}
