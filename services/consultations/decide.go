package consultations

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Rejections of consultations commands. The codes are stable and append-only. A missing
// consultation (the command's target) is 404; organisations and opinions a body refers
// to that do not exist are 422, like other invalid input.
var (
	ErrConsultationExists = errcode.New("consultation_exists", http.StatusConflict,
		"Cette consultation a déjà été ouverte.", "This consultation has already been opened.")
	ErrConsultationNotFound = errcode.New("consultation_not_found", http.StatusNotFound,
		"Cette consultation n'existe pas.", "This consultation does not exist.")
	ErrConsultationClosed = errcode.New("consultation_closed", http.StatusConflict,
		"Cette consultation est close.", "This consultation is closed.")
	ErrDeadlinePassed = errcode.New("deadline_passed", http.StatusConflict,
		"La date limite de la consultation est passée.", "The consultation's deadline has passed.")
	ErrDeadlineNotReached = errcode.New("deadline_not_reached", http.StatusConflict,
		"La date limite de la consultation n'est pas encore atteinte.", "The consultation's deadline has not been reached yet.")
	ErrCloseNotAllowed = errcode.New("close_not_allowed", http.StatusForbidden,
		"Seul le secrétariat peut clore une consultation avant sa date limite.",
		"Only the secretariat may close a consultation before its deadline.")
	ErrOrganisationNotFound = errcode.New("organisation_not_found", http.StatusUnprocessableEntity,
		"Cette organisation n'est pas membre du comité.", "This organisation is not a member of the committee.")
	ErrDuplicateVoter = errcode.New("duplicate_voter", http.StatusUnprocessableEntity,
		"Une organisation figure deux fois dans le corps électoral.", "An organisation appears twice in the electorate.")
	ErrInvalidOptions = errcode.New("invalid_options", http.StatusUnprocessableEntity,
		"Les options de la consultation ne conviennent pas à son type.", "The consultation's options do not suit its kind.")
	ErrOpinionNotFound = errcode.New("opinion_not_found", http.StatusUnprocessableEntity,
		"Cet avis n'existe pas.", "This opinion does not exist.")
	ErrOpinionNotVoting = errcode.New("opinion_not_voting", http.StatusConflict,
		"Cet avis n'est pas soumis au vote.", "This opinion is not up for a vote.")
	ErrOpinionVersionMismatch = errcode.New("opinion_version_mismatch", http.StatusConflict,
		"Le texte de l'avis ne correspond pas à la version soumise au vote.",
		"The opinion's text does not match the version put to the vote.")
	ErrNotInElectorate = errcode.New("not_in_electorate", http.StatusUnprocessableEntity,
		"Cette organisation ne fait pas partie du corps électoral de la consultation.",
		"This organisation is not in the consultation's electorate.")
	ErrProxyNotAllowed = errcode.New("proxy_not_allowed", http.StatusForbidden,
		"Seule l'organisation mandante, ou le secrétariat, peut donner ou retirer cette procuration.",
		"Only the granting organisation, or the secretariat, may grant or revoke this proxy.")
	ErrProxyExists = errcode.New("proxy_exists", http.StatusConflict,
		"Cette organisation a déjà donné procuration pour cette consultation.",
		"This organisation has already given a proxy for this consultation.")
	ErrProxyToSelf = errcode.New("proxy_to_self", http.StatusUnprocessableEntity,
		"Une organisation ne peut pas se donner procuration à elle-même.", "An organisation cannot give a proxy to itself.")
	ErrProxyNotFound = errcode.New("proxy_not_found", http.StatusNotFound,
		"Cette organisation n'a pas donné procuration pour cette consultation.",
		"This organisation has given no proxy for this consultation.")
	ErrProxyAlreadyUsed = errcode.New("proxy_already_used", http.StatusConflict,
		"L'organisation mandante a déjà voté : la procuration ne peut plus être retirée.",
		"The granting organisation has already voted: the proxy can no longer be revoked.")
	ErrDateInFuture = errcode.New("date_in_future", http.StatusUnprocessableEntity,
		"Cette date n'est pas encore arrivée.", "This date is in the future.")
	ErrNotEntitledToVote = errcode.New("not_entitled_to_vote", http.StatusForbidden,
		"Vous ne pouvez voter ni au nom de cette organisation ni par procuration pour elle.",
		"You may not vote for this organisation, neither as its representative nor by proxy.")
	ErrBallotAlreadyCast = errcode.New("ballot_already_cast", http.StatusConflict,
		"Cette organisation a déjà voté.", "This organisation has already voted.")
	ErrBallotChangeNotAllowed = errcode.New("ballot_change_not_allowed", http.StatusConflict,
		"Le vote est secret : un bulletin ne peut pas être modifié.", "The ballot is secret: a ballot cannot be changed.")
	ErrInvalidChoice = errcode.New("invalid_choice", http.StatusUnprocessableEntity,
		"Ce bulletin ne convient pas à la consultation.", "This ballot does not suit the consultation.")
)

