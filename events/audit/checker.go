package audit

import (
	"encoding/json"
	"fmt"

	"github.com/comite-partenaires/comite/events/merkle"
)

// maxWindow bounds the leaves kept since the last matching root, for the diagnosis of a
// root mismatch (which event was inserted or removed): O(window²) hashes at worst.
const maxWindow = 4096

// expectedRoot is a tree head the recomputed tree must meet at its size.
type expectedRoot struct {
	root     merkle.Hash
	position uint64 // position of the last event covered; 0 when unknown
	source   string
}

type streamState struct {
	rev      uint64
	hash     string
	prevHash string
	id       string
	pos      uint64
	line     int
}

// leafRec is an event of the diagnosis window.
type leafRec struct {
	leaf merkle.Hash
	id   string
	pos  uint64
	line int
}

type rootFailure struct {
	size uint64
	exp  expectedRoot
	line int
	base *merkle.Range
}

// verifier holds the streaming state of Verify.
type verifier struct {
	m        Manifest
	partial  bool
	anchored bool
	expect   map[uint64][]expectedRoot
	cps      map[string]Checkpoint
	seenCps  map[string]bool
	proofs   []Proof
	progress func(uint64)

	count, size   uint64
	first         uint64
	rng           *merkle.Range
	streams       map[string]*streamState
	last, before  leafRec
	lastIndex     uint64
	nextProof     int
	winBase       *merkle.Range
	win           []leafRec
	rootFail      *rootFailure
	fail, dup     *Failure
	sinceFail     int
	stopped       bool
	roots         int
	proofCount    int
	missingHashes []string
}

func newVerifier(m Manifest, cps []Checkpoint, opts VerifyOptions) (*verifier, error) {
	v := &verifier{m: m, partial: m.Filter.Partial(), anchored: m.Prefix != nil || m.Filter.From > 0,
		expect: map[uint64][]expectedRoot{}, cps: map[string]Checkpoint{}, seenCps: map[string]bool{},
		streams: map[string]*streamState{}, progress: opts.Progress, rng: &merkle.Range{}}
	if m.Prefix != nil {
		r, err := merkle.NewRange(m.Prefix.Size, m.Prefix.Range)
		if err != nil {
			return nil, &Failure{Kind: BadManifest, Detail: "prefix: " + err.Error()}
		}
		v.rng = r
	}
	v.size = v.rng.Size()
	v.winBase = v.rng.Clone()
	known := map[uint64]merkle.Hash{m.TreeSize: m.Root}
	for _, c := range cps {
		if c.Size > m.TreeSize {
			return nil, &Failure{Kind: Truncated, EventID: c.Event, Position: c.SealedAt,
				Detail: fmt.Sprintf("a checkpoint covers %d events, the manifest only %d", c.Size, m.TreeSize)}
		}
		if err := merkle.VerifyConsistency(c.Size, m.TreeSize, c.Consistency, c.Root, m.Root); err != nil {
			return nil, &Failure{Kind: BadManifest, EventID: c.Event, Position: c.SealedAt,
				Detail: fmt.Sprintf("checkpoint over %d events is not consistent with the manifest's root: %v", c.Size, err)}
		}
		v.proofCount++
		v.cps[c.Event] = c
		known[c.Size] = c.Root
		v.addExpect(c.Size, expectedRoot{root: c.Root, position: c.Position, source: "checkpoint " + c.Event})
	}
	lastPos := m.LastPosition
	if v.partial {
		lastPos = 0
	}
	v.addExpect(m.TreeSize, expectedRoot{root: m.Root, position: lastPos, source: "the manifest"})
	for _, r := range opts.Roots {
		if !v.partial && r.Size >= v.size {
			v.addExpect(r.Size, expectedRoot{root: r.Root, source: "--root " + r.String()})
			continue
		}
		// Below the bundle's start, or a filtered bundle: only a head the bundle proves
		// (manifest, or a checkpoint consistent with it) can be compared.
		h, ok := known[r.Size]
		if !ok {
			return nil, fmt.Errorf("audit: --root %s: this bundle cannot recompute the root at size %d", r, r.Size)
		}
		if h != r.Root {
			return nil, &Failure{Kind: RootMismatch, Detail: fmt.Sprintf("--root %s: the bundle's head at size %d is %s", r, r.Size, h)}
		}
		v.roots++
	}
	return v, nil
}

