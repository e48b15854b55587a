package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"hms/server/internal/sms"
)

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := sms.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	if s.Name() != "log" {
		t.Fatalf("got name %q, want log", s.Name())
	}
	for i, want := range []string{"log-1", "log-2"} {
		id, err := s.Send(context.Background(), sms.Message{To: "+44 7911 123456", Body: "Your appointment is tomorrow"})
		if err != nil || id != want {
			t.Fatalf("send %d: got %q %v, want %s", i+1, id, err, want)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2: %s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "INFO", "msg": "sms not sent: development provider", "to": "+44*******456",
		"length": float64(len("Your appointment is tomorrow")), "id": "log-1"}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("got %s %v, want %v", k, rec[k], v)
		}
	}
	if strings.Contains(buf.String(), "7911123456") {
		t.Errorf("log shows the whole number: %s", buf.String())
	}
	// The body may be clinical (a refill, a follow-up): only its length is logged.
	if _, ok := rec["body"]; ok || strings.Contains(buf.String(), "appointment") {
		t.Errorf("log shows the message body: %s", buf.String())
	}

	// It refuses what the HTTP provider would refuse, and logs nothing for it.
	buf.Reset()
	_, err := s.Send(context.Background(), sms.Message{To: "07911 123456", Body: "hi"})
	if !sms.IsPermanent(err) || buf.Len() != 0 {
		t.Fatalf("got %v and log %q, want a permanent failure and no log line", err, buf.String())
	}
}
