package app

import (
	"context"
	"errors"

	"hms/server/internal/auth"
	"hms/server/internal/doctor"
	"hms/server/internal/fault"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/server/internal/ward"
)

// wireWard builds wards, beds, admissions, transfers and discharges.
func (a *App) wireWard(db *mongostore.DB, keys *seal.Keyring) error {
	store := mongostore.NewWards(db, keys)
	bookings := mongostore.NewAppointments(db)
	a.wards = ward.NewService(store, ward.Deps{
		Clock:            a.Clock,
		DepartmentExists: a.Doctors.DepartmentExists,
		IsDoctor: func(ctx context.Context, id string) (bool, error) {
			_, err := a.Doctors.Profile(ctx, id)
			switch {
			case err == nil, errors.Is(err, doctor.ErrNoProfile):
				return true, nil
			case errors.Is(err, fault.ErrNotFound):
				return false, nil
			}
			return false, err
		},
		Visit: func(ctx context.Context, id string) (ward.Visit, error) {
			r, err := bookings.Appointment(ctx, id)
			return ward.Visit{PatientID: r.PatientID, Emergency: r.Emergency, Status: r.Status}, err
		},
		PatientName: a.patients.Name,
		Clinical: func(ctx context.Context, p auth.Principal, patientID string) error {
			return a.Access.Clinical(ctx, p, patientID)
		},
	}, a.Events, a.audit, a.Log)
	a.Access.AddRelation(a.wards.Relation)
	a.Rekeyers = append(a.Rekeyers, store)
	a.exporters = append(a.exporters, a.wards)
	return nil
}

// wardRoutes are the routes of wards, beds, admissions, transfers and discharges.
func (a *App) wardRoutes() []Route {
	w := a.wards
	return []Route{
		{"POST", "/api/wards", Roles, adminOnly, w.CreateWardHandler},
		{"GET", "/api/wards", Roles, staffSide, w.WardsHandler},
		{"POST", "/api/wards/:id/beds", Roles, adminOnly, w.AddBedsHandler},
		{"GET", "/api/wards/:id/beds", Roles, staffSide, w.BoardHandler},
		{"POST", "/api/admissions", Roles, doctorStaff, w.AdmitHandler},
		{"GET", "/api/admissions", Roles, staffSide, w.ListHandler},
		{"GET", "/api/admissions/:id", Roles, everyone, w.GetHandler},
		{"POST", "/api/admissions/:id/transfer", Roles, doctorStaff, w.TransferHandler},
		{"POST", "/api/admissions/:id/discharge", Roles, doctorStaff, w.DischargeHandler},
		{"GET", "/api/patients/:id/admissions", Roles, everyone, w.PatientAdmissionsHandler},
	}
}