// Rejections lists every rejection code of the consultations context (the shared
// errcode.DateInPast is also used, for a deadline in the past).
func Rejections() []*errcode.Error {
	return []*errcode.Error{ErrConsultationExists, ErrConsultationNotFound, ErrConsultationClosed,
		ErrDeadlinePassed, ErrDeadlineNotReached, ErrCloseNotAllowed, ErrOrganisationNotFound,
		ErrDuplicateVoter, ErrInvalidOptions, ErrOpinionNotFound, ErrOpinionNotVoting,
		ErrOpinionVersionMismatch, ErrNotInElectorate, ErrProxyNotAllowed, ErrProxyExists, ErrProxyToSelf,
		ErrProxyNotFound, ErrProxyAlreadyUsed, ErrDateInFuture, ErrNotEntitledToVote, ErrBallotAlreadyCast,
		ErrBallotChangeNotAllowed, ErrInvalidChoice}
}

// Decide returns the events a consultations command produces against the consultation
// c, or a rejection. It is pure: the clock is the command's Envelope.Time, facts about
// other aggregates are the fields Prepare filled in.
func Decide(c Consultation, cmd any) ([]events.Payload, error) {
	switch cmd := cmd.(type) {
	case OpenConsultation:
		return openConsultation(c, cmd)
	case GrantProxy:
		return grantProxy(c, cmd)
	case RevokeProxy:
		return revokeProxy(c, cmd)
	case CastBallot:
		return castBallot(c, cmd)
	case CloseConsultation:
		return closeConsultation(c, cmd)
	}
	return nil, errcode.UnknownCommand.With("consultations: %T", cmd)
}

func openConsultation(c Consultation, cmd OpenConsultation) ([]events.Payload, error) {
	if c.Opened {
		return nil, ErrConsultationExists
	}
	deadline := cmd.Deadline.UTC()
	if !deadline.After(cmd.Time) {
		return nil, errcode.DateInPast.WithFields(map[string]string{"deadline": "future"}).
			With("deadline %s is not after %s", deadline.Format(time.RFC3339), cmd.Time.Format(time.RFC3339))
	}
	options, maxChoices, err := checkOptions(cmd)
	if err != nil {
		return nil, err
	}
	electorate, err := checkElectorate(cmd)
	if err != nil {
		return nil, err
	}
	ev := ConsultationOpened{ConsultationID: ConsultationIDFor(cmd.CommandID), Question: strings.TrimSpace(cmd.Question),
		Description: strings.TrimSpace(cmd.Description), Kind: cmd.Kind, Options: options, MaxChoices: maxChoices,
		Electorate: electorate, Quorum: cmd.Quorum, Deadline: deadline, Secret: cmd.Secret, Results: cmd.Results}
	if ev.Results == "" {
		ev.Results = ResultsAtClose
	}
	if cmd.OpinionID != "" {
		id, err := uuid.Parse(cmd.OpinionID)
		switch {
		case err != nil || cmd.Opinion == nil:
			return nil, ErrOpinionNotFound.With("%s", cmd.OpinionID)
		case cmd.Opinion.State != OpinionStateVoting:
			return nil, ErrOpinionNotVoting.With("opinion %s is %s", id, cmd.Opinion.State)
		case !strings.EqualFold(cmd.Opinion.TextSHA256, cmd.OpinionTextSHA256):
			return nil, ErrOpinionVersionMismatch.WithFields(map[string]string{"opinion_text_sha256": "current_version"})
		}
		ev.OpinionID, ev.OpinionTextSHA256 = &id, strings.ToLower(cmd.OpinionTextSHA256)
	}
	return []events.Payload{ev}, nil
}

