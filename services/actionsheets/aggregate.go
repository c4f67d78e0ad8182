// Package actionsheets is the committee's action sheets context (fiches-actions): what
// each level of government — the commune, the intercommunalité, the département, the
// région, the State — commits to do, under one of the committee's six themes, owned by
// one of its organisations, with a due date, a status (planned → in progress → done or
// abandoned) and dated progress reports. A sheet may name the opinion (avis) that
// decided it.
//
// # One aggregate for the whole board
//
// Every sheet of the committee lives in ONE aggregate, the board, in the stream
// BoardStream. Two rules make this the right cut:
//
//   - a CSV import of up to 500 sheets is one atomic append: all the sheets become
//     visible together, or none does (a bad line rejects the whole file);
//   - uniqueness (one title per level, abandoned sheets aside) is a pure decision over
//     the board's state, with no cross-stream race to guard against, including between
//     the lines of one file and the sheets already there.
//
// Each event still names its sheet_id, so every sheet's history can be read back from
// the board's stream, and projections key their rows by it. The price is that commands
// on different sheets serialise on one stream, and that each one folds the whole board
// (see Board for why that stays cheap); for a committee's few hundred or thousand
// sheets, updated a few times a month each, that is a small price.
//
// # Dates
//
// Due dates and "as of" dates are civil dates (YYYY-MM-DD) without a time zone, while
// the clock (bus.Envelope.Time) is an instant. The committee spans time zones (the
// overseas départements and régions are members too), so a civil date is judged with the
// benefit of the doubt: a due date is "in the past" only when that day is over
// everywhere on Earth (it is before the date at UTC−12), and an "as of" date is "in the
// future" only when that day has begun nowhere (it is after the date at UTC+14).
//
// # Who may act
//
// The secretariat acts on every sheet and alone imports files; a member acts only on the
// sheets its own organisation owns (authz.go). Decide checks it from the command's actor.
package actionsheets

import (
	"bytes"
	"context"
	"iter"
	"maps"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/themes"
)

// BoardStream is the stream of the board aggregate, which holds every sheet of the
// committee: events.StreamName("actionboard", membership.CommitteeID).
const BoardStream = "actionboard-" + membership.CommitteeID

// idNamespace is the UUID namespace of the IDs this context derives from command IDs:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:comite:actionsheets:ids").
var idNamespace = uuid.MustParse("9f6fc405-a751-5101-a04d-615c51a899f9")

// SheetIDFor is the ID of the sheet created by the create-sheet command commandID: a
// retried command names the same sheet, and a client knows the ID in advance.
func SheetIDFor(commandID string) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("sheet/"+commandID))
}

// ImportedSheetIDFor is the ID of the sheet created by line line (as a spreadsheet
// numbers it, the header being line 1) of the import-sheets command commandID. The line
// number comes last and has no "/", so distinct (command, line) pairs never collide.
func ImportedSheetIDFor(commandID string, line int) uuid.UUID {
	return uuid.NewSHA1(idNamespace, []byte("import/"+commandID+"/"+strconv.Itoa(line)))
}

// Level is the level of government a sheet addresses.
type Level string

// Levels of government, from the closest to the schools to the State.
const (
	LevelCommune          Level = "commune"
	LevelIntercommunalite Level = "intercommunalite"
	LevelDepartement      Level = "departement"
	LevelRegion           Level = "region"
	LevelEtat             Level = "etat"
)

// Limits and formats shared by create-sheet and the CSV import, so that both apply the
// same rules.
const (
	// MaxImportLines bounds the data lines of one import (csv_too_large beyond).
	MaxImportLines = 500
	// DateLayout is the layout of civil dates in commands and events.
	DateLayout = "2006-01-02"
)

// Levels returns the five levels in order, the commune first.
func Levels() []Level {
	return []Level{LevelCommune, LevelIntercommunalite, LevelDepartement, LevelRegion, LevelEtat}
}

// LevelLabel returns a level's French name, as the committee's documents write it.
func LevelLabel(l Level) string {
	switch l {
	case LevelCommune:
		return "Commune"
	case LevelIntercommunalite:
		return "Intercommunalité"
	case LevelDepartement:
		return "Département"
	case LevelRegion:
		return "Région"
	case LevelEtat:
		return "État"
	}
	return ""
}

// Status is where a sheet stands.
type Status string

// Statuses of a sheet: planned → in_progress → done | abandoned; a planned sheet may be
// abandoned too.
const (
	StatusPlanned    Status = "planned"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusAbandoned  Status = "abandoned"
)

// Closed reports whether a sheet in status s can no longer change.
func (s Status) Closed() bool { return s == StatusDone || s == StatusAbandoned }

// Board is the state of the board aggregate: every sheet of the committee.
//
// Evolve never modifies a board in place, so earlier states stay valid; but copying one
// map of every sheet at every event would make folding the board's history quadratic
// (seconds for a few thousand sheets). So the sheets are spread over buckets by the first
// byte of their ID (uniform: IDs are SHA-1 based), and Evolve copies only the bucket it
// changes. Read them with Sheet, Len and Sheets.
type Board struct {
	buckets [256]map[uuid.UUID]Sheet
	count   int
}

