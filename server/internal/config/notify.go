package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Notify holds the notification settings (NOTIFY_*, HOSPITAL_NAME).
type Notify struct {
	// HospitalName signs email and SMS.
	HospitalName string
	// Reminders are how long before an appointment its reminders go out (NOTIFY_REMINDERS="24h,2h"),
	// longest first; empty means none.
	Reminders []time.Duration
	// MaxAttempts is how many times an email or SMS is tried before it becomes a dead letter.
	MaxAttempts int
	// RetryBase is the wait after a first failed attempt; it doubles per attempt up to RetryMax.
	RetryBase, RetryMax time.Duration
	// Poll is how often each instance looks for due deliveries made by other instances.
	Poll time.Duration
	// Scan is how often each instance looks for due reminders, refills and follow-ups.
	Scan time.Duration
	// Retention is how long a sent or skipped delivery is kept (dead letters stay until retried).
	Retention time.Duration
	// SendPerHour is how many messages by email or SMS one sender may send in a clock hour
	// (POST /api/notifications/send with channels, an admin's broadcast by email), on all instances.
	SendPerHour int
}

func (r *reader) notify() Notify {
	n := Notify{
		HospitalName: r.str("HOSPITAL_NAME", "HMS Hospital"),
		MaxAttempts:  r.int("NOTIFY_MAX_ATTEMPTS", 6),
		RetryBase:    r.duration("NOTIFY_RETRY_BASE", 30*time.Second),
		RetryMax:     r.duration("NOTIFY_RETRY_MAX", 30*time.Minute),
		Poll:         r.duration("NOTIFY_POLL", 2*time.Second),
		Scan:         r.duration("NOTIFY_SCAN", time.Minute),
		Retention:    r.duration("NOTIFY_RETENTION", 30*24*time.Hour),
		SendPerHour:  r.int("NOTIFY_SEND_PER_HOUR", 60),
	}
	for _, v := range r.list("NOTIFY_REMINDERS", "24h,2h") {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			r.errs = append(r.errs, fmt.Errorf("NOTIFY_REMINDERS: %q is not a positive duration (like 24h or 90m)", v))
			continue
		}
		n.Reminders = append(n.Reminders, d)
	}
	slices.Sort(n.Reminders)
	slices.Reverse(n.Reminders)
	n.Reminders = slices.Compact(n.Reminders)
	return n
}

func (n Notify) check() error {
	switch {
	case n.MaxAttempts < 1:
		return errors.New("NOTIFY_MAX_ATTEMPTS must be at least 1")
	case n.RetryBase <= 0 || n.RetryMax < n.RetryBase:
		return errors.New("NOTIFY_RETRY_BASE must be positive and NOTIFY_RETRY_MAX at least as long")
	case n.Poll <= 0 || n.Scan <= 0 || n.Retention <= 0:
		return errors.New("NOTIFY_POLL, NOTIFY_SCAN and NOTIFY_RETENTION must be positive")
	case n.SendPerHour < 1:
		return errors.New("NOTIFY_SEND_PER_HOUR must be at least 1")
	case strings.TrimSpace(n.HospitalName) == "":
		return errors.New("HOSPITAL_NAME must not be blank")
	}
	return nil
}