func (v *verifier) addExpect(size uint64, e expectedRoot) {
	if !v.partial && size < v.size {
		return // before the bundle's start: only its consistency proof speaks for it
	}
	v.expect[size] = append(v.expect[size], e)
}

// hardFail records the first failure found while streaming.
func (v *verifier) hardFail(f *Failure) {
	if v.fail == nil {
		v.fail = f
	}
}

// step checks one line; false stops the streaming pass.
func (v *verifier) step(d decoded) bool {
	v.count++
	if v.progress != nil && v.count%8192 == 0 {
		v.progress(v.count)
	}
	if d.err != nil {
		v.hardFail(&Failure{Kind: Malformed, Line: d.line, Detail: d.err.Error()})
		return false
	}
	e := d.ev
	rec := leafRec{leaf: d.leaf, id: e.ID.String(), pos: e.Position, line: d.line}
	if v.count == 1 {
		v.first = e.Position
	}
	v.checkOrder(rec)
	v.checkChain(d, rec)
	if e.Type == TypeCheckpointSealed {
		v.checkSealed(d, rec)
	}
	if v.partial {
		v.checkProof(d, rec)
	} else {
		v.appendLeaf(rec)
	}
	v.before, v.last = v.last, rec
	if v.rootFail != nil && (v.rootFail.base == nil || len(v.win) > maxWindow+2) {
		v.stopped = true
		return false
	}
	if v.fail != nil {
		// Read on a little: a root check just after the failure pins it down.
		v.sinceFail++
		if v.sinceFail > maxWindow {
			v.stopped = true
			return false
		}
	}
	return true
}

func (v *verifier) checkOrder(rec leafRec) {
	if v.count == 1 {
		if v.m.Filter.From > 0 && rec.pos < v.m.Filter.From || v.m.Filter.To > 0 && rec.pos > v.m.Filter.To {
			v.hardFail(&Failure{Kind: Inserted, EventID: rec.id, Position: rec.pos, Line: rec.line,
				Detail: "outside the exported range"})
		}
		return
	}
	switch {
	case rec.pos == v.last.pos && v.dup == nil:
		v.dup = &Failure{Kind: Inserted, EventID: rec.id, Position: rec.pos, Line: rec.line,
			Detail: fmt.Sprintf("same position as event %s on the line before", v.last.id)}
	case rec.pos < v.last.pos && (v.count == 2 || rec.pos > v.before.pos):
		v.hardFail(&Failure{Kind: Reordered, EventID: v.last.id, Position: v.last.pos, Line: v.last.line,
			Detail: fmt.Sprintf("it comes before position %d (event %s)", rec.pos, rec.id)})
	case rec.pos < v.last.pos:
		v.hardFail(&Failure{Kind: Reordered, EventID: rec.id, Position: rec.pos, Line: rec.line,
			Detail: fmt.Sprintf("it comes after position %d (event %s)", v.last.pos, v.last.id)})
	case v.m.Filter.To > 0 && rec.pos > v.m.Filter.To:
		v.hardFail(&Failure{Kind: Inserted, EventID: rec.id, Position: rec.pos, Line: rec.line,
			Detail: "after the exported range"})
	}
}

