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
	"hms/server/internal/billing/pdf"
	"hms/server/internal/billing/stripepay"
	"hms/server/internal/chart"
	"hms/server/internal/directory"
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
	"hms/server/internal/report"
	"hms/server/internal/seal"
	"hms/server/internal/sms"
	"hms/server/internal/ward"
	"hms/server/internal/webhook"
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
		Clients: mongostore.NewClients(db), ClientTokenTTL: cfg.ClientTokenTTL, ClientTokenMax: cfg.ClientTokenMax,
		ClientFHIRMax: cfg.ClientFHIRMax,
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
	a.chart = chart.NewService(chartStore, a.Access, a.audit, chartAppointments{a.Appointments}, a.patients, chartCodes{a}, a.Clock)
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

	// The directory of hospitals: the own sites' live figures are the emergency department's display
	// board (one read of its day) and the wards' occupancy (three reads), only for own sites found.
	a.directory = directory.NewService(mongostore.NewDirectory(db), directory.Deps{
		EmergencyQueue: func(ctx context.Context, dept string) (int, float64, error) {
			b, err := a.Appointments.Display(ctx, dept)
			return b.Waiting, b.AverageWaitMinutes, err
		},
		FreeBeds: func(ctx context.Context) (map[string]int, error) {
			wards, err := a.wards.Wards(ctx)
			if err != nil {
				return nil, err
			}
			free := map[string]int{}
			for _, w := range wards.Items {
				free[w.ID] = w.Free
			}
			return free, nil
		},
	}, a.Log, a.Clock.Now)

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
	hospital := pdf.Hospital{Name: cfg.Notify.HospitalName, Address: cfg.HospitalAddress, TaxID: cfg.HospitalTaxID,
		Currency: cfg.HospitalCurrency, Locale: cfg.HospitalLocale, Location: loc}
	var online billing.Provider
	if cfg.OnlinePayment() {
		online = stripepay.New(stripepay.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIBase: cfg.StripeAPIBase})
	}
	a.Billing = billing.NewService(billingStore, billing.Options{Currency: cfg.HospitalCurrency, Location: loc, Now: a.Clock.Now, Log: a.Log,
		RenderInvoice: func(ctx context.Context, inv billing.Invoice) ([]byte, error) {
			name, mrn, err := a.patients.Identity(ctx, inv.PatientID)
			if err != nil {
				return nil, err
			}
			return pdf.Invoice(hospital, inv, pdf.PatientInfo{Name: name, MRN: mrn}, nil)
		},
		RenderReceipt: func(ctx context.Context, r billing.Receipt) ([]byte, error) {
			name, mrn, err := a.patients.Identity(ctx, r.PatientID)
			if err != nil {
				return nil, err
			}
			return pdf.Receipt(hospital, pdf.ReceiptInfo{Number: r.ReceiptNumber, Date: r.At, Patient: pdf.PatientInfo{Name: name, MRN: mrn},
				InvoiceNumber: r.InvoiceNumber, Method: r.Method.Words(), Amount: r.Amount, Refunded: r.Refunded,
				BalanceAfter: r.BalanceAfter, Currency: r.Currency})
		},
		Events: a.Events, Online: online, PublicURL: cfg.PublicURL, Hospital: cfg.Notify.HospitalName,
		PatientName: a.patients.Name,
		UserOf: func(ctx context.Context, patientID string) (string, error) {
			r, err := a.PatientRecords.PatientByID(ctx, patientID)
			return r.UserID, err
		},
		UserName: func(ctx context.Context, userID string) (string, error) {
			u, err := a.Auth.User(ctx, userID)
			return u.Name, err
		},
	})
	a.billing = billing.NewHandlers(a.Billing, a.audit, func(ctx context.Context, id string) error {
		_, err := a.patients.Name(ctx, id)
		return err
	})

	a.Reports = report.NewService(mongostore.NewReports(db), report.Config{Location: loc, Now: a.Clock.Now, Log: a.Log,
		Currency: cfg.HospitalCurrency, Census: a.census,
		Changed: func(ctx context.Context, day string) {
			if _, err := a.Events.Publish(ctx, shared.ChannelReports, shared.EventReportChanged, shared.ReportChangedEvent{Day: day}); err != nil {
				a.Log.WarnContext(ctx, "publish report.changed", "err", err)
			}
		}})
	a.reports = report.NewHandlers(a.Reports, func(ctx context.Context, id string) string {
		if d, err := a.Doctors.Get(ctx, id); err == nil {
			return d.Name
		}
		return ""
	})

	a.Triggers = notify.NewTriggers(a.notify, a.Appointments, a.Pharmacy, a.Alerts, cfg.Notify.Reminders)
	a.gdpr = gdpr.NewService(gdpr.Deps{
		Records: a.PatientRecords, Bus: a.Bus, Users: a.Auth, Appointments: a.Appointments.ForPatient,
		Notifications: a.notify, Access: a.Access, Audit: a.audit, Clock: a.Clock,
		Exporters: []patient.Exporter{a.chart, a.Pharmacy, a.lab, a.wards, a.Billing},
	})
	a.webhooks = webhook.NewService(mongostore.NewWebhooks(db, keys), a.Log, webhook.Config{AllowHTTP: cfg.WebhookAllowHTTP,
		Timeout: cfg.WebhookTimeout, Retry: cfg.WebhookRetry, Instance: instance, Clock: a.Clock, Inbound: inbound{a}})
	a.Rekeyers = []Rekeyer{a.PatientRecords, grants, chartStore, pharmacyStore, labStore, wardStore, notifications, appointmentStore, billingStore}
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
	a.chart.Announce(b)
	a.lab.Announce(b)
	a.Pharmacy.Announce(b)
	a.wards.Announce(b)
	a.Billing.Announce(b)

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
		ch, _, err := a.Billing.ChargeVisit(ctx, v)
		if err != nil {
			return err
		}
		// The seeing doctor's revenue, once per charge (a re-run finds the same charge).
		return a.Reports.Record(ctx, a.Reports.RevenueFacts(ch.ID, doctorID, after.Department, ch.At, ch.Total)...)
	})
	// Billing: each test of a placed lab order is charged once; a cancelled order's unbilled charges are
	// voided; a dispensed fill is charged once, quantity × the medication's price.
	reaction.Must(b, "billing.charge-lab-order", func(ctx context.Context, e lab.OrderPlaced) error {
		o, closed, err := a.lab.OrderFacts(ctx, e.OrderID)
		if err != nil || closed.Kind == shared.LabCancelled {
			return err // cancelled before it was charged: nothing to charge
		}
		_, err = a.Billing.ChargeLabOrder(ctx, labOrder(o))
		return err
	})
	reaction.Must(b, "billing.void-lab-order", func(ctx context.Context, e lab.OrderCancelled) error {
		o, closed, err := a.lab.OrderFacts(ctx, e.OrderID)
		if err != nil {
			return err
		}
		cancelled := labOrder(o)
		cancelled.By = closed.By
		return a.Billing.VoidLabOrder(ctx, cancelled)
	})
	reaction.Must(b, "billing.charge-dispensed", func(ctx context.Context, e pharmacy.Dispensed) error {
		f, name, err := a.Pharmacy.FillFacts(ctx, e.FillID)
		if err != nil {
			return err
		}
		_, _, err = a.Billing.ChargeDispensed(ctx, billing.Dispensation{FillID: f.ID, PatientID: f.PatientID,
			MedicationID: f.MedicationID, Description: name, Quantity: f.Quantity, By: f.By})
		return err
	})
	// Billing: a procedure recorded in the chart is charged once, by its code; one entered in error has
	// its unbilled charge voided. The charge checks the mark again once posted: the void may have run
	// before the charge existed.
	reaction.Must(b, "billing.charge-procedure", func(ctx context.Context, e chart.ProcedureRecorded) error {
		p, err := a.chart.ProcedureFacts(ctx, e.ProcedureID)
		if err != nil || p.Error != nil {
			return err // entered in error before it was charged: nothing to charge
		}
		if _, _, err := a.Billing.ChargeProcedure(ctx, performed(p)); err != nil {
			return err
		}
		if p, err = a.chart.ProcedureFacts(ctx, e.ProcedureID); err != nil || p.Error == nil {
			return err
		}
		return a.Billing.VoidProcedure(ctx, performed(p))
	})
	reaction.Must(b, "billing.void-procedure", func(ctx context.Context, e chart.ProcedureEnteredInError) error {
		p, err := a.chart.ProcedureFacts(ctx, e.ProcedureID)
		if err != nil {
			return err
		}
		return a.Billing.VoidProcedure(ctx, performed(p))
	})
	// Billing: a discharge charges the stay's last nights (the nightly job, RunBedDays, charges the
	// others while the patient is in); each night once, under chg:bed:<admission>:<date>.
	reaction.Must(b, "billing.charge-stay", func(ctx context.Context, e ward.Discharged) error {
		st, err := a.stay(ctx, e.AdmissionID)
		if err != nil {
			return err
		}
		_, err = a.Billing.ChargeNights(ctx, st)
		return err
	})
	a.subscribeReports()
	a.subscribeWebhooks()
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
	reaction.Must(b, "billing.erase-documents", func(ctx context.Context, e gdpr.PatientErased) error {
		return a.Billing.ErasePatient(ctx, e.PatientID)
	})
	reaction.Must(b, "event.erase", func(ctx context.Context, e gdpr.PatientErased) error {
		_, err := a.Events.ErasePatient(ctx, e.PatientID, e.UserID)
		return err
	})
	return b.Check()
}

