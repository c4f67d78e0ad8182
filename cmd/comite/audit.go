package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/jetstream"
	"github.com/comite-partenaires/comite/services/natsembed"
)

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"export": runAuditExport, "verify": runAuditVerify, "seal": runAuditSeal, "prove": runAuditProve,
	}
	if len(args) > 0 {
		if run, ok := sub[args[0]]; ok {
			return run(ctx, args[1:], stdout, stderr)
		}
	}
	w := stderr
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		w = stdout
	}
	fmt.Fprint(w, `Usage: comite audit <export|verify|seal|prove> [flags]

  export   write a self-contained bundle of the log (events, checkpoints, manifest)
  verify   check a bundle with nothing but its files; exit status 1 names the first
           event altered, removed, inserted or reordered
  seal     seal a checkpoint (Merkle root over the whole log) into the log now
  prove    print the Merkle proof that an event is in the log, or that the log up to a
           checkpoint was not rewritten since (from a bundle of the whole log)

Run "comite audit <command> --help" for its flags. See docs/AUDIT.md.
`)
	if w == stdout {
		return flag.ErrHelp
	}
	return errUsage
}

// logSource is where an export or a seal reads the log: a stopped server's data
// directory, or a running server's auditor endpoints.
type logSource struct {
	data, url, token *string
}

func (s *logSource) register(fs interface {
	String(name, value, usage string) *string
}, who string) {
	s.data = fs.String("data", "", "data directory of a stopped server")
	s.url = fs.String("url", "", "URL of a running server, e.g. http://localhost:8080")
	s.token = fs.String("token", os.Getenv("COMITE_TOKEN"), "with --url: an API token of "+who+" (comite user token), or $COMITE_TOKEN")
}

func (s *logSource) check(stderr io.Writer, usage func()) error {
	if (*s.data == "") == (*s.url == "") {
		fmt.Fprintln(stderr, "give exactly one of --data or --url")
		usage()
		return errUsage
	}
	return nil
}

// openLog opens the event log of a stopped server's data directory, read-write, with
// nothing else running.
func openLog(ctx context.Context, dataDir string) (*jetstream.Store, func(), error) {
	if err := checkJetStreamLog(dataDir); err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, "jetstream")); err != nil {
		return nil, nil, fmt.Errorf("%s holds no event log (no jetstream folder)", dataDir)
	}
	ns, err := natsembed.Start(natsembed.Config{DataDir: dataDir})
	if err != nil {
		return nil, nil, err
	}
	nc, err := ns.Connect("comite-audit")
	if err != nil {
		ns.Shutdown()
		return nil, nil, err
	}
	st, err := jetstream.Open(ctx, nc, jetstream.Config{})
	if err != nil {
		nc.Close()
		ns.Shutdown()
		return nil, nil, fmt.Errorf("opening the event log: %w", err)
	}
	return st, func() { _ = st.Close(); nc.Close(); ns.Shutdown() }, nil
}

func runAuditExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export", "Write an audit bundle: a directory with events.jsonl (one envelope per line, as stored),\n"+
		"checkpoints.jsonl (the checkpoints sealed in the range, with consistency proofs) and\n"+
		"manifest.json (counts, positions, Merkle root). A bundle filtered by --stream or --context\n"+
		"also holds proofs.jsonl, an inclusion proof per event. Verify it with: comite audit verify DIR", stderr)
	out := fs.String("o", "", "bundle directory to create (required)")
	from := fs.Uint64("from", 0, "first global position exported (0: the beginning)")
	to := fs.Uint64("to", 0, "last global position exported (0: the end)")
	streams := fs.String("stream", "", "comma-separated streams to keep (e.g. opinion-6f1c…)")
	contexts := fs.String("context", "", "comma-separated stream categories to keep (e.g. opinion,consultation)")
	var src logSource
	src.register(fs, "an auditor")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "-o BUNDLE is required")
		fs.Usage()
		return errUsage
	}
	if err := src.check(stderr, fs.Usage); err != nil {
		return err
	}
	filter := audit.Filter{From: *from, To: *to, Streams: splitList(*streams), Contexts: splitList(*contexts)}
	log, head, done, err := src.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	bar := newProgressBar(stderr, "exporting", head)
	m, err := audit.Export(log, *out, audit.ExportOptions{Filter: filter, Progress: bar.set})
	if err != nil {
		fmt.Fprintln(stderr)
		return err
	}
	bar.done(max(m.LastPosition, head))
	fmt.Fprintf(stdout, "bundle %s: %d events (positions %d–%d), %d checkpoints, root %s@%d\n",
		*out, m.Events, m.FirstPosition, m.LastPosition, m.Checkpoints, m.Root, m.TreeSize)
	return nil
}

