package actionsheets

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/decidertest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
)

// now is the clock of the table: Thursday 5 March 2026, 09:00 UTC.
var now = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)

func env(commandID string) bus.Envelope {
	return bus.Envelope{CommandID: commandID, Time: now,
		Actor: events.Actor{User: "secretariat@education.gouv.fr", Organisation: dne.String(), Role: "secretariat"}}
}

// by is the envelope of a command sent by a.
func by(a events.Actor, commandID string) bus.Envelope {
	e := env(commandID)
	e.Actor = a
	return e
}

// memberOf is a person acting for the organisation org.
func memberOf(org uuid.UUID, user string) events.Actor {
	return events.Actor{User: user + "@demo.invalid", Organisation: org.String(), Role: "member"}
}

// Actors of the table besides the secretariat (env).
var (
	amfMember = memberOf(amf, "amf")
	adfMember = memberOf(adf, "adf")
	arfMember = memberOf(arf, "arf")
	auditor   = events.Actor{User: "auditeur@ccomptes.fr", Role: "auditor"}
	observer  = events.Actor{User: "observateur@demo.invalid", Role: "observer"}
	process   = events.Actor{User: "process:deadlines", Role: "system"}
)

func at(commandID string, t time.Time) bus.Envelope {
	e := env(commandID)
	e.Time = t
	return e
}

func ptr[T any](v T) *T { return &v }

var (
	amf  = membership.OrganisationIDFor("cmd-amf")
	adf  = membership.OrganisationIDFor("cmd-adf")
	arf  = membership.OrganisationIDFor("cmd-arf")
	dne  = membership.OrganisationIDFor("cmd-dne")
	amrf = membership.OrganisationIDFor("cmd-amrf") // removed from the committee
	orgs = Organisations{amf: "AMF", adf: "ADF", arf: "ARF", dne: "DNE"}

	opinion = uuid.MustParse("6f1c2d3e-5a4b-4c3d-8e2f-1a0b9c8d7e6f")

	ecoles   = SheetIDFor("s-ecoles")
	colleges = SheetIDFor("s-colleges")
	lycees   = SheetIDFor("s-lycees")
)

var (
	ecolesCreated = SheetCreated{SheetID: ecoles, Title: "Équiper les écoles élémentaires d'un ENT",
		Description: "Un espace numérique de travail pour chaque école, mutualisé à l'échelle intercommunale.",
		Level:       LevelCommune, Theme: "usages", OrganisationID: amf, DueDate: "2026-09-01", OpinionID: &opinion}
	collegesCreated = SheetCreated{SheetID: colleges, Title: "Plan d'équipement des collèges", Level: LevelDepartement,
		Theme: "infrastructures", OrganisationID: adf, DueDate: "2027-06-30"}
	lyceesCreated = SheetCreated{SheetID: lycees, Title: "Maintenance informatique des lycées", Level: LevelRegion,
		Theme: "infrastructures", OrganisationID: arf, DueDate: "2026-12-31"}
	ecolesStarted = SheetStarted{SheetID: ecoles}
	ecolesDone    = SheetCompleted{SheetID: ecoles, Comment: "Toutes les écoles sont équipées."}
	lyceesDropped = SheetAbandoned{SheetID: lycees, Reason: "Reprise par le plan régional", PreviousStatus: StatusPlanned}
)

// board is the usual history: three sheets, the école one started.
func board(more ...events.Payload) []events.Payload {
	return append([]events.Payload{ecolesCreated, collegesCreated, lyceesCreated, ecolesStarted}, more...)
}

