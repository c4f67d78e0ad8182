package actionsheets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// frenchHeader is how a French spreadsheet exports the import template.
const frenchHeader = "Titre;Description;Niveau;Thème;Organisation;Échéance;Avis\r\n"

func TestParseCSV(t *testing.T) {
	cases := []struct {
		name      string
		data      string
		delimiter rune
		lines     []Line
		problems  map[string]string
	}{
		{
			name: "French spreadsheet: BOM, CRLF, labels, accents, DD/MM/YYYY",
			data: "\uFEFF" + frenchHeader +
				"Équiper les écoles élémentaires en ENT;Déployer un espace numérique de travail dans chaque école;Commune;Usages du numérique à l’École et autour de l’École;amf;05/09/2026;\r\n" +
				" Plan collèges numériques ;;Département;Infrastructures et équipements;ADF;1/2/2027;6f1c2d3e-0000-4000-8000-000000000001\r\n" +
				"Feuille de route académique;;ÉTAT;Gouvernance à la bonne échelle;DNE;2026-12-31;\r\n",
			delimiter: ';',
			lines: []Line{
				{Number: 2, Title: "Équiper les écoles élémentaires en ENT", Description: "Déployer un espace numérique de travail dans chaque école",
					Level: "commune", Theme: "usages", Organisation: "amf", DueDate: "2026-09-05"},
				{Number: 3, Title: "Plan collèges numériques", Level: "departement", Theme: "infrastructures", Organisation: "ADF",
					DueDate: "2027-02-01", Opinion: "6f1c2d3e-0000-4000-8000-000000000001"},
				{Number: 4, Title: "Feuille de route académique", Level: "etat", Theme: "gouvernance", Organisation: "DNE", DueDate: "2026-12-31"},
			},
		},
		{
			name:      "English header, commas, codes, columns in another order, no optional columns",
			data:      "due_date,owner,theme,level,title\n2026-10-01,ARF,referentiels,region,\"Référentiel régional, lycées\"\n",
			delimiter: ',',
			lines: []Line{{Number: 2, Title: "Référentiel régional, lycées", Level: "region", Theme: "referentiels",
				Organisation: "ARF", DueDate: "2026-10-01"}},
		},
		{
			name: "a multi-line cell is one spreadsheet line; blank lines keep their number",
			data: "titre;description;niveau;theme;organisation;echeance\n" +
				"Tiers-lieux éducatifs;\"Première ligne\nDeuxième ligne\nTroisième\";intercommunalité;accompagnement;AMRF;2026-11-15\n" +
				"\n" +
				";;;;;\n" +
				"Filière EdTech;;Région;Filière;ARF;15/01/2027\n",
			delimiter: ';',
			lines: []Line{
				{Number: 2, Title: "Tiers-lieux éducatifs", Description: "Première ligne\nDeuxième ligne\nTroisième",
					Level: "intercommunalite", Theme: "accompagnement", Organisation: "AMRF", DueDate: "2026-11-15"},
				{Number: 5, Title: "Filière EdTech", Level: "region", Theme: "filiere", Organisation: "ARF", DueDate: "2027-01-15"},
			},
		},
		{
			name:      "trailing separators are harmless; unknown spellings are kept for validation",
			data:      "titre;niveau;theme;organisation;echeance;;\nTitre;mairie;numérique;AMF;31/02/2026;;\n",
			delimiter: ';',
			lines:     []Line{{Number: 2, Title: "Titre", Level: "mairie", Theme: "numérique", Organisation: "AMF", DueDate: "31/02/2026"}},
		},
		{
			name:      "classic Mac line ends",
			data:      "titre;niveau;theme;organisation;echeance\rA;commune;usages;AMF;2026-06-01\r",
			delimiter: ';',
			lines:     []Line{{Number: 2, Title: "A", Level: "commune", Theme: "usages", Organisation: "AMF", DueDate: "2026-06-01"}},
		},
		{
			name:      "a cell outside the header's columns",
			data:      "titre;niveau;theme;organisation;echeance;\nA;commune;usages;AMF;2026-06-01;oups\nB;commune;usages;AMF;2026-06-01;;;x\n",
			delimiter: ';',
			lines: []Line{{Number: 2, Title: "A", Level: "commune", Theme: "usages", Organisation: "AMF", DueDate: "2026-06-01"},
				{Number: 3, Title: "B", Level: "commune", Theme: "usages", Organisation: "AMF", DueDate: "2026-06-01"}},
			problems: map[string]string{"ligne 2": "columns", "ligne 3": "columns"},
		},
		{
			name:      "unknown, duplicate and missing columns: no line is read",
			data:      "Titre;Title;Commentaires;Niveau;Thème;Échéance\nA;A;x;commune;usages;2026-06-01\n",
			delimiter: ';',
			problems:  map[string]string{"ligne 1: Title": "duplicate", "ligne 1: Commentaires": "unknown", "ligne 1: organisation": "required"},
		},
		{
			name:      "a quote inside an unquoted cell is a syntax error at its line; earlier lines are read",
			data:      "titre;niveau;theme;organisation;echeance\nA;commune;usages;AMF;2026-06-01\n\"B\nsuite\";commune;usages;AMF;2026-06-01\nL'\"école\";commune;usages;AMF;2026-06-01\n",
			delimiter: ';',
			lines: []Line{{Number: 2, Title: "A", Level: "commune", Theme: "usages", Organisation: "AMF", DueDate: "2026-06-01"},
				{Number: 3, Title: "B\nsuite", Level: "commune", Theme: "usages", Organisation: "AMF", DueDate: "2026-06-01"}},
			problems: map[string]string{"ligne 4": "syntax"},
		},
		{
			name:      "an empty file has no header",
			data:      "\uFEFF \n",
			delimiter: ';',
			problems: map[string]string{"ligne 1: titre": "required", "ligne 1: niveau": "required", "ligne 1: theme": "required",
				"ligne 1: organisation": "required", "ligne 1: echeance": "required"},
		},
		{
			name:      "a header alone",
			data:      frenchHeader,
			delimiter: ';',
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCSV(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Delimiter != tc.delimiter {
				t.Errorf("delimiter %q, want %q", got.Delimiter, tc.delimiter)
			}
			if !reflect.DeepEqual(got.Lines, tc.lines) {
				t.Errorf("lines\n got %#v\nwant %#v", got.Lines, tc.lines)
			}
			if want := tc.problems; !reflect.DeepEqual(got.Problems, want) && (len(want) > 0 || len(got.Problems) > 0) {
				t.Errorf("problems %v, want %v", got.Problems, want)
			}
		})
	}
}

