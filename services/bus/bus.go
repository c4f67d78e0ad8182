// Package bus carries Comité's commands over NATS request/reply.
//
// A command is sent to the subject comite.cmd.<context>.<command> with its JSON body and
// headers carrying its provenance (command, correlation and causation IDs, actor, trace).
// Each context's service answers in a queue group (nats.go micro), so any number of
// instances may run. The service side is a reusable runner, [Service]: it decodes the body
// strictly, loads the aggregate, folds it, calls the context's pure decide function and
// appends the resulting events with the revision it read, retrying on concurrent writes.
// The command ID makes every command idempotent: a retry appends nothing new and gets the
// very same reply.
//
// Rejections travel as an [errcode.Error]: its code in micro's Nats-Service-Error-Code
// header, its JSON in the body, so that errors.Is works on the client side.
package bus

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/micro"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Headers of a command request. Every value is optional except the command ID.
const (
	HeaderCommandID     = "Comite-Command-Id"
	HeaderCorrelationID = "Comite-Correlation-Id"
	HeaderCausationID   = "Comite-Causation-Id"
	// HeaderActor holds the JSON of an events.Actor.
	HeaderActor = "Comite-Actor"
	// HeaderActorSignature holds SignActor's HMAC of the actor, when the service requires
	// signed actors (ServiceConfig.ActorKey).
	HeaderActorSignature = "Comite-Actor-Signature"
	// HeaderTrace holds W3C trace context, copied into the events' meta.trace.
	HeaderTrace = "traceparent"
	// HeaderExpectedRevision holds the revision (decimal) the sender last saw of the
	// aggregate the command addresses: the command is rejected with wrong_revision if
	// the aggregate has changed since (the gateway maps HTTP If-Match onto it).
	HeaderExpectedRevision = "Comite-Expected-Revision"
	// HeaderErrorCode carries a rejection's code (micro's service error header).
	HeaderErrorCode = micro.ErrorCodeHeader
)

// SubjectPrefix starts every command subject.
const SubjectPrefix = "comite.cmd"

// MaxCommandIDLength bounds command IDs, which clients may choose (idempotency keys).
const MaxCommandIDLength = 200

// Timeouts used when none is configured.
const (
	DefaultClientTimeout  = 10 * time.Second
	DefaultHandlerTimeout = 10 * time.Second
)

// CommandSpec describes one command of a context: the static catalogue the gateway uses
// for routing and to generate OpenAPI from the command structs and their validate tags,
// without running the service.
type CommandSpec struct {
	// Context is the bounded context, e.g. "membership".
	Context string
	// Name is the command in kebab-case, e.g. "add-organisation".
	Name string
	// Summary is a one-line English description.
	Summary string
	// New returns a pointer to a zero command struct, into which bodies are decoded.
	New func() any
}

// Subject is the NATS subject of the command.
func (s CommandSpec) Subject() string { return Subject(s.Context, s.Name) }

// Subject returns comite.cmd.<context>.<command>.
func Subject(context, command string) string {
	return SubjectPrefix + "." + context + "." + command
}

// namePattern is what context and command names look like: they are subject tokens and
// micro endpoint names.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// ValidName reports whether s can name a context or a command (lower-case kebab-case).
func ValidName(s string) bool { return len(s) <= 64 && namePattern.MatchString(s) }

// Request is a command as the gateway sends it.
type Request struct {
	Context string
	Command string
	// CommandID identifies the command: the same ID sent again is the same command
	// (idempotency). The client generates a random one when it is empty.
	CommandID string
	// Body is the command's JSON.
	Body []byte
	// Actor is who sends the command, from the session, never from the body.
	Actor events.Actor
	// CorrelationID and CausationID default to the command ID on the service side.
	CorrelationID string
	CausationID   string
	// Trace is W3C trace context (traceparent), if any.
	Trace string
	// ExpectedRevision, when set, is the revision of the aggregate's last event the
	// sender saw; if the aggregate is elsewhere, the command is rejected with
	// wrong_revision instead of being decided on the newer state.
	ExpectedRevision *uint64
}

