package consultations

import (
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/bus"
)

// Context is the consultations bounded context's name on the bus.
const Context = "consultations"

// Command names (subjects comite.cmd.consultations.<name>, gateway URLs).
const (
	CmdOpenConsultation  = "open-consultation"
	CmdGrantProxy        = "grant-proxy"
	CmdRevokeProxy       = "revoke-proxy"
	CmdCastBallot        = "cast-ballot"
	CmdCloseConsultation = "close-consultation"
)

// Kind is the kind of question a consultation asks, which decides what a ballot may
// hold and how Tally counts.
type Kind string

// Kinds of consultations.
const (
	// KindYesNoAbstain: one of pour, contre, abstention; abstentions are not expressed votes.
	KindYesNoAbstain Kind = "yes_no_abstain"
	// KindSingleChoice: exactly one option.
	KindSingleChoice Kind = "single_choice"
	// KindMultipleChoice: one to MaxChoices distinct options.
	KindMultipleChoice Kind = "multiple_choice"
	// KindRanked: an ordering of some or all options, counted by Borda count.
	KindRanked Kind = "ranked"
)

// Visibility says when read models may show a consultation's counts.
type Visibility string

// Result visibilities.
const (
	// ResultsLive: counts are shown while voting goes on.
	ResultsLive Visibility = "live"
	// ResultsAtClose: counts are shown only once the consultation is closed (the default).
	ResultsAtClose Visibility = "at_close"
)

// The fixed options of a yes_no_abstain consultation.
const (
	OptionFor     = "pour"
	OptionAgainst = "contre"
	OptionAbstain = "abstention"
)

// Option is one answer on the ballot paper: a short slug ID ballots name, and its label.
type Option struct {
	ID    string `json:"id" validate:"required,max=40"`
	Label string `json:"label" validate:"required,notblank,max=200"`
}

// Voter is an organisation of the electorate as open-consultation gives it.
type Voter struct {
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	// Weight defaults to 1; an explicit 0 is refused.
	Weight *int `json:"weight,omitempty" validate:"omitnil,min=1,max=1000"`
}

// Quorum is the participation a consultation needs for its outcome to count.
type Quorum struct {
	// MinParticipation is the percentage (0..100) of the electorate's total weight that
	// must have voted; 0, the default, means no quorum.
	MinParticipation int `json:"min_participation" validate:"min=0,max=100"`
}

// OpinionVersion is what the opinions context says of an opinion a consultation is
// bound to: its state and the SHA-256 (hex) of its frozen text.
type OpinionVersion struct {
	State      string
	TextSHA256 string
}

// OpinionStateVoting is the opinion state a consultation may be bound to.
const OpinionStateVoting = "voting"

// OpenConsultation opens a consultation. Its ID is derived from the command ID
// (ConsultationIDFor).
type OpenConsultation struct {
	bus.Envelope `validate:"-"`
	Question     string `json:"question" validate:"required,notblank,max=1000"`
	Description  string `json:"description,omitempty" validate:"max=20000"`
	Kind         Kind   `json:"kind" validate:"required,oneof=yes_no_abstain single_choice multiple_choice ranked"`
	// Options must be omitted for yes_no_abstain (pour, contre, abstention); other kinds
	// need 2 to 50 options with distinct slug IDs.
	Options []Option `json:"options,omitempty" validate:"max=50,dive"`
	// MaxChoices is for multiple_choice only; 0 means as many as there are options.
	MaxChoices int `json:"max_choices,omitempty" validate:"min=0,max=50"`
	// Electorate lists the voting organisations, each an active committee organisation,
	// each once.
	Electorate []Voter `json:"electorate" validate:"required,min=1,max=300,dive"`
	Quorum     Quorum  `json:"quorum"`
	// Deadline must be in the future.
	Deadline time.Time `json:"deadline" validate:"required"`
	Secret   bool      `json:"secret,omitempty"`
	// Results defaults to at_close.
	Results Visibility `json:"results,omitempty" validate:"omitempty,oneof=live at_close"`
	// OpinionID and OpinionTextSHA256 bind the consultation to an opinion's frozen
	// version: both or neither.
	OpinionID         string `json:"opinion_id,omitempty" validate:"required_with=OpinionTextSHA256,omitempty,uuid"`
	OpinionTextSHA256 string `json:"opinion_text_sha256,omitempty" validate:"required_with=OpinionID,omitempty,len=64,hexadecimal"`

	// ActiveOrganisations is filled in by Prepare: the electorate's organisations that
	// are current members of the committee.
	ActiveOrganisations map[uuid.UUID]bool `json:"-" validate:"-"`
	// Opinion is filled in by Prepare when OpinionID is set: the opinion as the opinions
	// context knows it, nil if it does not exist.
	Opinion *OpinionVersion `json:"-" validate:"-"`
}

