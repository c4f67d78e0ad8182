package opinions

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
)

// Rejections of opinions commands. The codes are stable and append-only.
var (
	ErrOpinionExists = errcode.New("opinion_exists", http.StatusConflict,
		"Cet avis existe déjà.", "This opinion already exists.")
	ErrOpinionNotFound = errcode.New("opinion_not_found", http.StatusNotFound,
		"Cet avis n'existe pas.", "This opinion does not exist.")
	ErrOpinionWithdrawn = errcode.New("opinion_withdrawn", http.StatusConflict,
		"Cet avis a été retiré.", "This opinion was withdrawn.")
	ErrNotInDraft = errcode.New("opinion_not_in_draft", http.StatusConflict,
		"Cet avis n'est plus à l'état de projet : son texte ne change plus que par amendement.",
		"This opinion is no longer a draft: its text now changes only through amendments.")
	ErrNotInReview = errcode.New("opinion_not_in_review", http.StatusConflict,
		"Cet avis n'est pas en phase d'examen.", "This opinion is not under review.")
	ErrNotVoting = errcode.New("opinion_not_voting", http.StatusConflict,
		"Cet avis n'est pas soumis au vote.", "This opinion is not being voted on.")
	ErrNotDecided = errcode.New("opinion_not_decided", http.StatusConflict,
		"Cet avis n'a pas encore été adopté ou rejeté.", "This opinion has not been adopted or rejected yet.")
	ErrAlreadyDecided = errcode.New("opinion_already_decided", http.StatusConflict,
		"Le vote sur cet avis a déjà eu lieu.", "This opinion has already been decided.")
	ErrAlreadyPublished = errcode.New("opinion_already_published", http.StatusConflict,
		"Cet avis est déjà publié.", "This opinion is already published.")
	ErrVersionMismatch = errcode.New("version_mismatch", http.StatusConflict,
		"Le texte a changé depuis votre version : récupérez les dernières modifications et réessayez.",
		"The text changed since your version: pull the latest changes and try again.")
	ErrInvalidChanges = errcode.New("invalid_changes", http.StatusUnprocessableEntity,
		"Ces modifications ne s'appliquent pas au texte.", "These changes do not apply to the text.")
	ErrTextTooLong = errcode.New("text_too_long", http.StatusUnprocessableEntity,
		"Le texte dépasserait la longueur maximale de 200 000 caractères.",
		"The text would exceed the maximum length of 200,000 characters.")
	ErrPassageNotFound = errcode.New("passage_not_found", http.StatusUnprocessableEntity,
		"Ce passage ne figure pas dans le texte.", "This passage is not in the text.")
	ErrAmendmentNotFound = errcode.New("amendment_not_found", http.StatusNotFound,
		"Cet amendement n'existe pas.", "This amendment does not exist.")
	ErrAmendmentAlreadyDecided = errcode.New("amendment_already_decided", http.StatusConflict,
		"Cet amendement a déjà été accepté ou rejeté.", "This amendment has already been accepted or rejected.")
	ErrAmendmentOutdated = errcode.New("amendment_outdated", http.StatusConflict,
		"Le passage visé par cet amendement a été modifié entre-temps.",
		"The passage this amendment targets has changed in the meantime.")
	ErrAmendmentsPending = errcode.New("amendments_pending", http.StatusConflict,
		"Des amendements restent à examiner avant l'ouverture du vote.",
		"Some amendments must be decided before the vote opens.")
	ErrFrozenTextMismatch = errcode.New("frozen_text_mismatch", http.StatusConflict,
		"Le texte soumis au vote n'est pas la version figée de cet avis.",
		"The text that was voted on is not this opinion's frozen version.")
	ErrGroupNotFound = errcode.New("group_not_found", http.StatusNotFound,
		"Ce groupe de travail n'existe pas.", "This working group does not exist.")
	ErrGroupClosed = errcode.New("group_closed", http.StatusConflict,
		"Ce groupe de travail est clos.", "This working group is closed.")
)

