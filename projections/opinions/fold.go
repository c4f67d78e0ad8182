package opinions

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/consultations"
	svc "github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// state is the folded state. Each view folds its own copy (see Views): a view's state is
// guarded by that view's lock alone. Its fields are exported for the snapshots.
type state struct {
	Opinions map[string]*entry `json:"opinions"`
	Groups   map[string]*group `json:"groups"`
	// SheetOpinion and ConsultationOpinion map an action sheet or a consultation to the
	// text it names.
	SheetOpinion        map[string]string `json:"sheet_opinion"`
	ConsultationOpinion map[string]string `json:"consultation_opinion"`
}

func newState() *state {
	return &state{Opinions: map[string]*entry{}, Groups: map[string]*group{},
		SheetOpinion: map[string]string{}, ConsultationOpinion: map[string]string{}}
}

// group is what the views need of a working group.
type group struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
	Closed  bool     `json:"closed,omitempty"`
}

// entry is one text: the service's own state of it (folded by the service's Evolve, so
// the text and the amendments' passages are exactly the service's) and what the views
// add. Slices and pointers in it are replaced, never changed in place, once a row has
// been built from them.
type entry struct {
	State      svc.Opinion `json:"state"`
	TextLength int         `json:"text_length"`
	Revision   uint64      `json:"revision"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	// Position is when the list row last changed; DetailPosition the detail row.
	Position        uint64          `json:"position"`
	DetailPosition  uint64          `json:"detail_position"`
	ConsultationID  string          `json:"consultation_id,omitempty"`
	WithdrawnReason string          `json:"withdrawn_reason,omitempty"`
	LastEdit        *TextEdit       `json:"last_edit,omitempty"`
	History         []StatusChange  `json:"history"`
	Amendments      []Amendment     `json:"amendments"`
	Frozen          []FrozenVersion `json:"frozen"`
	Consultations   []Consultation  `json:"consultations"`
	Sheets          []ActionSheet   `json:"sheets"`
}

// opinionOf names the text an opinions event is about.
func opinionOf(p events.Payload) (uuid.UUID, bool) {
	switch e := p.(type) {
	case svc.Created:
		return e.OpinionID, true
	case svc.DraftChanged:
		return e.OpinionID, true
	case svc.SubmittedForReview:
		return e.OpinionID, true
	case svc.AmendmentProposed:
		return e.OpinionID, true
	case svc.AmendmentAccepted:
		return e.OpinionID, true
	case svc.AmendmentRejected:
		return e.OpinionID, true
	case svc.VotingOpened:
		return e.OpinionID, true
	case svc.Adopted:
		return e.OpinionID, true
	case svc.Rejected:
		return e.OpinionID, true
	case svc.Published:
		return e.OpinionID, true
	case svc.Withdrawn:
		return e.OpinionID, true
	}
	return uuid.Nil, false
}

// apply folds one event and returns the IDs of the list rows and of the detail rows it
// changed. Events of no interest, or about texts it does not know, change nothing.
func (s *state) apply(ev events.Event, p events.Payload) (list, details []string) {
	if id, ok := opinionOf(p); ok {
		if s.applyOpinion(ev, id.String(), p) {
			return []string{id.String()}, []string{id.String()}
		}
		return nil, nil
	}
	switch e := p.(type) {
	case workinggroups.GroupCreated:
		id := e.GroupID.String()
		s.Groups[id] = &group{Name: e.Name, Members: []string{e.LeadOrganisationID.String()}}
		ids := s.ofGroup(id, ev.Position, true)
		return ids, ids
	case workinggroups.MemberAdded:
		g := s.Groups[e.GroupID.String()]
		if g == nil || slices.Contains(g.Members, e.OrganisationID.String()) {
			return nil, nil
		}
		g.Members = append(slices.Clip(g.Members), e.OrganisationID.String())
		return nil, s.ofGroup(e.GroupID.String(), ev.Position, false)
	case workinggroups.MemberRemoved:
		g := s.Groups[e.GroupID.String()]
		if g == nil || !slices.Contains(g.Members, e.OrganisationID.String()) {
			return nil, nil
		}
		g.Members = slices.DeleteFunc(slices.Clone(g.Members), func(m string) bool { return m == e.OrganisationID.String() })
		return nil, s.ofGroup(e.GroupID.String(), ev.Position, false)
	case workinggroups.GroupClosed:
		g := s.Groups[e.GroupID.String()]
		if g == nil || g.Closed {
			return nil, nil
		}
		g.Closed = true
		return nil, s.ofGroup(e.GroupID.String(), ev.Position, false)
	case consultations.ConsultationOpened:
		return s.consultationOpened(ev, e)
	case consultations.ConsultationClosed:
		return nil, s.consultationClosed(ev, e)
	case actionsheets.SheetCreated:
		return nil, s.sheetCreated(ev, e)
	case actionsheets.SheetStarted:
		return nil, s.editSheet(ev, e.SheetID, func(a *ActionSheet) { a.Status = string(actionsheets.StatusInProgress) })
	case actionsheets.SheetCompleted:
		return nil, s.editSheet(ev, e.SheetID, func(a *ActionSheet) { a.Status = string(actionsheets.StatusDone) })
	case actionsheets.SheetAbandoned:
		return nil, s.editSheet(ev, e.SheetID, func(a *ActionSheet) { a.Status = string(actionsheets.StatusAbandoned) })
	case actionsheets.SheetRescheduled:
		return nil, s.editSheet(ev, e.SheetID, func(a *ActionSheet) { a.DueDate = e.DueDate })
	}
	return nil, nil
}

// ofGroup returns the texts drafted by the group, in ID order, and marks their detail
// rows (and list rows if list) as changed at pos.
func (s *state) ofGroup(groupID string, pos uint64, list bool) []string {
	var ids []string
	for id, en := range s.Opinions {
		if en.State.GroupID.String() == groupID {
			ids = append(ids, id)
			en.DetailPosition = pos
			if list {
				en.Position = pos
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// applyOpinion folds an event of the text id through the service's Evolve, then records
// who did what and when. It reports whether the text changed.
func (s *state) applyOpinion(ev events.Event, id string, p events.Payload) bool {
	en := s.Opinions[id]
	if _, created := p.(svc.Created); created {
		en = &entry{CreatedAt: ev.Time}
		s.Opinions[id] = en
	}
	if en == nil {
		return false
	}
	before := en.State
	en.State = svc.Evolve(en.State, p)
	who := actorOf(ev)
	step := func() {
		en.History = append(slices.Clip(en.History), StatusChange{Status: string(en.State.State), From: string(before.State),
			At: ev.Time, Actor: who, Version: en.State.Version})
	}
	switch e := p.(type) {
	case svc.Created:
		step()
	case svc.DraftChanged:
		if !en.State.Corrupt {
			en.TextLength = changeset.Len16(en.State.Text)
			en.LastEdit = &TextEdit{Version: e.Version, Source: e.Source, At: ev.Time, Actor: who}
		}
	case svc.SubmittedForReview:
		step()
	case svc.AmendmentProposed:
		a := Amendment{ID: e.AmendmentID.String(), Passage: e.Passage, Replacement: e.Replacement, Reason: e.Reason,
			Offset: e.Offset, Version: e.Version, ProposedBy: who, ProposedAt: ev.Time}
		en.Amendments = append(slices.DeleteFunc(slices.Clone(en.Amendments), func(x Amendment) bool { return x.ID == a.ID }), a)
	case svc.AmendmentAccepted:
		en.decide(e.AmendmentID, ev, who, "")
	case svc.AmendmentRejected:
		en.decide(e.AmendmentID, ev, who, e.Reason)
	case svc.VotingOpened:
		en.Frozen = append(slices.Clip(en.Frozen), FrozenVersion{Version: e.Version, Text: e.Text, SHA256: e.TextSHA256, At: ev.Time, Actor: who})
		step()
	case svc.Adopted:
		en.ConsultationID = e.ConsultationID.String()
		step()
		en.History[len(en.History)-1].ConsultationID = en.ConsultationID
	case svc.Rejected:
		en.ConsultationID = e.ConsultationID.String()
		step()
		en.History[len(en.History)-1].ConsultationID = en.ConsultationID
	case svc.Published:
		step()
		en.History[len(en.History)-1].Outcome = string(e.Outcome)
	case svc.Withdrawn:
		en.WithdrawnReason = e.Reason
		step()
		en.History[len(en.History)-1].Reason = e.Reason
	}
	if en.State.Text != before.Text {
		en.flagTextChanged(ev.Time)
	}
	en.Revision = ev.Revision
	en.UpdatedAt = ev.Time
	en.Position, en.DetailPosition = ev.Position, ev.Position
	return true
}

// flagTextChanged marks the consultations the text is bound to whose voted text is no
// longer the text's: it changed after the vote opened. The mark stays, even if the text
// comes back to what was voted.
func (en *entry) flagTextChanged(at time.Time) {
	sum := svc.TextSHA256(en.State.Text)
	stale := func(c Consultation) bool { return c.TextSHA256 != "" && !c.TextChanged && c.TextSHA256 != sum }
	if !slices.ContainsFunc(en.Consultations, stale) {
		return
	}
	en.Consultations = slices.Clone(en.Consultations)
	for i, c := range en.Consultations {
		if stale(c) {
			en.Consultations[i].TextChanged, en.Consultations[i].TextChangedAt = true, &at
		}
	}
}

// decide records who accepted or rejected an amendment, and when.
func (en *entry) decide(id uuid.UUID, ev events.Event, who Actor, reason string) {
	i := slices.IndexFunc(en.Amendments, func(a Amendment) bool { return a.ID == id.String() })
	if i < 0 {
		return
	}
	at := ev.Time
	en.Amendments = slices.Clone(en.Amendments)
	en.Amendments[i].DecidedBy, en.Amendments[i].DecidedAt, en.Amendments[i].DecisionReason = &who, &at, reason
}

func (s *state) consultationOpened(ev events.Event, e consultations.ConsultationOpened) (list, details []string) {
	if e.OpinionID == nil {
		return nil, nil
	}
	oid := e.OpinionID.String()
	en := s.Opinions[oid]
	if en == nil {
		return nil, nil
	}
	cid := e.ConsultationID.String()
	s.ConsultationOpinion[cid] = oid
	en.Consultations = append(slices.Clip(en.Consultations), Consultation{ID: cid, Question: e.Question,
		TextSHA256: e.OpinionTextSHA256, OpenedAt: ev.Time, Deadline: e.Deadline})
	if en.State.Outcome == "" {
		en.ConsultationID = cid
	}
	en.Position, en.DetailPosition = ev.Position, ev.Position
	return []string{oid}, []string{oid}
}

func (s *state) consultationClosed(ev events.Event, e consultations.ConsultationClosed) []string {
	cid := e.ConsultationID.String()
	en := s.Opinions[s.ConsultationOpinion[cid]]
	if en == nil {
		return nil
	}
	i := slices.IndexFunc(en.Consultations, func(c Consultation) bool { return c.ID == cid })
	if i < 0 {
		return nil
	}
	at := e.ClosedAt
	if at.IsZero() {
		at = ev.Time
	}
	en.Consultations = slices.Clone(en.Consultations)
	en.Consultations[i].Closed, en.Consultations[i].ClosedAt = true, &at
	en.DetailPosition = ev.Position
	return []string{s.ConsultationOpinion[cid]}
}

func (s *state) sheetCreated(ev events.Event, e actionsheets.SheetCreated) []string {
	if e.OpinionID == nil {
		return nil
	}
	oid := e.OpinionID.String()
	en := s.Opinions[oid]
	if en == nil {
		return nil
	}
	sid := e.SheetID.String()
	s.SheetOpinion[sid] = oid
	en.Sheets = append(slices.Clip(en.Sheets), ActionSheet{ID: sid, Title: e.Title, Level: string(e.Level),
		Status: string(actionsheets.StatusPlanned), DueDate: e.DueDate})
	en.DetailPosition = ev.Position
	return []string{oid}
}

func (s *state) editSheet(ev events.Event, sheet uuid.UUID, edit func(*ActionSheet)) []string {
	sid := sheet.String()
	oid := s.SheetOpinion[sid]
	en := s.Opinions[oid]
	if en == nil {
		return nil
	}
	i := slices.IndexFunc(en.Sheets, func(a ActionSheet) bool { return a.ID == sid })
	if i < 0 {
		return nil
	}
	en.Sheets = slices.Clone(en.Sheets)
	edit(&en.Sheets[i])
	en.DetailPosition = ev.Position
	return []string{oid}
}

// listRow is the text as lists show it.
func (s *state) listRow(id string, en *entry) OpinionRow {
	o := en.State
	r := OpinionRow{ID: id, Kind: string(o.Kind), Title: o.Title, Theme: string(o.Theme), GroupID: o.GroupID.String(),
		Status: string(o.State), Outcome: string(o.Outcome), TextLength: en.TextLength, Version: o.Version,
		ConsultationID: en.ConsultationID, CreatedAt: en.CreatedAt, UpdatedAt: en.UpdatedAt, Revision: en.Revision,
		Position: en.Position}
	if g := s.Groups[r.GroupID]; g != nil {
		r.GroupName = g.Name
	}
	for _, a := range o.Amendments {
		if a.Pending() {
			r.PendingAmendments++
		}
	}
	if o.Frozen != nil {
		r.FrozenSHA256 = o.Frozen.SHA256
	}
	return r
}

// detailRow is the whole record of the text; it shares nothing the fold changes later.
func (s *state) detailRow(id string, en *entry) DetailRow {
	o := en.State
	r := DetailRow{OpinionRow: s.listRow(id, en), Text: o.Text, TextError: o.Corrupt, LastEdit: en.LastEdit,
		GroupMembers: []string{}, WithdrawnReason: en.WithdrawnReason,
		History:        append([]StatusChange{}, en.History...),
		Amendments:     make([]Amendment, 0, len(en.Amendments)),
		FrozenVersions: append([]FrozenVersion{}, en.Frozen...),
		Consultations:  append([]Consultation{}, en.Consultations...),
		ActionSheets:   append([]ActionSheet{}, en.Sheets...)}
	r.Position = en.DetailPosition
	if g := s.Groups[r.GroupID]; g != nil {
		r.GroupMembers = append(r.GroupMembers, g.Members...)
		r.GroupClosed = g.Closed
	}
	for _, a := range en.Amendments {
		if uid, err := uuid.Parse(a.ID); err == nil {
			if cur, ok := o.Amendments[uid]; ok {
				a.Offset, a.Outdated = cur.Offset, cur.Outdated
				switch cur.Status {
				case svc.AmendmentStatusAccepted:
					a.State = AmendmentAccepted
				case svc.AmendmentStatusRejected:
					a.State = AmendmentRejected
				default:
					a.State = AmendmentProposed
				}
			}
		}
		if a.State == "" {
			a.State = AmendmentProposed
		}
		r.Amendments = append(r.Amendments, a)
	}
	return r
}
