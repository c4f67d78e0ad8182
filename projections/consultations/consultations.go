// Package consultations is the consultations read model: one row per consultation (the
// question, its ballot paper, electorate, deadline and rules, who took part, the turnout,
// the proxies, the live tally when the rules allow one, and the result recorded by the
// closing event), folded from the events of the consultations context.
//
// The model keeps each consultation's state as the context's own pure Evolve folds it,
// and counts with the context's pure Tally: it never counts a vote by itself. What a
// reader may see is decided twice: rules that hold for everybody are applied when the
// row is built (a secret ballot has no choices; results "at_close" have no tally until
// the close), rules that depend on the reader by the view's visibility (observers see
// closed consultations only; an open ballot's choices before the close are shown to the
// organisation that cast them only; see Visible).
package consultations

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	cons "github.com/comite-partenaires/comite/services/consultations"
)

// View is the name of the consultations view.
const View = "consultations"

// Statuses of a consultation row. A consultation whose deadline has passed stays "open"
// until its closing event (the deadline scheduler sends it): readers compare the
// deadline with their clock.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Elector is an organisation of the electorate and its weight.
type Elector struct {
	OrganisationID string `json:"organisation_id"`
	Weight         int    `json:"weight"`
}

// Participant is an organisation that voted: when, whether through a proxy and, where
// the reader may see them, its choices (never for a secret ballot).
type Participant struct {
	OrganisationID string `json:"organisation_id"`
	Weight         int    `json:"weight"`
	ViaProxy       bool   `json:"via_proxy"`
	// CastByOrganisation is the organisation whose representative cast the ballot: the
	// participant itself, or the holder of its proxy.
	CastByOrganisation string `json:"cast_by_organisation"`
	// At is when the first ballot was cast; ChangedAt when it was last changed, if ever.
	At        time.Time  `json:"at"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
	Changes   int        `json:"changes"`
	// Choices are the option IDs of the ballot (ranked: best first), shown only to those
	// who may see them (see Visible); absent otherwise.
	Choices []string `json:"choices,omitempty"`
	// Saw is what the voter could see when casting (or last changing) the ballot.
	Saw *Saw `json:"saw,omitempty"`
}

// Saw is the record of what a voter could see when the ballot was cast: the text put to
// the vote (its SHA-256, for a consultation bound to an opinion), whether the running
// tally was shown (results live, not secret), and how many ballots were already in.
type Saw struct {
	TextSHA256    string `json:"text_sha256,omitempty"`
	TallyVisible  bool   `json:"tally_visible"`
	BallotsBefore int    `json:"ballots_before"`
}

// Proxy is a proxy in force: From's ballot may be cast by a representative of To.
type Proxy struct {
	From                  string `json:"from_organisation_id"`
	To                    string `json:"to_organisation_id"`
	SignedOn              string `json:"signed_on"`
	Note                  string `json:"note,omitempty"`
	RecordedBySecretariat bool   `json:"recorded_by_secretariat"`
}

// Turnout is who took part, which is never secret.
type Turnout struct {
	Ballots          int     `json:"ballots"`
	Weight           int     `json:"weight"`
	Electors         int     `json:"electors"`
	ElectorateWeight int     `json:"electorate_weight"`
	Percent          float64 `json:"percent"`
	QuorumReached    bool    `json:"quorum_reached"`
}

// ConsultationRow is a consultation as the workspace shows it.
type ConsultationRow struct {
	ID          string        `json:"id"`
	Question    string        `json:"question"`
	Description string        `json:"description,omitempty"`
	Kind        cons.Kind     `json:"kind"`
	Options     []cons.Option `json:"options"`
	// MaxChoices bounds a multiple_choice ballot (0 for other kinds).
	MaxChoices int       `json:"max_choices,omitempty"`
	Electorate []Elector `json:"electorate"`
	// Quorum is the percentage of the electorate's weight that must vote (0: none).
	Quorum   int             `json:"quorum"`
	Deadline time.Time       `json:"deadline"`
	Secret   bool            `json:"secret"`
	Results  cons.Visibility `json:"results"`
	Status   string          `json:"status"`
	OpenedAt time.Time       `json:"opened_at"`
	// Participants are the organisations that voted, in the order they first did.
	Participants []Participant `json:"participants"`
	Turnout      Turnout       `json:"turnout"`
	Proxies      []Proxy       `json:"proxies"`
	// Tally is the live count of an open, non-secret consultation whose results are
	// "live"; absent otherwise.
	Tally *cons.Result `json:"tally,omitempty"`
	// Result is the tally the closing event recorded; absent while open.
	Result      *cons.Result `json:"result,omitempty"`
	ClosedAt    *time.Time   `json:"closed_at,omitempty"`
	AtDeadline  bool         `json:"at_deadline,omitempty"`
	CloseReason string       `json:"close_reason,omitempty"`
	// OpinionID and OpinionTextSHA256 name the opinion version put to the vote, if any.
	OpinionID         string `json:"opinion_id,omitempty"`
	OpinionTextSHA256 string `json:"opinion_text_sha256,omitempty"`
	Position          uint64 `json:"position"`
}

// Views returns a fresh consultations view.
func Views() []*projections.View {
	return []*projections.View{
		projections.NewView(View, &model{entries: map[string]*entry{}}, false).WithVisibility(Visible),
	}
}

// cast is when an organisation's ballot was cast and last changed.
type cast struct {
	At        time.Time  `json:"at"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
	Saw       Saw        `json:"saw"`
}