// importFile is a French spreadsheet export of three sheets at three levels.
const importFile = "\uFEFFTitre;Description;Niveau;Thème;Organisation;Échéance;Avis\r\n" +
	"Former les agents communaux au numérique éducatif;Sessions avec le réseau Canopé;Commune;Accompagnement des acteurs et de la communauté éducative;amf;30/06/2026;\r\n" +
	"Schéma départemental des usages numériques;;Département;usages;ADF;2026-10-15;6f1c2d3e-5a4b-4c3d-8e2f-1a0b9c8d7e6f\r\n" +
	"Référentiel régional des équipements;;Région;Référentiels nationaux;" + "ARF" + ";01/09/2026;\r\n"

func imported(line int, ev SheetCreated) SheetCreated {
	ev.SheetID, ev.ImportCommandID, ev.ImportLine = ImportedSheetIDFor("imp-1", line), "imp-1", line
	return ev
}

var importedEvents = []events.Payload{
	imported(2, SheetCreated{Title: "Former les agents communaux au numérique éducatif", Description: "Sessions avec le réseau Canopé",
		Level: LevelCommune, Theme: "accompagnement", OrganisationID: amf, DueDate: "2026-06-30"}),
	imported(3, SheetCreated{Title: "Schéma départemental des usages numériques", Level: LevelDepartement, Theme: "usages",
		OrganisationID: adf, DueDate: "2026-10-15", OpinionID: &opinion}),
	imported(4, SheetCreated{Title: "Référentiel régional des équipements", Level: LevelRegion, Theme: "referentiels",
		OrganisationID: arf, DueDate: "2026-09-01"}),
}