// Reply is a successful command's answer.
type Reply struct {
	CommandID string `json:"command_id"`
	// Position is the global position of the command's last event; for a command that
	// changed nothing, the position of the last event of the stream it read.
	Position uint64     `json:"position"`
	Events   []EventRef `json:"events"`
}

// EventRef names one event a command appended.
type EventRef struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Stream   string `json:"stream"`
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

// Envelope is what the bus knows about a command beyond its body. Command structs embed
// it, so that decide stays a pure function of (state, command) while still deriving IDs
// from the command ID or checking the actor. It is never read from the body.
type Envelope struct {
	CommandID string       `json:"-"`
	Actor     events.Actor `json:"-"`
	// Time is the injected clock's reading for this attempt.
	Time time.Time `json:"-"`
}

func (e *Envelope) setEnvelope(v Envelope) { *e = v }

// enveloped is implemented by pointers to command structs embedding Envelope.
type enveloped interface{ setEnvelope(Envelope) }

// RequestHash is the SHA-256 that binds a command ID to one request: context, command,
// actor and the canonical form of the body (so that re-encoding the same JSON differently
// is still the same request). Reusing a command ID with another hash is rejected with
// idempotency_key_reused.
//
// With a key (ServiceConfig.ActorKey) it is an HMAC-SHA256 instead: the reply store then
// holds nothing a reader could test guesses against — a secret ballot's choices are in
// the body of a command whose ID the log shows next to the organisation.
func RequestHash(key []byte, r Request) string {
	body, err := events.CanonicalJSON(r.Body)
	if err != nil {
		body = r.Body
	}
	h := sha256.New()
	if len(key) > 0 {
		h = hmac.New(sha256.New, key)
	}
	for _, part := range []string{r.Context, r.Command, r.Actor.User, r.Actor.Organisation, r.Actor.Role} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if r.ExpectedRevision != nil {
		h.Write([]byte(strconv.FormatUint(*r.ExpectedRevision, 10)))
	}
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// ParseRevision reads an expected revision as HTTP sends it (If-Match: "3", W/"3" or 3)
// or as HeaderExpectedRevision carries it. Anything else is validation_failed on the
// field expected_revision.
func ParseRevision(s string) (uint64, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "W/")
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || v == "" || v[0] == '+' {
		return 0, errcode.ValidationFailed.WithFields(map[string]string{"expected_revision": "revision"}).
			With("%q is not a revision", s)
	}
	return n, nil
}

// SignActor is the signature of a request's actor header (its JSON, "" for none), bound
// to the command ID, context and command so that it cannot be replayed onto another
// command: base64url of HMAC-SHA256 with the key shared by senders and services.
func SignActor(key []byte, commandID, context, command, actorJSON string) string {
	mac := hmac.New(sha256.New, key)
	for _, part := range []string{commandID, context, command, actorJSON} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyActor reports whether signature is SignActor's for these values.
func VerifyActor(key []byte, commandID, context, command, actorJSON, signature string) bool {
	want := SignActor(key, commandID, context, command, actorJSON)
	return hmac.Equal([]byte(want), []byte(signature))
}

// replyKey is the reply store key of a command ID: any string a client chose becomes a
// valid KV key.
func replyKey(commandID string) string {
	sum := sha256.Sum256([]byte(commandID))
	return hex.EncodeToString(sum[:])
}

// checkCommandID returns the validation rule a command ID breaks, or "".
func checkCommandID(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "required"
	case len(id) > MaxCommandIDLength:
		return "max=200"
	}
	for _, r := range id {
		if r < 0x21 || r == 0x7f {
			return "printable"
		}
	}
	return ""
}

// replyFor builds the reply of a command from its stored events.
func replyFor(commandID string, evs []events.Event, position uint64) Reply {
	rep := Reply{CommandID: commandID, Position: position, Events: make([]EventRef, 0, len(evs))}
	for _, e := range evs {
		rep.Events = append(rep.Events, EventRef{ID: e.ID.String(), Type: e.Type, Stream: e.Stream,
			Revision: e.Revision, Position: e.Position})
		rep.Position = e.Position
	}
	return rep
}
