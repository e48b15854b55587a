package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestReadBodyBeforeTheGate checks that ReadBody hands the whole body on to the handler, answers 413
// for a body over the limit (sized or chunked) before anything after it runs, and lets bodiless
// requests through.
func TestReadBodyBeforeTheGate(t *testing.T) {
	e := gin.New()
	e.Use(LimitBody(100, nil))
	reached := false
	e.POST("/x", ReadBody(), func(c *gin.Context) {
		reached = true
		var s sample
		if err := BindJSON(c, &s); err != nil {
			Error(c, err)
			return
		}
		c.String(http.StatusOK, s.Name)
	})
	e.GET("/x", ReadBody(), func(c *gin.Context) { reached = true; c.Status(http.StatusNoContent) })
	for _, tt := range []struct {
		name, method, body string
		chunked            bool
		want               int
		wantReached        bool
	}{
		{"small body", "POST", `{"name":"ann"}`, false, http.StatusOK, true},
		{"chunked small body", "POST", `{"name":"ann"}`, true, http.StatusOK, true},
		{"body over the limit", "POST", `{"name":"` + strings.Repeat("x", 500) + `"}`, false, http.StatusRequestEntityTooLarge, false},
		{"chunked body over the limit", "POST", `{"name":"` + strings.Repeat("x", 500) + `"}`, true, http.StatusRequestEntityTooLarge, false},
		{"no body", "GET", "", false, http.StatusNoContent, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reached = false
			var body io.Reader = strings.NewReader(tt.body)
			if tt.body == "" {
				body = nil
			}
			req := httptest.NewRequest(tt.method, "/x", body)
			if tt.chunked {
				req.ContentLength = -1
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			if w.Code != tt.want || reached != tt.wantReached {
				t.Fatalf("got %d (handler reached %v), want %d (%v); body %s", w.Code, reached, tt.want, tt.wantReached, w.Body)
			}
			if tt.want == http.StatusOK && w.Body.String() != "ann" {
				t.Fatalf("got %q from the handler, want the body's name \"ann\"", w.Body)
			}
		})
	}
}
