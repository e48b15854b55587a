package notify

import (
	"context"
	"errors"
	"fmt"

	"sync"
	"time"

	"hms/server/internal/alert"
	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/mail"
	"hms/server/internal/pharmacy"
	"hms/shared"
)

// Triggers turns what happens in the other domains into notifications: appointment confirmations,
// reminders before appointments, refill and follow-up alerts from prescriptions, admin broadcasts by
// email, and SMS pages to on-call staff for emergency alerts nobody acknowledged. Each notification is
// made under a key naming what it is about, so however many instances run the scans, and however often
// a reaction runs, it is made once. The confirmations and pages are reactions to the appointment and
// alert domains' events (package reaction), subscribed by the composition root.
type Triggers struct {
	n         *Service
	appts     Appointments
	rx        Prescriptions
	alerts    Alerts
	hospital  string
	loc       *time.Location
	reminders []time.Duration

	mu      sync.Mutex
	scanned time.Time // when this instance's last reminder scan started (windows)
}

// Appointments is what the triggers read of the appointment domain.
type Appointments interface {
	// Scheduled returns a page of the scheduled appointments starting in [from, to).
	Scheduled(ctx context.Context, from, to time.Time, skip, limit int) ([]appointment.Record, error)
	// Change returns an appointment before and after one of its changes, and who made it.
	Change(ctx context.Context, c appointment.Change) (before, after appointment.Record, by auth.Principal, err error)
}

// Prescriptions tells which refill and follow-up alerts are due.
type Prescriptions interface {
	DueAlerts(ctx context.Context, now time.Time, loc *time.Location) ([]pharmacy.Due, error)
}

// Alerts reads an emergency alert.
type Alerts interface {
	Alert(ctx context.Context, id string) (shared.Alert, error)
}

// NewTriggers makes the triggers (rx and alerts may be nil when nothing reads them: benchmarks).
// reminders are the lead times of the appointment reminders, longest first.
func NewTriggers(n *Service, appts Appointments, rx Prescriptions, alerts Alerts, reminders []time.Duration) *Triggers {
	return &Triggers{n: n, appts: appts, rx: rx, alerts: alerts, hospital: n.cfg.Hospital, loc: n.cfg.Location, reminders: reminders}
}

func (t *Triggers) appointmentData(r appointment.Record) mail.Appointment {
	return mail.Appointment{Hospital: t.hospital, PatientName: r.PatientName, Doctor: r.DoctorName, Department: r.Department,
		Start: r.Start, Zone: t.loc}
}

// request makes a notification request from a template: the email from name's email template, the SMS
// and the in-app text from its SMS text.
func (t *Triggers) request(key, kind, template string, data any, channels ...string) (Request, error) {
	subject, text, html, err := mail.Render(template, data)
	if err != nil {
		return Request{}, err
	}
	short, err := mail.RenderSMS(template, data)
	if err != nil {
		return Request{}, err
	}
	return Request{Key: key, Kind: kind, Subject: subject, Message: short, Channels: channels,
		EmailSubject: subject, EmailText: text, EmailHTML: html, SMSText: short}, nil
}

// Confirm confirms a booking, a move or a cancellation (action) to the patient by email and SMS: a
// reaction to appointment.Booked, Rescheduled and Cancelled. A move or cancellation made by the
// hospital (not by the patient) is sent even to a patient who turned those channels off: they must
// know. Made under a key, it is made once however often it runs.
func (t *Triggers) Confirm(ctx context.Context, action string, c appointment.Change) error {
	before, after, p, err := t.appts.Change(ctx, c)
	if err != nil {
		return err
	}
	if after.WalkIn || after.PatientID == "" {
		return nil
	}
	data := t.appointmentData(after)
	var key, kind, template string
	switch action {
	case "booked":
		key, kind, template = "appointment:"+after.ID+":booked", shared.KindAppointmentBooked, "appointment_confirmation"
	case "rescheduled":
		data.Previous = before.Start
		key, kind, template = fmt.Sprintf("appointment:%s:rescheduled:%d", after.ID, after.Step), shared.KindAppointmentMoved, "appointment_rescheduled"
	case "cancelled":
		key, kind, template = "appointment:"+after.ID+":cancelled", shared.KindAppointmentCancelled, "appointment_cancelled"
	default:
		return nil
	}
	req, err := t.request(key, kind, template, data, shared.ChannelEmail, shared.ChannelSMS)
	if err != nil {
		return fmt.Errorf("render %s: %w", template, err)
	}
	req.PatientID, req.SenderID = after.PatientID, p.UserID
	req.Mandatory = action != "booked" && p.Role != shared.RolePatient
	if action != "booked" {
		// A reminder for the old time still waiting (quiet hours) must not go out.
		if _, err := t.n.Withdraw(ctx, t.reminderKeys(before), "the appointment was "+action); err != nil {
			return fmt.Errorf("withdraw reminders: %w", err)
		}
	}
	if _, err := t.n.Notify(ctx, req); err != nil {
		return fmt.Errorf("make %s: %w", key, err)
	}
	return nil
}

