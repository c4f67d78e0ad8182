package projections

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
)

// snapshotMagic starts every snapshot file, followed by the SHA-256 of the body.
const snapshotMagic = "comite-view-snapshot/1 sha256="

// SnapshotDir keeps one snapshot file per view, <dir>/<view>.snapshot: a header line with
// the SHA-256 of the body, then the body, JSON. A file is written to a temporary name
// and renamed, so a crash leaves the previous snapshot or the new one, never half of one.
type SnapshotDir string

// savedView is a snapshot body: the view's snapshot and the ID of the event at its
// position, which tells a snapshot of this log from one of another log.
type savedView struct {
	ViewSnapshot
	EventID uuid.UUID `json:"event_id"`
}

// ErrNoSnapshot is returned by Read when a view has no snapshot yet.
var ErrNoSnapshot = errors.New("projections: no snapshot")

func (d SnapshotDir) path(view string) string { return filepath.Join(string(d), view+".snapshot") }

// Write saves a view's snapshot taken when the event eventID was the last one folded.
func (d SnapshotDir) Write(s ViewSnapshot, eventID uuid.UUID) error {
	body, err := json.Marshal(savedView{ViewSnapshot: s, EventID: eventID})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := os.MkdirAll(string(d), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(string(d), s.View+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = fmt.Fprintf(tmp, "%s%s\n", snapshotMagic, hex.EncodeToString(sum[:]))
	if err == nil {
		_, err = tmp.Write(body)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), d.path(s.View))
}

// Read loads a view's snapshot and the ID of the event at its position. A file that is
// damaged (truncated, altered, not a snapshot) is an error, never a partial state.
func (d SnapshotDir) Read(view string) (ViewSnapshot, uuid.UUID, error) {
	raw, err := os.ReadFile(d.path(view))
	if errors.Is(err, os.ErrNotExist) {
		return ViewSnapshot{}, uuid.Nil, ErrNoSnapshot
	}
	if err != nil {
		return ViewSnapshot{}, uuid.Nil, err
	}
	header, body, ok := bytes.Cut(raw, []byte("\n"))
	if !ok || !bytes.HasPrefix(header, []byte(snapshotMagic)) {
		return ViewSnapshot{}, uuid.Nil, errors.New("projections: not a snapshot file")
	}
	sum := sha256.Sum256(body)
	if string(header[len(snapshotMagic):]) != hex.EncodeToString(sum[:]) {
		return ViewSnapshot{}, uuid.Nil, errors.New("projections: snapshot damaged (checksum mismatch)")
	}
	var s savedView
	if err := json.Unmarshal(body, &s); err != nil {
		return ViewSnapshot{}, uuid.Nil, fmt.Errorf("projections: snapshot unreadable: %w", err)
	}
	if s.View != view {
		return ViewSnapshot{}, uuid.Nil, fmt.Errorf("projections: the snapshot file of %s holds view %s", view, s.View)
	}
	return s.ViewSnapshot, s.EventID, nil
}

// eventAt is the log's event at a position, for checking a snapshot against the log.
type eventAt func(pos uint64) (events.Event, error)
