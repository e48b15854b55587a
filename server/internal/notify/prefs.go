package notify

import (
	"context"
	"strings"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/sms"
	"hms/shared"
)

// GetPreferences returns the caller's preferences, with their account's email address.
func (s *Service) GetPreferences(ctx context.Context, p auth.Principal) (shared.NotificationPreferences, error) {
	prefs, err := s.store.Preferences(ctx, []string{p.UserID})
	if err != nil {
		return shared.NotificationPreferences{}, err
	}
	pr, ok := prefs[p.UserID]
	if !ok {
		pr = DefaultPreferences
	}
	byUser, _, err := s.store.Contacts(ctx, []string{p.UserID}, nil)
	if err != nil {
		return shared.NotificationPreferences{}, err
	}
	return publicPrefs(pr, byUser[p.UserID].Email), nil
}

func publicPrefs(p Preferences, email string) shared.NotificationPreferences {
	return shared.NotificationPreferences{Email: p.Email, SMS: p.SMS, Phone: p.Phone,
		QuietHours: shared.QuietHours{Start: p.QuietStart, End: p.QuietEnd}, OnCall: p.OnCall, EmailAddress: email}
}

// SetPreferences replaces the caller's preferences.
func (s *Service) SetPreferences(ctx context.Context, p auth.Principal, req shared.NotificationPreferences) (shared.NotificationPreferences, error) {
	pr := Preferences{Email: req.Email, SMS: req.SMS, OnCall: req.OnCall,
		QuietStart: strings.TrimSpace(req.QuietHours.Start), QuietEnd: strings.TrimSpace(req.QuietHours.End)}
	if phone := strings.TrimSpace(req.Phone); phone != "" {
		n, err := sms.NormalizePhone(phone)
		if err != nil {
			return shared.NotificationPreferences{}, fault.Invalid("phone: %v", err)
		}
		pr.Phone = n
	}
	if (pr.QuietStart == "") != (pr.QuietEnd == "") {
		return shared.NotificationPreferences{}, fault.Invalid("quiet_hours: give both start and end (HH:MM), or neither")
	}
	for name, v := range map[string]string{"quiet_hours.start": pr.QuietStart, "quiet_hours.end": pr.QuietEnd} {
		if _, ok := minutesOf(v); v != "" && !ok {
			return shared.NotificationPreferences{}, fault.Invalid("%s: %q is not a time of day (HH:MM, 00:00–23:59)", name, v)
		}
	}
	if pr.QuietStart != "" && pr.QuietStart == pr.QuietEnd {
		return shared.NotificationPreferences{}, fault.Invalid("quiet_hours: start and end are the same time")
	}
	if pr.OnCall && p.Role != shared.RoleDoctor && p.Role != shared.RoleStaff {
		return shared.NotificationPreferences{}, fault.Invalid("on_call: only doctors and staff are paged")
	}
	if pr.OnCall && pr.Phone == "" {
		return shared.NotificationPreferences{}, fault.Invalid("on_call: give a phone for the SMS pages")
	}
	if err := s.store.SetPreferences(ctx, p.UserID, pr); err != nil {
		return shared.NotificationPreferences{}, err
	}
	return s.GetPreferences(ctx, p)
}

// minutesOf reads "HH:MM" as minutes after midnight.
func minutesOf(v string) (int, bool) {
	t, err := time.Parse("15:04", v)
	if err != nil || len(v) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// quietUntil tells whether now falls in p's quiet hours (in loc) and, if so, when they end.
func quietUntil(p Preferences, now time.Time, loc *time.Location) (time.Time, bool) {
	start, ok1 := minutesOf(p.QuietStart)
	end, ok2 := minutesOf(p.QuietEnd)
	if !ok1 || !ok2 || start == end {
		return time.Time{}, false
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	var quiet bool
	if start < end {
		quiet = m >= start && m < end
	} else { // across midnight
		quiet = m >= start || m < end
	}
	if !quiet {
		return time.Time{}, false
	}
	day := local
	if m >= end { // ends tomorrow
		day = local.AddDate(0, 0, 1)
	}
	// Wall-clock end in the hospital's zone (a daylight-saving change moves it with the clocks).
	until := time.Date(day.Year(), day.Month(), day.Day(), end/60, end%60, 0, 0, loc)
	return until.UTC(), true
}

// Mask hides most of an address for admins' lists: "j***@example.org", "+44*******456".
func Mask(channel, to string) string {
	if to == "" {
		return ""
	}
	if channel == shared.ChannelEmail {
		at := strings.LastIndexByte(to, '@')
		if at <= 0 {
			return "***"
		}
		return to[:1] + "***" + to[at:]
	}
	return sms.Mask(to)
}