// entry is the folded state of one consultation: the context's own state (Evolve) and
// what the row shows that the state does not keep.
type entry struct {
	C          cons.Consultation `json:"state"`
	Electorate []Elector         `json:"electorate"`
	OpenedAt   time.Time         `json:"opened_at"`
	// Order is the order in which organisations first voted.
	Order []string        `json:"order"`
	Casts map[string]cast `json:"casts"`
	// Recorded tells the proxies the secretariat recorded, by granting organisation.
	Recorded    map[string]bool `json:"recorded"`
	ClosedAt    *time.Time      `json:"closed_at,omitempty"`
	AtDeadline  bool            `json:"at_deadline,omitempty"`
	CloseReason string          `json:"close_reason,omitempty"`
	Position    uint64          `json:"position"`
}

// model folds consultations events; the View serialises its calls.
type model struct {
	entries map[string]*entry
}

// Apply implements projections.Model.
func (m *model) Apply(ev events.Event, p events.Payload) ([]string, error) {
	if e, ok := p.(cons.ConsultationOpened); ok {
		id := e.ConsultationID.String()
		if _, dup := m.entries[id]; dup {
			return nil, nil // decide never opens a consultation twice
		}
		en := &entry{C: cons.Evolve(cons.Consultation{}, e), OpenedAt: ev.Time, Electorate: make([]Elector, 0, len(e.Electorate)),
			Casts: map[string]cast{}, Recorded: map[string]bool{}, Position: ev.Position}
		for _, v := range e.Electorate {
			en.Electorate = append(en.Electorate, Elector{OrganisationID: v.OrganisationID.String(), Weight: v.Weight})
		}
		m.entries[id] = en
		return []string{id}, nil
	}
	id, ok := consultationOf(p)
	if !ok {
		return nil, nil
	}
	en, ok := m.entries[id.String()]
	if !ok {
		return nil, nil // an event of a consultation never opened: nothing to show
	}
	switch e := p.(type) {
	case cons.BallotCast:
		en.voted(e.OrganisationID, ev.Time, false)
	case cons.ParticipationRecorded:
		en.voted(e.OrganisationID, ev.Time, false)
	case cons.BallotChanged:
		en.voted(e.OrganisationID, ev.Time, true)
	case cons.ProxyGranted:
		en.Recorded[e.FromOrganisationID.String()] = e.RecordedBySecretariat
	case cons.ProxyRevoked:
		delete(en.Recorded, e.FromOrganisationID.String())
	case cons.ConsultationClosed:
		at := e.ClosedAt
		en.ClosedAt, en.AtDeadline, en.CloseReason = &at, e.AtDeadline, e.Reason
	}
	en.C = cons.Evolve(en.C, p)
	en.Position = ev.Position
	return []string{id.String()}, nil
}

// voted notes when an organisation voted (first ballot) or changed its ballot, and what
// it could see then; en.C is still the state before the ballot.
func (en *entry) voted(org uuid.UUID, at time.Time, changed bool) {
	key := org.String()
	c, seen := en.Casts[key]
	before := len(en.C.Ballots)
	if _, again := en.C.Ballots[org]; again {
		before--
	}
	c.Saw = Saw{TextSHA256: en.C.OpinionTextSHA256, TallyVisible: !en.C.Secret && en.C.Results == cons.ResultsLive,
		BallotsBefore: before}
	switch {
	case !seen:
		c.At = at
		en.Order = append(en.Order, key)
	case changed:
		c.ChangedAt = &at
	}
	en.Casts[key] = c
}

// consultationOf is the consultation a consultations event belongs to.
func consultationOf(p events.Payload) (uuid.UUID, bool) {
	switch e := p.(type) {
	case cons.ProxyGranted:
		return e.ConsultationID, true
	case cons.ProxyRevoked:
		return e.ConsultationID, true
	case cons.BallotCast:
		return e.ConsultationID, true
	case cons.BallotChanged:
		return e.ConsultationID, true
	case cons.ParticipationRecorded:
		return e.ConsultationID, true
	case cons.ConsultationClosed:
		return e.ConsultationID, true
	}
	return uuid.Nil, false
}

