package opinions

import (
	"encoding/json"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/themes"
)

// Context is the opinions bounded context's name on the bus.
const Context = "opinions"

// Command names (subjects comite.cmd.opinions.<name>, gateway URLs).
const (
	CmdCreateOpinion    = "create-opinion"
	CmdPushChanges      = "push-changes"
	CmdEditText         = "edit-text"
	CmdSubmitForReview  = "submit-for-review"
	CmdProposeAmendment = "propose-amendment"
	CmdAcceptAmendment  = "accept-amendment"
	CmdRejectAmendment  = "reject-amendment"
	CmdOpenVote         = "open-vote"
	CmdRecordOutcome    = "record-outcome"
	CmdPublish          = "publish"
	CmdWithdraw         = "withdraw"
)

// Limits of the text, in UTF-16 code units (what an editor counts). The validate tags
// count characters; decide checks the UTF-16 length of the text a command produces.
const (
	// MaxTextLength bounds an opinion's text.
	MaxTextLength = 200000
	// MaxChangeSets bounds the change sets of one push.
	MaxChangeSets = 100
)

// GroupStatus is what Prepare found out about the drafting working group of a new
// opinion. The zero value means nobody checked (no GroupLookup configured).
type GroupStatus string

// Statuses of a drafting group as Prepare reports them.
const (
	GroupUnchecked GroupStatus = ""
	GroupOpen      GroupStatus = "open"
	GroupClosed    GroupStatus = "closed"
	GroupMissing   GroupStatus = "missing"
)

// CreateOpinion starts a contribution, opinion or recommendation drafted by a working
// group. Its ID is derived from the command ID (OpinionIDFor). A non-empty initial text
// becomes the text's version 1.
type CreateOpinion struct {
	bus.Envelope `validate:"-"`
	Kind         Kind   `json:"kind" validate:"required,oneof=contribution opinion recommendation"`
	Title        string `json:"title" validate:"required,notblank,max=300"`
	// GroupID is the working group that drafts the text.
	GroupID string `json:"group_id" validate:"required,uuid"`
	// Theme is one of the committee's six themes, if any.
	Theme themes.Theme `json:"theme,omitempty" validate:"omitempty,oneof=gouvernance usages accompagnement referentiels infrastructures filiere"`
	// Text is the initial text (line breaks "\n"; "\r\n" and "\r" are converted).
	Text string `json:"text,omitempty" validate:"max=200000"`
	// Group is filled in by Prepare through the configured GroupLookup, never read from
	// the body.
	Group GroupStatus `json:"-" validate:"-"`
}

// PushChanges is a co-drafting editor's push, as @codemirror/collab sends it: the changes
// the client made since Version, the version it last received. They are accepted only
// if Version is the current version; otherwise the client pulls, rebases and retries.
type PushChanges struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	Version      *int   `json:"version" validate:"required,min=0"`
	ClientID     string `json:"client_id" validate:"required,notblank,max=100"`
	// Changes are CodeMirror change sets in their JSON form (ChangeSet.toJSON), each
	// applying to the text as the previous one left it.
	Changes []json.RawMessage `json:"changes" validate:"required,min=1,max=100,dive,required,max=1000000"`
}

// EditText replaces the whole text, for clients that do not co-draft (forms, imports,
// scripts): decide turns it into the smallest change set, a change like any other.
type EditText struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	// BaseVersion is the version the new text was written from.
	BaseVersion *int   `json:"base_version" validate:"required,min=0"`
	Text        string `json:"text" validate:"max=200000"`
}

// SubmitForReview closes the draft: the text then changes only through amendments.
type SubmitForReview struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
}

// ProposeAmendment proposes to replace a passage of the text under review. Its ID is
// derived from the command ID (AmendmentIDFor).
type ProposeAmendment struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	// Passage is the exact text to replace; its first occurrence is the one amended.
	Passage string `json:"passage" validate:"required,notblank,max=20000"`
	// Replacement is the new wording; empty to delete the passage.
	Replacement string `json:"replacement" validate:"max=20000"`
	Reason      string `json:"reason,omitempty" validate:"max=2000"`
}

