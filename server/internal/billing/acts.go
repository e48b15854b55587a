package billing

import (
	"context"
	"errors"
	"strings"

	"hms/server/internal/fault"
)

// Visit is a finished consultation, as the appointment domain's Finished event describes it.
type Visit struct {
	AppointmentID string
	PatientID     string
	// Specialty is the seeing doctor's; a consultation is priced by it, or by the general
	// consultation entry (ref "") when the specialty has none.
	Specialty  string
	DoctorName string
	By         string
}

// ChargeVisit posts the consultation charge of a finished visit, once per appointment. A hospital whose
// price list has no consultation price bills nothing (and says so in the log): the charge is not lost by
// mistake, there is nothing to charge.
func (s *Service) ChargeVisit(ctx context.Context, v Visit) (Charge, bool, error) {
	spec := strings.ToLower(strings.TrimSpace(v.Specialty))
	desc := "Consultation"
	if v.DoctorName != "" {
		desc += " with " + v.DoctorName
	}
	req := ChargeRequest{Key: "consultation:" + v.AppointmentID, PatientID: v.PatientID,
		Source: "appointment:" + v.AppointmentID, Kind: Consultation, Ref: spec, Description: desc, By: v.By}
	c, err := s.Post(ctx, req)
	if isNoPrice(err) && spec != "" {
		req.Ref = ""
		c, err = s.Post(ctx, req)
	}
	if isNoPrice(err) {
		s.log.WarnContext(ctx, "no consultation price: the visit is not charged", "appointment", v.AppointmentID, "specialty", spec)
		return Charge{}, false, nil
	}
	return c, err == nil, err
}

func isNoPrice(err error) bool {
	return errors.Is(err, fault.ErrInvalid) && fault.CodeOf(err) == "no_price"
}

// LabOrder is a lab order as the lab domain's events describe it.
type LabOrder struct {
	OrderID   string
	PatientID string
	Tests     []LabTestRef
	By        string
}

// LabTestRef is one test of an order: its code (the price's ref) and name.
type LabTestRef struct{ Code, Name string }

func labKey(orderID, code string) string { return "lab:" + orderID + ":" + code }

