package actionsheets

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// importSheets checks every line of an import file as create-sheet would be checked,
// and returns one SheetCreated per line, or csv_invalid naming every bad cell:
//
//	"ligne N: <column>" → the rule the cell breaks (column names: ColTitle…ColOpinion)
//	"ligne N"           → a problem of the whole line ("syntax", "columns")
//
// Rules are those of create-sheet's validate tags ("required", "notblank", "max=300",
// "uuid"…), except "oneof" (niveau, theme: a code or a French label), "date" (echeance:
// YYYY-MM-DD or DD/MM/YYYY), "date_in_past", "organisation_not_found" (organisation: an
// acronym or a UUID of a current member) and "unique" (an open sheet, or an earlier line,
// has the same title at the same level). A file with no data line gets
// {"ligne 2": "required"}.
func importSheets(b Board, cmd ImportSheets) ([]events.Payload, error) {
	t, err := ParseCSV(cmd.CSV)
	if errors.Is(err, ErrTooManyLines) {
		return nil, ErrCSVTooLarge.With("at most %d data lines", MaxImportLines)
	}
	problems := t.Problems
	if len(t.Lines) == 0 && len(problems) == 0 {
		problems[lineKey(2)] = "required"
	}
	taken := map[string]bool{}
	for s := range b.all() {
		if s.Status != StatusAbandoned {
			taken[titleKey(s.Level, s.Title)] = true
		}
	}
	dec := bus.NewDecoder()
	out := make([]events.Payload, 0, len(t.Lines))
	for _, l := range t.Lines {
		ev, bad := importLine(dec, cmd, l)
		if ev.SheetID != uuid.Nil {
			key := titleKey(ev.Level, ev.Title)
			if _, exists := b.Sheet(ev.SheetID); exists || taken[key] {
				bad[ColTitle] = "unique"
			}
			taken[key] = true
		}
		for col, rule := range bad {
			problems[lineKey(l.Number)+": "+col] = rule
		}
		out = append(out, ev)
	}
	if len(problems) > 0 {
		return nil, ErrCSVInvalid.WithFields(problems).With("%d problems", len(problems))
	}
	if cmd.DryRun {
		return nil, nil
	}
	return out, nil
}

// importLine checks one line and returns its creation event, or the rule each bad cell
// breaks (then the event is the zero value, or, when only semantic checks failed, still
// names the sheet so that uniqueness can be checked across lines).
func importLine(dec *bus.Decoder, cmd ImportSheets, l Line) (SheetCreated, map[string]string) {
	bad := map[string]string{}
	body := map[string]string{"title": l.Title, "description": l.Description, "level": l.Level,
		"theme": l.Theme, "due_date": l.DueDate, "opinion_id": l.Opinion}
	for k, v := range body {
		if v == "" {
			delete(body, k)
		}
	}
	owner, found := cmd.Organisations.Lookup(l.Organisation)
	switch {
	case l.Organisation == "":
		bad[ColOrganisation] = "required"
	case !found:
		bad[ColOrganisation] = "organisation_not_found"
	}
	body["organisation_id"] = owner.String()
	raw, err := json.Marshal(body)
	if err != nil {
		bad[ColTitle] = "invalid"
		return SheetCreated{}, bad
	}
	decoded, err := dec.Decode(createSheetSpec(), raw)
	var fields map[string]string
	if err != nil {
		fields = errcode.From(err).Fields
		for field, rule := range fields {
			bad[columnOf(field)] = csvRule(field, rule)
		}
		if len(fields) == 0 {
			bad[ColTitle] = "invalid"
		}
	}
	// A well-formed date is checked even when other cells are bad: every error at once.
	if _, badDate := fields["due_date"]; l.DueDate != "" && !badDate && pastDue(l.DueDate, cmd.Time) {
		bad[ColDueDate] = "date_in_past"
	}
	if err != nil {
		return SheetCreated{}, bad
	}
	c := decoded.(CreateSheet)
	ev := newSheet(ImportedSheetIDFor(cmd.CommandID, l.Number), owner, c)
	ev.ImportCommandID, ev.ImportLine = cmd.CommandID, l.Number
	return ev, bad
}

// createSheetSpec decodes an imported line exactly as a create-sheet body.
func createSheetSpec() bus.CommandSpec {
	return bus.CommandSpec{Context: Context, Name: CmdCreateSheet, New: func() any { return new(CreateSheet) }}
}

// columnOf maps a create-sheet JSON field to the import file's column.
func columnOf(field string) string {
	switch field {
	case "title":
		return ColTitle
	case "description":
		return ColDescription
	case "level":
		return ColLevel
	case "theme":
		return ColTheme
	case "organisation_id":
		return ColOrganisation
	case "due_date":
		return ColDueDate
	case "opinion_id":
		return ColOpinion
	}
	return field
}

// csvRule words a create-sheet validation rule for a CSV cell, whose accepted spellings
// are wider than the JSON's (labels for enumerations, DD/MM/YYYY for dates).
func csvRule(field, rule string) string {
	switch {
	case strings.HasPrefix(rule, "oneof="):
		return "oneof"
	case field == "due_date" && strings.HasPrefix(rule, "datetime="):
		return "date"
	}
	return rule
}
