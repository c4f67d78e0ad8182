// Package changeset reads, applies and writes CodeMirror 6 change sets in their JSON form
// (ChangeSet.toJSON / ChangeSet.fromJSON of @codemirror/state), so that the opinions
// service holds the same text as every editor that co-drafts it with @codemirror/collab;
// it also composes and maps them (Compose, Map) exactly as @codemirror/state does, which
// is what a collab client needs to rebase its changes.
//
// The JSON form is an array of sections, in document order:
//
//	N                     keep the next N characters
//	[N]                   delete the next N characters
//	[N, "l1", "l2", …]    replace the next N characters (N may be 0: an insertion) by the
//	                      lines joined with "\n"
//
// The kept and deleted lengths add up to the length of the document the set applies to.
// Lengths and positions count UTF-16 code units, as JavaScript strings do: "é" is one unit,
// "🇫🇷" four, "👩‍👩‍👧" eight. Go strings are UTF-8, so this package converts, and
// refuses to cut a character encoded as a surrogate pair in two.
package changeset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Errors of Parse and Apply, for errors.Is.
var (
	// ErrInvalid: the JSON is not a CodeMirror change set.
	ErrInvalid = errors.New("changeset: not a CodeMirror change set")
	// ErrLength: the change set covers a document of another length.
	ErrLength = errors.New("changeset: change set does not match the document's length")
	// ErrSurrogate: a section boundary falls inside a character encoded as a surrogate pair.
	ErrSurrogate = errors.New("changeset: position inside a surrogate pair")
)

// MaxSectionLength bounds a single section's length: far beyond any document the service
// accepts, and small enough that sums cannot overflow.
const MaxSectionLength = 1 << 30

// Section is one run of a change set.
type Section struct {
	// Len is the section's length in the old document, in UTF-16 code units.
	Len int
	// Replaced is false for a kept run, true for a run deleted or replaced by Insert.
	Replaced bool
	// Insert is the text put in the run's place (Replaced only); "" for a deletion.
	Insert string
}

// ChangeSet is a parsed change set. It is immutable; the zero value is the empty set of
// the empty document.
type ChangeSet struct {
	sections []Section
}

// New returns the change set made of sections (copied).
func New(sections ...Section) ChangeSet {
	return ChangeSet{sections: append([]Section(nil), sections...)}
}

// Sections returns a copy of the change set's sections.
func (c ChangeSet) Sections() []Section { return append([]Section(nil), c.sections...) }

// Len is the length, in UTF-16 code units, of the document the change set applies to.
func (c ChangeSet) Len() int {
	n := 0
	for _, s := range c.sections {
		n += s.Len
	}
	return n
}

// NewLen is the length, in UTF-16 code units, of the document the change set produces.
func (c ChangeSet) NewLen() int {
	n := 0
	for _, s := range c.sections {
		if s.Replaced {
			n += Len16(s.Insert)
		} else {
			n += s.Len
		}
	}
	return n
}

// Empty reports whether the change set changes nothing.
func (c ChangeSet) Empty() bool {
	for _, s := range c.sections {
		if s.Replaced && (s.Len > 0 || s.Insert != "") {
			return false
		}
	}
	return true
}

