package pharmacy

// This file is the pharmacy's work queue (GET /api/prescriptions): the prescriptions with a fill still to
// dispense, showing only what dispensing needs.

import (
	"context"
	"slices"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// Patients names a patient on the queue (patient.Service).
type Patients interface {
	Identity(ctx context.Context, patientID string) (name, mrn string, err error)
}

// UsePatients gives the queue the patient register. Call it while wiring, before serving.
func (s *Service) UsePatients(p Patients) { s.patients = p }

// actQueue audits a read of the queue: one entry without a patient, and one per patient returned.
const actQueue = "prescription.queue"

// Queue lists the prescriptions waiting at the pharmacy, oldest first: not cancelled, with a fill left
// (a first supply, a refill, or a fill claimed but not dispensed). Each is Dispensable, so the staff
// member may read and dispense it without a care relationship; the list opens nothing more (no
// chart, no other prescription of the patient). Audited like a search by medical content: one entry
// for the read, one per patient returned (docs/security.md row 35). status is "pending" or empty.
func (s *Service) Queue(ctx context.Context, p auth.Principal, status string, page, limit int) (shared.PrescriptionQueue, error) {
	out, patients, err := s.queue(ctx, status, page, limit)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, "", actQueue, err); aerr != nil {
		return shared.PrescriptionQueue{}, aerr
	}
	if err != nil {
		return shared.PrescriptionQueue{}, err
	}
	for _, id := range patients {
		if aerr := s.audit.Record(ctx, p.UserID, p.Role, id, actQueue, nil); aerr != nil {
			return shared.PrescriptionQueue{}, aerr
		}
	}
	return out, nil
}

type waiting struct {
	rx        Prescription
	fill      int
	refillDue string
}

func (s *Service) queue(ctx context.Context, status string, page, limit int) (shared.PrescriptionQueue, []string, error) {
	out := shared.PrescriptionQueue{Items: []shared.PrescriptionQueueItem{}, Page: page, Limit: limit}
	if status != "" && status != shared.FillPending {
		return out, nil, fault.Invalid(`status must be "pending"`)
	}
	all, err := s.waiting(ctx)
	if err != nil {
		return out, nil, err
	}
	out.Total = len(all)
	var patients []string
	for i := (page - 1) * limit; i < len(all) && i < page*limit; i++ {
		w := all[i]
		name, mrn, err := s.patients.Identity(ctx, w.rx.PatientID)
		if err != nil {
			return out, nil, err
		}
		warnings := w.rx.AllergyWarnings
		if warnings == nil {
			warnings = []string{}
		}
		out.Items = append(out.Items, shared.PrescriptionQueueItem{ID: w.rx.ID, PatientName: name, MRN: mrn,
			MedicationID: w.rx.MedicationID, MedicationName: w.rx.MedicationName, Dose: w.rx.Dose, Quantity: w.rx.Quantity,
			Fill: w.fill, Fills: 1 + w.rx.Refills, RefillDue: w.refillDue, AllergyWarnings: warnings, PrescribedAt: w.rx.CreatedAt})
		if !slices.Contains(patients, w.rx.PatientID) {
			patients = append(patients, w.rx.PatientID)
		}
	}
	return out, patients, nil
}

// waiting returns the prescriptions with a fill to dispense and the fill's number, oldest first, in
// four reads whatever their number.
func (s *Service) waiting(ctx context.Context) ([]waiting, error) {
	rxs, err := s.store.ActivePrescriptions(ctx)
	if err != nil || len(rxs) == 0 {
		return nil, err
	}
	ids := make([]string, len(rxs))
	for i, rx := range rxs {
		ids[i] = rx.ID
	}
	cancelled, err := s.store.Cancelled(ctx, ids)
	if err != nil {
		return nil, err
	}
	claims, err := s.store.FillsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	// A claim not noted done may have its movement already (the note is a cache).
	var open []string
	for _, c := range claims {
		if !c.Done {
			open = append(open, c.ID)
		}
	}
	moved, err := s.store.MovementsByFill(ctx, open)
	if err != nil {
		return nil, err
	}
	movedAt := map[string]time.Time{}
	for _, m := range moved {
		movedAt[m.FillID] = m.At
	}
	fillsOf := map[string][]FillClaim{}
	for _, c := range claims {
		if at, ok := movedAt[c.ID]; ok && !c.Done {
			c.Done, c.DispensedAt = true, at
		}
		fillsOf[c.PrescriptionID] = append(fillsOf[c.PrescriptionID], c)
	}
	var out []waiting
	for _, rx := range rxs {
		if slices.Contains(cancelled, rx.ID) {
			continue
		}
		if w, ok := next(rx, fillsOf[rx.ID]); ok {
			out = append(out, w)
		}
	}
	return out, nil
}

// next is the fill of rx to dispense: the lowest claimed but not dispensed, else the one after the
// last claimed while refills are left (with the date the refill is due).
func next(rx Prescription, fills []FillClaim) (waiting, bool) {
	slices.SortFunc(fills, func(a, b FillClaim) int { return a.Fill - b.Fill })
	for _, f := range fills {
		if !f.Done {
			return waiting{rx: rx, fill: f.Fill}, true
		}
	}
	n := len(fills) + 1
	if len(fills) > 0 {
		n = fills[len(fills)-1].Fill + 1
	}
	if n > 1+rx.Refills {
		return waiting{}, false
	}
	w := waiting{rx: rx, fill: n}
	if len(fills) > 0 {
		w.refillDue = RefillDue(fills[len(fills)-1].DispensedAt, rx.DurationDays).Format(time.DateOnly)
	}
	return w, true
}