// checkOptions returns the ballot paper of a new consultation and its max_choices.
func checkOptions(cmd OpenConsultation) ([]Option, int, error) {
	bad := func(field, rule string) error {
		return ErrInvalidOptions.WithFields(map[string]string{field: rule})
	}
	if cmd.Kind == KindYesNoAbstain {
		if len(cmd.Options) > 0 {
			return nil, 0, bad("options", "omit_for_yes_no_abstain")
		}
		if cmd.MaxChoices != 0 {
			return nil, 0, bad("max_choices", "multiple_choice_only")
		}
		return []Option{{ID: OptionFor, Label: "Pour"}, {ID: OptionAgainst, Label: "Contre"},
			{ID: OptionAbstain, Label: "Abstention"}}, 0, nil
	}
	if len(cmd.Options) < 2 {
		return nil, 0, bad("options", "min=2")
	}
	seen := make(map[string]bool, len(cmd.Options))
	options := make([]Option, 0, len(cmd.Options))
	for i, o := range cmd.Options {
		field := fmt.Sprintf("options[%d].id", i)
		if !isSlug(o.ID) {
			return nil, 0, bad(field, "slug")
		}
		if seen[o.ID] {
			return nil, 0, bad(field, "unique")
		}
		seen[o.ID] = true
		options = append(options, Option{ID: o.ID, Label: clean(o.Label)})
	}
	maxChoices := 0
	switch {
	case cmd.Kind == KindMultipleChoice && cmd.MaxChoices > len(options):
		return nil, 0, bad("max_choices", fmt.Sprintf("max=%d", len(options)))
	case cmd.Kind == KindMultipleChoice && cmd.MaxChoices == 0:
		maxChoices = len(options)
	case cmd.Kind == KindMultipleChoice:
		maxChoices = cmd.MaxChoices
	case cmd.MaxChoices != 0:
		return nil, 0, bad("max_choices", "multiple_choice_only")
	}
	return options, maxChoices, nil
}

// checkElectorate returns the electorate of a new consultation: active committee
// organisations (as Prepare found them), each once, weight 1 by default.
func checkElectorate(cmd OpenConsultation) ([]Elector, error) {
	out := make([]Elector, 0, len(cmd.Electorate))
	seen := make(map[uuid.UUID]bool, len(cmd.Electorate))
	for i, v := range cmd.Electorate {
		field := fmt.Sprintf("electorate[%d].organisation_id", i)
		id, err := uuid.Parse(v.OrganisationID)
		if err != nil || !cmd.ActiveOrganisations[id] {
			return nil, ErrOrganisationNotFound.WithFields(map[string]string{field: "active_organisation"}).
				With("%s", v.OrganisationID)
		}
		if seen[id] {
			return nil, ErrDuplicateVoter.WithFields(map[string]string{field: "unique"}).With("%s", id)
		}
		seen[id] = true
		weight := 1
		if v.Weight != nil {
			weight = *v.Weight
		}
		out = append(out, Elector{OrganisationID: id, Weight: weight})
	}
	return out, nil
}

// openForVoting rejects commands on a consultation that does not exist, is closed or
// whose deadline has come (even if the closing event is not there yet).
func openForVoting(c Consultation, now time.Time) error {
	switch {
	case !c.Opened:
		return ErrConsultationNotFound
	case c.Closed:
		return ErrConsultationClosed
	case !now.Before(c.Deadline):
		return ErrDeadlinePassed.With("deadline %s", c.Deadline.Format(time.RFC3339))
	}
	return nil
}

// inElectorate parses an organisation ID of the electorate.
func inElectorate(c Consultation, field, id string) (uuid.UUID, int, error) {
	org, err := uuid.Parse(id)
	w, ok := c.Electorate[org]
	if err != nil || !ok {
		return uuid.Nil, 0, ErrNotInElectorate.WithFields(map[string]string{field: "electorate"}).With("%s", id)
	}
	return org, w, nil
}

// actorOrganisation is the organisation the actor acts for (uuid.Nil if none).
func actorOrganisation(a events.Actor) uuid.UUID {
	id, _ := authz.ActsFor(a)
	return id
}