func (v *verifier) checkChain(d decoded, rec leafRec) {
	e := d.ev
	at := func(k Kind, detail string) *Failure {
		return &Failure{Kind: k, EventID: rec.id, Position: rec.pos, Line: rec.line, Stream: e.Stream, Revision: e.Revision, Detail: detail}
	}
	s := v.streams[e.Stream]
	switch {
	case d.altered:
		v.hardFail(at(Altered, "its content does not match its hash"))
	case s == nil && e.Revision != 0 && !v.anchored:
		v.removed(e.Stream, 0, e.Revision, e.PrevHash, 0, rec)
	case s == nil && e.Revision == 0 && e.PrevHash != "":
		v.hardFail(at(Altered, "the first event of its stream has a prev_hash"))
	case s == nil:
	case e.Revision == s.rev+1 && e.PrevHash == s.hash:
	case e.Revision == s.rev+1:
		v.hardFail(&Failure{Kind: Altered, EventID: s.id, Position: s.pos, Line: s.line, Stream: e.Stream, Revision: s.rev,
			Detail: fmt.Sprintf("its hash is not the one its successor %s (position %d) recorded", rec.id, rec.pos)})
	case e.Revision > s.rev+1:
		v.removed(e.Stream, s.rev+1, e.Revision, e.PrevHash, s.pos, rec)
	case e.Revision == s.rev && e.PrevHash == s.prevHash:
		v.hardFail(at(Inserted, fmt.Sprintf("event %s (position %d) already holds this revision", s.id, s.pos)))
	default:
		v.hardFail(at(Reordered, fmt.Sprintf("revision %d after revision %d of its stream", e.Revision, s.rev)))
	}
	if s == nil {
		s = &streamState{}
		v.streams[e.Stream] = s
	}
	*s = streamState{rev: e.Revision, hash: e.Hash, prevHash: e.PrevHash, id: rec.id, pos: rec.pos, line: rec.line}
}

// removed records missing revisions [from, to) of a stream, noticed at its successor.
func (v *verifier) removed(stream string, from, to uint64, prevHash string, afterPos uint64, succ leafRec) {
	f := &Failure{Kind: Removed, Stream: stream, Revision: from, Line: succ.line, Window: [2]uint64{afterPos, succ.pos},
		Detail: fmt.Sprintf("revisions %d to %d of the stream are missing before event %s (position %d)", from, to-1, succ.id, succ.pos)}
	if to == from+1 {
		f.MissingHash = prevHash
		f.Detail = fmt.Sprintf("revision %d of the stream (hash %s) is missing before event %s (position %d)", from, prevHash, succ.id, succ.pos)
		if v.fail == nil {
			v.missingHashes = append(v.missingHashes, prevHash)
		}
	}
	v.hardFail(f)
}

func (v *verifier) checkSealed(d decoded, rec leafRec) {
	var c CheckpointSealed
	if err := json.Unmarshal(d.ev.Data, &c); err != nil {
		v.hardFail(&Failure{Kind: Malformed, EventID: rec.id, Position: rec.pos, Line: rec.line, Detail: "checkpoint payload: " + err.Error()})
		return
	}
	v.seenCps[rec.id] = true
	line, ok := v.cps[rec.id]
	if !ok || line.Size != c.Size || line.Root != c.Root || line.Position != c.Position {
		v.hardFail(&Failure{Kind: BadManifest, EventID: rec.id, Position: rec.pos, Line: rec.line,
			Detail: fmt.Sprintf("this checkpoint (size %d, root %s) is missing from %s or differs there", c.Size, c.Root, CheckpointsFile)})
	}
}

func (v *verifier) checkProof(d decoded, rec leafRec) {
	fail := func(detail string) {
		v.hardFail(&Failure{Kind: Altered, EventID: rec.id, Position: rec.pos, Line: rec.line, Stream: d.ev.Stream,
			Revision: d.ev.Revision, Detail: detail})
	}
	// A proof for a position before this event's is an exported event now missing.
	for v.nextProof < len(v.proofs) && v.proofs[v.nextProof].Position < rec.pos {
		v.hardFail(&Failure{Kind: Removed, Position: v.proofs[v.nextProof].Position, Line: rec.line,
			Detail: fmt.Sprintf("%s proves an event at this position, %s does not hold it", ProofsFile, EventsFile)})
		v.nextProof++
	}
	if v.nextProof >= len(v.proofs) || v.proofs[v.nextProof].Position != rec.pos {
		fail("no inclusion proof in " + ProofsFile)
		return
	}
	p := v.proofs[v.nextProof]
	v.nextProof++
	if v.nextProof > 1 && p.Index <= v.lastIndex {
		v.hardFail(&Failure{Kind: Reordered, EventID: rec.id, Position: rec.pos, Line: rec.line, Detail: "its leaf index does not increase"})
	}
	v.lastIndex = p.Index
	if err := merkle.VerifyInclusion(p.Index, v.m.TreeSize, d.leaf, p.Proof, v.m.Root); err != nil {
		fail("not in the manifest's tree: " + err.Error())
		return
	}
	v.proofCount++
}

