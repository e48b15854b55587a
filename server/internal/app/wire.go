package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"hms/server/internal/alert"
	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/billing"
	"hms/server/internal/chart"
	"hms/server/internal/doctor"
	"hms/server/internal/gdpr"
	"hms/server/internal/hub"
	"hms/server/internal/lab"
	"hms/server/internal/mail"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/patient"
	"hms/server/internal/pharmacy"
	"hms/server/internal/reaction"
	"hms/server/internal/seal"
	"hms/server/internal/sms"
	"hms/server/internal/ward"
	"hms/shared"
)

// wire builds every domain on its own store, in dependency order, and connects them: a domain gets
// the others it reads through its constructor; what it reacts to through the bus (subscribe).
// Where two domains need each other (doctors and appointments, alerts and the notifications that
// email broadcasts), the later one is bound through a function, never through a setter.
func (a *App) wire(db *mongostore.DB, keys *seal.Keyring) error {
	cfg := a.Config
	loc := cfg.HospitalTZ
	if loc == nil {
		loc = time.UTC
	}
	host, _ := os.Hostname()
	instance := fmt.Sprintf("%s/%d", host, os.Getpid())
	// Leases are real elapsed time, not the hospital clock tests move.
	a.Bus = reaction.New(mongostore.NewReactions(db), a.Log, reaction.Config{Instance: instance, Lease: cfg.ReactionLease})

	// Patients, accounts and the access rule.
	a.Access = patient.NewAccess(a.Clock)
	a.PatientRecords = mongostore.NewPatients(db, keys)
	a.patients = patient.NewService(a.PatientRecords, a.audit, a.Clock, a.Access)
	tokens := auth.NewTokens(cfg.JWTSecret, cfg.JWTIssuer, cfg.JWTAudience, cfg.AccessTokenTTL, cfg.RefreshTokenTTL, nil)
	a.Auth = auth.NewService(mongostore.NewUsers(db), a.patients, auth.Config{
		Tokens: tokens, LoginMaxFailures: cfg.LoginMaxFailures, LoginMaxPerIP: cfg.LoginMaxPerIP, LoginWindow: cfg.LoginWindow,
		Revocations:      hub.NewRevocations(a.Broker, a.Log), // live websockets end with their session, on every instance
		RegisterMaxPerIP: cfg.RegisterMaxPerIP, RefreshMaxPerIP: cfg.RefreshMaxPerIP, Counter: a.authCounter(), Owners: authOwners{a},
		SessionIdleTimeout: cfg.SessionIdleTimeout, SessionMaxLifetime: cfg.SessionMaxLifetime,
		Mailer: authMailer{a}, Audit: a.audit, PublicURL: cfg.PublicURL,
		ConfirmTTL: cfg.RegisterConfirmTTL, ResetTTL: cfg.PasswordResetTTL, LinkTTL: cfg.PasswordLinkTTL,
	})
	a.authHandlers = auth.NewHandlers(a.Auth)

	// Notifications and their transports.
	notifications := mongostore.NewNotifications(db, keys)
	a.outbox = notifications
	a.notify = notify.NewService(notifications, a.Events, a.Log, notify.Config{
		Location: loc, MaxAttempts: cfg.Notify.MaxAttempts, RetryBase: cfg.Notify.RetryBase, RetryMax: cfg.Notify.RetryMax,
		Instance: instance, Hospital: cfg.Notify.HospitalName, Clock: a.Clock, SendPerHour: cfg.Notify.SendPerHour,
	})
	if cfg.EmailHost != "" {
		sender, err := mail.New(mail.FromConfig(cfg))
		if err != nil {
			return err
		}
		a.notify.SetTransport(shared.ChannelEmail, notify.EmailTransport(sender))
	}
	texts, err := sms.New(sms.FromConfig(cfg), a.Log)
	if err != nil {
		return err
	}
	if texts != nil {
		a.notify.SetTransport(shared.ChannelSMS, notify.SMSTransport(texts))
	}

	// Alerts, doctors, appointments and queues.
	a.Alerts = alert.NewService(mongostore.NewAlerts(db), a.Events, a.Log, a.Clock, a.Bus,
		func(ctx context.Context, b shared.Broadcast, email bool) (int, error) {
			return a.Triggers.Broadcast(ctx, b, email)
		},
		a.audit)
	a.Doctors = doctor.NewService(mongostore.NewDoctors(db), a.Auth, bookings{a}, loc, a.Clock)
	appointmentStore := mongostore.NewAppointments(db, keys)
	a.Appointments = appointment.NewService(appointmentStore, a.Doctors, a.patients, a.Alerts, a.Events,
		a.Broker, a.audit, a.Log, a.Bus,
		appointment.Config{Location: loc, Clock: a.Clock, Access: a.Access, Policy: appointment.Policy{Aging: cfg.QueueAging, ConsultDefault: cfg.ConsultDefault}})

	// The clinical record: chart, pharmacy, lab, wards.
	grants := mongostore.NewAccessGrants(db, keys)
	chartStore := mongostore.NewChart(db, keys)
	a.chart = chart.NewService(chartStore, a.Access, a.audit, chartAppointments{a.Appointments}, a.patients, a.Clock)
	pharmacyStore := mongostore.NewPharmacy(db, keys)
	a.Pharmacy = pharmacy.NewService(pharmacyStore, a.patients, a.Access, a.audit, a.Events, a.Log, a.Clock)
	a.Pharmacy.UsePatients(a.patients)
	labStore := mongostore.NewLab(db, keys)
	a.lab = lab.NewService(labStore, a.patients, a.Access, a.audit, a.Events, a.Log, a.Clock)
	wardStore := mongostore.NewWards(db, keys)
	a.wards = ward.NewService(wardStore, ward.Deps{
		DepartmentExists: a.Doctors.DepartmentExists,
		IsDoctor:         a.Doctors.IsDoctor,
		Visit: func(ctx context.Context, id string) (ward.Visit, error) {
			r, err := a.Appointments.Record(ctx, id)
			return ward.Visit{PatientID: r.PatientID, Emergency: r.Emergency, Status: r.Status}, err
		},
		PatientName: a.patients.Name,
		Clinical:    a.Access.Clinical,
		Clock:       a.Clock,
	}, a.Events, a.audit, a.Log)

	// The access rule: each domain that makes a care relationship contributes its part.
	a.Access.Use(patient.AccessDeps{
		Store: grants, Audit: a.audit, Patients: a.patients, Users: a.Auth, Log: a.Log, ReferralTTL: cfg.ReferralTTL, Location: loc,
		Notify: func(ctx context.Context, from auth.Principal, to, message string) error {
			_, err := a.notify.Notify(ctx, notify.Request{RecipientID: to, SenderID: from.UserID,
				Kind: shared.KindBreakGlass, Subject: "Break-the-glass access", Message: message})
			return err
		},
	})
	for _, r := range []patient.Relation{a.Appointments.Relation, a.Access.ReferralRelation, a.wards.Relation} {
		a.Access.AddRelation(r)
	}

	billingStore := mongostore.NewBilling(db, keys)
	a.Billing = billing.NewService(billingStore, billing.Options{Currency: cfg.HospitalCurrency, Location: loc, Now: a.Clock.Now, Log: a.Log})
	a.billing = billing.NewHandlers(a.Billing, a.audit, func(ctx context.Context, id string) error {
		_, err := a.patients.Name(ctx, id)
		return err
	})

	a.Triggers = notify.NewTriggers(a.notify, a.Appointments, a.Pharmacy, a.Alerts, cfg.Notify.Reminders)
	a.gdpr = gdpr.NewService(gdpr.Deps{
		Records: a.PatientRecords, Bus: a.Bus, Users: a.Auth, Appointments: a.Appointments.ForPatient,
		Notifications: a.notify, Access: a.Access, Audit: a.audit, Clock: a.Clock,
		Exporters: []patient.Exporter{a.chart, a.Pharmacy, a.lab, a.wards},
	})
	a.Rekeyers = []Rekeyer{a.PatientRecords, grants, chartStore, pharmacyStore, labStore, wardStore, notifications, appointmentStore}
	a.Keys = keys
	if err := a.subscribe(); err != nil {
		return err
	}
	a.migrate()
	return nil
}