func grantProxy(c Consultation, cmd GrantProxy) ([]events.Payload, error) {
	if err := openForVoting(c, cmd.Time); err != nil {
		return nil, err
	}
	from, _, err := inElectorate(c, "from_organisation_id", cmd.FromOrganisationID)
	if err != nil {
		return nil, err
	}
	secretariat := authz.Is(cmd.Actor, authz.Secretariat)
	if actorOrganisation(cmd.Actor) != from && !secretariat {
		return nil, ErrProxyNotAllowed
	}
	to, err := uuid.Parse(cmd.ToOrganisationID)
	switch {
	case err == nil && to == from:
		return nil, ErrProxyToSelf.WithFields(map[string]string{"to_organisation_id": "ne_from"})
	case err != nil || !cmd.HolderActive:
		return nil, ErrOrganisationNotFound.WithFields(map[string]string{"to_organisation_id": "active_organisation"}).
			With("%s", cmd.ToOrganisationID)
	}
	if p, ok := c.Proxies[from]; ok {
		return nil, ErrProxyExists.With("to %s", p.To)
	}
	if _, voted := c.Ballots[from]; voted {
		return nil, ErrBallotAlreadyCast.With("%s", from)
	}
	signed, err := time.Parse(time.DateOnly, cmd.SignedOn)
	// Civil dates have no zone: a date is in the future only once it is not yet today
	// anywhere (UTC+14), so that no committee member's "today" is refused.
	if err != nil || signed.After(cmd.Time.UTC().Add(14*time.Hour)) {
		return nil, ErrDateInFuture.WithFields(map[string]string{"signed_on": "not_future"})
	}
	return []events.Payload{ProxyGranted{ConsultationID: c.ID, FromOrganisationID: from, ToOrganisationID: to,
		SignedOn: cmd.SignedOn, Note: strings.TrimSpace(cmd.Note),
		RecordedBySecretariat: actorOrganisation(cmd.Actor) != from}}, nil
}

func revokeProxy(c Consultation, cmd RevokeProxy) ([]events.Payload, error) {
	if err := openForVoting(c, cmd.Time); err != nil {
		return nil, err
	}
	from, _, err := inElectorate(c, "from_organisation_id", cmd.FromOrganisationID)
	if err != nil {
		return nil, err
	}
	if actorOrganisation(cmd.Actor) != from && !authz.Is(cmd.Actor, authz.Secretariat) {
		return nil, ErrProxyNotAllowed
	}
	p, ok := c.Proxies[from]
	if !ok {
		return nil, ErrProxyNotFound.With("%s", from)
	}
	if _, voted := c.Ballots[from]; voted {
		return nil, ErrProxyAlreadyUsed.With("%s", from)
	}
	return []events.Payload{ProxyRevoked{ConsultationID: c.ID, FromOrganisationID: from, ToOrganisationID: p.To,
		Reason: strings.TrimSpace(cmd.Reason)}}, nil
}

func castBallot(c Consultation, cmd CastBallot) ([]events.Payload, error) {
	if err := openForVoting(c, cmd.Time); err != nil {
		return nil, err
	}
	org, weight, err := inElectorate(c, "organisation_id", cmd.OrganisationID)
	if err != nil {
		return nil, err
	}
	actorOrg := actorOrganisation(cmd.Actor)
	viaProxy := false
	if actorOrg != org {
		p, ok := c.Proxies[org]
		if !ok || actorOrg == uuid.Nil || p.To != actorOrg {
			return nil, ErrNotEntitledToVote
		}
		viaProxy = true
	}
	if err := checkChoices(c, cmd.Choices); err != nil {
		return nil, err
	}
	by := CastBy{User: cmd.Actor.User, Organisation: actorOrg}
	choices := append([]string(nil), cmd.Choices...)
	prev, voted := c.Ballots[org]
	switch {
	case voted && !cmd.Change:
		return nil, ErrBallotAlreadyCast.With("%s", org)
	case voted && c.Secret:
		return nil, ErrBallotChangeNotAllowed
	case voted:
		return []events.Payload{BallotChanged{ConsultationID: c.ID, OrganisationID: org, Choices: choices,
			Weight: weight, CastBy: by, ViaProxy: viaProxy, Sequence: prev.Changes + 1}}, nil
	case c.Secret && !cmd.Sealed:
		// Prepare seals every secret ballot of a consultation it finds open; it did not,
		// so the consultation closed between the load and Prepare: this round's append
		// would fail anyway.
		return nil, errcode.Conflict.With("secret ballot not sealed: consultation %s changed meanwhile", c.ID)
	case c.Secret:
		return []events.Payload{ParticipationRecorded{ConsultationID: c.ID, OrganisationID: org, Weight: weight,
			CastBy: by, ViaProxy: viaProxy}}, nil
	}
	// change=true without an earlier ballot is a first ballot.
	return []events.Payload{BallotCast{ConsultationID: c.ID, OrganisationID: org, Choices: choices,
		Weight: weight, CastBy: by, ViaProxy: viaProxy}}, nil
}

