package mail

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Appointment is the data of the templates "appointment_confirmation", "appointment_reminder",
// "appointment_rescheduled" and "appointment_cancelled".
type Appointment struct {
	// Hospital is the hospital's name, shown at the foot of the message.
	Hospital    string
	PatientName string
	Doctor      string
	Department  string
	Start       time.Time
	// Previous is when the appointment was before it was moved ("appointment_rescheduled"); zero when
	// it is not a reschedule.
	Previous time.Time
	// Zone is the hospital's time zone (HOSPITAL_TZ): times are shown in it, whatever the server's
	// zone. Nil means UTC.
	Zone *time.Location
	// Bring lists what the patient should bring (referral letter, medication list, insurance card).
	Bring []string
	// Reason says why the appointment was cancelled ("appointment_cancelled"); empty means none given.
	Reason string
	// CancelURL and CancelPhone say how to cancel or change the appointment (for a cancelled one: how
	// to book another); either may be empty. SMS texts show them whole, never shortened.
	CancelURL   string
	CancelPhone string
}

// inZone returns t in zone, or in UTC when zone is nil: never in the server's own zone.
func inZone(t time.Time, zone *time.Location) time.Time {
	if zone == nil {
		return t.UTC()
	}
	return t.In(zone)
}

// When returns the appointment's date and time in the hospital's zone, with the zone's name:
// "Tuesday 3 March 2026, 14:30 (Europe/London)".
func (a Appointment) When() string { return longWhen(inZone(a.Start, a.Zone)) }

// PreviousWhen is When for Previous, the time before the appointment was moved; "" when Previous
// is zero.
func (a Appointment) PreviousWhen() string {
	if a.Previous.IsZero() {
		return ""
	}
	return longWhen(inZone(a.Previous, a.Zone))
}

// Day returns the appointment's day in the hospital's zone, short: "Tue 3 Mar".
func (a Appointment) Day() string { return inZone(a.Start, a.Zone).Format("Mon 2 Jan") }

// ShortWhen returns the appointment's day and time in the hospital's zone, short, for SMS:
// "Tue 3 Mar, 14:30".
func (a Appointment) ShortWhen() string { return shortWhen(inZone(a.Start, a.Zone)) }

// PreviousShortWhen is ShortWhen for Previous; "" when Previous is zero.
func (a Appointment) PreviousShortWhen() string {
	if a.Previous.IsZero() {
		return ""
	}
	return shortWhen(inZone(a.Previous, a.Zone))
}

func longWhen(t time.Time) string {
	return t.Format("Monday 2 January 2006, 15:04") + " (" + t.Location().String() + ")"
}

func shortWhen(t time.Time) string { return t.Format("Mon 2 Jan, 15:04") }

// Medication is the data of the templates "refill_due" and "follow_up": one prescription of one
// patient.
type Medication struct {
	// Hospital is the hospital's name, shown at the foot of the message.
	Hospital    string
	PatientName string
	// Medication is the medicine's name ("Amlodipine"): only the email's body shows it, never the SMS
	// or the subject, which are read on lock screens.
	Medication string
	// Dose ("5 mg") and Frequency (free text, or a code such as BID or Q6H) may be empty.
	Dose      string
	Frequency string
	// DueDate is a day of the hospital's calendar, YYYY-MM-DD: from when the next refill can be had
	// ("refill_due"), or the last day of the course ("follow_up").
	DueDate string
	// RefillsLeft is how many refills the prescription still allows.
	RefillsLeft int
}

func (m Medication) due() (time.Time, error) {
	if m.DueDate == "" {
		return time.Time{}, errors.New("no due date")
	}
	d, err := time.Parse(time.DateOnly, m.DueDate)
	if err != nil {
		return time.Time{}, fmt.Errorf("due date %q: want YYYY-MM-DD", m.DueDate)
	}
	return d, nil
}

