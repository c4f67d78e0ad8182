package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/comite-partenaires/comite/services/natsembed"
)

// benchServer is the whole system started as `comite serve --demo` starts it, on a
// temporary data directory, listening on a free local port.
type benchServer struct {
	srv    *server
	url    string
	client *http.Client
	stop   func()
}

// startBenchServer starts the system on a fresh directory under tmp and waits until it
// is ready. clients sizes the HTTP client's connection pool.
func startBenchServer(ctx context.Context, tmp string, fsync natsembed.Fsync, clients int) (_ *benchServer, err error) {
	dir, err := os.MkdirTemp(tmp, "comite-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := newServer(ctx, serverConfig{systemConfig: systemConfig{DataDir: dir, Fsync: fsync, Log: log}, Demo: true, Out: io.Discard})
	if err != nil {
		cancel()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		srv.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	httpSrv := &http.Server{Handler: srv.gateway, ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.run(ctx) })
	wg.Go(func() { _ = httpSrv.Serve(ln) })
	b := &benchServer{
		srv: srv, url: "http://" + ln.Addr().String(),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients + 8}},
	}
	b.stop = sync.OnceFunc(func() {
		srv.gateway.Close()
		_ = httpSrv.Close()
		cancel()
		wg.Wait()
		srv.Close()
		_ = os.RemoveAll(dir)
	})
	for srv.readiness() != nil {
		select {
		case <-ctx.Done():
			b.stop()
			return nil, fmt.Errorf("bench: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return b, nil
}

// token issues an API token for one of the demo personas (e.g. amf@demo.invalid).
func (b *benchServer) token(ctx context.Context, email string) (string, error) {
	t, _, err := b.srv.accounts.IssueToken(ctx, email, "bench", time.Time{})
	if err != nil {
		return "", fmt.Errorf("bench: token for %s: %w", email, err)
	}
	return t, nil
}

// errStatus is a command the gateway did not accept.
var errStatus = errors.New("bench: command refused")

// command sends one command through the gateway with an API token and a fresh
// Idempotency-Key, as a client would, and returns the reply's body.
func (b *benchServer) command(ctx context.Context, token, path, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url+"/api/v1/"+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return reply, fmt.Errorf("%w: %s: %d %s", errStatus, path, resp.StatusCode, reply)
	}
	return reply, nil
}
