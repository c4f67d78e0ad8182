// Package opinions is the context of the committee's written output: contributions,
// opinions (avis) and recommendations, drafted by a working group, reviewed through
// amendments, frozen for a vote, adopted or rejected, then published.
//
// Each opinion is one aggregate in its own stream (OpinionStream). Its text is a document
// with a version number: every change of it, whoever makes it, is one
// opinions.draft.changed event carrying a CodeMirror 6 change set (package changeset), so
// that live co-drafting with @codemirror/collab and whole-text edits share one history.
//
// Lifecycle: draft → in_review → voting → adopted | rejected → published; withdrawn from
// draft, in_review or voting.
//
// Only a group's members edit its drafts: Decide checks the actor's organisation against
// the drafting group's members, which Prepare gets through a GroupLookup (authz.go).
package opinions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/internal/cow"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
	"github.com/comite-partenaires/comite/services/themes"
)

// StreamCategory is the category of opinion streams: "opinion-<uuid>".
const StreamCategory = "opinion"

// idNamespace is the UUID namespace of the IDs this context derives from command IDs:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:opinions:ids").
var idNamespace = uuid.MustParse("e6d2eda0-90b2-59ec-acba-1cf5f76349dd")

// OpinionIDFor is the ID of the opinion created by the command commandID: a retried
// command names the same opinion, and a client knows the ID in advance.
func OpinionIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("opinion/"+commandID))
}

// AmendmentIDFor is the ID of the amendment proposed by the command commandID.
func AmendmentIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("amendment/"+commandID))
}

// OpinionStream is the stream of the opinion id.
func OpinionStream(id uuid.UUID) string { return events.StreamName(StreamCategory, id) }

