package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/comite-partenaires/comite/events/merkle"
)

// ErrVerify is what every verification failure wraps (errors.Is): the bundle is not the
// unaltered history it claims to be.
var ErrVerify = errors.New("audit: bundle does not verify")

// Kind classifies a verification failure; the values are stable (scripts test them).
type Kind string

// The kinds of failure.
const (
	// Malformed: a line or file does not decode.
	Malformed Kind = "malformed"
	// Altered: an event's content no longer matches its hash, or its hash no longer
	// matches what its successor in the stream recorded.
	Altered Kind = "altered"
	// Removed: an event is missing; its stream, revision and hash are known from its
	// successor, its position when a Merkle root pins it.
	Removed Kind = "removed"
	// Inserted: an event that the chain or the Merkle roots do not account for.
	Inserted Kind = "inserted"
	// Reordered: an event out of global position order.
	Reordered Kind = "reordered"
	// Truncated: the bundle ends before the events its manifest or checkpoints cover.
	Truncated Kind = "truncated"
	// RootMismatch: recomputed Merkle root differs from a checkpoint, the manifest or a
	// --root witness, without a single removed or inserted event explaining it.
	RootMismatch Kind = "root_mismatch"
	// BadManifest: the manifest or the checkpoints file disagrees with the events.
	BadManifest Kind = "manifest"
)

// Failure names the first problem found: the event (ID, position, line of the events
// file, stream and revision) where it is, and why.
type Failure struct {
	Kind     Kind
	Line     int
	EventID  string
	Position uint64
	Stream   string
	Revision uint64
	// MissingHash is the chain hash of a removed event, as its successor recorded it.
	MissingHash string
	// Window is the position range a root failure is confined to.
	Window [2]uint64
	Detail string
}

// Error implements error.
func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "audit: %s", f.Kind)
	if f.EventID != "" {
		fmt.Fprintf(&b, ": event %s", f.EventID)
	}
	if f.Position != 0 {
		fmt.Fprintf(&b, " at position %d", f.Position)
	}
	if f.Stream != "" {
		fmt.Fprintf(&b, " (stream %s revision %d)", f.Stream, f.Revision)
	}
	if f.Line != 0 {
		fmt.Fprintf(&b, ", line %d of %s", f.Line, EventsFile)
	}
	if f.Window != [2]uint64{} {
		fmt.Fprintf(&b, ", within positions %d..%d", f.Window[0], f.Window[1])
	}
	if f.Detail != "" {
		b.WriteString(": " + f.Detail)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrVerify) hold.
func (f *Failure) Unwrap() error { return ErrVerify }

// RootAt is a tree head known from outside the bundle (a published root): the Merkle
// root over the first Size events of the log.
type RootAt struct {
	Size uint64
	Root merkle.Hash
}

// ParseRootAt reads "HEX@SIZE".
func ParseRootAt(s string) (RootAt, error) {
	hexRoot, size, ok := strings.Cut(s, "@")
	if !ok {
		return RootAt{}, fmt.Errorf("audit: root %q is not HEX@SIZE", s)
	}
	h, err := merkle.ParseHash(hexRoot)
	if err != nil {
		return RootAt{}, fmt.Errorf("audit: root %q: %w", s, err)
	}
	var n uint64
	if _, err := fmt.Sscan(size, &n); err != nil || n == 0 {
		return RootAt{}, fmt.Errorf("audit: root %q: size must be a positive integer", s)
	}
	return RootAt{Size: n, Root: h}, nil
}

// String is the "HEX@SIZE" form.
func (r RootAt) String() string { return fmt.Sprintf("%s@%d", r.Root, r.Size) }
