package app

import (
	"context"
	"time"

	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/gdpr"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/shared"
)

func init() {
	auditedRoutes["POST /api/patients/:id/access"] = "patient.break_glass"
	auditedRoutes["POST /api/patients/:id/referrals"] = "patient.refer"
	auditedRoutes["GET /api/patients/:id/referrals"] = "patient.referrals"
	auditedRoutes["POST /api/patients/:id/erasure"] = "patient.erase"
}

// wireAccess builds the care-relationship rule (appointments and referrals as relations),
// break-the-glass grants and referrals. The GDPR export and erasure are built with the routes (they
// need every domain's exporter, registered by the other wire functions).
func (a *App) wireAccess(db *mongostore.DB, keys *seal.Keyring) error {
	store := mongostore.NewAccessGrants(db, keys)
	a.Rekeyers = append(a.Rekeyers, store)
	a.Access.Use(patient.AccessDeps{
		Store: store, Audit: a.audit, Patients: a.patients, Users: a.Auth, Log: a.Log,
		Notify: func(ctx context.Context, from auth.Principal, to, message string) error {
			_, err := a.notify.Notify(ctx, notify.Request{RecipientID: to, SenderID: from.UserID,
				Kind: shared.KindBreakGlass, Subject: "Break-the-glass access", Message: message})
			return err
		},
	})
	loc := a.Config.HospitalTZ
	if loc == nil {
		loc = time.UTC
	}
	// Appointments: a doctor sees the patients they have (had) an appointment with; staff the patients
	// expected today (an appointment or a queue ticket, hospital time).
	a.Access.AddRelation(func(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
		switch p.Role {
		case shared.RoleDoctor:
			return store.DoctorSees(ctx, p.UserID, patientID)
		case shared.RoleStaff:
			now := a.Access.Now().In(loc)
			from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
			return store.ExpectedOn(ctx, patientID, from, from.AddDate(0, 0, 1), from.Format(time.DateOnly))
		}
		return false, nil
	})
	a.Access.AddRelation(a.Access.ReferralRelation)
	return nil
}

// gdprService builds the export and erasure service; called once, when the routes are registered.
func (a *App) gdprService() *gdpr.Service {
	bookings := mongostore.NewAppointments(a.DB)
	return gdpr.NewService(gdpr.Deps{
		Records: a.PatientRecords, Erasures: mongostore.NewGDPR(a.DB), Users: a.Auth,
		Notifications: a.notify, Access: a.Access, Audit: a.audit, Exporters: a.exporters, Clock: a.Clock,
		Appointments: func(ctx context.Context, patientID string) ([]shared.Appointment, error) {
			var out []shared.Appointment
			for skip := 0; ; skip += 200 {
				rs, total, err := bookings.List(ctx, appointment.Filter{PatientID: patientID}, skip, 200)
				if err != nil {
					return nil, err
				}
				for _, r := range rs {
					out = append(out, r.Public())
				}
				if len(rs) < 200 || len(out) >= total {
					return out, nil
				}
			}
		},
	})
}

// accessRoutes are the routes of break-the-glass grants, referrals, export and erasure.
func (a *App) accessRoutes() []Route {
	ac, g := a.Access, a.gdprService()
	return []Route{
		{"POST", "/api/patients/:id/access", Roles, staffSide, ac.BreakGlassHandler},
		{"GET", "/api/access/grants", Roles, adminOnly, ac.GrantsHandler},
		{"POST", "/api/patients/:id/referrals", Roles, doctorStaff, ac.ReferHandler},
		{"GET", "/api/patients/:id/referrals", Roles, clinical, ac.ReferralsHandler},
		{"GET", "/api/me/export", Roles, patientOnly, g.ExportHandler},
		{"POST", "/api/me/erasure", Roles, patientOnly, g.EraseMeHandler},
		{"POST", "/api/patients/:id/erasure", Roles, adminOnly, g.EraseHandler},
	}
}

// patientOnly routes act on the caller's own patient record.
var patientOnly = []shared.Role{shared.RolePatient}
