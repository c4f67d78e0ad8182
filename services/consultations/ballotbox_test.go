package consultations

import (
	"context"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus/bustest"
)

// secretLog is a store holding a secret consultation, and what Prepare needs to read it.
type secretLog struct {
	st  store.Store
	reg *events.Registry
	box *MemoryBallotBox
	n   int
}

func newSecretLog(t *testing.T) *secretLog {
	l := &secretLog{st: bustest.NewFakeStore(), reg: events.NewRegistry(), box: NewMemoryBallotBox()}
	Register(l.reg)
	l.append(t, "cmd-open", withSecret(opened))
	return l
}

// append appends p as the command commandID's event.
func (l *secretLog) append(t *testing.T, commandID string, p events.Payload) {
	t.Helper()
	ev, err := l.reg.New(p, ConsultationStream(cid), events.DeriveID(commandID, 0), now, events.Meta{CommandID: commandID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.st.Append(context.Background(), ConsultationStream(cid), store.ExpectedFor(uint64(l.n)), ev); err != nil {
		t.Fatal(err)
	}
	l.n++
}

func (l *secretLog) prepare(t *testing.T, cmd any) any {
	t.Helper()
	out, err := prepare(context.Background(), l.st, l.reg, nil, l.box, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (l *secretLog) sealed(t *testing.T) map[string][]byte {
	t.Helper()
	m, err := l.box.List(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPrepareCountsTheParticipationsBallot: two ballots of the AMF are sealed (a race
// that the second loses after Prepare), a third is refused before sealing; the close
// opens exactly the ballot of the command the participation event records.
func TestPrepareCountsTheParticipationsBallot(t *testing.T) {
	l := newSecretLog(t)
	first := l.prepare(t, ballotCmd("b1", amf, amf, false, OptionFor)).(CastBallot)
	second := l.prepare(t, ballotCmd("b2", amf, amf, false, OptionAgainst)).(CastBallot)
	if !first.Sealed || !second.Sealed || len(l.sealed(t)) != 2 {
		t.Fatalf("sealed %v %v, box %d", first.Sealed, second.Sealed, len(l.sealed(t)))
	}
	l.append(t, "b1", participation(amf, 3))
	if late := l.prepare(t, ballotCmd("b3", amf, amf, false, OptionAbstain)).(CastBallot); late.Sealed || len(l.sealed(t)) != 2 {
		t.Fatal("a ballot decide refuses was sealed")
	}
	if open := l.prepare(t, ballotCmd("b4", amf, amf, false, OptionFor)); !reflect.DeepEqual(open, ballotCmd("b4", amf, amf, false, OptionFor)) {
		t.Fatal("Prepare changed a refused ballot")
	}

	// Sealed ballots are opaque and bound to their reference.
	key, _ := l.box.Key(context.Background(), cid)
	for ref, s := range l.sealed(t) {
		if strings.Contains(string(s), OptionFor) || strings.Contains(string(s), OptionAgainst) || strings.Contains(ref, amf.String()) {
			t.Fatal("the box shows a choice or an organisation")
		}
		if _, err := openBallot(key, cid, ref, s); err != nil {
			t.Fatal(err)
		}
		if _, err := openBallot(key, cid, strings.Repeat("0", 64), s); err == nil {
			t.Fatal("a sealed ballot opens under another reference")
		}
		if _, err := openBallot(newBoxKey(), cid, ref, s); err == nil {
			t.Fatal("a sealed ballot opens with another key")
		}
	}

	// A member's early close does not open the box; the secretariat's does, and counts b1.
	if c := l.prepare(t, CloseConsultation{Envelope: member("c", amf, now), ConsultationID: cid.String()}).(CloseConsultation); c.BoxOpened {
		t.Fatal("a refused close opened the box")
	}
	closeCmd := l.prepare(t, CloseConsultation{Envelope: secretariat("c", now), ConsultationID: cid.String()}).(CloseConsultation)
	if !closeCmd.BoxOpened || !reflect.DeepEqual(closeCmd.BoxBallots[amf], []string{OptionFor}) || len(closeCmd.BoxBallots) != 1 {
		t.Fatalf("box opened %v: %v", closeCmd.BoxOpened, closeCmd.BoxBallots)
	}
	evs, err := Decide(Fold(withSecret(opened), participation(amf, 3)), closeCmd)
	if err != nil {
		t.Fatal(err)
	}
	closed := evs[0].(ConsultationClosed)
	if !reflect.DeepEqual(closed.SecretBallots, []SecretBallot{{Choices: []string{OptionFor}, Ballots: 1, Weight: 3}}) {
		t.Fatalf("secret ballots %+v", closed.SecretBallots)
	}

	// The close is appended but the box not emptied (a crash): the next ballot's
	// Prepare empties it, and the sweep finds nothing more.
	l.append(t, "c", closed)
	if n, err := SweepBallotBox(context.Background(), l.st, l.reg, NewMemoryBallotBox()); n != 0 || err != nil {
		t.Fatalf("sweep of an empty box: %d, %v", n, err)
	}
	if late := l.prepare(t, ballotCmd("b5", adf, adf, false, OptionFor)).(CastBallot); late.Sealed {
		t.Fatal("a ballot after the close was sealed")
	}
	if ids, _ := l.box.Consultations(context.Background()); len(ids) != 0 {
		t.Fatalf("the box still holds %v", ids)
	}
}

// TestSweepBallotBox: the sweep empties the box of closed consultations only, and the
// janitor store empties it as soon as a secret close is appended.
func TestSweepBallotBox(t *testing.T) {
	ctx := context.Background()
	l := newSecretLog(t)
	other := ConsultationIDFor("cmd-other")
	for _, id := range []uuid.UUID{cid, other} {
		if err := l.box.Put(ctx, id, "ref", []byte("sealed")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := SweepBallotBox(ctx, l.st, l.reg, l.box); n != 0 || err != nil {
		t.Fatalf("sweep with the consultation open: %d, %v", n, err)
	}
	l.append(t, "c", ConsultationClosed{ConsultationID: cid, ClosedAt: now, Secret: true})
	if n, err := SweepBallotBox(ctx, l.st, l.reg, l.box); n != 1 || err != nil {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if ids, _ := l.box.Consultations(ctx); !slices.Equal(ids, []uuid.UUID{other}) {
		t.Fatalf("left %v, want only the unknown consultation", ids)
	}
	if n, err := SweepBallotBox(ctx, l.st, l.reg, l.box); n != 0 || err != nil {
		t.Fatalf("second sweep: %d, %v", n, err)
	}

	// The janitor: a secret close appended empties that consultation's box.
	j := boxJanitor{Store: bustest.NewFakeStore(), box: l.box, log: slog.New(slog.DiscardHandler)}
	ev, err := l.reg.New(ConsultationClosed{ConsultationID: other, ClosedAt: now, Secret: true}, ConsultationStream(other),
		events.DeriveID("x", 0), now, events.Meta{CommandID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Append(ctx, ConsultationStream(other), store.NoStream, ev); err != nil {
		t.Fatal(err)
	}
	if ids, _ := l.box.Consultations(ctx); len(ids) != 0 {
		t.Fatalf("left %v after a secret close", ids)
	}
}
