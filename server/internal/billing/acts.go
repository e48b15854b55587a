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
