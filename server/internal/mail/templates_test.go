package mail_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"hms/server/internal/mail"
)

// The data of the notification templates, realistic; each test changes what it is about.

func movedData(t testing.TB) mail.Appointment {
	t.Helper()
	a := reminderData(t)
	a.Previous = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) // 09:00 in London (BST)
	a.Reason = "Dr Shah is unwell."
	return a
}

func medicationData() mail.Medication {
	return mail.Medication{Hospital: "St Mary's Hospital", PatientName: "Ann O'Neil", Medication: "Amlodipine",
		Dose: "5 mg", Frequency: "QD", DueDate: "2026-07-14", RefillsLeft: 2}
}

func noticeData() mail.Notice {
	return mail.Notice{Hospital: "St Mary's Hospital", Name: "Ann O'Neil", Subject: "Flu clinic",
		Body: "The flu clinic opens on Monday.\r\nBring your vaccination card.\n\n  \nAsk at reception for a time."}
}

func TestRenderNotifications(t *testing.T) {
	notMoved := movedData(t)
	notMoved.Previous = time.Time{}
	noReason := movedData(t)
	noReason.Reason, noReason.CancelURL, noReason.CancelPhone = "", "", ""
	lastRefill := medicationData()
	lastRefill.RefillsLeft, lastRefill.Dose, lastRefill.Frequency = 1, "", "Q6H"
	course := medicationData()
	course.Medication, course.Dose, course.Frequency, course.DueDate = "Amoxicillin", "500 mg", "TID", "2026-07-10"
	anonymous := noticeData()
	anonymous.Name, anonymous.Subject = "", " "

	runRender(t, []renderCase{
		{"rescheduled", "appointment_rescheduled", movedData(t),
			"Your appointment with Dr Priya Shah has moved to Fri 3 Jul",
			[]string{"Dear Ann O'Neil,", "your appointment on Wednesday 1 July 2026, 09:00 (Europe/London) has been moved.",
				"When:       Friday 3 July 2026, 14:30 (Europe/London)", "  - Your referral letter", "Cannot come?",
				"St Mary's Hospital\nThis message was sent automatically"},
			[]string{"<title>Your appointment has moved</title>", "on <strong>Wednesday 1 July 2026, 09:00 (Europe/London)</strong>",
				"<strong>Friday 3 July 2026, 14:30 (Europe/London)</strong>", `<a href="https://hms.stmarys.example/appointments/a1">`},
			[]string{"Reason"}, []string{"Reason"}},
		{"rescheduled without the previous time", "appointment_rescheduled", notMoved,
			"Your appointment with Dr Priya Shah has moved to Fri 3 Jul",
			[]string{"your appointment has been moved. The new time:"}, []string{"your appointment has been moved."},
			[]string{"0001", "January"}, []string{"0001", "January"}},
		{"cancelled", "appointment_cancelled", movedData(t),
			"Your appointment with Dr Priya Shah on Fri 3 Jul is cancelled",
			[]string{"your appointment is cancelled.", "When:       Friday 3 July 2026, 14:30 (Europe/London)",
				"Reason:     Dr Shah is unwell.", "book another appointment online at https://hms.stmarys.example/appointments/a1 or by calling 020 7946 0000."},
			[]string{"<title>Your appointment is cancelled</title>", "Reason: Dr Shah is unwell.", "Cardiology"},
			[]string{"Please bring", "Cannot come?"}, []string{"Please bring", "Cannot come?", "Wednesday"}},
		{"cancelled without a reason or a way to book", "appointment_cancelled", noReason,
			"Your appointment with Dr Priya Shah on Fri 3 Jul is cancelled",
			[]string{"Department: Cardiology\n\nSt Mary's Hospital"}, []string{"is cancelled"},
			[]string{"Reason", "book another"}, []string{"Reason", "book another"}},
		{"refill due", "refill_due", medicationData(),
			"Your prescription can be refilled from Tue 14 Jul",
			[]string{"Dear Ann O'Neil,", "your prescription for Amlodipine can be refilled from Tuesday 14 July 2026; 2 refills left.",
				"Medication: Amlodipine\nDose:       5 mg\nHow often:  once a day\n"},
			[]string{"<title>Your prescription can be refilled</title>", "<strong>Tuesday 14 July 2026</strong>; 2 refills left.",
				"<td>5 mg</td>", "<td>once a day</td>"},
			nil, nil},
		{"the last refill, no dose, a code spelled out", "refill_due", lastRefill,
			"Your prescription can be refilled from Tue 14 Jul",
			[]string{"; 1 refill left.", "How often:  every 6 hours"}, []string{"1 refill left", "every 6 hours"},
			[]string{">Dose<"}, []string{"Dose:", "1 refills"}},
		{"follow-up", "follow_up", course,
			"Your course of medication has ended",
			[]string{"your course of Amoxicillin ended on Friday 10 July 2026. If you still have symptoms or need more, please book a follow-up appointment",
				"How often:  three times a day"},
			[]string{"<title>Your course of medication has ended</title>", "<strong>Friday 10 July 2026</strong>", "<td>500 mg</td>"},
			nil, []string{"refill"}},
		{"notice", "notice", noticeData(),
			"Flu clinic",
			[]string{"Dear Ann O'Neil,\n\nThe flu clinic opens on Monday.", "Bring your vaccination card.", "Ask at reception for a time.\n\nSt Mary's Hospital"},
			[]string{"<title>Flu clinic</title>", "Dear Ann O&#39;Neil,",
				"<p style=\"margin:0 0 12px;\">The flu clinic opens on Monday.<br>Bring your vaccination card.</p>\n<p style=\"margin:0 0 12px;\">Ask at reception for a time.</p>"},
			[]string{"\r"}, nil},
		{"notice to no one by name, without a subject", "notice", anonymous,
			"Message from St Mary's Hospital",
			[]string{"The flu clinic opens on Monday."}, []string{"<title>Message from St Mary&#39;s Hospital</title>"},
			[]string{"Dear"}, []string{"Dear"}},
	})
}

