package opinions_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/opinions"
)

// TestPrepareGivesTheDraftingGroup checks the facts Prepare hands to Decide: those of
// the group create-opinion names, and of the opinion's own group for the other commands
// only its members may send; nothing for the commands whose rule is not the group's.
func TestPrepareGivesTheDraftingGroup(t *testing.T) {
	ctx := context.Background()
	st, reg := bustest.NewFakeStore(), events.NewRegistry()
	opinions.Register(reg)
	var evs []events.Event
	for i, p := range []events.Payload{created, initial} {
		ev, err := reg.New(p, opinions.OpinionStream(opinionID), events.DeriveID("cmd-avis", i),
			time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), events.Meta{CommandID: "cmd-avis"})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if _, err := st.Append(ctx, opinions.OpinionStream(opinionID), store.Any, evs...); err != nil {
		t.Fatal(err)
	}
	looked := map[uuid.UUID]int{}
	lookup := func(_ context.Context, id uuid.UUID) (opinions.GroupFacts, error) {
		looked[id]++
		if id == groupID {
			return opinions.GroupFacts{ID: uuid.New(), Exists: true, Members: []uuid.UUID{amf, adf}}, nil // ID is Prepare's to set
		}
		return opinions.GroupFacts{}, nil
	}
	d := opinions.Decider(st, reg, lookup)
	if d.Prepare == nil || opinions.Decider(st, reg, nil).Prepare != nil {
		t.Fatal("Prepare is set exactly when there is a group lookup")
	}
	facts := &opinions.GroupFacts{ID: groupID, Exists: true, Members: []uuid.UUID{amf, adf}}
	elsewhere := uuid.MustParse("5d1c3a0e-2f4b-4c8e-9a61-0f7e3b2d9c99")
	id := opinionID.String()
	unknown := opinions.OpinionIDFor("nope").String()
	cases := []struct {
		cmd, want any
	}{
		{opinions.CreateOpinion{GroupID: groupID.String()}, opinions.CreateOpinion{GroupID: groupID.String(), Group: facts}},
		{opinions.CreateOpinion{GroupID: elsewhere.String()}, opinions.CreateOpinion{GroupID: elsewhere.String(), Group: &opinions.GroupFacts{ID: elsewhere}}},
		{opinions.CreateOpinion{GroupID: "x"}, opinions.CreateOpinion{GroupID: "x"}},
		// A body cannot set the facts (json:"-"), but Prepare replaces whatever is there.
		{opinions.PushChanges{OpinionID: id, Group: &opinions.GroupFacts{ID: groupID, Exists: true, Members: []uuid.UUID{cdc}}},
			opinions.PushChanges{OpinionID: id, Group: facts}},
		{opinions.EditText{OpinionID: id}, opinions.EditText{OpinionID: id, Group: facts}},
		{opinions.SubmitForReview{OpinionID: id}, opinions.SubmitForReview{OpinionID: id, Group: facts}},
		{opinions.AcceptAmendment{OpinionID: id}, opinions.AcceptAmendment{OpinionID: id, Group: facts}},
		{opinions.RejectAmendment{OpinionID: id}, opinions.RejectAmendment{OpinionID: id, Group: facts}},
		{opinions.OpenVote{OpinionID: id}, opinions.OpenVote{OpinionID: id, Group: facts}},
		{opinions.Withdraw{OpinionID: id}, opinions.Withdraw{OpinionID: id, Group: facts}},
		{opinions.Withdraw{OpinionID: unknown}, opinions.Withdraw{OpinionID: unknown}},
		{opinions.ProposeAmendment{OpinionID: id}, opinions.ProposeAmendment{OpinionID: id}},
		{opinions.Publish{OpinionID: id}, opinions.Publish{OpinionID: id}},
		{opinions.RecordOutcome{OpinionID: id}, opinions.RecordOutcome{OpinionID: id}},
	}
	for i, tc := range cases {
		got, err := d.Prepare(ctx, tc.cmd)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("case %d: prepared %#v\nwant %#v", i, got, tc.want)
		}
	}
	if looked[groupID] != 8 || looked[elsewhere] != 1 || len(looked) != 2 {
		t.Errorf("groups looked up %v", looked)
	}

	// A lookup that fails fails the command (internal), never lets it through.
	broken := opinions.Decider(st, reg, func(context.Context, uuid.UUID) (opinions.GroupFacts, error) {
		return opinions.GroupFacts{}, errors.New("store down")
	})
	if _, err := broken.Prepare(ctx, opinions.EditText{OpinionID: id}); err == nil {
		t.Fatal("a failed lookup was ignored")
	}
}

// TestWithoutGroupLookup: a service without a GroupLookup refuses every command only a
// drafting group's members may send, and still runs the others.
func TestWithoutGroupLookup(t *testing.T) {
	d := opinions.Decider(nil, nil, nil)
	state := opinions.Fold(created, initial, submitted, votingOpened, adopted)
	draftState := opinions.Fold(created, initial)
	for _, c := range []struct {
		state opinions.Opinion
		cmd   any
	}{
		{opinions.Opinion{}, opinions.CreateOpinion{Envelope: env(amfMember, "x"), Kind: opinions.KindOpinion, Title: "Avis", GroupID: groupID.String()}},
		{draftState, opinions.EditText{Envelope: env(amfMember, "x"), OpinionID: opinionID.String(), BaseVersion: ptr(1), Text: "Autre"}},
		{draftState, opinions.SubmitForReview{Envelope: env(secretariat, "x"), OpinionID: opinionID.String()}},
	} {
		if _, err := d.Decide(c.state, c.cmd); !errors.Is(err, errcode.Forbidden) {
			t.Errorf("%T without group facts: %v", c.cmd, err)
		}
	}
	if evs, err := d.Decide(state, opinions.Publish{Envelope: env(secretariatAlone, "x"), OpinionID: opinionID.String()}); err != nil || len(evs) != 1 {
		t.Errorf("publish without a group lookup: %v %v", evs, err)
	}
}