// Sheet returns the sheet id, if the board has it.
func (b Board) Sheet(id uuid.UUID) (Sheet, bool) {
	s, ok := b.buckets[id[0]][id]
	return s, ok
}

// Len is the number of sheets on the board.
func (b Board) Len() int { return b.count }

// Sheets returns every sheet, in the order of their IDs (a stable order, not a meaningful
// one: views sort as they like).
func (b Board) Sheets() []Sheet {
	out := slices.AppendSeq(make([]Sheet, 0, b.count), b.all())
	slices.SortFunc(out, func(x, y Sheet) int { return bytes.Compare(x.ID[:], y.ID[:]) })
	return out
}

// all yields every sheet in no particular order, for decisions that scan the board.
func (b Board) all() iter.Seq[Sheet] {
	return func(yield func(Sheet) bool) {
		for _, bucket := range b.buckets {
			for _, s := range bucket {
				if !yield(s) {
					return
				}
			}
		}
	}
}

// with returns b with sheet s set, copying only the bucket s lives in.
func (b Board) with(s Sheet) Board {
	old := b.buckets[s.ID[0]]
	if _, ok := old[s.ID]; !ok {
		b.count++
	}
	bucket := make(map[uuid.UUID]Sheet, len(old)+1)
	maps.Copy(bucket, old)
	bucket[s.ID] = s
	b.buckets[s.ID[0]] = bucket
	return b
}

// Sheet is one action sheet as its events left it.
type Sheet struct {
	ID          uuid.UUID
	Title       string
	Description string
	Level       Level
	Theme       themes.Theme
	// OrganisationID is the owner organisation.
	OrganisationID uuid.UUID
	// DueDate is a civil date, YYYY-MM-DD.
	DueDate string
	// OpinionID is the opinion that decided the sheet (uuid.Nil if none).
	OpinionID uuid.UUID
	Status    Status
	// Progress is the latest progress report (zero before the first one).
	Progress Progress
	// Reports counts the progress reports.
	Reports int
	// Outcome is the completion comment or the reason for abandoning, once closed.
	Outcome string
	// ImportCommandID and ImportLine trace a sheet created by an import to its file line.
	ImportCommandID string
	ImportLine      int
}

// Progress is a progress report.
type Progress struct {
	Percent int
	Comment string
	// AsOf is the civil date the figure describes.
	AsOf string
}

// Evolve folds one event into the board. It is pure: b is not modified. Events of other
// contexts, and events naming an unknown sheet, are ignored.
func Evolve(b Board, p events.Payload) Board {
	switch e := p.(type) {
	case SheetCreated:
		s := Sheet{ID: e.SheetID, Title: e.Title, Description: e.Description, Level: e.Level, Theme: e.Theme,
			OrganisationID: e.OrganisationID, DueDate: e.DueDate, Status: StatusPlanned,
			ImportCommandID: e.ImportCommandID, ImportLine: e.ImportLine}
		if e.OpinionID != nil {
			s.OpinionID = *e.OpinionID
		}
		b = b.with(s)
	case SheetStarted:
		b = update(b, e.SheetID, func(s *Sheet) { s.Status = StatusInProgress })
	case ProgressRecorded:
		b = update(b, e.SheetID, func(s *Sheet) {
			s.Progress = Progress{Percent: e.Percent, Comment: e.Comment, AsOf: e.AsOf}
			s.Reports++
		})
	case SheetCompleted:
		b = update(b, e.SheetID, func(s *Sheet) { s.Status, s.Outcome = StatusDone, e.Comment })
	case SheetAbandoned:
		b = update(b, e.SheetID, func(s *Sheet) { s.Status, s.Outcome = StatusAbandoned, e.Reason })
	case SheetRescheduled:
		b = update(b, e.SheetID, func(s *Sheet) { s.DueDate = e.DueDate })
	}
	return b
}

// update returns b with the sheet id changed by fn, leaving b itself as it was.
func update(b Board, id uuid.UUID, fn func(*Sheet)) Board {
	s, ok := b.Sheet(id)
	if !ok {
		return b
	}
	fn(&s)
	return b.with(s)
}

// Fold evolves the empty board through evs: the state after them.
func Fold(evs ...events.Payload) Board {
	var b Board
	for _, e := range evs {
		b = Evolve(b, e)
	}
	return b
}

// LoadBoard reads the board as it stands in st, for views and for other contexts that
// check a sheet before deciding. It registers the actionsheets event types in reg.
func LoadBoard(ctx context.Context, st store.Store, reg *events.Registry) (Board, error) {
	Register(reg)
	b, _, err := bus.Fold(ctx, st, reg, BoardStream, Board{}, Evolve)
	return b, err
}
