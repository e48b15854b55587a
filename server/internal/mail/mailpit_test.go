package mail_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"hms/server/internal/mail"
	"hms/server/internal/testenv"
)

// The parts of mailpit's API answers the tests read.
type (
	address struct{ Name, Address string }
	summary struct {
		ID       string
		From     address
		To       []address
		Bcc      []address
		Subject  string
		Username string
	}
	message struct {
		summary
		Text string
		HTML string
	}
)

// senderFor returns a Sender to m over STARTTLS with a username and password (mailpit accepts any).
func senderFor(t testing.TB, m *testenv.MailpitServer, change ...func(*mail.Config)) *mail.Sender {
	t.Helper()
	cfg := mail.Config{
		Host: m.SMTPHost, Port: m.SMTPPort, Username: "hms-relay", Password: "relay-password",
		From: "St Mary's Hospital <no-reply@stmarys.example>", TLS: mail.TLSStartTLS,
		Timeout: 5 * time.Second, RootCAs: m.RootCAs,
	}
	for _, f := range change {
		f(&cfg)
	}
	s, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func getJSON(t testing.TB, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got status %d, want 200", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// received returns the messages mailpit holds for the recipient address to, newest first.
func received(t testing.TB, m *testenv.MailpitServer, to string) []summary {
	t.Helper()
	var list struct{ Messages []summary }
	getJSON(t, m.APIURL+"/api/v1/messages?limit=500", &list)
	var out []summary
	for _, s := range list.Messages {
		for _, a := range s.To {
			if a.Address == to {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// receivedOne returns the one message mailpit holds for to, in full, with its headers.
func receivedOne(t testing.TB, m *testenv.MailpitServer, to string) (message, map[string][]string) {
	t.Helper()
	list := received(t, m, to)
	if len(list) != 1 {
		t.Fatalf("got %d messages to %s, want 1", len(list), to)
	}
	var msg message
	getJSON(t, m.APIURL+"/api/v1/message/"+list[0].ID, &msg)
	var headers map[string][]string
	getJSON(t, fmt.Sprintf("%s/api/v1/message/%s/headers", m.APIURL, list[0].ID), &headers)
	return msg, headers
}
