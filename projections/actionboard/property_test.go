package actionboard

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/projections/projectiontest"
	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/themes"
)

// TestRebuildEqualsLive: random board histories — sheets created one by one and by CSV
// imports, started, reported on, rescheduled, completed, abandoned, by the secretariat
// and by members of the owner or of another organisation — decided by the real
// actionsheets decider, give the same board built live (with clients following it),
// rebuilt, and restored from a snapshot.
func TestRebuildEqualsLive(t *testing.T) {
	orgs := actionsheets.Organisations{amf: "AMF", region: "ARF"}
	secretariat := projectiontest.For(projectiontest.Secretariat, uuid.New())
	actors := []events.Actor{secretariat, projectiontest.Member(amf), projectiontest.Member(region)}
	levels := actionsheets.Levels()
	accepted, rejected := 0, 0
	d := actionsheets.Decider(nil, nil)
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 11))
		log := projectiontest.NewLog(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC))
		var sheets []string
		// pick mostly names a sheet in one of the statuses the command wants, sometimes
		// any sheet or an unknown one (rejections).
		pick := func(want ...actionsheets.Status) string {
			board := projectiontest.State(log, d, actionsheets.StartSheet{})
			var fit []string
			for _, s := range board.Sheets() {
				if slices.Contains(want, s.Status) {
					fit = append(fit, s.ID.String())
				}
			}
			switch {
			case len(fit) > 0 && rng.IntN(6) > 0:
				return fit[rng.IntN(len(fit))]
			case len(sheets) > 0 && rng.IntN(4) > 0:
				return sheets[rng.IntN(len(sheets))]
			}
			return uuid.NewString()
		}
		date := func() string {
			return log.Clock.AddDate(0, 1+rng.IntN(24), rng.IntN(28)).Format(actionsheets.DateLayout)
		}
		title := func() string { return fmt.Sprintf("Fiche %d", rng.IntN(15)) } // collisions: sheet_exists
		owner := func() string {
			if rng.IntN(2) == 0 {
				return amf.String()
			}
			return region.String()
		}
		for range 10 + rng.IntN(40) {
			e := bus.Envelope{CommandID: uuid.NewString(), Actor: secretariat, Time: log.Clock}
			if rng.IntN(3) == 0 {
				e.Actor = actors[rng.IntN(len(actors))] // a member, of the owner or not
			}
			var cmd any
			switch rng.IntN(9) {
			case 0, 1:
				cmd = actionsheets.CreateSheet{Envelope: e, Title: title(), Level: levels[rng.IntN(len(levels))],
					Theme: themes.All()[rng.IntN(6)], OrganisationID: owner(), DueDate: date(), Organisations: orgs}
				sheets = append(sheets, actionsheets.SheetIDFor(e.CommandID).String())
			case 2:
				e.Actor = secretariat
				lines := []string{"titre;niveau;theme;organisation;echeance"}
				for i := range 1 + rng.IntN(4) {
					lines = append(lines, fmt.Sprintf("%s;%s;usages;%s;%s", title(), levels[rng.IntN(len(levels))],
						[]string{"AMF", "ARF"}[rng.IntN(2)], date()))
					sheets = append(sheets, actionsheets.ImportedSheetIDFor(e.CommandID, i+2).String())
				}
				cmd = actionsheets.ImportSheets{Envelope: e, CSV: strings.Join(lines, "\n"), Organisations: orgs}
			case 3, 4:
				cmd = actionsheets.StartSheet{Envelope: e, SheetID: pick(actionsheets.StatusPlanned)}
			case 5:
				p := rng.IntN(101)
				cmd = actionsheets.RecordProgress{Envelope: e, SheetID: pick(actionsheets.StatusInProgress), Percent: &p, Comment: "avancement"}
			case 6:
				cmd = actionsheets.RescheduleSheet{Envelope: e, SheetID: pick(actionsheets.StatusPlanned, actionsheets.StatusInProgress), DueDate: date(), Reason: "report"}
			case 7:
				cmd = actionsheets.CompleteSheet{Envelope: e, SheetID: pick(actionsheets.StatusInProgress), Comment: "fait"}
			case 8:
				cmd = actionsheets.AbandonSheet{Envelope: e, SheetID: pick(actionsheets.StatusPlanned, actionsheets.StatusInProgress), Reason: "abandon"}
			}
			if _, err := projectiontest.Decide(log, d, e.Actor, cmd); err != nil {
				rejected++
			} else {
				accepted++
			}
		}
		if len(log.Events) < 3 {
			continue
		}
		projectiontest.Check(t, Views, log.Events)
	}
	t.Logf("%d commands accepted, %d rejected", accepted, rejected)
	if accepted <= rejected {
		t.Fatalf("the generator tests little: %d accepted, %d rejected", accepted, rejected)
	}
}