// Rejections lists every rejection code of the opinions context, including the shared
// errcode.Forbidden.
func Rejections() []*errcode.Error {
	return []*errcode.Error{ErrOpinionExists, ErrOpinionNotFound, ErrOpinionWithdrawn, ErrNotInDraft,
		ErrNotInReview, ErrNotVoting, ErrNotDecided, ErrAlreadyDecided, ErrAlreadyPublished,
		ErrVersionMismatch, ErrInvalidChanges, ErrTextTooLong, ErrPassageNotFound, ErrAmendmentNotFound,
		ErrAmendmentAlreadyDecided, ErrAmendmentOutdated, ErrAmendmentsPending, ErrFrozenTextMismatch,
		ErrGroupNotFound, ErrGroupClosed, errcode.Forbidden}
}

// Decide returns the events an opinions command produces against the opinion o, none
// when the command changes nothing, or a rejection. It is pure: the actor is the
// command's Envelope.Actor, the drafting group's facts are in the command (Prepare).
//
// Checks come in this order: the actor's role (forbidden), the opinion's existence
// (opinion_not_found), who may act on it (forbidden, see authz.go), then the lifecycle.
func Decide(o Opinion, cmd any) ([]events.Payload, error) {
	if c, ok := cmd.(CreateOpinion); ok {
		if err := checkRole(c.Actor, c); err != nil {
			return nil, err
		}
		return createOpinion(o, c)
	}
	t, ok := cmd.(opinionTarget)
	if !ok {
		return nil, errcode.UnknownCommand.With("opinions: %T", cmd)
	}
	if err := checkRole(t.actor(), cmd); err != nil {
		return nil, err
	}
	switch {
	case !o.Created:
		return nil, ErrOpinionNotFound.With("%s", t.opinion())
	case o.Corrupt:
		return nil, errcode.Internal.With("opinion %s: history does not replay", o.ID)
	}
	if err := authorize(o, t.actor(), cmd); err != nil {
		return nil, err
	}
	if o.State == StateWithdrawn {
		return nil, ErrOpinionWithdrawn
	}
	switch cmd := cmd.(type) {
	case PushChanges:
		return pushChanges(o, cmd)
	case EditText:
		return editText(o, cmd)
	case SubmitForReview:
		return submitForReview(o)
	case ProposeAmendment:
		return proposeAmendment(o, cmd)
	case AcceptAmendment:
		return acceptAmendment(o, cmd)
	case RejectAmendment:
		return rejectAmendment(o, cmd)
	case OpenVote:
		return openVote(o)
	case RecordOutcome:
		return recordOutcome(o, cmd)
	case Publish:
		return publish(o)
	case Withdraw:
		return withdraw(o, cmd)
	}
	return nil, errcode.UnknownCommand.With("opinions: %T", cmd)
}

// authorize applies the object rules of the commands on an existing opinion.
func authorize(o Opinion, a events.Actor, cmd any) error {
	switch c := cmd.(type) {
	case ProposeAmendment:
		return mayPropose(a)
	case drafting:
		if err := knownGroup(c.groupFacts(), o.GroupID); err != nil {
			return err
		}
		return mayDraft(a, *c.groupFacts())
	}
	return nil // publish and record-outcome: the role is the rule
}

// createOpinion checks the drafting group in this order: that it exists
// (group_not_found), that the actor's organisation is one of its members (forbidden),
// that it is open (group_closed).
func createOpinion(o Opinion, cmd CreateOpinion) ([]events.Payload, error) {
	id := OpinionIDFor(cmd.CommandID)
	if o.Created {
		return nil, ErrOpinionExists.With("%s", id)
	}
	group, err := uuid.Parse(cmd.GroupID)
	if err != nil {
		return nil, errcode.ValidationFailed.WithFields(map[string]string{"group_id": "uuid"})
	}
	if err := knownGroup(cmd.Group, group); err != nil {
		return nil, err
	}
	if !cmd.Group.Exists {
		return nil, ErrGroupNotFound.With("%s", group)
	}
	if err := mayDraft(cmd.Actor, *cmd.Group); err != nil {
		return nil, err
	}
	if cmd.Group.Closed {
		return nil, ErrGroupClosed.With("%s", group)
	}
	text := normalise(cmd.Text)
	if changeset.Len16(text) > MaxTextLength {
		return nil, ErrTextTooLong
	}
	out := []events.Payload{Created{OpinionID: id, Kind: cmd.Kind, Title: clean(cmd.Title), GroupID: group, Theme: cmd.Theme}}
	if text != "" {
		out = append(out, DraftChanged{OpinionID: id, Version: 1, Source: SourceInitial,
			Changes: changesJSON(changeset.Replace("", text))})
	}
	return out, nil
}

