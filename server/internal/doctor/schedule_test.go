package doctor

import (
	"errors"
	"testing"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

func wd(d int) *int { return &d }

func TestDaySlots(t *testing.T) {
	p := Profile{SlotMinutes: 20, Weekly: []shared.Hours{
		{Weekday: wd(1), Start: "09:00", End: "10:10"}, // 09:00, 09:20, 09:40 (10:00–10:20 does not fit)
		{Weekday: wd(1), Start: "14:00", End: "15:00"}, // 14:00, 14:20 (break 14:30–14:45 removes 14:20 and 14:40)
		{Weekday: wd(2), Start: "09:00", End: "17:00"},
	}, Breaks: []shared.Hours{{Weekday: wd(1), Start: "14:30", End: "14:45"}}}
	monday := time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)
	var got []string
	for _, s := range daySlots(p, monday, time.UTC) {
		got = append(got, s.Start.Format("15:04")+"-"+s.End.Format("15:04"))
	}
	want := []string{"09:00-09:20", "09:20-09:40", "09:40-10:00", "14:00-14:20"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if n := len(daySlots(p, monday.AddDate(0, 0, 2), time.UTC)); n != 0 {
		t.Errorf("got %d slots on Wednesday, want 0 (no hours)", n)
	}
}

// TestDaySlotsKeepWallClockAcrossDST: on the day clocks go forward in Berlin, 09:00 is still 09:00
// local (08:00 UTC, not 09:00 UTC).
func TestDaySlotsKeepWallClockAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	p := Profile{SlotMinutes: 30, Weekly: []shared.Hours{{Weekday: wd(0), Start: "09:00", End: "10:00"}}}
	day := time.Date(2030, 3, 31, 0, 0, 0, 0, berlin) // a Sunday, summer time starts at 02:00
	slots := daySlots(p, day, berlin)
	if len(slots) != 2 || slots[0].Start.UTC().Hour() != 7 {
		t.Fatalf("got %v, want two slots from 09:00 CEST (07:00 UTC)", slots)
	}
}

func TestCheckSchedule(t *testing.T) {
	tests := []struct {
		name string
		req  shared.ScheduleRequest
		ok   bool
	}{
		{"the issue's example", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(1), Start: "09:00", End: "17:00"}}, SlotMinutes: 15}, true},
		{"slot too short", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(1), Start: "09:00", End: "17:00"}}, SlotMinutes: 2}, false},
		{"no weekday", shared.ScheduleRequest{Weekly: []shared.Hours{{Start: "09:00", End: "17:00"}}, SlotMinutes: 15}, false},
		{"weekday 7", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(7), Start: "09:00", End: "17:00"}}, SlotMinutes: 15}, false},
		{"end before start", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(1), Start: "17:00", End: "09:00"}}, SlotMinutes: 15}, false},
		{"bad time", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(1), Start: "9am", End: "17:00"}}, SlotMinutes: 15}, false},
		{"overlap", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(1), Start: "09:00", End: "12:00"},
			{Weekday: wd(1), Start: "11:00", End: "13:00"}}, SlotMinutes: 15}, false},
		{"until midnight", shared.ScheduleRequest{Weekly: []shared.Hours{{Weekday: wd(5), Start: "20:00", End: "24:00"}}, SlotMinutes: 60}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkSchedule(tt.req)
			if tt.ok && err != nil {
				t.Fatalf("got %v, want accepted", err)
			}
			if !tt.ok && !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("got %v, want an invalid-input error", err)
			}
		})
	}
}
