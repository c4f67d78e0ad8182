package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
)

// ErrExport reports an export that could not be written.
var ErrExport = errors.New("audit: export failed")

// ExportOptions configures Export.
type ExportOptions struct {
	Filter Filter
	// Now stamps the manifest (time.Now when nil).
	Now func() time.Time
	// Progress, when set, is called every few thousand events with the position reached.
	Progress func(position uint64)
}

// Export writes a bundle into dir (created; it must not hold a bundle already) from log,
// the whole log in global order from its first event (the Merkle tree needs every leaf,
// even those the filter leaves out). It returns the manifest written.
func Export(log iter.Seq2[events.Event, error], dir string, opts ExportOptions) (Manifest, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Manifest{}, fmt.Errorf("%w: %w", ErrExport, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		return Manifest{}, fmt.Errorf("%w: %s already holds a bundle", ErrExport, dir)
	}
	x := &exporter{opts: opts, m: Manifest{Format: Format, Filter: opts.Filter}}
	evFile, err := newLineWriter(filepath.Join(dir, EventsFile))
	if err != nil {
		return Manifest{}, err
	}
	defer evFile.close()
	if err := x.scan(log, evFile); err != nil {
		return Manifest{}, err
	}
	if err := evFile.close(); err != nil {
		return Manifest{}, err
	}
	if err := x.finish(dir); err != nil {
		return Manifest{}, err
	}
	return x.m, nil
}

type exporter struct {
	opts ExportOptions
	m    Manifest
	tree merkle.Tree
	rng  merkle.Range
	// cps are the checkpoints sealed within the exported range; indexes the leaf index
	// of each exported event (filtered bundles only).
	cps     []Checkpoint
	indexes []Proof
}

func (x *exporter) scan(log iter.Seq2[events.Event, error], out *lineWriter) error {
	f := x.opts.Filter
	var lastPos uint64
	for ev, err := range log {
		if err != nil {
			return fmt.Errorf("%w: reading the log: %w", ErrExport, err)
		}
		if f.To > 0 && ev.Position > f.To {
			break
		}
		if x.opts.Progress != nil && x.tree.Size()%4096 == 0 {
			x.opts.Progress(ev.Position)
		}
		leaf, err := Leaf(ev)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrExport, err)
		}
		if ev.Position >= f.From {
			if x.m.Events == 0 && x.tree.Size() > 0 && !f.Partial() {
				x.m.Prefix = &Prefix{Size: x.rng.Size(), Position: lastPos, Range: x.rng.Hashes()}
			}
			if ev.Type == TypeCheckpointSealed {
				if err := x.checkpoint(ev); err != nil {
					return err
				}
			}
			if f.keeps(ev.Stream) {
				if f.Partial() {
					x.indexes = append(x.indexes, Proof{Position: ev.Position, Index: x.tree.Size()})
				}
				if err := out.write(ev); err != nil {
					return err
				}
				if x.m.Events == 0 {
					x.m.FirstPosition = ev.Position
				}
				x.m.Events++
				x.m.LastPosition = ev.Position
			}
		}
		x.tree.Append(leaf)
		x.rng.Append(leaf)
		lastPos = ev.Position
	}
	x.m.TreeSize = x.tree.Size()
	x.m.Root = x.rng.Root()
	return nil
}

func (x *exporter) checkpoint(ev events.Event) error {
	var c CheckpointSealed
	if err := json.Unmarshal(ev.Data, &c); err != nil {
		return fmt.Errorf("%w: checkpoint %s at %d: %w", ErrExport, ev.ID, ev.Position, err)
	}
	x.cps = append(x.cps, Checkpoint{Size: c.Size, Position: c.Position, Root: c.Root, Time: ev.Time,
		Event: ev.ID.String(), SealedAt: ev.Position})
	return nil
}

// keeps reports whether the filter keeps a stream.
func (f Filter) keeps(stream string) bool {
	if !f.Partial() {
		return true
	}
	cat, _, _ := events.SplitStream(stream)
	return slices.Contains(f.Streams, stream) || slices.Contains(f.Contexts, cat)
}

// finish writes the checkpoints (with their consistency to the head), the proofs of a
// filtered bundle and the manifest, last: a bundle without manifest is unfinished.
func (x *exporter) finish(dir string) error {
	cpFile, err := newLineWriter(filepath.Join(dir, CheckpointsFile))
	if err != nil {
		return err
	}
	defer cpFile.close()
	for _, c := range x.cps {
		if c.Size <= x.m.TreeSize {
			if c.Consistency, err = x.tree.ConsistencyProof(c.Size, x.m.TreeSize); err != nil {
				return fmt.Errorf("%w: checkpoint %s: %w", ErrExport, c.Event, err)
			}
		}
		if err := cpFile.write(c); err != nil {
			return err
		}
	}
	x.m.Checkpoints = len(x.cps)
	if err := cpFile.close(); err != nil {
		return err
	}
	if x.opts.Filter.Partial() {
		pf, err := newLineWriter(filepath.Join(dir, ProofsFile))
		if err != nil {
			return err
		}
		defer pf.close()
		for _, p := range x.indexes {
			if p.Proof, err = x.tree.InclusionProof(p.Index, x.m.TreeSize); err != nil {
				return fmt.Errorf("%w: proof at %d: %w", ErrExport, p.Position, err)
			}
			if err := pf.write(p); err != nil {
				return err
			}
		}
		if err := pf.close(); err != nil {
			return err
		}
	}
	x.m.Created = x.opts.Now().UTC()
	b, err := json.MarshalIndent(x.m, "", "  ")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrExport, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("%w: %w", ErrExport, err)
	}
	return nil
}

// lineWriter writes JSON lines through a buffer, without HTML escaping (the envelope as
// stored).
type lineWriter struct {
	f      *os.File
	w      *bufio.Writer
	enc    *json.Encoder
	closed bool
}

func newLineWriter(path string) (*lineWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrExport, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &lineWriter{f: f, w: w, enc: enc}, nil
}

func (l *lineWriter) write(v any) error {
	if err := l.enc.Encode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrExport, err)
	}
	return nil
}

func (l *lineWriter) close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	err := errors.Join(l.w.Flush(), l.f.Sync(), l.f.Close())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrExport, err)
	}
	return nil
}