// Due returns DueDate in words: "Tuesday 14 July 2026". A missing or malformed DueDate is an error
// (and so fails the rendering).
func (m Medication) Due() (string, error) {
	d, err := m.due()
	if err != nil {
		return "", err
	}
	return d.Format("Monday 2 January 2006"), nil
}

// DueDay returns DueDate short, for subjects and SMS: "Tue 14 Jul". A missing or malformed DueDate
// is an error.
func (m Medication) DueDay() (string, error) {
	d, err := m.due()
	if err != nil {
		return "", err
	}
	return d.Format("Mon 2 Jan"), nil
}

// Refills returns RefillsLeft in words: "no refills left", "1 refill left", "3 refills left".
func (m Medication) Refills() string {
	switch m.RefillsLeft {
	case 0:
		return "no refills left"
	case 1:
		return "1 refill left"
	default:
		return strconv.Itoa(m.RefillsLeft) + " refills left"
	}
}

// frequencies spells out the prescription codes the pharmacy stores upper-case (QnH aside).
var frequencies = map[string]string{
	"QD": "once a day", "BID": "twice a day", "TID": "three times a day", "QID": "four times a day",
	"QHS": "at bedtime", "PRN": "when needed", "STAT": "once, straight away",
}

var everyHours = regexp.MustCompile(`^Q(\d{1,2})H$`)

// HowOften returns Frequency for a patient to read: a prescription code spelled out ("BID" → "twice
// a day", "Q6H" → "every 6 hours"), other text as it is.
func (m Medication) HowOften() string {
	f := strings.TrimSpace(m.Frequency)
	if words, ok := frequencies[f]; ok {
		return words
	}
	if h := everyHours.FindStringSubmatch(f); h != nil {
		if h[1] == "1" {
			return "every hour"
		}
		return "every " + h[1] + " hours"
	}
	return f
}

// Notice is the data of the "notice" template: a message a person wrote (a broadcast, a message from
// staff), sent as it is.
type Notice struct {
	// Hospital is the hospital's name, shown at the foot of the message.
	Hospital string
	// Name is the recipient's name; empty greets no one by name.
	Name string
	// Subject may be empty: see Title.
	Subject string
	// Body is plain text; its line breaks are kept, in HTML too.
	Body string
}

// Title returns the subject, or "Message from <Hospital>" when there is none.
func (n Notice) Title() string {
	if strings.TrimSpace(n.Subject) != "" {
		return n.Subject
	}
	return "Message from " + n.Hospital
}

// Page is the data of the "alert_page" SMS: an emergency alert that no one has acknowledged, paged to
// the staff on call.
type Page struct {
	Hospital string
	Message  string
	// Location ("Ward 3") and Severity ("critical") may be empty.
	Location string
	Severity string
	Raised   time.Time
	// Zone is the hospital's time zone; nil means UTC.
	Zone *time.Location
}

// RaisedAt returns when the alert was raised, in the hospital's zone: "14:02". A zero Raised is an
// error.
func (p Page) RaisedAt() (string, error) {
	if p.Raised.IsZero() {
		return "", errors.New("no time the alert was raised")
	}
	return inZone(p.Raised, p.Zone).Format("15:04"), nil
}

// AccountLink is the data of the templates "account_confirm" (a registration's confirmation link) and
// "password_link" (a link to set a new password).
type AccountLink struct {
	// Hospital is the hospital's name, shown at the foot of the message.
	Hospital string
	// Name greets the recipient; empty greets no one by name.
	Name string
	// URL is the single-use link.
	URL string
	// Expires is when the link stops working; Zone the hospital's time zone (nil: UTC).
	Expires time.Time
	Zone    *time.Location
	// ByAdmin says an administrator sent a set-password link ("password_link"): for an account they
	// made, rather than a forgotten password.
	ByAdmin bool
}

// Until returns when the link stops working, in the hospital's zone: "Tuesday 3 March 2026, 14:30
// (Europe/London)".
func (a AccountLink) Until() string { return longWhen(inZone(a.Expires, a.Zone)) }
