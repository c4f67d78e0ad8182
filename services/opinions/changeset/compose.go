package changeset

import (
	"errors"
	"fmt"
)

// What a central-authority collab client does with change sets, as @codemirror/state
// does it: Compose joins two sets made one after the other, Map moves a set over a
// concurrent one. receiveUpdates in @codemirror/collab is built from these two: the
// changes received from the authority are composed, then the client's unconfirmed changes
// are mapped over them and they over the unconfirmed changes.
//
// Both follow ChangeSet.compose and ChangeSet.map section by section (composeSets, mapSet
// and addSection in @codemirror/state's change.ts), so that the server, a Go client and
// a browser end with the same sections, not merely the same text: how sections are split
// decides where a later concurrent insertion lands.
//
// CodeMirror's algorithms assume their inputs are in the form its own sets are built in
// (Normalize). ChangeSet.fromJSON accepts others, and on some of them compose goes wrong:
// [0,[3],[0,"x"],5] (an empty kept run first) composed with a replacement that covers
// the "x" inserts the replacement twice (@codemirror/state 6.7.6). Compose and Map
// normalise their inputs first, and the opinions service stores only normalised sets, so
// that no editor ever composes such a set.

// Compose returns the change set that makes c's changes and then other's, as
// ChangeSet.compose does: other must apply to the document c produces (ErrLength
// otherwise). Applying the result to a document gives what applying c and then other
// gives. It fails with ErrSurrogate when other cuts a character c inserts in two; a cut
// inside the original document's text shows when the result is applied.
func (c ChangeSet) Compose(other ChangeSet) (ChangeSet, error) {
	c, err := c.normal()
	if err != nil {
		return ChangeSet{}, err
	}
	if other, err = other.normal(); err != nil {
		return ChangeSet{}, err
	}
	if c.NewLen() != other.Len() {
		return ChangeSet{}, fmt.Errorf("%w: composing a set producing %d units with one covering %d",
			ErrLength, c.NewLen(), other.Len())
	}
	switch {
	case c.bare():
		return other, nil
	case other.bare():
		return c, nil
	}
	return composeSets(c, other)
}

// Map returns c moved over other, a change set made concurrently on the same document:
// the result applies to the document other produces and makes c's changes there, as
// ChangeSet.map does. Where both insert at the same place, other's text comes first
// unless before is true. Text c inserts inside a range other deletes is dropped; text
// other inserts inside a range c deletes is kept.
//
// For concurrent a and b, b.Map(a, false) applied after a and a.Map(b, true) applied
// after b give the same document: how a client rebases its unconfirmed changes over
// those the authority accepted first (b being the client's, a the others').
func (c ChangeSet) Map(other ChangeSet, before bool) (ChangeSet, error) {
	c, err := c.normal()
	if err != nil {
		return ChangeSet{}, err
	}
	if other, err = other.normal(); err != nil {
		return ChangeSet{}, err
	}
	if c.Len() != other.Len() {
		return ChangeSet{}, fmt.Errorf("%w: mapping a set covering %d units over one covering %d",
			ErrLength, c.Len(), other.Len())
	}
	if other.bare() {
		return c, nil
	}
	return mapSet(c, other, before)
}

// Normalize returns the change set in the form CodeMirror builds its own in (addSection):
// no empty kept run or empty deletion, and no two adjacent kept runs, deletions or pure
// insertions (they are joined). A deletion followed by an insertion stays two sections,
// as in CodeMirror. Apply gives the same document with either; every set CodeMirror
// makes, and every result of Compose and Map, is already normalised.
func (c ChangeSet) Normalize() ChangeSet {
	var out builder
	for _, s := range c.sections {
		if !s.Replaced {
			out.add(s.Len, -1, false)
			continue
		}
		out.add(s.Len, Len16(s.Insert), false)
		out.insert(s.Insert)
	}
	cs, _ := out.set() // lengths and texts agree by construction
	return cs
}

