package job_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/job"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestEveryRunsLogsAndStops(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan int, 10)
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		job.Every(ctx, time.Millisecond, log, "prune things", func(context.Context) (int, error) {
			n++
			calls <- n
			switch n {
			case 1:
				return 0, errors.New("database down")
			case 2:
				return 3, nil
			}
			return 0, nil
		})
	}()
	for range 3 {
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatal("fn was not called three times")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not return when ctx ended")
	}
	logs := out.String()
	if !strings.Contains(logs, `level=WARN msg="prune things" err="database down"`) || !strings.Contains(logs, `level=INFO msg="prune things" count=3`) {
		t.Errorf("logs:\n%s\nwant the failure as a warning and the count as information", logs)
	}
	if strings.Count(logs, "\n") != 2 {
		t.Errorf("logs:\n%s\nwant nothing logged for a run that did nothing", logs)
	}
}
