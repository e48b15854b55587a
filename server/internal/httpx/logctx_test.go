package httpx_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"hms/server/internal/httpx"
)

type idKey struct{}

func TestRequestIDLog(t *testing.T) {
	idOf := func(ctx context.Context) string { s, _ := ctx.Value(idKey{}).(string); return s }
	inRequest := context.WithValue(context.Background(), idKey{}, "req-12345678")
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"a service's warning in a request", func(l *slog.Logger) { l.WarnContext(inRequest, "publish event", "err", "x") },
			`"request_id":"req-12345678"`},
		{"through a logger with attributes", func(l *slog.Logger) { l.With("svc", "notify").ErrorContext(inRequest, "send") },
			`"request_id":"req-12345678"`},
		{"a record naming its own id", func(l *slog.Logger) { l.InfoContext(inRequest, "http", "request_id", "own-12345678") },
			`"request_id":"own-12345678"`},
		{"a background job", func(l *slog.Logger) { l.WarnContext(context.Background(), "prune") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(httpx.RequestIDLog(slog.NewJSONHandler(&buf, nil), idOf)))
			got := buf.String()
			if n := strings.Count(got, `"request_id"`); tt.want == "" && n != 0 || tt.want != "" && (n != 1 || !strings.Contains(got, tt.want)) {
				t.Errorf("got %s, want %s once", strings.TrimSpace(got), cmpOr(tt.want, "no request_id"))
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