// normal checks the sections and normalises them: negative or huge lengths and kept runs
// carrying text, which no parsed set has but New may build, are refused.
func (c ChangeSet) normal() (ChangeSet, error) {
	for i, s := range c.sections {
		if s.Len < 0 || s.Len > MaxSectionLength || !s.Replaced && s.Insert != "" {
			return ChangeSet{}, fmt.Errorf("%w: section %d is %+v", ErrInvalid, i, s)
		}
	}
	return c.Normalize(), nil
}

// bare reports what CodeMirror's ChangeDesc.empty reports: no section, or a single kept
// one. Compose and Map hand the other set back unchanged then, as CodeMirror does.
func (c ChangeSet) bare() bool {
	return len(c.sections) == 0 || len(c.sections) == 1 && !c.sections[0].Replaced
}

// errMismatch is what CodeMirror throws as "Mismatched change set lengths": it cannot
// happen once the lengths were checked, and says so if it does.
var errMismatch = errors.New("changeset: internal error: change set lengths do not match")

// cursor walks the sections of a change set as CodeMirror's SectionIter does. ins is -1
// for a kept run, the UTF-16 length of the inserted text otherwise, and -2 past the end;
// off counts the units of the current section already consumed.
type cursor struct {
	secs []Section
	// i is one past the current section: it names the section (mapSet's "inserted").
	i           int
	n, ins, off int
	text        string
}

func newCursor(c ChangeSet) *cursor {
	cur := &cursor{secs: c.sections}
	cur.next()
	return cur
}

func (c *cursor) next() {
	c.off, c.text = 0, ""
	if c.i >= len(c.secs) {
		c.n, c.ins = 0, -2
		return
	}
	s := c.secs[c.i]
	c.i++
	c.n, c.ins = s.Len, -1
	if s.Replaced {
		c.ins, c.text = Len16(s.Insert), s.Insert
	}
}

func (c *cursor) done() bool { return c.ins == -2 }

// len2 is the section's length in the document after it: what another set composed after
// it consumes.
func (c *cursor) len2() int {
	if c.ins < 0 {
		return c.n
	}
	return c.ins
}

// textBit is n units of the inserted text from the current offset.
func (c *cursor) textBit(n int) (string, error) {
	s, ok := Slice16(c.text, c.off, c.off+n)
	if !ok {
		return "", fmt.Errorf("%w: composing cuts inserted text %q at %d", ErrSurrogate, c.text, c.off+n)
	}
	return s, nil
}

// forward consumes n units of the section in the old document.
func (c *cursor) forward(n int) {
	if n == c.n {
		c.next()
		return
	}
	c.n -= n
	c.off += n
}

// forward2 consumes n units of the section in the new document.
func (c *cursor) forward2(n int) {
	switch {
	case c.ins == -1:
		c.forward(n)
	case n == c.ins:
		c.next()
	default:
		c.ins -= n
		c.off += n
	}
}

// builder collects sections as CodeMirror's addSection and addInsert do, joining a run
// with the one before it when both are kept, both deletions, or both pure insertions.
type builder struct {
	lens, ins []int
	texts     []string
}

func (b *builder) add(n, ins int, forceJoin bool) {
	if n == 0 && ins <= 0 {
		return
	}
	last := len(b.lens) - 1
	switch {
	case last >= 0 && ins <= 0 && ins == b.ins[last]:
		b.lens[last] += n
	case last >= 0 && n == 0 && b.lens[last] == 0:
		b.ins[last] += ins
	case forceJoin && last >= 0:
		b.lens[last] += n
		b.ins[last] += ins
	default:
		b.lens, b.ins, b.texts = append(b.lens, n), append(b.ins, ins), append(b.texts, "")
	}
}

// insert adds text to the last section's insertion.
func (b *builder) insert(text string) {
	if text != "" && len(b.texts) > 0 {
		b.texts[len(b.texts)-1] += text
	}
}

func (b *builder) set() (ChangeSet, error) {
	out := make([]Section, len(b.lens))
	for i, n := range b.lens {
		if b.ins[i] < 0 {
			out[i] = Section{Len: n}
			continue
		}
		if Len16(b.texts[i]) != b.ins[i] {
			return ChangeSet{}, fmt.Errorf("changeset: internal error: section %d inserts %q, %d units expected",
				i, b.texts[i], b.ins[i])
		}
		out[i] = Section{Len: n, Replaced: true, Insert: b.texts[i]}
	}
	return ChangeSet{sections: out}, nil
}

