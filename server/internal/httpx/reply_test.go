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

func TestReply(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		v          any
		replayed   bool
		err        error
		wantStatus int
		wantBody   string
		wantType   string
		wantReplay string
	}{
		{"value", http.StatusOK, map[string]int{"n": 1}, false, nil, http.StatusOK, `{"n":1}`, "application/json; charset=utf-8", ""},
		{"created", http.StatusCreated, []int{}, false, nil, http.StatusCreated, `[]`, "application/json; charset=utf-8", ""},
		{"no content", http.StatusNoContent, nil, false, nil, http.StatusNoContent, ``, "", ""},
		{"error", http.StatusOK, map[string]int{"n": 1}, false, fault.New(fault.ErrNotFound, "no such thing"), http.StatusNotFound,
			`{"error":{"code":"not_found","message":"no such thing"},"request_id":""}`, "application/json; charset=utf-8", ""},
		{"error on no content", http.StatusNoContent, nil, false, errors.New("uncategorised"), http.StatusInternalServerError, "", "application/json; charset=utf-8", ""},
		{"replayed", http.StatusCreated, map[string]int{"n": 1}, true, nil, http.StatusCreated, `{"n":1}`, "application/json; charset=utf-8", "true"},
		{"replayed error is not marked", http.StatusCreated, nil, true, fault.Invalid("bad"), http.StatusBadRequest,
			`{"error":{"code":"invalid_request","message":"bad"},"request_id":""}`, "application/json; charset=utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
			ReplyKeyed(c, tt.status)(tt.v, tt.replayed, tt.err)
			c.Writer.WriteHeaderNow()
			if w.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d", w.Code, tt.wantStatus)
			}
			if tt.wantBody != "" || tt.status == http.StatusNoContent && tt.err == nil {
				if got := w.Body.String(); got != tt.wantBody {
					t.Errorf("got body %q, want %q", got, tt.wantBody)
				}
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("got Content-Type %q, want %q", got, tt.wantType)
			}
			if got := w.Header().Get("Idempotent-Replayed"); got != tt.wantReplay {
				t.Errorf("got Idempotent-Replayed %q, want %q", got, tt.wantReplay)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	tests := []struct {
		name, header string
		want         string
		wantErr      error
	}{
		{"none", "", "", nil},
		{"a key", "book-1", "book-1", nil},
		{"too long", strings.Repeat("k", 101), "", fault.ErrInvalid},
		{"a space", "book 1", "", fault.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodPost, "/", nil)
			if tt.header != "" {
				c.Request.Header.Set("Idempotency-Key", tt.header)
			}
			got, err := IdempotencyKey(c)
			if !errors.Is(err, tt.wantErr) || err == nil && got != tt.want {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
