package changeset

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// mk builds a change set from CodeMirror's test notation: "5 0:2 3" keeps 5, inserts 2
// units (here "xx"), keeps 3; "2:0" deletes 2.
func mk(t *testing.T, spec string) ChangeSet {
	t.Helper()
	var out []Section
	for _, f := range strings.Fields(spec) {
		n, ins, replaced := strings.Cut(f, ":")
		l, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("spec %q: %v", spec, err)
		}
		if !replaced {
			out = append(out, Section{Len: l})
			continue
		}
		k, err := strconv.Atoi(ins)
		if err != nil {
			t.Fatalf("spec %q: %v", spec, err)
		}
		out = append(out, Section{Len: l, Replaced: true, Insert: strings.Repeat("x", k)})
	}
	return New(out...)
}

// desc writes a change set in CodeMirror's test notation (ChangeDesc.toString).
func desc(c ChangeSet) string {
	parts := make([]string, 0, len(c.sections))
	for _, s := range c.sections {
		if s.Replaced {
			parts = append(parts, fmt.Sprintf("%d:%d", s.Len, Len16(s.Insert)))
		} else {
			parts = append(parts, strconv.Itoa(s.Len))
		}
	}
	return strings.Join(parts, " ")
}

// TestComposeAsCodeMirror and TestMapAsCodeMirror hold the composition and mapping cases
// of @codemirror/state's test-change.ts, then a few more; every expected result is what
// @codemirror/state 6.7.6 returns.
func TestComposeAsCodeMirror(t *testing.T) {
	cases := [][]string{
		{"5 0:2", "1 2:0 4", "1 2:0 2 0:2"},           // unrelated changes
		{"2 0:2 2", "2 2:0 2", "4"},                   // an insertion cancelled by a deletion
		{"2 0:2 2", "4 0:3 2", "2 0:5 2"},             // adjacent insertions join
		{"2 5:0", "1 1:0", "1 6:0"},                   // adjacent deletions join
		{"2 2:0 0:3", "5:0", "4:0"},                   // a deletion shadows several changes
		{"", "0:8", "8:0", "", ""},                    // empty sets
		{"2 2:2 2:2 2", "1 2:2 2:2 2:2 1", "1 6:6 1"}, // replacements join
		{"1 2:2 2:2 2:2 1", "2 2:2 2:2 2", "1 6:6 1"}, //
		{"1 2:3 3:2 1", "2 3:1 2", "1 5:3 1"},         //
		{"2 0:2 2", "4 2", "2 0:2 2"},                 // a set that changes nothing
		{"3", "1 0:1 2", "1 0:1 2"},                   //
		{"1 0:1 2", "2 0:1 2", "1 0:2 2"},             //
		{"0:1 2:0 8", "1 1:0 7", "0:1 3:0 7"},
		{"2 2:1 2", "2 1:0 2", "2 2:0 2"},   // a replacement deleted again
		{"2 2:1 2", "0:3 5", "0:3 2 2:1 2"}, //
		{"1 0:4 1", "2 2:0 2", "1 0:2 1"},   // the middle of an insertion deleted
		{"1 0:4 1", "2 0:1 4", "1 0:5 1"},   // an insertion inside an insertion
		{"1 0:4 1", "3 1:1 2", "1 0:4 1"},   //
		{"1 0:4 1", "4 2:0", "1 1:3"},       // the end of an insertion and what follows deleted
	}
	for _, tc := range cases {
		want := tc[len(tc)-1]
		got := mk(t, tc[0])
		for _, next := range tc[1 : len(tc)-1] {
			var err error
			if got, err = got.Compose(mk(t, next)); err != nil {
				t.Fatalf("%v: %v", tc, err)
			}
		}
		if desc(got) != want {
			t.Errorf("compose %v = %q, want %q", tc[:len(tc)-1], desc(got), want)
		}
	}
	for _, tc := range [][2]string{{"2 0:2", "1 0:1"}, {"2 0:2", "30 0:1"}, {"2 2:0 0:3", "7:0"}} {
		if _, err := mk(t, tc[0]).Compose(mk(t, tc[1])); !errors.Is(err, ErrLength) {
			t.Errorf("compose %v: %v, want ErrLength", tc, err)
		}
	}
}