// checkChoices rejects a ballot that does not suit the consultation's kind, naming the
// offending choice.
func checkChoices(c Consultation, choices []string) error {
	bad := func(field, rule string) error {
		return ErrInvalidChoice.WithFields(map[string]string{field: rule})
	}
	seen := make(map[string]bool, len(choices))
	for i, id := range choices {
		field := fmt.Sprintf("choices[%d]", i)
		if !c.hasOption(id) {
			return bad(field, "option")
		}
		if seen[id] {
			return bad(field, "unique")
		}
		seen[id] = true
	}
	switch {
	case len(choices) == 0:
		return bad("choices", "min=1")
	case (c.Kind == KindYesNoAbstain || c.Kind == KindSingleChoice) && len(choices) != 1:
		return bad("choices", "len=1")
	case c.Kind == KindMultipleChoice && len(choices) > c.MaxChoices:
		return bad("choices", fmt.Sprintf("max=%d", c.MaxChoices))
	}
	return nil
}

// closeRefusal is why the consultation may not be closed by cmd, nil if it may.
func closeRefusal(c Consultation, cmd CloseConsultation) error {
	switch {
	case !c.Opened:
		return ErrConsultationNotFound
	case c.Closed:
		return ErrConsultationClosed
	case cmd.AtDeadline && cmd.Time.Before(c.Deadline):
		return ErrDeadlineNotReached.With("deadline %s", c.Deadline.Format(time.RFC3339))
	case !cmd.AtDeadline && !authz.Is(cmd.Actor, authz.Secretariat):
		return ErrCloseNotAllowed
	}
	return nil
}

func closeConsultation(c Consultation, cmd CloseConsultation) ([]events.Payload, error) {
	if err := closeRefusal(c, cmd); err != nil {
		return nil, err
	}
	ev := ConsultationClosed{ConsultationID: c.ID, AtDeadline: cmd.AtDeadline, Reason: strings.TrimSpace(cmd.Reason),
		ClosedAt: cmd.Time.UTC(), OpinionTextSHA256: c.OpinionTextSHA256}
	if c.Secret {
		if !cmd.BoxOpened {
			// Prepare opens the box of every secret consultation it finds open: the
			// consultation closed between the load and Prepare.
			return nil, errcode.Conflict.With("ballot box not opened: consultation %s changed meanwhile", c.ID)
		}
		ballots, err := secretBallots(c, cmd.BoxBallots)
		if err != nil {
			return nil, err
		}
		c.SecretBallots = ballots // c is a copy; its maps are untouched
		ev.Secret, ev.SecretBallots = true, ballots
	}
	ev.Result = Tally(c)
	if c.OpinionID != uuid.Nil {
		id := c.OpinionID
		ev.OpinionID = &id
	}
	return []events.Payload{ev}, nil
}

// secretBallots merges the box's ballots of the consultation's participations into
// anonymous SecretBallots: one per distinct list of choices, with the number of ballots
// and their total weight, sorted by choices (nil without participation). Ballots in the
// box of organisations that have no participation in c are left out: Prepare read the
// stream after the state was loaded, and this round's append fails if it moved.
func secretBallots(c Consultation, box map[uuid.UUID][]string) ([]SecretBallot, error) {
	merged := map[string]int{} // index in out
	var out []SecretBallot
	for org, b := range c.Ballots {
		if !b.Sealed {
			continue // a ballot from before sealing: Tally counts it from the state
		}
		choices, ok := box[org]
		if !ok {
			return nil, errcode.Internal.With("consultation %s: a participation has no ballot in the ballot box", c.ID)
		}
		if err := checkChoices(c, choices); err != nil {
			return nil, errcode.Internal.With("consultation %s: the ballot box holds a ballot that does not suit it", c.ID)
		}
		key := strings.Join(choices, "\x00")
		i, ok := merged[key]
		if !ok {
			i = len(out)
			merged[key] = i
			out = append(out, SecretBallot{Choices: slices.Clone(choices)})
		}
		out[i].Ballots++
		out[i].Weight += c.Electorate[org]
	}
	slices.SortFunc(out, func(a, b SecretBallot) int { return slices.Compare(a.Choices, b.Choices) })
	return out, nil
}

// isSlug reports whether s is a short option ID: lower-case letters and digits, words
// joined by single hyphens or underscores.
func isSlug(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	sep := true // no separator first
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			sep = false
		case (r == '-' || r == '_') && !sep:
			sep = true
		default:
			return false
		}
	}
	return !sep
}

// clean trims a label and collapses its inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
