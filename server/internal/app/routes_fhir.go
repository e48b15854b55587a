package app

import (
	"time"

	"hms/server/internal/fhir"
	"hms/server/internal/version"
	"hms/shared"
)

// fhirRoutes are the FHIR R4 API's routes (docs/fhir.md), a view over the patient, doctor, appointment,
// chart, ward and directory services (read-only but for booking and cancelling Appointments). The CapabilityStatement is public (clients read it before signing in); every other route
// is signed in and left to the services, which apply the access rule and audit as for the REST API
// (the Patient search checks patient.search itself for the staff-side roles; a patient finds only
// their own record). register puts fhir.Outcomes first in each chain, so every error is an
// OperationOutcome.
func (a *App) fhirRoutes() []Route {
	h := fhir.New(a.patients, a.Doctors, fhir.Hospital{Name: a.Config.Notify.HospitalName, Address: a.Config.HospitalAddress,
		TaxID: a.Config.HospitalTaxID}, a.Config.PublicURL, version.Get().Version, time.Now())
	h.UseScheduling(fhir.Scheduling{Appointments: a.Appointments, Visits: a.chart, Sites: a.directory, Stays: a.wards, Location: a.Config.HospitalTZ})
	b := fhir.Base
	// The clinical and financial resources (issue 18, part 2): Observation and DiagnosticReport are open
	// to every signed-in user as the lab's REST reads (the handlers ask chart.read for vital signs);
	// MedicationRequest needs prescription.read and Coverage, Claim and ClaimResponse billing.read, as their REST
	// routes.
	cl := fhir.NewClinical(h, fhir.ClinicalDeps{Charts: a.chart, Labs: a.lab, Prescriptions: a.Pharmacy, Billing: a.billing})
	return []Route{
		route("GET", b+"/metadata", Public, "", h.Metadata),
		route("GET", b+"/Patient", SignedIn, "", h.SearchPatients),
		route("GET", b+"/Patient/:id", SignedIn, "", h.ReadPatient).Audited("patient.read"),
		route("GET", b+"/Practitioner", SignedIn, "", h.SearchPractitioners),
		route("GET", b+"/Practitioner/:id", SignedIn, "", h.ReadPractitioner),
		route("GET", b+"/Organization/:id", SignedIn, "", h.ReadOrganization),
		route("GET", b+"/Slot", SignedIn, "", h.SearchSlots),
		route("GET", b+"/Observation", SignedIn, "", cl.SearchObservations),
		route("GET", b+"/Observation/:id", SignedIn, "", cl.ReadObservation),
		route("GET", b+"/DiagnosticReport", SignedIn, "", cl.SearchDiagnosticReports),
		route("GET", b+"/DiagnosticReport/:id", SignedIn, "", cl.ReadDiagnosticReport),
		route("GET", b+"/MedicationRequest", Granted, shared.PermRxRead, cl.SearchMedicationRequests),
		route("GET", b+"/MedicationRequest/:id", Granted, shared.PermRxRead, cl.ReadMedicationRequest),
		route("GET", b+"/Coverage", Granted, shared.PermBillingRead, cl.SearchCoverages),
		route("GET", b+"/Coverage/:id", Granted, shared.PermBillingRead, cl.ReadCoverage),
		route("GET", b+"/Claim", Granted, shared.PermBillingRead, cl.SearchClaims),
		route("GET", b+"/Claim/:id", Granted, shared.PermBillingRead, cl.ReadClaim),
		route("GET", b+"/ClaimResponse", Granted, shared.PermBillingRead, cl.SearchClaimResponses),
		route("GET", b+"/ClaimResponse/:id", Granted, shared.PermBillingRead, cl.ReadClaimResponse),
		route("GET", b+"/Schedule", SignedIn, "", h.SearchSchedules),
		route("GET", b+"/Schedule/:id", SignedIn, "", h.ReadSchedule),
		route("GET", b+"/Location", SignedIn, "", h.SearchLocations),
		route("GET", b+"/Location/:id", SignedIn, "", h.ReadLocation),
		// Appointments: the REST API's rule and paths (POST /api/appointments books, its cancel cancels).
		route("GET", b+"/Appointment", SignedIn, "", h.SearchAppointments),
		route("GET", b+"/Appointment/:id", SignedIn, "", h.ReadAppointment),
		route("POST", b+"/Appointment", SignedIn, "", h.CreateAppointment),
		route("PATCH", b+"/Appointment/:id", SignedIn, "", h.PatchAppointment),
		route("PUT", b+"/Appointment/:id", SignedIn, "", h.UpdateAppointment),
		// Encounters: the chart's, under the clinical access rule (audited as encounter.read).
		route("GET", b+"/Encounter", SignedIn, "", h.SearchEncounters),
		route("GET", b+"/Encounter/:id", SignedIn, "", h.ReadEncounter),
	}
}