func pushChanges(o Opinion, cmd PushChanges) ([]events.Payload, error) {
	if o.State != StateDraft {
		return nil, ErrNotInDraft
	}
	if err := checkVersion(o, "version", cmd.Version); err != nil {
		return nil, err
	}
	text, version := o.Text, o.Version
	out := make([]events.Payload, 0, len(cmd.Changes))
	for i, raw := range cmd.Changes {
		cs, err := changeset.Parse(raw)
		if err != nil {
			return nil, ErrInvalidChanges.WithFields(map[string]string{"changes": "changeset"}).With("change set %d: %v", i, err)
		}
		if text, err = cs.Apply(text); err != nil {
			return nil, ErrInvalidChanges.With("change set %d on version %d: %v", i, version, err)
		}
		if changeset.Len16(text) > MaxTextLength {
			return nil, ErrTextTooLong.With("change set %d", i)
		}
		version++
		// Stored normalised: editors compose what they receive, and CodeMirror composes
		// correctly only sets in the form it builds itself (changeset.Normalize).
		out = append(out, DraftChanged{OpinionID: o.ID, Version: version, ClientID: strings.TrimSpace(cmd.ClientID),
			Source: SourcePush, Changes: changesJSON(cs.Normalize())})
	}
	return out, nil
}

func editText(o Opinion, cmd EditText) ([]events.Payload, error) {
	if o.State != StateDraft {
		return nil, ErrNotInDraft
	}
	if err := checkVersion(o, "base_version", cmd.BaseVersion); err != nil {
		return nil, err
	}
	text := normalise(cmd.Text)
	if text == o.Text {
		return nil, nil
	}
	if changeset.Len16(text) > MaxTextLength {
		return nil, ErrTextTooLong
	}
	return []events.Payload{DraftChanged{OpinionID: o.ID, Version: o.Version + 1, Source: SourceEdit,
		Changes: changesJSON(changeset.Replace(o.Text, text))}}, nil
}

func submitForReview(o Opinion) ([]events.Payload, error) {
	if o.State != StateDraft {
		return nil, ErrNotInDraft
	}
	return []events.Payload{SubmittedForReview{OpinionID: o.ID, Version: o.Version}}, nil
}

func proposeAmendment(o Opinion, cmd ProposeAmendment) ([]events.Payload, error) {
	if o.State != StateInReview {
		return nil, ErrNotInReview
	}
	passage, replacement := normalise(cmd.Passage), normalise(cmd.Replacement)
	at := strings.Index(o.Text, passage)
	if at < 0 {
		return nil, ErrPassageNotFound.WithFields(map[string]string{"passage": "in_text"})
	}
	return []events.Payload{AmendmentProposed{OpinionID: o.ID, AmendmentID: AmendmentIDFor(cmd.CommandID),
		Passage: passage, Replacement: replacement, Reason: strings.TrimSpace(cmd.Reason),
		Offset: changeset.Offset16(o.Text, at), Version: o.Version}}, nil
}

func acceptAmendment(o Opinion, cmd AcceptAmendment) ([]events.Payload, error) {
	a, err := pendingAmendment(o, cmd.AmendmentID)
	if err != nil {
		return nil, err
	}
	end := a.Offset + changeset.Len16(a.Passage)
	if found, ok := changeset.Slice16(o.Text, a.Offset, end); a.Outdated || !ok || found != a.Passage {
		return nil, ErrAmendmentOutdated.With("amendment %s", a.ID)
	}
	cs := changeset.Splice(changeset.Len16(o.Text), a.Offset, end, a.Replacement)
	if cs.NewLen() > MaxTextLength {
		return nil, ErrTextTooLong
	}
	return []events.Payload{
		AmendmentAccepted{OpinionID: o.ID, AmendmentID: a.ID},
		DraftChanged{OpinionID: o.ID, Version: o.Version + 1, Source: SourceAmendment, AmendmentID: a.ID,
			Changes: changesJSON(cs)},
	}, nil
}

