package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/demo"
	"github.com/comite-partenaires/comite/services/errcode"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Add the demo committee (the Comité des partenaires du numérique pour l'éducation and\n"+
		"its 11 founding organisations, a working group per theme, a draft recommendation, an opinion\n"+
		"put to the vote and action sheets) to a stopped server's data directory or to a running server.\n"+
		"Running it again changes nothing.", stderr)
	dataDir := fs.String("data", "", "data directory of a stopped server")
	url := fs.String("url", "", "URL of a running server, e.g. http://localhost:8080")
	token := fs.String("token", os.Getenv("COMITE_TOKEN"), "with --url: an API token of secretariat@demo.invalid (comite user token), or $COMITE_TOKEN")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*dataDir == "") == (*url == "") {
		fmt.Fprintln(stderr, "give exactly one of --data or --url")
		fs.Usage()
		return errUsage
	}
	progress := func(step string) { fmt.Fprintln(stdout, "  ✓", step) }
	if *url != "" {
		s := &httpSender{base: strings.TrimSuffix(*url, "/"), token: *token, client: &http.Client{Timeout: 30 * time.Second}}
		if err := demo.Seed(ctx, s, time.Now(), progress); err != nil {
			return err
		}
	} else {
		log, _ := newLogger(stderr, "warn")
		sys, err := startSystem(ctx, systemConfig{DataDir: *dataDir, Log: log})
		if err != nil {
			return err
		}
		defer sys.Close()
		if err := demo.Seed(ctx, sys.client, time.Now(), progress); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "demo committee ready:", len(demo.Organisations()), "organisations")
	return nil
}

// httpSender sends commands through a running gateway, with the command ID as the
// Idempotency-Key so that the same step always names the same command.
type httpSender struct {
	base   string
	token  string
	client *http.Client
}

func (h *httpSender) Send(ctx context.Context, req bus.Request) (bus.Reply, error) {
	url := fmt.Sprintf("%s/api/v1/%s/%s", h.base, req.Context, req.Command)
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req.Body))
	if err != nil {
		return bus.Reply{}, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Idempotency-Key", req.CommandID)
	if h.token != "" {
		r.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.client.Do(r)
	if err != nil {
		return bus.Reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return bus.Reply{}, err
	}
	if resp.StatusCode != http.StatusOK {
		var p struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) != nil || p.Code == "" {
			return bus.Reply{}, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
		}
		return bus.Reply{}, &errcode.Error{Code: p.Code, Status: resp.StatusCode, Detail: p.Detail}
	}
	var reply bus.Reply
	return reply, json.Unmarshal(body, &reply)
}
