package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi31"

	"github.com/comite-partenaires/comite/projections"
	"github.com/comite-partenaires/comite/services/bus"
)

// RowTyper is implemented by models that can describe their rows for the OpenAPI
// document; it returns a zero row.
type RowTyper interface {
	RowType() any
}

// OpenAPI generates the OpenAPI 3.1 document of every command and view from the Go types
// themselves: command structs with their json and validate tags, replies, view rows and
// problems. It is generated, never written by hand, so it cannot drift from the code.
func OpenAPI(version string, commands []bus.CommandSpec, views []*projections.View, queries ...Query) ([]byte, error) {
	r := openapi31.NewReflector()
	r.Spec.Info.WithTitle("Comité API").WithVersion(version).
		WithDescription("Commands (POST) go to the deciding service; views (GET) come from the projections. Errors are RFC 9457 problem+json with a stable code.")
	r.JSONSchemaReflector().DefaultOptions = append(r.JSONSchemaReflector().DefaultOptions,
		jsonschema.InterceptProp(validateTagsToSchema))

	for _, c := range commands {
		op, err := r.NewOperationContext(http.MethodPost, "/api/v1/"+c.Context+"/"+c.Name)
		if err != nil {
			return nil, err
		}
		op.SetID(c.Context + "." + c.Name)
		op.SetTags(c.Context)
		op.SetSummary(c.Summary)
		op.AddReqStructure(c.New(), openapi.WithContentType("application/json"))
		op.AddRespStructure(new(bus.Reply), openapi.WithHTTPStatus(http.StatusOK))
		for _, status := range []int{400, 404, 409, 413, 422, 503} {
			op.AddRespStructure(new(Problem), openapi.WithHTTPStatus(status), openapi.WithContentType("application/problem+json"))
		}
		if err := r.AddOperation(op); err != nil {
			return nil, fmt.Errorf("gateway: openapi for %s/%s: %w", c.Context, c.Name, err)
		}
	}
	for _, v := range views {
		if err := addView(r, v); err != nil {
			return nil, err
		}
	}
	for _, q := range queries {
		if err := addQuery(r, q); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(r.Spec, "", "  ")
}

type queryPath struct {
	ID string `path:"id"`
}

func addQuery(r *openapi31.Reflector, q Query) error {
	op, err := r.NewOperationContext(http.MethodPost, "/api/v1/queries/"+q.Name+"/{id}")
	if err != nil {
		return err
	}
	op.SetID("queries." + q.Name)
	op.SetTags("queries")
	op.SetSummary(q.Summary)
	op.AddReqStructure(new(queryPath))
	if q.Params != nil {
		op.AddReqStructure(q.Params, openapi.WithContentType("application/json"))
	}
	if q.Answer != nil {
		op.AddRespStructure(q.Answer, openapi.WithHTTPStatus(http.StatusOK))
	}
	for _, status := range []int{400, 403, 404, 409, 413, 422} {
		op.AddRespStructure(new(Problem), openapi.WithHTTPStatus(status), openapi.WithContentType("application/problem+json"))
	}
	if err := r.AddOperation(op); err != nil {
		return fmt.Errorf("gateway: openapi for query %s: %w", q.Name, err)
	}
	return nil
}

type viewQuery struct {
	MinPosition uint64 `query:"min_position" description:"Wait (at most 10 s) until the view has reached this global position: read-your-writes after a command."`
	At          uint64 `query:"at" description:"Time travel: the view as it was once every event up to this global position was folded (422 past the end of the log)."`
	AsOf        string `query:"as_of" format:"date-time" description:"Time travel: the view as it was at this RFC 3339 instant (not with at; 422 in the future)."`
}

type itemPath struct {
	viewQuery
	ID string `path:"id"`
}

func addView(r *openapi31.Reflector, v *projections.View) error {
	var row any = new(map[string]any)
	if rt, ok := v.Model().(RowTyper); ok {
		row = rt.RowType()
	}
	rowType := reflect.TypeOf(row)
	if rowType.Kind() == reflect.Pointer {
		rowType = rowType.Elem()
	}
	listType := reflect.StructOf([]reflect.StructField{
		{Name: "Position", Type: reflect.TypeFor[uint64](), Tag: `json:"position" required:"true"`},
		{Name: "Items", Type: reflect.SliceOf(rowType), Tag: `json:"items" required:"true"`},
	})
	itemType := reflect.StructOf([]reflect.StructField{
		{Name: "Position", Type: reflect.TypeFor[uint64](), Tag: `json:"position" required:"true"`},
		{Name: "Item", Type: rowType, Tag: `json:"item"`},
	})
	path := "/api/v1/views/" + v.Name()
	op, err := r.NewOperationContext(http.MethodGet, path)
	if err != nil {
		return err
	}
	op.SetID("views." + v.Name())
	op.SetTags("views")
	op.AddReqStructure(new(viewQuery))
	if v.Singleton() {
		op.AddRespStructure(reflect.New(itemType).Interface())
	} else {
		op.AddRespStructure(reflect.New(listType).Interface())
	}
	op.AddRespStructure(new(Problem), openapi.WithHTTPStatus(http.StatusGatewayTimeout), openapi.WithContentType("application/problem+json"))
	op.AddRespStructure(new(Problem), openapi.WithHTTPStatus(http.StatusUnprocessableEntity), openapi.WithContentType("application/problem+json"))
	if err := r.AddOperation(op); err != nil {
		return fmt.Errorf("gateway: openapi for view %s: %w", v.Name(), err)
	}
	if v.Singleton() {
		return nil
	}
	op, err = r.NewOperationContext(http.MethodGet, path+"/{id}")
	if err != nil {
		return err
	}
	op.SetID("views." + v.Name() + ".item")
	op.SetTags("views")
	op.AddReqStructure(new(itemPath))
	op.AddRespStructure(reflect.New(itemType).Interface())
	op.AddRespStructure(new(Problem), openapi.WithHTTPStatus(http.StatusNotFound), openapi.WithContentType("application/problem+json"))
	return r.AddOperation(op)
}

// validateTagsToSchema carries go-playground/validator rules into the JSON Schema, so
// that the document states the same rules the services enforce.
func validateTagsToSchema(p jsonschema.InterceptPropParams) error {
	if !p.Processed || p.PropertySchema == nil {
		return nil
	}
	tag := p.Field.Tag.Get("validate")
	if tag == "" || tag == "-" {
		return nil
	}
	rules := strings.Split(tag, ",")
	// Rules after "dive" apply to a list's items, those before to the list itself.
	before, after := rules, []string(nil)
	for i, r := range rules {
		if r == "dive" {
			before, after = rules[:i], rules[i+1:]
			break
		}
	}
	t := p.Field.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if applyRules(p.PropertySchema, t, before) && p.ParentSchema != nil {
		p.ParentSchema.Required = appendUnique(p.ParentSchema.Required, p.Name)
	}
	if len(after) > 0 && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) &&
		p.PropertySchema.Items != nil && p.PropertySchema.Items.SchemaOrBool != nil &&
		p.PropertySchema.Items.SchemaOrBool.TypeObject != nil {
		applyRules(p.PropertySchema.Items.SchemaOrBool.TypeObject, t.Elem(), after)
	}
	return nil
}

