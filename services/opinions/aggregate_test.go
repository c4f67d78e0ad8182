package opinions

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus/bustest"
)

func TestDerivedIDs(t *testing.T) {
	if want := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:comite:opinions:ids")); idNamespace != want {
		t.Fatalf("idNamespace = %s, want %s", idNamespace, want)
	}
	if OpinionIDFor("c1") != OpinionIDFor("c1") || OpinionIDFor("c1") == OpinionIDFor("c2") ||
		OpinionIDFor("c1") == AmendmentIDFor("c1") {
		t.Fatal("derived IDs are not deterministic and distinct")
	}
	s := OpinionStream(OpinionIDFor("c1"))
	if err := events.ValidStream(s); err != nil || s[:8] != "opinion-" {
		t.Fatalf("stream %q: %v", s, err)
	}
}

func TestTextSHA256(t *testing.T) {
	// The SHA-256 of the UTF-8 bytes (sha256sum of the same text).
	for text, want := range map[string]string{
		"":             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"avis":         "010a4e39b015b56834bb00257cec67ad1b7e0129d8ea5ad8e64be972999f5c29",
		"é":            "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
		"🇫🇷 Le comité": "466d20e12e9cf3e8a3f6649c36fa4ba57ae075fdb2d789e680ca01a5f1d06167",
	} {
		if got := TextSHA256(text); got != want {
			t.Errorf("TextSHA256(%q) = %s, want %s", text, got, want)
		}
	}
}

// TestEvolveIsPure checks that Evolve leaves the state it is given as it was, maps
// included, and follows pending amendments through text changes.
func TestEvolveIsPure(t *testing.T) {
	id, am1, am2 := OpinionIDFor("o"), AmendmentIDFor("a1"), AmendmentIDFor("a2")
	given := []events.Payload{
		Created{OpinionID: id, Kind: KindOpinion, Title: "Avis"},
		DraftChanged{OpinionID: id, Version: 1, Source: SourceInitial, Changes: json.RawMessage(`[[0,"Les écoles et les collèges"]]`)},
		SubmittedForReview{OpinionID: id, Version: 1},
		AmendmentProposed{OpinionID: id, AmendmentID: am1, Passage: "Les écoles", Replacement: "Les écoles primaires", Offset: 0, Version: 1},
		AmendmentProposed{OpinionID: id, AmendmentID: am2, Passage: "collèges", Replacement: "lycées", Offset: 18, Version: 1},
	}
	before := Fold(given...)
	snapshot := Fold(given...)
	after := Evolve(before, AmendmentAccepted{OpinionID: id, AmendmentID: am1})
	after = Evolve(after, DraftChanged{OpinionID: id, Version: 2, Source: SourceAmendment, AmendmentID: am1,
		Changes: json.RawMessage(`[[10,"Les écoles primaires"],16]`)})
	if !reflect.DeepEqual(before, snapshot) {
		t.Fatal("Evolve modified the state it was given")
	}
	if after.Text != "Les écoles primaires et les collèges" || after.Version != 2 || after.Corrupt {
		t.Fatalf("after: %q v%d corrupt=%v", after.Text, after.Version, after.Corrupt)
	}
	if a := after.Amendments[am2]; a.Offset != 28 || a.Outdated || !a.Pending() {
		t.Fatalf("am2 after am1: %+v", a)
	}
	if a := after.Amendments[am1]; a.Status != AmendmentStatusAccepted {
		t.Fatalf("am1: %+v", a)
	}
	if got := after.PendingAmendments(); !reflect.DeepEqual(got, []uuid.UUID{am2}) {
		t.Fatalf("pending %v", got)
	}
	// A change across am2's passage makes it outdated.
	hit := Evolve(after, DraftChanged{OpinionID: id, Version: 3, Changes: json.RawMessage(`[30,[6,"lycées"]]`)})
	if !hit.Amendments[am2].Outdated || after.Amendments[am2].Outdated {
		t.Fatal("a change across the passage does not outdate the amendment (or touched the earlier state)")
	}
	// A version out of sequence or a change set that does not apply marks the state.
	if !Evolve(after, DraftChanged{OpinionID: id, Version: 5, Changes: json.RawMessage(`[36]`)}).Corrupt ||
		!Evolve(after, DraftChanged{OpinionID: id, Version: 3, Changes: json.RawMessage(`[3]`)}).Corrupt {
		t.Fatal("a history that does not replay is not marked")
	}
}

func TestLoadOpinion(t *testing.T) {
	ctx := context.Background()
	st, reg := bustest.NewFakeStore(), events.NewRegistry()
	id := OpinionIDFor("o")
	if _, ok, err := LoadOpinion(ctx, st, reg, id); ok || err != nil {
		t.Fatalf("unknown opinion: %v %v", ok, err)
	}
	appendAll := func(from uint64, ps ...events.Payload) {
		t.Helper()
		var evs []events.Event
		for i, p := range ps {
			ev, err := reg.New(p, OpinionStream(id), events.DeriveID("load", int(from)+i), time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), events.Meta{CommandID: "load"})
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
		if _, err := st.Append(ctx, OpinionStream(id), store.ExpectedFor(from), evs...); err != nil {
			t.Fatal(err)
		}
	}
	appendAll(0, Created{OpinionID: id, Kind: KindOpinion, Title: "Avis"},
		DraftChanged{OpinionID: id, Version: 1, Source: SourceInitial, Changes: json.RawMessage(`[[0,"Texte"]]`)})
	o, ok, err := LoadOpinion(ctx, st, reg, id)
	if !ok || err != nil || o.Text != "Texte" || o.State != StateDraft || o.Version != 1 {
		t.Fatalf("LoadOpinion = %+v %v %v", o, ok, err)
	}
	appendAll(2, DraftChanged{OpinionID: id, Version: 2, Source: SourcePush, Changes: json.RawMessage(`[9]`)})
	if _, _, err := LoadOpinion(ctx, st, reg, id); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a history that does not replay: %v", err)
	}
}
