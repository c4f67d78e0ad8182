package workinggroups

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/membership"
)

// appendTo writes payloads to a stream of st as one command would.
func appendTo(t *testing.T, st store.Store, reg *events.Registry, stream, commandID string, ps ...events.Payload) {
	t.Helper()
	var evs []events.Event
	for i, p := range ps {
		ev, err := reg.New(p, stream, events.DeriveID(commandID, i), now, events.Meta{CommandID: commandID})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if _, err := st.Append(context.Background(), stream, store.Any, evs...); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareReadsTheCommittee checks the facts Prepare hands to Decide: the named
// organisations that are current members of the committee, and nothing for commands
// that name none.
func TestPrepareReadsTheCommittee(t *testing.T) {
	ctx := context.Background()
	st, reg := bustest.NewFakeStore(), events.NewRegistry()
	membership.Register(reg)
	appendTo(t, st, reg, membership.CommitteeStream, "m1",
		membership.CommitteeCreated{CommitteeID: uuid.MustParse(membership.CommitteeID), Name: "Comité des partenaires du numérique pour l'éducation"},
		membership.OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF", Kind: membership.KindElectedOfficials},
		membership.OrganisationAdded{OrganisationID: cdc, Name: "Caisse des Dépôts", Acronym: "CDC", Kind: membership.KindPublicOperator},
		membership.OrganisationAdded{OrganisationID: villes, Name: "Villes Internet", Acronym: "VI", Kind: membership.KindOther},
		membership.OrganisationRemoved{OrganisationID: villes, Reason: "test"})
	d := Decider(st, reg)
	if d.Prepare == nil || Decider(nil, nil).Prepare != nil {
		t.Fatal("Prepare is set exactly when there is a store")
	}
	cases := []struct {
		cmd  any
		want any
	}{
		{CreateGroup{LeadOrganisationID: amf.String()}, CreateGroup{LeadOrganisationID: amf.String(), ActiveOrganisations: active(amf)}},
		{CreateGroup{LeadOrganisationID: villes.String()}, CreateGroup{LeadOrganisationID: villes.String(), ActiveOrganisations: active()}},
		{AddMember{OrganisationID: adf.String()}, AddMember{OrganisationID: adf.String(), ActiveOrganisations: active()}},
		{AddMember{OrganisationID: cdc.String(), ActiveOrganisations: active(adf)}, AddMember{OrganisationID: cdc.String(), ActiveOrganisations: active(cdc)}},
		{ScheduleMeeting{Agenda: []AgendaItemInput{{Title: "A", PresenterOrganisationID: cdc.String()}, {Title: "B"},
			{Title: "C", PresenterOrganisationID: villes.String()}}},
			ScheduleMeeting{Agenda: []AgendaItemInput{{Title: "A", PresenterOrganisationID: cdc.String()}, {Title: "B"},
				{Title: "C", PresenterOrganisationID: villes.String()}}, ActiveOrganisations: active(cdc)}},
		{ScheduleMeeting{Agenda: []AgendaItemInput{{Title: "A"}}}, ScheduleMeeting{Agenda: []AgendaItemInput{{Title: "A"}}}},
		{RemoveMember{OrganisationID: villes.String()}, RemoveMember{OrganisationID: villes.String()}},
	}
	for i, tc := range cases {
		got, err := d.Prepare(ctx, tc.cmd)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("case %d: prepared %#v\nwant %#v", i, got, tc.want)
		}
	}
}

func TestLoadGroup(t *testing.T) {
	ctx := context.Background()
	st, reg := bustest.NewFakeStore(), events.NewRegistry()
	Register(reg)
	if _, ok, err := LoadGroup(ctx, st, reg, group); ok || err != nil {
		t.Fatalf("empty stream: exists %v, err %v", ok, err)
	}
	appendTo(t, st, reg, GroupStream(group), "g1", created, adfAdded, scheduled)
	appendTo(t, st, reg, GroupStream(group), "g2", closed)
	g, ok, err := LoadGroup(ctx, st, events.NewRegistry(), group) // LoadGroup registers what it reads
	if err != nil || !ok {
		t.Fatalf("exists %v, err %v", ok, err)
	}
	if want := Fold(created, adfAdded, scheduled, closed); !reflect.DeepEqual(g, want) {
		t.Fatalf("group %+v\nwant %+v", g, want)
	}
	if !g.Closed || !g.IsMember(adf) || g.Meetings[meeting].Kind != KindJourneeDePartage {
		t.Fatalf("group %+v", g)
	}
}
