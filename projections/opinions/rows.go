// Package opinions is the read model of the committee's texts: contributions, opinions
// (avis) and recommendations, with their lifecycle, their text, amendments, frozen
// versions, and the consultations and action sheets that refer to them.
//
// It serves two views: "opinions", one summary row per text for lists, and
// "opinion-details", the whole record of a text (followed one row at a time, as
// "opinion-details:<id>"). Both fold the opinions context's events through the service's
// own Evolve, so that the text, its version and the amendments' passages are exactly what
// the service holds (CodeMirror change sets applied by services/opinions/changeset), plus
// the working groups' names and members, the consultations bound to a text and the
// action sheets that name one.
//
// Observers read published texts only, without the e-mail addresses of who acted.
package opinions

import (
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/authz"
)

// View names.
const (
	ListView    = "opinions"
	DetailsView = "opinion-details"
)

// Amendment states as the views show them.
const (
	AmendmentProposed = "proposed"
	AmendmentAccepted = "accepted"
	AmendmentRejected = "rejected"
)

// Actor is who did something: the user (an e-mail address, hidden from observers), the
// organisation they acted for and their role.
type Actor struct {
	User           string `json:"user,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Role           string `json:"role,omitempty"`
}

func actorOf(ev events.Event) Actor {
	a := ev.Meta.Actor
	return Actor{User: a.User, OrganisationID: a.Organisation, Role: a.Role}
}

// OpinionRow is a text as lists show it.
type OpinionRow struct {
	ID string `json:"id"`
	// Kind is contribution, opinion or recommendation.
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Theme string `json:"theme,omitempty"`
	// GroupID is the drafting working group; GroupName its name ("" if unknown).
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name,omitempty"`
	// Status is draft, in_review, voting, adopted, rejected, published or withdrawn.
	Status string `json:"status"`
	// Outcome is adopted or rejected once the vote decided.
	Outcome string `json:"outcome,omitempty"`
	// TextLength is the text's length in UTF-16 code units, as an editor counts.
	TextLength int `json:"text_length"`
	// Version is the text's version: the number of changes made to it.
	Version int `json:"version"`
	// PendingAmendments counts the amendments still to decide.
	PendingAmendments int `json:"pending_amendments"`
	// FrozenSHA256 is the SHA-256 of the text put to the vote, once it is.
	FrozenSHA256 string `json:"frozen_sha256,omitempty"`
	// ConsultationID is the consultation that decides (or decided) the text, if any.
	ConsultationID string    `json:"consultation_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Revision is the opinion stream's revision, for If-Match.
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

// DetailRow is the whole record of a text.
type DetailRow struct {
	OpinionRow
	// Text is the current text (lines separated by "\n").
	Text string `json:"text"`
	// TextError is set when the history of the text does not replay (an operator must
	// look); the text shown is the last one that did.
	TextError bool `json:"text_error,omitempty"`
	// LastEdit is the latest change of the text, if any.
	LastEdit *TextEdit `json:"last_edit,omitempty"`
	// GroupMembers are the drafting group's member organisations: who may edit the text,
	// decide amendments, open the vote or withdraw it. GroupClosed tells a closed group.
	GroupMembers []string `json:"group_members"`
	GroupClosed  bool     `json:"group_closed,omitempty"`
	// WithdrawnReason is why it was withdrawn.
	WithdrawnReason string `json:"withdrawn_reason,omitempty"`
	// History lists the status changes, oldest first (creation is the first).
	History []StatusChange `json:"history"`
	// Amendments in the order they were proposed.
	Amendments []Amendment `json:"amendments"`
	// FrozenVersions are the texts put to the vote.
	FrozenVersions []FrozenVersion `json:"frozen_versions"`
	// Consultations bound to the text, in the order they were opened.
	Consultations []Consultation `json:"consultations"`
	// ActionSheets that name the text, in the order they were created.
	ActionSheets []ActionSheet `json:"action_sheets"`
}

// TextEdit is one change of the text.
type TextEdit struct {
	Version int `json:"version"`
	// Source is initial, push, edit or amendment.
	Source string    `json:"source"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
}

// StatusChange is one step of the lifecycle.
type StatusChange struct {
	Status string `json:"status"`
	// From is the status before ("" at creation).
	From  string    `json:"from,omitempty"`
	At    time.Time `json:"at"`
	Actor Actor     `json:"actor"`
	// Version is the text's version at that moment.
	Version int `json:"version"`
	// Reason (withdrawn), Outcome (published) and ConsultationID (adopted, rejected).
	Reason         string `json:"reason,omitempty"`
	Outcome        string `json:"outcome,omitempty"`
	ConsultationID string `json:"consultation_id,omitempty"`
}