func TestMapAsCodeMirror(t *testing.T) {
	cases := []struct {
		a, b   string
		before bool
		want   string
	}{
		{"4 0:1", "0:3 4", false, "7 0:1"}, // over an insertion
		{"4 0:1", "2:0 2", false, "2 0:1"}, // over a deletion
		{"2 0:1 2", "2 0:1 2", false, "3 0:1 2"},
		{"2 0:1 2", "2 0:1 2", true, "2 0:1 3"},
		{"2 2:0", "2 1:2 1", false, "4 1:0"}, // a deletion over an overlapping replacement
		{"2 2:0", "2 1:2 1", true, "4 1:0"},
		{"0:1 2:0 8", "6 1:0 0:5 3", false, "0:1 2:0 12"},
		{"5:0 2 3:0 2", "4 4:0 4", false, "6:0 2"},     // deletions join
		{"2 0:1 2", "4:0", true, "0:1"},                // insertions in deletions are kept
		{"4 0:1 4", "2 4:0 2", false, "2 0:1 2"},       //
		{"2 2:2 2", "0:2 6", false, "4 2:2 2"},         // replacements are kept
		{"2 2:2 2", "3:0 3", false, "1:2 2"},           //
		{"1 4:4 1", "3 0:2 3", false, "1 2:4 2 2:0 1"}, //
		{"1 4:4 1", "2 2:0 2", false, "1 2:4 1"},       //
		{"2 2:2 2", "3 2:0 1", false, "2 1:2 1"},       //
		{"2:2 2 2:2", "2 2:0 2", false, "2:2 2:2"},     // replacements are not joined
		{"2 2:0 2", "2 2:0 2", true, "4"},              // a deletion made twice
		{"2 2:0 2", "2 2:0 2", false, "4"},             //
		{"1 1:2 1", "1 1:1 1", false, "2 0:2 1"},       // overlapping replacements
		{"1 1:2 1", "1 1:1 1", true, "1 0:2 2"},        //
		{"1 1:2 2", "1 2:1 1", false, "1 0:2 2"},       //
		{"2 1:2 1", "1 2:1 1", false, "2 0:2 1"},       //
		{"2:1 1", "1 2:2", false, "1:1 2"},             //
		{"1 2:1", "2:2 1", false, "2 1:1"},             //
		{"3", "1 0:2 2", false, "5"},                   // a set that changes nothing
		{"1 0:2 2", "3", false, "1 0:2 2"},             // over one that changes nothing: unchanged
	}
	for _, tc := range cases {
		got, err := mk(t, tc.a).Map(mk(t, tc.b), tc.before)
		if err != nil || desc(got) != tc.want {
			t.Errorf("map %q over %q (before %v) = %q, %v; want %q", tc.a, tc.b, tc.before, desc(got), err, tc.want)
		}
	}
	if _, err := mk(t, "2 0:2").Map(mk(t, "3"), false); !errors.Is(err, ErrLength) {
		t.Errorf("map over a set of another length: %v", err)
	}
}

