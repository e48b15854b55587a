package openapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"hms/server/internal/openapi"
)

// base is a small base.json with two tags, a shared schema and an empty paths slot.
const base = `{
  "openapi": "3.0.3",
  "info": {"title": "T", "version": "1"},
  "tags": [{"name": "b"}, {"name": "a"}],
  "paths": {},
  "components": {"schemas": {"ID": {"type": "string"}}}
}`

// op is an operation tagged tag.
func op(tag, summary string) string {
	return `{"tags": ["` + tag + `"], "summary": "` + summary + `", "responses": {"204": {"description": "done"}}}`
}

func spec(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"base.json": {Data: []byte(base)}}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// assembleErr assembles files and wants an error that mentions every one of want.
func assembleErr(t *testing.T, files map[string]string, want ...string) {
	t.Helper()
	doc, err := openapi.Assemble(spec(files))
	if err == nil {
		t.Fatalf("assembled without error:\n%s", doc)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestContractSamePathAndMethodTwiceFails(t *testing.T) {
	assembleErr(t, map[string]string{
		"paths/a.json": `{"paths": {"/x": {"get": ` + op("a", "one") + `}}}`,
		"paths/b.json": `{"paths": {"/x": {"get": ` + op("b", "two") + `}}}`,
	}, "GET /x", "paths/a.json", "paths/b.json")
	// Even the same text twice: one route has one description.
	assembleErr(t, map[string]string{
		"paths/a.json": `{"paths": {"/x": {"get": {"tags": ["a", "b"], "responses": {}}}}}`,
		"paths/b.json": `{"paths": {"/x": {"get": {"tags": ["a", "b"], "responses": {}}}}}`,
	}, "GET /x", "paths/a.json", "paths/b.json")
}

func TestContractComponentDefinedDifferentlyFails(t *testing.T) {
	assembleErr(t, map[string]string{
		"paths/a.json": `{"components": {"schemas": {"Bed": {"type": "object"}}}}`,
		"paths/b.json": `{"components": {"schemas": {"Bed": {"type": "string"}}}}`,
	}, "components.schemas.Bed", "paths/a.json", "paths/b.json")
	// Against base.json too.
	assembleErr(t, map[string]string{
		"paths/a.json": `{"components": {"schemas": {"ID": {"type": "integer"}}}}`,
	}, "components.schemas.ID", "base.json", "paths/a.json")
}

func TestContractPathItemPartsDefinedDifferentlyFail(t *testing.T) {
	assembleErr(t, map[string]string{
		"paths/a.json": `{"paths": {"/x": {"summary": "one", "get": ` + op("a", "g") + `}}}`,
		"paths/b.json": `{"paths": {"/x": {"summary": "two", "post": ` + op("b", "p") + `}}}`,
	}, "summary", "/x", "paths/a.json", "paths/b.json")
}

func TestContractMisplacedFragmentsFail(t *testing.T) {
	// A fragment named after no tag.
	assembleErr(t, map[string]string{"paths/c.json": `{"paths": {}}`}, "paths/c.json", `"c"`)
	// An operation in the fragment of another tag.
	assembleErr(t, map[string]string{
		"paths/a.json": `{"paths": {"/x": {"get": ` + op("b", "g") + `}}}`,
	}, "paths/a.json", "GET /x")
	// Something other than paths and components.
	assembleErr(t, map[string]string{"paths/a.json": `{"tags": []}`}, "paths/a.json", "tags")
	// A key twice, deep inside.
	assembleErr(t, map[string]string{
		"paths/a.json": `{"components": {"schemas": {"Bed": {"type": "object", "description": "x", "description": "y"}}}}`,
	}, "paths/a.json", `"description" appears twice`, "Bed")
	// Not JSON.
	assembleErr(t, map[string]string{"paths/a.json": `{"paths": `}, "paths/a.json")
}

func TestContractAssemblyOrderAndMerging(t *testing.T) {
	files := map[string]string{
		"paths/a.json": `{
		  "paths": {"/z": {"get": ` + op("a", "z") + `}, "/y": {"parameters": [], "post": ` + op("a", "y") + `}},
		  "components": {"schemas": {"ID": {"type": "string"}, "Zed": {"type": "object"}, "Ant": {"type": "object"}}}
		}`,
		"paths/b.json": `{
		  "paths": {"/y": {"parameters": [], "get": ` + op("b", "y") + `}, "/w": {"get": ` + op("b", "w") + `}},
		  "components": {"parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "string"}}}}
		}`,
	}
	doc, err := openapi.Assemble(spec(files))
	if err != nil {
		t.Fatal(err)
	}
	again, err := openapi.Assemble(spec(files))
	if err != nil || !bytes.Equal(doc, again) {
		t.Fatalf("a second assembly differs (%v)", err)
	}
	// Fragments follow base.json's tags (b before a); keys keep the order they are written in; a path in
	// two fragments keeps its first place; identical components and shared path parameters are kept once.
	for _, want := range [][]string{
		{`"openapi"`, `"info"`, `"tags"`, `"paths"`, `"components"`},
		{`"/y"`, `"/w"`, `"/z"`},
		{`"ID"`, `"Zed"`, `"Ant"`, `"parameters": {`, `"P"`},
	} {
		at := -1
		for _, w := range want {
			i := bytes.Index(doc, []byte(w))
			if i <= at {
				t.Errorf("%s is not in order %v:\n%s", w, want, doc)
			}
			at = i
		}
	}
	var v struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	if y := v.Paths["/y"]; len(y) != 3 || y["get"] == nil || y["post"] == nil || y["parameters"] == nil {
		t.Errorf("/y was not merged: %s", doc)
	}
	if n := bytes.Count(doc, []byte(`"ID"`)); n != 1 {
		t.Errorf("ID appears %d times, want once", n)
	}
}

// The real document: valid OpenAPI 3 with every reference resolved, served by Handler as it is.
func TestOpenAPIDocumentAssembles(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Document())
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the document is not valid: %v", err)
	}
	if len(doc.Paths.Map()) == 0 || len(doc.Components.Schemas) == 0 {
		t.Fatal("the document has no paths or no schemas")
	}

	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.GET("/api/openapi.json", openapi.Handler)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!bytes.Equal(rec.Body.Bytes(), openapi.Document()) {
		t.Errorf("Handler answered %d %q and not the document", rec.Code, rec.Header().Get("Content-Type"))
	}
}
