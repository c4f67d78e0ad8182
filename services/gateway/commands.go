package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/errcode"
)

// MaxBodyBytes bounds a command's body.
const MaxBodyBytes = 1 << 20

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 200

// commandNamespace turns idempotency keys that are not UUIDs into command IDs.
var commandNamespace = uuid.MustParse("3f7e1d2a-8b4c-4f0e-a5d6-1c2b3a4d5e6f")

// CommandID returns the command ID for a request: the client's Idempotency-Key itself
// when it is a UUID (so a client that knows its command IDs keeps them), a UUID derived
// from it otherwise, and a fresh random one when there is no key. Reusing a key for a
// different request is caught by the bus (idempotency_key_reused).
func CommandID(key string) (string, error) {
	if key == "" {
		return uuid.NewString(), nil
	}
	if len(key) > MaxIdempotencyKey || strings.IndexFunc(key, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", errcode.ValidationFailed.WithFields(map[string]string{"Idempotency-Key": "max=200,printable"})
	}
	if id, err := uuid.Parse(key); err == nil && len(key) == 36 {
		return id.String(), nil
	}
	return uuid.NewSHA1(commandNamespace, []byte(key)).String(), nil
}

func (g *Gateway) handleCommand(w http.ResponseWriter, r *http.Request) {
	ctxName, cmdName := r.PathValue("context"), r.PathValue("command")
	if _, ok := g.commands[ctxName+"/"+cmdName]; !ok {
		g.writeProblem(w, r, errcode.UnknownCommand.With("%s/%s", ctxName, cmdName))
		return
	}
	body, ok := g.readJSON(w, r)
	if !ok {
		return
	}
	id, err := CommandID(r.Header.Get("Idempotency-Key"))
	if err != nil {
		g.writeProblem(w, r, err)
		return
	}
	actor, err := g.actor(r)
	if err != nil {
		g.writeProblem(w, r, err)
		return
	}
	req := bus.Request{
		Context: ctxName, Command: cmdName, CommandID: id, Body: body,
		Actor: actor, CorrelationID: r.Header.Get("X-Correlation-Id"),
	}
	// If-Match carries the revision of the aggregate's stream the client saw (views show
	// it as "revision"): the command is then refused with wrong_revision if anything
	// changed since, instead of being decided on newer state.
	if m := r.Header.Get("If-Match"); m != "" {
		rev, err := bus.ParseRevision(m)
		if err != nil {
			g.writeProblem(w, r, err)
			return
		}
		req.ExpectedRevision = &rev
	}
	reply, err := g.sender.Send(r.Context(), req)
	if err != nil {
		g.writeProblem(w, r, err)
		return
	}
	writeJSON(w, g.log, http.StatusOK, reply)
}

// readJSON reads a request's JSON body (at most MaxBodyBytes); it writes the problem and
// returns false when the body is too large or not JSON.
func (g *Gateway) readJSON(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			g.writeProblem(w, r, errcode.TooLarge.With("limit %d bytes", MaxBodyBytes))
			return nil, false
		}
		g.writeProblem(w, r, errcode.InvalidJSON.With("reading the body: %v", err))
		return nil, false
	}
	if !json.Valid(body) {
		g.writeProblem(w, r, errcode.InvalidJSON)
		return nil, false
	}
	return body, true
}