// Amendment is a proposed change of a passage.
type Amendment struct {
	ID string `json:"id"`
	// State is proposed, accepted or rejected.
	State       string `json:"state"`
	Passage     string `json:"passage"`
	Replacement string `json:"replacement"`
	Reason      string `json:"reason,omitempty"`
	// Offset is where the passage is in the current text (UTF-16 code units).
	Offset int `json:"offset"`
	// Outdated is set when another change touched the passage: it can no longer be
	// accepted.
	Outdated bool `json:"outdated,omitempty"`
	// Version is the text version it was proposed on.
	Version    int       `json:"version"`
	ProposedBy Actor     `json:"proposed_by"`
	ProposedAt time.Time `json:"proposed_at"`
	// DecidedBy, DecidedAt and DecisionReason once accepted or rejected.
	DecidedBy      *Actor     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
}

// FrozenVersion is a text as it was put to the vote.
type FrozenVersion struct {
	Version int       `json:"version"`
	Text    string    `json:"text"`
	SHA256  string    `json:"sha256"`
	At      time.Time `json:"at"`
	Actor   Actor     `json:"actor"`
}

// Consultation is a consultation bound to a frozen version of the text.
type Consultation struct {
	ID         string     `json:"id"`
	Question   string     `json:"question"`
	TextSHA256 string     `json:"text_sha256"`
	OpenedAt   time.Time  `json:"opened_at"`
	Deadline   time.Time  `json:"deadline"`
	Closed     bool       `json:"closed"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	// TextChanged says the text changed after the vote opened (it is no longer the text
	// whose SHA-256 the consultation carries), and since when.
	TextChanged   bool       `json:"text_changed,omitempty"`
	TextChangedAt *time.Time `json:"text_changed_at,omitempty"`
}

// ActionSheet is an action sheet that names the text.
type ActionSheet struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Level   string `json:"level"`
	Status  string `json:"status"`
	DueDate string `json:"due_date"`
}

// Views returns fresh opinions and opinion-details views.
func Views() []*projections.View {
	return []*projections.View{
		projections.NewView(ListView, listModel{newState()}, false).WithVisibility(visibleList),
		projections.NewView(DetailsView, detailsModel{newState()}, false).WithVisibility(visibleDetail),
	}
}

// Public reports whether observers may read a text in that status: published texts only.
func Public(status string) bool { return status == "published" }

// Readable is the rule of the opinion views, for them and the views that show parts of a
// text (e.g. its changes): whether actor may read a text that is public (or not, see
// Public), and whether without users' e-mail addresses (observers).
func Readable(actor events.Actor, public bool) (ok, anonymous bool) {
	if !authz.Is(actor, authz.Observer) {
		return true, false
	}
	return public, true
}

func visibleList(actor events.Actor, row any) (any, bool) {
	r, ok := row.(OpinionRow)
	if !ok {
		return nil, false
	}
	if ok, _ := Readable(actor, Public(r.Status)); !ok {
		return nil, false
	}
	return r, true
}

// visibleDetail shows observers published texts only, and never who acted by e-mail.
func visibleDetail(actor events.Actor, row any) (any, bool) {
	r, ok := row.(DetailRow)
	if !ok {
		return nil, false
	}
	ok, anonymous := Readable(actor, Public(r.Status))
	switch {
	case !ok:
		return nil, false
	case anonymous:
		return r.anonymous(), true
	}
	return r, true
}

// anonymous is the row without users' e-mail addresses (organisations and roles stay).
func (r DetailRow) anonymous() DetailRow {
	hide := func(a Actor) Actor { a.User = ""; return a }
	if r.LastEdit != nil {
		e := *r.LastEdit
		e.Actor = hide(e.Actor)
		r.LastEdit = &e
	}
	r.History = append([]StatusChange(nil), r.History...)
	for i := range r.History {
		r.History[i].Actor = hide(r.History[i].Actor)
	}
	r.Amendments = append([]Amendment(nil), r.Amendments...)
	for i := range r.Amendments {
		a := &r.Amendments[i]
		a.ProposedBy = hide(a.ProposedBy)
		if a.DecidedBy != nil {
			d := hide(*a.DecidedBy)
			a.DecidedBy = &d
		}
	}
	r.FrozenVersions = append([]FrozenVersion(nil), r.FrozenVersions...)
	for i := range r.FrozenVersions {
		r.FrozenVersions[i].Actor = hide(r.FrozenVersions[i].Actor)
	}
	return r
}