// mapSet is CodeMirror's mapSet: a copy of setA that applies after setB, both starting
// from the same document. inserted is the section of A whose text is already placed,
// for changes of A processed piece by piece.
func mapSet(setA, setB ChangeSet, before bool) (ChangeSet, error) {
	var out builder
	a, b := newCursor(setA), newCursor(setB)
	for inserted := -1; ; {
		switch {
		case a.done() && b.n > 0 || b.done() && a.n > 0:
			return ChangeSet{}, errMismatch
		case a.ins == -1 && b.ins == -1:
			// A run both keep.
			n := min(a.n, b.n)
			out.add(n, -1, false)
			a.forward(n)
			b.forward(n)
		case b.ins >= 0 && (a.ins < 0 || inserted == a.i || a.off == 0 && (b.n < a.n || b.n == a.n && !before)):
			// A change of B before the next change of A (by start, then length, then
			// before): keep what B put there, and drop the parts of A it covers, placing
			// an insertion of A that ends inside it.
			n := b.n
			out.add(b.ins, -1, false)
			for n > 0 {
				if a.done() {
					return ChangeSet{}, errMismatch
				}
				piece := min(a.n, n) // 0 at an insertion of A, which is then placed
				if a.ins >= 0 && inserted < a.i && a.n <= piece {
					out.add(0, a.ins, false)
					out.insert(a.text)
					inserted = a.i
				}
				a.forward(piece)
				n -= piece
			}
			b.next()
		case a.ins >= 0:
			// The part of a change of A up to the next change of B that is not a
			// deletion it covers.
			n, left := 0, a.n
			for left > 0 {
				if b.ins == -1 {
					piece := min(left, b.n)
					n += piece
					left -= piece
					b.forward(piece)
				} else if b.ins == 0 && b.n < left {
					left -= b.n
					b.next()
				} else {
					break
				}
			}
			if inserted < a.i {
				out.add(n, a.ins, false)
				out.insert(a.text)
			} else {
				out.add(n, 0, false)
			}
			inserted = a.i
			a.forward(a.n - left)
		case a.done() && b.done():
			return out.set()
		default:
			return ChangeSet{}, errMismatch
		}
	}
}

// composeSets is CodeMirror's composeSets. open is set while the output's last section
// is a change that the next pieces of A or B continue, so that they join it.
func composeSets(setA, setB ChangeSet) (ChangeSet, error) {
	var out builder
	a, b := newCursor(setA), newCursor(setB)
	for open := false; ; {
		switch {
		case a.done() && b.done():
			return out.set()
		case a.ins == 0: // a deletion in A
			out.add(a.n, 0, open)
			a.next()
		case b.n == 0 && !b.done(): // an insertion in B
			out.add(0, b.ins, open)
			out.insert(b.text)
			b.next()
		case a.done() || b.done():
			return ChangeSet{}, errMismatch
		default:
			n, before := min(a.len2(), b.n), len(out.lens)
			switch {
			case a.ins == -1:
				insB := b.ins
				if b.ins >= 0 && b.off > 0 {
					insB = 0
				}
				out.add(n, insB, open)
				if insB > 0 {
					out.insert(b.text)
				}
			case b.ins == -1:
				bit, err := a.textBit(n)
				if err != nil {
					return ChangeSet{}, err
				}
				out.add(ifZero(a.off, a.n), n, open)
				out.insert(bit)
			default:
				out.add(ifZero(a.off, a.n), ifZero(b.off, b.ins), open)
				if b.off == 0 {
					out.insert(b.text)
				}
			}
			open = (a.ins > n || b.ins >= 0 && b.n > n) && (open || len(out.lens) > before)
			a.forward2(n)
			b.forward(n)
		}
	}
}

// ifZero is v when off is 0, else 0: a section's length counts once, at its start.
func ifZero(off, v int) int {
	if off != 0 {
		return 0
	}
	return v
}