// Parse reads a change set in CodeMirror's JSON form. It is stricter than
// ChangeSet.fromJSON in two ways that keep the server's text what an editor holds:
// lengths must be integers in [0, MaxSectionLength], and inserted lines must not contain
// line breaks ("\n" or "\r"), which a CodeMirror document never holds inside a line.
func Parse(raw json.RawMessage) (ChangeSet, error) {
	var parts []json.RawMessage
	if err := strictUnmarshal(raw, &parts); err != nil || parts == nil {
		return ChangeSet{}, fmt.Errorf("%w: the JSON must be an array", ErrInvalid)
	}
	out := make([]Section, 0, len(parts))
	for i, part := range parts {
		part = bytes.TrimSpace(part)
		if len(part) > 0 && part[0] != '[' {
			n, err := length(part)
			if err != nil {
				return ChangeSet{}, fmt.Errorf("%w: section %d: %v", ErrInvalid, i, err)
			}
			out = append(out, Section{Len: n})
			continue
		}
		var items []json.RawMessage
		if err := strictUnmarshal(part, &items); err != nil || len(items) == 0 {
			return ChangeSet{}, fmt.Errorf("%w: section %d must be a number or [length, lines…]", ErrInvalid, i)
		}
		n, err := length(bytes.TrimSpace(items[0]))
		if err != nil {
			return ChangeSet{}, fmt.Errorf("%w: section %d: %v", ErrInvalid, i, err)
		}
		lines := make([]string, 0, len(items)-1)
		for j, item := range items[1:] {
			var line string
			if err := strictUnmarshal(item, &line); err != nil || bytes.Equal(bytes.TrimSpace(item), []byte("null")) {
				return ChangeSet{}, fmt.Errorf("%w: section %d: line %d is not a string", ErrInvalid, i, j)
			}
			if strings.ContainsAny(line, "\r\n") {
				return ChangeSet{}, fmt.Errorf("%w: section %d: line %d contains a line break", ErrInvalid, i, j)
			}
			lines = append(lines, line)
		}
		out = append(out, Section{Len: n, Replaced: true, Insert: strings.Join(lines, "\n")})
	}
	return ChangeSet{sections: out}, nil
}

// UnmarshalJSON implements json.Unmarshaler with Parse.
func (c *ChangeSet) UnmarshalJSON(b []byte) error {
	cs, err := Parse(b)
	if err != nil {
		return err
	}
	*c = cs
	return nil
}

// strictUnmarshal decodes exactly one JSON value: json.Unmarshal refuses anything after
// it (a json.Decoder would let "[1] ]" through, and costs a buffer per call, which every
// fold of an opinion's history pays for each change set).
func strictUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// length reads a section length: a non-negative JSON integer written without sign,
// fraction or exponent, as JavaScript's JSON.stringify writes one.
func length(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, errors.New("a length must be a small non-negative integer")
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%s is not a non-negative integer", b)
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, fmt.Errorf("%s is not a JSON number", b)
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n > MaxSectionLength {
		return 0, fmt.Errorf("%s is too large", b)
	}
	return n, nil
}

// MarshalJSON writes the change set as CodeMirror's ChangeSet.toJSON does: a deletion is
// [N], a replacement [N, lines…], compact. The zero change set is [].
func (c ChangeSet) MarshalJSON() ([]byte, error) {
	parts := make([]any, 0, len(c.sections))
	for _, s := range c.sections {
		switch {
		case !s.Replaced:
			parts = append(parts, s.Len)
		case s.Insert == "":
			parts = append(parts, []any{s.Len})
		default:
			part := []any{s.Len}
			for _, line := range strings.Split(s.Insert, "\n") {
				part = append(part, line)
			}
			parts = append(parts, part)
		}
	}
	// Escaped as encoding/json escapes (<, >, & as \u003c…): json.Marshal applies that
	// escaping to a Marshaler's output anyway, so this form survives it unchanged.
	return json.Marshal(parts)
}

// String returns the JSON form.
func (c ChangeSet) String() string {
	b, _ := c.MarshalJSON()
	return string(b)
}

// Apply returns doc with the changes made. It fails with ErrLength when the change set
// covers a document of another length, and with ErrSurrogate when a section starts or
// ends between the two halves of a surrogate pair.
func (c ChangeSet) Apply(doc string) (string, error) {
	if total := c.Len(); total != Len16(doc) {
		return "", fmt.Errorf("%w: it covers %d units, the document has %d", ErrLength, total, Len16(doc))
	}
	var out strings.Builder
	out.Grow(len(doc))
	pos := 0 // byte offset in doc
	for i, s := range c.sections {
		end, err := advance(doc, pos, s.Len)
		if err != nil {
			return "", fmt.Errorf("section %d: %w", i, err)
		}
		if s.Replaced {
			out.WriteString(s.Insert)
		} else {
			out.WriteString(doc[pos:end])
		}
		pos = end
	}
	return out.String(), nil
}

