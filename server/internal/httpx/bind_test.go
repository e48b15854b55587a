package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
)

type sample struct {
	Name  string         `json:"name"`
	Tags  []string       `json:"tags"`
	Inner map[string]any `json:"inner"`
}

func init() { gin.SetMode(gin.TestMode) }

func bind(t *testing.T, body string, limit int64) (sample, error) {
	t.Helper()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	c.Request.Body = http.MaxBytesReader(w, c.Request.Body, limit)
	var s sample
	err := BindJSON(c, &s)
	return s, err
}

func TestBindJSON(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    error
		wantMsg    string
	}{
		{"plain", `{"name":"x","tags":["$not-a-key", "a.b"],"inner":{"k":[{"v":1}]}}`, nil, ""},
		{"unknown field", `{"name":"x","role":"admin"}`, fault.ErrInvalid, `"role" is not accepted`},
		{"operator as value", `{"name":{"$ne":""}}`, fault.ErrInvalid, `"$ne"`},
		{"nested operator", `{"inner":{"a":{"$where":"1"}}}`, fault.ErrInvalid, `"$where"`},
		{"operator inside array of objects", `{"inner":{"a":[{"ok":1},{"$gt":2}]}}`, fault.ErrInvalid, `"$gt"`},
		{"dotted key", `{"inner":{"a.b":1}}`, fault.ErrInvalid, `"a.b"`},
		{"wrong type", `{"name":5}`, fault.ErrInvalid, `"name" must be a string`},
		{"cut short", `{"name":`, fault.ErrInvalid, "cut short"},
		{"not json", `{"name" 1}`, fault.ErrInvalid, "not valid JSON"},
		{"empty", ``, fault.ErrInvalid, "empty"},
		{"two values", `{"name":"a"} {"name":"b"}`, fault.ErrInvalid, "more than one"},
		{"array body", `[1,2]`, fault.ErrInvalid, "JSON object"},
		{"null body", ` null `, fault.ErrInvalid, "JSON object"},
		{"too large", `{"name":"` + strings.Repeat("x", 200) + `"}`, errTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := int64(1 << 20)
			if tt.wantErr == errTooLarge {
				limit = 100
			}
			_, err := bind(t, tt.body, limit)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got message %q, want it to mention %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantMsg    string
	}{
		{fault.Invalid("name is required"), 400, "name is required"},
		{fault.New(fault.ErrNotFound, "patient not found"), 404, "patient not found"},
		{errors.New("mongo: connection refused at 10.0.0.1"), 500, "something went wrong"},
		{errTooLarge, 413, "too large"},
	}
	for _, tt := range tests {
		status, body := describe(tt.err)
		if status != tt.wantStatus || !strings.Contains(body.Error.Message, tt.wantMsg) {
			t.Errorf("describe(%v) = %d %q, want %d containing %q", tt.err, status, body.Error.Message, tt.wantStatus, tt.wantMsg)
		}
		if strings.Contains(body.Error.Message, "10.0.0.1") {
			t.Errorf("internal detail leaked: %q", body.Error.Message)
		}
	}
}
