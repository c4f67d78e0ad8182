package changeset

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestLen16(t *testing.T) {
	for s, want := range map[string]int{
		"":          0,
		"avis":      4,
		"éducation": 9,
		"🇫🇷":        4,
		"👩‍👩‍👧":     8,
		"教育":        2,
		"é\u0301":   2,
		"a\xffb":    3, // a byte that is not UTF-8 counts as U+FFFD
	} {
		if got := Len16(s); got != want {
			t.Errorf("Len16(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestParseApplyMarshal(t *testing.T) {
	cases := []struct {
		name, doc, json, want string
		canonical             string // MarshalJSON output when it differs from json
	}{
		{name: "empty set of the empty document", doc: "", json: `[]`, want: ""},
		{name: "keep everything", doc: "Avis n° 1", json: `[9]`, want: "Avis n° 1"},
		{name: "insertion into the empty document", doc: "", json: `[[0,"Le comité recommande"]]`, want: "Le comité recommande"},
		{name: "insertion of several lines", doc: "", json: `[[0,"Titre","","Texte"]]`, want: "Titre\n\nTexte"},
		{name: "deletion", doc: "Le comité recommande vivement", json: `[20,[9]]`, want: "Le comité recommande"},
		{name: "replacement in the middle", doc: "Les mairies équipent les écoles",
			json: `[4,[7,"collectivités"],20]`, want: "Les collectivités équipent les écoles"},
		{name: "accents count one unit", doc: "élève", json: `[[1,"É"],4]`, want: "Élève"},
		{name: "flag emoji: four units", doc: "🇫🇷 France", json: `[4,[7," République"]]`, want: "🇫🇷 République"},
		{name: "family emoji: eight units", doc: "👩‍👩‍👧 familles", json: `[[8],9]`, want: " familles"},
		{name: "CJK", doc: "教育数字化", json: `[2,[3,"改革"]]`, want: "教育改革"},
		{name: "two replacements", doc: "a b c", json: `[[1,"x"],3,[1,"z"]]`, want: "x b z"},
		{name: "empty replacement line is a deletion", doc: "abc", json: `[[1,""],2]`, want: "bc", canonical: `[[1],2]`},
		{name: "zero-length keep", doc: "abc", json: `[0,3]`, want: "abc"},
		{name: "white space in the JSON", doc: "abc", json: " [ 1 , [ 1 , \"X\" ] , 1 ] ", want: "aXc", canonical: `[1,[1,"X"],1]`},
		{name: "HTML characters are escaped as encoding/json does", doc: "", json: `[[0,"<p>&</p>"]]`, want: "<p>&</p>", canonical: `[[0,"\u003cp\u003e\u0026\u003c/p\u003e"]]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Parse(json.RawMessage(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			got, err := cs.Apply(tc.doc)
			if err != nil || got != tc.want {
				t.Fatalf("Apply = %q, %v; want %q", got, err, tc.want)
			}
			if cs.Len() != Len16(tc.doc) || cs.NewLen() != Len16(tc.want) {
				t.Errorf("Len %d NewLen %d", cs.Len(), cs.NewLen())
			}
			b, err := json.Marshal(cs)
			want := tc.canonical
			if want == "" {
				want = tc.json
			}
			if err != nil || string(b) != want {
				t.Fatalf("MarshalJSON = %s, %v; want %s", b, err, want)
			}
			var back ChangeSet
			if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, cs) {
				t.Fatalf("round trip: %v %v", back, err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{
		``, `null`, `{}`, `"abc"`, `3`, `[null]`, `[-1]`, `[1.5]`, `[1e2]`, `[01]`, `["3"]`, `[true]`,
		`[[]]`, `[["a"]]`, `[[1,2]]`, `[[1,null]]`, `[[1,"a\nb"]]`, `[[1,"a\rb"]]`, `[[-1,"a"]]`,
		`[99999999999]`, `[1073741825]`, `[1] [2]`, `[1] ]`, `[[1,"a"] ]]`, `[1,]`, `[{"from":0}]`,
	} {
		if _, err := Parse(json.RawMessage(s)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%s) = %v, want ErrInvalid", s, err)
		}
	}
}

func TestApplyRejects(t *testing.T) {
	cases := []struct {
		doc, json string
		want      error
	}{
		{"abc", `[2]`, ErrLength},
		{"abc", `[4]`, ErrLength},
		{"abc", `[]`, ErrLength},
		{"", `[[1]]`, ErrLength},
		{"🇫🇷", `[1,[3]]`, ErrSurrogate},      // splits the first regional indicator
		{"a😀b", `[2,[2,"x"]]`, ErrSurrogate}, // ends inside the emoji
		{"a😀b", `[[2],2]`, ErrSurrogate},
	}
	for _, tc := range cases {
		cs, err := Parse(json.RawMessage(tc.json))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := cs.Apply(tc.doc); !errors.Is(err, tc.want) {
			t.Errorf("%s on %q = %q, %v; want %v", tc.json, tc.doc, got, err, tc.want)
		}
	}
}

func TestReplace(t *testing.T) {
	cases := []struct{ old, new, json string }{
		{"", "", `[]`},
		{"même texte", "même texte", `[10]`},
		{"", "Le comité", `[[0,"Le comité"]]`},
		{"Le comité", "", `[[9]]`},
		{"Le comité recommande", "Le comité préconise", `[10,[9,"préconis"],1]`},
		{"avis adopté", "avis rejeté", `[5,[4,"reje"],2]`},
		{"Titre\nTexte", "Titre\n\nTexte ajouté", `[6,[5,"","Texte ajouté"]]`},
		// Never half a surrogate pair: 😀 (D83D DE00) and 😃 (D83D DE03) share their high half.
		{"a😀b", "a😃b", `[1,[2,"😃"],1]`},
		{"🇫🇷🇫🇷", "🇫🇷", `[4,[4]]`},
		{"👩‍👩‍👧", "👩‍👩‍👦", `[6,[2,"👦"]]`},
		{"aaa", "aa", `[2,[1]]`},
	}
	for _, tc := range cases {
		cs := Replace(tc.old, tc.new)
		got, err := cs.Apply(tc.old)
		if err != nil || got != tc.new {
			t.Errorf("Replace(%q, %q).Apply = %q, %v", tc.old, tc.new, got, err)
		}
		if b, _ := json.Marshal(cs); string(b) != tc.json {
			t.Errorf("Replace(%q, %q) = %s, want %s", tc.old, tc.new, b, tc.json)
		}
		if cs.Empty() != (tc.old == tc.new) {
			t.Errorf("Replace(%q, %q).Empty() = %v", tc.old, tc.new, cs.Empty())
		}
	}
}

func TestSliceSpliceMapRange(t *testing.T) {
	doc := "Le 🇫🇷 comité recommande"
	if s, ok := Slice16(doc, 3, 7); !ok || s != "🇫🇷" {
		t.Errorf("Slice16 = %q, %v", s, ok)
	}
	for _, r := range [][2]int{{4, 7}, {3, 4}, {-1, 2}, {5, 3}, {0, 100}} {
		if s, ok := Slice16(doc, r[0], r[1]); ok {
			t.Errorf("Slice16%v = %q, want refusal", r, s)
		}
	}
	if got, err := Splice(Len16(doc), 8, 14, "Comité").Apply(doc); err != nil || got != "Le 🇫🇷 Comité recommande" {
		t.Errorf("Splice: %q %v", got, err)
	}
	if got, err := Splice(3, 3, 3, "!").Apply("abc"); err != nil || got != "abc!" {
		t.Errorf("Splice at the end: %q %v", got, err)
	}

	// The passage "comité" is at [8, 14) in doc, 25 units long.
	cases := []struct {
		json   string
		want   int
		intact bool
	}{
		{`[25]`, 8, true},
		{`[[2,"Les"],23]`, 9, true},          // replaced before it
		{`[8,[0,"grand "],17]`, 14, true},    // inserted right before it
		{`[14,[0," national"],11]`, 8, true}, // inserted right after it
		{`[10,[0,"X"],15]`, 0, false},        // inserted inside it
		{`[7,[2],16]`, 0, false},             // deleted across its start
		{`[13,[3,"é r"],9]`, 0, false},       // replaced across its end
		{`[[25,"Nouveau texte"]]`, 0, false}, // replaced as a whole
		{`[3,[4],18]`, 4, true},              // the flag deleted before it
		{`[15,[10,"préconise"]]`, 8, true},   // changed after it
		{`[[8],17]`, 0, true},                // everything before it deleted
		{`[8,[6,"comité"],11]`, 0, false},    // replaced by the same text still counts
	}
	for _, tc := range cases {
		cs, err := Parse(json.RawMessage(tc.json))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := cs.MapRange(8, 14)
		if ok != tc.intact || (ok && got != tc.want) {
			t.Errorf("%s: MapRange = %d, %v; want %d, %v", tc.json, got, ok, tc.want, tc.intact)
		}
		if ok {
			after, err := cs.Apply(doc)
			if s, _ := Slice16(after, got, got+6); err != nil || s != "comité" {
				t.Errorf("%s: the passage moved to %d but %q is there", tc.json, got, s)
			}
		}
	}
}

// FuzzApply checks that Apply never panics on any change set and document, and that
// Replace(a, b) always turns a into b. The seeds run in every `go test`.
func FuzzApply(f *testing.F) {
	seeds := []struct{ doc, json, other string }{
		{"", `[]`, ""},
		{"Le comité recommande", `[10,[10,"préconise"]]`, "Le comité préconise"},
		{"🇫🇷 France", `[4,[7," République"]]`, "🇫🇷 République"},
		{"👩‍👩‍👧 familles", `[[8],9]`, "👩‍👩‍👦 familles"},
		{"a😀b", `[1,[1],2]`, "a😃b"},
		{"教育数字化", `[2,[3,"改革"]]`, "教育改革"},
		{"a\xffb\xe2\x82", `[1,[1,"x"],2]`, "a\x82\xacb"},
		{"ligne 1\nligne 2", `[[0,"",""],15]`, "ligne 2\nligne 1"},
		{"abc", `[[1,""],2]`, "abc"},
	}
	for _, s := range seeds {
		f.Add(s.doc, s.json, s.other)
	}
	f.Fuzz(func(t *testing.T, doc, js, other string) {
		if cs, err := Parse(json.RawMessage(js)); err == nil {
			if out, err := cs.Apply(doc); err == nil {
				if Len16(out) != cs.NewLen() {
					t.Fatalf("%s on %q: %q has %d units, NewLen %d", js, doc, out, Len16(out), cs.NewLen())
				}
			}
			b, err := json.Marshal(cs)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(b); err != nil {
				t.Fatalf("%s re-marshalled as %s: %v", js, b, err)
			}
		}
		cs := Replace(doc, other)
		got, err := cs.Apply(doc)
		if err != nil || got != other {
			t.Fatalf("Replace(%q, %q) = %v: Apply = %q, %v", doc, other, cs.Sections(), got, err)
		}
		if len(cs.Sections()) > 3 {
			t.Fatalf("Replace(%q, %q) has %d sections", doc, other, len(cs.Sections()))
		}
	})
}
