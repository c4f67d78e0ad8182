package opinions_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/bus/bustest"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/opinions"
)

var (
	openGroup   = uuid.MustParse("7a0d8c52-6a52-4f0e-a3cf-4f4b2a6d5e01") // « Usages du numérique »
	closedGroup = uuid.MustParse("7a0d8c52-6a52-4f0e-a3cf-4f4b2a6d5e02")
)

// groups stands for the GroupLookup the integrator wires to the workinggroups context:
// the AMF, the ADF and the DNE (the secretariat's organisation) draft in both groups.
func groups(_ context.Context, id uuid.UUID) (opinions.GroupFacts, error) {
	members := []uuid.UUID{amf, adf, dne}
	switch id {
	case openGroup:
		return opinions.GroupFacts{Exists: true, Members: members}, nil
	case closedGroup:
		return opinions.GroupFacts{Exists: true, Closed: true, Members: members}, nil
	}
	return opinions.GroupFacts{}, nil
}

// harness runs the opinions service (instances of it) over an embedded NATS server and
// the real JetStream store.
type harness struct {
	client *bus.Client
	store  store.Store
}

func newHarness(t *testing.T, instances int) *harness {
	t.Helper()
	connect := bustest.NATS(t)
	var h harness
	for i := range instances {
		nc := connect(fmt.Sprintf("opinions-%d", i))
		st := bustest.JetStreamStore(t, nc)
		if h.store == nil {
			h.store = st
		}
		svc, err := opinions.New(bus.ServiceConfig{Conn: nc, Store: st, Registry: events.NewRegistry(),
			Clock: func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) }}, groups)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Stop() })
	}
	h.client = bus.NewClient(connect("gateway"), bus.ClientOptions{})
	return &h
}

// actorFor is who sends a command in these tests unless told otherwise: the process
// records outcomes, the secretariat publishes, the AMF (a member of the group) drafts.
func actorFor(command string) events.Actor {
	switch command {
	case opinions.CmdRecordOutcome:
		return process
	case opinions.CmdPublish:
		return secretariat
	}
	return amfMember
}

func (h *harness) send(t *testing.T, id, command, body string) (bus.Reply, error) {
	t.Helper()
	return h.sendAs(t, actorFor(command), id, command, body)
}

func (h *harness) sendAs(t *testing.T, actor events.Actor, id, command, body string) (bus.Reply, error) {
	t.Helper()
	return h.client.Send(context.Background(), bus.Request{Context: opinions.Context, Command: command,
		CommandID: id, Body: []byte(body), Actor: actor})
}

func (h *harness) must(t *testing.T, id, command, body string) bus.Reply {
	t.Helper()
	return h.mustAs(t, actorFor(command), id, command, body)
}

func (h *harness) mustAs(t *testing.T, actor events.Actor, id, command, body string) bus.Reply {
	t.Helper()
	rep, err := h.sendAs(t, actor, id, command, body)
	if err != nil {
		t.Fatalf("%s %s: %v", command, id, err)
	}
	return rep
}

