package pharmacy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"hms/shared"
)

// Due is an alert the pharmacy domain wants sent to a patient.
type Due struct {
	Kind           string // shared.KindRefillDue or shared.KindFollowUp
	Key            string // stable and unique per alert: "refill:<rx id>:<fill>" / "follow_up:<rx id>"
	PrescriptionID string
	PatientID      string // the patient record id
	MedicationName string
	Dose           string
	Frequency      string
	DueDate        string // YYYY-MM-DD (hospital zone): refill due date, or the day the course ended
	RefillsLeft    int
	PrescribedBy   string // doctor user id
}

// dueWindowDays is how long an alert stays due after its date: a caller that was down for a while
// still sends it, and a prescription left unfilled at the first deployment does not alert forever.
const dueWindowDays = 30

// DueAlerts returns the alerts due at now, by due date then key. Days are calendar days in loc (the
// hospital's zone; nil means UTC); a fill counts from the day it was dispensed. Per prescription that
// is not cancelled (by its cancellation record, not only its cached status), with "latest fill" its
// highest-numbered fill:
//
//   - refill due (Key "refill:<rx id>:<fill>"): the latest fill was dispensed, refills are left after it
//     (1 + refills − its number > 0), and RefillDue of its day (two days before its supply runs out) is
//     today or in the 30 days before. A fill claimed after it, dispensed or not, ends this alert: the
//     patient is being served, and the next fill's alert has its own key and date.
//   - follow-up (Key "follow_up:<rx id>"): the latest fill was dispensed and was the last one allowed,
//     and its supply ended (its day + the duration) today or in the 30 days before. One per prescription.
//
// A prescription with no dispensed fill, or whose latest fill is claimed but not dispensed, gives
// nothing. A fill is dispensed when its stock movement exists, whether or not its claim notes it yet.
// The same prescription state gives the same keys on every call and every instance; sending each
// alert once is the caller's part.
//
// Reads: the fills of the last 30 + 365 (longest course) days, then, in one query each, the movements
// of latest fills whose claims do not note one, those fills' prescriptions, and the cancellation records
// of the prescriptions with an alert. Everything else is computed here.
func (s *Service) DueAlerts(ctx context.Context, now time.Time, loc *time.Location) ([]Due, error) {
	if loc == nil {
		loc = time.UTC
	}
	today := calendarDay(now, loc)
	oldest := today.AddDate(0, 0, -dueWindowDays)
	// The oldest fill that can be due: a longest course ending on the oldest day. A day earlier still,
	// since today is a date in loc and the store compares instants.
	fills, err := s.store.RecentFills(ctx, oldest.AddDate(0, 0, -maxDurationDays-1))
	if err != nil {
		return nil, err
	}
	latest, err := s.latestFills(ctx, fills)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(latest))
	for id, f := range latest {
		if f.Done {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rxs, err := s.store.PrescriptionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Due
	dueIDs := []string{}
	for _, rx := range rxs {
		if rx.Status == shared.PrescriptionCancelled {
			continue
		}
		if d, ok := dueOf(rx, latest[rx.ID], today, oldest, loc); ok {
			out = append(out, d)
			dueIDs = append(dueIDs, rx.ID)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	cancelled, err := s.store.Cancelled(ctx, dueIDs)
	if err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(d Due) bool { return slices.Contains(cancelled, d.PrescriptionID) })
	slices.SortFunc(out, func(a, b Due) int { return cmp.Or(cmp.Compare(a.DueDate, b.DueDate), cmp.Compare(a.Key, b.Key)) })
	return out, nil
}

// latestFills returns each prescription's highest-numbered fill among fills, noted as dispensed when
// its claim is not but its stock movement exists (the claim is a cache of the movement).
func (s *Service) latestFills(ctx context.Context, fills []FillClaim) (map[string]FillClaim, error) {
	latest := map[string]FillClaim{}
	for _, f := range fills {
		if cur, ok := latest[f.PrescriptionID]; !ok || f.Fill > cur.Fill {
			latest[f.PrescriptionID] = f
		}
	}
	var pending []string
	for _, f := range latest {
		if !f.Done {
			pending = append(pending, f.ID)
		}
	}
	if len(pending) == 0 {
		return latest, nil
	}
	moves, err := s.store.MovementsByFill(ctx, pending)
	if err != nil {
		return nil, err
	}
	for _, m := range moves {
		if f, ok := latest[m.PrescriptionID]; ok && f.ID == m.FillID {
			latest[m.PrescriptionID] = completed(f, m)
		}
	}
	return latest, nil
}

// dueOf returns the alert a prescription whose latest fill f was dispensed gives on today, if any.
func dueOf(rx Prescription, f FillClaim, today, oldest time.Time, loc *time.Location) (Due, bool) {
	filled := calendarDay(f.DispensedAt, loc)
	d := Due{PrescriptionID: rx.ID, PatientID: rx.PatientID, MedicationName: rx.MedicationName, Dose: rx.Dose,
		Frequency: rx.Frequency, RefillsLeft: max(1+rx.Refills-f.Fill, 0), PrescribedBy: rx.PrescribedBy}
	var on time.Time
	if d.RefillsLeft > 0 {
		d.Kind, d.Key, on = shared.KindRefillDue, fmt.Sprintf("refill:%s:%d", rx.ID, f.Fill), RefillDue(filled, rx.DurationDays)
	} else {
		d.Kind, d.Key, on = shared.KindFollowUp, "follow_up:"+rx.ID, filled.AddDate(0, 0, rx.DurationDays)
	}
	if on.Before(oldest) || on.After(today) {
		return Due{}, false
	}
	d.DueDate = on.Format(time.DateOnly)
	return d, true
}

// calendarDay returns t's date in loc as midnight UTC of that date, so that adding days is calendar
// arithmetic whatever loc's daylight saving does.
func calendarDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
