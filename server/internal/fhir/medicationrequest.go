package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// The MedicationRequest search parameters.
var medicationRequestParams = []string{"_id", "patient", "status"}

// The MedicationRequest statuses served.
const (
	RxActive    = "active"
	RxCompleted = "completed"
	RxCancelled = "cancelled"
)

// rxStatus is a prescription's FHIR status: cancelled when cancelled; completed when every supply it
// allows (the first and the refills) has been dispensed; active otherwise.
func rxStatus(rx shared.Prescription) string {
	if rx.Status == shared.PrescriptionCancelled {
		return RxCancelled
	}
	if rx.FillsLeft <= 0 && len(rx.Fills) > 0 {
		done := true
		for _, f := range rx.Fills {
			done = done && f.Status == shared.FillDispensed
		}
		if done {
			return RxCompleted
		}
	}
	return RxActive
}

// MedicationRequestResource maps a prescription to a FHIR MedicationRequest: the status (rxStatus; a
// cancelled one with its reason as statusReason), intent order, the medication as a CodeableConcept
// (its name as text, the catalogue code under urn:hms:medication when code is known), the patient,
// encounter, when it was written (authoredOn) and the doctor who wrote it (requester), the dose,
// frequency, duration and instructions as the dosage's text, and the dispense request: the quantity of
// each supply, the refills allowed and the days it lasts. The samply struct writes an empty
// medicationReference beside medicationCodeableConcept; the JSON leaves it out.
func MedicationRequestResource(rx shared.Prescription, code string) (json.RawMessage, error) {
	med := fhir.CodeableConcept{Text: ptr(rx.MedicationName)}
	if code != "" {
		med.Coding = []fhir.Coding{{System: ptr(SystemMedication), Code: ptr(code), Display: ptr(rx.MedicationName)}}
	}
	mr := fhir.MedicationRequest{Id: ptr(rx.ID), Status: rxStatus(rx), Intent: "order", MedicationCodeableConcept: med,
		Subject: *reference("Patient", rx.PatientID), AuthoredOn: ptr(rx.CreatedAt.UTC().Format(instant))}
	if rx.Status == shared.PrescriptionCancelled && rx.CancelReason != "" {
		mr.StatusReason = &fhir.CodeableConcept{Text: ptr(rx.CancelReason)}
	}
	if rx.EncounterID != "" {
		mr.Encounter = reference("Encounter", rx.EncounterID)
	}
	if rx.PrescribedBy != "" {
		mr.Requester = reference("Practitioner", rx.PrescribedBy)
	}
	var text []string
	for _, part := range []string{rx.Dose, rx.Frequency} {
		if part != "" {
			text = append(text, part)
		}
	}
	if rx.DurationDays > 0 {
		text = append(text, "for "+strconv.Itoa(rx.DurationDays)+" days")
	}
	dosage := fhir.Dosage{}
	if len(text) > 0 {
		dosage.Text = ptr(strings.Join(text, ", "))
	}
	if rx.Instructions != "" {
		dosage.PatientInstruction = ptr(rx.Instructions)
	}
	if dosage.Text != nil || dosage.PatientInstruction != nil {
		mr.DosageInstruction = []fhir.Dosage{dosage}
	}
	dr := &fhir.MedicationRequestDispenseRequest{NumberOfRepeatsAllowed: ptr(rx.Refills)}
	if rx.Quantity > 0 {
		dr.Quantity = &fhir.Quantity{Value: ptr(json.Number(strconv.Itoa(rx.Quantity)))}
	}
	if rx.DurationDays > 0 {
		dr.ExpectedSupplyDuration = &fhir.Duration{Value: ptr(json.Number(strconv.Itoa(rx.DurationDays))), Unit: ptr("days"),
			System: ptr(SystemUCUM), Code: ptr("d")}
	}
	mr.DispenseRequest = dr
	return reshape(mr, map[string]any{"medicationReference": nil})
}

// medicationCodes are the catalogue's codes by medication id (the catalogue is no patient data).
func (cl *Clinical) medicationCodes(ctx context.Context) (map[string]string, error) {
	list, err := cl.Prescriptions.Medications(ctx, "", 1, all)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list.Items))
	for _, m := range list.Items {
		out[m.ID] = m.Code
	}
	return out, nil
}

// ReadMedicationRequest handles GET /fhir/R4/MedicationRequest/{id}: the pharmacy's prescription read
// (GET /api/prescriptions/{id}: prescription.read, checked by the route; a patient their own, another's is 404;
// doctors and staff by the clinical access rule, staff also while it is dispensable), audited as
// prescription.read.
func (cl *Clinical) ReadMedicationRequest(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	if !ident.Valid(id) {
		Error(c, fault.New(fault.ErrNotFound, "no MedicationRequest with id %s", quote(id)))
		return
	}
	ctx := c.Request.Context()
	rx, err := cl.Prescriptions.Get(ctx, principal(c), id)
	if err != nil {
		Error(c, err)
		return
	}
	codes, err := cl.medicationCodes(ctx)
	if err != nil {
		Error(c, err)
		return
	}
	r, err := MedicationRequestResource(rx, codes[rx.MedicationID])
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, r)
}

// SearchMedicationRequests handles GET /fhir/R4/MedicationRequest?patient=&status=&_id=: one patient's
// prescriptions (GET /api/patients/{id}/prescriptions: prescription.read and the clinical access rule, audited as
// prescription.list), newest first. A patient searches their own; the staff-side roles name the
// patient.
func (cl *Clinical) SearchMedicationRequests(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, medicationRequestParams, nil)
	if !ok {
		return
	}
	p, ctx := principal(c), c.Request.Context()
	patientID, ok := patientParam(c, s, p, "patient")
	if !ok {
		return
	}
	status := s.values.Get("status")
	switch status {
	case "", RxActive, RxCompleted, RxCancelled, "on-hold", "entered-in-error", "stopped", "draft", "unknown":
	default:
		invalid(c, "status: "+quote(status)+" is not a MedicationRequest status (active, completed and cancelled are served)")
		return
	}
	list, err := cl.Prescriptions.List(ctx, p, patientID, 1, all)
	if err != nil {
		Error(c, err)
		return
	}
	codes, err := cl.medicationCodes(ctx)
	if err != nil {
		Error(c, err)
		return
	}
	id := idParam(s)
	var matches []sortedEntry
	for _, rx := range list.Items {
		if (id != "" && rx.ID != id) || (status != "" && rxStatus(rx) != status) {
			continue
		}
		r, err := MedicationRequestResource(rx, codes[rx.MedicationID])
		if err != nil {
			Error(c, err)
			return
		}
		matches = append(matches, sortedEntry{entry: entry{rx.ID, r}, at: rx.CreatedAt})
	}
	cl.answer(c, "MedicationRequest", s, matches)
}
