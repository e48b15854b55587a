package mail_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"hms/server/internal/mail"
	"hms/server/internal/testenv"
)

// london returns the zone of the hospital in the tests' data.
func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func reminderData(t testing.TB) mail.Appointment {
	t.Helper()
	return mail.Appointment{
		Hospital: "St Mary's Hospital", PatientName: "Ann O'Neil", Doctor: "Dr Priya Shah",
		Department: "Cardiology", Start: time.Date(2026, 7, 3, 13, 30, 0, 0, time.UTC), Zone: london(t),
		Bring:     []string{"Your referral letter", "A list of the medicines you take"},
		CancelURL: "https://hms.stmarys.example/appointments/a1", CancelPhone: "020 7946 0000",
	}
}

// TestSendThroughMailpit sends over STARTTLS with authentication and reads each message back.
func TestSendThroughMailpit(t *testing.T) {
	m := testenv.Mailpit(t)
	s := senderFor(t, m)
	subject, text, html, err := mail.Render("appointment_reminder", reminderData(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		msg         mail.Message
		wantSubject string
		wantText    []string
		wantHTML    []string
	}{
		{"text and html", mail.Message{To: "ann@example.org", Subject: "Your results are ready",
			Text: "Dear Ann,\nyour results are ready.\n", HTML: "<p>Dear Ann,</p><p>your results are <b>ready</b>.</p>"},
			"Your results are ready", []string{"your results are ready."}, []string{"<b>ready</b>"}},
		{"rendered reminder", mail.Message{To: "Ann O'Neil <ann.oneil@example.org>", Subject: subject, Text: text, HTML: html},
			"Reminder: your appointment with Dr Priya Shah on Fri 3 Jul",
			// 13:30 UTC is 14:30 in London in July.
			[]string{"Dear Ann O'Neil,", "Friday 3 July 2026, 14:30 (Europe/London)", "Dr Priya Shah", "Cardiology",
				"Your referral letter", "by calling 020 7946 0000"},
			[]string{"Dear Ann O&#39;Neil,", "<strong>Friday 3 July 2026, 14:30 (Europe/London)</strong>",
				`<a href="https://hms.stmarys.example/appointments/a1">online</a>`}},
		{"unicode", mail.Message{To: "jose@example.org", Subject: "Cita confirmada — José Müller", Text: "Größe: ✓\n", HTML: "<p>Größe: ✓</p>"},
			"Cita confirmada — José Müller", []string{"Größe: ✓"}, []string{"Größe: ✓"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Send(context.Background(), tt.msg); err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			to := tt.msg.To
			if i := strings.Index(to, "<"); i >= 0 {
				to = strings.Trim(to[i:], "<>")
			}
			got, headers := receivedOne(t, m, to)
			if got.From.Address != "no-reply@stmarys.example" || got.From.Name != "St Mary's Hospital" {
				t.Errorf("got From %+v, want St Mary's Hospital <no-reply@stmarys.example>", got.From)
			}
			if len(got.To) != 1 || got.To[0].Address != to {
				t.Errorf("got To %+v, want %s", got.To, to)
			}
			if got.Subject != tt.wantSubject {
				t.Errorf("got Subject %q, want %q", got.Subject, tt.wantSubject)
			}
			if got.Username != "hms-relay" {
				t.Errorf("got SMTP username %q, want hms-relay (authentication not used?)", got.Username)
			}
			if ct := strings.Join(headers["Content-Type"], ";"); !strings.HasPrefix(ct, "multipart/alternative") {
				t.Errorf("got Content-Type %q, want multipart/alternative", ct)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(got.Text, want) {
					t.Errorf("got text part %q, want it to contain %q", got.Text, want)
				}
			}
			for _, want := range tt.wantHTML {
				if !strings.Contains(got.HTML, want) {
					t.Errorf("got HTML part %q, want it to contain %q", got.HTML, want)
				}
			}
		})
	}
}

// TestHeaderInjection: line breaks in the subject or the recipient never add headers or recipients.
func TestHeaderInjection(t *testing.T) {
	m := testenv.Mailpit(t)
	s := senderFor(t, m)
	err := s.Send(context.Background(), mail.Message{To: "victim@example.org",
		Subject: "Appointment\r\nBcc: intruder@example.org\r\nX-Injected: yes", Text: "hello\n", HTML: "<p>hello</p>"})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	got, headers := receivedOne(t, m, "victim@example.org")
	if want := "Appointment Bcc: intruder@example.org X-Injected: yes"; got.Subject != want {
		t.Errorf("got Subject %q, want %q", got.Subject, want)
	}
	if len(got.Bcc) != 0 || len(headers["Bcc"]) != 0 || len(headers["X-Injected"]) != 0 {
		t.Errorf("got Bcc %v, headers Bcc %v X-Injected %v, want none", got.Bcc, headers["Bcc"], headers["X-Injected"])
	}
	if n := len(received(t, m, "intruder@example.org")); n != 0 {
		t.Errorf("got %d messages to the injected address, want 0", n)
	}

	for _, to := range []string{"victim@example.org\r\nBcc: intruder@example.org", "victim@example.org, intruder@example.org"} {
		err := s.Send(context.Background(), mail.Message{To: to, Subject: "x", Text: "x"})
		if !mail.IsPermanent(err) {
			t.Errorf("recipient %q: got error %v, want a permanent one", to, err)
		}
	}
	if n := len(received(t, m, "intruder@example.org")); n != 0 {
		t.Errorf("got %d messages to the injected address, want 0", n)
	}
}

// TestFailuresClassified: each failure is permanent or temporary, as the delivery worker needs to know
// whether to try again.
func TestFailuresClassified(t *testing.T) {
	tlsServer := testenv.Mailpit(t, testenv.MailpitOptions{Args: []string{"--smtp-allowed-recipients", `@example\.org$`}})
	plainServer := testenv.Mailpit(t, testenv.MailpitOptions{NoTLS: true})
	flaky := testenv.Mailpit(t, testenv.MailpitOptions{Args: []string{"--chaos-triggers", "Recipient:451:100"}})
	refusesLogin := testenv.Mailpit(t, testenv.MailpitOptions{Args: []string{"--chaos-triggers", "Authentication:535:100"}})

	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	// A server that accepts connections and never answers: a timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() { // ends when silent is closed
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	silentPort := silent.Addr().(*net.TCPAddr).Port
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	ok := mail.Message{To: "ann@example.org", Subject: "Hello", Text: "hello\n"}
	tests := []struct {
		name          string
		sender        *mail.Sender
		ctx           context.Context
		msg           mail.Message
		wantPermanent bool
		wantCode      int
		wantText      string
	}{
		{"connection refused", senderFor(t, tlsServer, func(c *mail.Config) { c.Port = closedPort }),
			context.Background(), ok, false, 0, "connection refused"},
		{"server never answers", senderFor(t, tlsServer, func(c *mail.Config) { c.Port, c.Timeout = silentPort, 300*time.Millisecond }),
			context.Background(), ok, false, 0, "timeout"},
		{"context cancelled", senderFor(t, tlsServer), cancelled, ok, false, 0, "canceled"},
		{"4xx reply", senderFor(t, flaky), context.Background(), ok, false, 451, "451"},
		{"credentials refused (535)", senderFor(t, refusesLogin), context.Background(), ok, true, 535, "535"},
		{"recipient refused (5xx)", senderFor(t, tlsServer), context.Background(),
			mail.Message{To: "someone@elsewhere.example", Subject: "Hello", Text: "hello\n"}, true, 550, "550"},
		{"not an address", senderFor(t, tlsServer), context.Background(),
			mail.Message{To: "not an address", Subject: "Hello", Text: "hello\n"}, true, 0, "not an address"},
		{"no body", senderFor(t, tlsServer), context.Background(),
			mail.Message{To: "ann@example.org", Subject: "Hello"}, true, 0, "no body"},
		{"required STARTTLS not offered", senderFor(t, plainServer), context.Background(), ok, true, 0,
			"does not support STARTTLS"},
		{"certificate not trusted", senderFor(t, tlsServer, func(c *mail.Config) { c.RootCAs = nil }),
			context.Background(), ok, true, 0, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sender.Send(tt.ctx, tt.msg)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if got := mail.IsPermanent(err); got != tt.wantPermanent {
				t.Errorf("got IsPermanent %v, want %v (error: %v)", got, tt.wantPermanent, err)
			}
			if got := mail.IsTemporary(err); got == tt.wantPermanent {
				t.Errorf("got IsTemporary %v, want %v (error: %v)", got, !tt.wantPermanent, err)
			}
			var me *mail.Error
			if !errors.As(err, &me) {
				t.Fatalf("got %T, want *mail.Error", err)
			}
			if me.Code != tt.wantCode {
				t.Errorf("got reply code %d, want %d (error: %v)", me.Code, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got error %q, want it to mention %q", err, tt.wantText)
			}
		})
	}
	// Nothing was delivered to the open-relay-refused address, and the server that refused was fine.
	if n := len(received(t, tlsServer, "someone@elsewhere.example")); n != 0 {
		t.Errorf("got %d messages to a refused recipient, want 0", n)
	}
	if err := senderFor(t, tlsServer).Send(context.Background(), ok); err != nil {
		t.Errorf("got error %v after the failures, want none", err)
	}
	// Opportunistic TLS sends in the clear to a server without STARTTLS.
	if err := senderFor(t, plainServer, func(c *mail.Config) { c.TLS = mail.TLSOpportunistic; c.Username, c.Password = "", "" }).
		Send(context.Background(), ok); err != nil {
		t.Errorf("opportunistic TLS to a server without it: got error %v, want none", err)
	}
}

// BenchmarkSend measures one delivery from Send to the relay's acceptance: connect, EHLO, STARTTLS,
// AUTH, MAIL, RCPT, DATA and QUIT against a local mailpit.
func BenchmarkSend(b *testing.B) {
	m := testenv.Mailpit(b)
	s := senderFor(b, m)
	subject, text, html, err := mail.Render("appointment_reminder", reminderData(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		msg := mail.Message{To: "patient" + strconv.Itoa(i) + "@example.org", Subject: subject, Text: text, HTML: html}
		if err := s.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}
