package changeset

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzAlphabet is what generated changes insert: accents, CJK, surrogate pairs, a ZWJ, a
// combining accent, a line break.
var fuzzAlphabet = []string{"a", " ", "\n", "é", "É", "教", "育", "😀", "🇫", "🇷", "👩", "\u200d", "\u0301", "z"}

// genSet turns bytes into a change set on doc, one section per byte, in every shape a
// parsed set may have: zero-length kept runs and deletions, insertions next to
// replacements, adjacent runs of the same kind. Positions fall between characters only
// (as an editor's do); what the bytes do not cover is kept.
func genSet(doc string, ops []byte) ChangeSet {
	var out []Section
	pos := 0 // byte offset in doc
	// take returns the UTF-16 length of the next n characters and moves past them.
	take := func(n int) int {
		n16 := 0
		for ; n > 0 && pos < len(doc); n-- {
			r, w := utf8.DecodeRuneInString(doc[pos:])
			n16 += units(r)
			pos += w
		}
		return n16
	}
	text := func(b byte) string {
		s := ""
		for i := range int(b>>5)%3 + 1 {
			s += fuzzAlphabet[(int(b)+i*5)%len(fuzzAlphabet)]
		}
		return s
	}
	for _, b := range ops {
		n := int(b>>2) % 4 // characters: 0 to 3
		switch b % 4 {
		case 0:
			out = append(out, Section{Len: take(n)})
		case 1:
			out = append(out, Section{Len: take(n), Replaced: true})
		case 2:
			out = append(out, Section{Replaced: true, Insert: text(b)})
		case 3:
			out = append(out, Section{Len: take(n), Replaced: true, Insert: text(b)})
		}
	}
	if rest := take(len(doc)); rest > 0 {
		out = append(out, Section{Len: rest})
	}
	return ChangeSet{sections: out}
}

// FuzzMapCompose checks what a collab client relies on, for any document and concurrent
// change sets a and b and a set c made after a:
//
//   - convergence (CodeMirror's map contract): b.Map(a) after a gives the document
//     a.Map(b, true) after b gives;
//   - a.Compose(c) gives what a then c gives, and composing is associative;
//   - rebasing over several changes converges too (test-change.ts's "mapping still
//     converges when mapping through multiple changes");
//   - results are normalised, and survive MarshalJSON and Parse unchanged.
//
// The generated sets come in every shape Parse accepts, normalised or not.
//
// The seeds run in every `go test`; `go test -fuzz FuzzMapCompose` explores further.
func FuzzMapCompose(f *testing.F) {
	seeds := []struct {
		doc     string
		a, b, c []byte
	}{
		{"", []byte{2}, []byte{2}, []byte{2}},
		{"Le comité 🇫🇷 recommande 教育", []byte{0x20, 0x0d, 0x06, 0x3c}, []byte{0x24, 0x02, 0x2f}, []byte{0x11, 0x0e}},
		{"👩‍👩‍👧 familles", []byte{0x07, 0x0b}, []byte{0x05, 0x12, 0x42}, []byte{0x0c, 0x03}},
		{"教育数字化", []byte{0x04, 0x0a, 0x02, 0x0b}, []byte{0x08, 0x0d}, []byte{0x0f, 0x0f, 0x0f}},
		{"a\nb\nc", []byte{0x01, 0x02, 0x03}, []byte{0x03, 0x02, 0x01}, []byte{0x00, 0x00, 0x06}},
		{"élève", []byte{0x00, 0x02, 0x00, 0x02}, []byte{0x0e, 0x02, 0x0e}, []byte{0x26}},
		{"a\xffb\xe2\x82", []byte{0x05, 0x22}, []byte{0x0d}, []byte{0x01}},
		{"000\xe8000\xa3\xb5", []byte("9"), []byte("0"), []byte("8\r")},
	}
	for _, s := range seeds {
		f.Add(s.doc, s.a, s.b, s.c)
	}
	f.Fuzz(func(t *testing.T, doc string, opsA, opsB, opsC []byte) {
		if len(doc) > 200 || len(opsA) > 40 || len(opsB) > 40 || len(opsC) > 40 {
			return
		}
		// Texts reach the service as JSON strings: valid UTF-8. (Invalid bytes count one
		// unit each, but deleting what lies between two of them may join them into one
		// character.)
		doc = strings.ToValidUTF8(doc, "\uFFFD")
		a, b := genSet(doc, opsA), genSet(doc, opsB)
		afterA, afterB := apply(t, a, doc), apply(t, b, doc)
		bOverA, aUnderB := mapped(t, b, a, false), mapped(t, a, b, true)
		if x, y := apply(t, bOverA, afterA), apply(t, aUnderB, afterB); x != y {
			t.Fatalf("on %q, a %v, b %v: a then b.Map(a) gives %q, b then a.Map(b, true) %q",
				doc, a.Sections(), b.Sections(), x, y)
		}
		ab, ba := composed(t, a, bOverA), composed(t, b, aUnderB)
		if x, y := apply(t, ab, doc), apply(t, ba, doc); x != y {
			t.Fatalf("on %q: a.Compose(b.Map(a)) gives %q, b.Compose(a.Map(b, true)) %q", doc, x, y)
		}

		c := genSet(afterA, opsC)
		ac := composed(t, a, c)
		if x, y := apply(t, ac, doc), apply(t, c, afterA); x != y {
			t.Fatalf("on %q, a %v, c %v: composed gives %q, one after the other %q", doc, a.Sections(), c.Sections(), x, y)
		}
		d := genSet(apply(t, c, afterA), opsB)
		if x, y := apply(t, composed(t, ac, d), doc), apply(t, composed(t, a, composed(t, c, d)), doc); x != y {
			t.Fatalf("on %q: composing is not associative: %q, %q", doc, x, y)
		}

		// The authority accepted a then c; a client that made b rebases it over both, and
		// receives a and c rebased over b.
		bOverAC, cUnderB := mapped(t, bOverA, c, false), mapped(t, c, bOverA, true)
		if x, y := apply(t, bOverAC, apply(t, c, afterA)), apply(t, cUnderB, apply(t, aUnderB, afterB)); x != y {
			t.Fatalf("on %q, a %v, c %v, b %v: mapping through two changes: %q, %q", doc, a.Sections(), c.Sections(), b.Sections(), x, y)
		}

		for _, cs := range []ChangeSet{bOverA, aUnderB, ab, ac, bOverAC} {
			raw, err := json.Marshal(cs)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(raw)
			if err != nil || !reflect.DeepEqual(back.Sections(), cs.Sections()) {
				t.Fatalf("%s does not parse back: %v %v", raw, back.Sections(), err)
			}
			if n := cs.Normalize(); !reflect.DeepEqual(n.Sections(), cs.Sections()) {
				t.Fatalf("%s is not normalised: %s", cs, n)
			}
		}
	})
}

func apply(t *testing.T, c ChangeSet, doc string) string {
	t.Helper()
	out, err := c.Apply(doc)
	if err != nil {
		t.Fatalf("%v on %q: %v", c.Sections(), doc, err)
	}
	return out
}

func mapped(t *testing.T, c, over ChangeSet, before bool) ChangeSet {
	t.Helper()
	out, err := c.Map(over, before)
	if err != nil {
		t.Fatalf("%v over %v: %v", c.Sections(), over.Sections(), err)
	}
	return out
}

func composed(t *testing.T, c, next ChangeSet) ChangeSet {
	t.Helper()
	out, err := c.Compose(next)
	if err != nil {
		t.Fatalf("%v then %v: %v", c.Sections(), next.Sections(), err)
	}
	return out
}