func rejectAmendment(o Opinion, cmd RejectAmendment) ([]events.Payload, error) {
	a, err := pendingAmendment(o, cmd.AmendmentID)
	if err != nil {
		return nil, err
	}
	return []events.Payload{AmendmentRejected{OpinionID: o.ID, AmendmentID: a.ID, Reason: strings.TrimSpace(cmd.Reason)}}, nil
}

// pendingAmendment finds an amendment that may still be decided.
func pendingAmendment(o Opinion, id string) (Amendment, error) {
	if o.State != StateInReview {
		return Amendment{}, ErrNotInReview
	}
	uid, err := uuid.Parse(id)
	a, ok := o.Amendments[uid]
	switch {
	case err != nil || !ok:
		return Amendment{}, ErrAmendmentNotFound.With("%s", id)
	case !a.Pending():
		return Amendment{}, ErrAmendmentAlreadyDecided.With("%s is %s", id, a.Status)
	}
	return a, nil
}

func openVote(o Opinion) ([]events.Payload, error) {
	if o.State != StateInReview {
		return nil, ErrNotInReview
	}
	if pending := o.PendingAmendments(); len(pending) > 0 {
		return nil, ErrAmendmentsPending.With("%d pending, first %s", len(pending), pending[0])
	}
	return []events.Payload{VotingOpened{OpinionID: o.ID, Version: o.Version, Text: o.Text, TextSHA256: TextSHA256(o.Text)}}, nil
}

func recordOutcome(o Opinion, cmd RecordOutcome) ([]events.Payload, error) {
	switch o.State {
	case StateVoting:
	case StateAdopted, StateRejected, StatePublished:
		return nil, ErrAlreadyDecided
	default:
		return nil, ErrNotVoting
	}
	consultation, err := uuid.Parse(cmd.ConsultationID)
	if err != nil {
		return nil, errcode.ValidationFailed.WithFields(map[string]string{"consultation_id": "uuid"})
	}
	if o.Frozen == nil || !strings.EqualFold(cmd.TextSHA256, o.Frozen.SHA256) {
		return nil, ErrFrozenTextMismatch.With("voted on %s", cmd.TextSHA256)
	}
	switch cmd.Outcome {
	case OutcomeAdopted:
		return []events.Payload{Adopted{OpinionID: o.ID, ConsultationID: consultation, TextSHA256: o.Frozen.SHA256}}, nil
	case OutcomeRejected:
		return []events.Payload{Rejected{OpinionID: o.ID, ConsultationID: consultation, TextSHA256: o.Frozen.SHA256}}, nil
	}
	return nil, errcode.ValidationFailed.WithFields(map[string]string{"outcome": "oneof=adopted rejected"})
}

func publish(o Opinion) ([]events.Payload, error) {
	switch o.State {
	case StateAdopted, StateRejected:
		return []events.Payload{Published{OpinionID: o.ID, Outcome: o.Outcome}}, nil
	case StatePublished:
		return nil, ErrAlreadyPublished
	}
	return nil, ErrNotDecided
}

func withdraw(o Opinion, cmd Withdraw) ([]events.Payload, error) {
	switch o.State {
	case StateDraft, StateInReview, StateVoting:
		return []events.Payload{Withdrawn{OpinionID: o.ID, Reason: strings.TrimSpace(cmd.Reason), From: o.State}}, nil
	}
	return nil, ErrAlreadyDecided
}

// checkVersion rejects a client's base version that is not the text's current one.
func checkVersion(o Opinion, field string, v *int) error {
	if v == nil || *v != o.Version {
		got := -1
		if v != nil {
			got = *v
		}
		return ErrVersionMismatch.WithFields(map[string]string{field: "current"}).
			With("the text is at version %d, not %d", o.Version, got)
	}
	return nil
}

// changesJSON is the compact JSON of a change set, as events carry it.
func changesJSON(cs changeset.ChangeSet) json.RawMessage {
	b, _ := json.Marshal(cs) // numbers and strings: it cannot fail
	return b
}

// normalise gives a text CodeMirror's line breaks ("\n"), so that the server's UTF-16
// lengths are the editor's.
func normalise(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// clean trims a title and collapses its inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