// applyRules maps validate rules onto the schema of a value of type t; it reports
// whether the value is required.
func applyRules(s *jsonschema.Schema, t reflect.Type, rules []string) (required bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	isString := t.Kind() == reflect.String
	isList := t.Kind() == reflect.Slice || t.Kind() == reflect.Array
	for _, rule := range rules {
		name, arg, _ := strings.Cut(rule, "=")
		n, numErr := strconv.ParseInt(arg, 10, 64)
		isMax, isMin := (name == "max" || name == "lte") && numErr == nil, (name == "min" || name == "gte") && numErr == nil
		switch {
		case name == "required":
			required = true
		case isMax && isString:
			s.WithMaxLength(n)
		case isMin && isString:
			s.WithMinLength(n)
		case isMax && isList:
			s.WithMaxItems(n)
		case isMin && isList:
			s.WithMinItems(n)
		case isMax:
			s.WithMaximum(float64(n))
		case isMin:
			s.WithMinimum(float64(n))
		case name == "unique" && isList:
			s.WithUniqueItems(true)
		case name == "oneof":
			var enum []any
			for _, o := range strings.Fields(arg) {
				enum = append(enum, o)
			}
			s.WithEnum(enum...)
		case name == "email":
			s.WithFormat("email")
		case name == "url" || name == "http_url" || name == "https_url":
			s.WithFormat("uri")
		case strings.HasPrefix(name, "uuid"):
			s.WithFormat("uuid")
		case name == "datetime" && arg == "2006-01-02":
			s.WithFormat("date")
		case name == "datetime" || name == "rfc3339":
			s.WithFormat("date-time")
		}
	}
	return required
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