// stay is an admission in billing's terms: its wards from its steps (admission, transfers).
func (a *App) stay(ctx context.Context, admissionID string) (billing.Stay, error) {
	r, steps, err := a.wards.Stay(ctx, admissionID)
	if err != nil {
		return billing.Stay{}, err
	}
	st := billing.Stay{AdmissionID: r.ID, PatientID: r.PatientID, AdmittedAt: r.AdmittedAt, DischargedAt: r.DischargedAt}
	for _, s := range steps {
		if w := s.State.WardID; len(st.Wards) == 0 || st.Wards[len(st.Wards)-1].WardID != w {
			st.Wards = append(st.Wards, billing.WardSpan{WardID: w, From: s.At})
		}
	}
	if len(st.Wards) > 0 {
		st.Wards[0].From = r.AdmittedAt
	}
	return st, nil
}

// activeStays are the active admissions, for the nightly bed-day charges.
func (a *App) activeStays(ctx context.Context) ([]billing.Stay, error) {
	rs, err := a.wards.Active(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]billing.Stay, 0, len(rs))
	for _, r := range rs {
		st, err := a.stay(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// performed is a recorded procedure in billing's terms; one entered in error is voided by whoever
// marked it.
func performed(p chart.Procedure) billing.PerformedProcedure {
	out := billing.PerformedProcedure{ProcedureID: p.ID, PatientID: p.PatientID, Code: p.Code, Description: p.Name,
		Quantity: p.Quantity, By: p.By}
	if p.Error != nil {
		out.By = p.Error.By
	}
	return out
}

// chartCodes is the price list as the chart's procedure codes. Billing is built after the chart, so it
// is reached through the app once built.
type chartCodes struct{ a *App }

func (c chartCodes) ProcedureCode(ctx context.Context, code string) (string, string, error) {
	p, err := c.a.Billing.ProcedureCode(ctx, code)
	return p.Name, string(p.Kind), err
}

// labOrder is a lab order in billing's terms.
func labOrder(o lab.Order) billing.LabOrder {
	out := billing.LabOrder{OrderID: o.ID, PatientID: o.PatientID, By: o.OrderedBy}
	for _, t := range o.Tests {
		out.Tests = append(out.Tests, billing.LabTestRef{Code: t.Code, Name: t.Name})
	}
	return out
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