// Row implements projections.Model.
func (m *model) Row(id string) (any, bool) { return projections.RowByID(m.entries, id, (*entry).row) }

// Rows implements projections.Model: open consultations first, the nearest deadline
// first, then closed ones, the latest closed first.
func (m *model) Rows() []any {
	return projections.SortedRows(m.entries, func(a, b *entry) int {
		switch {
		case a.C.Closed != b.C.Closed:
			if a.C.Closed {
				return 1
			}
			return -1
		case !a.C.Closed && !a.C.Deadline.Equal(b.C.Deadline):
			return a.C.Deadline.Compare(b.C.Deadline)
		case a.C.Closed && !a.closedAt().Equal(b.closedAt()):
			return b.closedAt().Compare(a.closedAt())
		}
		return strings.Compare(a.C.ID.String(), b.C.ID.String())
	}, (*entry).row)
}

// closedAt is when the consultation closed (zero while open).
func (en *entry) closedAt() time.Time {
	if en.ClosedAt == nil {
		return time.Time{}
	}
	return *en.ClosedAt
}

// RowType describes the rows for the OpenAPI document.
func (*model) RowType() any { return ConsultationRow{} }

// row builds the row of a consultation: a fresh value the caller may keep and change.
func (en *entry) row() ConsultationRow {
	c := en.C
	r := ConsultationRow{ID: c.ID.String(), Question: c.Question, Description: c.Description, Kind: c.Kind,
		Options: append([]cons.Option{}, c.Options...), MaxChoices: c.MaxChoices,
		Electorate: append([]Elector{}, en.Electorate...), Quorum: c.MinParticipation, Deadline: c.Deadline,
		Secret: c.Secret, Results: c.Results, Status: StatusOpen, OpenedAt: en.OpenedAt,
		Participants: make([]Participant, 0, len(en.Order)), Proxies: make([]Proxy, 0, len(c.Proxies)),
		OpinionTextSHA256: c.OpinionTextSHA256, Position: en.Position}
	if c.OpinionID != uuid.Nil {
		r.OpinionID = c.OpinionID.String()
	}
	live := cons.Tally(c) // counts participation always; choices only when not sealed
	r.Turnout = Turnout{Ballots: live.BallotsCast, Weight: live.ParticipatingWeight, Electors: len(c.Electorate),
		ElectorateWeight: live.ElectorateWeight, Percent: live.ParticipationPercent, QuorumReached: live.QuorumReached}
	if c.Closed {
		r.Status = StatusClosed
		res := c.Result
		res.Counts, res.Winners = slices.Clone(res.Counts), slices.Clone(res.Winners)
		r.Result = &res
		if en.ClosedAt != nil {
			at := *en.ClosedAt
			r.ClosedAt = &at
		}
		r.AtDeadline, r.CloseReason = en.AtDeadline, en.CloseReason
		// The turnout that counts is the one the close recorded.
		r.Turnout.Ballots, r.Turnout.Weight, r.Turnout.ElectorateWeight = res.BallotsCast, res.ParticipatingWeight, res.ElectorateWeight
		r.Turnout.Percent, r.Turnout.QuorumReached = res.ParticipationPercent, res.QuorumReached
	} else if !c.Secret && c.Results == cons.ResultsLive {
		r.Tally = &live
	}
	for _, org := range en.Order {
		id, err := uuid.Parse(org)
		if err != nil {
			continue
		}
		b, ok := c.Ballots[id]
		if !ok {
			continue
		}
		cs := en.Casts[org]
		p := Participant{OrganisationID: org, Weight: b.Weight, ViaProxy: b.ViaProxy,
			CastByOrganisation: b.CastBy.Organisation.String(), At: cs.At, Changes: b.Changes}
		if b.CastBy.Organisation == uuid.Nil {
			p.CastByOrganisation = ""
		}
		if cs.ChangedAt != nil {
			at := *cs.ChangedAt
			p.ChangedAt = &at
		}
		saw := cs.Saw
		p.Saw = &saw
		if !c.Secret && !b.Sealed && len(b.Choices) > 0 {
			p.Choices = slices.Clone(b.Choices)
		}
		r.Participants = append(r.Participants, p)
	}
	for _, px := range c.Proxies {
		from := px.From.String()
		r.Proxies = append(r.Proxies, Proxy{From: from, To: px.To.String(), SignedOn: px.SignedOn, Note: px.Note,
			RecordedBySecretariat: en.Recorded[from]})
	}
	slices.SortFunc(r.Proxies, func(a, b Proxy) int { return strings.Compare(a.From, b.From) })
	return r
}