func TestParseCSVLineLimit(t *testing.T) {
	file := func(n int, blankEvery int) string {
		var b strings.Builder
		b.WriteString("titre;niveau;theme;organisation;echeance\n")
		for i := range n {
			fmt.Fprintf(&b, "Fiche %d;commune;usages;AMF;2026-06-01\n", i)
			if blankEvery > 0 && i%blankEvery == 0 {
				b.WriteString("\n;;;;\n")
			}
		}
		return b.String()
	}
	got, err := ParseCSV(file(MaxImportLines, 10))
	if err != nil || len(got.Lines) != MaxImportLines || len(got.Problems) != 0 {
		t.Fatalf("500 lines and blank ones: %d lines, %v, %v", len(got.Lines), got.Problems, err)
	}
	if last := got.Lines[len(got.Lines)-1]; last.Number != 1+MaxImportLines+2*(MaxImportLines/10) {
		t.Fatalf("last line numbered %d", last.Number)
	}
	if _, err := ParseCSV(file(MaxImportLines+1, 0)); !errors.Is(err, ErrTooManyLines) {
		t.Fatalf("501 lines: %v", err)
	}
}

func TestHeaderAndValueSpellings(t *testing.T) {
	for _, h := range []string{"TITRE", " titre ", "Title"} {
		if col, ok := headerColumn(h); !ok || col != ColTitle {
			t.Errorf("%q → %q %v", h, col, ok)
		}
	}
	for cell, want := range map[string]string{"Echéance": ColDueDate, "ÉCHÉANCE": ColDueDate, "due date": ColDueDate,
		"due-date": ColDueDate, "THÈME": ColTheme, "owner": ColOrganisation, "opinion_id": ColOpinion, "Avis": ColOpinion} {
		if col, ok := headerColumn(cell); !ok || col != want {
			t.Errorf("%q → %q %v, want %q", cell, col, ok, want)
		}
	}
	for _, l := range Levels() {
		if normaliseLevel(LevelLabel(l)) != string(l) || normaliseLevel(strings.ToUpper(string(l))) != string(l) {
			t.Errorf("level %s not recognised from its label %q", l, LevelLabel(l))
		}
	}
	if normaliseTheme("STRUCTURATION DE LA FILIÈRE DU NUMÉRIQUE ÉDUCATIF") != "filiere" || normaliseTheme("Référentiels nationaux") != "referentiels" {
		t.Error("theme labels not recognised")
	}
	for cell, want := range map[string]string{"05/03/2026": "2026-03-05", "5/3/2026": "2026-03-05", "2026-03-05": "2026-03-05",
		"29/02/2026": "29/02/2026", "2026-3-5": "2026-3-5", "05/03/26": "05/03/26", "mars 2026": "mars 2026"} {
		if got := normaliseDate(cell); got != want {
			t.Errorf("date %q → %q, want %q", cell, got, want)
		}
	}
}