// advance returns the byte offset n UTF-16 units after the byte offset pos.
func advance(s string, pos, n int) (int, error) {
	for n > 0 {
		if pos >= len(s) {
			return 0, ErrLength
		}
		r, w := utf8.DecodeRuneInString(s[pos:])
		u := units(r)
		if u > n {
			return 0, ErrSurrogate
		}
		n -= u
		pos += w
	}
	return pos, nil
}

// units is the number of UTF-16 code units of a rune (a byte that is not UTF-8 decodes
// as U+FFFD: one unit).
func units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// Len16 is the length of s in UTF-16 code units: JavaScript's s.length.
func Len16(s string) int {
	n := 0
	for _, r := range s {
		n += units(r)
	}
	return n
}

// Offset16 converts a byte offset in s (at a character boundary) to UTF-16 code units.
func Offset16(s string, byteOffset int) int { return Len16(s[:byteOffset]) }

// Slice16 returns s between the UTF-16 offsets from and to, or false when they are out of
// range, reversed or inside a surrogate pair.
func Slice16(s string, from, to int) (string, bool) {
	if from < 0 || to < from {
		return "", false
	}
	start, err := advance(s, 0, from)
	if err != nil {
		return "", false
	}
	end, err := advance(s, start, to-from)
	if err != nil {
		return "", false
	}
	return s[start:end], true
}

// Splice returns the change set that replaces the UTF-16 range [from, to) of a document
// of length docLen by insert: what accepting an amendment does to the text.
func Splice(docLen, from, to int, insert string) ChangeSet {
	var out []Section
	if from > 0 {
		out = append(out, Section{Len: from})
	}
	if to > from || insert != "" {
		out = append(out, Section{Len: to - from, Replaced: true, Insert: insert})
	}
	if docLen > to {
		out = append(out, Section{Len: docLen - to})
	}
	return ChangeSet{sections: out}
}

// Replace returns the smallest single replacement that turns old into new: the common
// prefix and suffix are kept (whole characters only, never half a surrogate pair) and the
// middle is replaced. Equal strings give a change set that changes nothing. This is how a
// whole-text edit becomes a change like any other.
func Replace(old, new string) ChangeSet {
	prefix := 0 // bytes
	for prefix < len(old) && prefix < len(new) {
		r1, w1 := utf8.DecodeRuneInString(old[prefix:])
		r2, w2 := utf8.DecodeRuneInString(new[prefix:])
		if r1 != r2 || w1 != w2 || old[prefix:prefix+w1] != new[prefix:prefix+w2] {
			break
		}
		prefix += w1
	}
	suffix := 0 // bytes
	for suffix < len(old)-prefix && suffix < len(new)-prefix {
		r1, w1 := utf8.DecodeLastRuneInString(old[prefix : len(old)-suffix])
		r2, w2 := utf8.DecodeLastRuneInString(new[prefix : len(new)-suffix])
		if r1 != r2 || w1 != w2 || old[len(old)-suffix-w1:len(old)-suffix] != new[len(new)-suffix-w2:len(new)-suffix] {
			break
		}
		suffix += w1
	}
	head, mid, tail := Len16(old[:prefix]), Len16(old[prefix:len(old)-suffix]), Len16(old[len(old)-suffix:])
	return Splice(head+mid+tail, head, head+mid, new[prefix:len(new)-suffix])
}

// MapRange follows the UTF-16 range [from, to) of the old document through the change
// set: it returns where the range starts in the new document, and false when a change
// deletes, replaces or inserts inside the range (text inserted exactly at either end
// leaves it intact). Amendments use it to know whether their passage is still there.
func (c ChangeSet) MapRange(from, to int) (int, bool) {
	shift, pos := 0, 0
	for _, s := range c.sections {
		end := pos + s.Len
		if s.Replaced {
			switch {
			case end <= from:
				shift += Len16(s.Insert) - s.Len
			case pos < to: // end > from here: the change overlaps the range or inserts inside it
				return 0, false
			}
		}
		pos = end
	}
	if from > pos || to > pos {
		return 0, false
	}
	return from + shift, true
}
