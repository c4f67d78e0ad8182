package collab

import (
	"testing"

	"github.com/comite-partenaires/comite/services/opinions/changeset"
)

// Two editors type at once from "ab": A inserts "x" at 1, B "y" at 2. The authority takes
// A's change first: A sees it confirmed, B rebases its own over it; both end with "axby".
func TestReceiveConfirmsAndRebases(t *testing.T) {
	a := &Doc{ClientID: "A", Text: "ab", Version: 3}
	b := &Doc{ClientID: "B", Text: "ab", Version: 3}
	ca, cb := changeset.Splice(2, 1, 1, "x"), changeset.Splice(2, 2, 2, "y")
	if err := a.Edit(ca); err != nil {
		t.Fatal(err)
	}
	if err := b.Edit(cb); err != nil {
		t.Fatal(err)
	}
	if len(b.Sendable()) != 1 || b.Text != "aby" {
		t.Fatalf("B after typing: %+v", b)
	}
	if err := a.Receive([]Update{{Changes: ca, ClientID: "A"}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Receive([]Update{{Changes: ca, ClientID: "A"}}); err != nil {
		t.Fatal(err)
	}
	if a.Text != "axb" || a.Version != 4 || len(a.Unconfirmed) != 0 {
		t.Errorf("A: %+v, want axb at 4, nothing unconfirmed", a)
	}
	if b.Text != "axby" || b.Version != 4 || len(b.Unconfirmed) != 1 {
		t.Fatalf("B: %+v, want axby at 4 with its change rebased", b)
	}
	// B pushes its rebased change; everyone receives it.
	rebased := b.Unconfirmed[0]
	if err := b.Receive([]Update{{Changes: rebased, ClientID: "B"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Receive([]Update{{Changes: rebased, ClientID: "B"}}); err != nil {
		t.Fatal(err)
	}
	if a.Text != "axby" || b.Text != "axby" || len(b.Unconfirmed) != 0 || a.Version != 5 || b.Version != 5 {
		t.Errorf("after B's push: A %+v, B %+v", a, b)
	}
	if err := a.Receive([]Update{{Changes: ca, ClientID: "A"}}); err == nil {
		t.Error("a change of its own it does not hold: no error")
	}
}
