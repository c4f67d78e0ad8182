package directory

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/membership"
)

// feed applies payloads to fresh views at positions 1, 2, … in the committee stream.
func feed(t *testing.T, views []*projections.View, payloads ...events.Payload) {
	t.Helper()
	f := projectiontest.NewFeeder(t, views...)
	f.Clock = time.Date(2014, 1, 2, 10, 0, 0, 0, time.UTC)
	f.Stream = func(events.Payload) string { return membership.CommitteeStream }
	f.Feed(payloads...)
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestDirectoryFoldsMembership(t *testing.T) {
	views := Views()
	committee, orgs := views[0], views[1]
	amf, dne, rep := uuid.New(), uuid.New(), uuid.New()
	feed(t, views,
		membership.CommitteeCreated{CommitteeID: uuid.MustParse(membership.CommitteeID), Name: "Comité des partenaires"},
		membership.OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF", Kind: "elected_officials_association"},
		membership.OrganisationAdded{OrganisationID: dne, Name: "Ministère — DNE", Acronym: "DNE", Kind: "ministry"},
		membership.SecretariatDesignated{OrganisationID: dne},
		membership.RepresentativeAdded{RepresentativeID: rep, OrganisationID: amf, Name: "Marie Curie", Email: "m@example.org", Role: "member"},
		membership.RepresentativeRoleChanged{RepresentativeID: rep, OrganisationID: amf, Role: "auditor", PreviousRole: "member"},
		membership.OrganisationUpdated{OrganisationID: amf, Name: "AMF", Acronym: "AMF", Kind: "elected_officials_association", Website: "https://www.amf.asso.fr"},
	)
	pos, rows := orgs.Snapshot()
	if pos != 7 || len(rows) != 2 {
		t.Fatalf("position %d, %d rows", pos, len(rows))
	}
	got := asJSON(rows)
	for _, want := range []string{`"acronym":"AMF"`, `"website":"https://www.amf.asso.fr"`, `"role":"auditor"`, `"acronym":"DNE","kind":"ministry","secretariat":true`} {
		if !strings.Contains(got, want) {
			t.Errorf("organisations lack %s: %s", want, got)
		}
	}
	if strings.Contains(got, "m@example.org") {
		t.Error("the directory exposes e-mail addresses")
	}
	if strings.Count(got, "Marie Curie") != 1 {
		t.Errorf("representative folded more than once: %s", got)
	}
	_, c := committee.Snapshot()
	if s := asJSON(c); !strings.Contains(s, `"secretariat":"`+dne.String()) || !strings.Contains(s, `"organisations":2,"revision":6`) {
		t.Errorf("committee %s", s)
	}
	// Removing an organisation tombstones it for live clients that saw it.
	s := projections.NewSubscriber(8, events.Actor{}, "")
	orgs.Subscribe(7, s)
	feed2 := events.Event{ID: uuid.New(), Position: 8}
	if err := orgs.Apply(feed2, membership.RepresentativeRemoved{RepresentativeID: rep, OrganisationID: amf}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.Apply(events.Event{ID: uuid.New(), Position: 9}, membership.OrganisationRemoved{OrganisationID: amf}); err != nil {
		t.Fatal(err)
	}
	p1, p2 := <-s.C(), <-s.C()
	if strings.Contains(asJSON(p1.Rows), "Marie Curie") || !strings.Contains(asJSON(p2.Rows), `"removed":true`) {
		t.Fatalf("patches %s / %s", asJSON(p1.Rows), asJSON(p2.Rows))
	}
	if _, rows = orgs.Snapshot(); len(rows) != 1 {
		t.Fatalf("%d rows after removal", len(rows))
	}
}