// subscribe connects the reactions between domains (package reaction): each announcing domain tells
// the bus how to verify its events, and each reacting domain's method is subscribed to what it reacts
// to. Every reaction here must not be lost, and each is idempotent by its event.
func (a *App) subscribe() error {
	b, t := a.Bus, a.Triggers
	a.Appointments.Verify(b)
	a.Alerts.Verify(b)
	a.gdpr.Verify(b)

	// Confirmations to the patient.
	reaction.Must(b, "notify.confirm-booked", func(ctx context.Context, e appointment.Booked) error {
		return t.Confirm(ctx, "booked", e.Change)
	})
	reaction.Must(b, "notify.confirm-rescheduled", func(ctx context.Context, e appointment.Rescheduled) error {
		return t.Confirm(ctx, "rescheduled", e.Change)
	})
	reaction.Must(b, "notify.confirm-cancelled", func(ctx context.Context, e appointment.Cancelled) error {
		return t.Confirm(ctx, "cancelled", e.Change)
	})
	// Billing: a finished visit is charged once, priced by the seeing doctor's specialty.
	reaction.Must(b, "billing.charge-visit", func(ctx context.Context, e appointment.Finished) error {
		_, after, by, err := a.Appointments.Change(ctx, e.Change)
		if err != nil {
			return err
		}
		doctorID := after.DoctorID
		if doctorID == "" {
			doctorID = after.Ticket.CalledBy
		}
		v := billing.Visit{AppointmentID: after.ID, PatientID: after.PatientID, By: by.UserID}
		if doctorID != "" {
			d, err := a.Doctors.Get(ctx, doctorID)
			if err != nil {
				return err
			}
			v.Specialty, v.DoctorName = d.Specialty, d.Name
		}
		_, _, err = a.Billing.ChargeVisit(ctx, v)
		return err
	})
	// Pages to on-call staff.
	reaction.Must(b, "notify.page-on-call", t.Page)
	// An emergency's alert ends when its ticket is finished.
	reaction.Must(b, "alert.resolve-finished", func(ctx context.Context, e appointment.Finished) error {
		return a.Alerts.ResolveFinished(ctx, e.AppointmentID)
	})
	// Erasure: each domain erases its own part.
	reaction.Must(b, "auth.erase-account", func(ctx context.Context, e gdpr.PatientErased) error {
		if e.UserID == "" {
			return nil
		}
		return a.Auth.EraseAccount(ctx, e.UserID, e.Pseudonym)
	})
	reaction.Must(b, "appointment.erase-name", func(ctx context.Context, e gdpr.PatientErased) error {
		return a.Appointments.ErasePatientName(ctx, e.PatientID, e.Pseudonym)
	})
	reaction.Must(b, "notify.erase", func(ctx context.Context, e gdpr.PatientErased) error {
		return a.notify.ErasePatient(ctx, e.UserID, e.PatientID)
	})
	reaction.Must(b, "event.erase", func(ctx context.Context, e gdpr.PatientErased) error {
		_, err := a.Events.ErasePatient(ctx, e.PatientID, e.UserID)
		return err
	})
	return b.Check()
}

