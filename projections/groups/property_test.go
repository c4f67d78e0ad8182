package groups

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/themes"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// TestRebuildEqualsLive: random working-group histories, decided by the real decider,
// give the same groups built live (with clients following them, observers included),
// rebuilt, and restored from a snapshot.
func TestRebuildEqualsLive(t *testing.T) {
	d := workinggroups.Decider(nil, nil)
	orgs := make([]uuid.UUID, 6)
	for i := range orgs {
		orgs[i] = uuid.New()
	}
	active := workinggroups.OrganisationSet{}
	for _, o := range orgs {
		active[o] = struct{}{}
	}
	secretariat := projectiontest.For(projectiontest.Secretariat, orgs[0])
	accepted, rejected := 0, 0
	seen := map[string]int{}
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 11))
		log := projectiontest.NewLog(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
		var groups, meetings []string
		meetingGroup := map[string]string{}
		pick := func(ids []string) string {
			if len(ids) == 0 || rng.IntN(12) == 0 {
				return uuid.NewString() // sometimes an unknown one: a rejection
			}
			return ids[rng.IntN(len(ids))]
		}
		org := func() uuid.UUID { return orgs[rng.IntN(len(orgs))] }
		// attendance splits the group's members into present, excused and absent (and
		// now and then names an outsider, a rejection).
		attendance := func(groupID string) (present, excused []string) {
			// An unknown meeting has no group: the nil one's stream, empty.
			group := projectiontest.State(log, d, workinggroups.RecordAttendance{GroupID: groupID})
			for _, o := range group.Members.IDs() {
				switch rng.IntN(3) {
				case 0, 1:
					present = append(present, o.String())
				case 2:
					excused = append(excused, o.String())
				}
			}
			if rng.IntN(10) == 0 {
				present = append(present, uuid.NewString())
			}
			return present, excused
		}
		for range 15 + rng.IntN(45) {
			actor := secretariat
			if rng.IntN(8) == 0 {
				actor = projectiontest.Member(org())
			}
			env := bus.Envelope{CommandID: uuid.NewString(), Actor: actor, Time: log.Clock}
			var cmd any
			onAccept := func() {}
			n := rng.IntN(10)
			if len(groups) == 0 || (len(groups) < 4 && rng.IntN(4) == 0) {
				n = 0
			}
			switch n {
			case 0:
				c := workinggroups.CreateGroup{Envelope: env, Name: "Groupe " + string(rune('A'+rng.IntN(26))), Mandate: "Mandat",
					Theme: themes.All()[rng.IntN(6)], LeadOrganisationID: org().String(), ActiveOrganisations: active}
				onAccept = func() { groups = append(groups, workinggroups.GroupIDFor(c.CommandID).String()) }
				cmd = c
			case 1, 2:
				cmd = workinggroups.AddMember{Envelope: env, GroupID: pick(groups), OrganisationID: org().String(), ActiveOrganisations: active}
			case 3:
				cmd = workinggroups.RemoveMember{Envelope: env, GroupID: pick(groups), OrganisationID: org().String()}
			case 4, 5:
				g := pick(groups)
				c := workinggroups.ScheduleMeeting{Envelope: env, GroupID: g, Title: "Réunion",
					Kind:     []workinggroups.MeetingKind{workinggroups.KindMeeting, workinggroups.KindJourneeDePartage, workinggroups.KindConferenceDeConsensus}[rng.IntN(3)],
					StartsAt: log.Clock.Add(time.Duration(rng.IntN(8)-1) * time.Minute), Place: "Paris",
					Agenda: []workinggroups.AgendaItemInput{{Title: "Point 1"}, {Title: "Point 2", PresenterOrganisationID: org().String()}}, ActiveOrganisations: active}
				id := workinggroups.MeetingIDFor(c.CommandID).String()
				onAccept = func() { meetings, meetingGroup[id] = append(meetings, id), g }
				cmd = c
			case 6, 7:
				if len(meetings) == 0 {
					continue
				}
				m := pick(meetings)
				present, excused := attendance(meetingGroup[m])
				cmd = workinggroups.RecordAttendance{Envelope: env, GroupID: meetingGroup[m], MeetingID: m, Present: present, Excused: excused}
			case 8:
				if len(meetings) == 0 {
					continue
				}
				m := pick(meetings)
				cmd = workinggroups.PublishMinutes{Envelope: env, GroupID: meetingGroup[m], MeetingID: m, Text: []string{"Compte rendu", "Version corrigée"}[rng.IntN(2)]}
			case 9:
				if rng.IntN(3) == 0 {
					cmd = workinggroups.CloseGroup{Envelope: env, GroupID: pick(groups), Reason: "fin"}
				} else {
					cmd = workinggroups.AddMember{Envelope: env, GroupID: pick(groups), OrganisationID: org().String(), ActiveOrganisations: active}
				}
			}
			before := len(log.Events)
			if _, err := projectiontest.Decide(log, d, actor, cmd); err != nil {
				rejected++
			} else if len(log.Events) > before {
				accepted++
				onAccept()
			}
		}
		for _, e := range log.Events {
			seen[e.Event.Type]++
		}
		if len(log.Events) < 3 {
			continue
		}
		projectiontest.Check(t, Views, log.Events)
	}
	if accepted < rejected {
		t.Fatalf("the generator mostly produces rejections: %d accepted, %d rejected", accepted, rejected)
	}
	for _, typ := range workinggroups.EventTypes() {
		if seen[typ] == 0 {
			t.Errorf("no %s event was generated", typ)
		}
	}
	t.Logf("%d commands accepted, %d rejected; events %v", accepted, rejected, seen)
}
