// Package errcode holds Comité's stable error codes. A rejected command returns a code
// that never changes meaning (the list is append-only), an HTTP status, and a human
// message in French and English. Codes cross NATS as a header plus a JSON body and leave
// the gateway as RFC 9457 problem+json.
package errcode

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a stable, coded error. Compare with errors.Is, which matches on Code.
type Error struct {
	Code   string `json:"code"`
	Status int    `json:"status"`
	FR     string `json:"message_fr"`
	EN     string `json:"message_en"`
	// Fields names the offending input fields and what is wrong with each (validation).
	Fields map[string]string `json:"fields,omitempty"`
	// Detail adds case-specific context in English; it never holds secrets.
	Detail string `json:"detail,omitempty"`
}

// New defines a code. Packages define their codes once, as package-level values.
func New(code string, status int, fr, en string) *Error {
	return &Error{Code: code, Status: status, FR: fr, EN: en}
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + ": " + e.EN + ": " + e.Detail
	}
	return e.Code + ": " + e.EN
}

// Is matches any *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// With returns a copy carrying a case-specific detail.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithFields returns a copy naming the offending fields.
func (e *Error) WithFields(fields map[string]string) *Error {
	c := *e
	c.Fields = fields
	return &c
}

// Codes shared by every service and the gateway. Domain services define their own next to
// their decide functions.
var (
	InvalidJSON       = New("invalid_json", http.StatusBadRequest, "Le corps de la requête n'est pas un JSON valide.", "The request body is not valid JSON.")
	ValidationFailed  = New("validation_failed", http.StatusUnprocessableEntity, "Certains champs sont invalides.", "Some fields are invalid.")
	UnknownCommand    = New("unknown_command", http.StatusNotFound, "Cette commande n'existe pas.", "This command does not exist.")
	UnknownView       = New("unknown_view", http.StatusNotFound, "Cette vue n'existe pas.", "This view does not exist.")
	NotFound          = New("not_found", http.StatusNotFound, "Introuvable.", "Not found.")
	WrongRevision     = New("wrong_revision", http.StatusConflict, "L'objet a été modifié entre-temps ; rechargez et réessayez.", "The object changed in the meantime; reload and try again.")
	Conflict          = New("conflict", http.StatusConflict, "Trop de modifications simultanées ; réessayez.", "Too many concurrent changes; try again.")
	IdempotencyReused = New("idempotency_key_reused", http.StatusUnprocessableEntity, "Cette clé d'idempotence a déjà servi pour une autre requête.", "This idempotency key was already used for a different request.")
	Forbidden         = New("forbidden", http.StatusForbidden, "Vous n'avez pas le droit de faire cela.", "You are not allowed to do this.")
	Unauthenticated   = New("unauthenticated", http.StatusUnauthorized, "Connexion requise.", "Sign-in required.")
	DateInPast        = New("date_in_past", http.StatusUnprocessableEntity, "Cette date est déjà passée.", "This date is in the past.")
	TooLarge          = New("too_large", http.StatusRequestEntityTooLarge, "La requête est trop volumineuse.", "The request is too large.")
	RateLimited       = New("rate_limited", http.StatusTooManyRequests, "Trop de requêtes ; patientez.", "Too many requests; slow down.")
	Timeout           = New("timeout", http.StatusGatewayTimeout, "Le délai d'attente est dépassé.", "The request timed out.")
	Unavailable       = New("unavailable", http.StatusServiceUnavailable, "Service momentanément indisponible.", "Service temporarily unavailable.")
	Internal          = New("internal", http.StatusInternalServerError, "Erreur interne.", "Internal error.")
)

// From returns the coded error inside err, or Internal (with no detail, so that nothing
// unexpected leaks) when err carries no code.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal
}
