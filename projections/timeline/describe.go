package timeline

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// entry is what an event says on the timeline, before it becomes a row.
type entry struct {
	object  Object
	group   string
	orgs    []string
	summary map[string]string
	// public: observers see the entry whatever becomes of its object.
	public bool
	// publish: the event makes its object public (an opinion published, a consultation
	// closed), and with it every entry about it.
	publish bool
	// fold is the key of the folded row of text changes the event belongs to.
	fold string
}

// params builds a summary from key/value pairs, leaving out empty values.
func params(kv ...string) map[string]string {
	out := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func idOf(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func flag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// describe turns an event into an entry, remembering what later events need (names,
// groups, owners). Events that are no decision (the initial text, an amendment's text
// change) return false.
func (m *model) describe(ev events.Event, p events.Payload) (entry, bool) {
	switch e := p.(type) {
	case membership.CommitteeCreated, membership.SecretariatDesignated, membership.OrganisationAdded,
		membership.OrganisationUpdated, membership.OrganisationRemoved, membership.RepresentativeAdded,
		membership.RepresentativeRoleChanged, membership.RepresentativeRemoved:
		return m.describeMembership(e), true
	case workinggroups.GroupCreated, workinggroups.MemberAdded, workinggroups.MemberRemoved, workinggroups.GroupClosed,
		workinggroups.MeetingScheduled, workinggroups.AttendanceRecorded, workinggroups.MinutesPublished:
		return m.describeGroup(e), true
	case opinions.DraftChanged:
		if e.Source != opinions.SourcePush && e.Source != opinions.SourceEdit {
			// The initial text comes with the creation, an amendment's text with its
			// acceptance: both have their own entry.
			return entry{}, false
		}
		o := idOf(e.OpinionID)
		return entry{object: Object{KindOpinion, o}, group: m.groupOf[o], fold: o + "|" + ev.Meta.Actor.User,
			summary: params("title", m.names[key(KindOpinion, o)])}, true
	case opinions.Created, opinions.SubmittedForReview, opinions.AmendmentProposed, opinions.AmendmentAccepted,
		opinions.AmendmentRejected, opinions.VotingOpened, opinions.Adopted, opinions.Rejected, opinions.Published,
		opinions.Withdrawn:
		return m.describeOpinion(e), true
	case consultations.ConsultationOpened, consultations.ProxyGranted, consultations.ProxyRevoked,
		consultations.BallotCast, consultations.BallotChanged, consultations.ParticipationRecorded,
		consultations.ConsultationClosed:
		return m.describeConsultation(e), true
	case actionsheets.SheetCreated, actionsheets.SheetStarted, actionsheets.ProgressRecorded,
		actionsheets.SheetCompleted, actionsheets.SheetAbandoned, actionsheets.SheetRescheduled:
		return m.describeSheet(e), true
	}
	return entry{}, false
}

func (m *model) org(id uuid.UUID) string { return m.names[key(KindOrganisation, idOf(id))] }

func (m *model) describeMembership(p events.Payload) entry {
	orgEntry := func(id uuid.UUID, kv ...string) entry {
		o := idOf(id)
		return entry{object: Object{KindOrganisation, o}, orgs: []string{o}, public: true,
			summary: params(append([]string{"acronym", m.names[key(KindOrganisation, o)]}, kv...)...)}
	}
	switch e := p.(type) {
	case membership.CommitteeCreated:
		return entry{object: Object{KindCommittee, idOf(e.CommitteeID)}, public: true,
			summary: params("name", e.Name, "acronym", e.Acronym)}
	case membership.SecretariatDesignated:
		return orgEntry(e.OrganisationID)
	case membership.OrganisationAdded:
		m.names[key(KindOrganisation, idOf(e.OrganisationID))] = e.Acronym
		return orgEntry(e.OrganisationID, "name", e.Name)
	case membership.OrganisationUpdated:
		m.names[key(KindOrganisation, idOf(e.OrganisationID))] = e.Acronym
		return orgEntry(e.OrganisationID, "name", e.Name)
	case membership.OrganisationRemoved:
		return orgEntry(e.OrganisationID)
	case membership.RepresentativeAdded:
		m.people[e.Email] = e.Name
		m.people["representative:"+idOf(e.RepresentativeID)] = e.Name
		return orgEntry(e.OrganisationID, "name", e.Name, "role", string(e.Role))
	case membership.RepresentativeRoleChanged:
		return orgEntry(e.OrganisationID, "name", m.people["representative:"+idOf(e.RepresentativeID)],
			"role", string(e.Role), "previous_role", string(e.PreviousRole))
	case membership.RepresentativeRemoved:
		return orgEntry(e.OrganisationID, "name", m.people["representative:"+idOf(e.RepresentativeID)])
	}
	return entry{}
}

func (m *model) describeGroup(p events.Payload) entry {
	groupEntry := func(id uuid.UUID, public bool, orgs []string, kv ...string) entry {
		g := idOf(id)
		return entry{object: Object{KindGroup, g}, group: g, orgs: orgs, public: public,
			summary: params(append([]string{"group", m.names[key(KindGroup, g)]}, kv...)...)}
	}
	switch e := p.(type) {
	case workinggroups.GroupCreated:
		m.names[key(KindGroup, idOf(e.GroupID))] = e.Name
		return groupEntry(e.GroupID, true, []string{idOf(e.LeadOrganisationID)},
			"theme", string(e.Theme), "lead", m.org(e.LeadOrganisationID))
	case workinggroups.MemberAdded:
		return groupEntry(e.GroupID, true, []string{idOf(e.OrganisationID)}, "acronym", m.org(e.OrganisationID))
	case workinggroups.MemberRemoved:
		return groupEntry(e.GroupID, true, []string{idOf(e.OrganisationID)}, "acronym", m.org(e.OrganisationID))
	case workinggroups.GroupClosed:
		return groupEntry(e.GroupID, true, nil)
	case workinggroups.MeetingScheduled:
		meeting := key("meeting", idOf(e.MeetingID))
		m.names[meeting] = e.Title
		var presenters []string
		for _, it := range e.Agenda {
			presenters = append(presenters, idOf(it.PresenterOrganisationID))
		}
		return groupEntry(e.GroupID, true, presenters, "title", e.Title, "kind", string(e.Kind),
			"starts_at", stamp(e.StartsAt), "meeting_id", idOf(e.MeetingID))
	case workinggroups.AttendanceRecorded:
		// Who attended is not published material: observers do not see it.
		return groupEntry(e.GroupID, false, nil, "title", m.names[key("meeting", idOf(e.MeetingID))],
			"present", strconv.Itoa(len(e.Present)), "meeting_id", idOf(e.MeetingID))
	case workinggroups.MinutesPublished:
		return groupEntry(e.GroupID, true, nil, "title", m.names[key("meeting", idOf(e.MeetingID))],
			"version", strconv.Itoa(e.Version), "meeting_id", idOf(e.MeetingID))
	}
	return entry{}
}

func (m *model) describeOpinion(p events.Payload) entry {
	opinionEntry := func(id uuid.UUID, kv ...string) entry {
		o := idOf(id)
		return entry{object: Object{KindOpinion, o}, group: m.groupOf[o],
			summary: params(append([]string{"title", m.names[key(KindOpinion, o)]}, kv...)...)}
	}
	switch e := p.(type) {
	case opinions.Created:
		o := idOf(e.OpinionID)
		m.names[key(KindOpinion, o)] = e.Title
		m.groupOf[o] = idOf(e.GroupID)
		return opinionEntry(e.OpinionID, "kind", string(e.Kind), "group", m.names[key(KindGroup, idOf(e.GroupID))])
	case opinions.SubmittedForReview:
		return opinionEntry(e.OpinionID, "version", strconv.Itoa(e.Version))
	case opinions.AmendmentProposed:
		return opinionEntry(e.OpinionID, "amendment_id", idOf(e.AmendmentID))
	case opinions.AmendmentAccepted:
		return opinionEntry(e.OpinionID, "amendment_id", idOf(e.AmendmentID))
	case opinions.AmendmentRejected:
		return opinionEntry(e.OpinionID, "amendment_id", idOf(e.AmendmentID))
	case opinions.VotingOpened:
		return opinionEntry(e.OpinionID, "version", strconv.Itoa(e.Version))
	case opinions.Adopted:
		return opinionEntry(e.OpinionID, "consultation_id", idOf(e.ConsultationID))
	case opinions.Rejected:
		return opinionEntry(e.OpinionID, "consultation_id", idOf(e.ConsultationID))
	case opinions.Published:
		en := opinionEntry(e.OpinionID, "outcome", string(e.Outcome))
		en.public, en.publish = true, true
		return en
	case opinions.Withdrawn:
		return opinionEntry(e.OpinionID, "from", string(e.From))
	}
	return entry{}
}

func (m *model) describeConsultation(p events.Payload) entry {
	consultationEntry := func(id uuid.UUID, orgs []string, kv ...string) entry {
		c := idOf(id)
		return entry{object: Object{KindConsultation, c}, group: m.groupOf[c], orgs: orgs,
			summary: params(append([]string{"question", m.names[key(KindConsultation, c)]}, kv...)...)}
	}
	// A ballot's entry says who took part, never what they chose: choices are secret
	// until the close (secret ballots, results at the close) and the tally is the
	// consultation's page's business.
	ballot := func(id, org uuid.UUID, viaProxy bool) entry {
		return consultationEntry(id, []string{idOf(org)}, "acronym", m.org(org), "via_proxy", flag(viaProxy))
	}
	switch e := p.(type) {
	case consultations.ConsultationOpened:
		c := idOf(e.ConsultationID)
		m.names[key(KindConsultation, c)] = e.Question
		opinion := ""
		if e.OpinionID != nil {
			opinion = idOf(*e.OpinionID)
			if g := m.groupOf[opinion]; g != "" {
				m.groupOf[c] = g
			}
		}
		electorate := make([]string, 0, len(e.Electorate))
		for _, v := range e.Electorate {
			electorate = append(electorate, idOf(v.OrganisationID))
		}
		return consultationEntry(e.ConsultationID, electorate, "kind", string(e.Kind), "deadline", stamp(e.Deadline),
			"secret", flag(e.Secret), "results", string(e.Results), "opinion_id", opinion)
	case consultations.ProxyGranted:
		return consultationEntry(e.ConsultationID, []string{idOf(e.FromOrganisationID), idOf(e.ToOrganisationID)},
			"from", m.org(e.FromOrganisationID), "to", m.org(e.ToOrganisationID))
	case consultations.ProxyRevoked:
		return consultationEntry(e.ConsultationID, []string{idOf(e.FromOrganisationID), idOf(e.ToOrganisationID)},
			"from", m.org(e.FromOrganisationID), "to", m.org(e.ToOrganisationID))
	case consultations.BallotCast:
		return ballot(e.ConsultationID, e.OrganisationID, e.ViaProxy)
	case consultations.BallotChanged:
		return ballot(e.ConsultationID, e.OrganisationID, e.ViaProxy)
	case consultations.ParticipationRecorded:
		return ballot(e.ConsultationID, e.OrganisationID, e.ViaProxy)
	case consultations.ConsultationClosed:
		opinion := ""
		if e.OpinionID != nil {
			opinion = idOf(*e.OpinionID)
		}
		en := consultationEntry(e.ConsultationID, nil, "outcome", string(e.Result.Outcome),
			"at_deadline", flag(e.AtDeadline), "quorum_reached", flag(e.Result.QuorumReached), "opinion_id", opinion)
		en.public, en.publish = true, true
		return en
	}
	return entry{}
}

func (m *model) describeSheet(p events.Payload) entry {
	sheetEntry := func(id uuid.UUID, kv ...string) entry {
		s := idOf(id)
		var orgs []string
		if owner := m.owners[s]; owner != "" {
			orgs = []string{owner}
		}
		return entry{object: Object{KindSheet, s}, group: m.groupOf[s], orgs: orgs, public: true,
			summary: params(append([]string{"title", m.names[key(KindSheet, s)]}, kv...)...)}
	}
	switch e := p.(type) {
	case actionsheets.SheetCreated:
		s := idOf(e.SheetID)
		m.names[key(KindSheet, s)] = e.Title
		m.owners[s] = idOf(e.OrganisationID)
		if e.OpinionID != nil {
			if g := m.groupOf[idOf(*e.OpinionID)]; g != "" {
				m.groupOf[s] = g
			}
		}
		return sheetEntry(e.SheetID, "level", string(e.Level), "due_date", e.DueDate, "owner", m.org(e.OrganisationID),
			"imported", flag(e.ImportCommandID != ""))
	case actionsheets.SheetStarted:
		return sheetEntry(e.SheetID)
	case actionsheets.ProgressRecorded:
		return sheetEntry(e.SheetID, "percent", strconv.Itoa(e.Percent))
	case actionsheets.SheetCompleted:
		return sheetEntry(e.SheetID)
	case actionsheets.SheetAbandoned:
		return sheetEntry(e.SheetID, "previous_status", string(e.PreviousStatus))
	case actionsheets.SheetRescheduled:
		return sheetEntry(e.SheetID, "due_date", e.DueDate, "previous_due_date", e.PreviousDueDate)
	}
	return entry{}
}
