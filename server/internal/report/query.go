package report

import (
	"context"
	"math"
	"slices"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// MaxDays is the longest range a report covers: two years, for a year-on-year comparison.
const MaxDays = 731

// Range checks a report's range: from and to are YYYY-MM-DD in the hospital's zone (to defaults to
// today, from to 29 days before to), from not after to, at most MaxDays days; department is a
// department id or empty.
func (s *Service) Range(from, to, department string) (shared.ReportRange, error) {
	r := shared.ReportRange{From: from, To: to, Department: department}
	if r.To == "" {
		r.To = s.today()
	}
	end, err := s.start(r.To)
	if err != nil {
		return r, fault.Invalid("to must be a date, YYYY-MM-DD; got %q", r.To)
	}
	if r.From == "" {
		r.From = end.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	begin, err := s.start(r.From)
	if err != nil {
		return r, fault.Invalid("from must be a date, YYYY-MM-DD; got %q", r.From)
	}
	if begin.After(end) {
		return r, fault.Invalid("from (%s) is after to (%s)", r.From, r.To)
	}
	if n := spanDays(begin, end); n > MaxDays {
		return r, fault.Invalid("the range from %s to %s is %d days; a report covers at most %d days (two years)", r.From, r.To, n, MaxDays)
	}
	if department != "" && !shared.ValidDepartmentID(department) {
		return r, fault.Invalid("department must be a department id (lower-case letters, digits and dashes); got %q", department)
	}
	return r, nil
}

// spanDays counts the days from begin to end, both included (calendar days, whatever the DST).
func spanDays(begin, end time.Time) int {
	b := time.Date(begin.Year(), begin.Month(), begin.Day(), 0, 0, 0, 0, time.UTC)
	e := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	return int(e.Sub(b)/(24*time.Hour)) + 1
}

func keep(r shared.ReportRange, dept string) bool { return r.Department == "" || r.Department == dept }

func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	v := math.Round(a/b*100) / 100
	return &v
}

func pct(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	v := math.Round(a/b*1000) / 10
	return &v
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Operations answers the operations report: appointments per day and department, waits by department
// and hour of check-in, and consultations finished by hour.
func (s *Service) Operations(ctx context.Context, r shared.ReportRange) (shared.OperationsReport, error) {
	out := shared.OperationsReport{ReportRange: r, Days: []shared.OperationsRow{}, Departments: []shared.OperationsDepartment{},
		Hours: []shared.OperationsHour{}}
	days, err := s.days(ctx, r.From, r.To)
	if err != nil {
		return out, err
	}
	var all dense
	type deptSum struct {
		booked, completed, cancelled, noShow int64
		waits                                dense
	}
	byDept := map[string]*deptSum{}
	var hourWaits [24]dense
	var hourSeen [24]int64
	for _, d := range days {
		for _, dept := range sortedKeys(d.Depts) {
			x := d.Depts[dept]
			if !keep(r, dept) {
				continue
			}
			var dayHist dense
			for h, hist := range x.Waits {
				if h >= 0 && h < 24 {
					hourWaits[h].add(hist)
				}
				dayHist.add(hist)
			}
			for h, n := range x.Seen {
				if h >= 0 && h < 24 {
					hourSeen[h] += n
				}
			}
			waits := dayHist.count()
			if x.Booked+x.Completed+x.Cancelled+x.NoShow+waits == 0 {
				continue // a day of this department with ward figures only
			}
			out.Days = append(out.Days, shared.OperationsRow{Day: d.Day, Department: dept,
				OperationsFigures: figures(x.Booked, x.Completed, x.Cancelled, x.NoShow, &dayHist)})
			all.merge(&dayHist)
			y := byDept[dept]
			if y == nil {
				y = &deptSum{}
				byDept[dept] = y
			}
			y.booked += x.Booked
			y.completed += x.Completed
			y.cancelled += x.Cancelled
			y.noShow += x.NoShow
			y.waits.merge(&dayHist)
		}
	}
	for _, dept := range sortedKeys(byDept) {
		y := byDept[dept]
		f := figures(y.booked, y.completed, y.cancelled, y.noShow, &y.waits)
		out.Departments = append(out.Departments, shared.OperationsDepartment{Department: dept, OperationsFigures: f})
		out.Totals.Booked += f.Booked
		out.Totals.Completed += f.Completed
		out.Totals.Cancelled += f.Cancelled
		out.Totals.NoShow += f.NoShow
	}
	out.Totals.Waits, out.Totals.WaitP50, out.Totals.WaitP90 = all.count(), all.percentile(0.5), all.percentile(0.9)
	for h := range 24 {
		out.Hours = append(out.Hours, shared.OperationsHour{Hour: h, Waits: hourWaits[h].count(), WaitP50: hourWaits[h].percentile(0.5),
			WaitP90: hourWaits[h].percentile(0.9), Seen: hourSeen[h]})
	}
	return out, nil
}

func figures(booked, completed, cancelled, noShow int64, waits *dense) shared.OperationsFigures {
	return shared.OperationsFigures{Booked: booked, Completed: completed, Cancelled: cancelled, NoShow: noShow,
		Waits: waits.count(), WaitP50: waits.percentile(0.5), WaitP90: waits.percentile(0.9)}
}

// Admissions answers the admissions report: admissions and discharges per day, the midnight census,
// occupancy, average length of stay and bed turnover.
func (s *Service) Admissions(ctx context.Context, r shared.ReportRange) (shared.AdmissionsReport, error) {
	out := shared.AdmissionsReport{ReportRange: r, Days: []shared.AdmissionsDay{}}
	days, err := s.days(ctx, r.From, r.To)
	if err != nil {
		return out, err
	}
	var stayMinutes, bedDays, occupiedDays int64
	for _, d := range days {
		row := shared.AdmissionsDay{Day: d.Day}
		var census *Beds
		for dept, x := range d.Depts {
			if !keep(r, dept) {
				continue
			}
			row.Admitted += x.Admitted
			row.Discharged += x.Discharged
			stayMinutes += x.StayMinutes
			if x.Census != nil {
				if census == nil {
					census = &Beds{}
				}
				census.Beds += x.Census.Beds
				census.Occupied += x.Census.Occupied
			}
		}
		if census != nil {
			row.Beds, row.Occupied = &census.Beds, &census.Occupied
			row.OccupancyPct = pct(float64(census.Occupied), float64(census.Beds))
			bedDays += census.Beds
			occupiedDays += census.Occupied
			out.Totals.CensusDays++
		}
		out.Totals.Admitted += row.Admitted
		out.Totals.Discharged += row.Discharged
		out.Days = append(out.Days, row)
	}
	t := &out.Totals
	t.AverageStayDays = ratio(float64(stayMinutes)/(24*60), float64(t.Discharged))
	t.OccupancyPct = pct(float64(occupiedDays), float64(bedDays))
	if t.CensusDays > 0 {
		t.BedTurnover = ratio(float64(t.Discharged), float64(bedDays)/float64(t.CensusDays))
	}
	return out, nil
}

// Doctors answers doctor performance; name gives a doctor's name (admins see names, no patients).
func (s *Service) Doctors(ctx context.Context, r shared.ReportRange, name func(ctx context.Context, id string) string) (shared.DoctorsReport, error) {
	out := shared.DoctorsReport{ReportRange: r, Currency: s.cfg.Currency, Doctors: []shared.DoctorPerformance{}}
	days, err := s.days(ctx, r.From, r.To)
	if err != nil {
		return out, err
	}
	sum := NewDay("")
	for _, d := range days {
		sum.merge(&Day{Doctors: d.Doctors})
	}
	for _, id := range sortedKeys(sum.Doctors) {
		x := sum.Doctors[id]
		if !keep(r, x.Dept) {
			continue
		}
		p := shared.DoctorPerformance{DoctorID: id, Department: x.Dept, Booked: x.Booked, Seen: x.Seen, NoShow: x.NoShow,
			Cancelled: x.Cancelled, Revenue: x.Revenue,
			NoShowRate:            ratio(float64(x.NoShow), float64(x.Seen+x.NoShow)),
			AverageConsultMinutes: ratio(float64(x.ConsultSeconds)/60, float64(x.Consults)),
			AverageWaitMinutes:    ratio(float64(x.WaitMinutes), float64(x.Waits))}
		if name != nil {
			p.Name = name(ctx, id)
		}
		out.Doctors = append(out.Doctors, p)
	}
	return out, nil
}

// Billing answers the billing report: money per day and over the range, what is outstanding, and the
// days from issue to full payment. The department filter does not apply (money is not split by
// department).
func (s *Service) Billing(ctx context.Context, r shared.ReportRange) (shared.BillingReport, error) {
	out := shared.BillingReport{ReportRange: r, Currency: s.cfg.Currency, Days: []shared.BillingDay{}, Claims: []shared.BillingClaims{}}
	days, err := s.days(ctx, r.From, r.To)
	if err != nil {
		return out, err
	}
	owed, err := s.owedBefore(ctx, r.From)
	if err != nil {
		return out, err
	}
	var m Money
	for _, d := range days {
		b := d.Billing
		owed += b.Owed()
		m.merge(b)
		day := shared.BillingDay{Day: d.Day, Invoiced: b.Invoiced, Credited: b.Credited, Paid: b.Paid,
			Refunded: b.Refunded, Outstanding: owed}
		if x := b.Claims["submitted"]; x != nil {
			day.ClaimsSubmitted = x.Claims
		}
		if x := b.Claims["paid"]; x != nil {
			day.ClaimsPaid = x.Paid
		}
		out.Days = append(out.Days, day)
	}
	for _, st := range claimStatuses(m.Claims) {
		x := m.Claims[st]
		out.Claims = append(out.Claims, shared.BillingClaims{Status: st, Claims: x.Claims, Claimed: x.Claimed, Approved: x.Approved, Paid: x.Paid})
	}
	out.Totals = shared.BillingTotals{Invoiced: m.Invoiced, Invoices: m.Invoices, Credited: m.Credited, Revenue: m.Invoiced - m.Credited,
		Paid: m.Paid, Refunded: m.Refunded, Received: m.Paid - m.Refunded, Outstanding: owed, Settled: m.Settled,
		AverageDaysToPayment: ratio(float64(m.SettleMinutes)/(24*60), float64(m.Settled))}
	return out, nil
}

// claimOrder is a claim's life (billing.ClaimStatuses), the order the report lists statuses in.
var claimOrder = []string{"draft", "submitted", "in_review", "approved", "partially_approved", "denied", "paid"}

// claimStatuses are the statuses of claims, in the order of a claim's life, any unknown one after.
func claimStatuses(claims map[string]*ClaimMoney) []string {
	var out []string
	for _, st := range claimOrder {
		if claims[st] != nil {
			out = append(out, st)
		}
	}
	for _, st := range sortedKeys(claims) {
		if !slices.Contains(claimOrder, st) {
			out = append(out, st)
		}
	}
	return out
}
