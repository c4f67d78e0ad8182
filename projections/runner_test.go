package projections_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/memstore"
	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/directory"
	"github.com/comite-partenaires/comite/services/membership"
)

// addOrgs appends n organisations to the committee stream of st.
func addOrgs(t *testing.T, st store.Store, reg *events.Registry, n int) {
	t.Helper()
	for range n {
		ev, err := reg.New(membership.OrganisationAdded{OrganisationID: uuid.New(), Name: "Org", Acronym: "O" + uuid.NewString()[:4]},
			membership.CommitteeStream, uuid.New(), time.Now(), events.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(context.Background(), membership.CommitteeStream, store.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// runUntilReady runs a fresh runner over st with snapshots in dir until it is ready,
// then stops it (which saves snapshots); it returns the organisations it served and the log.
func runUntilReady(t *testing.T, st store.Store, reg *events.Registry, dir string) (rows string, logs string) {
	t.Helper()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	r, err := projections.NewRunner(st, reg, log, directory.Views()...)
	if err != nil {
		t.Fatal(err)
	}
	r.WithSnapshots(projections.SnapshotDir(dir), time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	select {
	case <-r.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("runner not ready")
	}
	v, _ := r.View(directory.OrganisationsView)
	_, items := v.Snapshot()
	b, _ := json.Marshal(items)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return string(b), buf.String()
}

func TestSnapshotsSkipFoldedEventsAndBadOnesAreIgnored(t *testing.T) {
	reg := events.NewRegistry()
	membership.Register(reg)
	st := memstore.New()
	dir := t.TempDir()
	addOrgs(t, st, reg, 20)

	first, logs := runUntilReady(t, st, reg, dir)
	if strings.Contains(logs, "restored from snapshots") {
		t.Fatalf("restored from nothing: %s", logs)
	}
	// A restart folds nothing but what came after the snapshot.
	addOrgs(t, st, reg, 5)
	second, logs := runUntilReady(t, st, reg, dir)
	if !strings.Contains(logs, "restored from snapshots") || !strings.Contains(logs, "position=20") || strings.Contains(logs, "ignored") {
		t.Fatalf("not restored at 20: %s", logs)
	}
	if strings.Count(second, `"id"`) != 25 || !strings.Contains(second, first[1 : len(first)-1][:40]) {
		t.Fatalf("restored view wrong: %d rows", strings.Count(second, `"id"`))
	}
	fresh, _ := runUntilReady(t, st, reg, t.TempDir())
	if fresh != second {
		t.Fatal("a view restored and tailed differs from a rebuild")
	}

	// A damaged snapshot is ignored and the view rebuilt.
	file := filepath.Join(dir, directory.OrganisationsView+".snapshot")
	raw, _ := os.ReadFile(file)
	raw[len(raw)-3] ^= 1
	_ = os.WriteFile(file, raw, 0o600)
	again, logs := runUntilReady(t, st, reg, dir)
	if !strings.Contains(logs, "checksum mismatch") || again != fresh {
		t.Fatalf("damaged snapshot not ignored: %s", logs)
	}

	// A snapshot of another log (same positions, other events) is ignored too.
	other := memstore.New()
	addOrgs(t, other, reg, 25)
	rebuilt, logs := runUntilReady(t, other, reg, dir)
	if !strings.Contains(logs, "another log") || strings.Count(rebuilt, `"id"`) != 25 || rebuilt == fresh {
		t.Fatalf("foreign snapshot not ignored: %s", logs)
	}
	// And one beyond the end of the log (a log reset to fewer events).
	short := memstore.New()
	addOrgs(t, short, reg, 3)
	_, logs = runUntilReady(t, short, reg, dir)
	if !strings.Contains(logs, "the log ends at 3") {
		t.Fatalf("stale snapshot not ignored: %s", logs)
	}
}
