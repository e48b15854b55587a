package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestLimitBodyPerRoute checks that a route given its own body limit accepts a body over the global
// one, and that every other route keeps the global limit.
func TestLimitBodyPerRoute(t *testing.T) {
	e := gin.New()
	e.Use(LimitBody(100, map[string]int64{"POST /upload/:id": 1000}))
	read := func(c *gin.Context) {
		if err := BindJSON(c, &sample{}); err != nil {
			Error(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
	e.POST("/upload/:id", read)
	e.POST("/other", read)
	e.PUT("/upload/:id", read)
	body := `{"name":"` + strings.Repeat("x", 500) + `"}`
	for _, tt := range []struct {
		method, path string
		chunked      bool
		want         int
	}{
		{"POST", "/upload/1", false, http.StatusNoContent},
		{"POST", "/upload/1", true, http.StatusNoContent},
		{"POST", "/other", false, http.StatusRequestEntityTooLarge},
		{"POST", "/other", true, http.StatusRequestEntityTooLarge},
		{"PUT", "/upload/1", false, http.StatusRequestEntityTooLarge},
	} {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(body))
		if tt.chunked {
			req.ContentLength = -1 // no declared length: the limit applies while reading
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != tt.want {
			t.Errorf("%s %s (chunked %v): got %d, want %d", tt.method, tt.path, tt.chunked, w.Code, tt.want)
		}
	}
}
