package membership

import (
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
)

// env is the envelope of a command with the given ID.
func env(commandID string) bus.Envelope { return bus.Envelope{CommandID: commandID} }

func ptr[T any](v T) *T { return &v }

var (
	committeeID = uuid.MustParse(CommitteeID)
	amf         = OrganisationIDFor("cmd-amf")
	adf         = OrganisationIDFor("cmd-adf")
	dne         = OrganisationIDFor("cmd-dne")
	alice       = RepresentativeIDFor("cmd-alice")
	bob         = RepresentativeIDFor("cmd-bob")
	carol       = RepresentativeIDFor("cmd-carol")
)

var (
	created    = CommitteeCreated{CommitteeID: committeeID, Name: "Comité des partenaires du numérique pour l'éducation", Acronym: "CPNE"}
	amfAdded   = OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF", Kind: KindElectedOfficials}
	adfAdded   = OrganisationAdded{OrganisationID: adf, Name: "Assemblée des Départements de France", Acronym: "ADF", Kind: KindElectedOfficials}
	dneAdded   = OrganisationAdded{OrganisationID: dne, Name: "Direction du numérique pour l'éducation", Acronym: "DNE", Kind: KindMinistry}
	aliceAdded = RepresentativeAdded{RepresentativeID: alice, OrganisationID: amf, Name: "Alice Martin", Email: "alice@amf.asso.fr", Role: RoleMember}
	bobAdded   = RepresentativeAdded{RepresentativeID: bob, OrganisationID: amf, Name: "Bob Durand", Email: "bob@amf.asso.fr", Role: RoleObserver}
	carolAdded = RepresentativeAdded{RepresentativeID: carol, OrganisationID: dne, Name: "Carol Petit", Email: "carol@education.gouv.fr", Role: RoleSecretariat}
	amfRemoved = OrganisationRemoved{OrganisationID: amf}
	dneSecr    = SecretariatDesignated{OrganisationID: dne}
)

type decideCase struct {
	name     string
	given    []events.Payload
	command  any
	want     []events.Payload
	wantCode string
}

