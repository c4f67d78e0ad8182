// Package frontend embeds the built web app (npm run build → dist/app) into the comite binary.
//
// dist/.keep is committed so that the embed pattern matches in a fresh clone where the
// app was never built; the gateway then knows from Assets that there is nothing to serve.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built app and whether it was built (false: only dist/.keep is there).
//
// The returned file system is rooted at the app: index.html and assets/ are at its top.
// The gateway serves it at "/" and falls back to index.html for unknown non-API paths.
func Assets() (fs.FS, bool) {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return dist, false
	}
	if _, err := fs.Stat(app, "index.html"); err != nil {
		return app, false
	}
	return app, true
}