// migrate runs the patient records' one-time migration; a failure is logged, and the next start tries
// again.
func (a *App) migrate() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := a.patients.Migrate(ctx, a.Log); err != nil {
		a.Log.Warn("patient record migration (tried again at the next start)", "err", err)
	}
}

// chartAppointments tells the chart about an appointment and its queue ticket, in the chart's terms.
type chartAppointments struct{ s *appointment.Service }

func (c chartAppointments) Appointment(ctx context.Context, id string) (chart.Appointment, error) {
	r, err := c.s.Record(ctx, id)
	if err != nil {
		return chart.Appointment{}, err
	}
	out := chart.Appointment{ID: r.ID, PatientID: r.PatientID, DoctorID: r.DoctorID, Cancelled: r.Status == shared.StatusCancelled}
	if t := r.Ticket; t.Number > 0 {
		out.Ticket = &shared.EncounterTicket{Number: t.Number, Department: t.Department, Day: t.Day}
	}
	return out, nil
}

// bookings is the appointment domain as the doctors' Bookings: the doctors are built first (the
// appointments book them), so the appointments are reached through the app once built.
type bookings struct{ a *App }

func (b bookings) Booked(ctx context.Context, ids []string, from, to time.Time) ([]doctor.Booking, error) {
	return b.a.Appointments.Booked(ctx, ids, from, to)
}

func (b bookings) Appointments(ctx context.Context, ids []string) ([]shared.Appointment, error) {
	return b.a.Appointments.Appointments(ctx, ids)
}
