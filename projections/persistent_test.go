package projections

import (
	"errors"
	"strings"
	"testing"
)

func TestSaveJSONAndLoadRows(t *testing.T) {
	type row struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
	}
	b, err := SaveJSON("kv", map[string]*row{"a": {ID: "a"}})
	if err != nil || string(b) != `{"a":{"id":"a","tags":null}}` {
		t.Fatalf("saved %s, %v", b, err)
	}
	if _, err := SaveJSON("kv", make(chan int)); err == nil || !strings.HasPrefix(err.Error(), "kv: ") {
		t.Fatalf("unencodable state: %v", err)
	}
	complete := func(id string, r *row) error {
		if r == nil || r.ID != id {
			return errors.New("malformed")
		}
		if r.Tags == nil {
			r.Tags = []string{}
		}
		return nil
	}
	rows, err := LoadRows("kv", b, complete)
	if err != nil || len(rows) != 1 || rows["a"].Tags == nil {
		t.Fatalf("loaded %v, %v", rows, err)
	}
	if rows, err := LoadRows[row]("kv", []byte(`null`), nil); err != nil || rows == nil || len(rows) != 0 {
		t.Fatalf("a saved null loaded %v, %v", rows, err)
	}
	for _, bad := range []string{`[`, `{"a":null}`, `{"a":{"id":"b"}}`} {
		if _, err := LoadRows("kv", []byte(bad), complete); err == nil || !strings.HasPrefix(err.Error(), "kv: ") {
			t.Errorf("LoadRows(%s): %v", bad, err)
		}
	}
}
