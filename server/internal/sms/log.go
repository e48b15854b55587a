package sms

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"unicode/utf8"
)

// LogSender is the development provider: it checks each message as the HTTP provider would and logs
// it instead of sending it, with the number masked and the body's length in characters, never the body
// (an SMS may be clinical: a refill, a follow-up; docs/security.md row 15). It is safe for concurrent use.
type LogSender struct {
	log  *slog.Logger
	sent atomic.Uint64
}

var _ Sender = (*LogSender)(nil)

// NewLog returns a LogSender logging to log (nil: slog.Default()).
func NewLog(log *slog.Logger) *LogSender {
	if log == nil {
		log = slog.Default()
	}
	return &LogSender{log: log}
}

// Name returns "log".
func (s *LogSender) Name() string { return ProviderLog }

// Send logs that m was not sent at INFO (masked number, length) and returns an ID "log-1", "log-2", … A message the HTTP provider would refuse
// (an invalid number, a body too long) fails the same way here.
func (s *LogSender) Send(ctx context.Context, m Message) (string, error) {
	m, err := compose(m)
	if err != nil {
		return "", err
	}
	id := "log-" + strconv.FormatUint(s.sent.Add(1), 10)
	s.log.InfoContext(ctx, "sms not sent: development provider", "to", Mask(m.To), "length", utf8.RuneCountInString(m.Body), "id", id)
	return id, nil
}
