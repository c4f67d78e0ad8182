package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestTimelineExport downloads the decision history from the real server in CSV and
// JSON: the same entries as the timeline view, oldest first, as a file; a bad format is
// refused.
func TestTimelineExport(t *testing.T) {
	p := startInProcess(t, t.TempDir(), false)
	var last commandReply
	for _, body := range []string{`{"name": "Association des Maires de France", "acronym": "AMF"}`, `{"name": "=HYPERLINK(\"x\")", "acronym": "X"}`} {
		r := call(t, "POST", p.http.URL+"/api/v1/membership/add-organisation", body, p.auth)
		if r.Status != 200 || json.Unmarshal(r.Body, &last) != nil {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	var view struct {
		Items []struct {
			ID       string `json:"id"`
			Position uint64 `json:"position"`
		} `json:"items"`
	}
	r := call(t, "GET", p.http.URL+"/api/v1/views/timeline?min_position="+itoa(last.Position), "", p.auth)
	if r.Status != 200 || json.Unmarshal(r.Body, &view) != nil || len(view.Items) < 3 {
		t.Fatalf("timeline view: %d %s", r.Status, r.Body)
	}

	r = call(t, "GET", p.http.URL+"/api/v1/exports/timeline?format=json", "", p.auth)
	var doc struct {
		Position uint64 `json:"position"`
		Entries  []struct {
			ID       string `json:"id"`
			Position uint64 `json:"position"`
		} `json:"entries"`
	}
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="comite-timeline-`) ||
		json.Unmarshal(r.Body, &doc) != nil {
		t.Fatalf("JSON export: %d %v %s", r.Status, r.Header, r.Body)
	}
	if len(doc.Entries) != len(view.Items) || doc.Position < last.Position {
		t.Fatalf("JSON export has %d entries at %d, the view %d", len(doc.Entries), doc.Position, len(view.Items))
	}
	for i, e := range doc.Entries {
		if v := view.Items[len(view.Items)-1-i]; e.ID != v.ID || e.Position != v.Position {
			t.Fatalf("export entry %d is %+v, the view's (oldest first) %+v", i, e, v)
		}
	}

	r = call(t, "GET", p.http.URL+"/api/v1/exports/timeline", "", p.auth)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export (the default): %d %v", r.Status, r.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(recs) != len(doc.Entries)+1 || recs[0][0] != "position" {
		t.Fatalf("CSV export: %v, %d records for %d entries", err, len(recs), len(doc.Entries))
	}
	// No field a spreadsheet would run as a formula (the organisation named "=HYPERLINK…").
	for _, rec := range recs {
		for _, f := range rec {
			if strings.HasPrefix(f, "=") {
				t.Fatalf("a CSV field starts with '=': %q", f)
			}
		}
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/exports/timeline?format=xml", "", p.auth); r.Status != 422 || !strings.Contains(string(r.Body), `"format"`) {
		t.Fatalf("format xml: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/exports/nothing", "", p.auth); r.Status != 404 {
		t.Fatalf("unknown export: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", p.http.URL+"/api/v1/exports/timeline", "", nil); r.Status != 401 {
		t.Fatalf("export without a session: %d", r.Status)
	}
}
