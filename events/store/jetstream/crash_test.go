package jetstream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/storetest"
	"github.com/comite-partenaires/comite/services/natsembed"
)

// envChildDir makes the test binary run an embedded server on that data directory
// instead of the tests: the child process the kill tests SIGKILL.
const envChildDir = "COMITE_JETSTREAM_TEST_SERVER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envChildDir); dir != "" {
		os.Exit(serveChild(dir))
	}
	os.Exit(m.Run())
}

// serveChild runs a TCP-listening embedded server, prints its URL, and shuts it down
// gracefully when its standard input ends (the parent closed it, or died).
func serveChild(dir string) int {
	srv, err := natsembed.Start(natsembed.Config{DataDir: dir, Listen: "127.0.0.1:-1"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.ClientURL())
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Shutdown()
	return 0
}

// child is a server process with a store connected to it over TCP.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	nc    *nats.Conn
	st    *Store
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChildDir+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server process: %v", err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		c.kill()
		t.Fatalf("server process gave no URL: %v", err)
	}
	if c.nc, err = nats.Connect(strings.TrimSpace(url), nats.Name("storetest"), nats.MaxReconnects(-1)); err != nil {
		c.kill()
		t.Fatalf("connect: %v", err)
	}
	// Group commit from the second append in flight on: the suite's concurrent appends
	// to different streams share batches, and the crash tests kill the server with
	// shared batches in flight.
	if c.st, err = Open(context.Background(), c.nc, Config{GroupCommitAfter: 1}); err != nil {
		c.kill()
		t.Fatalf("open store: %v", err)
	}
	return c
}

// stop closes the store and connection, then lets the server shut down gracefully.
func (c *child) stop() {
	if c.st != nil {
		_ = c.st.Close()
	}
	if c.nc != nil {
		c.nc.Close()
	}
	_ = c.stdin.Close()
	_ = c.cmd.Wait()
}

// kill SIGKILLs the server under the open store: whatever JetStream had not written is
// lost, exactly as in a crash of the process. In-flight calls then fail on the closed
// connection.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
	if c.nc != nil {
		c.nc.Close()
	}
	if c.st != nil {
		_ = c.st.Close()
	}
}

// TestContractKilled runs the contract suite against a server in another process, over
// TCP, where Crash is a SIGKILL of that process: the real crash the in-process harness
// can only approximate. The store gathers appends into shared batches (group commit).
func TestContractKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process per subtest")
	}
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		cur := startChild(t, dir)
		t.Cleanup(func() { cur.stop() })
		return storetest.Harness{
			Store: cur.st,
			Reopen: func() store.Store {
				cur.stop()
				cur = startChild(t, dir)
				return cur.st
			},
			Crash: func() store.Store {
				cur.kill()
				cur = startChild(t, dir)
				return cur.st
			},
		}
	})
}
