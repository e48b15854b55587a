// Package openapi owns the API contract: the OpenAPI 3 document that describes every route the server
// answers, served at GET /api/openapi.json and the source of the web UI's TypeScript types.
//
// The document is hand-written and kept in parts under spec/: base.json holds what the whole document
// shares (openapi, info, servers, tags and the components every capability uses), and paths/<tag>.json
// holds the paths of one tag together with the components that belong to that capability. Assemble
// joins the parts into one document once, at start-up; a path and method defined twice, or a component
// defined twice with different text, stops the program with a message naming both files.
// docs/api-contract.md says how to add a route.
package openapi

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed spec
var spec embed.FS

// document is the assembled contract; it never changes after start-up.
var document = mustAssemble()

func mustAssemble() []byte {
	sub, err := fs.Sub(spec, "spec")
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	doc, err := Assemble(sub)
	if err != nil {
		panic(fmt.Sprintf("the OpenAPI document in server/internal/openapi/spec does not assemble: %v", err))
	}
	return doc
}

// Document returns the assembled OpenAPI document: indented JSON, the same bytes on every call and in
// every build of the same sources. Callers must not modify it.
func Document() []byte { return document }

// Handler serves the document.
func Handler(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", document)
}
