package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ErrUnknownType is returned for an event type nobody registered. Reading such an event
// from the log is an error the operator sees, never a silent skip.
var ErrUnknownType = errors.New("events: unknown event type")

// Upcaster turns a payload written at schema From into the payload of schema From+1.
type Upcaster struct {
	From int
	Up   func(json.RawMessage) (json.RawMessage, error)
}

type entry struct {
	schema    int
	goType    reflect.Type
	upcasters map[int]Upcaster
}

// Registry maps stable event type strings to their Go payload types, current schema and
// upcasters. Each service registers its own types from its constructor; there is no
// package-level registry.
type Registry struct {
	mu    sync.RWMutex
	types map[string]entry
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{types: map[string]entry{}} }

// Register records payload type T at schema version schema (≥ 1), with upcasters from
// every older schema. Registering the same type string twice with another Go type or
// schema is an error; registering it again identically is a no-op, so that several
// services sharing a registry in one process may register what they read.
func Register[T Payload](r *Registry, schema int, upcasters ...Upcaster) error {
	var zero T
	typ := zero.EventType()
	if typ == "" {
		return errors.New("events: empty event type")
	}
	if schema < 1 {
		return fmt.Errorf("events: %s: schema must be ≥ 1", typ)
	}
	ups := map[int]Upcaster{}
	for _, u := range upcasters {
		if u.From < 1 || u.From >= schema || u.Up == nil {
			return fmt.Errorf("events: %s: upcaster from %d does not lead to schema %d", typ, u.From, schema)
		}
		ups[u.From] = u
	}
	for s := 1; s < schema; s++ {
		if _, ok := ups[s]; !ok {
			return fmt.Errorf("events: %s: no upcaster from schema %d", typ, s)
		}
	}
	goType := reflect.TypeOf(zero)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.types[typ]; ok {
		if old.goType != goType || old.schema != schema {
			return fmt.Errorf("events: %s registered twice with different definitions", typ)
		}
		return nil
	}
	r.types[typ] = entry{schema: schema, goType: goType, upcasters: ups}
	return nil
}

// MustRegister is Register for constructors that register a fixed, tested set of types.
func MustRegister[T Payload](r *Registry, schema int, upcasters ...Upcaster) {
	if err := Register[T](r, schema, upcasters...); err != nil {
		panic(err)
	}
}

// Schema returns the current schema of a registered type.
func (r *Registry) Schema(typ string) (int, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.types[typ]
	return e.schema, ok
}

// Types lists the registered type strings, sorted.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.types))
	for t := range r.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Decode upcasts an event's payload to the current schema and decodes it into its
// registered Go type, returned as a value (not a pointer).
func (r *Registry) Decode(e Event) (Payload, error) {
	r.mu.RLock()
	ent, ok := r.types[e.Type]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q (event %s in %s)", ErrUnknownType, e.Type, e.ID, e.Stream)
	}
	data := e.Data
	if e.Schema > ent.schema || e.Schema < 1 {
		return nil, fmt.Errorf("events: %s: schema %d unknown (current %d)", e.Type, e.Schema, ent.schema)
	}
	for s := e.Schema; s < ent.schema; s++ {
		var err error
		if data, err = ent.upcasters[s].Up(data); err != nil {
			return nil, fmt.Errorf("events: upcasting %s from schema %d: %w", e.Type, s, err)
		}
	}
	ptr := reflect.New(ent.goType)
	if err := json.Unmarshal(data, ptr.Interface()); err != nil {
		return nil, fmt.Errorf("events: decoding %s (event %s): %w", e.Type, e.ID, err)
	}
	return ptr.Elem().Interface().(Payload), nil
}

// New turns a payload into an unsaved envelope: ID, type, schema, stream, time, meta and
// data are set; the store assigns revision, position and the hashes at append. The
// payload's type must be registered, so nothing unreadable is ever written.
func (r *Registry) New(p Payload, stream string, id uuid.UUID, at time.Time, meta Meta) (Event, error) {
	schema, ok := r.Schema(p.EventType())
	if !ok {
		return Event{}, fmt.Errorf("%w: %q", ErrUnknownType, p.EventType())
	}
	data, err := json.Marshal(p)
	if err != nil {
		return Event{}, fmt.Errorf("events: encoding %s: %w", p.EventType(), err)
	}
	if data, err = CanonicalJSON(data); err != nil {
		return Event{}, err
	}
	return Event{ID: id, Type: p.EventType(), Schema: schema, Stream: stream,
		Time: CanonicalTime(at), Meta: meta, Data: data}, nil
}