// RemindDue makes the reminders due now for scheduled appointments: for an appointment starting in t,
// the reminder of the shortest configured lead time that is at least t (so a server that was down for
// the 24-hour reminder sends it late rather than never, and never after the 2-hour one). An appointment
// booked after a lead time had begun gets no reminder for it: its confirmation just told the patient.
// Each scan looks at the appointments whose reminder came due since this instance's last scan
// (windows). It returns how many reminders it made now.
func (t *Triggers) RemindDue(ctx context.Context) (int, error) {
	if len(t.reminders) == 0 {
		return 0, nil
	}
	now := t.n.Now()
	made := 0
	for _, w := range t.windows(now) {
		n, err := t.remindIn(ctx, now, w[0], w[1])
		made += n
		if err != nil {
			return made, err
		}
	}
	t.mu.Lock()
	t.scanned = now
	t.mu.Unlock()
	return made, nil
}

// reminderSlack overlaps one scan's windows with the last one's, so that nothing falls between.
const reminderSlack = 5 * time.Minute

// windows are the ranges of appointment starts a scan at now looks at. The first scan of an instance
// (or one after a pause longer than the longest lead time, or a clock set back) looks at every
// appointment within the longest lead time. Later scans look only at the appointments whose reminder
// time (start - lead) came since the last scan: for each lead, starts in (last - slack + lead, now + lead].
// On FerretDB each query reads the whole collection, so a scan a minute over 10,000 appointments must
// not render, check and insert 10,000 reminders each time.
func (t *Triggers) windows(now time.Time) [][2]time.Time {
	t.mu.Lock()
	last := t.scanned
	t.mu.Unlock()
	longest := t.reminders[0]
	if last.IsZero() || last.After(now) || now.Sub(last) >= longest {
		return [][2]time.Time{{now, now.Add(longest)}}
	}
	var out [][2]time.Time
	for _, lead := range t.reminders {
		from := last.Add(lead - reminderSlack)
		if from.Before(now) {
			from = now
		}
		out = append(out, [2]time.Time{from, now.Add(lead)})
	}
	return out
}

// remindIn makes the reminders due at now for the scheduled appointments starting in [from, to).
func (t *Triggers) remindIn(ctx context.Context, now, from, to time.Time) (int, error) {
	made := 0
	// Large pages: on FerretDB each query reads whole collections, so fewer pages is faster.
	const page = 2000
	for skip := 0; ; skip += page {
		recs, err := t.appts.Scheduled(ctx, from, to, skip, page)
		if err != nil {
			return made, err
		}
		keys := map[string]appointment.Record{}
		var list []string
		for _, r := range recs {
			lead := t.leadFor(r.Start.Sub(now))
			if lead == 0 || r.CreatedAt.After(r.Start.Add(-lead)) || r.WalkIn {
				continue
			}
			key := reminderKey(lead, r)
			keys[key] = r
			list = append(list, key)
		}
		done, err := t.n.Made(ctx, list)
		if err != nil {
			return made, err
		}
		var reqs []Request
		for _, key := range list {
			if done[key] {
				continue
			}
			r := keys[key]
			req, err := t.request(key, shared.KindAppointmentReminder, "appointment_reminder",
				t.appointmentData(r), shared.ChannelEmail, shared.ChannelSMS)
			if err != nil {
				return made, err
			}
			req.PatientID = r.PatientID
			reqs = append(reqs, req)
		}
		out, err := t.n.Notify(ctx, reqs...)
		if err != nil {
			return made, err
		}
		for _, m := range out {
			if m.New {
				made++
			}
		}
		if len(recs) < page {
			return made, nil
		}
	}
}

// reminderKey names an appointment's reminder for a lead time. The start is in it: an appointment
// moved after its reminder went gets one for the new time.
func reminderKey(lead time.Duration, r appointment.Record) string {
	return fmt.Sprintf("reminder:%s:%s:%d", lead, r.ID, r.Start.Unix())
}

// reminderKeys are the keys of every reminder r could have.
func (t *Triggers) reminderKeys(r appointment.Record) []string {
	keys := make([]string, len(t.reminders))
	for i, lead := range t.reminders {
		keys[i] = reminderKey(lead, r)
	}
	return keys
}

// leadFor is the shortest reminder lead time that is at least until, or 0 when until is beyond all.
func (t *Triggers) leadFor(until time.Duration) time.Duration {
	var lead time.Duration
	for _, l := range t.reminders { // longest first
		if until <= l {
			lead = l
		}
	}
	return lead
}