func decideCases() []decideCase {
	base := []events.Payload{created, amfAdded, dneAdded}
	withReps := append(append([]events.Payload{}, base...), aliceAdded, bobAdded, carolAdded)
	given := func(evs ...events.Payload) []events.Payload {
		return append(append([]events.Payload{}, base...), evs...)
	}
	return []decideCase{
		// create-committee
		{name: "create committee", command: CreateCommittee{Envelope: env("c"), Name: "  Comité des partenaires du numérique   pour l'éducation ", Acronym: "CPNE"},
			want: []events.Payload{created}},
		{name: "create committee twice", given: []events.Payload{created}, command: CreateCommittee{Name: "Autre"}, wantCode: "committee_exists"},

		// add-organisation
		{name: "add organisation, kind defaults to other", given: []events.Payload{created},
			command: AddOrganisation{Envelope: env("cmd-amf"), Name: "Association des Maires de France", Acronym: "AMF"},
			want:    []events.Payload{OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF", Kind: KindOther}}},
		{name: "add organisation with kind and website", given: []events.Payload{created, amfAdded},
			command: AddOrganisation{Envelope: env("cmd-adf"), Name: "Assemblée des Départements de France", Acronym: "ADF", Kind: KindElectedOfficials, Website: "https://departements.fr"},
			want:    []events.Payload{OrganisationAdded{OrganisationID: adf, Name: "Assemblée des Départements de France", Acronym: "ADF", Kind: KindElectedOfficials, Website: "https://departements.fr"}}},
		{name: "add organisation before the committee", command: AddOrganisation{Envelope: env("cmd-amf"), Name: "AMF", Acronym: "AMF"}, wantCode: "committee_not_found"},
		{name: "add organisation, acronym taken (any case)", given: base, command: AddOrganisation{Envelope: env("x"), Name: "Autre", Acronym: "amf"}, wantCode: "organisation_exists"},
		{name: "add organisation, name taken (any case, spacing)", given: base, command: AddOrganisation{Envelope: env("x"), Name: "association des  maires de france", Acronym: "AMF2"}, wantCode: "organisation_exists"},
		{name: "add organisation again after its removal", given: given(amfRemoved),
			command: AddOrganisation{Envelope: env("cmd-amf-2"), Name: "Association des Maires de France", Acronym: "AMF", Kind: KindElectedOfficials},
			want:    []events.Payload{OrganisationAdded{OrganisationID: OrganisationIDFor("cmd-amf-2"), Name: "Association des Maires de France", Acronym: "AMF", Kind: KindElectedOfficials}}},

		// update-organisation
		{name: "update organisation name and website", given: base,
			command: UpdateOrganisation{OrganisationID: amf.String(), Name: ptr("AMF — Maires de France"), Website: ptr("https://www.amf.asso.fr")},
			want:    []events.Payload{OrganisationUpdated{OrganisationID: amf, Name: "AMF — Maires de France", Acronym: "AMF", Kind: KindElectedOfficials, Website: "https://www.amf.asso.fr"}}},
		{name: "update organisation, clear website", given: given(OrganisationUpdated{OrganisationID: amf, Name: amfAdded.Name, Acronym: "AMF", Kind: KindElectedOfficials, Website: "https://x.fr"}),
			command: UpdateOrganisation{OrganisationID: amf.String(), Website: ptr("")},
			want:    []events.Payload{OrganisationUpdated{OrganisationID: amf, Name: amfAdded.Name, Acronym: "AMF", Kind: KindElectedOfficials}}},
		{name: "update organisation with the same values is a no-op", given: base,
			command: UpdateOrganisation{OrganisationID: amf.String(), Acronym: ptr("AMF"), Kind: ptr(KindElectedOfficials)}},
		{name: "update organisation, acronym of another", given: base, command: UpdateOrganisation{OrganisationID: amf.String(), Acronym: ptr("dne")}, wantCode: "organisation_exists"},
		{name: "update unknown organisation", given: base, command: UpdateOrganisation{OrganisationID: adf.String(), Name: ptr("X")}, wantCode: "organisation_not_found"},
		{name: "update organisation with a malformed ID", given: base, command: UpdateOrganisation{OrganisationID: "nope", Name: ptr("X")}, wantCode: "organisation_not_found"},
		{name: "update removed organisation", given: given(amfRemoved), command: UpdateOrganisation{OrganisationID: amf.String(), Name: ptr("X")}, wantCode: "organisation_removed"},

		// remove-organisation
		{name: "remove organisation and its representatives, in ID order", given: withReps,
			command: RemoveOrganisation{OrganisationID: amf.String(), Reason: " a quitté le comité "},
			want:    append([]events.Payload{OrganisationRemoved{OrganisationID: amf, Reason: "a quitté le comité"}}, sortedRemovals(amf, alice, bob)...)},
		{name: "remove unknown organisation", given: base, command: RemoveOrganisation{OrganisationID: adf.String()}, wantCode: "organisation_not_found"},
		{name: "remove organisation twice", given: given(amfRemoved), command: RemoveOrganisation{OrganisationID: amf.String()}, wantCode: "organisation_removed"},
		{name: "remove the secretariat", given: given(dneSecr), command: RemoveOrganisation{OrganisationID: dne.String()}, wantCode: "organisation_is_secretariat"},

		// add-representative
		{name: "add representative", given: base,
			command: AddRepresentative{Envelope: env("cmd-alice"), OrganisationID: amf.String(), Name: "Alice  Martin", Email: " alice@amf.asso.fr", Role: RoleMember},
			want:    []events.Payload{aliceAdded}},
		{name: "add representative, e-mail taken (any case)", given: withReps,
			command: AddRepresentative{Envelope: env("x"), OrganisationID: dne.String(), Name: "A. Martin", Email: "Alice@AMF.asso.fr", Role: RoleObserver}, wantCode: "representative_exists"},
		{name: "add representative, e-mail of a removed one", given: given(aliceAdded, RepresentativeRemoved{RepresentativeID: alice, OrganisationID: amf}),
			command: AddRepresentative{Envelope: env("cmd-alice-2"), OrganisationID: amf.String(), Name: "Alice Martin", Email: "alice@amf.asso.fr", Role: RoleAuditor},
			want:    []events.Payload{RepresentativeAdded{RepresentativeID: RepresentativeIDFor("cmd-alice-2"), OrganisationID: amf, Name: "Alice Martin", Email: "alice@amf.asso.fr", Role: RoleAuditor}}},
		{name: "add representative to unknown organisation", given: base, command: AddRepresentative{OrganisationID: adf.String(), Name: "X", Email: "x@y.fr", Role: RoleMember}, wantCode: "organisation_not_found"},
		{name: "add representative to removed organisation", given: given(amfRemoved), command: AddRepresentative{OrganisationID: amf.String(), Name: "X", Email: "x@y.fr", Role: RoleMember}, wantCode: "organisation_removed"},

		// change-role
		{name: "change role", given: withReps, command: ChangeRole{RepresentativeID: bob.String(), Role: RoleAuditor},
			want: []events.Payload{RepresentativeRoleChanged{RepresentativeID: bob, OrganisationID: amf, Role: RoleAuditor, PreviousRole: RoleObserver}}},
		{name: "change role to the same role is a no-op", given: withReps, command: ChangeRole{RepresentativeID: bob.String(), Role: RoleObserver}},
		{name: "change role of unknown representative", given: withReps, command: ChangeRole{RepresentativeID: amf.String(), Role: RoleMember}, wantCode: "representative_not_found"},
		{name: "change role of removed representative", given: append(withReps, RepresentativeRemoved{RepresentativeID: bob, OrganisationID: amf}),
			command: ChangeRole{RepresentativeID: bob.String(), Role: RoleMember}, wantCode: "representative_removed"},

		// remove-representative
		{name: "remove representative", given: withReps, command: RemoveRepresentative{RepresentativeID: carol.String(), Reason: "mutation"},
			want: []events.Payload{RepresentativeRemoved{RepresentativeID: carol, OrganisationID: dne, Reason: "mutation"}}},
		{name: "remove unknown representative", given: base, command: RemoveRepresentative{RepresentativeID: "bad"}, wantCode: "representative_not_found"},
		{name: "remove representative of a removed organisation", given: append(withReps, append([]events.Payload{amfRemoved}, sortedRemovals(amf, alice, bob)...)...),
			command: RemoveRepresentative{RepresentativeID: alice.String()}, wantCode: "representative_removed"},

		// designate-secretariat
		{name: "designate secretariat", given: base, command: DesignateSecretariat{OrganisationID: dne.String()}, want: []events.Payload{dneSecr}},
		{name: "designate another secretariat", given: given(adfAdded, dneSecr), command: DesignateSecretariat{OrganisationID: adf.String()},
			want: []events.Payload{SecretariatDesignated{OrganisationID: adf, PreviousOrganisationID: ptr(dne)}}},
		{name: "designate the current secretariat is a no-op", given: given(dneSecr), command: DesignateSecretariat{OrganisationID: dne.String()}},
		{name: "designate unknown organisation", given: base, command: DesignateSecretariat{OrganisationID: adf.String()}, wantCode: "organisation_not_found"},
		{name: "designate removed organisation", given: given(amfRemoved), command: DesignateSecretariat{OrganisationID: amf.String()}, wantCode: "organisation_removed"},
		{name: "designate before the committee", command: DesignateSecretariat{OrganisationID: dne.String()}, wantCode: "committee_not_found"},
	}
}

// sortedRemovals is the cascade of representative removals remove-organisation emits.
func sortedRemovals(org uuid.UUID, reps ...uuid.UUID) []events.Payload {
	if reps[0].String() > reps[1].String() {
		reps[0], reps[1] = reps[1], reps[0]
	}
	var out []events.Payload
	for _, r := range reps {
		out = append(out, RepresentativeRemoved{RepresentativeID: r, OrganisationID: org, Reason: "organisation removed"})
	}
	return out
}

func TestDecide(t *testing.T) {
	var cases []decidertest.Case
	for _, tc := range decideCases() {
		cases = append(cases, decidertest.Case{Name: tc.name, Given: tc.given, Command: tc.command, Want: tc.want, WantCode: tc.wantCode})
	}
	decidertest.Run(t, Decider(), Rejections(), cases)
}

// TestCommandsApplyOnce: every membership command decided again after its own events
// changes nothing more (retries and duplicates are harmless even past the reply store).
func TestCommandsApplyOnce(t *testing.T) {
	for _, tc := range decideCases() {
		if tc.wantCode != "" {
			continue
		}
		after := Fold(tc.given...)
		for _, e := range tc.want {
			after = Evolve(after, e)
		}
		if again, err := Decide(after, tc.command); err == nil && len(again) > 0 {
			t.Errorf("%s: command applies twice: %#v", tc.name, again)
		}
	}
}

func TestEvolveIsPure(t *testing.T) {
	before := Fold(created, amfAdded, aliceAdded)
	orgs, reps := before.Organisations, before.Representatives
	_ = Evolve(before, OrganisationUpdated{OrganisationID: amf, Name: "X", Acronym: "X", Kind: KindOther})
	_ = Evolve(before, RepresentativeRemoved{RepresentativeID: alice, OrganisationID: amf})
	_ = Evolve(before, dneAdded)
	if orgs[amf].Name != amfAdded.Name || reps[alice].Removed || len(orgs) != 1 {
		t.Fatal("Evolve modified its input state")
	}
}

func TestDerivedIDs(t *testing.T) {
	if OrganisationIDFor("a") != OrganisationIDFor("a") || OrganisationIDFor("a") == OrganisationIDFor("b") ||
		OrganisationIDFor("a") == RepresentativeIDFor("a") {
		t.Fatal("derived IDs are not deterministic and distinct")
	}
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:membership:committee")).String(); CommitteeID != want {
		t.Fatalf("CommitteeID = %s, want %s", CommitteeID, want)
	}
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:membership:ids")); idNamespace != want {
		t.Fatalf("idNamespace = %s, want %s", idNamespace, want)
	}
	if err := events.ValidStream(CommitteeStream); err != nil {
		t.Fatal(err)
	}
}