func decideCases() []decidertest.Case {
	create := func(id, title string, level Level, owner uuid.UUID, due string) CreateSheet {
		return CreateSheet{Envelope: env(id), Title: title, Level: level, Theme: "usages", OrganisationID: owner.String(),
			DueDate: due, Organisations: orgs}
	}
	createBy := func(a events.Actor, owner uuid.UUID) CreateSheet {
		c := create("s-10", "Tiers-lieux éducatifs", LevelCommune, owner, "2026-09-01")
		c.Actor = a
		return c
	}
	return []decidertest.Case{
		// create-sheet
		{Name: "create a commune sheet linked to its opinion, a member for its organisation", Command: CreateSheet{Envelope: by(amfMember, "s-ecoles"),
			Title: "  Équiper les écoles   élémentaires d'un ENT ", Description: " " + ecolesCreated.Description + "\n",
			Level: LevelCommune, Theme: "usages", OrganisationID: amf.String(), DueDate: "2026-09-01",
			OpinionID: opinion.String(), Organisations: orgs},
			Want: []events.Payload{ecolesCreated}},
		{Name: "the same title at another level is another sheet", Given: board(),
			Command: create("s-2", "équiper les écoles élémentaires d'un ENT", LevelDepartement, adf, "2026-09-01"),
			Want: []events.Payload{SheetCreated{SheetID: SheetIDFor("s-2"), Title: "équiper les écoles élémentaires d'un ENT",
				Level: LevelDepartement, Theme: "usages", OrganisationID: adf, DueDate: "2026-09-01"}}},
		{Name: "the title of an abandoned sheet is free again", Given: board(lyceesDropped),
			Command: create("s-3", "Maintenance informatique des lycées", LevelRegion, arf, "2026-12-31"),
			Want: []events.Payload{SheetCreated{SheetID: SheetIDFor("s-3"), Title: "Maintenance informatique des lycées",
				Level: LevelRegion, Theme: "usages", OrganisationID: arf, DueDate: "2026-12-31"}}},
		{Name: "a due date of yesterday in UTC is still today at UTC-12",
			Command: create("s-4", "Charte de la donnée scolaire", LevelEtat, dne, "2026-03-04"),
			Want: []events.Payload{SheetCreated{SheetID: SheetIDFor("s-4"), Title: "Charte de la donnée scolaire",
				Level: LevelEtat, Theme: "usages", OrganisationID: dne, DueDate: "2026-03-04"}}},
		{Name: "create with a title an open sheet has at this level", Given: board(ecolesDone),
			Command: create("s-5", "ÉQUIPER LES ÉCOLES ÉLÉMENTAIRES D'UN ENT", LevelCommune, amf, "2026-09-01"), WantCode: "sheet_exists"},
		{Name: "create with a command ID already used for a sheet", Given: board(),
			Command: create("s-ecoles", "Autre titre", LevelCommune, amf, "2026-09-01"), WantCode: "sheet_exists"},
		{Name: "create for an organisation outside the committee",
			Command: create("s-6", "Tiers-lieux", LevelCommune, uuid.New(), "2026-09-01"), WantCode: "organisation_not_found"},
		{Name: "create for a removed organisation",
			Command: create("s-7", "Tiers-lieux", LevelCommune, amrf, "2026-09-01"), WantCode: "organisation_not_found"},
		{Name: "create before the committee has organisations",
			Command: CreateSheet{Envelope: env("s-8"), Title: "Tiers-lieux", Level: LevelCommune, Theme: "usages",
				OrganisationID: amf.String(), DueDate: "2026-09-01"}, WantCode: "organisation_not_found"},
		{Name: "create due the day before yesterday",
			Command: create("s-9", "Tiers-lieux", LevelCommune, amf, "2026-03-03"), WantCode: "date_in_past"},

		// start-sheet
		{Name: "start a planned sheet, a member of the owner", Given: board(), Command: StartSheet{Envelope: by(adfMember, "st-1"), SheetID: colleges.String()},
			Want: []events.Payload{SheetStarted{SheetID: colleges}}},
		{Name: "start a sheet in progress", Given: board(), Command: StartSheet{Envelope: env("st-2"), SheetID: ecoles.String()},
			WantCode: "sheet_not_planned"},
		{Name: "start an unknown sheet", Given: board(), Command: StartSheet{Envelope: env("st-3"), SheetID: SheetIDFor("x").String()},
			WantCode: "sheet_not_found"},
		{Name: "start a sheet with a malformed ID", Given: board(), Command: StartSheet{Envelope: env("st-4"), SheetID: "fiche-1"},
			WantCode: "sheet_not_found"},
		{Name: "start an abandoned sheet", Given: board(lyceesDropped), Command: StartSheet{Envelope: env("st-5"), SheetID: lycees.String()},
			WantCode: "sheet_closed"},

		// record-progress
		{Name: "record progress as of a past date", Given: board(),
			Command: RecordProgress{Envelope: by(amfMember, "p-1"), SheetID: ecoles.String(), Percent: ptr(40), Comment: " 12 écoles sur 30 équipées ", AsOf: "2026-02-28"},
			Want:    []events.Payload{ProgressRecorded{SheetID: ecoles, Percent: 40, Comment: "12 écoles sur 30 équipées", AsOf: "2026-02-28"}}},
		{Name: "record progress as of today by default, 0% allowed", Given: board(),
			Command: RecordProgress{Envelope: env("p-2"), SheetID: ecoles.String(), Percent: ptr(0), Comment: "Marché relancé"},
			Want:    []events.Payload{ProgressRecorded{SheetID: ecoles, Percent: 0, Comment: "Marché relancé", AsOf: "2026-03-05"}}},
		{Name: "record progress as of tomorrow once tomorrow has begun at UTC+14", Given: board(),
			Command: RecordProgress{Envelope: at("p-3", now.Add(2*time.Hour)), SheetID: ecoles.String(), Percent: ptr(50), Comment: "Nouméa", AsOf: "2026-03-06"},
			Want:    []events.Payload{ProgressRecorded{SheetID: ecoles, Percent: 50, Comment: "Nouméa", AsOf: "2026-03-06"}}},
		{Name: "record progress as of tomorrow", Given: board(),
			Command:  RecordProgress{Envelope: env("p-4"), SheetID: ecoles.String(), Percent: ptr(50), Comment: "Trop tôt", AsOf: "2026-03-06"},
			WantCode: "progress_date_in_future"},
		{Name: "record progress on a planned sheet", Given: board(),
			Command:  RecordProgress{Envelope: env("p-5"), SheetID: colleges.String(), Percent: ptr(10), Comment: "Étude lancée"},
			WantCode: "sheet_not_in_progress"},
		{Name: "record progress on a done sheet", Given: board(ecolesDone),
			Command:  RecordProgress{Envelope: env("p-6"), SheetID: ecoles.String(), Percent: ptr(100), Comment: "Fin"},
			WantCode: "sheet_closed"},
		{Name: "record progress on an unknown sheet", Given: board(),
			Command:  RecordProgress{Envelope: env("p-7"), SheetID: uuid.Nil.String(), Percent: ptr(10), Comment: "?"},
			WantCode: "sheet_not_found"},

		// complete-sheet
		{Name: "complete a sheet in progress", Given: board(ProgressRecorded{SheetID: ecoles, Percent: 100, Comment: "Fait", AsOf: "2026-03-01"}),
			Command: CompleteSheet{Envelope: by(amfMember, "c-1"), SheetID: ecoles.String(), Comment: "Toutes les écoles sont équipées. "},
			Want:    []events.Payload{ecolesDone}},
		{Name: "complete a planned sheet", Given: board(), Command: CompleteSheet{Envelope: env("c-2"), SheetID: colleges.String()},
			WantCode: "sheet_not_in_progress"},
		{Name: "complete a done sheet", Given: board(ecolesDone), Command: CompleteSheet{Envelope: env("c-3"), SheetID: ecoles.String()},
			WantCode: "sheet_closed"},

		// abandon-sheet
		{Name: "abandon a planned sheet", Given: board(),
			Command: AbandonSheet{Envelope: env("a-1"), SheetID: lycees.String(), Reason: "Reprise par le plan régional"},
			Want:    []events.Payload{lyceesDropped}},
		{Name: "abandon a sheet in progress", Given: board(),
			Command: AbandonSheet{Envelope: by(amfMember, "a-2"), SheetID: ecoles.String(), Reason: "Financement retiré"},
			Want:    []events.Payload{SheetAbandoned{SheetID: ecoles, Reason: "Financement retiré", PreviousStatus: StatusInProgress}}},
		{Name: "abandon a done sheet", Given: board(ecolesDone),
			Command: AbandonSheet{Envelope: env("a-3"), SheetID: ecoles.String(), Reason: "?"}, WantCode: "sheet_closed"},

		// reschedule-sheet
		{Name: "reschedule a sheet", Given: board(),
			Command: RescheduleSheet{Envelope: by(adfMember, "r-1"), SheetID: colleges.String(), DueDate: "2027-12-31", Reason: "Marché infructueux"},
			Want:    []events.Payload{SheetRescheduled{SheetID: colleges, DueDate: "2027-12-31", PreviousDueDate: "2027-06-30", Reason: "Marché infructueux"}}},
		{Name: "reschedule to the same date is a no-op", Given: board(),
			Command: RescheduleSheet{Envelope: env("r-2"), SheetID: colleges.String(), DueDate: "2027-06-30", Reason: "Rien ne change"}},
		{Name: "reschedule into the past", Given: board(),
			Command: RescheduleSheet{Envelope: env("r-3"), SheetID: colleges.String(), DueDate: "2026-01-31", Reason: "?"}, WantCode: "date_in_past"},
		{Name: "reschedule an abandoned sheet", Given: board(lyceesDropped),
			Command: RescheduleSheet{Envelope: env("r-4"), SheetID: lycees.String(), DueDate: "2027-01-31", Reason: "?"}, WantCode: "sheet_closed"},

		// import-sheets
		{Name: "import three sheets at three levels", Given: board(),
			Command: ImportSheets{Envelope: env("imp-1"), CSV: importFile, Organisations: orgs}, Want: importedEvents},
		{Name: "a dry run appends nothing", Given: board(),
			Command: ImportSheets{Envelope: env("imp-1"), CSV: importFile, DryRun: true, Organisations: orgs}},
		{Name: "import the same file twice", Given: board(importedEvents...),
			Command: ImportSheets{Envelope: env("imp-2"), CSV: importFile, Organisations: orgs}, WantCode: "csv_invalid"},
		{Name: "import a file with one broken line", Given: board(),
			Command:  ImportSheets{Envelope: env("imp-3"), CSV: strings.Replace(importFile, "01/09/2026", "01/09/2025", 1), Organisations: orgs},
			WantCode: "csv_invalid"},
		{Name: "import 501 lines", Command: ImportSheets{Envelope: env("imp-4"), CSV: manyLines(MaxImportLines + 1), Organisations: orgs},
			WantCode: "csv_too_large"},

		// Who may act: the secretariat for any sheet, a member for its organisation's sheets.
		{Name: "create a sheet, the secretariat for any owner", Command: createBy(events.Actor{User: "secretariat@education.gouv.fr", Role: "secretariat"}, arf),
			Want: []events.Payload{SheetCreated{SheetID: SheetIDFor("s-10"), Title: "Tiers-lieux éducatifs", Level: LevelCommune, Theme: "usages",
				OrganisationID: arf, DueDate: "2026-09-01"}}},
		{Name: "forbidden: a member creates a sheet for another organisation", Command: createBy(amfMember, adf), WantCode: "forbidden"},
		{Name: "forbidden: a member without an organisation creates a sheet",
			Command: createBy(events.Actor{User: "x@demo.invalid", Role: "member"}, amf), WantCode: "forbidden"},
		{Name: "forbidden: a member whose organisation is not a UUID creates a sheet",
			Command: createBy(events.Actor{User: "x@demo.invalid", Organisation: "AMF", Role: "member"}, amf), WantCode: "forbidden"},
		{Name: "forbidden: an auditor creates a sheet", Command: createBy(auditor, amf), WantCode: "forbidden"},
		{Name: "forbidden: an observer creates a sheet", Command: createBy(observer, amf), WantCode: "forbidden"},
		{Name: "forbidden: a process creates a sheet", Command: createBy(process, amf), WantCode: "forbidden"},
		{Name: "forbidden: no actor creates a sheet", Command: createBy(events.Actor{}, amf), WantCode: "forbidden"},
		{Name: "a member creating a sheet for an organisation outside the committee gets organisation_not_found",
			Command: createBy(amfMember, amrf), WantCode: "organisation_not_found"},
		{Name: "forbidden: a member starts another organisation's sheet", Given: board(),
			Command: StartSheet{Envelope: by(arfMember, "st-6"), SheetID: colleges.String()}, WantCode: "forbidden"},
		{Name: "forbidden: an auditor starts a sheet", Given: board(),
			Command: StartSheet{Envelope: by(auditor, "st-7"), SheetID: colleges.String()}, WantCode: "forbidden"},
		{Name: "a member starting an unknown sheet gets sheet_not_found", Given: board(),
			Command: StartSheet{Envelope: by(arfMember, "st-8"), SheetID: SheetIDFor("x").String()}, WantCode: "sheet_not_found"},
		{Name: "forbidden: a member records progress on another organisation's sheet", Given: board(),
			Command:  RecordProgress{Envelope: by(adfMember, "p-8"), SheetID: ecoles.String(), Percent: ptr(50), Comment: "Pas le nôtre"},
			WantCode: "forbidden"},
		{Name: "forbidden: a process records progress", Given: board(),
			Command:  RecordProgress{Envelope: by(process, "p-9"), SheetID: ecoles.String(), Percent: ptr(50), Comment: "Automatique"},
			WantCode: "forbidden"},
		{Name: "forbidden: a member completes another organisation's sheet", Given: board(),
			Command: CompleteSheet{Envelope: by(adfMember, "c-4"), SheetID: ecoles.String()}, WantCode: "forbidden"},
		{Name: "forbidden: a member abandons another organisation's sheet", Given: board(),
			Command: AbandonSheet{Envelope: by(amfMember, "a-4"), SheetID: lycees.String(), Reason: "?"}, WantCode: "forbidden"},
		{Name: "forbidden: a member abandons another organisation's closed sheet", Given: board(lyceesDropped),
			Command: AbandonSheet{Envelope: by(amfMember, "a-5"), SheetID: lycees.String(), Reason: "?"}, WantCode: "forbidden"},
		{Name: "forbidden: an observer abandons a sheet", Given: board(),
			Command: AbandonSheet{Envelope: by(observer, "a-6"), SheetID: lycees.String(), Reason: "?"}, WantCode: "forbidden"},
		{Name: "forbidden: a member reschedules another organisation's sheet", Given: board(),
			Command:  RescheduleSheet{Envelope: by(amfMember, "r-5"), SheetID: colleges.String(), DueDate: "2027-12-31", Reason: "?"},
			WantCode: "forbidden"},
		{Name: "forbidden: a member imports sheets", Given: board(),
			Command: ImportSheets{Envelope: by(amfMember, "imp-5"), CSV: importFile, Organisations: orgs}, WantCode: "forbidden"},
		{Name: "forbidden: a member imports a dry run", Given: board(),
			Command: ImportSheets{Envelope: by(adfMember, "imp-6"), CSV: importFile, DryRun: true, Organisations: orgs}, WantCode: "forbidden"},
		{Name: "forbidden: an auditor imports sheets", Given: board(),
			Command: ImportSheets{Envelope: by(auditor, "imp-7"), CSV: importFile, Organisations: orgs}, WantCode: "forbidden"},
		{Name: "forbidden: a process imports sheets", Given: board(),
			Command: ImportSheets{Envelope: by(process, "imp-8"), CSV: importFile, Organisations: orgs}, WantCode: "forbidden"},
	}
}