// TextSHA256 is the hex SHA-256 of a text's UTF-8 bytes: what a vote binds to.
func TextSHA256(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Kind is what an opinion is.
type Kind string

// Kinds of texts the committee produces (its charter: "produire des contributions,
// émettre des avis et des recommandations").
const (
	KindContribution   Kind = "contribution"
	KindOpinion        Kind = "opinion"
	KindRecommendation Kind = "recommendation"
)

// State is where an opinion is in its lifecycle.
type State string

// States of an opinion.
const (
	StateDraft     State = "draft"
	StateInReview  State = "in_review"
	StateVoting    State = "voting"
	StateAdopted   State = "adopted"
	StateRejected  State = "rejected"
	StatePublished State = "published"
	StateWithdrawn State = "withdrawn"
)

// Outcome is what the vote decided.
type Outcome string

// Outcomes of a vote on an opinion.
const (
	OutcomeAdopted  Outcome = "adopted"
	OutcomeRejected Outcome = "rejected"
)

// AmendmentStatus is where an amendment is.
type AmendmentStatus string

// Statuses of an amendment.
const (
	AmendmentStatusPending  AmendmentStatus = "pending"
	AmendmentStatusAccepted AmendmentStatus = "accepted"
	AmendmentStatusRejected AmendmentStatus = "rejected"
)

// Opinion is the state of an opinion aggregate. Its map is never modified in place:
// Evolve returns a state with a new map, so earlier states stay valid.
type Opinion struct {
	ID      uuid.UUID
	Created bool
	Kind    Kind
	Title   string
	GroupID uuid.UUID
	Theme   themes.Theme
	State   State
	// Version is the text's version: 0 when created, +1 per DraftChanged.
	Version int
	Text    string
	// Frozen is the version put to the vote (from voting on).
	Frozen *FrozenVersion
	// Amendments by ID.
	Amendments map[uuid.UUID]Amendment
	// Outcome and ConsultationID are set once the vote is decided.
	Outcome        Outcome
	ConsultationID uuid.UUID
	// Corrupt is set when the history cannot be replayed (a change set that does not
	// apply, a version out of sequence): no command is decided on such a state.
	Corrupt bool
}

// FrozenVersion is the text as it was put to the vote.
type FrozenVersion struct {
	Version int
	Text    string
	SHA256  string
}

// Amendment is a proposed change of a passage during review.
type Amendment struct {
	ID          uuid.UUID
	Passage     string
	Replacement string
	Reason      string
	// Offset is where the passage is in the current text (UTF-16 code units), kept up to
	// date as other amendments change the text.
	Offset int
	// Outdated is set when another change touched the passage: it can no longer be
	// accepted.
	Outdated bool
	Status   AmendmentStatus
	// Version is the text version the amendment was proposed on.
	Version int
}

// Pending reports whether an amendment is undecided.
func (a Amendment) Pending() bool { return a.Status == AmendmentStatusPending }

// Evolve folds one event into the opinion. It is pure: o is not modified. Events of
// other contexts are ignored.
func Evolve(o Opinion, p events.Payload) Opinion {
	switch e := p.(type) {
	case Created:
		o = Opinion{ID: e.OpinionID, Created: true, Kind: e.Kind, Title: e.Title, GroupID: e.GroupID,
			Theme: e.Theme, State: StateDraft}
	case DraftChanged:
		o = applyChange(o, e)
	case SubmittedForReview:
		o.State = StateInReview
	case AmendmentProposed:
		o.Amendments = cow.With(o.Amendments, e.AmendmentID, Amendment{ID: e.AmendmentID, Passage: e.Passage,
			Replacement: e.Replacement, Reason: e.Reason, Offset: e.Offset, Status: AmendmentStatusPending, Version: e.Version})
	case AmendmentAccepted:
		a := o.Amendments[e.AmendmentID]
		a.ID, a.Status = e.AmendmentID, AmendmentStatusAccepted
		o.Amendments = cow.With(o.Amendments, e.AmendmentID, a)
	case AmendmentRejected:
		a := o.Amendments[e.AmendmentID]
		a.ID, a.Status = e.AmendmentID, AmendmentStatusRejected
		o.Amendments = cow.With(o.Amendments, e.AmendmentID, a)
	case VotingOpened:
		o.State = StateVoting
		o.Frozen = &FrozenVersion{Version: e.Version, Text: e.Text, SHA256: e.TextSHA256}
	case Adopted:
		o.State, o.Outcome, o.ConsultationID = StateAdopted, OutcomeAdopted, e.ConsultationID
	case Rejected:
		o.State, o.Outcome, o.ConsultationID = StateRejected, OutcomeRejected, e.ConsultationID
	case Published:
		o.State = StatePublished
	case Withdrawn:
		o.State = StateWithdrawn
	}
	return o
}

// applyChange applies a DraftChanged to the text and follows the pending amendments'
// passages through it.
func applyChange(o Opinion, e DraftChanged) Opinion {
	cs, err := changeset.Parse(e.Changes)
	if err != nil || e.Version != o.Version+1 {
		o.Corrupt = true
		return o
	}
	text, err := cs.Apply(o.Text)
	if err != nil {
		o.Corrupt = true
		return o
	}
	o.Text, o.Version = text, e.Version
	if len(o.Amendments) == 0 {
		return o
	}
	moved := make(map[uuid.UUID]Amendment, len(o.Amendments))
	for id, a := range o.Amendments {
		if a.Pending() && !a.Outdated && id != e.AmendmentID {
			if at, ok := cs.MapRange(a.Offset, a.Offset+changeset.Len16(a.Passage)); ok {
				a.Offset = at
			} else {
				a.Outdated = true
			}
		}
		moved[id] = a
	}
	o.Amendments = moved
	return o
}

// Fold evolves the empty opinion through evs: the state after them.
func Fold(evs ...events.Payload) Opinion {
	var o Opinion
	for _, e := range evs {
		o = Evolve(o, e)
	}
	return o
}

// PendingAmendments returns the IDs of the amendments not yet decided, in ID order (map
// order is random; what decide reports must not be).
func (o Opinion) PendingAmendments() []uuid.UUID {
	var out []uuid.UUID
	for id, a := range o.Amendments {
		if a.Pending() {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// ErrCorrupt is returned by LoadOpinion for an opinion whose history does not replay
// (a change set that does not apply to the text it follows): an operator must look.
var ErrCorrupt = errors.New("opinions: the opinion's history does not replay")

// LoadOpinion reads the opinion id as it stands in st: what other contexts (action
// sheets linking to an adopted recommendation, the process manager binding a
// consultation to the frozen text) check before deciding. It registers the opinions
// event types in reg. The boolean is false when the opinion does not exist.
func LoadOpinion(ctx context.Context, st store.Store, reg *events.Registry, id uuid.UUID) (Opinion, bool, error) {
	Register(reg)
	o, _, err := bus.Fold(ctx, st, reg, OpinionStream(id), Opinion{}, Evolve)
	if err != nil {
		return Opinion{}, false, err
	}
	if o.Corrupt {
		return o, o.Created, ErrCorrupt
	}
	return o, o.Created, nil
}