// FuzzParseCSV checks that ParseCSV never panics, numbers lines as promised, and that a
// file it reads without problems, written back, reads the same.
func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"\uFEFF" + frenchHeader + "Équiper les écoles;;Commune;Usages;AMF;05/09/2026;\r\n",
		"title,level,theme,owner,due_date\n\"a, b\",region,filiere,ARF,2026-10-01\n",
		"titre;niveau;theme;organisation;echeance\n\"multi\nligne\";commune;usages;AMF;2026-06-01\n\n;;;;\nB;etat;gouvernance;DNE;1/1/2027\n",
		"titre;niveau;theme;organisation;echeance\nL'\"école\";commune;usages;AMF;2026-06-01\n",
		"titre;niveau\rA;b\r",
		"\"",
		"a;b;c\n\"x\"\"y\";;\n",
		"titre;niveau;theme;organisation;echeance;\nA;commune;usages;AMF;2026-06-01;oups\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		got, err := ParseCSV(data)
		if err != nil {
			if !errors.Is(err, ErrTooManyLines) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if got.Delimiter != ';' && got.Delimiter != ',' {
			t.Fatalf("delimiter %q", got.Delimiter)
		}
		if len(got.Lines) > MaxImportLines {
			t.Fatalf("%d lines", len(got.Lines))
		}
		prev := 1
		for _, l := range got.Lines {
			if l.Number <= prev {
				t.Fatalf("line numbers not increasing from 2: %d after %d", l.Number, prev)
			}
			prev = l.Number
			for _, cell := range cells(l) {
				if cell != strings.TrimSpace(cell) {
					t.Fatalf("cell %q not trimmed", cell)
				}
			}
		}
		for key := range got.Problems {
			if !strings.HasPrefix(key, "ligne ") {
				t.Fatalf("problem key %q", key)
			}
		}
		if len(got.Problems) > 0 {
			return
		}
		again, err := ParseCSV(write(t, got.Lines))
		if err != nil || len(again.Problems) > 0 || len(again.Lines) != len(got.Lines) {
			t.Fatalf("written back: %d lines, %v, %v", len(again.Lines), again.Problems, err)
		}
		for i := range got.Lines {
			if !reflect.DeepEqual(cells(again.Lines[i]), cells(got.Lines[i])) {
				t.Fatalf("line %d written back\n got %q\nwant %q", i, cells(again.Lines[i]), cells(got.Lines[i]))
			}
		}
	})
}

func cells(l Line) []string {
	return []string{l.Title, l.Description, l.Level, l.Theme, l.Organisation, l.DueDate, l.Opinion}
}

// write renders lines as an import file with the canonical header.
func write(t *testing.T, lines []Line) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.Write([]string{ColTitle, ColDescription, ColLevel, ColTheme, ColOrganisation, ColDueDate, ColOpinion}); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if err := w.Write(cells(l)); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.String()
}
