package doctor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Service is the doctor domain's logic.
type Service struct {
	store    Store
	accounts Accounts
	bookings Bookings
	loc      *time.Location
	clock    *clock.Clock
}

// NewService wires the service. loc is the hospital's time zone; clk is the hospital's clock.
func NewService(store Store, accounts Accounts, bookings Bookings, loc *time.Location, clk *clock.Clock) *Service {
	return &Service{store: store, accounts: accounts, bookings: bookings, loc: loc, clock: clk}
}

func (s *Service) now() time.Time { return s.clock.Now() }

// ValidDepartmentID reports whether id can name a department (it becomes part of channel names).
func ValidDepartmentID(id string) bool { return shared.ValidDepartmentID(id) }

// CreateDepartment adds a department.
func (s *Service) CreateDepartment(ctx context.Context, d shared.Department) (shared.Department, error) {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case !ValidDepartmentID(d.ID):
		return d, fault.Invalid("id must be 1–40 characters of a-z, 0-9 and '-', starting with a letter or digit")
	case d.Name == "" || utf8.RuneCountInString(d.Name) > 100:
		return d, fault.Invalid("name is required (at most 100 characters)")
	}
	return d, s.store.InsertDepartment(ctx, d)
}

// Departments lists the departments.
func (s *Service) Departments(ctx context.Context) ([]shared.Department, error) {
	return s.store.Departments(ctx)
}

// DepartmentExists reports whether id names a department.
func (s *Service) DepartmentExists(ctx context.Context, id string) (bool, error) {
	if !ValidDepartmentID(id) {
		return false, nil
	}
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ds, func(d shared.Department) bool { return d.ID == id }), nil
}

// account returns the doctor account's name, or ErrNotFound when id is not a doctor.
func (s *Service) account(ctx context.Context, id string) (string, error) {
	if !ident.Valid(id) {
		return "", fault.Invalid("malformed doctor id: want 24 hex digits")
	}
	u, err := s.accounts.User(ctx, id)
	if errors.Is(err, fault.ErrNotFound) || err == nil && u.Role != shared.RoleDoctor {
		return "", ErrNotFound
	}
	return u.Name, err
}

// Update sets a doctor's specialty and department (admin).
func (s *Service) Update(ctx context.Context, id string, req shared.UpdateDoctorRequest) (shared.Doctor, error) {
	name, err := s.account(ctx, id)
	if err != nil {
		return shared.Doctor{}, err
	}
	spec := strings.TrimSpace(req.Specialty)
	if spec == "" || utf8.RuneCountInString(spec) > 100 {
		return shared.Doctor{}, fault.Invalid("specialty is required (at most 100 characters)")
	}
	ok, err := s.DepartmentExists(ctx, req.Department)
	if err != nil {
		return shared.Doctor{}, err
	}
	if !ok {
		return shared.Doctor{}, fault.Invalid("department %q does not exist: create it with POST /api/departments", req.Department)
	}
	if err := s.store.SetInfo(ctx, id, name, spec, req.Department); err != nil {
		return shared.Doctor{}, err
	}
	return s.Get(ctx, id)
}

// SetSchedule replaces a doctor's weekly schedule (admin, or the doctor themself).
func (s *Service) SetSchedule(ctx context.Context, p auth.Principal, id string, req shared.ScheduleRequest) (shared.Doctor, error) {
	if p.Role == shared.RoleDoctor && p.UserID != id {
		return shared.Doctor{}, errNotYours
	}
	name, err := s.account(ctx, id)
	if err != nil {
		return shared.Doctor{}, err
	}
	sched, err := checkSchedule(req)
	if err != nil {
		return shared.Doctor{}, err
	}
	if err := s.store.SetSchedule(ctx, id, name, sched.SlotMinutes, sched.Weekly, sched.Breaks); err != nil {
		return shared.Doctor{}, err
	}
	return s.Get(ctx, id)
}

// Profile returns a doctor's profile.
func (s *Service) Profile(ctx context.Context, id string) (Profile, error) {
	if !ident.Valid(id) {
		return Profile{}, fault.Invalid("malformed doctor id: want 24 hex digits")
	}
	pr, err := s.store.Profile(ctx, id)
	if errors.Is(err, ErrNoProfile) {
		if _, aerr := s.account(ctx, id); aerr != nil {
			return Profile{}, aerr
		}
	}
	return pr, err
}

