package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// buildBinary builds the comite command once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "comite-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "comite")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// subprocess is `comite serve` running as its own process.
type subprocess struct {
	cmd   *exec.Cmd
	url   string
	token string // a secretariat's API token
}

func startSubprocess(t *testing.T, dataDir string) *subprocess {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	token := secretariatToken(t, dataDir)
	cmd := exec.Command(bin, "serve", "--data", dataDir, "--addr", "127.0.0.1:0", "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &subprocess{cmd: cmd, token: token}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.url = <-urls:
	case <-time.After(60 * time.Second):
		t.Fatal("comite serve did not say where it listens")
	}
	eventually(t, "healthz ok", func() bool {
		r, err := httpGet(p.url + "/healthz")
		return err == nil && r == 200
	})
	return p
}

// kill sends SIGKILL: no graceful shutdown, no flush, as a crash.
func (p *subprocess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// A server killed with SIGKILL while commands are in flight loses no acknowledged event:
// after a restart on the same data directory every acknowledged event is in the log
// exactly once, the hash chains verify, and retrying an acknowledged command appends
// nothing.
func TestCrashLosesNoAcknowledgedEvent(t *testing.T) {
	dir := t.TempDir()
	p := startSubprocess(t, dir)

	type ack struct {
		key  string
		body string
		resp commandReply
	}
	var (
		mu    sync.Mutex
		acked []ack
		wg    sync.WaitGroup
	)
	ctx, stop := context.WithCancel(context.Background())
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("crash-%d-%d", w, i)
				body := fmt.Sprintf(`{"name": "Commune %d-%d", "acronym": "C%dX%d"}`, w, i, w, i)
				status, b, err := httpPost(p.url+"/api/v1/membership/add-organisation", p.token, body, key)
				if err != nil || status != 200 {
					continue // in flight when the process died: not acknowledged
				}
				var r commandReply
				if json.Unmarshal(b, &r) == nil {
					mu.Lock()
					acked = append(acked, ack{key, body, r})
					mu.Unlock()
				}
			}
		}()
	}
	eventually(t, "some acknowledged commands", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 20 })
	p.kill(t) // writers are still sending
	stop()
	wg.Wait()
	t.Logf("%d commands acknowledged before SIGKILL", len(acked))

	p = startSubprocess(t, dir)
	for _, a := range acked[:5] {
		status, b, err := httpPost(p.url+"/api/v1/membership/add-organisation", p.token, a.body, a.key)
		if err != nil || status != 200 {
			t.Fatalf("retry of %s after restart: %d %v %s", a.key, status, err, b)
		}
		var r commandReply
		_ = json.Unmarshal(b, &r)
		if r.CommandID != a.resp.CommandID || r.Events[0].ID != a.resp.Events[0].ID || r.Position != a.resp.Position {
			t.Fatalf("retry answered %s, first answer was %+v", b, a.resp)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	// Read the log directly from the data directory.
	seen := readLog(t, dir)
	for _, a := range acked {
		for _, e := range a.resp.Events {
			if n := seen[e.ID]; n != 1 {
				t.Errorf("acknowledged event %s (%s) found %d times", e.ID, a.key, n)
			}
		}
	}
}

// readLog opens a stopped server's data directory and counts each event ID, verifying
// every stream's hash chain on the way.
func readLog(t *testing.T, dir string) map[string]int {
	t.Helper()
	ns, err := natsembed.Start(natsembed.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	nc, err := ns.Connect("crash-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := jetstream.Open(context.Background(), nc, jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := map[string]int{}
	chain := events.NewChainVerifier()
	for ev, err := range st.ReadAll(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if err := chain.Check(ev); err != nil {
			t.Fatal(err)
		}
		seen[ev.ID.String()]++
	}
	return seen
}
