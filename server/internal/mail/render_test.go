package mail_test

import (
	"strings"
	"testing"
	"time"

	"hms/server/internal/config"
	"hms/server/internal/mail"
)

func TestRender(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	hostile := reminderData(t)
	hostile.PatientName = `<script>alert("x")</script> Ann`
	hostile.Doctor = `Dr <b>Bold</b> & Co`
	hostile.Bring = []string{`<img src=x onerror=alert(1)>`}
	hostile.CancelURL = `javascript:alert(1)`
	inTokyo := reminderData(t)
	inTokyo.Zone = tokyo
	noZone := reminderData(t)
	noZone.Zone, noZone.Bring, noZone.CancelURL, noZone.CancelPhone = nil, nil, "", ""

	runRender(t, []renderCase{
		{"confirmation", "appointment_confirmation", reminderData(t),
			"Your appointment with Dr Priya Shah on Fri 3 Jul",
			[]string{"Dear Ann O'Neil,", "your appointment is booked", "When:       Friday 3 July 2026, 14:30 (Europe/London)",
				"Department: Cardiology", "  - Your referral letter", "online at https://hms.stmarys.example/appointments/a1 or by calling 020 7946 0000"},
			[]string{"<title>Your appointment is booked</title>", "Dear Ann O&#39;Neil,", "<li>Your referral letter</li>", "St Mary&#39;s Hospital"},
			nil, nil},
		{"reminder", "appointment_reminder", reminderData(t),
			"Reminder: your appointment with Dr Priya Shah on Fri 3 Jul",
			[]string{"a reminder of your appointment", "14:30 (Europe/London)"},
			[]string{"<title>Reminder of your appointment</title>", "14:30 (Europe/London)"}, nil, nil},
		{"time in the hospital's zone", "appointment_reminder", inTokyo,
			"Reminder: your appointment with Dr Priya Shah on Fri 3 Jul",
			[]string{"Friday 3 July 2026, 22:30 (Asia/Tokyo)"}, []string{"22:30 (Asia/Tokyo)"}, nil, nil},
		{"no zone is UTC; nothing to bring, no way to cancel", "appointment_reminder", noZone, "Reminder: your appointment with Dr Priya Shah on Fri 3 Jul",
			[]string{"Friday 3 July 2026, 13:30 (UTC)"}, []string{"13:30 (UTC)"},
			[]string{"Please bring", "Cannot come?"}, []string{"Please bring", "Cannot come?"}},
		{"user text is escaped in HTML, kept in text", "appointment_confirmation", hostile,
			"Your appointment with Dr <b>Bold</b> & Co on Fri 3 Jul",
			[]string{`Dear <script>alert("x")</script> Ann,`, "<img src=x onerror=alert(1)>"},
			[]string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ann", "Dr &lt;b&gt;Bold&lt;/b&gt; &amp; Co",
				"&lt;img src=x onerror=alert(1)&gt;", `href="#ZgotmplZ"`},
			[]string{"<script>", "<b>Bold</b>", "<img", "javascript:"}, nil},
	})
}

func TestRenderErrors(t *testing.T) {
	if _, _, _, err := mail.Render("no_such_template", reminderData(t)); err == nil ||
		!strings.Contains(err.Error(), "appointment_confirmation, appointment_reminder") {
		t.Errorf("got error %v, want one naming the templates there are", err)
	}
	if _, _, _, err := mail.Render("appointment_reminder", struct{ Doctor string }{"Dr X"}); err == nil {
		t.Error("got no error for data without the template's fields, want one")
	}
}

func TestEffectiveTLS(t *testing.T) {
	tests := []struct{ host, tls, want string }{
		{"smtp.sendgrid.net", "", mail.TLSStartTLS},
		{"localhost", "", mail.TLSOpportunistic},
		{"127.0.0.1", "", mail.TLSOpportunistic},
		{"::1", "", mail.TLSOpportunistic},
		{"localhost", "starttls", mail.TLSStartTLS},
		{"smtp.mailgun.org", "NONE", mail.TLSNone},
		{"10.0.0.5", "opportunistic", mail.TLSOpportunistic},
	}
	for _, tt := range tests {
		if got := (mail.Config{Host: tt.host, TLS: tt.tls}).EffectiveTLS(); got != tt.want {
			t.Errorf("host %q TLS %q: got %q, want %q", tt.host, tt.tls, got, tt.want)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     mail.Config
		wantErr string
	}{
		{"no host", mail.Config{From: "a@b.org"}, "no SMTP host"},
		{"bad from", mail.Config{Host: "smtp.example.org", From: "nobody"}, "from address"},
		{"bad tls", mail.Config{Host: "smtp.example.org", From: "a@b.org", TLS: "ssl"}, `TLS mode "ssl"`},
		{"bad port", mail.Config{Host: "smtp.example.org", From: "a@b.org", Port: 70000}, "port"},
		{"fine", mail.Config{Host: "smtp.example.org", From: "HMS <a@b.org>"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mail.New(tt.cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFromConfig(t *testing.T) {
	c, err := config.FromLookup(func(k string) (string, bool) {
		v, ok := map[string]string{"DEBUG": "true", "EMAIL_HOST": "smtp.sendgrid.net", "EMAIL_HOST_USER": "apikey",
			"EMAIL_HOST_PASSWORD": "SG.secret", "EMAIL_FROM": "St Mary's <no-reply@stmarys.example>"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mail.FromConfig(c)
	want := mail.Config{Host: "smtp.sendgrid.net", Port: 587, Username: "apikey", Password: "SG.secret",
		From: "St Mary's <no-reply@stmarys.example>"}
	if got.Host != want.Host || got.Port != want.Port || got.Username != want.Username || got.Password != want.Password ||
		got.From != want.From || got.TLS != "" || got.EffectiveTLS() != mail.TLSStartTLS {
		t.Fatalf("got %+v, want %+v with STARTTLS", got, want)
	}
	if _, err := mail.New(got); err != nil {
		t.Fatalf("got error %v, want none", err)
	}
}
