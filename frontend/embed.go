// Package frontend embeds the built web UI (frontend/dist) so that the server and the desktop app
// serve the same build without copying it.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built web UI with dist/ stripped, ready for http.FS.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed directive guarantees dist exists
	}
	return sub
}