// appendLeaf adds the event to the recomputed tree and compares every head expected at
// the new size.
func (v *verifier) appendLeaf(rec leafRec) {
	v.rng.Append(rec.leaf)
	v.size = v.rng.Size()
	if v.winBase != nil {
		v.win = append(v.win, rec)
		if len(v.win) > maxWindow+2 && v.rootFail == nil {
			v.winBase, v.win = nil, nil // too long to diagnose: start again at the next match
		}
	}
	for _, exp := range v.expect[v.size] {
		if v.rng.Root() == exp.root && exp.position != 0 && exp.position != rec.pos {
			v.hardFail(&Failure{Kind: Reordered, EventID: rec.id, Position: rec.pos, Line: rec.line,
				Detail: fmt.Sprintf("%s puts this event at position %d: positions were rewritten", exp.source, exp.position)})
		}
		if v.rng.Root() == exp.root {
			v.roots++
			if v.rootFail == nil {
				v.winBase, v.win = v.rng.Clone(), nil
			}
			continue
		}
		if v.rootFail == nil {
			v.rootFail = &rootFailure{size: v.size, exp: exp, line: rec.line, base: v.winBase}
		}
	}
}

// end runs the checks that need the whole events file.
func (v *verifier) end() {
	if v.progress != nil {
		v.progress(v.count)
	}
	if v.partial && v.nextProof != len(v.proofs) {
		v.hardFail(&Failure{Kind: Truncated, EventID: v.last.id, Position: v.last.pos, Line: int(v.count) + 1,
			Detail: fmt.Sprintf("%s proves %d events, %s holds %d", ProofsFile, len(v.proofs), EventsFile, v.count)})
	}
	if v.count != v.m.Events || v.count > 0 && (v.first != v.m.FirstPosition || v.last.pos != v.m.LastPosition) || !v.partial && v.size != v.m.TreeSize {
		f := &Failure{Kind: BadManifest, Line: int(v.count) + 1,
			Detail: fmt.Sprintf("%d events up to position %d (tree of %d), the manifest says %d up to %d (tree of %d)",
				v.count, v.last.pos, v.size, v.m.Events, v.m.LastPosition, v.m.TreeSize)}
		if v.count < v.m.Events || !v.partial && v.size < v.m.TreeSize {
			f.Kind, f.EventID, f.Position = Truncated, v.last.id, v.last.pos
			f.Detail = "the events after this one are missing: " + f.Detail
		}
		v.hardFail(f)
	}
	if v.partial {
		return
	}
	beyond := uint64(0)
	for size := range v.expect {
		if size > v.size && (beyond == 0 || size < beyond) {
			beyond = size
		}
	}
	if beyond > 0 {
		v.hardFail(&Failure{Kind: Truncated, EventID: v.last.id, Position: v.last.pos, Line: int(v.count) + 1,
			Detail: fmt.Sprintf("the bundle's tree stops at %d events, %s covers %d", v.size, v.expect[beyond][0].source, beyond)})
	}
	var missing *Checkpoint
	for id, c := range v.cps {
		if c.SealedAt >= v.m.FirstPosition && c.SealedAt <= v.m.LastPosition && !v.seenCps[id] &&
			(missing == nil || c.SealedAt < missing.SealedAt) {
			missing = &c
		}
	}
	if missing != nil {
		v.hardFail(&Failure{Kind: Removed, EventID: missing.Event, Position: missing.SealedAt, Line: int(v.count) + 1,
			Detail: fmt.Sprintf("%s lists this checkpoint event, %s does not hold it", CheckpointsFile, EventsFile)})
	}
}
