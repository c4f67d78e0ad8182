package actionsheets

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/services/themes"
)

// Columns of an import file, by their canonical (French) names: the names csv_invalid's
// field keys use, whatever language the file's header is in.
const (
	ColTitle        = "titre"
	ColDescription  = "description"
	ColLevel        = "niveau"
	ColTheme        = "theme"
	ColOrganisation = "organisation"
	ColDueDate      = "echeance"
	ColOpinion      = "avis"
)

// headerColumn returns the column a header cell names, folded (lower case, no accents,
// "_" for spaces and hyphens): the French and the English names are both accepted.
func headerColumn(cell string) (string, bool) {
	switch strings.NewReplacer(" ", "_", "-", "_").Replace(fold(cell)) {
	case "titre", "title":
		return ColTitle, true
	case "description":
		return ColDescription, true
	case "niveau", "level":
		return ColLevel, true
	case "theme":
		return ColTheme, true
	case "organisation", "owner":
		return ColOrganisation, true
	case "echeance", "due_date":
		return ColDueDate, true
	case "avis", "opinion_id":
		return ColOpinion, true
	}
	return "", false
}

// requiredColumns are the columns every import file's header must name.
func requiredColumns() []string {
	return []string{ColTitle, ColLevel, ColTheme, ColOrganisation, ColDueDate}
}

// Line is one data line of an import file, its cells trimmed and, where the file may
// spell a value in several ways, normalised: Level and Theme hold the code when the cell
// names a level or theme by its code or its French label (any case, with or without
// accents), DueDate is YYYY-MM-DD when the cell is YYYY-MM-DD or DD/MM/YYYY. A cell
// that cannot be normalised is kept as written, for validation to reject.
type Line struct {
	// Number is the line as a spreadsheet numbers it: the header is line 1, and a cell
	// spanning several lines of text is still one line.
	Number       int
	Title        string
	Description  string
	Level        string
	Theme        string
	Organisation string
	DueDate      string
	Opinion      string
}

// Table is an import file as ParseCSV reads it.
type Table struct {
	// Delimiter is the cell separator detected from the header: ';' or ','.
	Delimiter rune
	// Lines are the data lines, blank lines left out.
	Lines []Line
	// Problems names what is wrong with the file's form, with csv_invalid's keys:
	// "ligne N" for a whole line (a syntax error, cells outside the header's columns),
	// "ligne 1: <header cell>" for a header cell (unknown, duplicate) and
	// "ligne 1: <column>" for a required column missing. When the header has a problem,
	// Lines is empty: its lines cannot be read reliably.
	Problems map[string]string
}

// ErrTooManyLines is returned by ParseCSV for a file of more than MaxImportLines data
// lines; decide turns it into csv_too_large.
var ErrTooManyLines = errors.New("actionsheets: more than 500 data lines")

// ParseCSV reads an import file: UTF-8 with or without a byte order mark, a header line
// naming the columns (in French or English, any order, any case, with or without
// accents), cells separated by ';' (French spreadsheets) or ',' — whichever the header
// holds more of — and quoted as RFC 4180 says. Blank lines are skipped but keep their
// number. It is pure, never fails on odd input, and reads no further than the 501st data
// line (ErrTooManyLines).
func ParseCSV(data string) (Table, error) {
	data = strings.TrimPrefix(data, "\uFEFF")
	if !strings.Contains(data, "\n") {
		// Classic Mac OS line ends.
		data = strings.ReplaceAll(data, "\r", "\n")
	}
	t := Table{Delimiter: detectDelimiter(data), Problems: map[string]string{}}
	r := csv.NewReader(strings.NewReader(data))
	r.Comma, r.FieldsPerRecord = t.Delimiter, -1

	var (
		columns []string // column of each header cell ("" for an ignored one)
		row     int      // spreadsheet line of the last record read
		end     int      // physical line the last record ended on
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := row + 1
			if errors.As(err, &pe) {
				line = row + max(pe.StartLine-end, 1)
			}
			t.Problems[lineKey(line)] = "syntax"
			break
		}
		start, _ := r.FieldPos(0)
		last, _ := r.FieldPos(len(rec) - 1)
		row += start - end
		end = last + strings.Count(rec[len(rec)-1], "\n")
		if columns == nil {
			if strings.TrimSpace(strings.Join(rec, "")) == "" {
				continue
			}
			columns = readHeader(rec, row, t.Problems)
			if len(t.Problems) > 0 {
				return Table{Delimiter: t.Delimiter, Problems: t.Problems}, nil
			}
			continue
		}
		line, blank, stray := readLine(rec, columns, row)
		if blank {
			continue
		}
		if stray {
			t.Problems[lineKey(row)] = "columns"
		}
		if len(t.Lines) == MaxImportLines {
			return Table{Delimiter: t.Delimiter}, ErrTooManyLines
		}
		t.Lines = append(t.Lines, line)
	}
	if columns == nil && len(t.Problems) == 0 {
		// No header at all: every required column is missing.
		readHeader(nil, 1, t.Problems)
	}
	return t, nil
}