// ChargeLabOrder posts one lab_test charge per test of a placed order (priced by the test's code),
// once per order and test. A test with no price is not charged, and the log says so.
func (s *Service) ChargeLabOrder(ctx context.Context, o LabOrder) ([]Charge, error) {
	var out []Charge
	for _, t := range o.Tests {
		c, err := s.Post(ctx, ChargeRequest{Key: labKey(o.OrderID, t.Code), PatientID: o.PatientID, Source: "lab_order:" + o.OrderID,
			Kind: LabTest, Ref: t.Code, Description: t.Name, By: o.By})
		if isNoPrice(err) {
			s.log.WarnContext(ctx, "no price for a lab test: it is not charged", "order", o.OrderID, "test", t.Code)
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// VoidLabOrder voids the charges of a cancelled order that are still unbilled, with the reason "order
// cancelled". A charge already on an invoice stays (an issued one is corrected by a credit note), and
// the log says so.
func (s *Service) VoidLabOrder(ctx context.Context, o LabOrder) error {
	for _, t := range o.Tests {
		id := chargeID(labKey(o.OrderID, t.Code))
		_, err := s.VoidCharge(ctx, id, o.By, "order cancelled")
		switch {
		case errors.Is(err, fault.ErrNotFound):
		case errors.Is(err, fault.ErrConflict):
			s.log.WarnContext(ctx, "a cancelled lab order's charge is billed already: left for a credit note", "order", o.OrderID, "charge", id)
		case err != nil:
			return err
		}
	}
	return nil
}

// Dispensation is one fill of a prescription that left the pharmacy.
type Dispensation struct {
	FillID       string
	PatientID    string
	MedicationID string
	// Description names the medication and strength on the bill.
	Description string
	Quantity    int
	By          string
}

// ChargeDispensed posts a dispensed fill: quantity × the medication's price (kind medication, ref =
// the medication's id), once per fill. No price: nothing is charged, and the log says so.
func (s *Service) ChargeDispensed(ctx context.Context, d Dispensation) (Charge, bool, error) {
	c, err := s.Post(ctx, ChargeRequest{Key: "medication:" + d.FillID, PatientID: d.PatientID, Source: "fill:" + d.FillID,
		Kind: Medication, Ref: d.MedicationID, Quantity: d.Quantity, Description: d.Description, By: d.By})
	if isNoPrice(err) {
		s.log.WarnContext(ctx, "no price for a medication: the fill is not charged", "fill", d.FillID, "medication", d.MedicationID)
		return Charge{}, false, nil
	}
	return c, err == nil, err
}

// PerformedProcedure is a procedure or treatment recorded in the chart, as billing needs it.
type PerformedProcedure struct {
	ProcedureID string
	PatientID   string
	// Code is the price list's code it was recorded by; it is charged at the code's current version.
	Code        string
	Description string
	Quantity    int
	By          string
}

func procedureKey(id string) string { return "procedure:" + id }

// ChargeProcedure posts a recorded procedure: quantity × its code's price (the charge's kind is the
// price's, procedure or treatment), once per procedure, under chg:procedure:<procedure>. A code no
// longer priced (retired, or gone) is not charged, and the log says so.
func (s *Service) ChargeProcedure(ctx context.Context, p PerformedProcedure) (Charge, bool, error) {
	c, err := s.Post(ctx, ChargeRequest{Key: procedureKey(p.ProcedureID), PatientID: p.PatientID, Source: "procedure:" + p.ProcedureID,
		Code: p.Code, Quantity: p.Quantity, Description: p.Description, By: p.By})
	if isNoPrice(err) || errors.Is(err, fault.ErrInvalid) && fault.CodeOf(err) == "price_retired" {
		s.log.WarnContext(ctx, "no price for a procedure's code: it is not charged", "procedure", p.ProcedureID, "code", p.Code)
		return Charge{}, false, nil
	}
	return c, err == nil, err
}

// VoidProcedure voids the charge of a procedure entered in error while it is unbilled, with the reason
// "procedure entered in error". A charge already on an invoice stays (an issued one is corrected by a
// credit note), and the log says so; a procedure never charged has nothing to void.
func (s *Service) VoidProcedure(ctx context.Context, p PerformedProcedure) error {
	id := chargeID(procedureKey(p.ProcedureID))
	_, err := s.VoidCharge(ctx, id, p.By, "procedure entered in error")
	switch {
	case errors.Is(err, fault.ErrNotFound):
	case errors.Is(err, fault.ErrConflict):
		s.log.WarnContext(ctx, "a procedure entered in error is billed already: left for a credit note", "procedure", p.ProcedureID, "charge", id)
	case err != nil:
		return err
	}
	return nil
}

// ProcedureCode returns the current entry of a procedure or treatment code, which the chart records
// procedures by; any other code, a retired one or an unknown one is invalid.
func (s *Service) ProcedureCode(ctx context.Context, code string) (Price, error) {
	p, err := s.store.CurrentPrice(ctx, code)
	switch {
	case errors.Is(err, ErrNotFound):
		return Price{}, fault.Coded(fault.ErrInvalid, "unknown_procedure_code", "code %s is not on the price list", code)
	case err != nil:
		return Price{}, err
	case p.Kind != Procedure && p.Kind != Treatment:
		return Price{}, fault.Coded(fault.ErrInvalid, "unknown_procedure_code", "code %s is a %s price, not a procedure or treatment", code, p.Kind)
	case p.Retired:
		return Price{}, fault.Coded(fault.ErrInvalid, "unknown_procedure_code", "code %s is no longer on the price list", code)
	}
	return p, nil
}