// manyLines is an import file of n valid lines.
func manyLines(n int) string {
	var b strings.Builder
	b.WriteString("titre;niveau;theme;organisation;echeance\n")
	for i := range n {
		b.WriteString("Équipement de l'école n°" + strings.Repeat("I", i%7+1) + " " + string(rune('A'+i%26)) + string(rune('a'+i/26%26)) + ";commune;usages;AMF;2026-06-01\n")
	}
	return b.String()
}

func TestDecide(t *testing.T) {
	decidertest.Run(t, Decider(nil, nil), Rejections(), decideCases())
}

// TestImportReportsEveryProblem checks csv_invalid's fields: every bad cell of every
// line, numbered as a spreadsheet shows them.
func TestImportReportsEveryProblem(t *testing.T) {
	file := "titre;description;niveau;thème;organisation;échéance;avis\n" +
		"Former les agents communaux;;Commune;accompagnement;AMF;30/06/2026;\n" + // 2: good
		"Plan d'équipement des collèges;;Département;infrastructures;ADF;2027-06-30;\n" + // 3: an open sheet has this title
		"\n" + // 4: blank
		";\"" + strings.Repeat("é", 10001) + "\";canton;sport;AMRF;31/02/2026;avis-12\n" + // 5: everything wrong
		"Former les agents  COMMUNAUX;;commune;Accompagnement;amf;04/03/2026;\n" + // 6: same as line 2
		"Cantines connectées;;Région;usages;;01/01/2026;\n" + // 7: no owner, past date
		"Collège numérique rural;;Département;usages;ADF;2026-09-01;;en trop\n" // 8: a cell in no column
	_, err := Decide(Fold(board()...), ImportSheets{Envelope: env("imp-x"), CSV: file, Organisations: orgs})
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != "csv_invalid" || e.Status != 422 {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{
		"ligne 3: titre":        "unique",
		"ligne 5: titre":        "required",
		"ligne 5: description":  "max=10000",
		"ligne 5: niveau":       "oneof",
		"ligne 5: theme":        "oneof",
		"ligne 5: organisation": "organisation_not_found",
		"ligne 5: echeance":     "date",
		"ligne 5: avis":         "uuid",
		"ligne 6: titre":        "unique",
		"ligne 7: organisation": "required",
		"ligne 7: echeance":     "date_in_past",
		"ligne 8":               "columns",
	}
	if !reflect.DeepEqual(e.Fields, want) {
		t.Fatalf("fields\n got %v\nwant %v", e.Fields, want)
	}

	for name, tc := range map[string]struct {
		csv    string
		fields map[string]string
	}{
		"header alone":   {"titre;niveau;theme;organisation;echeance\n", map[string]string{"ligne 2": "required"}},
		"unknown column": {"titre;niveau;theme;organisation;echeance;pilote\nA;commune;usages;AMF;2026-06-01;X\n", map[string]string{"ligne 1: pilote": "unknown"}},
		"syntax error":   {"titre;niveau;theme;organisation;echeance\nA;commune;usages;AMF;2026-06-01\nL'\"école\";commune;usages;AMF;2026-06-01\n", map[string]string{"ligne 3": "syntax"}},
	} {
		_, err := Decide(Board{}, ImportSheets{Envelope: env("imp-y"), CSV: tc.csv, Organisations: orgs})
		if !errors.As(err, &e) || e.Code != "csv_invalid" || !reflect.DeepEqual(e.Fields, tc.fields) {
			t.Errorf("%s: %v (fields %v), want %v", name, err, e.Fields, tc.fields)
		}
	}
}

func TestImportAtTheLimit(t *testing.T) {
	got, err := Decide(Board{}, ImportSheets{Envelope: env("imp-500"), CSV: manyLines(MaxImportLines), Organisations: orgs})
	if err != nil || len(got) != MaxImportLines {
		t.Fatalf("%d events, %v", len(got), err)
	}
	last := got[len(got)-1].(SheetCreated)
	if last.ImportLine != MaxImportLines+1 || last.SheetID != ImportedSheetIDFor("imp-500", MaxImportLines+1) {
		t.Fatalf("last event %+v", last)
	}
	b := Fold(got...)
	if b.Len() != MaxImportLines || len(b.Sheets()) != MaxImportLines {
		t.Fatalf("%d sheets", b.Len())
	}
}

func TestEvolve(t *testing.T) {
	before := Fold(board()...)
	after := Evolve(before, ProgressRecorded{SheetID: ecoles, Percent: 60, Comment: "18 écoles sur 30", AsOf: "2026-03-01"})
	after = Evolve(after, SheetRescheduled{SheetID: colleges, DueDate: "2027-12-31", PreviousDueDate: "2027-06-30"})
	after = Evolve(after, ecolesDone)
	after = Evolve(after, lyceesDropped)
	after = Evolve(after, SheetStarted{SheetID: SheetIDFor("inconnue")})
	if !reflect.DeepEqual(before, Fold(board()...)) {
		t.Fatal("Evolve modified its input state")
	}
	e, _ := after.Sheet(ecoles)
	if e.Status != StatusDone || e.Outcome != ecolesDone.Comment || e.Reports != 1 ||
		e.Progress != (Progress{Percent: 60, Comment: "18 écoles sur 30", AsOf: "2026-03-01"}) || e.OpinionID != opinion {
		t.Fatalf("école sheet %+v", e)
	}
	if c, _ := after.Sheet(colleges); c.DueDate != "2027-12-31" || c.Status != StatusPlanned {
		t.Fatalf("collège sheet %+v", c)
	}
	if l, _ := after.Sheet(lycees); l.Status != StatusAbandoned || !l.Status.Closed() || l.Outcome != lyceesDropped.Reason {
		t.Fatalf("lycée sheet %+v", l)
	}
	if _, ok := after.Sheet(SheetIDFor("inconnue")); ok || after.Len() != 3 {
		t.Fatal("an event for an unknown sheet created one")
	}
	imp := Fold(importedEvents...)
	if s, _ := imp.Sheet(ImportedSheetIDFor("imp-1", 3)); s.ImportCommandID != "imp-1" || s.ImportLine != 3 || s.Level != LevelDepartement {
		t.Fatalf("imported sheet %+v", s)
	}
}

func TestDerivedIDs(t *testing.T) {
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:actionsheets:ids")); idNamespace != want {
		t.Fatalf("idNamespace = %s, want %s", idNamespace, want)
	}
	if want := events.StreamName("actionboard", uuid.MustParse(membership.CommitteeID)); BoardStream != want {
		t.Fatalf("BoardStream = %s, want %s", BoardStream, want)
	}
	if err := events.ValidStream(BoardStream); err != nil {
		t.Fatal(err)
	}
	ids := map[uuid.UUID]string{}
	for name, id := range map[string]uuid.UUID{
		"sheet a": SheetIDFor("a"), "sheet b": SheetIDFor("b"), "import a/2": ImportedSheetIDFor("a", 2),
		"import a/3": ImportedSheetIDFor("a", 3), "import a/2 line 3": ImportedSheetIDFor("a/2", 3), "import a/23": ImportedSheetIDFor("a", 23),
		"membership a": membership.OrganisationIDFor("a"),
	} {
		if other, dup := ids[id]; dup {
			t.Fatalf("%s and %s share %s", name, other, id)
		}
		ids[id] = name
	}
	if SheetIDFor("a") != SheetIDFor("a") || ImportedSheetIDFor("a", 2) != ImportedSheetIDFor("a", 2) {
		t.Fatal("derived IDs are not deterministic")
	}
}