// AcceptAmendment accepts an amendment and applies it to the text.
type AcceptAmendment struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	AmendmentID  string `json:"amendment_id" validate:"required,uuid"`
}

// RejectAmendment rejects an amendment.
type RejectAmendment struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	AmendmentID  string `json:"amendment_id" validate:"required,uuid"`
	Reason       string `json:"reason,omitempty" validate:"max=2000"`
}

// OpenVote freezes the reviewed text for a vote; every amendment must be decided.
type OpenVote struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
}

// RecordOutcome records the result of the consultation bound to the frozen text: what
// the process manager sends when that consultation closes.
type RecordOutcome struct {
	bus.Envelope   `validate:"-"`
	OpinionID      string  `json:"opinion_id" validate:"required,uuid"`
	Outcome        Outcome `json:"outcome" validate:"required,oneof=adopted rejected"`
	ConsultationID string  `json:"consultation_id" validate:"required,uuid"`
	// TextSHA256 is the SHA-256 of the text the consultation voted on: it must be the
	// frozen one.
	TextSHA256 string `json:"text_sha256" validate:"required,len=64,hexadecimal"`
}

// Publish makes a decided (adopted or rejected) opinion public.
type Publish struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
}

// Withdraw abandons an opinion before it is decided.
type Withdraw struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	Reason       string `json:"reason" validate:"required,notblank,max=2000"`
}

// opinionTarget is implemented by the commands that address an existing opinion.
type opinionTarget interface{ opinion() string }

func (c PushChanges) opinion() string      { return c.OpinionID }
func (c EditText) opinion() string         { return c.OpinionID }
func (c SubmitForReview) opinion() string  { return c.OpinionID }
func (c ProposeAmendment) opinion() string { return c.OpinionID }
func (c AcceptAmendment) opinion() string  { return c.OpinionID }
func (c RejectAmendment) opinion() string  { return c.OpinionID }
func (c OpenVote) opinion() string         { return c.OpinionID }
func (c RecordOutcome) opinion() string    { return c.OpinionID }
func (c Publish) opinion() string          { return c.OpinionID }
func (c Withdraw) opinion() string         { return c.OpinionID }

// Commands is the opinions catalogue. It is pure: the gateway calls it to route
// commands and document them without running the service.
func Commands() []bus.CommandSpec {
	spec := func(name, summary string, newCmd func() any) bus.CommandSpec {
		return bus.CommandSpec{Context: Context, Name: name, Summary: summary, New: newCmd}
	}
	return []bus.CommandSpec{
		spec(CmdCreateOpinion, "Start a contribution, opinion or recommendation drafted by a working group.", func() any { return new(CreateOpinion) }),
		spec(CmdPushChanges, "Push a co-drafting editor's CodeMirror change sets on the current version of the draft.", func() any { return new(PushChanges) }),
		spec(CmdEditText, "Replace the whole text of the draft, from a given version.", func() any { return new(EditText) }),
		spec(CmdSubmitForReview, "Close the draft and open it to amendments.", func() any { return new(SubmitForReview) }),
		spec(CmdProposeAmendment, "Propose to replace a passage of the text under review.", func() any { return new(ProposeAmendment) }),
		spec(CmdAcceptAmendment, "Accept an amendment and apply it to the text.", func() any { return new(AcceptAmendment) }),
		spec(CmdRejectAmendment, "Reject an amendment.", func() any { return new(RejectAmendment) }),
		spec(CmdOpenVote, "Freeze the reviewed text for a vote.", func() any { return new(OpenVote) }),
		spec(CmdRecordOutcome, "Record the outcome of the consultation on the frozen text.", func() any { return new(RecordOutcome) }),
		spec(CmdPublish, "Publish an adopted or rejected opinion.", func() any { return new(Publish) }),
		spec(CmdWithdraw, "Withdraw an opinion before it is decided.", func() any { return new(Withdraw) }),
	}
}
