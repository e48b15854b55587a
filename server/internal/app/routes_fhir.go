package app

import (
	"time"

	"hms/server/internal/fhir"
	"hms/server/internal/version"
)

// fhirRoutes are the FHIR R4 API's routes (docs/fhir.md), a read-only view over the patient and doctor
// services. The CapabilityStatement is public (clients read it before signing in); every other route
// is signed in and left to the services, which apply the access rule and audit as for the REST API
// (the Patient search checks patient.search itself for the staff-side roles; a patient finds only
// their own record). register puts fhir.Outcomes first in each chain, so every error is an
// OperationOutcome.
func (a *App) fhirRoutes() []Route {
	h := fhir.New(a.patients, a.Doctors, fhir.Hospital{Name: a.Config.Notify.HospitalName, Address: a.Config.HospitalAddress,
		TaxID: a.Config.HospitalTaxID}, a.Config.PublicURL, version.Get().Version, time.Now())
	b := fhir.Base
	return []Route{
		route("GET", b+"/metadata", Public, "", h.Metadata),
		route("GET", b+"/Patient", SignedIn, "", h.SearchPatients),
		route("GET", b+"/Patient/:id", SignedIn, "", h.ReadPatient).Audited("patient.read"),
		route("GET", b+"/Practitioner", SignedIn, "", h.SearchPractitioners),
		route("GET", b+"/Practitioner/:id", SignedIn, "", h.ReadPractitioner),
		route("GET", b+"/Organization/:id", SignedIn, "", h.ReadOrganization),
		route("GET", b+"/Slot", SignedIn, "", h.SearchSlots),
	}
}