// detectDelimiter picks the separator from the first line: ';' unless it holds more ','.
func detectDelimiter(data string) rune {
	header, _, _ := strings.Cut(data, "\n")
	if strings.Count(header, ",") > strings.Count(header, ";") {
		return ','
	}
	return ';'
}

// readHeader maps each header cell to its column, noting unknown, duplicate and missing
// columns in problems. Empty header cells (trailing separators) name no column.
func readHeader(rec []string, row int, problems map[string]string) []string {
	columns := make([]string, len(rec))
	seen := map[string]bool{}
	for i, cell := range rec {
		name := strings.TrimSpace(cell)
		if name == "" {
			continue
		}
		col, ok := headerColumn(name)
		switch {
		case !ok:
			problems[lineKey(row)+": "+name] = "unknown"
		case seen[col]:
			problems[lineKey(row)+": "+name] = "duplicate"
		default:
			seen[col], columns[i] = true, col
		}
	}
	for _, col := range requiredColumns() {
		if !seen[col] {
			problems[lineKey(row)+": "+col] = "required"
		}
	}
	return columns
}

// readLine reads a data record into a Line numbered row. It reports whether every cell
// is blank, and whether a non-blank cell lies in no column (beyond the header, or under
// an empty header cell).
func readLine(rec, columns []string, row int) (l Line, blank, stray bool) {
	l.Number, blank = row, true
	for i, cell := range rec {
		// Line breaks inside a cell become "\n", whatever the file's line ends.
		cell = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(cell), "\r\n", "\n"), "\r", "\n")
		if cell == "" {
			continue
		}
		blank = false
		col := ""
		if i < len(columns) {
			col = columns[i]
		}
		switch col {
		case ColTitle:
			l.Title = cell
		case ColDescription:
			l.Description = cell
		case ColLevel:
			l.Level = normaliseLevel(cell)
		case ColTheme:
			l.Theme = normaliseTheme(cell)
		case ColOrganisation:
			l.Organisation = cell
		case ColDueDate:
			l.DueDate = normaliseDate(cell)
		case ColOpinion:
			l.Opinion = cell
		default:
			stray = true
		}
	}
	return l, blank, stray
}

// lineKey is the csv_invalid key of a whole line.
func lineKey(n int) string { return "ligne " + strconv.Itoa(n) }

// normaliseLevel returns the level a cell names by code or French label, or the cell.
func normaliseLevel(cell string) string {
	f := fold(cell)
	for _, l := range Levels() {
		if f == string(l) || f == fold(LevelLabel(l)) {
			return string(l)
		}
	}
	return cell
}

// normaliseTheme returns the theme a cell names by code or French label, or the cell.
func normaliseTheme(cell string) string {
	f := fold(cell)
	for _, t := range themes.All() {
		if f == string(t) || f == fold(themes.LabelOf(t).FR) {
			return string(t)
		}
	}
	return cell
}

// normaliseDate returns a YYYY-MM-DD or D/M/YYYY cell as YYYY-MM-DD, or the cell.
func normaliseDate(cell string) string {
	for _, layout := range []string{DateLayout, "2/1/2006"} {
		if d, err := time.Parse(layout, cell); err == nil {
			return d.Format(DateLayout)
		}
	}
	return cell
}

// fold lower-cases s, removes the accents of French letters, makes apostrophes straight
// and collapses white space, so that "État", "etat" and " ETAT " compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(strings.Fields(s), " ")) {
		switch r {
		case 'à', 'á', 'â', 'ä', 'ã':
			b.WriteByte('a')
		case 'ç':
			b.WriteByte('c')
		case 'é', 'è', 'ê', 'ë':
			b.WriteByte('e')
		case 'î', 'ï', 'í':
			b.WriteByte('i')
		case 'ô', 'ö', 'ó':
			b.WriteByte('o')
		case 'ù', 'û', 'ü', 'ú':
			b.WriteByte('u')
		case 'ÿ':
			b.WriteByte('y')
		case 'œ':
			b.WriteString("oe")
		case 'æ':
			b.WriteString("ae")
		case '’', '‘', 'ʼ':
			b.WriteByte('\'')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
