// Package authz is who may do what in Comité, by role: the one table the deciding services
// check before anything else (a command sent straight onto NATS is refused too) and the
// gateway checks for views. Rules that depend on the object — only a group's members edit
// its drafts, only the electorate votes — are in each context's pure decide.
package authz

import (
	"slices"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Role is what a person may do in the committee (DESIGN.md, Security).
type Role string

// The roles. System is not a person: process managers and the deadline scheduler act
// with it; only their signed requests can carry it.
const (
	Secretariat Role = "secretariat"
	Member      Role = "member"
	Auditor     Role = "auditor"
	Observer    Role = "observer"
	System      Role = "system"
)

// Roles returns every role, people's first.
func Roles() []Role { return []Role{Secretariat, Member, Auditor, Observer, System} }

var (
	secretariat       = []Role{Secretariat}
	people            = []Role{Secretariat, Member}
	secretariatSystem = []Role{Secretariat, System}
	system            = []Role{System}
	readers           = []Role{Secretariat, Member, Auditor, Observer}
)

// commands maps "<context>.<command>" to the roles that may send it. A command missing
// here is refused to everyone (and fails the authorization matrix test).
var commands = map[string][]Role{
	"membership.create-committee":      secretariat,
	"membership.add-organisation":      secretariat,
	"membership.update-organisation":   secretariat,
	"membership.remove-organisation":   secretariat,
	"membership.add-representative":    secretariat,
	"membership.change-role":           secretariat,
	"membership.remove-representative": secretariat,
	"membership.designate-secretariat": secretariat,

	"workinggroups.create-group":      people,
	"workinggroups.add-member":        people,
	"workinggroups.remove-member":     people,
	"workinggroups.schedule-meeting":  people,
	"workinggroups.record-attendance": people,
	"workinggroups.publish-minutes":   people,
	"workinggroups.close-group":       people,

	"opinions.create-opinion":    people,
	"opinions.push-changes":      people,
	"opinions.edit-text":         people,
	"opinions.submit-for-review": people,
	"opinions.propose-amendment": people,
	"opinions.accept-amendment":  people,
	"opinions.reject-amendment":  people,
	"opinions.open-vote":         people,
	"opinions.record-outcome":    system,
	"opinions.publish":           secretariat,
	"opinions.withdraw":          people,

	"actionsheets.create-sheet":     people,
	"actionsheets.start-sheet":      people,
	"actionsheets.record-progress":  people,
	"actionsheets.complete-sheet":   people,
	"actionsheets.abandon-sheet":    people,
	"actionsheets.reschedule-sheet": people,
	"actionsheets.import-sheets":    secretariat,

	"consultations.open-consultation":  secretariat,
	"consultations.grant-proxy":        people,
	"consultations.revoke-proxy":       people,
	"consultations.cast-ballot":        people,
	"consultations.close-consultation": secretariatSystem,
}

// views maps a read model to the roles that may read it; rows may be filtered further by
// the view itself (an observer sees published material only).
var views = map[string][]Role{
	"committee":       readers,
	"organisations":   readers,
	"groups":          readers,
	"opinions":        readers,
	"opinion-details": readers,
	"opinion-updates": readers,
	"action-sheets":   readers,
	"consultations":   readers,
	"timeline":        readers,
}

// CommandRoles returns the roles allowed to send each command, keyed "<context>.<command>".
func CommandRoles() map[string][]Role { return clone(commands) }

// ViewRoles returns the roles allowed to read each view.
func ViewRoles() map[string][]Role { return clone(views) }

func clone(m map[string][]Role) map[string][]Role {
	out := make(map[string][]Role, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// MayCommand is nil when actor's role may send the command, errcode.Unauthenticated when
// there is no actor, and errcode.Forbidden otherwise.
func MayCommand(actor events.Actor, context, command string) error {
	return check(actor, commands[context+"."+command], "send "+context+"."+command)
}

// MayRead is MayCommand for views.
func MayRead(actor events.Actor, view string) error {
	return check(actor, views[view], "read "+view)
}

func check(actor events.Actor, allowed []Role, what string) error {
	if actor.Role == "" {
		return errcode.Unauthenticated
	}
	if !slices.Contains(allowed, Role(actor.Role)) {
		return errcode.Forbidden.With("the role %q may not %s", actor.Role, what)
	}
	return nil
}

// Is reports whether actor holds one of roles.
func Is(actor events.Actor, roles ...Role) bool { return slices.Contains(roles, Role(actor.Role)) }

// IsPerson reports whether actor is a person who may change things: the secretariat or a
// member (not an auditor, an observer or a process).
func IsPerson(actor events.Actor) bool { return Is(actor, Secretariat, Member) }

// ActsFor is the organisation actor acts for; false when it names no valid one.
func ActsFor(actor events.Actor) (uuid.UUID, bool) {
	id, err := uuid.Parse(actor.Organisation)
	return id, err == nil && id != uuid.Nil
}

// MemberFor reports whether actor is a member acting for org (the object rules' "a member
// of the owner organisation").
func MemberFor(actor events.Actor, org uuid.UUID) bool {
	id, ok := ActsFor(actor)
	return ok && Is(actor, Member) && id == org
}
