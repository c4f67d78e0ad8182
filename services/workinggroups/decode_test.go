package workinggroups_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	wg "github.com/comite-partenaires/comite/services/workinggroups"
)

const themeRule = "oneof=gouvernance usages accompagnement referentiels infrastructures filiere"

func TestCommandDecoding(t *testing.T) {
	amf := membership.OrganisationIDFor("cmd-amf").String()
	cdc := membership.OrganisationIDFor("cmd-cdc").String()
	g := wg.GroupIDFor("cmd-group").String()
	m := wg.MeetingIDFor("cmd-meeting").String()
	ids := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, `"`+membership.OrganisationIDFor(fmt.Sprint(i)).String()+`"`)
		}
		return strings.Join(parts, ",")
	}
	items := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"title":"Point %d"}`, i))
		}
		return strings.Join(parts, ",")
	}
	long := func(n int) string { return strings.Repeat("é", n) }
	meeting := func(fields string) string {
		return `{"group_id":"` + g + `","title":"Conférence de consensus sur les référentiels","kind":"conference_de_consensus",` +
			`"starts_at":"2026-06-18T09:30:00+02:00",` + fields + `}`
	}
	cases := []decidertest.DecodeCase{
		// create-group
		{Command: "create-group", Body: `{"name":"Équipement des écoles primaires","mandate":"Repérer et valoriser les bonnes pratiques d'acquisition et de maintenance des matériels.","theme":"infrastructures","lead_organisation_id":"` + amf + `"}`},
		{Command: "create-group", Body: `{}`, Fields: map[string]string{"name": "required", "mandate": "required", "theme": "required", "lead_organisation_id": "required"}},
		{Command: "create-group", Body: `{"name":" ","mandate":"\t","theme":"sante","lead_organisation_id":"AMF"}`,
			Fields: map[string]string{"name": "notblank", "mandate": "notblank", "theme": themeRule, "lead_organisation_id": "uuid"}},
		{Command: "create-group", Body: `{"name":"` + long(201) + `","mandate":"` + long(5001) + `","theme":"filiere","lead_organisation_id":"` + amf + `"}`,
			Fields: map[string]string{"name": "max=200", "mandate": "max=5000"}},
		{Command: "create-group", Body: `{"name":42,"mandate":"M","theme":"filiere","lead_organisation_id":"` + amf + `"}`, Fields: map[string]string{"name": "type"}},
		{Command: "create-group", Body: `{"name":"N","mandate":"M","theme":"filiere","lead_organisation_id":"` + amf + `","members":["` + cdc + `"]}`,
			Fields: map[string]string{"members": "unknown"}},
		// The committee facts come from Prepare, never from the body.
		{Command: "create-group", Body: `{"name":"N","mandate":"M","theme":"filiere","lead_organisation_id":"` + amf + `","ActiveOrganisations":{"` + amf + `":{}}}`,
			Fields: map[string]string{"ActiveOrganisations": "unknown"}},

		// add-member, remove-member
		{Command: "add-member", Body: `{"group_id":"` + g + `","organisation_id":"` + cdc + `"}`},
		{Command: "add-member", Body: `{"group_id":"groupe-1","organisation_id":""}`, Fields: map[string]string{"group_id": "uuid", "organisation_id": "required"}},
		{Command: "remove-member", Body: `{"group_id":"` + g + `","organisation_id":"` + cdc + `","reason":"Fin de la participation"}`},
		{Command: "remove-member", Body: `{"group_id":"` + g + `","organisation_id":"` + cdc + `","reason":"` + long(1001) + `"}`, Fields: map[string]string{"reason": "max=1000"}},
		{Command: "remove-member", Body: `{"group_id":["` + g + `"],"organisation_id":"` + cdc + `"}`, Fields: map[string]string{"group_id": "type"}},

		// schedule-meeting
		{Command: "schedule-meeting", Body: meeting(`"place":"ENS de Lyon","agenda":[{"title":"Ouverture"},{"title":"Mutualisation des services d'e-éducation","presenter_organisation_id":"` + cdc + `"}]`)},
		{Command: "schedule-meeting", Body: meeting(`"video_url":"https://visio.education.gouv.fr/cc","agenda":[` + items(50) + `]`)},
		{Command: "schedule-meeting", Body: meeting(`"agenda":[{"title":"Ouverture"}]`), Fields: map[string]string{"place": "required_without=video_url"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"  ","video_url":"http://visio.example.fr","agenda":[{"title":"Ouverture"}]`),
			Fields: map[string]string{"place": "notblank", "video_url": "https_url"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"` + long(301) + `","video_url":"https://` + long(2000) + `.fr","agenda":[{"title":"Ouverture"}]`),
			Fields: map[string]string{"place": "max=300", "video_url": "max=2000"}},
		{Command: "schedule-meeting", Body: `{"group_id":"` + g + `","title":"Réunion","kind":"webinaire","place":"Paris","agenda":[]}`,
			Fields: map[string]string{"kind": "oneof=meeting journee_de_partage conference_de_consensus", "starts_at": "required", "agenda": "min=1"}},
		{Command: "schedule-meeting", Body: `{"group_id":"` + g + `","kind":"meeting","starts_at":"2026-06-18T09:30:00Z","place":"Paris"}`,
			Fields: map[string]string{"title": "required", "agenda": "required"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"Paris","agenda":[` + items(51) + `]`), Fields: map[string]string{"agenda": "max=50"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"Paris","agenda":[{"title":" "},{"title":"` + long(301) + `","presenter_organisation_id":"DNE"}]`),
			Fields: map[string]string{"agenda[0].title": "notblank", "agenda[1].title": "max=300", "agenda[1].presenter_organisation_id": "uuid"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"Paris","agenda":{"title":"Ouverture"}`), Fields: map[string]string{"agenda": "type"}},
		{Command: "schedule-meeting", Body: meeting(`"place":"Paris","agenda":[{"title":"Ouverture","duree":30}]`), Fields: map[string]string{"duree": "unknown"}},

		// record-attendance
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":["` + amf + `"],"excused":["` + cdc + `"]}`},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":[` + ids(200) + `]}`},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":[]}`, Fields: map[string]string{"present": "min=1"}},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `"}`, Fields: map[string]string{"present": "required"}},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":["` + amf + `","` + amf + `"],"excused":["AMF"]}`,
			Fields: map[string]string{"present": "unique", "excused[0]": "uuid"}},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":[` + ids(201) + `]}`, Fields: map[string]string{"present": "max=200"}},
		{Command: "record-attendance", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","present":[42]}`, Fields: map[string]string{"present": "type"}},

		// publish-minutes
		{Command: "publish-minutes", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","text":"Compte rendu de la journée de partage du 12 mars."}`},
		{Command: "publish-minutes", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","text":"` + long(50001) + `"}`, Fields: map[string]string{"text": "max=50000"}},
		{Command: "publish-minutes", Body: `{"group_id":"` + g + `","meeting_id":"` + m + `","text":"\n "}`, Fields: map[string]string{"text": "notblank"}},

		// close-group
		{Command: "close-group", Body: `{"group_id":"` + g + `","reason":"Mandat rempli : avis remis au comité"}`},
		{Command: "close-group", Body: `{"group_id":"` + g + `","closed":true}`, Fields: map[string]string{"closed": "unknown"}},
		{Command: "close-group", Body: `{"reason":"` + long(1001) + `"}`, Fields: map[string]string{"group_id": "required", "reason": "max=1000"}},
	}
	decidertest.Decoding(t, wg.Decider(nil, nil), cases)
}

// TestStartsAtMustBeRFC3339 covers what the decoding table cannot express: a starts_at
// that is not an RFC 3339 string is validation_failed (the bus's decoder does not name
// the field for errors of a type's own UnmarshalJSON).
func TestStartsAtMustBeRFC3339(t *testing.T) {
	spec := wg.Commands()[3]
	if spec.Name != wg.CmdScheduleMeeting {
		t.Fatalf("catalogue order changed: %s", spec.Name)
	}
	for _, v := range []string{`"demain"`, `"2026-06-18"`, `42`, `"18/06/2026 09:30"`} {
		body := `{"group_id":"` + wg.GroupIDFor("g").String() + `","title":"Réunion","kind":"meeting","starts_at":` + v +
			`,"place":"Paris","agenda":[{"title":"Ouverture"}]}`
		if _, err := bus.NewDecoder().Decode(spec, []byte(body)); !errors.Is(err, errcode.ValidationFailed) {
			t.Errorf("starts_at %s: %v, want validation_failed", v, err)
		}
	}
}

func TestCatalogue(t *testing.T) {
	reg := events.NewRegistry()
	wg.Register(reg)
	wg.Register(reg) // harmless twice
	got := reg.Types()
	if len(got) != len(wg.EventTypes()) {
		t.Fatalf("registered %v", got)
	}
	for _, typ := range wg.EventTypes() {
		cat, _, _ := strings.Cut(typ, ".")
		if _, ok := reg.Schema(typ); !ok || cat != wg.Context {
			t.Errorf("event type %s", typ)
		}
	}
	if _, err := wg.New(bus.ServiceConfig{}); err == nil {
		t.Fatal("a service without registry or store")
	}
	if _, err := wg.New(bus.ServiceConfig{Registry: events.NewRegistry()}); err == nil {
		t.Fatal("a service without store")
	}
}
