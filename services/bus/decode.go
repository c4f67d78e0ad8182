package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/comite-partenaires/comite/services/errcode"
)

// customTags are the Comité-wide validate tags the bus adds to validator/v10's, with the
// regular expression each field must match. Patterns use only syntax common to Go and
// ECMA-262 (with the u flag), so the gateway can put them in OpenAPI as they are.
func customTags() map[string]string {
	return map[string]string{
		// notblank: at least one character that is not white space.
		"notblank": `\S`,
		// acronym: letters and digits, with &, - and apostrophes inside ("AMF", "R&D", "Villes-I").
		"acronym": `^[\p{L}\p{N}][\p{L}\p{N}&'’-]*$`,
	}
}

// CustomTags returns the validate tags the bus defines beyond validator/v10's built-in
// ones, each with the regular expression a valid string matches (for OpenAPI).
func CustomTags() map[string]string { return customTags() }

// Decoder decodes command bodies strictly and validates them. It is safe for concurrent
// use; the gateway may use one to reject bad input before sending it.
type Decoder struct {
	validate *validator.Validate
}

// NewDecoder returns a decoder that knows the bus's custom tags.
func NewDecoder() *Decoder {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			return "-"
		case "":
			return f.Name
		}
		return name
	})
	for tag, pattern := range customTags() {
		re := regexp.MustCompile(pattern)
		err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			f := fl.Field()
			return f.Kind() == reflect.String && re.MatchString(f.String())
		})
		if err != nil {
			panic(fmt.Sprintf("bus: registering validate tag %q: %v", tag, err))
		}
	}
	return &Decoder{validate: v}
}

// Decode decodes body into a new command of spec and validates it. It returns the
// command as a value (not a pointer). Errors are *errcode.Error: invalid_json for a body
// that is not one JSON object, validation_failed (with Fields naming each JSON field and
// the rule it breaks) for unknown fields, wrong types and failed validate tags. An empty
// body is the empty object.
func (d *Decoder) Decode(spec CommandSpec, body []byte) (any, error) {
	ptr, err := d.decodePtr(spec, body)
	if err != nil {
		return nil, err
	}
	return reflect.ValueOf(ptr).Elem().Interface(), nil
}

func (d *Decoder) decodePtr(spec CommandSpec, body []byte) (any, error) {
	if spec.New == nil {
		return nil, errcode.UnknownCommand.With("command %s.%s has no type", spec.Context, spec.Name)
	}
	ptr := spec.New()
	if rv := reflect.ValueOf(ptr); rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, errcode.Internal.With("command %s.%s: New must return a pointer to a struct", spec.Context, spec.Name)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	if trimmed[0] != '{' {
		return nil, errcode.InvalidJSON.With("the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr); err != nil {
		return nil, decodeError(err, spec, trimmed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errcode.InvalidJSON.With("unexpected data after the JSON object")
	}
	if err := d.validate.Struct(ptr); err != nil {
		var ves validator.ValidationErrors
		if !errors.As(err, &ves) {
			return nil, errcode.Internal.With("validating %s.%s: %v", spec.Context, spec.Name, err)
		}
		fields := make(map[string]string, len(ves))
		for _, fe := range ves {
			rule := fe.Tag()
			if fe.Param() != "" && !strings.Contains(rule, "|") {
				rule += "=" + jsonNames(reflect.TypeOf(ptr).Elem(), fe.Param())
			}
			fields[fieldPath(fe.Namespace())] = rule
		}
		return nil, errcode.ValidationFailed.WithFields(fields)
	}
	return ptr, nil
}

// fieldPath drops the struct name from a validator namespace ("AddOrganisation.name").
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// jsonNames replaces the Go field names of t in a rule's parameter by their JSON names
// ("required_with=OpinionID" is "required_with=opinion_id" to a client).
func jsonNames(t reflect.Type, param string) string {
	words := strings.Fields(param)
	for i, w := range words {
		if f, ok := t.FieldByName(w); ok {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				words[i] = name
			}
		}
	}
	return strings.Join(words, " ")
}

// badValueField finds which top-level field of body holds a value its type's own
// decoder refuses (a time that is not RFC 3339…), by decoding the fields one at a time.
func badValueField(spec CommandSpec, body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	for name, raw := range fields {
		one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
		if json.Unmarshal(one, spec.New()) != nil {
			return name
		}
	}
	return ""
}

// decodeError classifies an encoding/json error.
func decodeError(err error, spec CommandSpec, body []byte) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errcode.InvalidJSON.With("%v", err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "$"
		}
		return errcode.ValidationFailed.WithFields(map[string]string{field: "type"}).
			With("%s must be %s, not %s", field, jsonKind(typ.Type), typ.Value)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, `json: unknown field "`); ok {
		name = strings.TrimSuffix(name, `"`)
		return errcode.ValidationFailed.WithFields(map[string]string{name: "unknown"}).
			With("unknown field %q", name)
	}
	// Errors from UnmarshalJSON/UnmarshalText methods: well-formed JSON, bad value.
	bad := errcode.ValidationFailed.With("%s", strings.TrimPrefix(msg, "json: "))
	if field := badValueField(spec, body); field != "" {
		bad = errcode.ValidationFailed.WithFields(map[string]string{field: "format"}).
			With("%s: %s", field, strings.TrimPrefix(msg, "json: "))
	}
	return bad
}

// jsonKind names the JSON type expected for a Go type.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a value"
}
