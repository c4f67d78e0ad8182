package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/comite-partenaires/comite/events/store"
	"github.com/comite-partenaires/comite/events/store/esdb"
	"github.com/comite-partenaires/comite/events/store/esdb/relay"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "Copy the whole event log from one store to another — the data directory of a stopped\n"+
		"server (jetstream:DIR) or EventStoreDB (an esdb:// URL, or \"esdb\" for $"+esdbURLEnv+") — preserving\n"+
		"event IDs, order, times, payloads and hashes (positions are the target's). Resumable: run it\n"+
		"again after an interruption. At the end both logs are read again and compared event by event,\n"+
		"and the target's hash chains are verified. Stop the servers on both logs first.\n\n"+
		"  comite migrate --from jetstream:data --to esdb\n"+
		"  comite migrate --from 'esdb://localhost:2113?tls=false' --to jetstream:data-back", stderr)
	from := fs.String("from", "", "source log: jetstream:DIR, esdb://… or esdb")
	to := fs.String("to", "", "target log: jetstream:DIR (created if missing), esdb://… or esdb")
	quiet := fs.Bool("q", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		fmt.Fprintln(stderr, "give --from and --to, two different logs")
		fs.Usage()
		return errUsage
	}
	src, closeSrc, err := openLogSpec(ctx, *from, false)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer closeSrc()
	dst, closeDst, err := openLogSpec(ctx, *to, true)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer closeDst()
	var bar *progressBar
	var last uint64
	progress := func(done, total uint64) {
		if *quiet {
			return
		}
		if bar == nil {
			bar = newProgressBar(stderr, "migrating", total)
		}
		last = done
		bar.set(done)
	}
	st, err := relay.Migrate(ctx, src, dst, progress)
	if bar != nil {
		bar.done(last)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d events in the log, %d copied now; both logs compared, the target's hash chains verified\n", st.Events, st.Copied)
	return err
}

// openLogSpec opens the log a --from or --to names. A jetstream target directory is
// created and marked as a JetStream data directory.
func openLogSpec(ctx context.Context, spec string, target bool) (store.Store, func(), error) {
	if spec == storeESDB {
		spec = os.Getenv(esdbURLEnv)
		if spec == "" {
			return nil, nil, fmt.Errorf("esdb: $%s is not set", esdbURLEnv)
		}
	}
	if dir, ok := strings.CutPrefix(spec, "jetstream:"); ok {
		if target {
			if err := os.MkdirAll(filepath.Join(dir, "jetstream"), 0o750); err != nil {
				return nil, nil, err
			}
		}
		st, closeLog, err := openLog(ctx, dir)
		if err != nil {
			return nil, nil, err
		}
		if target {
			if err := checkStoreMarker(ctx, dir, storeJetStream, st); err != nil {
				closeLog()
				return nil, nil, err
			}
		}
		return st, closeLog, nil
	}
	if strings.HasPrefix(spec, "esdb://") || strings.HasPrefix(spec, "esdb+discover://") {
		st, err := esdb.Open(ctx, esdb.Config{URL: spec})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { _ = st.Close() }, nil
	}
	return nil, nil, fmt.Errorf("a log is jetstream:DIR, an esdb:// URL or esdb")
}
