package notify

import (
	"context"
	"errors"
	"time"

	"hms/server/internal/fault"
)

// SendClaim is a sender's N-th message by email or SMS in the clock hour starting at Hour. Claims are
// inserts under a unique id (sender, hour, n), so of several instances counting one sender's messages
// at once exactly one gets each number, and none gets one above the limit (docs/architecture.md, the
// storage rule).
type SendClaim struct {
	SenderID string
	Hour     time.Time
	N        int
	At       time.Time
}

// sendHint is the highest send claim number this instance saw taken for a sender in an hour: the next
// claim starts above it, so a sender's claims usually cost one insert.
type sendHint struct {
	hour time.Time
	n    int
}

// errSendLimit is the sender's hourly allowance used up.
var errSendLimit = errors.New("send limit reached")

// claimSend takes the next of senderID's SendPerHour messages by email or SMS in the current clock
// hour, or fails with errSendLimit when all are taken (on any instance).
func (s *Service) claimSend(ctx context.Context, senderID string) error {
	now := s.now()
	hour := now.Truncate(time.Hour)
	s.mu.Lock()
	h := s.sendHints[senderID]
	s.mu.Unlock()
	n := 0
	if h.hour.Equal(hour) {
		n = h.n
	}
	for n < s.cfg.SendPerHour {
		n++
		err := s.store.ClaimSend(ctx, SendClaim{SenderID: senderID, Hour: hour, N: n, At: now})
		if err != nil && !errors.Is(err, ErrSendTaken) {
			return err
		}
		s.mu.Lock()
		if len(s.sendHints) > 10_000 { // bound memory: hints are only a shortcut
			clear(s.sendHints)
		}
		s.sendHints[senderID] = sendHint{hour: hour, n: n}
		s.mu.Unlock()
		if err == nil {
			return nil
		}
	}
	return errSendLimit
}

// sendLimitError is the 429 a sender over the limit gets; what says what was done anyway.
func (s *Service) sendLimitError(what string) error {
	return fault.New(fault.ErrTooMany, "%sat most %d messages by email or SMS an hour may be sent by one person (NOTIFY_SEND_PER_HOUR); try again in the next hour",
		what, s.cfg.SendPerHour)
}