// TestCodeMirrorVectors replays testdata/codemirror-vectors.jsonl: random change sets on
// multi-byte documents, composed and mapped by @codemirror/state itself
// (testdata/codemirror-vectors.mjs). Compose and Map must give the same sections, and the
// documents must agree.
func TestCodeMirrorVectors(t *testing.T) {
	f, err := os.Open("testdata/codemirror-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var composed, mapped int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var v struct {
			Doc                           string
			A, B, Compose, Map, MapBefore json.RawMessage
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		a, b := mustParse(t, v.A), mustParse(t, v.B)
		check := func(what string, got ChangeSet, err error, want json.RawMessage) {
			t.Helper()
			if err != nil || got.String() != mustParse(t, want).String() {
				t.Errorf("line %d: %s = %s, %v; CodeMirror: %s", line, what, got, err, want)
			}
		}
		if v.Compose != nil {
			composed++
			got, err := a.Compose(b)
			check("a.compose(b)", got, err, v.Compose)
			mid := mustApply(t, a, v.Doc)
			if whole := mustApply(t, got, v.Doc); whole != mustApply(t, b, mid) {
				t.Errorf("line %d: composed gives %q, one after the other %q", line, whole, mustApply(t, b, mid))
			}
			continue
		}
		mapped++
		over, err := a.Map(b, false)
		check("a.map(b)", over, err, v.Map)
		under, err := a.Map(b, true)
		check("a.map(b, true)", under, err, v.MapBefore)
		bOver, err := b.Map(a, true)
		if err != nil {
			t.Fatal(err)
		}
		if x, y := mustApply(t, over, mustApply(t, b, v.Doc)), mustApply(t, bOver, mustApply(t, a, v.Doc)); x != y {
			t.Errorf("line %d: b then a.map(b) gives %q, a then b.map(a, true) %q", line, x, y)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if composed < 100 || mapped < 100 {
		t.Fatalf("only %d compositions and %d mappings", composed, mapped)
	}
}

func mustParse(t *testing.T, raw json.RawMessage) ChangeSet {
	t.Helper()
	c, err := Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return c
}

func mustApply(t *testing.T, c ChangeSet, doc string) string {
	t.Helper()
	out, err := c.Apply(doc)
	if err != nil {
		t.Fatalf("%s on %q: %v", c, doc, err)
	}
	return out
}

// TestConcurrentMultiByteEdits is two editors of « Le comité 🇫🇷 » typing at once: the
// rebased changes must converge on text with accents, surrogate pairs and CJK intact.
func TestConcurrentMultiByteEdits(t *testing.T) {
	doc := "Le comité 🇫🇷 recommande 教育"
	cases := []struct {
		name, a, b, want string // want: b applied first, then a mapped over it
	}{
		{"inserts at the same place: the other's text first", `[10,[0,"👩‍👩‍👧 "],18]`, `[10,[0,"national "],18]`,
			"Le comité national 👩‍👩‍👧 🇫🇷 recommande 教育"},
		{"a deletion across a concurrent insertion keeps the insertion", `[3,[11],14]`, `[9,[0,"É"],19]`,
			"Le É recommande 教育"},
		{"both delete the flag", `[10,[4],14]`, `[10,[5],13]`, "Le comité recommande 教育"},
		{"replacements side by side", `[26,[2,"数字化"]]`, `[[2,"Les"],26]`, "Les comité 🇫🇷 recommande 数字化"},
		{"an emoji replaced while typed after", `[10,[4,"🇪🇺"],14]`, `[14,[0,"😀"],14]`, "Le comité 🇪🇺😀 recommande 教育"},
		{"CJK inserted inside a deleted word", `[27,[0,"数字"],1]`, `[26,[2]]`, "Le comité 🇫🇷 recommande 数字"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mustParse(t, json.RawMessage(tc.a)), mustParse(t, json.RawMessage(tc.b))
			aOver, err := a.Map(b, false)
			if err != nil {
				t.Fatal(err)
			}
			bUnder, err := b.Map(a, true)
			if err != nil {
				t.Fatal(err)
			}
			viaB := mustApply(t, aOver, mustApply(t, b, doc))
			viaA := mustApply(t, bUnder, mustApply(t, a, doc))
			if viaA != viaB || viaB != tc.want {
				t.Fatalf("via b: %q, via a: %q, want %q", viaB, viaA, tc.want)
			}
			// The authority composes what it accepted: one set from doc to the result.
			both, err := b.Compose(aOver)
			if err != nil || mustApply(t, both, doc) != tc.want {
				t.Fatalf("composed: %s %v", both, err)
			}
		})
	}
}

func TestComposeMapRejects(t *testing.T) {
	// The second set cuts the emoji the first inserts.
	if _, err := mustParse(t, json.RawMessage(`[[0,"😀"],1]`)).Compose(mustParse(t, json.RawMessage(`[1,[2]]`))); !errors.Is(err, ErrSurrogate) {
		t.Errorf("compose cutting an inserted emoji: %v", err)
	}
	for _, bad := range []ChangeSet{New(Section{Len: -1}, Section{Len: 2}), New(Section{Len: 1, Insert: "x"}),
		New(Section{Len: MaxSectionLength + 1})} {
		if _, err := bad.Compose(New(Section{Len: bad.NewLen()})); !errors.Is(err, ErrInvalid) {
			t.Errorf("compose %v: %v", bad.Sections(), err)
		}
		if _, err := bad.Map(New(Section{Len: bad.Len()}), false); !errors.Is(err, ErrInvalid) {
			t.Errorf("map %v: %v", bad.Sections(), err)
		}
		if _, err := New(Section{Len: bad.Len()}).Map(bad, false); !errors.Is(err, ErrInvalid) {
			t.Errorf("map over %v: %v", bad.Sections(), err)
		}
	}
	// A set CodeMirror calls empty hands the other back (normalised).
	a := mustParse(t, json.RawMessage(`[0,[0],3]`))
	if got, err := a.Map(mustParse(t, json.RawMessage(`[3]`)), false); err != nil || got.String() != `[3]` {
		t.Errorf("map over a bare set: %v %v", got, err)
	}
	b := mustParse(t, json.RawMessage(`[1,[0,"x"],2]`))
	if got, err := mustParse(t, json.RawMessage(`[3]`)).Compose(b); err != nil || !reflect.DeepEqual(got, b) {
		t.Errorf("compose after a bare set: %v %v", got, err)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		`[]`:                              `[]`,
		`[0]`:                             `[]`,
		`[[0]]`:                           `[]`,
		`[[0,""]]`:                        `[]`,
		`[0,3]`:                           `[3]`,
		`[1,2,[0],3]`:                     `[6]`,
		`[0,[2],[3],[0,"a"],[0,"b"],101]`: `[[5],[0,"ab"],101]`,
		`[[2],[0,"é"],[1,"😀"]]`:           `[[2],[0,"é"],[1,"😀"]]`, // a deletion, then an insertion, then a replacement stay apart
		`[[0,"a",""],[0,"b"],2]`:          `[[0,"a","b"],2]`,
		`[[1,"x"],[1,"y"]]`:               `[[1,"x"],[1,"y"]]`,
	} {
		got := mustParse(t, json.RawMessage(in)).Normalize()
		if got.String() != want {
			t.Errorf("Normalize(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestComposeEmptyKeptRunFirst is the shape on which CodeMirror's own compose goes wrong
// (see Normalize): Compose must still give what applying one set after the other gives.
func TestComposeEmptyKeptRunFirst(t *testing.T) {
	doc := "Le comité 🇫🇷 recommande 教育"
	a := mustParse(t, json.RawMessage(`[0,[3],[0,"育"],3,22]`))
	b := mustParse(t, json.RawMessage(`[[0,"a",""],[3,"教👩"],23]`))
	ab, err := a.Compose(b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustApply(t, ab, doc), mustApply(t, b, mustApply(t, a, doc)); got != want || want != "a\n教👩mité 🇫🇷 recommande 教育" {
		t.Fatalf("composed %s gives %q, one after the other %q", ab, got, want)
	}
}