// renderCase is a template rendered with data, and what its subject, text and HTML must (not) say.
type renderCase struct {
	name        string
	template    string
	data        any
	wantSubject string
	wantText    []string
	wantHTML    []string
	notHTML     []string
	notText     []string
}

func runRender(t *testing.T, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, text, html, err := mail.Render(tt.template, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if subject != tt.wantSubject {
				t.Errorf("got subject %q, want %q", subject, tt.wantSubject)
			}
			wantContains(t, "text", text, tt.wantText, tt.notText)
			wantContains(t, "HTML", html, tt.wantHTML, tt.notHTML)
		})
	}
}

// wantContains checks that got contains every string of want and none of not.
func wantContains(t *testing.T, what, got string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("got %s %q, want it to contain %q", what, got, w)
		}
	}
	for _, n := range not {
		if strings.Contains(got, n) {
			t.Errorf("got %s %q, want no %q", what, got, n)
		}
	}
}

// TestRenderEscapesUserText: whatever a person typed (a name, a reason, a message) reaches the HTML
// body escaped, and the plain text and subject as typed.
func TestRenderEscapesUserText(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	const escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`
	appt := movedData(t)
	appt.PatientName, appt.Doctor, appt.Reason = evil, evil, evil
	med := medicationData()
	med.PatientName, med.Medication, med.Dose, med.Frequency = evil, evil, evil, evil
	notice := mail.Notice{Hospital: evil, Name: evil, Subject: evil, Body: evil + "\n<b>bold</b> & more"}

	// The medication templates' subjects hold no typed text (TestMedicationNotNamedOnLockScreens).
	tests := []struct {
		template  string
		data      any
		inSubject bool
	}{
		{"appointment_confirmation", appt, true}, {"appointment_reminder", appt, true}, {"appointment_rescheduled", appt, true},
		{"appointment_cancelled", appt, true}, {"refill_due", med, false}, {"follow_up", med, false}, {"notice", notice, true},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			subject, text, html, err := mail.Render(tt.template, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			wantContains(t, "HTML", html, []string{escaped}, []string{"<script", "<b>"})
			wantContains(t, "text", text, []string{evil}, nil)
			if tt.inSubject {
				wantContains(t, "subject", subject, []string{evil}, nil)
			} else {
				wantContains(t, "subject", subject, nil, []string{evil})
			}
		})
	}
	_, _, html, err := mail.Render("notice", notice)
	if err != nil {
		t.Fatal(err)
	}
	if want := escaped + "<br>&lt;b&gt;bold&lt;/b&gt; &amp; more"; !strings.Contains(html, want) {
		t.Errorf("got HTML %q, want the body's lines escaped, kept apart by <br>: %q", html, want)
	}
}

// TestRenderZones: times are shown in the hospital's zone (Europe/London here), on the right side of
// a clock change, whatever zone the server runs in and whatever location the time.Time carries (one
// read from MongoDB is UTC; one built by the server is in its local zone).
func TestRenderZones(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	// British Summer Time ends on 25 October 2026: the same 13:30 UTC is 14:30 before and 13:30 after.
	before := time.Date(2026, 10, 24, 13, 30, 0, 0, time.UTC)
	after := time.Date(2026, 10, 26, 13, 30, 0, 0, time.UTC)
	lateUTC := time.Date(2026, 7, 3, 23, 30, 0, 0, time.UTC) // already Saturday in London
	servers := map[string]*time.Location{"UTC server": time.UTC, "Auckland server": auckland, "server's local zone": time.Local}

	for server, loc := range servers {
		t.Run(server, func(t *testing.T) {
			a := reminderData(t)
			a.Previous, a.Start = before.In(loc), after.In(loc)
			subject, text, _, err := mail.Render("appointment_rescheduled", a)
			if err != nil {
				t.Fatal(err)
			}
			wantContains(t, "text", text, []string{"on Saturday 24 October 2026, 14:30 (Europe/London) has been moved",
				"When:       Monday 26 October 2026, 13:30 (Europe/London)"}, []string{"GMT", "BST", "NZ"})
			if want := "Your appointment with Dr Priya Shah has moved to Mon 26 Oct"; subject != want {
				t.Errorf("got subject %q, want %q", subject, want)
			}
			sms, err := mail.RenderSMS("appointment_rescheduled", a)
			if err != nil {
				t.Fatal(err)
			}
			wantContains(t, "SMS", sms, []string{"on Sat 24 Oct, 14:30 has moved to Mon 26 Oct, 13:30."}, nil)

			a.Start = lateUTC.In(loc)
			if subject, _, _, _ = mail.Render("appointment_reminder", a); !strings.HasSuffix(subject, "on Sat 4 Jul") {
				t.Errorf("got subject %q, want the London day, Sat 4 Jul", subject)
			}

			p := pageData(t)
			p.Raised = time.Date(2026, 7, 3, 13, 2, 0, 0, time.UTC).In(loc)
			if sms, _ = mail.RenderSMS("alert_page", p); !strings.Contains(sms, "Raised 14:02.") {
				t.Errorf("got page %q, want it raised at 14:02 London time", sms)
			}
			p.Zone = nil
			if sms, _ = mail.RenderSMS("alert_page", p); !strings.Contains(sms, "Raised 13:02.") {
				t.Errorf("got page %q with no zone, want it raised at 13:02 UTC", sms)
			}
		})
	}
}

// TestRenderMissingData: data that lacks what a template needs fails the rendering, in the email and
// in the SMS, rather than sending a message with a hole in it.
func TestRenderMissingData(t *testing.T) {
	noDue := medicationData()
	noDue.DueDate = ""
	badDue := medicationData()
	badDue.DueDate = "14/07/2026"
	notRaised := pageData(t)
	notRaised.Raised = time.Time{}
	noBody := map[string]any{"Hospital": "St Mary's Hospital", "Subject": "Flu clinic"}

	tests := []struct {
		name     string
		template string
		data     any
		wantErr  string
	}{
		{"wrong data type", "refill_due", reminderData(t), "can't evaluate field DueDay"},
		{"a map without a key", "notice", noBody, `map has no entry for key "Title"`},
		{"no due date", "refill_due", noDue, "no due date"},
		{"a due date not YYYY-MM-DD", "follow_up", badDue, `due date "14/07/2026": want YYYY-MM-DD`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := mail.Render(tt.template, tt.data); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("email: got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	sms := []struct {
		name     string
		template string
		data     any
		wantErr  string
	}{
		{"wrong data type", "alert_page", noticeData(), "can't evaluate field Severity"},
		{"a map without a key", "notice", noBody, `map has no entry for key "Body"`},
		{"no due date", "refill_due", noDue, "no due date"},
		{"a page without the time it was raised", "alert_page", notRaised, "no time the alert was raised"},
		{"no such template", "appointment_booked", reminderData(t), "have alert_page, appointment_cancelled"},
	}
	for _, tt := range sms {
		t.Run("SMS "+tt.name, func(t *testing.T) {
			if _, err := mail.RenderSMS(tt.template, tt.data); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	texted := []string{"appointment_cancelled", "appointment_confirmation", "appointment_reminder",
		"appointment_rescheduled", "follow_up", "notice", "refill_due"}
	// The account links go by email only.
	email := append([]string{"account_confirm"}, texted...)
	email = slices.Insert(email, 7, "password_link")
	if got := mail.Templates(); !slices.Equal(got, email) {
		t.Errorf("got email templates %q, want %q", got, email)
	}
	sms := append([]string{"alert_page"}, texted...)
	if got := mail.SMSTemplates(); !slices.Equal(got, sms) {
		t.Errorf("got SMS templates %q, want %q", got, sms)
	}
}

// TestRenderAccountLinks: the confirmation and password-link emails carry their link whole (in the
// HTML as an escaped href), say until when it works in the hospital's zone, and set-password reads
// differently from a forgotten password.
func TestRenderAccountLinks(t *testing.T) {
	london, err := time.LoadLocation("Europe/London") // time/tzdata is linked in: no machine lacks it
	if err != nil {
		t.Fatal(err)
	}
	link := mail.AccountLink{Hospital: "St Mary's Hospital", Name: "Ann O'Neil", URL: "https://hms.stmarys.example/confirm?token=abc&x=1",
		Expires: time.Date(2026, 7, 2, 13, 30, 0, 0, time.UTC), Zone: london}
	subject, text, html, err := mail.Render("account_confirm", link)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Confirm your email address for St Mary's Hospital" {
		t.Errorf("got subject %q", subject)
	}
	for _, want := range []string{"Dear Ann O'Neil,", "\nhttps://hms.stmarys.example/confirm?token=abc&x=1\n", "until Thursday 2 July 2026, 14:30 (Europe/London)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `<a href="https://hms.stmarys.example/confirm?token=abc&amp;x=1">`) {
		t.Errorf("html lacks the escaped link:\n%s", html)
	}
	subject, _, _, err = mail.Render("password_link", link)
	if err != nil || subject != "Reset your password for St Mary's Hospital" {
		t.Errorf("got subject %q (%v), want a reset", subject, err)
	}
	link.ByAdmin = true
	subject, text, _, err = mail.Render("password_link", link)
	if err != nil || subject != "Set your password for St Mary's Hospital" || !strings.Contains(text, "an administrator") {
		t.Errorf("got subject %q (%v) and text %q, want a set-password email from an administrator", subject, err, text)
	}
}
