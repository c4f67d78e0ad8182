// Package natsembed runs a NATS server with JetStream inside the Comité process: the
// all-in-one mode a new user gets. JetStream keeps its files in the data directory and,
// by default, syncs every write to disk before acknowledging it.
package natsembed

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Fsync chooses when JetStream syncs its files to disk.
type Fsync string

const (
	// FsyncAlways syncs every write before acknowledging it (the default): an acknowledged
	// command survives a process crash and a power cut.
	FsyncAlways Fsync = "always"
	// FsyncInterval syncs every two minutes: much faster, but a power cut (not a process
	// crash) may lose the last acknowledged writes.
	FsyncInterval Fsync = "interval"
)

// Config configures the embedded server. The zero value plus DataDir is a working,
// durable, loopback-only configuration.
type Config struct {
	// DataDir is where JetStream stores its files (a "jetstream" folder inside it).
	DataDir string
	// Fsync is FsyncAlways when empty.
	Fsync Fsync
	// Listen, when set (e.g. "127.0.0.1:4222"), also accepts TCP clients; by default the
	// server only accepts in-process connections.
	Listen string
	// ReadyTimeout bounds the wait for the server to start (10 s when zero).
	ReadyTimeout time.Duration
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("natsembed: DataDir is required")
	}
	switch c.Fsync {
	case "", FsyncAlways, FsyncInterval:
	default:
		return fmt.Errorf("natsembed: fsync must be %q or %q, not %q", FsyncAlways, FsyncInterval, c.Fsync)
	}
	return nil
}

// Server is a running embedded NATS server.
type Server struct {
	ns       *server.Server
	stopOnce sync.Once
}

// Start starts the server and waits until it accepts connections.
func Start(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName:         "comite",
		JetStream:          true,
		StoreDir:           filepath.Join(cfg.DataDir, "jetstream"),
		NoSigs:             true,
		DontListen:         cfg.Listen == "",
		SyncAlways:         cfg.Fsync != FsyncInterval,
		MaxPayload:         8 << 20,
		JetStreamMaxMemory: 256 << 20,
	}
	if cfg.Listen != "" {
		host, port, err := splitHostPort(cfg.Listen)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	ns.Start()
	timeout := cfg.ReadyTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if !ns.ReadyForConnections(timeout) {
		ns.Shutdown()
		return nil, fmt.Errorf("natsembed: server not ready after %s", timeout)
	}
	return &Server{ns: ns}, nil
}

// Connect opens a client connection to the server (in-process unless it listens on TCP).
func (s *Server) Connect(name string, opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.Name(name), nats.InProcessServer(s.ns), nats.MaxReconnects(-1)}, opts...)
	return nats.Connect(s.ns.ClientURL(), opts...)
}

// ClientURL is the server's URL for TCP clients (meaningful only with Config.Listen).
func (s *Server) ClientURL() string { return s.ns.ClientURL() }

// Shutdown stops the server and waits for it; it is idempotent.
func (s *Server) Shutdown() {
	s.stopOnce.Do(func() {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	})
}

func splitHostPort(addr string) (string, int, error) {
	host, portStr, err := netSplit(addr)
	if err != nil {
		return "", 0, fmt.Errorf("natsembed: listen address %q: %w", addr, err)
	}
	var port int
	if _, err := fmt.Sscanf(portStr, "%d", &port); err != nil {
		return "", 0, fmt.Errorf("natsembed: listen port %q: %w", portStr, err)
	}
	return host, port, nil
}

var netSplit = net.SplitHostPort
