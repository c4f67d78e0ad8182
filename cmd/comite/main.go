// Command comite runs Comité: the all-in-one server with its embedded NATS (`comite
// serve`), demo data (`comite demo`), and the tools around them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the whole system: embedded NATS, services, projections, HTTP API and web app", runServe},
		{"demo", "add the demo committee (idempotent) to a data directory or a running server", runDemo},
		{"audit", "export and verify the verifiable history (bundles, Merkle checkpoints)", runAudit},
		{"migrate", "copy the event log between stores (JetStream data directory, EventStoreDB), verified", runMigrate},
		{"user", "manage local accounts: add, list, disable, reset-password, token", runUser},
		{"bench", "measure throughput and latency against the raw infrastructure, in the same run", runBench},
		{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			_, err := fmt.Fprintln(stdout, "comite", version)
			return err
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `comite — the partner committee's workspace (Comité des partenaires du numérique pour l'éducation)

Usage:
  comite <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "comite <command> --help" for a command's flags.
Quick start: comite serve --demo, then open http://localhost:8080
`)
}

// errUsage marks an error already explained to the user by flag parsing.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			default:
				fmt.Fprintln(stderr, "comite "+c.name+":", err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "comite: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// newFlags returns a flag set whose --help prints the command's summary and flags.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("comite "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: comite %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, mapping errors to errUsage (flag already printed why).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