// Get returns a doctor's profile with leave from today on.
func (s *Service) Get(ctx context.Context, id string) (shared.Doctor, error) {
	pr, err := s.Profile(ctx, id)
	if err != nil {
		return shared.Doctor{}, err
	}
	from, _ := Day(s.now(), s.loc)
	leave, err := s.store.LeaveBetween(ctx, []string{id}, from, from.AddDate(10, 0, 0))
	if err != nil {
		return shared.Doctor{}, err
	}
	return public(pr, leave), nil
}

func public(p Profile, leave []Leave) shared.Doctor {
	d := shared.Doctor{ID: p.ID, Name: p.Name, Specialty: p.Specialty, Department: p.Department,
		SlotMinutes: p.SlotMinutes, Weekly: p.Weekly, Breaks: p.Breaks, Leave: []shared.Leave{}}
	if d.Weekly == nil {
		d.Weekly = []shared.Hours{}
	}
	if d.Breaks == nil {
		d.Breaks = []shared.Hours{}
	}
	for _, l := range leave {
		if l.DoctorID == p.ID {
			d.Leave = append(d.Leave, shared.Leave{ID: l.ID, From: l.From, To: l.To, Reason: l.Reason})
		}
	}
	return d
}

// Find lists doctors by specialty and department (case-insensitive, exact); with a date, only those
// with a free slot that day, with how many and the first.
func (s *Service) Find(ctx context.Context, specialty, department, date string) (shared.DoctorList, error) {
	out := shared.DoctorList{Items: []shared.Doctor{}, Date: date, TimeZone: s.loc.String()}
	var day time.Time
	if date != "" {
		var err error
		if day, err = ParseDate(date, s.loc); err != nil {
			return out, err
		}
	}
	all, err := s.store.Profiles(ctx)
	if err != nil {
		return out, err
	}
	var match []Profile
	var ids []string
	for _, p := range all {
		if specialty != "" && !strings.EqualFold(p.Specialty, strings.TrimSpace(specialty)) ||
			department != "" && p.Department != department {
			continue
		}
		match = append(match, p)
		ids = append(ids, p.ID)
	}
	if len(match) == 0 {
		return out, nil
	}
	from, to := Day(s.now(), s.loc)
	if date != "" {
		from, to = Day(day, s.loc)
	}
	leave, err := s.store.LeaveBetween(ctx, ids, from, to.AddDate(10, 0, 0))
	if err != nil {
		return out, err
	}
	var booked []Booking
	if date != "" {
		if booked, err = s.bookings.Booked(ctx, ids, from, to); err != nil {
			return out, err
		}
	}
	for _, p := range match {
		d := public(p, leave)
		if date != "" {
			slots := free(daySlots(p, from, s.loc), busy(p.ID, leave, booked), s.now())
			if len(slots) == 0 {
				continue
			}
			n := len(slots)
			d.FreeSlots, d.NextFree = &n, &slots[0].Start
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

// busy collects the intervals that take a doctor's time: leave and bookings.
func busy(doctorID string, leave []Leave, booked []Booking) []interval {
	var out []interval
	for _, l := range leave {
		if l.DoctorID == doctorID {
			out = append(out, interval{l.From, l.To})
		}
	}
	for _, b := range booked {
		if b.DoctorID == doctorID {
			out = append(out, interval{b.Start, b.End})
		}
	}
	return out
}

// Slots lists a doctor's free slots on date (YYYY-MM-DD, hospital time).
func (s *Service) Slots(ctx context.Context, id, date string) (shared.SlotList, error) {
	out := shared.SlotList{DoctorID: id, Date: date, TimeZone: s.loc.String(), Slots: []shared.Slot{}}
	if date == "" {
		return out, fault.Invalid("date is required: ?date=YYYY-MM-DD")
	}
	day, err := ParseDate(date, s.loc)
	if err != nil {
		return out, err
	}
	pr, err := s.Profile(ctx, id)
	if err != nil {
		return out, err
	}
	from, to := Day(day, s.loc)
	leave, err := s.store.LeaveBetween(ctx, []string{id}, from, to)
	if err != nil {
		return out, err
	}
	booked, err := s.bookings.Booked(ctx, []string{id}, from, to)
	if err != nil {
		return out, err
	}
	out.Slots = append(out.Slots, free(daySlots(pr, from, s.loc), busy(id, leave, booked), s.now())...)
	return out, nil
}

// Slot checks that start begins a slot of the doctor's schedule, in the future and not on leave (it
// does not check bookings: the caller claims the slot). It returns the profile and the slot.
func (s *Service) Slot(ctx context.Context, doctorID string, start time.Time) (Profile, shared.Slot, error) {
	pr, err := s.Profile(ctx, doctorID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoProfile) {
		return pr, shared.Slot{}, fault.Invalid("doctor_id: %v", err)
	}
	if err != nil {
		return pr, shared.Slot{}, err
	}
	if start.IsZero() {
		return pr, shared.Slot{}, fault.Invalid("start is required (RFC 3339)")
	}
	if !start.After(s.now()) {
		return pr, shared.Slot{}, fault.Invalid("start is in the past")
	}
	from, to := Day(start, s.loc)
	var slot shared.Slot
	for _, sl := range daySlots(pr, from, s.loc) {
		if sl.Start.Equal(start) {
			slot = sl
		}
	}
	if slot.Start.IsZero() {
		return pr, slot, fault.Invalid("start %s is not the start of a slot in the doctor's schedule: see GET /api/doctors/%s/slots?date=%s",
			start.In(s.loc).Format(time.RFC3339), doctorID, from.Format(time.DateOnly))
	}
	leave, err := s.store.LeaveBetween(ctx, []string{doctorID}, from, to)
	if err != nil {
		return pr, slot, err
	}
	for _, l := range leave {
		if l.From.Before(slot.End) && slot.Start.Before(l.To) {
			return pr, slot, fault.New(fault.ErrConflict, "the doctor is on leave at that time")
		}
	}
	return pr, slot, nil
}

// AddLeave records that a doctor is unavailable, and returns the appointments booked inside it.
func (s *Service) AddLeave(ctx context.Context, p auth.Principal, id string, req shared.LeaveRequest) (shared.LeaveResponse, error) {
	if p.Role == shared.RoleDoctor && p.UserID != id {
		return shared.LeaveResponse{}, errNotYours
	}
	if _, err := s.Profile(ctx, id); err != nil {
		return shared.LeaveResponse{}, err
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case req.From.IsZero() || req.To.IsZero():
		return shared.LeaveResponse{}, fault.Invalid("from and to are required (RFC 3339)")
	case !req.To.After(req.From):
		return shared.LeaveResponse{}, fault.Invalid("to must be after from")
	case req.To.Sub(req.From) > 366*24*time.Hour:
		return shared.LeaveResponse{}, fault.Invalid("leave is limited to 366 days at a time")
	case utf8.RuneCountInString(reason) > 200:
		return shared.LeaveResponse{}, fault.Invalid("reason is longer than 200 characters")
	}
	l := Leave{ID: ident.New(), DoctorID: id, From: req.From.UTC(), To: req.To.UTC(), Reason: reason,
		CreatedBy: p.UserID, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.store.InsertLeave(ctx, l); err != nil {
		return shared.LeaveResponse{}, err
	}
	booked, err := s.bookings.Booked(ctx, []string{id}, l.From, l.To)
	if err != nil {
		return shared.LeaveResponse{}, err
	}
	out := shared.LeaveResponse{Leave: shared.Leave{ID: l.ID, From: l.From, To: l.To, Reason: l.Reason}, Conflicts: []shared.Appointment{}}
	ids := make([]string, len(booked))
	for i, b := range booked {
		ids[i] = b.AppointmentID
	}
	if out.Conflicts, err = s.bookings.Appointments(ctx, ids); err != nil {
		return shared.LeaveResponse{}, err
	}
	return out, nil
}

// DeleteLeave removes a leave period.
func (s *Service) DeleteLeave(ctx context.Context, p auth.Principal, id, leaveID string) error {
	if p.Role == shared.RoleDoctor && p.UserID != id {
		return errNotYours
	}
	if !ident.Valid(id) || !ident.Valid(leaveID) {
		return fault.Invalid("malformed id: want 24 hex digits")
	}
	return s.store.DeleteLeave(ctx, id, leaveID)
}

// IsDoctor reports whether id is a doctor's account, with or without a profile yet.
func (s *Service) IsDoctor(ctx context.Context, id string) (bool, error) {
	_, err := s.Profile(ctx, id)
	switch {
	case err == nil, errors.Is(err, ErrNoProfile):
		return true, nil
	case errors.Is(err, fault.ErrNotFound):
		return false, nil
	}
	return false, err
}
