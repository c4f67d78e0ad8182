package actionsheets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/comite-partenaires/comite/services/bus/decidertest"
)

func TestDecoding(t *testing.T) {
	id := SheetIDFor("x").String()
	org := amf.String()
	levels := "oneof=commune intercommunalite departement region etat"
	themeRule := "oneof=gouvernance usages accompagnement referentiels infrastructures filiere"
	quoted := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	decidertest.Decoding(t, Decider(nil, nil), []decidertest.DecodeCase{
		// create-sheet
		{Command: CmdCreateSheet, Body: `{"title":"Équiper les écoles élémentaires d'un ENT","description":"Un ENT par école.",
			"level":"commune","theme":"usages","organisation_id":"` + org + `","due_date":"2026-09-01","opinion_id":"` + id + `"}`},
		{Command: CmdCreateSheet, Body: `{"title":"Plan collèges","level":"departement","theme":"infrastructures","organisation_id":"` + org + `","due_date":"2027-06-30"}`},
		{Command: CmdCreateSheet, Body: `{}`, Fields: map[string]string{"title": "required", "level": "required", "theme": "required",
			"organisation_id": "required", "due_date": "required"}},
		{Command: CmdCreateSheet, Body: `{"title":"  ","level":"canton","theme":"sport","organisation_id":"AMF","due_date":"01/09/2026","opinion_id":"avis-12"}`,
			Fields: map[string]string{"title": "notblank", "level": levels, "theme": themeRule, "organisation_id": "uuid",
				"due_date": "datetime=2006-01-02", "opinion_id": "uuid"}},
		{Command: CmdCreateSheet, Body: `{"title":` + quoted(strings.Repeat("é", 301)) + `,"description":` + quoted(strings.Repeat("x", 10001)) +
			`,"level":"region","theme":"filiere","organisation_id":"` + org + `","due_date":"2026-02-30"}`,
			Fields: map[string]string{"title": "max=300", "description": "max=10000", "due_date": "datetime=2006-01-02"}},
		{Command: CmdCreateSheet, Body: `{"title":42}`, Fields: map[string]string{"title": "type"}},
		{Command: CmdCreateSheet, Body: `{"title":"A","level":"commune","theme":"usages","organisation_id":"` + org + `","due_date":"2026-09-01","owner":"AMF"}`,
			Fields: map[string]string{"owner": "unknown"}},
		{Command: CmdCreateSheet, Body: `{"title":"A","level":"Commune","theme":"Usages","organisation_id":"` + org + `","due_date":"2026-09-01"}`,
			Fields: map[string]string{"level": levels, "theme": themeRule}},

		// start-sheet
		{Command: CmdStartSheet, Body: `{"sheet_id":"` + id + `"}`},
		{Command: CmdStartSheet, Body: `{"sheet_id":"fiche-1"}`, Fields: map[string]string{"sheet_id": "uuid"}},
		{Command: CmdStartSheet, Body: `{"sheet_id":["` + id + `"]}`, Fields: map[string]string{"sheet_id": "type"}},

		// record-progress
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":0,"comment":"Marché lancé"}`},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":100,"comment":"Terminé","as_of":"2026-02-28"}`},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `"}`, Fields: map[string]string{"percent": "required", "comment": "required"}},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":101,"comment":" ","as_of":"2026-13-01"}`,
			Fields: map[string]string{"percent": "max=100", "comment": "notblank", "as_of": "datetime=2006-01-02"}},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":-1,"comment":"x"}`, Fields: map[string]string{"percent": "min=0"}},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":"50","comment":"x"}`, Fields: map[string]string{"percent": "type"}},
		{Command: CmdRecordProgress, Body: `{"sheet_id":"` + id + `","percent":50.5,"comment":"x"}`, Fields: map[string]string{"percent": "type"}},

		// complete-sheet
		{Command: CmdCompleteSheet, Body: `{"sheet_id":"` + id + `"}`},
		{Command: CmdCompleteSheet, Body: `{"sheet_id":"` + id + `","comment":` + quoted(strings.Repeat("a", 5001)) + `}`,
			Fields: map[string]string{"comment": "max=5000"}},

		// abandon-sheet
		{Command: CmdAbandonSheet, Body: `{"sheet_id":"` + id + `","reason":"Financement retiré"}`},
		{Command: CmdAbandonSheet, Body: `{"sheet_id":"` + id + `"}`, Fields: map[string]string{"reason": "required"}},

		// reschedule-sheet
		{Command: CmdRescheduleSheet, Body: `{"sheet_id":"` + id + `","due_date":"2027-12-31","reason":"Marché infructueux"}`},
		{Command: CmdRescheduleSheet, Body: `{"sheet_id":"` + id + `"}`, Fields: map[string]string{"due_date": "required", "reason": "required"}},

		// import-sheets
		{Command: CmdImportSheets, Body: `{"csv":` + quoted(importFile) + `}`},
		{Command: CmdImportSheets, Body: `{"csv":` + quoted(importFile) + `,"dry_run":true}`},
		{Command: CmdImportSheets, Body: `{}`, Fields: map[string]string{"csv": "required"}},
		{Command: CmdImportSheets, Body: `{"csv":"titre","dry_run":"oui"}`, Fields: map[string]string{"dry_run": "type"}},
		{Command: CmdImportSheets, Body: `{"csv":` + quoted(strings.Repeat("a;", MaxCSVLength/2)+"b") + `}`, Fields: map[string]string{"csv": "max=1048576"}},
		{Command: CmdImportSheets, Body: `{"file":"x.csv","csv":"titre"}`, Fields: map[string]string{"file": "unknown"}},
	})
}
