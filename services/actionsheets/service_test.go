package actionsheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
)

const secretariat = "secretariat@education.gouv.fr"

func send(t *testing.T, c *bus.Client, context_, command, id, body string, correlation ...string) (bus.Reply, error) {
	t.Helper()
	req := bus.Request{Context: context_, Command: command, CommandID: id, Body: []byte(body),
		Actor: events.Actor{User: secretariat, Role: "secretariat"}}
	if len(correlation) > 0 {
		req.CorrelationID = correlation[0]
	}
	return c.Send(context.Background(), req)
}

// sendAs sends an actionsheets command as actor.
func sendAs(t *testing.T, c *bus.Client, actor events.Actor, command, id, body string) (bus.Reply, error) {
	t.Helper()
	return c.Send(context.Background(), bus.Request{Context: actionsheets.Context, Command: command, CommandID: id,
		Body: []byte(body), Actor: actor})
}

func must(t *testing.T, c *bus.Client, context_, command, id, body string, correlation ...string) bus.Reply {
	t.Helper()
	rep, err := send(t, c, context_, command, id, body, correlation...)
	if err != nil {
		t.Fatalf("%s %s: %v", command, id, err)
	}
	return rep
}

func TestServiceOverNATS(t *testing.T) {
	ctx := context.Background()
	connect := bustest.NATS(t)
	nc := connect("services")
	st := bustest.JetStreamStore(t, nc)
	reg := events.NewRegistry()
	clock := func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) }

	mem, err := membership.New(bus.ServiceConfig{Store: st, Conn: nc, Registry: reg, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mem.Stop() })
	svc, err := actionsheets.New(bus.ServiceConfig{Conn: nc, Store: st, Registry: reg, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	c := bus.NewClient(connect("gateway"), bus.ClientOptions{Timeout: 20 * time.Second})
	board := func() []events.Event {
		var out []events.Event
		for ev, err := range st.Read(ctx, actionsheets.BoardStream, 0) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
		}
		return out
	}
	as := func(command, id, body string, correlation ...string) bus.Reply {
		t.Helper()
		return must(t, c, actionsheets.Context, command, id, body, correlation...)
	}
	rejected := func(command, id, body string, want *errcode.Error) *errcode.Error {
		t.Helper()
		_, err := send(t, c, actionsheets.Context, command, id, body)
		var e *errcode.Error
		if !errors.Is(err, want) || !errors.As(err, &e) {
			t.Fatalf("%s %s: %v, want %s", command, id, err, want.Code)
		}
		return e
	}

	// The committee and its organisations, through the membership service.
	must(t, c, membership.Context, membership.CmdCreateCommittee, "m-committee", `{"name":"Comité des partenaires du numérique pour l'éducation","acronym":"CPNE"}`)
	for id, body := range map[string]string{
		"m-amf":  `{"name":"Association des Maires de France","acronym":"AMF","kind":"elected_officials_association"}`,
		"m-adf":  `{"name":"Assemblée des Départements de France","acronym":"ADF","kind":"elected_officials_association"}`,
		"m-arf":  `{"name":"Régions de France","acronym":"ARF","kind":"elected_officials_association"}`,
		"m-amrf": `{"name":"Association des Maires Ruraux de France","acronym":"AMRF","kind":"elected_officials_association"}`,
	} {
		must(t, c, membership.Context, membership.CmdAddOrganisation, id, body)
	}
	amf, adf, arf, amrf := membership.OrganisationIDFor("m-amf"), membership.OrganisationIDFor("m-adf"),
		membership.OrganisationIDFor("m-arf"), membership.OrganisationIDFor("m-amrf")
	must(t, c, membership.Context, membership.CmdRemoveOrganisation, "m-amrf-out", `{"organisation_id":"`+amrf.String()+`"}`)

	// Three sheets at three levels.
	ecoles := as(actionsheets.CmdCreateSheet, "s-ecoles", `{"title":"Équiper les écoles élémentaires d'un ENT","level":"commune",
		"theme":"usages","organisation_id":"`+amf.String()+`","due_date":"2026-09-01","opinion_id":"6f1c2d3e-5a4b-4c3d-8e2f-1a0b9c8d7e6f"}`)
	if len(ecoles.Events) != 1 || ecoles.Events[0].Stream != actionsheets.BoardStream || ecoles.Events[0].Type != actionsheets.TypeSheetCreated {
		t.Fatalf("create-sheet reply %+v", ecoles)
	}
	as(actionsheets.CmdCreateSheet, "s-colleges", `{"title":"Plan d'équipement numérique des collèges","level":"departement",
		"theme":"infrastructures","organisation_id":"`+adf.String()+`","due_date":"2027-06-30"}`)
	as(actionsheets.CmdCreateSheet, "s-lycees", `{"title":"Maintenance informatique des lycées","level":"region",
		"theme":"infrastructures","organisation_id":"`+arf.String()+`","due_date":"2026-12-31"}`)
	rejected(actionsheets.CmdCreateSheet, "s-amrf", `{"title":"Écoles rurales connectées","level":"commune","theme":"usages",
		"organisation_id":"`+amrf.String()+`","due_date":"2026-09-01"}`, actionsheets.ErrOrganisationNotFound)
	if e := rejected(actionsheets.CmdCreateSheet, "s-past", `{"title":"Écoles rurales connectées","level":"commune","theme":"usages",
		"organisation_id":"`+amf.String()+`","due_date":"2026-01-15"}`, errcode.DateInPast); e.Fields["due_date"] != "future" {
		t.Fatalf("date_in_past fields %v", e.Fields)
	}

	// The école sheet's life; the collège one must be started before progress.
	ecolesID, collegesID := actionsheets.SheetIDFor("s-ecoles").String(), actionsheets.SheetIDFor("s-colleges").String()
	as(actionsheets.CmdStartSheet, "e-start", `{"sheet_id":"`+ecolesID+`"}`)
	as(actionsheets.CmdRecordProgress, "e-p1", `{"sheet_id":"`+ecolesID+`","percent":40,"comment":"12 écoles sur 30 équipées","as_of":"2026-03-01"}`)
	as(actionsheets.CmdRecordProgress, "e-p2", `{"sheet_id":"`+ecolesID+`","percent":100,"comment":"Les 30 écoles sont équipées"}`)
	done := as(actionsheets.CmdCompleteSheet, "e-done", `{"sheet_id":"`+ecolesID+`","comment":"Bilan présenté au comité"}`)
	rejected(actionsheets.CmdRecordProgress, "e-p3", `{"sheet_id":"`+ecolesID+`","percent":100,"comment":"?"}`, actionsheets.ErrSheetClosed)
	rejected(actionsheets.CmdRecordProgress, "c-p1", `{"sheet_id":"`+collegesID+`","percent":10,"comment":"Étude lancée"}`, actionsheets.ErrSheetNotInProgress)
	as(actionsheets.CmdStartSheet, "c-start", `{"sheet_id":"`+collegesID+`"}`, "plan-colleges")
	as(actionsheets.CmdRescheduleSheet, "c-later", `{"sheet_id":"`+collegesID+`","due_date":"2027-12-31","reason":"Marché infructueux"}`, "plan-colleges")

	// An import: one atomic append; a retry gets the same reply; a bad file and a dry run
	// append nothing.
	file := "\uFEFFTitre;Description;Niveau;Thème;Organisation;Échéance\r\n" +
		"Former les agents communaux au numérique éducatif;Avec le réseau Canopé;Commune;Accompagnement des acteurs et de la communauté éducative;amf;30/06/2026\r\n" +
		"Schéma départemental des usages numériques;;Département;Usages du numérique à l’École et autour de l’École;adf;2026-10-15\r\n" +
		"Référentiel régional des équipements;\"Socle commun\r\ndes lycées\";Région;Référentiels nationaux;ARF;01/09/2026\r\n"
	imp := as(actionsheets.CmdImportSheets, "imp-1", `{"csv":`+jsonString(file)+`}`)
	if len(imp.Events) != 3 || imp.Events[0].Position <= done.Position || imp.Events[2].Revision != imp.Events[0].Revision+2 {
		t.Fatalf("import reply %+v", imp)
	}
	if again := as(actionsheets.CmdImportSheets, "imp-1", `{"csv":`+jsonString(file)+`}`); !reflect.DeepEqual(again, imp) {
		t.Fatalf("retried import %+v, first %+v", again, imp)
	}
	before := len(board())
	bad := file + "Cantines connectées;;Canton;usages;AMRF;01/01/2026\r\n"
	e := rejected(actionsheets.CmdImportSheets, "imp-2", `{"csv":`+jsonString(bad)+`}`, actionsheets.ErrCSVInvalid)
	wantFields := map[string]string{"ligne 2: titre": "unique", "ligne 3: titre": "unique", "ligne 4: titre": "unique",
		"ligne 5: niveau": "oneof", "ligne 5: organisation": "organisation_not_found", "ligne 5: echeance": "date_in_past"}
	if !reflect.DeepEqual(e.Fields, wantFields) || e.Status != 422 {
		t.Fatalf("bad import: %d %v\nwant %v", e.Status, e.Fields, wantFields)
	}
	dry := as(actionsheets.CmdImportSheets, "imp-3", `{"csv":`+jsonString("titre;niveau;theme;organisation;echeance\nCollège numérique rural;département;usages;ADF;2026-09-01\n")+`,"dry_run":true}`)
	if len(dry.Events) != 0 || len(board()) != before {
		t.Fatalf("a bad import or a dry run appended: %d events, was %d; dry run %+v", len(board()), before, dry)
	}

	// A member acts on its own organisation's sheets only, and never imports.
	member := func(org uuid.UUID) events.Actor {
		return events.Actor{User: "membre@" + org.String()[:8] + ".invalid", Organisation: org.String(), Role: "member"}
	}
	lyceesID := actionsheets.SheetIDFor("s-lycees").String()
	for _, f := range []struct {
		actor         events.Actor
		command, body string
	}{
		{member(amf), actionsheets.CmdCreateSheet, `{"title":"Plan collèges","level":"departement","theme":"usages","organisation_id":"` +
			adf.String() + `","due_date":"2026-09-01"}`},
		{member(amf), actionsheets.CmdAbandonSheet, `{"sheet_id":"` + lyceesID + `","reason":"Pas le nôtre"}`},
		{member(adf), actionsheets.CmdStartSheet, `{"sheet_id":"` + lyceesID + `"}`},
		{member(arf), actionsheets.CmdImportSheets, `{"csv":` + jsonString(file) + `,"dry_run":true}`},
		{events.Actor{User: "auditeur@ccomptes.fr", Role: "auditor"}, actionsheets.CmdStartSheet, `{"sheet_id":"` + lyceesID + `"}`},
	} {
		if _, err := sendAs(t, c, f.actor, f.command, "forbidden-"+f.command+"-"+f.actor.Organisation, f.body); !errors.Is(err, errcode.Forbidden) {
			t.Fatalf("%s by %+v: %v", f.command, f.actor, err)
		}
	}
	if len(board()) != before {
		t.Fatal("a forbidden command appended")
	}
	if _, err := sendAs(t, c, member(arf), actionsheets.CmdAbandonSheet, "l-drop", `{"sheet_id":"`+lyceesID+`","reason":"Reprise par le plan régional"}`); err != nil {
		t.Fatalf("the owner abandons its sheet: %v", err)
	}

	// The log: every event in the board's stream, in order, with its provenance.
	log := board()
	var types []string
	for _, ev := range log {
		types = append(types, ev.Type)
	}
	want := []string{actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated,
		actionsheets.TypeSheetStarted, actionsheets.TypeProgressRecorded, actionsheets.TypeProgressRecorded,
		actionsheets.TypeSheetCompleted, actionsheets.TypeSheetStarted, actionsheets.TypeSheetRescheduled,
		actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated, actionsheets.TypeSheetCreated, actionsheets.TypeSheetAbandoned}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("log %v\nwant %v", types, want)
	}
	for i, id := range []string{"s-ecoles", "s-colleges", "s-lycees", "e-start", "e-p1", "e-p2", "e-done", "c-start", "c-later", "imp-1", "imp-1", "imp-1"} {
		ev := log[i]
		corr := id
		if id == "c-start" || id == "c-later" {
			corr = "plan-colleges"
		}
		if ev.Meta.CommandID != id || ev.Meta.CorrelationID != corr || ev.Meta.CausationID != id || ev.Meta.Actor.User != secretariat ||
			ev.Revision != uint64(i) || ev.Stream != actionsheets.BoardStream {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if log[10].ID != events.DeriveID("imp-1", 1) || log[11].Position != imp.Position {
		t.Errorf("imported events %+v", log[9:12])
	}
	if log[12].Meta.CommandID != "l-drop" || log[12].Meta.Actor != member(arf) {
		t.Errorf("abandoned by %+v", log[12].Meta)
	}

	// The board as LoadBoard folds it.
	b, err := actionsheets.LoadBoard(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 6 {
		t.Fatalf("%d sheets", b.Len())
	}
	s, _ := b.Sheet(actionsheets.SheetIDFor("s-ecoles"))
	if s.Status != actionsheets.StatusDone || s.Reports != 2 || s.Progress.Percent != 100 || s.Progress.AsOf != "2026-03-05" || s.OrganisationID != amf {
		t.Errorf("école sheet %+v", s)
	}
	if s, _ := b.Sheet(actionsheets.SheetIDFor("s-colleges")); s.Status != actionsheets.StatusInProgress || s.DueDate != "2027-12-31" {
		t.Errorf("collège sheet %+v", s)
	}
	s, _ = b.Sheet(actionsheets.ImportedSheetIDFor("imp-1", 4))
	if s.Level != actionsheets.LevelRegion || s.Theme != "referentiels" || s.Description != "Socle commun\ndes lycées" ||
		s.ImportCommandID != "imp-1" || s.ImportLine != 4 || s.DueDate != "2026-09-01" || s.OrganisationID != arf {
		t.Errorf("imported région sheet %+v", s)
	}
}

// TestLargestImportOverNATS appends the largest import allowed, 500 sheets, as one
// atomic JetStream batch.
func TestLargestImportOverNATS(t *testing.T) {
	ctx := context.Background()
	connect := bustest.NATS(t)
	nc := connect("services")
	st := bustest.JetStreamStore(t, nc)
	reg := events.NewRegistry()
	clock := func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) }
	mem, err := membership.New(bus.ServiceConfig{Store: st, Conn: nc, Registry: reg, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := actionsheets.New(bus.ServiceConfig{Conn: nc, Store: st, Registry: reg, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []interface {
		Start(context.Context) error
		Stop() error
	}{mem, svc} {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop() })
	}
	c := bus.NewClient(connect("gateway"), bus.ClientOptions{Timeout: 30 * time.Second})
	must(t, c, membership.Context, membership.CmdCreateCommittee, "m-committee", `{"name":"Comité des partenaires du numérique pour l'éducation"}`)
	must(t, c, membership.Context, membership.CmdAddOrganisation, "m-amf", `{"name":"Association des Maires de France","acronym":"AMF"}`)

	var b strings.Builder
	b.WriteString("titre;niveau;theme;organisation;echeance\n")
	for i := range actionsheets.MaxImportLines {
		fmt.Fprintf(&b, "Équipement numérique de l'école n° %d;commune;usages;AMF;2026-09-01\n", i+1)
	}
	rep := must(t, c, actionsheets.Context, actionsheets.CmdImportSheets, "imp-500", `{"csv":`+jsonString(b.String())+`}`)
	if len(rep.Events) != actionsheets.MaxImportLines {
		t.Fatalf("%d events", len(rep.Events))
	}
	board, err := actionsheets.LoadBoard(ctx, st, reg)
	if err != nil || board.Len() != actionsheets.MaxImportLines {
		t.Fatalf("%d sheets, %v", board.Len(), err)
	}
	if s, _ := board.Sheet(actionsheets.ImportedSheetIDFor("imp-500", 501)); s.Title != "Équipement numérique de l'école n° 500" {
		t.Fatalf("last sheet %+v", s)
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
