package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/services/errcode"
)

// progressBar draws "label [████░░░░] 42% 420/1000" on one line of w, at most ten times
// a second.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total uint64
	last  time.Time
}

func newProgressBar(w io.Writer, label string, total uint64) *progressBar {
	return &progressBar{w: w, label: label, total: total}
}

func (p *progressBar) set(n uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(n)/float64(p.total), 1)
	}
	full := int(frac * width)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d/%d", p.label, strings.Repeat("█", full), strings.Repeat("░", width-full),
		100*frac, n, p.total)
}

// done draws the final count and ends the bar's line.
func (p *progressBar) done(n uint64) {
	p.last = time.Time{}
	p.set(n)
	fmt.Fprintln(p.w)
}

// manifestEvents reads the event count of a manifest (0 if it does not decode).
func manifestEvents(b []byte) uint64 {
	var m audit.Manifest
	_ = json.Unmarshal(b, &m)
	return m.Events
}

// auditClient talks to a running server's auditor endpoints (services/gateway/audit.go).
type auditClient struct {
	base, token string
	client      *http.Client
}

func newAuditClient(url, token string) *auditClient {
	return &auditClient{base: strings.TrimSuffix(url, "/"), token: token, client: &http.Client{}}
}

func (c *auditClient) do(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		var p struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) != nil || p.Code == "" {
			return nil, fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
		}
		return nil, &errcode.Error{Code: p.Code, Status: resp.StatusCode, Detail: p.Detail}
	}
	return resp, nil
}

// head is the position of the last event of the log.
func (c *auditClient) head(ctx context.Context) (uint64, error) {
	resp, err := c.do(ctx, http.MethodGet, "/api/v1/audit/head")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var h struct {
		Position uint64 `json:"position"`
	}
	return h.Position, json.NewDecoder(resp.Body).Decode(&h)
}

// events streams the log from position from, one envelope per line.
func (c *auditClient) events(ctx context.Context, from uint64) func(func(events.Event, error) bool) {
	return func(yield func(events.Event, error) bool) {
		resp, err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/audit/events?from=%d", from))
		if err != nil {
			yield(events.Event{}, err)
			return
		}
		defer resp.Body.Close()
		head, _ := strconv.ParseUint(resp.Header.Get("X-Audit-Head"), 10, 64)
		dec := json.NewDecoder(bufio.NewReaderSize(resp.Body, 1<<20))
		var last uint64
		for {
			var e events.Event
			if err := dec.Decode(&e); err == io.EOF {
				if last < head {
					yield(events.Event{}, fmt.Errorf("%s cut the log short at position %d of %d", c.base, last, head))
				}
				return
			} else if err != nil {
				yield(events.Event{}, fmt.Errorf("reading the log from %s: %w", c.base, err))
				return
			}
			last = e.Position
			if !yield(e, nil) {
				return
			}
		}
	}
}

// seal asks the server to seal a checkpoint now.
func (c *auditClient) seal(ctx context.Context) (audit.CheckpointSealed, error) {
	var cp audit.CheckpointSealed
	resp, err := c.do(ctx, http.MethodPost, "/api/v1/audit/checkpoints")
	if err != nil {
		return cp, err
	}
	defer resp.Body.Close()
	return cp, json.NewDecoder(resp.Body).Decode(&cp)
}