// GrantProxy records a dated proxy from an organisation of the electorate to another
// committee organisation, whose representatives may then cast its ballot. Only the
// granting organisation's representatives, or the secretariat recording a paper proxy,
// may grant it.
type GrantProxy struct {
	bus.Envelope       `validate:"-"`
	ConsultationID     string `json:"consultation_id" validate:"required,uuid"`
	FromOrganisationID string `json:"from_organisation_id" validate:"required,uuid"`
	ToOrganisationID   string `json:"to_organisation_id" validate:"required,uuid"`
	// SignedOn is the civil date the proxy was signed, not in the future.
	SignedOn string `json:"signed_on" validate:"required,datetime=2006-01-02"`
	Note     string `json:"note,omitempty" validate:"max=1000"`

	// HolderActive is filled in by Prepare: the receiving organisation is a current
	// member of the committee.
	HolderActive bool `json:"-" validate:"-"`
}

// RevokeProxy withdraws a proxy before the granting organisation's ballot is cast.
type RevokeProxy struct {
	bus.Envelope       `validate:"-"`
	ConsultationID     string `json:"consultation_id" validate:"required,uuid"`
	FromOrganisationID string `json:"from_organisation_id" validate:"required,uuid"`
	Reason             string `json:"reason,omitempty" validate:"max=500"`
}

// CastBallot casts an organisation's ballot, by one of its representatives or by a
// representative of the organisation holding its proxy.
type CastBallot struct {
	bus.Envelope   `validate:"-"`
	ConsultationID string `json:"consultation_id" validate:"required,uuid"`
	OrganisationID string `json:"organisation_id" validate:"required,uuid"`
	// Choices are option IDs: exactly one for yes_no_abstain and single_choice, 1 to
	// max_choices distinct ones for multiple_choice, an ordering (best first) of some or
	// all options for ranked.
	Choices []string `json:"choices" validate:"required,min=1,max=50,dive,required,max=40"`
	// Change replaces the organisation's ballot (open consultations only). With no
	// earlier ballot it is a first ballot: a client that is unsure whether its first
	// attempt went through may always send change=true. A secret ballot is never
	// changed: with an earlier ballot, change=true is ballot_change_not_allowed.
	Change bool `json:"change,omitempty"`

	// Sealed is set by Prepare in a secret consultation once the choices are in the
	// ballot box, under this command's reference: decide then records the participation
	// only. Decide refuses a secret ballot that is not sealed.
	Sealed bool `json:"-" validate:"-"`
}

// CloseConsultation closes a consultation and records its result: early, by the
// secretariat, or at the deadline (at_deadline=true, by anyone — a scheduler).
type CloseConsultation struct {
	bus.Envelope   `validate:"-"`
	ConsultationID string `json:"consultation_id" validate:"required,uuid"`
	AtDeadline     bool   `json:"at_deadline,omitempty"`
	Reason         string `json:"reason,omitempty" validate:"max=1000"`

	// BoxOpened is set by Prepare for a secret consultation once it has read the ballot
	// box, and BoxBallots then holds the counted choices of each participating
	// organisation. They never leave the process: decide merges them into anonymous
	// SecretBallots.
	BoxOpened  bool                   `json:"-" validate:"-"`
	BoxBallots map[uuid.UUID][]string `json:"-" validate:"-"`
}

// Commands is the consultations catalogue. It is pure: the gateway calls it to route
// commands and document them without running the service.
func Commands() []bus.CommandSpec {
	spec := func(name, summary string, newCmd func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: Context, Name: name, Summary: summary, New: newCmd}
	}
	return []bus.CommandSpec{
		spec(CmdOpenConsultation, "Open a consultation of the committee's organisations.", func() any { return new(OpenConsultation) }),
		spec(CmdGrantProxy, "Record an organisation's proxy to another organisation for a consultation.", func() any { return new(GrantProxy) }),
		spec(CmdRevokeProxy, "Withdraw a proxy before the granting organisation has voted.", func() any { return new(RevokeProxy) }),
		spec(CmdCastBallot, "Cast (or change) an organisation's ballot.", func() any { return new(CastBallot) }),
		spec(CmdCloseConsultation, "Close a consultation, early or at its deadline, and record its result.", func() any { return new(CloseConsultation) }),
	}
}

// consultationOf is the consultation a command addresses (uuid.Nil when unreadable,
// which decoding prevents).
func consultationOf(cmd any) uuid.UUID {
	var s string
	switch c := cmd.(type) {
	case OpenConsultation:
		return ConsultationIDFor(c.CommandID)
	case GrantProxy:
		s = c.ConsultationID
	case RevokeProxy:
		s = c.ConsultationID
	case CastBallot:
		s = c.ConsultationID
	case CloseConsultation:
		s = c.ConsultationID
	}
	id, _ := uuid.Parse(s)
	return id
}
