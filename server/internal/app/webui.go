package app

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fhir"
	"hms/server/internal/httpx"
)

// webCSP is the Content-Security-Policy of the web UI: its own scripts and styles only (React sets
// style attributes through the DOM, which the policy allows), the API and the websocket on this origin,
// and no framing. Images: its own, and the map tiles' origin when MAP_TILE_URL is set (tileOrigin,
// added by webPolicy).
const webCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// webPolicy is webCSP with images also allowed from tileOrigin (scheme://host[:port]) when it is set,
// and from nowhere else.
func webPolicy(tileOrigin string) string {
	if tileOrigin == "" {
		return webCSP
	}
	return strings.Replace(webCSP, "img-src 'self' data:;", "img-src 'self' data: "+tileOrigin+";", 1)
}

// notBuilt is what / answers when the server was built without the web UI (frontend/dist empty).
const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>HMS</title>
<body style="font-family:system-ui,sans-serif;padding:2rem;max-width:40rem">
<h1>HMS is running, but its web UI was not built into this binary</h1>
<p>Build it with <code>make build</code> (it needs Node.js 20.19 or newer and npm), then start the server again.
The REST API works meanwhile: <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>`

// webUI serves the frontend build for every path that is not an API route, falling back to index.html
// so that client-side routes (/reception, /display/cardiology) work; unknown /api paths get the JSON 404.
// Hashed assets are cached for a year; index.html is revalidated every time, so a new build is picked up.
// csp is the Content-Security-Policy of index.html (webPolicy).
func webUI(dist fs.FS, csp string) gin.HandlerFunc {
	files := http.FileServer(http.FS(dist))
	_, err := fs.Stat(dist, "index.html")
	built := err == nil
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, fhir.Base+"/") || p == fhir.Base {
			fhir.NotFound(c)
			return
		}
		if strings.HasPrefix(p, "/api/") || p == "/api" || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
			httpx.NotFoundHandler(c)
			return
		}
		h := c.Writer.Header()
		if !built {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			c.String(http.StatusServiceUnavailable, notBuilt)
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if st, err := fs.Stat(dist, name); name == "" || err != nil || st.IsDir() {
			c.Request.URL.Path = "/"
			name = "index.html"
		}
		if strings.HasPrefix(name, "assets/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if name == "index.html" {
			h.Set("Content-Security-Policy", csp)
		}
		c.Status(http.StatusOK)
		files.ServeHTTP(c.Writer, c.Request)
	}
}