// log reads an opinion's stream.
func (h *harness) log(t *testing.T, id uuid.UUID) []events.Event {
	t.Helper()
	var out []events.Event
	for ev, err := range h.store.Read(context.Background(), opinions.OpinionStream(id), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestServiceOverNATS drives an opinion from draft to publication as the gateway and the
// process managers would, and checks the log.
func TestServiceOverNATS(t *testing.T) {
	h := newHarness(t, 1)
	create := `{"kind":"recommendation","title":"Gouvernance partagée du numérique éducatif","group_id":"%s","theme":"gouvernance"}`
	if _, err := h.send(t, "c0", "create-opinion", fmt.Sprintf(create, uuid.NewSHA1(uuid.NameSpaceURL, []byte("nope")))); !errors.Is(err, opinions.ErrGroupNotFound) {
		t.Fatalf("unknown group: %v", err)
	}
	if _, err := h.send(t, "c0b", "create-opinion", fmt.Sprintf(create, closedGroup)); !errors.Is(err, opinions.ErrGroupClosed) {
		t.Fatalf("closed group: %v", err)
	}
	if _, err := h.sendAs(t, cdcMember, "c0c", "create-opinion", fmt.Sprintf(create, openGroup)); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an organisation outside the group: %v", err)
	}
	h.must(t, "c1", "create-opinion", fmt.Sprintf(create, openGroup))
	id := opinions.OpinionIDFor("c1")
	o := `"opinion_id":"` + id.String() + `"`
	if _, err := h.sendAs(t, cdcMember, "c1b", "edit-text", `{`+o+`,"base_version":0,"text":"Autre"}`); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an edit by an organisation outside the group: %v", err)
	}
	if _, err := h.sendAs(t, secretariatAlone, "c1c", "edit-text", `{`+o+`,"base_version":0,"text":"Autre"}`); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an edit by the secretariat for no organisation: %v", err)
	}

	// Two editors co-draft; the second pushes on the first's version.
	first := `{` + o + `,"version":0,"client_id":"alice-4f2a","changes":[[[0,"🇫🇷 Le comité recommande que l’État et les collectivités concertent le déploiement."]]]}`
	p1 := h.must(t, "c2", "push-changes", first)
	if again := h.must(t, "c2", "push-changes", first); !reflect.DeepEqual(again, p1) {
		t.Fatalf("a retried push: %+v, first %+v", again, p1)
	}
	h.mustAs(t, adfMember, "c3", "push-changes", `{`+o+`,"version":1,"client_id":"bob-91c3","changes":[[84,[0," Il propose une charte commune."]],[5,[9,"Le comité des partenaires"],101]]}`)
	_, err := h.send(t, "c4", "push-changes", `{`+o+`,"version":1,"client_id":"carol-0d7e","changes":[[84,[0,"!"]]]}`)
	var coded *errcode.Error
	if !errors.As(err, &coded) || coded.Code != "version_mismatch" || coded.Status != 409 {
		t.Fatalf("a stale push: %v", err)
	}
	h.must(t, "c5", "submit-for-review", `{`+o+`}`)
	if _, err := h.send(t, "c6", "edit-text", `{`+o+`,"base_version":3,"text":"Autre"}`); !errors.Is(err, opinions.ErrNotInDraft) {
		t.Fatalf("an edit under review: %v", err)
	}
	// Any organisation of the committee proposes amendments, in the group or not.
	h.mustAs(t, cdcMember, "c7", "propose-amendment", `{`+o+`,"passage":"concertent","replacement":"organisent ensemble","reason":"Plus explicite"}`)
	am := opinions.AmendmentIDFor("c7")
	if _, err := h.send(t, "c8", "open-vote", `{`+o+`}`); !errors.Is(err, opinions.ErrAmendmentsPending) {
		t.Fatalf("open-vote with an amendment pending: %v", err)
	}
	if _, err := h.sendAs(t, cdcMember, "c9a", "accept-amendment", `{`+o+`,"amendment_id":"`+am.String()+`"}`); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an amendment accepted by an organisation outside the group: %v", err)
	}
	acc := h.mustAs(t, adfMember, "c9", "accept-amendment", `{`+o+`,"amendment_id":"`+am.String()+`"}`)
	if len(acc.Events) != 2 || acc.Events[0].Type != opinions.TypeAmendmentAccepted || acc.Events[1].Type != opinions.TypeDraftChanged {
		t.Fatalf("accept-amendment: %+v", acc)
	}
	h.mustAs(t, secretariat, "c10", "open-vote", `{`+o+`}`) // the DNE is a member of the group

	want := "🇫🇷 Le comité des partenaires recommande que l’État et les collectivités organisent ensemble le déploiement. Il propose une charte commune."
	op, ok, err := opinions.LoadOpinion(context.Background(), h.store, events.NewRegistry(), id)
	if err != nil || !ok || op.State != opinions.StateVoting || op.Text != want || op.Version != 4 ||
		op.Frozen == nil || op.Frozen.Text != want || op.Frozen.Version != 4 || op.Frozen.SHA256 != sha(want) {
		t.Fatalf("after open-vote: %+v %v %v\nwant text %q", op, ok, err, want)
	}

	// The process manager records the outcome when the consultation closes.
	consultation := uuid.NewSHA1(uuid.NameSpaceURL, []byte("consultation"))
	outcome := `{` + o + `,"outcome":"adopted","consultation_id":"` + consultation.String() + `","text_sha256":"%s"}`
	if _, err := h.send(t, "c11", "record-outcome", fmt.Sprintf(outcome, sha(want+"."))); !errors.Is(err, opinions.ErrFrozenTextMismatch) {
		t.Fatalf("an outcome on another text: %v", err)
	}
	if _, err := h.sendAs(t, secretariat, "c11b", "record-outcome", fmt.Sprintf(outcome, sha(want))); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an outcome recorded by the secretariat: %v", err)
	}
	if _, err := h.client.Send(context.Background(), bus.Request{Context: opinions.Context, Command: "record-outcome",
		CommandID: "c12", CorrelationID: "consultation-closed", CausationID: "ev-closed", Body: []byte(fmt.Sprintf(outcome, sha(want))),
		Actor: events.Actor{User: "process:consultations", Role: "system"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sendAs(t, amfMember, "c13a", "publish", `{`+o+`}`); !errors.Is(err, errcode.Forbidden) {
		t.Fatalf("an opinion published by a member: %v", err)
	}
	pub := h.must(t, "c13", "publish", `{`+o+`}`)

	evs := h.log(t, id)
	var types, commands []string
	for _, ev := range evs {
		types = append(types, ev.Type)
		commands = append(commands, ev.Meta.CommandID)
	}
	wantTypes := []string{opinions.TypeCreated, opinions.TypeDraftChanged, opinions.TypeDraftChanged, opinions.TypeDraftChanged,
		opinions.TypeSubmittedForReview, opinions.TypeAmendmentProposed, opinions.TypeAmendmentAccepted, opinions.TypeDraftChanged,
		opinions.TypeVotingOpened, opinions.TypeAdopted, opinions.TypePublished}
	wantCommands := []string{"c1", "c2", "c3", "c3", "c5", "c7", "c9", "c9", "c10", "c12", "c13"}
	if !reflect.DeepEqual(types, wantTypes) || !reflect.DeepEqual(commands, wantCommands) {
		t.Fatalf("log\n %v %v\nwant %v %v", types, commands, wantTypes, wantCommands)
	}
	adopted, last := evs[9], evs[10]
	if adopted.Meta.CorrelationID != "consultation-closed" || adopted.Meta.CausationID != "ev-closed" ||
		adopted.Meta.Actor.User != "process:consultations" || !strings.Contains(string(adopted.Data), sha(want)) {
		t.Fatalf("adopted: %+v %s", adopted.Meta, adopted.Data)
	}
	if last.Meta.CorrelationID != "c13" || last.Meta.Actor != secretariat || last.Position != pub.Position ||
		last.ID != events.DeriveID("c13", 0) {
		t.Fatalf("published: %+v", last)
	}
	if v := evs[3]; !strings.Contains(string(v.Data), `"client_id":"bob-91c3"`) || !strings.Contains(string(v.Data), `"version":3`) {
		t.Fatalf("second change set of c3: %s", v.Data)
	}
}

// lifecycle is the state machine the log of an opinion must follow.
var lifecycle = map[opinions.State]map[string]opinions.State{
	opinions.StateDraft: {opinions.TypeSubmittedForReview: opinions.StateInReview, opinions.TypeWithdrawn: opinions.StateWithdrawn},
	opinions.StateInReview: {opinions.TypeVotingOpened: opinions.StateVoting, opinions.TypeWithdrawn: opinions.StateWithdrawn,
		opinions.TypeAmendmentProposed: opinions.StateInReview},
	opinions.StateVoting: {opinions.TypeAdopted: opinions.StateAdopted, opinions.TypeRejected: opinions.StateRejected,
		opinions.TypeWithdrawn: opinions.StateWithdrawn},
	opinions.StateAdopted:  {opinions.TypePublished: opinions.StatePublished},
	opinions.StateRejected: {opinions.TypePublished: opinions.StatePublished},
}

// TestConcurrentTransitions sends 50 concurrent lifecycle commands to one opinion through
// two service instances, and checks that the log is a path of the state machine.
func TestConcurrentTransitions(t *testing.T) {
	h := newHarness(t, 2)
	text := "Le comité recommande un référentiel national des ENT. 👩‍👩‍👧"
	rounds := []struct {
		name     string
		commands []string
	}{
		{"all transitions", []string{"submit-for-review", "open-vote", "withdraw", "record-outcome", "publish"}},
		{"without withdraw", []string{"submit-for-review", "open-vote", "record-outcome", "publish"}},
	}
	for r, round := range rounds {
		t.Run(round.name, func(t *testing.T) {
			create := fmt.Sprintf("round-%d", r)
			h.must(t, create, "create-opinion", `{"kind":"opinion","title":"Avis sur les ENT","group_id":"`+openGroup.String()+`","text":"`+text+`"}`)
			id := opinions.OpinionIDFor(create)
			o := `"opinion_id":"` + id.String() + `"`
			bodies := map[string]string{
				"submit-for-review": `{` + o + `}`,
				"open-vote":         `{` + o + `}`,
				"withdraw":          `{` + o + `,"reason":"Retrait concurrent"}`,
				"record-outcome":    `{` + o + `,"outcome":"adopted","consultation_id":"` + consultationID(r).String() + `","text_sha256":"` + sha(text) + `"}`,
				"publish":           `{` + o + `}`,
			}
			allowed := []string{"opinion_not_in_draft", "opinion_not_in_review", "opinion_not_voting", "opinion_not_decided",
				"opinion_already_decided", "opinion_already_published", "opinion_withdrawn", "conflict"}
			const n = 50
			start := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			succeeded := map[string]bool{}
			var failures []string
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					command := round.commands[i%len(round.commands)]
					cmdID := fmt.Sprintf("round-%d-%s-%d", r, command, i)
					rep, err := h.client.Send(context.Background(), bus.Request{Context: opinions.Context, Command: command,
						CommandID: cmdID, Body: []byte(bodies[command]), Actor: actorFor(command)})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						if !slices.Contains(allowed, errcode.From(err).Code) {
							failures = append(failures, fmt.Sprintf("%s: %v", cmdID, err))
						}
						return
					}
					if len(rep.Events) > 0 {
						succeeded[cmdID] = true
					}
				}()
			}
			close(start)
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("unexpected rejections:\n%s", strings.Join(failures, "\n"))
			}

			state, path, seen := opinions.State(""), []string{}, map[string]bool{}
			for _, ev := range h.log(t, id) {
				switch ev.Type {
				case opinions.TypeCreated:
					if state != "" {
						t.Fatalf("created twice")
					}
					state = opinions.StateDraft
					continue
				case opinions.TypeDraftChanged:
					if state != opinions.StateDraft || ev.Meta.CommandID != create {
						t.Fatalf("a text change in %s by %s", state, ev.Meta.CommandID)
					}
					continue
				}
				next, ok := lifecycle[state][ev.Type]
				if !ok {
					t.Fatalf("%s in state %s (path %v)", ev.Type, state, path)
				}
				if seen[ev.Meta.CommandID] || !succeeded[ev.Meta.CommandID] {
					t.Fatalf("%s by %s: not the one successful reply of that command", ev.Type, ev.Meta.CommandID)
				}
				seen[ev.Meta.CommandID] = true
				state = next
				path = append(path, ev.Type)
			}
			if len(seen) != len(succeeded) {
				t.Fatalf("%d commands succeeded, %d transitions in the log", len(succeeded), len(seen))
			}
			if len(path) == 0 {
				t.Fatal("no transition at all")
			}
			op, _, err := opinions.LoadOpinion(context.Background(), h.store, events.NewRegistry(), id)
			if err != nil || op.State != state {
				t.Fatalf("loaded %s, log says %s (%v)", op.State, state, err)
			}
			t.Logf("path: %v", path)
		})
	}
}

func consultationID(round int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "consultation/%d", round))
}
