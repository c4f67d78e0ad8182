package timeline

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// Archive returns a timeline view that keeps every entry of the log (the live view keeps
// the last MaxEntries), for exports.
func Archive() *projections.View {
	m := newModel(MaxEntries)
	m.archive = true
	return projections.NewView(View, m, false).WithVisibility(Visible)
}

// Export is the whole decision history as reader sees it (Visible), oldest first, as of
// the log's head: the log is folded into an Archive first, then written to w as CSV (one
// row per entry, with a header) or JSON ({"position", "exported_at", "entries"}). Nothing
// is written if the fold fails.
func Export(ctx context.Context, log projections.Log, decode func(events.Event) (events.Payload, error),
	reader events.Actor, format string, now time.Time, w io.Writer) error {
	if format != FormatCSV && format != FormatJSON {
		return fmt.Errorf("timeline: unknown export format %q", format)
	}
	head, err := log.Head(ctx)
	if err != nil {
		return err
	}
	v := Archive()
	if err := projections.Replay(ctx, log, decode, v, head, nil); err != nil {
		return err
	}
	pos, rows := v.SnapshotFor(reader)
	entries := make([]EntryRow, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		entries = append(entries, rows[i].(EntryRow))
	}
	if format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(struct {
			Position   uint64     `json:"position"`
			ExportedAt time.Time  `json:"exported_at"`
			Entries    []EntryRow `json:"entries"`
		}{pos, now.UTC(), entries})
	}
	return writeCSV(w, entries)
}

// csvHeader names the columns of the CSV export.
var csvHeader = []string{"position", "time", "since", "count", "context", "type", "actor_user", "actor_name",
	"actor_organisation", "actor_role", "object_kind", "object_id", "group_id", "title", "summary", "public"}

func writeCSV(w io.Writer, entries []EntryRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range entries {
		since := ""
		if e.Since != nil {
			since = e.Since.Format(time.RFC3339Nano)
		}
		summary := ""
		if len(e.Summary) > 0 {
			b, err := json.Marshal(e.Summary)
			if err != nil {
				return err
			}
			summary = string(b)
		}
		rec := []string{strconv.FormatUint(e.Position, 10), e.Time.Format(time.RFC3339Nano), since, strconv.Itoa(e.Count),
			e.Context, e.Type, csvSafe(e.Actor.User), csvSafe(e.Actor.Name), e.Actor.Organisation, e.Actor.Role, e.Object.Kind, e.Object.ID,
			e.GroupID, csvSafe(e.Summary["title"]), csvSafe(summary), strconv.FormatBool(e.Public)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses text a spreadsheet would run as a formula (CSV injection): a value
// starting with = + - @ or a tab/CR gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
