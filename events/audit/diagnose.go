package audit

import (
	"encoding/hex"
	"fmt"

	"github.com/comite-partenaires/comite/events/merkle"
)

// result is the failure to report: the first in the events file among what streaming
// found, refined by what the Merkle roots say about a removed or inserted event.
func (v *verifier) result() *Failure {
	first := v.fail
	if v.dup != nil && (first == nil || v.dup.Line < first.Line) {
		first = v.dup
	}
	rf := v.rootFail
	if rf == nil {
		return first
	}
	if ins := v.findInserted(rf); ins != nil && (first == nil || ins.Line <= first.Line) {
		return ins
	}
	if first != nil && first.Kind == Removed && first.MissingHash != "" {
		if j, ok := v.findRemoved(rf, first.MissingHash); ok {
			v.pinRemoved(first, j)
			return first
		}
	}
	if first != nil && first.Line <= rf.line {
		return first
	}
	f := &Failure{Kind: RootMismatch, Line: rf.line,
		Detail: fmt.Sprintf("the events do not recompute the root of %s (%s over %d events)", rf.exp.source, rf.exp.root, rf.size)}
	if rf.base != nil && len(v.win) > 0 {
		f.Window = [2]uint64{v.win[0].pos, v.win[min(len(v.win), int(rf.size-rf.base.Size()))-1].pos}
		f.Detail += "; the culprit is an event within the window (altered with its hash rewritten, or reordered with its position), or the head itself"
	}
	return f
}

// findInserted looks for the one event whose removal makes the window meet the root.
func (v *verifier) findInserted(rf *rootFailure) *Failure {
	if rf.base == nil {
		return nil
	}
	need := int(rf.size - rf.base.Size())
	if need+1 > len(v.win) {
		return nil
	}
	pre := rf.base.Clone()
	for j := 0; j <= need; j++ {
		r := pre.Clone()
		for _, l := range v.win[j+1 : need+1] {
			r.Append(l.leaf)
		}
		if r.Root() == rf.exp.root {
			l := v.win[j]
			return &Failure{Kind: Inserted, EventID: l.id, Position: l.pos, Line: l.line,
				Detail: fmt.Sprintf("without this event the events recompute the root of %s", rf.exp.source)}
		}
		pre.Append(v.win[j].leaf)
	}
	return nil
}

// findRemoved looks for the place in the window where the missing event (known by its
// hash) puts the root right: it returns the index in the window of the event after it.
func (v *verifier) findRemoved(rf *rootFailure, missingHash string) (int, bool) {
	raw, err := hex.DecodeString(missingHash)
	if rf.base == nil || err != nil {
		return 0, false
	}
	missing := merkle.LeafHash(raw)
	need := int(rf.size - rf.base.Size())
	if need < 1 || need-1 > len(v.win) {
		return 0, false
	}
	pre := rf.base.Clone()
	for j := 0; j < need; j++ {
		r := pre.Clone()
		r.Append(missing)
		for _, l := range v.win[j : need-1] {
			r.Append(l.leaf)
		}
		if r.Root() == rf.exp.root {
			return j, true
		}
		pre.Append(v.win[j].leaf)
	}
	return 0, false
}

// pinRemoved narrows a removed event's position to the gap before window event j.
func (v *verifier) pinRemoved(f *Failure, j int) {
	var before uint64
	if j > 0 {
		before = v.win[j-1].pos
	} else if v.m.Prefix != nil {
		before = v.m.Prefix.Position
	}
	after := v.win[j].pos
	f.Window = [2]uint64{before, after}
	if after == before+2 {
		f.Position = before + 1
	}
	f.Detail += fmt.Sprintf("; the Merkle root places it between positions %d and %d", before, after)
}
