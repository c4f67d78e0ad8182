package opinions_test

import (
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/opinions"
)

func TestDecoding(t *testing.T) {
	id, group := opinionID.String(), groupID.String()
	o := `"opinion_id":"` + id + `"`
	huge := func(n int) string { return strings.Repeat("é", n) }
	themesOneOf := "oneof=gouvernance usages accompagnement referentiels infrastructures filiere"
	decidertest.Decoding(t, opinions.Decider(nil, nil, nil), []decidertest.DecodeCase{
		// create-opinion
		{Command: "create-opinion", Body: `{"kind":"recommendation","title":"Gouvernance partagée du numérique éducatif","group_id":"` + group + `","theme":"gouvernance","text":"Le comité recommande…"}`},
		{Command: "create-opinion", Body: `{"kind":"contribution","title":"Contribution aux États généraux","group_id":"` + group + `"}`},
		{Command: "create-opinion", Body: `{}`, Fields: map[string]string{"kind": "required", "title": "required", "group_id": "required"}},
		{Command: "create-opinion", Body: `{"kind":"motion","title":" ","group_id":"groupe-usages","theme":"culture"}`,
			Fields: map[string]string{"kind": "oneof=contribution opinion recommendation", "title": "notblank", "group_id": "uuid", "theme": themesOneOf}},
		{Command: "create-opinion", Body: `{"kind":"opinion","title":"` + huge(301) + `","group_id":"` + group + `","text":"` + huge(200001) + `"}`,
			Fields: map[string]string{"title": "max=300", "text": "max=200000"}},
		{Command: "create-opinion", Body: `{"kind":"opinion","title":"Avis","group_id":"` + group + `","Group":"open"}`, Fields: map[string]string{"Group": "unknown"}},
		{Command: "create-opinion", Body: `{"kind":"opinion","title":42,"group_id":"` + group + `"}`, Fields: map[string]string{"title": "type"}},

		// push-changes
		{Command: "push-changes", Body: `{` + o + `,"version":0,"client_id":"k3j2h1","changes":[[[0,"Le comité","recommande"]],[19,[0,"."]]]}`},
		{Command: "push-changes", Body: `{` + o + `,"client_id":"k","changes":[]}`, Fields: map[string]string{"version": "required", "changes": "min=1"}},
		{Command: "push-changes", Body: `{` + o + `,"version":-1,"client_id":"","changes":[[1]]}`, Fields: map[string]string{"version": "min=0", "client_id": "required"}},
		{Command: "push-changes", Body: `{` + o + `,"version":"3","client_id":"k","changes":[[1]]}`, Fields: map[string]string{"version": "type"}},
		{Command: "push-changes", Body: `{` + o + `,"version":1.5,"client_id":"k","changes":[[1]]}`, Fields: map[string]string{"version": "type"}},
		{Command: "push-changes", Body: `{` + o + `,"version":0,"client_id":"k","changes":[[0]` + strings.Repeat(`,[0]`, 100) + `]}`, Fields: map[string]string{"changes": "max=100"}},
		{Command: "push-changes", Body: `{` + o + `,"version":0,"client_id":"k","changes":"[[0,\"x\"]]"}`, Fields: map[string]string{"changes": "type"}},
		{Command: "push-changes", Body: `{` + o + `,"version":0,"client_id":"` + huge(101) + `","changes":[[1]],"doc":"x"}`, Fields: map[string]string{"doc": "unknown"}},

		// edit-text
		{Command: "edit-text", Body: `{` + o + `,"base_version":3,"text":"Le comité recommande une gouvernance partagée."}`},
		{Command: "edit-text", Body: `{` + o + `,"base_version":0,"text":""}`},
		{Command: "edit-text", Body: `{` + o + `,"text":"` + huge(200001) + `"}`, Fields: map[string]string{"base_version": "required", "text": "max=200000"}},

		// submit-for-review, open-vote, publish
		{Command: "submit-for-review", Body: `{` + o + `}`},
		{Command: "submit-for-review", Body: `{"opinion_id":"avis-1"}`, Fields: map[string]string{"opinion_id": "uuid"}},
		{Command: "open-vote", Body: `{` + o + `}`},
		{Command: "open-vote", Body: `{}`, Fields: map[string]string{"opinion_id": "required"}},
		{Command: "publish", Body: `{` + o + `}`},
		{Command: "publish", Body: `{"opinion_id":null}`, Fields: map[string]string{"opinion_id": "required"}},

		// propose-amendment
		{Command: "propose-amendment", Body: `{` + o + `,"passage":"concertent","replacement":"organisent ensemble","reason":"Plus explicite"}`},
		{Command: "propose-amendment", Body: `{` + o + `,"passage":"une phrase inutile"}`},
		{Command: "propose-amendment", Body: `{` + o + `,"passage":"  ","replacement":"` + huge(20001) + `","reason":"` + huge(2001) + `"}`,
			Fields: map[string]string{"passage": "notblank", "replacement": "max=20000", "reason": "max=2000"}},

		// accept-amendment, reject-amendment
		{Command: "accept-amendment", Body: `{` + o + `,"amendment_id":"` + am1.String() + `"}`},
		{Command: "accept-amendment", Body: `{` + o + `,"amendment_id":"am1"}`, Fields: map[string]string{"amendment_id": "uuid"}},
		{Command: "reject-amendment", Body: `{` + o + `,"amendment_id":"` + am1.String() + `","reason":"Hors sujet"}`},
		{Command: "reject-amendment", Body: `{` + o + `}`, Fields: map[string]string{"amendment_id": "required"}},

		// record-outcome
		{Command: "record-outcome", Body: `{` + o + `,"outcome":"adopted","consultation_id":"` + consultation.String() + `","text_sha256":"` + sha0 + `"}`},
		{Command: "record-outcome", Body: `{` + o + `,"outcome":"rejected","consultation_id":"` + consultation.String() + `","text_sha256":"` + strings.ToUpper(sha0) + `"}`},
		{Command: "record-outcome", Body: `{` + o + `,"outcome":"postponed","consultation_id":"c","text_sha256":"` + strings.Repeat("z", 64) + `"}`,
			Fields: map[string]string{"outcome": "oneof=adopted rejected", "consultation_id": "uuid", "text_sha256": "hexadecimal"}},
		{Command: "record-outcome", Body: `{` + o + `,"outcome":"adopted","consultation_id":"` + consultation.String() + `","text_sha256":"abc"}`,
			Fields: map[string]string{"text_sha256": "len=64"}},

		// withdraw
		{Command: "withdraw", Body: `{` + o + `,"reason":"Fusionné avec l'avis sur la gouvernance"}`},
		{Command: "withdraw", Body: `{` + o + `}`, Fields: map[string]string{"reason": "required"}},
		{Command: "withdraw", Body: `{` + o + `,"reason":"\t"}`, Fields: map[string]string{"reason": "notblank"}},
	})
}

func TestCatalogue(t *testing.T) {
	reg := events.NewRegistry()
	opinions.Register(reg)
	opinions.Register(reg) // harmless twice
	if got := reg.Types(); len(got) != len(opinions.EventTypes()) {
		t.Fatalf("registered %v, want %v", got, opinions.EventTypes())
	}
	for _, typ := range opinions.EventTypes() {
		if !strings.HasPrefix(typ, "opinions.") || strings.Count(typ, ".") != 2 {
			t.Errorf("event type %q is not opinions.<aggregate>.<past_tense>", typ)
		}
	}
	if len(opinions.Commands()) != 11 {
		t.Errorf("%d commands", len(opinions.Commands()))
	}
}
