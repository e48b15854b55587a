package doctor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Schedule limits.
const (
	minSlotMinutes = 5
	maxSlotMinutes = 240
	maxPeriods     = 70
)

// dayMinutes parses "HH:MM" (00:00–24:00) into minutes since midnight.
func dayMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not a time of day in HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("%q is not a time of day in HH:MM", s)
	}
	return hh*60 + mm, nil
}

// period is a parsed Hours: weekday -1 means every day.
type period struct {
	weekday    int
	start, end int
}

func parse(h shared.Hours, what string, i int, weekdayRequired bool) (period, error) {
	p := period{weekday: -1}
	if h.Weekday != nil {
		p.weekday = *h.Weekday
		if p.weekday < 0 || p.weekday > 6 {
			return p, fault.Invalid("%s[%d].weekday must be 0 (Sunday) to 6 (Saturday)", what, i)
		}
	} else if weekdayRequired {
		return p, fault.Invalid("%s[%d].weekday is required: 0 (Sunday) to 6 (Saturday)", what, i)
	}
	var err error
	if p.start, err = dayMinutes(h.Start); err != nil {
		return p, fault.Invalid("%s[%d].start: %v", what, i, err)
	}
	if p.end, err = dayMinutes(h.End); err != nil {
		return p, fault.Invalid("%s[%d].end: %v", what, i, err)
	}
	if p.end <= p.start {
		return p, fault.Invalid("%s[%d]: end %s is not after start %s", what, i, h.End, h.Start)
	}
	return p, nil
}

// checkSchedule validates a schedule request and returns it normalised (sorted).
func checkSchedule(req shared.ScheduleRequest) (shared.ScheduleRequest, error) {
	if req.SlotMinutes < minSlotMinutes || req.SlotMinutes > maxSlotMinutes {
		return req, fault.Invalid("slot_minutes must be from %d to %d", minSlotMinutes, maxSlotMinutes)
	}
	if len(req.Weekly) > maxPeriods || len(req.Breaks) > maxPeriods {
		return req, fault.Invalid("at most %d working periods and %d breaks", maxPeriods, maxPeriods)
	}
	weekly := make([]period, len(req.Weekly))
	for i, h := range req.Weekly {
		p, err := parse(h, "weekly", i, true)
		if err != nil {
			return req, err
		}
		if p.end-p.start < req.SlotMinutes {
			return req, fault.Invalid("weekly[%d] is shorter than one slot of %d minutes", i, req.SlotMinutes)
		}
		for j := range i {
			if q := weekly[j]; q.weekday == p.weekday && q.start < p.end && p.start < q.end {
				return req, fault.Invalid("weekly[%d] overlaps weekly[%d]", i, j)
			}
		}
		weekly[i] = p
	}
	for i, h := range req.Breaks {
		if _, err := parse(h, "breaks", i, false); err != nil {
			return req, err
		}
	}
	out := shared.ScheduleRequest{SlotMinutes: req.SlotMinutes, Weekly: slices.Clone(req.Weekly), Breaks: slices.Clone(req.Breaks)}
	if out.Weekly == nil {
		out.Weekly = []shared.Hours{}
	}
	if out.Breaks == nil {
		out.Breaks = []shared.Hours{}
	}
	slices.SortStableFunc(out.Weekly, func(a, b shared.Hours) int {
		if *a.Weekday != *b.Weekday {
			return *a.Weekday - *b.Weekday
		}
		return strings.Compare(a.Start, b.Start)
	})
	return out, nil
}

// daySlots lists the slots of the profile's schedule on date (midnight of the day in loc), before
// removing leave and bookings: working periods of that weekday, cut into slot-length pieces that fit
// whole, skipping those that touch a break. Wall-clock times are kept across daylight-saving changes.
func daySlots(p Profile, date time.Time, loc *time.Location) []shared.Slot {
	if p.SlotMinutes <= 0 {
		return nil
	}
	y, m, d := date.Date()
	wd := int(date.Weekday())
	at := func(min int) time.Time { return time.Date(y, m, d, min/60, min%60, 0, 0, loc) }
	var breaks []period
	for i, h := range p.Breaks {
		if b, err := parse(h, "breaks", i, false); err == nil && (b.weekday == -1 || b.weekday == wd) {
			breaks = append(breaks, b)
		}
	}
	var out []shared.Slot
	for i, h := range p.Weekly {
		w, err := parse(h, "weekly", i, true)
		if err != nil || w.weekday != wd {
			continue
		}
	slot:
		for s := w.start; s+p.SlotMinutes <= w.end; s += p.SlotMinutes {
			e := s + p.SlotMinutes
			for _, b := range breaks {
				if b.start < e && s < b.end {
					continue slot
				}
			}
			out = append(out, shared.Slot{Start: at(s), End: at(e)})
		}
	}
	slices.SortFunc(out, func(a, b shared.Slot) int { return a.Start.Compare(b.Start) })
	return out
}

// interval is anything that holds time.
type interval struct{ from, to time.Time }

// free removes from slots those starting at or before now and those overlapping a busy interval.
func free(slots []shared.Slot, busy []interval, now time.Time) []shared.Slot {
	out := make([]shared.Slot, 0, len(slots))
next:
	for _, s := range slots {
		if !s.Start.After(now) {
			continue
		}
		for _, b := range busy {
			if b.from.Before(s.End) && s.Start.Before(b.to) {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// ParseDate reads a YYYY-MM-DD date as midnight in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fault.Invalid("date must be YYYY-MM-DD, got %q", s)
	}
	return d, nil
}

// Day returns midnight of t's day in loc and the next midnight.
func Day(t time.Time, loc *time.Location) (from, to time.Time) {
	y, m, d := t.In(loc).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	return from, time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}
