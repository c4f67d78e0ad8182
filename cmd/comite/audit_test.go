package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/events/merkle"
	"github.com/comite-partenaires/comite/services/accounts"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/gateway"
)

// runCLI runs a comite command line, returning its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestAuditCommandLine seals, exports and verifies the demo committee's log (real
// JetStream store, real services) offline, then verifies a tampered copy: exit status 1
// naming the altered event.
func TestAuditCommandLine(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := startInProcess(t, data, true)
	p.stop()

	if code, out, errOut := runCLI(t, "audit", "seal", "--data", data); code != 0 || !strings.Contains(out, "@") {
		t.Fatalf("seal: %d %s %s", code, out, errOut)
	}
	bundle := filepath.Join(dir, "bundle")
	code, out, errOut := runCLI(t, "audit", "export", "-o", bundle, "--data", data)
	if code != 0 || !strings.Contains(errOut, "exporting") {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	m := readManifest(t, bundle)
	if m.Events < 50 || m.Checkpoints < 1 {
		t.Fatalf("manifest %+v", m)
	}
	head := audit.RootAt{Size: m.TreeSize, Root: m.Root}.String()
	if code, out, errOut := runCLI(t, "audit", "verify", bundle, "--root", head); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}

	raw, err := os.ReadFile(filepath.Join(bundle, audit.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(raw, []byte("\n"))
	var e events.Event
	if err := json.Unmarshal(lines[20], &e); err != nil {
		t.Fatal(err)
	}
	// Proofs from the bundle, checked against the manifest's root by the merkle package.
	code, out, errOut = runCLI(t, "audit", "prove", bundle, "--event", e.ID.String())
	var inc audit.InclusionProof
	if code != 0 || json.Unmarshal([]byte(out), &inc) != nil || inc.Index != 20 ||
		merkle.VerifyInclusion(inc.Index, m.TreeSize, inc.Leaf, inc.Proof, m.Root) != nil {
		t.Fatalf("prove --event: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "audit", "prove", bundle, "--consistency", "10:0")
	var cons audit.ConsistencyProof
	if code != 0 || json.Unmarshal([]byte(out), &cons) != nil || cons.NewSize != m.TreeSize ||
		merkle.VerifyConsistency(10, m.TreeSize, cons.Proof, cons.OldRoot, m.Root) != nil {
		t.Fatalf("prove --consistency: %d %s %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, "audit", "prove", bundle, "--consistency", "x"); code != 2 {
		t.Fatalf("prove with a bad --consistency: %d", code)
	}

	// One byte of one payload changed: exit 1, naming the event and its position.
	i := bytes.Index(lines[20], []byte(`"data":{"`)) + len(`"data":{"`)
	lines[20][i] ^= 1
	if err := os.WriteFile(filepath.Join(bundle, audit.EventsFile), bytes.Join(lines, []byte("\n")), 0o640); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "audit", "verify", "-q", bundle)
	if code != 1 || !strings.Contains(errOut, "altered: event "+e.ID.String()) || !strings.Contains(errOut, "at position "+strconv.FormatUint(e.Position, 10)) {
		t.Fatalf("tampered verify: %d %s", code, errOut)
	}

	if code, _, _ := runCLI(t, "audit", "verify"); code != 2 {
		t.Fatalf("verify without a bundle: %d", code)
	}
	if code, _, _ := runCLI(t, "audit", "export", "--data", data); code != 2 {
		t.Fatalf("export without -o: %d", code)
	}
	if code, _, errOut := runCLI(t, "audit", "verify", bundle, "--root", "nope"); code != 2 || !strings.Contains(errOut, "HEX@SIZE") {
		t.Fatalf("bad --root: %d %s", code, errOut)
	}
}

// TestAuditOnline exports from a running server as an auditor; other roles are refused.
func TestAuditOnline(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, serverConfig{systemConfig: systemConfig{DataDir: filepath.Join(dir, "data"), CheckpointEvery: 20}, Demo: true})
	ctx := context.Background()
	if _, err := p.srv.accounts.CreateAccount(ctx, accounts.NewAccount{Email: "auditor@tests.invalid", Name: "Auditrice",
		Role: accounts.RoleAuditor, Password: rand.Text()}); err != nil {
		t.Fatal(err)
	}
	token, _, err := p.srv.accounts.IssueToken(ctx, "auditor@tests.invalid", "tests", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "audit", "seal", "--url", p.http.URL, "--token", token); code != 0 {
		t.Fatalf("seal: %d %s %s", code, out, errOut)
	}
	bundle := filepath.Join(dir, "bundle")
	if code, out, errOut := runCLI(t, "audit", "export", "-o", bundle, "--url", p.http.URL, "--token", token, "--context", "opinion"); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "audit", "verify", "-q", bundle); code != 0 || !strings.Contains(out, "filtered") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	full := filepath.Join(dir, "full")
	if code, out, errOut := runCLI(t, "audit", "export", "-o", full, "--url", p.http.URL, "--token", token); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if m := readManifest(t, full); m.Checkpoints < 2 {
		t.Fatalf("the server sealed %d checkpoints every 20 events", m.Checkpoints)
	}
	if code, out, errOut := runCLI(t, "audit", "verify", "-q", full); code != 0 {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	secretariat := strings.TrimPrefix(p.auth["Authorization"], "Bearer ")
	code, _, errOut := runCLI(t, "audit", "export", "-o", filepath.Join(dir, "no"), "--url", p.http.URL, "--token", secretariat)
	if code != 1 || !strings.Contains(errOut, "forbidden") {
		t.Fatalf("the secretariat exported: %d %s", code, errOut)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/audit/events", "", nil); r.Status != 401 {
		t.Fatalf("anonymous export: %d", r.Status)
	}

	// The stream browser: streams by category, then one stream's envelopes and payloads.
	auditor := map[string]string{"Authorization": "Bearer " + token}
	r := call(t, "GET", p.http.URL+"/api/v1/audit/streams?category=consultation", "", auditor)
	var list struct{ Items []gateway.StreamInfo }
	if err := json.Unmarshal(r.Body, &list); r.Status != 200 || err != nil || len(list.Items) == 0 {
		t.Fatalf("streams: %d %s", r.Status, r.Body)
	}
	for _, s := range list.Items {
		if s.Category != "consultation" || s.Events == 0 {
			t.Fatalf("stream row %+v", s)
		}
	}
	r = call(t, "GET", p.http.URL+"/api/v1/audit/streams/"+list.Items[0].Stream, "", auditor)
	var one struct{ Items []gateway.BrowsedEvent }
	if err := json.Unmarshal(r.Body, &one); r.Status != 200 || err != nil || uint64(len(one.Items)) != list.Items[0].Events ||
		one.Items[0].Type != "consultations.consultation.opened" || one.Items[0].Hash == "" {
		t.Fatalf("stream: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/audit/streams", "", p.auth); r.Status != 403 {
		t.Fatalf("the secretariat browsed streams: %d", r.Status)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/audit/streams/consultation-nope", "", auditor); r.Status != 404 {
		t.Fatalf("unknown stream: %d", r.Status)
	}
}

func TestRedactSecretBallots(t *testing.T) {
	ev := func(typ, data string) gateway.BrowsedEvent {
		return gateway.BrowsedEvent{Event: events.Event{Type: typ, Data: json.RawMessage(data)}}
	}
	ballot := `{"organisation_id":"o1","choices":["pour"]}`
	for _, c := range []struct {
		opened string
		hidden bool
	}{{`{"secret":true}`, true}, {`{"secret":false}`, false}, {`{}`, false}} {
		got := redactSecretBallots([]gateway.BrowsedEvent{
			ev(consultations.TypeConsultationOpened, c.opened),
			ev(consultations.TypeBallotCast, ballot), ev(consultations.TypeBallotChanged, ballot),
			ev(consultations.TypeConsultationClosed, `{"secret":true}`)})
		for _, b := range got[1:3] {
			if b.Redacted != c.hidden || (string(b.Data) == ballot) == c.hidden {
				t.Errorf("opened %s: ballot %+v", c.opened, b)
			}
		}
		if got[0].Redacted || got[3].Redacted {
			t.Errorf("opened %s: not a ballot, redacted", c.opened)
		}
	}
}

func readManifest(t *testing.T, dir string) audit.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, audit.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m audit.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
