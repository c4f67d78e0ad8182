package projections

// Persistent is a Model whose state can be written into a snapshot and read back, so that
// a restart folds only the events after the snapshot (see Runner.WithSnapshots). A model
// that is not Persistent is rebuilt from the start of the log at every start.
type Persistent interface {
	Model
	// StateVersion names the form of the saved state and the folding logic: bump it when
	// either changes, and snapshots written by other versions are ignored (rebuilt).
	StateVersion() int
	// SaveState encodes the whole folded state (e.g. as JSON).
	SaveState() ([]byte, error)
	// LoadState replaces the state of a fresh model with a saved one.
	LoadState([]byte) error
}
