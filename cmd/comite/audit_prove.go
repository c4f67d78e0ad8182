package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/comite-partenaires/comite/events/audit"
)

// runAuditProve prints an inclusion proof (one event is in the tree) or a consistency
// proof (a tree extends an older one) from a bundle of the whole log.
func runAuditProve(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit prove", "Print, as JSON, a Merkle proof (RFC 9162) computed from a bundle of the whole log:\n"+
		"  comite audit prove BUNDLE --event ID [--size N]    the event is leaf i of the tree of N events\n"+
		"  comite audit prove BUNDLE --consistency OLD:NEW     the tree of NEW events extends the tree of OLD\n"+
		"Whoever holds the root (a checkpoint, a published head) checks the proof without the log.\n"+
		"Every proof is verified before it is printed.", stderr)
	event := fs.String("event", "", "ID of the event to prove included")
	size := fs.Uint64("size", 0, "with --event: the tree size to prove against (0: the bundle's)")
	consistency := fs.String("consistency", "", "OLD:NEW tree sizes to prove consistent (NEW 0: the bundle's)")
	dir, err := parseWithBundle(fs, args, stderr)
	if err != nil {
		return err
	}
	if (*event == "") == (*consistency == "") {
		fmt.Fprintln(stderr, "give either --event or --consistency")
		fs.Usage()
		return errUsage
	}
	var out any
	if *event != "" {
		p, err := audit.ProveInclusion(dir, *event, *size)
		if err != nil {
			return err
		}
		out = p
	} else {
		old, new, ok := strings.Cut(*consistency, ":")
		o, err1 := strconv.ParseUint(old, 10, 64)
		n, err2 := strconv.ParseUint(new, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			fmt.Fprintln(stderr, "--consistency wants OLD:NEW, two tree sizes, e.g. 1000:5000")
			return errUsage
		}
		p, err := audit.ProveConsistency(dir, o, n)
		if err != nil {
			return err
		}
		out = p
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
