package main

import (
	"context"
	"net/http"

	"hms/shared"
)

// wardSeed is a ward of the demo hospital and its beds.
type wardSeed struct {
	ward shared.CreateWardRequest
	beds []string
}

var wards = []wardSeed{
	{shared.CreateWardRequest{ID: "ward-a", Name: "Ward A (general medicine)", Department: "general-medicine"},
		[]string{"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"}},
	{shared.CreateWardRequest{ID: "cardiac-unit", Name: "Cardiac unit", Department: "cardiology"},
		[]string{"C1", "C2", "C3", "C4", "C5", "C6"}},
}

// seedWards creates the wards and their beds (a second run finds them) and admits the first three
// patients booked today, so the bed board (/beds) has something on it. A patient already admitted is
// left as they are.
func seedWards(ctx context.Context, a *api, h *hospital) error {
	for _, w := range wards {
		status, err := a.call(ctx, h.admin, http.MethodPost, "/api/wards", w.ward, nil, http.StatusCreated, http.StatusConflict)
		if err != nil {
			return err
		}
		logf("ward %-22s %s", w.ward.ID, created(status == http.StatusCreated))
		if _, err := a.call(ctx, h.admin, http.MethodPost, "/api/wards/"+w.ward.ID+"/beds",
			shared.AddBedsRequest{Labels: w.beds}, nil, http.StatusCreated, http.StatusOK, http.StatusConflict); err != nil {
			return err
		}
	}
	var doc *doctor
	for _, d := range h.doctors {
		if d.department == "general-medicine" {
			doc = d
			break
		}
	}
	if doc == nil {
		return nil
	}
	reasons := []string{"community-acquired pneumonia", "observation after a fall", "dehydration"}
	for i, p := range h.patients[:min(3, len(h.patients))] {
		req := shared.AdmitRequest{PatientID: p.id, WardID: "ward-a", DoctorID: doc.id, Source: "planned", Reason: reasons[i]}
		var adm shared.Admission
		// 403: reception has no care relationship with a patient not booked today (a demo run late in
		// the day); 409: already admitted by an earlier run.
		status, err := a.call(ctx, h.reception, http.MethodPost, "/api/admissions", req, &adm,
			http.StatusCreated, http.StatusConflict, http.StatusForbidden)
		if err != nil {
			return err
		}
		switch status {
		case http.StatusCreated:
			logf("admitted %-14s to %s bed %s", p.name, adm.WardID, adm.BedLabel)
		case http.StatusConflict:
			logf("%s is already admitted", p.name)
		default:
			logf("%s not admitted: not booked today, so reception may not (break the glass to do it by hand)", p.name)
		}
	}
	return nil
}