func TestCatalogue(t *testing.T) {
	reg := events.NewRegistry()
	Register(reg)
	Register(reg) // harmless twice
	if got := reg.Types(); len(got) != len(EventTypes()) {
		t.Fatalf("registered %v", got)
	}
	for _, typ := range EventTypes() {
		if !strings.HasPrefix(typ, Context+".sheet.") {
			t.Errorf("event type %s", typ)
		}
	}
	if d := Decider(nil, nil); d.Prepare != nil {
		t.Fatal("a decider without a store has a Prepare")
	}
	if _, err := New(bus.ServiceConfig{}); err == nil {
		t.Fatal("New accepted a config without store or registry")
	}
}

func TestOrganisationsOf(t *testing.T) {
	c := membership.Fold(
		membership.CommitteeCreated{Name: "Comité des partenaires du numérique pour l'éducation"},
		membership.OrganisationAdded{OrganisationID: amf, Name: "Association des Maires de France", Acronym: "AMF"},
		membership.OrganisationAdded{OrganisationID: amrf, Name: "Association des Maires Ruraux de France", Acronym: "AMRF"},
		membership.OrganisationRemoved{OrganisationID: amrf},
	)
	got := OrganisationsOf(c)
	if !reflect.DeepEqual(got, Organisations{amf: "AMF"}) {
		t.Fatalf("organisations %v", got)
	}
	for ref, want := range map[string]uuid.UUID{"amf": amf, " AMF ": amf, amf.String(): amf, strings.ToUpper(amf.String()): amf} {
		if id, ok := got.Lookup(ref); !ok || id != want {
			t.Errorf("Lookup(%q) = %s %v", ref, id, ok)
		}
	}
	for _, ref := range []string{"AMRF", amrf.String(), "", "Association des Maires de France"} {
		if _, ok := got.Lookup(ref); ok {
			t.Errorf("Lookup(%q) found a current organisation", ref)
		}
	}
}
