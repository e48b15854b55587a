package app

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3 description of every route in the table; openapi_test.go keeps the two
// in step.
//
//go:embed openapi.json
var openAPIDoc []byte

func openAPIHandler(c *gin.Context) {
	c.Data(200, "application/json; charset=utf-8", openAPIDoc)
}
