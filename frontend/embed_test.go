package frontend

import (
	"io/fs"
	"strings"
	"testing"
)

func TestAssets(t *testing.T) {
	app, built := Assets()
	if app == nil {
		t.Fatal("Assets returned a nil file system")
	}
	if _, err := fs.Stat(dist, "dist/.keep"); err != nil {
		t.Fatalf("dist/.keep must be embedded so the package builds without npm: %v", err)
	}
	if !built {
		if _, err := fs.Stat(app, "index.html"); err == nil {
			t.Fatal("index.html present but Assets says not built")
		}
		t.Log("frontend not built (run npm run build in frontend/); checked the empty case only")
		return
	}
	index, err := fs.ReadFile(app, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	if !strings.Contains(string(index), `<div id="app">`) {
		t.Errorf("index.html does not look like the app: %.200s", index)
	}
	// Every asset index.html points at must be in the embedded tree.
	for _, ref := range strings.Split(string(index), `"/assets/`)[1:] {
		name := "assets/" + ref[:strings.IndexByte(ref, '"')]
		if _, err := fs.Stat(app, name); err != nil {
			t.Errorf("index.html refers to %s, missing from the embedded app: %v", name, err)
		}
	}
}