// open returns the whole log in global order, its head (for the progress bar) and what
// to call when done.
func (s *logSource) open(ctx context.Context) (func(func(events.Event, error) bool), uint64, func(), error) {
	if *s.url != "" {
		c := newAuditClient(*s.url, *s.token)
		head, err := c.head(ctx)
		if err != nil {
			return nil, 0, nil, err
		}
		return c.events(ctx, store.Start), head, func() {}, nil
	}
	st, closeLog, err := openLog(ctx, *s.data)
	if err != nil {
		return nil, 0, nil, err
	}
	head, err := st.Head(ctx)
	if err != nil {
		closeLog()
		return nil, 0, nil, err
	}
	return st.ReadAll(ctx, store.Start), head, closeLog, nil
}

func runAuditVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", "Verify an audit bundle with nothing but its files: every line decodes, positions strictly\n"+
		"increase, every event matches its hash and links to the previous event of its stream,\n"+
		"and the Merkle roots recomputed from the events equal every checkpoint, the manifest and\n"+
		"the --root witnesses. Exit status 0 when it verifies, 1 naming the first event altered,\n"+
		"removed, inserted or reordered. The bundle directory comes first or last:\n"+
		"  comite audit verify BUNDLE [--root HEX@SIZE ...]", stderr)
	var roots rootFlags
	fs.Var(&roots, "root", "a published tree head HEX@SIZE (Merkle root over the first SIZE events) the bundle must match; repeatable")
	workers := fs.Int("workers", 0, "goroutines decoding and hashing (0: one per CPU)")
	quiet := fs.Bool("q", false, "no progress bar")
	dir, err := parseWithBundle(fs, args, stderr)
	if err != nil {
		return err
	}
	opts := audit.VerifyOptions{Roots: roots, Workers: *workers}
	var bar *progressBar
	if !*quiet {
		if m, err := os.ReadFile(filepath.Join(dir, audit.ManifestFile)); err == nil {
			bar = newProgressBar(stderr, "verifying", manifestEvents(m))
			opts.Progress = bar.set
		}
	}
	start := time.Now()
	rep, err := audit.Verify(dir, opts)
	if err != nil {
		if bar != nil {
			fmt.Fprintln(stderr)
		}
		return err
	}
	if bar != nil {
		bar.done(rep.Events)
	}
	took := time.Since(start)
	what := "chains, positions and Merkle roots"
	if rep.Partial {
		what = "chains and inclusion proofs (a filtered bundle: roots not recomputed)"
	}
	fmt.Fprintf(stdout, "OK %s: %d events in %d streams, %s verified; %d tree heads matched, %d proofs checked; head %s@%d (%s, %.0f events/s)\n",
		dir, rep.Events, rep.Streams, what, rep.Roots, rep.Proofs, rep.Manifest.Root, rep.Manifest.TreeSize,
		took.Round(time.Millisecond), float64(rep.Events)/max(took.Seconds(), 1e-9))
	return nil
}

func runAuditSeal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit seal", "Seal a checkpoint now: the Merkle root over every event of the log, appended to the\n"+
		"log as an audit.checkpoint.sealed event (a running server also seals one every\n"+
		"--checkpoint-every events). Prints the tree head HEX@SIZE to publish.", stderr)
	var src logSource
	src.register(fs, "an auditor or the secretariat")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := src.check(stderr, fs.Usage); err != nil {
		return err
	}
	var c audit.CheckpointSealed
	if *src.url != "" {
		var err error
		if c, err = newAuditClient(*src.url, *src.token).seal(ctx); err != nil {
			return err
		}
	} else {
		st, closeLog, err := openLog(ctx, *src.data)
		if err != nil {
			return err
		}
		defer closeLog()
		s, err := audit.NewSealer(audit.SealerConfig{Store: st, Registry: events.NewRegistry()})
		if err != nil {
			return err
		}
		if c, err = s.SealOnce(ctx); err != nil {
			return err
		}
	}
	if c.Size == 0 {
		fmt.Fprintln(stdout, "the log is empty: nothing to seal")
		return nil
	}
	fmt.Fprintf(stdout, "checkpoint: %d events up to position %d\n%s\n", c.Size, c.Position, audit.RootAt{Size: c.Size, Root: c.Root})
	return nil
}

// rootFlags collects repeated --root HEX@SIZE.
type rootFlags []audit.RootAt

func (r *rootFlags) String() string { return fmt.Sprint([]audit.RootAt(*r)) }

func (r *rootFlags) Set(s string) error {
	v, err := audit.ParseRootAt(s)
	if err != nil {
		return err
	}
	*r = append(*r, v)
	return nil
}

// parseWithBundle parses a command's flags around its one bundle directory, which may
// come first or last; it explains a missing or extra argument (errUsage).
func parseWithBundle(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", errUsage
	}
	if dir == "" && fs.NArg() == 1 {
		dir = fs.Arg(0)
	} else if fs.NArg() > 0 || dir == "" {
		fmt.Fprintln(stderr, "give one bundle directory")
		fs.Usage()
		return "", errUsage
	}
	return dir, nil
}
