package drafts

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	svc "github.com/comite-partenaires/comite/services/opinions"
)

func TestDraftsRowsVisibilityAndState(t *testing.T) {
	v := Views()[0]
	f := projectiontest.NewFeeder(t, v)
	f.Clock, f.Tick, f.Actor = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), time.Minute, memberA
	id := uuid.MustParse("10000000-0000-4000-8000-000000000001")
	other := uuid.MustParse("20000000-0000-4000-8000-000000000002")
	f.Feed(svc.Created{OpinionID: id, Kind: svc.KindOpinion, Title: "Avis", GroupID: group},
		svc.DraftChanged{OpinionID: id, Version: 1, Source: svc.SourceInitial, Changes: json.RawMessage(`[0,"Été"]`)},
		svc.DraftChanged{OpinionID: other, Version: 1, Source: svc.SourceInitial, Changes: json.RawMessage(`[0,"x"]`)}, // unknown text
		svc.DraftChanged{OpinionID: id, Version: 2, ClientID: "c1", Source: svc.SourcePush, Changes: json.RawMessage(`[3,[0,"🇫🇷"]]`)})

	if got := RowID(id.String(), 2); got != id.String()+"/0000000002" {
		t.Fatalf("RowID = %s", got)
	}
	r, ok := v.Model().Row(RowID(id.String(), 2))
	row, _ := r.(UpdateRow)
	if !ok || row.ClientID != "c1" || row.Version != 2 || row.Position != 4 || row.Actor.User != memberA.User ||
		row.Actor.OrganisationID != orgA.String() || string(row.Changes) != `[3,[0,"🇫🇷"]]` {
		t.Fatalf("row = %+v, %v", row, ok)
	}
	for _, bad := range []string{id.String(), id.String() + "/2", id.String() + "/0000000003", other.String() + "/0000000001", "x/y"} {
		if _, ok := v.Model().Row(bad); ok {
			t.Errorf("row %q exists", bad)
		}
	}
	if n := len(v.Model().(projections.Nested).RowsUnder(id.String())); n != 2 {
		t.Fatalf("%d rows under the text", n)
	}

	// Observers read the changes of published texts only, without e-mail addresses.
	if _, rows := v.SnapshotFor(projectiontest.Observer); len(rows) != 0 {
		t.Fatalf("an observer reads a draft's changes: %v", rows)
	}
	f.Actor = process
	f.Feed(svc.SubmittedForReview{OpinionID: id}, svc.VotingOpened{OpinionID: id, Version: 2},
		svc.Adopted{OpinionID: id, ConsultationID: uuid.New()})
	sub := projections.NewSubscriber(8, projectiontest.Observer, id.String())
	_, rows, _ := v.Subscribe(v.Position(), sub)
	if len(rows) != 0 {
		t.Fatalf("rows %v", rows)
	}
	f.Feed(svc.Published{OpinionID: id})
	p := <-sub.C()
	if len(p.Rows) != 2 || p.Rows[0].(UpdateRow).Version != 1 || p.Rows[1].(UpdateRow).Actor.User != "" {
		t.Fatalf("on publication an observer gets %+v", p.Rows)
	}

	// The state saves and loads; a broken one is refused.
	saved, err := v.Save()
	if err != nil {
		t.Fatal(err)
	}
	back := Views()[0]
	if err := back.Restore(saved); err != nil {
		t.Fatal(err)
	}
	if _, rows := back.SnapshotFor(projectiontest.Observer); len(rows) != 2 {
		t.Fatalf("restored: %v", rows)
	}
	for _, bad := range []string{`{`, `{}`, `{"texts":{"a":null}}`} {
		if err := newModel().LoadState([]byte(bad)); err == nil {
			t.Errorf("LoadState(%s) succeeded", bad)
		}
	}
}
