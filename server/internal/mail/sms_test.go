package mail_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"hms/server/internal/mail"
)

func pageData(t testing.TB) mail.Page {
	t.Helper()
	return mail.Page{Hospital: "St Mary's Hospital", Message: "Cardiac arrest, bed 4.", Location: "Ward 3",
		Severity: "critical", Raised: time.Date(2026, 7, 3, 13, 2, 0, 0, time.UTC), Zone: london(t)}
}

func TestRenderSMS(t *testing.T) {
	noContact := movedData(t)
	noContact.CancelURL, noContact.CancelPhone, noContact.Reason = "", "", ""
	quiet := pageData(t)
	quiet.Severity, quiet.Location, quiet.Message = "", "", "Fire alarm"
	untitled := noticeData()
	untitled.Subject = ""
	const change = " To cancel or change: https://hms.stmarys.example/appointments/a1 or call 020 7946 0000."

	tests := []struct {
		name     string
		template string
		data     any
		want     string
	}{
		{"confirmation", "appointment_confirmation", reminderData(t),
			"St Mary's Hospital: appointment booked for Ann O'Neil with Dr Priya Shah (Cardiology) on Fri 3 Jul, 14:30." + change},
		{"reminder", "appointment_reminder", reminderData(t),
			"St Mary's Hospital reminder: appointment for Ann O'Neil with Dr Priya Shah (Cardiology) on Fri 3 Jul, 14:30." + change},
		{"rescheduled", "appointment_rescheduled", movedData(t),
			"St Mary's Hospital: appointment for Ann O'Neil with Dr Priya Shah (Cardiology) on Wed 1 Jul, 09:00 has moved to Fri 3 Jul, 14:30." + change},
		{"cancelled, the reason's full stop not doubled", "appointment_cancelled", movedData(t),
			"St Mary's Hospital: appointment for Ann O'Neil with Dr Priya Shah (Cardiology) on Fri 3 Jul, 14:30 is cancelled. " +
				"Reason: Dr Shah is unwell. To book another: https://hms.stmarys.example/appointments/a1 or call 020 7946 0000."},
		{"cancelled, no reason, no way to book", "appointment_cancelled", noContact,
			"St Mary's Hospital: appointment for Ann O'Neil with Dr Priya Shah (Cardiology) on Fri 3 Jul, 14:30 is cancelled."},
		{"refill due", "refill_due", medicationData(),
			"St Mary's Hospital: Ann O'Neil, your prescription can be refilled from Tue 14 Jul; 2 refills left."},
		{"follow-up", "follow_up", medicationData(),
			"St Mary's Hospital: Ann O'Neil, your course of medication ended on Tue 14 Jul. If you still have symptoms or need more, book a follow-up appointment."},
		{"notice, line breaks made one paragraph", "notice", noticeData(),
			"St Mary's Hospital: Flu clinic: The flu clinic opens on Monday. Bring your vaccination card. Ask at reception for a time."},
		{"notice without a subject", "notice", untitled,
			"St Mary's Hospital: The flu clinic opens on Monday. Bring your vaccination card. Ask at reception for a time."},
		{"alert page", "alert_page", pageData(t),
			"URGENT unacknowledged emergency (critical) at Ward 3: Cardiac arrest, bed 4. Raised 14:02. Acknowledge in HMS (St Mary's Hospital)."},
		{"alert page without severity or place", "alert_page", quiet,
			"URGENT unacknowledged emergency: Fire alarm. Raised 14:02. Acknowledge in HMS (St Mary's Hospital)."},
		{"plain text, not HTML", "notice", mail.Notice{Hospital: "A&E", Body: "<b>Tom & Jerry</b>"},
			"A&E: <b>Tom & Jerry</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mail.RenderSMS(tt.template, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestMedicationNotNamedOnLockScreens: an SMS, and an email's subject, are read on a lock screen and
// in notification previews, so the refill and follow-up messages never name the medicine (which can
// tell a bystander the diagnosis); only the email's body, read after unlocking, does.
func TestMedicationNotNamedOnLockScreens(t *testing.T) {
	for _, template := range []string{"refill_due", "follow_up"} {
		for _, med := range []string{"Amlodipine", "Sertraline", "Emtricitabine/tenofovir"} {
			t.Run(template+"/"+med, func(t *testing.T) {
				d := medicationData()
				d.Medication = med
				sms, err := mail.RenderSMS(template, d)
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if strings.Contains(sms, med) {
					t.Errorf("got SMS %q, want no %q", sms, med)
				}
				subject, text, _, err := mail.Render(template, d)
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if strings.Contains(subject, med) {
					t.Errorf("got subject %q, want no %q", subject, med)
				}
				if !strings.Contains(text, med) {
					t.Errorf("got email text %q, want it to name %q", text, med)
				}
			})
		}
	}
}

// TestRenderSMSLength: however long what people typed, every SMS text is one line of at most
// SMSMaxLen characters that still says all the fixed part: the long values are cut, with "…".
func TestRenderSMSLength(t *testing.T) {
	long := func(word string) string {
		return strings.Repeat(word+" \n\t", 2000/(utf8.RuneCountInString(word)+3)+1)[:2000]
	}
	body := long("word")
	if n := utf8.RuneCountInString(body); n != 2000 {
		t.Fatalf("got a body of %d characters, want 2000", n)
	}
	appt := reminderData(t)
	appt.Previous = appt.Start.Add(-48 * time.Hour)
	huge := appt
	huge.Hospital, huge.PatientName, huge.Doctor, huge.Department, huge.Reason =
		long("hospital"), long("patient"), long("doctor"), long("department"), long("reason")
	med := medicationData()
	hugeMed := med
	hugeMed.Hospital, hugeMed.PatientName, hugeMed.Medication = long("hospital"), long("patient"), long("medicine")
	page := pageData(t)
	hugePage := page
	hugePage.Hospital, hugePage.Message, hugePage.Location, hugePage.Severity = long("hospital"), body, long("ward"), long("severe")

	tests := []struct {
		name     string
		template string
		data     any
		// want are fixed parts and short values that must survive whole.
		want []string
	}{
		{"confirmation", "appointment_confirmation", huge,
			[]string{"appointment booked for", "on Fri 3 Jul, 14:30.", "To cancel or change: https://hms.stmarys.example/appointments/a1 or call 020 7946 0000."}},
		{"reminder", "appointment_reminder", huge, []string{"reminder: appointment for", "on Fri 3 Jul, 14:30.", "call 020 7946 0000."}},
		{"rescheduled", "appointment_rescheduled", huge, []string{"on Wed 1 Jul, 14:30 has moved to Fri 3 Jul, 14:30.", "call 020 7946 0000."}},
		{"cancelled", "appointment_cancelled", huge, []string{"is cancelled. Reason:", "To book another: https://hms.stmarys.example/appointments/a1"}},
		{"refill due", "refill_due", hugeMed, []string{"your prescription can be refilled from Tue 14 Jul; 2 refills left."}},
		{"follow-up", "follow_up", hugeMed, []string{"ended on Tue 14 Jul. If you still have symptoms or need more, book a follow-up appointment."}},
		{"notice of 2,000 characters", "notice", mail.Notice{Hospital: "St Mary's Hospital", Subject: "Flu clinic", Body: body},
			[]string{"St Mary's Hospital: Flu clinic: word word"}},
		{"notice of 2,000 characters, all long", "notice", mail.Notice{Hospital: long("hospital"), Name: body, Subject: long("subject"), Body: body}, nil},
		{"notice of 2,000 accented characters", "notice", mail.Notice{Hospital: "Hôpital", Body: strings.Repeat("é", 2000)}, []string{"Hôpital: ééé"}},
		{"notice of 2,000 emoji", "notice", mail.Notice{Hospital: "St Mary's", Body: strings.Repeat("🩺", 2000)}, []string{"St Mary's: 🩺🩺"}},
		{"page with a 2,000-character message", "alert_page", mail.Page{Hospital: page.Hospital, Message: body, Location: "Ward 3",
			Severity: "critical", Raised: page.Raised, Zone: page.Zone},
			[]string{"URGENT unacknowledged emergency (critical) at Ward 3: word", "… Raised 14:02. Acknowledge in HMS (St Mary's Hospital)."}},
		{"page, all long", "alert_page", hugePage, []string{"URGENT unacknowledged emergency (", "… Raised 14:02. Acknowledge in HMS ("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mail.RenderSMS(tt.template, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if n := utf8.RuneCountInString(got); n > mail.SMSMaxLen {
				t.Errorf("got %d characters, want at most %d: %q", n, mail.SMSMaxLen, got)
			}
			// Cutting after whole words leaves some room unused, never much.
			if n := utf8.RuneCountInString(got); n < mail.SMSMaxLen*8/10 {
				t.Errorf("got %d characters, want most of the %d used: %q", n, mail.SMSMaxLen, got)
			}
			if !strings.Contains(got, "…") {
				t.Errorf("got %q, want the long text cut with …", got)
			}
			if strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) }) >= 0 || strings.Contains(got, "  ") {
				t.Errorf("got %q, want one paragraph: no line breaks, tabs or runs of spaces", got)
			}
			wantContains(t, "SMS", got, tt.want, nil)
		})
	}
}

// TestRenderSMSFixedTooLong: a link or phone number is never cut (a cut link is no use), so one that
// leaves no room is an error, not a broken text.
func TestRenderSMSFixedTooLong(t *testing.T) {
	a := reminderData(t)
	a.CancelURL = "https://hms.stmarys.example/" + strings.Repeat("a", mail.SMSMaxLen)
	if got, err := mail.RenderSMS("appointment_reminder", a); err == nil || !strings.Contains(err.Error(), "fixed text") {
		t.Errorf("got %q, error %v, want an error about the fixed text", got, err)
	}
}

// TestRenderSMSMarkersCannotBeForged: the control characters RenderSMS uses internally to find the
// values cannot come from a value, so a hostile name cannot make a value count as fixed text.
func TestRenderSMSMarkersCannotBeForged(t *testing.T) {
	n := noticeData()
	n.Subject = "\x01" + strings.Repeat("fixed? ", 100) + "\x00"
	n.Body = "\x00\x01" + strings.Repeat("x", 2000)
	got, err := mail.RenderSMS("notice", n)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if utf8.RuneCountInString(got) > mail.SMSMaxLen || strings.ContainsAny(got, "\x00\x01") {
		t.Errorf("got %q, want at most %d characters and no control characters", got, mail.SMSMaxLen)
	}
}