// PrescriptionsDue makes the refill and follow-up alerts the pharmacy says are due.
func (t *Triggers) PrescriptionsDue(ctx context.Context) (int, error) {
	if t.rx == nil {
		return 0, nil
	}
	due, err := t.rx.DueAlerts(ctx, t.n.Now(), t.loc)
	if err != nil {
		return 0, err
	}
	keys := make([]string, len(due))
	for i, d := range due {
		keys[i] = d.Key
	}
	done, err := t.n.Made(ctx, keys)
	if err != nil {
		return 0, err
	}
	reqs := make([]Request, 0, len(due))
	for _, d := range due {
		if done[d.Key] {
			continue
		}
		template := "refill_due"
		if d.Kind == shared.KindFollowUp {
			template = "follow_up"
		}
		req, err := t.request(d.Key, d.Kind, template, mail.Medication{Hospital: t.hospital, Medication: d.MedicationName,
			Dose: d.Dose, Frequency: d.Frequency, DueDate: d.DueDate, RefillsLeft: d.RefillsLeft}, shared.ChannelEmail, shared.ChannelSMS)
		if err != nil {
			return 0, err
		}
		req.PatientID = d.PatientID
		reqs = append(reqs, req)
	}
	made, err := t.n.Notify(ctx, reqs...)
	n := 0
	for _, m := range made {
		if m.New {
			n++
		}
	}
	return n, err
}

// RunScans makes due reminders every interval, and refill and follow-up alerts every tenth time, until
// ctx ends.
func (t *Triggers) RunScans(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		if n, err := t.RemindDue(ctx); err != nil && ctx.Err() == nil {
			t.n.Log().WarnContext(ctx, "make appointment reminders", "err", err)
		} else if n > 0 {
			t.n.Log().InfoContext(ctx, "made appointment reminders", "count", n)
		}
		if i%10 == 0 {
			if n, err := t.PrescriptionsDue(ctx); err != nil && ctx.Err() == nil {
				t.n.Log().WarnContext(ctx, "make prescription alerts", "err", err)
			} else if n > 0 {
				t.n.Log().InfoContext(ctx, "made prescription alerts", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Page sends an SMS (and an in-app notification) to every on-call doctor and staff member about an
// emergency alert nobody acknowledged: a reaction to alert.Escalated. It is urgent (quiet hours do not
// hold it) and mandatory, and made once per alert and person however often it runs.
func (t *Triggers) Page(ctx context.Context, e alert.Escalated) error {
	a, err := t.alerts.Alert(ctx, e.AlertID)
	if err != nil {
		return err
	}
	users, err := t.n.OnCall(ctx)
	if err != nil {
		return fmt.Errorf("find on-call staff: %w", err)
	}
	data := mail.Page{Hospital: t.hospital, Message: a.Message, Location: a.Location, Severity: a.Severity, Raised: a.At, Zone: t.loc}
	short, err := mail.RenderSMS("alert_page", data)
	if err != nil {
		return fmt.Errorf("render alert page: %w", err)
	}
	reqs := make([]Request, 0, len(users))
	for _, u := range users {
		reqs = append(reqs, Request{Key: "page:" + a.ID + ":" + u, RecipientID: u, Kind: shared.KindAlertPage,
			Subject: "Unacknowledged emergency", Message: short, SMSText: short, Channels: []string{shared.ChannelSMS},
			Mandatory: true, Urgent: true})
	}
	if _, err := t.n.Notify(ctx, reqs...); err != nil {
		return fmt.Errorf("page on-call staff: %w", err)
	}
	return nil
}

// Broadcast stores an admin's broadcast as a notification of every active account, emailed too when
// email is true (not pushed again live per user: the broadcast channel carries it). It returns how many
// accounts it reached (alert.Inbox). Over the admin's hourly email allowance, the notifications are still
// stored, without email, and the error says so.
func (t *Triggers) Broadcast(ctx context.Context, b shared.Broadcast, email bool) (int, error) {
	var limited error
	if email {
		// One broadcast is one send against the admin's hourly allowance, however many it reaches.
		if err := t.n.claimSend(ctx, b.SentBy); errors.Is(err, errSendLimit) {
			email, limited = false, t.n.sendLimitError("the broadcast was sent live, but not by email: ")
		} else if err != nil {
			return 0, err
		}
	}
	base := Request{Kind: shared.KindBroadcast, SenderID: b.SentBy, Message: b.Message, Quiet: true}
	if email {
		base.Channels = []string{shared.ChannelEmail}
	}
	if err := t.n.renderNotice(&base); err != nil {
		return 0, err
	}
	base.Subject = base.EmailSubject
	n := 0
	for after := ""; ; {
		users, err := t.n.ActiveUsers(ctx, after, 500)
		if err != nil {
			return n, err
		}
		reqs := make([]Request, 0, len(users))
		for _, u := range users {
			r := base
			r.Key, r.RecipientID = "broadcast:"+b.ID+":"+u, u
			reqs = append(reqs, r)
		}
		made, err := t.n.Notify(ctx, reqs...)
		if err != nil {
			return n, err
		}
		n += len(made)
		if len(users) < 500 {
			return n, limited
		}
		after = users[len(users)-1]
	}
}
