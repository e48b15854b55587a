package app

import (
	"context"

	"hms/server/internal/chart"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/shared"
)

func init() {
	// The routes whose :id is the patient id: a caller refused by role is audited against that patient.
	auditedRoutes["POST /api/patients/:id/encounters"] = "encounter.create"
	auditedRoutes["GET /api/patients/:id/encounters"] = "encounter.read"
}

// chartReaders may read encounters, each as the clinical access rule allows (a patient only their
// own). Admins administer, they do not read charts.
var chartReaders = []shared.Role{shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}

// wireChart builds the clinical chart: encounters, diagnoses, notes, vitals.
func (a *App) wireChart(db *mongostore.DB, keys *seal.Keyring) error {
	store := mongostore.NewChart(db, keys)
	a.chart = chart.NewService(store, a.Access, a.audit, chartAppointments{mongostore.NewAppointments(db)}, a.patients, a.Clock)
	a.Rekeyers = append(a.Rekeyers, store)
	a.exporters = append(a.exporters, a.chart)
	return nil
}

// chartRoutes are the routes of the clinical chart: encounters, diagnoses, notes, vitals. Doctors
// write the chart; staff open encounters (reason only) and record vitals; the service asks the
// clinical access rule for every call.
func (a *App) chartRoutes() []Route {
	ch := a.chart
	return []Route{
		{"POST", "/api/patients/:id/encounters", Roles, doctorStaff, ch.CreateHandler},
		{"GET", "/api/patients/:id/encounters", Roles, chartReaders, ch.ListHandler},
		{"GET", "/api/encounters/:id", Roles, chartReaders, ch.GetHandler},
		{"PATCH", "/api/encounters/:id", Roles, doctorOnly, ch.UpdateHandler},
		{"GET", "/api/encounters/:id/history", Roles, chartReaders, ch.HistoryHandler},
		{"POST", "/api/encounters/:id/vitals", Roles, doctorStaff, ch.VitalsHandler},
	}
}

// chartAppointments tells the chart about an appointment and its queue ticket.
type chartAppointments struct{ store *mongostore.Appointments }

func (c chartAppointments) Appointment(ctx context.Context, id string) (chart.Appointment, error) {
	r, err := c.store.Appointment(ctx, id)
	if err != nil {
		return chart.Appointment{}, err
	}
	a := chart.Appointment{ID: r.ID, PatientID: r.PatientID, DoctorID: r.DoctorID, Cancelled: r.Status == shared.StatusCancelled}
	if t := r.Ticket; t.Number > 0 {
		a.Ticket = &shared.EncounterTicket{Number: t.Number, Department: t.Department, Day: t.Day}
	}
	return a, nil
}
