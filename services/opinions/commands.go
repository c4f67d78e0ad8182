package opinions

import (
	"encoding/json"
	"slices"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
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

// GroupFacts is what Prepare found out, through the configured GroupLookup, about the
// working group that drafts an opinion: whether it exists and is closed, and which
// organisations are its members now. Decide needs them for "only a group's members edit
// its drafts"; a command that carries none (no GroupLookup configured) is refused.
type GroupFacts struct {
	// ID is the group the facts are about. A GroupLookup need not set it: Prepare sets it
	// to the group it looked up, and Decide checks it is the opinion's.
	ID     uuid.UUID
	Exists bool
	Closed bool
	// Members are the group's current member organisations.
	Members []uuid.UUID
}

// HasMember reports whether the organisation id is a member of the group.
func (g GroupFacts) HasMember(id uuid.UUID) bool { return g.Exists && slices.Contains(g.Members, id) }

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
	// the body: the facts of the group GroupID names.
	Group *GroupFacts `json:"-" validate:"-"`
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
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
}

// EditText replaces the whole text, for clients that do not co-draft (forms, imports,
// scripts): decide turns it into the smallest change set, a change like any other.
type EditText struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	// BaseVersion is the version the new text was written from.
	BaseVersion *int   `json:"base_version" validate:"required,min=0"`
	Text        string `json:"text" validate:"max=200000"`
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
}

// SubmitForReview closes the draft: the text then changes only through amendments.
type SubmitForReview struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
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
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
}

// RejectAmendment rejects an amendment.
type RejectAmendment struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	AmendmentID  string `json:"amendment_id" validate:"required,uuid"`
	Reason       string `json:"reason,omitempty" validate:"max=2000"`
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
}

// OpenVote freezes the reviewed text for a vote; every amendment must be decided.
type OpenVote struct {
	bus.Envelope `validate:"-"`
	OpinionID    string `json:"opinion_id" validate:"required,uuid"`
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
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
	// Group is filled in by Prepare, never read from the body: the facts of the
	// opinion's drafting group (see GroupFacts).
	Group *GroupFacts `json:"-" validate:"-"`
}

// opinionTarget is implemented by the commands that address an existing opinion: the
// opinion they name and who sends them.
type opinionTarget interface {
	opinion() string
	actor() events.Actor
}

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

func (c PushChanges) actor() events.Actor      { return c.Actor }
func (c EditText) actor() events.Actor         { return c.Actor }
func (c SubmitForReview) actor() events.Actor  { return c.Actor }
func (c ProposeAmendment) actor() events.Actor { return c.Actor }
func (c AcceptAmendment) actor() events.Actor  { return c.Actor }
func (c RejectAmendment) actor() events.Actor  { return c.Actor }
func (c OpenVote) actor() events.Actor         { return c.Actor }
func (c RecordOutcome) actor() events.Actor    { return c.Actor }
func (c Publish) actor() events.Actor          { return c.Actor }
func (c Withdraw) actor() events.Actor         { return c.Actor }

// drafting is implemented by the commands only the drafting group's members may send:
// Prepare fills in the group's facts, which Decide checks.
type drafting interface {
	groupFacts() *GroupFacts
	withGroup(GroupFacts) any
}

func (c CreateOpinion) groupFacts() *GroupFacts   { return c.Group }
func (c PushChanges) groupFacts() *GroupFacts     { return c.Group }
func (c EditText) groupFacts() *GroupFacts        { return c.Group }
func (c SubmitForReview) groupFacts() *GroupFacts { return c.Group }
func (c AcceptAmendment) groupFacts() *GroupFacts { return c.Group }
func (c RejectAmendment) groupFacts() *GroupFacts { return c.Group }
func (c OpenVote) groupFacts() *GroupFacts        { return c.Group }
func (c Withdraw) groupFacts() *GroupFacts        { return c.Group }

func (c CreateOpinion) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c PushChanges) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c EditText) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c SubmitForReview) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c AcceptAmendment) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c RejectAmendment) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c OpenVote) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}
func (c Withdraw) withGroup(g GroupFacts) any {
	c.Group = &g
	return c
}

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
