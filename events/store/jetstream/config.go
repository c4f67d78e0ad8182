package jetstream

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultStream            = "COMITE_EVENTS"
	DefaultSubjectPrefix     = "comite.ev"
	DefaultReplicas          = 1
	DefaultDuplicateWindow   = 2 * time.Minute
	DefaultRequestTimeout    = 5 * time.Second
	DefaultAppendAttempts    = 64
	DefaultReadBatch         = 256
	DefaultMaxEventsPerBatch = 1000
	DefaultSubscribeBuffer   = 256
	DefaultGroupCommitAfter  = 32
)

// Config configures the adapter. The zero value is the default, working configuration:
// Open applies the defaults below to every zero field.
type Config struct {
	// Stream is the JetStream stream holding the log (DefaultStream).
	Stream string
	// SubjectPrefix is the subject every event lives under: stream "opinion-6f1c…" is
	// stored on "<prefix>.opinion.6f1c…" (DefaultSubjectPrefix). The JetStream stream
	// captures "<prefix>.>" and nothing else.
	SubjectPrefix string
	// Replicas of the JetStream stream: 1 for the embedded server, 3 on a cluster
	// (DefaultReplicas).
	Replicas int
	// DuplicateWindow is how long JetStream remembers event IDs (Nats-Msg-Id) to drop a
	// re-published event cheaply (DefaultDuplicateWindow). Idempotency does not depend
	// on it: a retried append is also recognised by reading the stream.
	DuplicateWindow time.Duration
	// RequestTimeout bounds each request to the server when the caller's context has no
	// deadline (DefaultRequestTimeout).
	RequestTimeout time.Duration
	// AppendAttempts bounds how many times an append expecting Any or StreamExists is
	// retried when another writer moves the stream in between (DefaultAppendAttempts).
	AppendAttempts int
	// ReadBatch is how many messages a read fetches per request (DefaultReadBatch).
	ReadBatch int
	// MaxEventsPerBatch bounds the events of one append: JetStream's atomic batch limit
	// (DefaultMaxEventsPerBatch, the server's default).
	MaxEventsPerBatch int
	// SubscribeBuffer is the capacity of a subscription's channel
	// (DefaultSubscribeBuffer).
	SubscribeBuffer int
	// GroupCommitAfter is how many appends may be in flight, each synced on its own,
	// before further concurrent appends are gathered into atomic batches synced once
	// (DefaultGroupCommitAfter; group.go explains). A negative value turns group commit
	// off: every append is sent by its caller.
	GroupCommitAfter int
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	set := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.SubjectPrefix == "" {
		c.SubjectPrefix = DefaultSubjectPrefix
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	set(&c.Replicas, DefaultReplicas)
	set(&c.AppendAttempts, DefaultAppendAttempts)
	set(&c.ReadBatch, DefaultReadBatch)
	set(&c.MaxEventsPerBatch, DefaultMaxEventsPerBatch)
	set(&c.SubscribeBuffer, DefaultSubscribeBuffer)
	set(&c.GroupCommitAfter, DefaultGroupCommitAfter)
	return c
}

// Validate checks the configuration, zero fields standing for their defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if strings.ContainsAny(c.Stream, " \t\r\n.*>/\\") {
		errs = append(errs, fmt.Errorf("stream name %q contains whitespace, '.', '*', '>' or a slash", c.Stream))
	}
	for tok := range strings.SplitSeq(c.SubjectPrefix, ".") {
		if tok == "" || strings.ContainsAny(tok, " \t\r\n*>") {
			errs = append(errs, fmt.Errorf("subject prefix %q must be non-empty tokens without wildcards or whitespace", c.SubjectPrefix))
			break
		}
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("replicas %d not in 1..5", c.Replicas))
	}
	if c.DuplicateWindow < 0 || c.RequestTimeout < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.AppendAttempts < 1 || c.ReadBatch < 1 || c.MaxEventsPerBatch < 1 || c.SubscribeBuffer < 1 {
		errs = append(errs, errors.New("append attempts, read batch, max events per batch and subscribe buffer must be ≥ 1"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jetstream store config: %w", err)
	}
	return nil
}
