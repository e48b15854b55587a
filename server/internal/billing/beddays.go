package billing

import (
	"context"
	"fmt"
	"time"

	"hms/server/internal/job"
)

// Stay is an admission as billing sees it: when it began and (once discharged) ended, and the wards
// the patient was in, each from when.
type Stay struct {
	AdmissionID  string
	PatientID    string
	AdmittedAt   time.Time
	DischargedAt time.Time // zero while admitted
	Wards        []WardSpan
}

// WardSpan is the ward a patient was in from a time on (admission, then each transfer).
type WardSpan struct {
	WardID string
	From   time.Time
}

// maxNights bounds one stay's nights (ten years), so a bad date cannot make the loop run away.
const maxNights = 3660

// night is one night of a stay: the date it began (hospital zone) and the ward at its midnight.
type night struct {
	date   string
	wardID string
}

// nights lists the nights of a stay up to until: a night is counted for each midnight (in the
// hospital's zone) at which the patient was admitted, dated by the day before it, priced by the ward
// they were in at that midnight. A stay that begins and ends on one day has no night.
func nights(st Stay, until time.Time, loc *time.Location) []night {
	end := until
	if !st.DischargedAt.IsZero() && st.DischargedAt.Before(end) {
		end = st.DischargedAt
	}
	a := st.AdmittedAt.In(loc)
	var out []night
	for i := 1; i <= maxNights; i++ {
		m := time.Date(a.Year(), a.Month(), a.Day()+i, 0, 0, 0, 0, loc)
		if m.After(end) || !st.DischargedAt.IsZero() && !m.Before(st.DischargedAt) {
			break
		}
		ward := ""
		for _, w := range st.Wards {
			if !w.From.After(m) {
				ward = w.WardID
			}
		}
		out = append(out, night{date: m.AddDate(0, 0, -1).Format(time.DateOnly), wardID: ward})
	}
	return out
}

// ChargeNights posts a bed_day charge for each night of a stay up to now (priced by the ward's entry,
// ref = the ward id), each under chg:bed:<admission>:<date>: whoever runs it, however often, on any
// instance, a night is charged once. A ward with no price charges nothing, and the log says so. It
// returns how many charges it posted now.
func (s *Service) ChargeNights(ctx context.Context, st Stay) (int, error) {
	posted := 0
	unpriced := map[string]bool{}
	for _, n := range nights(st, s.clock(), s.loc) {
		if unpriced[n.wardID] {
			continue
		}
		key := "bed:" + st.AdmissionID + ":" + n.date
		if _, err := s.store.Charge(ctx, chargeID(key)); err == nil {
			continue
		}
		_, err := s.Post(ctx, ChargeRequest{Key: key, PatientID: st.PatientID, Source: "admission:" + st.AdmissionID,
			Kind: BedDay, Ref: n.wardID, Description: fmt.Sprintf("Bed-day, night of %s", n.date), By: "system"})
		if isNoPrice(err) {
			s.log.WarnContext(ctx, "no bed-day price for the ward: its nights are not charged", "admission", st.AdmissionID, "ward", n.wardID)
			unpriced[n.wardID] = true
			continue
		}
		if err != nil {
			return posted, err
		}
		posted++
	}
	return posted, nil
}

// RunBedDays charges the nights of every stay that stays lists (the active admissions), every interval
// until ctx ends. Every instance runs it: the charges' ids make a second instance's run, or a run after
// a crash, post nothing twice, and a run missed (no instance up at midnight) is caught up by the next.
func (s *Service) RunBedDays(ctx context.Context, interval time.Duration, stays func(context.Context) ([]Stay, error)) {
	job.Every(ctx, interval, s.log, "charge bed-days", func(ctx context.Context) (int, error) {
		list, err := stays(ctx)
		if err != nil {
			return 0, err
		}
		total := 0
		for _, st := range list {
			n, err := s.ChargeNights(ctx, st)
			total += n
			if err != nil {
				return total, fmt.Errorf("admission %s: %w", st.AdmissionID, err)
			}
		}
		return total, nil
	})
}
