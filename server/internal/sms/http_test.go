package sms_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/sms"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "twilio-auth-token-value"
	twilioTo  = "+447911123456"
)

// received is one request as the test gateway saw it.
type received struct {
	Method, Path, ContentType, Accept, Authorization, IdempotencyKey string
	Body                                                             []byte
}

// gateway is a local stand-in for an SMS gateway: it records every request and answers with reply.
type gateway struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []received
	reply http.HandlerFunc
}

func newGateway(t *testing.T, reply http.HandlerFunc) *gateway {
	t.Helper()
	g := &gateway{reply: reply}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.got = append(g.got, received{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
			Accept: r.Header.Get("Accept"), Authorization: r.Header.Get("Authorization"),
			IdempotencyKey: r.Header.Get("Idempotency-Key"), Body: body})
		g.mu.Unlock()
		g.reply(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) requests() []received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]received(nil), g.got...)
}

// answer replies with status, headers (name, value, …) and body.
func answer(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// twilio returns a sender speaking Twilio's form format to g.
func twilio(t *testing.T, g *gateway, timeout time.Duration) *sms.HTTPSender {
	t.Helper()
	s, err := sms.NewHTTP(sms.Config{URL: g.srv.URL + "/2010-04-01/Accounts/" + testSID + "/Messages.json",
		Username: testSID, Password: testToken, From: "+15005550006", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func asError(t *testing.T, err error) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want an *sms.Error", err, err)
	}
	return e
}

func TestSendForm(t *testing.T) {
	g := newGateway(t, answer(http.StatusCreated, `{"sid":"SM0123","status":"queued","to":"+447911123456"}`))
	s := twilio(t, g, 0)
	id, err := s.Send(context.Background(), sms.Message{To: "+44 7911 123-456", Body: "Your appointment is at 14:30 & lasts 15'", ID: "d-1"})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if id != "SM0123" {
		t.Errorf("got id %q, want SM0123", id)
	}
	reqs := g.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		t.Errorf("got %s %s, want POST /2010-04-01/Accounts/%s/Messages.json", r.Method, r.Path, testSID)
	}
	if r.ContentType != "application/x-www-form-urlencoded" || r.Accept != "application/json" {
		t.Errorf("got Content-Type %q Accept %q, want application/x-www-form-urlencoded, application/json", r.ContentType, r.Accept)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testSID+":"+testToken))
	if r.Authorization != wantAuth {
		t.Errorf("got Authorization %q, want %q", r.Authorization, wantAuth)
	}
	if r.IdempotencyKey != "d-1" {
		t.Errorf("got Idempotency-Key %q, want d-1", r.IdempotencyKey)
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"To": {twilioTo}, "From": {"+15005550006"}, "Body": {"Your appointment is at 14:30 & lasts 15'"}}
	if form.Encode() != want.Encode() {
		t.Errorf("got form %v, want %v", form, want)
	}
}

func TestSendJSON(t *testing.T) {
	g := newGateway(t, answer(http.StatusOK, `{"message_id":"m-77","status":"accepted"}`))
	s, err := sms.NewHTTP(sms.Config{URL: g.srv.URL + "/v1/messages", Username: "ignored", Password: "api-key-value",
		From: "StMarys", Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Send(context.Background(), sms.Message{To: twilioTo, Body: "Ünïcode “quotes” ✓"})
	if err != nil || id != "m-77" {
		t.Fatalf("got id %q, error %v, want m-77", id, err)
	}
	r := g.requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/messages" || r.ContentType != "application/json" {
		t.Errorf("got %s %s %q, want POST /v1/messages application/json", r.Method, r.Path, r.ContentType)
	}
	if r.Authorization != "Bearer api-key-value" {
		t.Errorf("got Authorization %q, want Bearer api-key-value", r.Authorization)
	}
	if r.IdempotencyKey != "" {
		t.Errorf("got Idempotency-Key %q, want none for a message without ID", r.IdempotencyKey)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	want := map[string]any{"to": twilioTo, "from": "StMarys", "text": "Ünïcode “quotes” ✓"}
	if len(body) != len(want) {
		t.Errorf("got body %v, want exactly %v", body, want)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("got %s %v, want %v", k, body[k], v)
		}
	}
}

// TestMessageID: the ID comes from "sid", else "id" or "message_id"; an answer without one is fine.
func TestMessageID(t *testing.T) {
	tests := []struct{ answer, want string }{
		{`{"sid":"SM1","id":"x"}`, "SM1"},
		{`{"id":"abc"}`, "abc"},
		{`{"id":12345}`, "12345"},
		{`{"message_id":"m-1"}`, "m-1"},
		{`{"status":"queued"}`, ""},
		{`accepted`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			g := newGateway(t, answer(http.StatusAccepted, tt.answer))
			id, err := twilio(t, g, 0).Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
			if err != nil || id != tt.want {
				t.Fatalf("got id %q, error %v, want %q", id, err, tt.want)
			}
		})
	}
}

// TestGatewayRefuses: each answer that is not 2xx is classified, with the gateway's status, code and
// message in the error and the recipient's number masked.
func TestGatewayRefuses(t *testing.T) {
	tests := []struct {
		name          string
		reply         http.HandlerFunc
		wantPermanent bool
		wantStatus    int
		wantCode      string
		wantRetry     time.Duration
		wantText      []string
	}{
		{"400 invalid number", answer(400, `{"code":21211,"message":"The 'To' number +447911123456 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`),
			true, 400, "21211", 0, []string{"400 Bad Request", "code 21211", "The 'To' number +44*******456 is not a valid phone number."}},
		{"401 bad credentials", answer(401, `{"code":20003,"message":"Authenticate","status":401}`),
			true, 401, "20003", 0, []string{"401 Unauthorized", "code 20003: Authenticate"}},
		{"403", answer(403, `{"code":21408,"message":"Permission to send an SMS has not been enabled for the region"}`),
			true, 403, "21408", 0, []string{"Permission to send an SMS"}},
		{"404 wrong URL", answer(404, `{"code":20404,"message":"The requested resource was not found"}`), true, 404, "20404", 0, []string{"404 Not Found"}},
		{"422 nested error", answer(422, `{"error":{"code":"invalid_sender","message":"sender not registered"}}`),
			true, 422, "invalid_sender", 0, []string{"code invalid_sender: sender not registered"}},
		{"redirect not followed", answer(302, ``, "Location", "http://127.0.0.1:1/elsewhere"), true, 302, "", 0, []string{"302 Found"}},
		{"429 with Retry-After seconds", answer(429, `{"code":20429,"message":"Too Many Requests"}`, "Retry-After", "7"),
			false, 429, "20429", 7 * time.Second, []string{"429 Too Many Requests", "retry after 7s"}},
		{"429 error string", answer(429, `{"error":"quota exceeded"}`), false, 429, "", 0, []string{"quota exceeded"}},
		{"503", answer(503, `{"message":"down for maintenance"}`), false, 503, "", 0, []string{"503 Service Unavailable: down for maintenance"}},
		{"502 html from a proxy", answer(502, "<html>\n  <body>Bad   gateway</body>\n</html>"), false, 502, "", 0, []string{"<html> <body>Bad gateway</body> </html>"}},
		{"500", answer(500, `{"detail":"internal"}`), false, 500, "", 0, []string{"500 Internal Server Error: internal"}},
		{"408", answer(408, ``), false, 408, "", 0, []string{"408 Request Timeout"}},
		{"425", answer(425, ``), false, 425, "", 0, nil},
		{"retry-after in the past", answer(503, ``, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), false, 503, "", 0, nil},
		{"retry-after nonsense", answer(503, ``, "Retry-After", "soon"), false, 503, "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, tt.reply)
			id, err := twilio(t, g, 0).Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
			if err == nil {
				t.Fatalf("got id %q and no error, want one", id)
			}
			e := asError(t, err)
			if sms.IsPermanent(err) != tt.wantPermanent || e.Permanent != tt.wantPermanent || errors.Is(err, sms.ErrTemporary) == tt.wantPermanent {
				t.Errorf("got permanent %v, want %v (%v)", sms.IsPermanent(err), tt.wantPermanent, err)
			}
			if e.Status != tt.wantStatus || e.Code != tt.wantCode || e.Op != "send" {
				t.Errorf("got op %q status %d code %q, want send %d %q", e.Op, e.Status, e.Code, tt.wantStatus, tt.wantCode)
			}
			if got := sms.RetryAfter(err); got != tt.wantRetry {
				t.Errorf("got RetryAfter %v, want %v", got, tt.wantRetry)
			}
			for _, s := range append(tt.wantText, g.srv.Listener.Addr().String()) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("got %q, want it to contain %q", err.Error(), s)
				}
			}
			if strings.Contains(err.Error(), twilioTo) || strings.Contains(err.Error(), testSID) {
				t.Errorf("got %q, want neither the full number nor the account SID in it", err.Error())
			}
			if n := len(g.requests()); n != 1 {
				t.Errorf("got %d requests, want 1 (no retry, no redirect followed)", n)
			}
		})
	}
}

// TestRetryAfterDate: Retry-After may be an HTTP date rather than seconds.
func TestRetryAfterDate(t *testing.T) {
	at := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	g := newGateway(t, answer(503, ``, "Retry-After", at))
	_, err := twilio(t, g, 0).Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
	if got := sms.RetryAfter(err); got < 58*time.Minute || got > time.Hour {
		t.Fatalf("got RetryAfter %v for %s, want about an hour", got, at)
	}
}

// TestCredentialsNeverInErrors: a gateway that echoes what it was sent does not get the credentials
// into an error, whichever format.
func TestCredentialsNeverInErrors(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(map[string]string{"message": "bad credentials: " + r.Header.Get("Authorization") + " for " + r.URL.Path})
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(b)
	}
	for _, format := range []string{sms.FormatForm, sms.FormatJSON} {
		t.Run(format, func(t *testing.T) {
			g := newGateway(t, echo)
			s, err := sms.NewHTTP(sms.Config{URL: g.srv.URL + "/Accounts/" + testSID + "/Messages.json", Username: testSID,
				Password: testToken, From: "HMS", Format: format})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
			if !sms.IsPermanent(err) || !strings.Contains(err.Error(), "bad credentials") {
				t.Fatalf("got %v, want a permanent error with the gateway's message", err)
			}
			basic := base64.StdEncoding.EncodeToString([]byte(testSID + ":" + testToken))
			for _, secret := range []string{testToken, basic, testSID} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains %q", err.Error(), secret)
				}
			}
		})
	}
}

// TestUnreachable: a gateway that refuses the connection is a temporary failure.
func TestUnreachable(t *testing.T) {
	g := newGateway(t, answer(201, `{}`))
	s := twilio(t, g, 0)
	g.srv.Close()
	_, err := s.Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
	e := asError(t, err)
	if sms.IsPermanent(err) || !errors.Is(err, sms.ErrTemporary) || e.Status != 0 || e.Op != "send" {
		t.Fatalf("got %v (status %d), want a temporary send failure without status", err, e.Status)
	}
	if strings.Contains(err.Error(), testSID) {
		t.Fatalf("got %q, want the URL's path (account SID) left out", err.Error())
	}
}

// TestSlowGateway: a gateway slower than Config.Timeout is a temporary failure once the timeout has
// passed, not whenever the gateway answers.
func TestSlowGateway(t *testing.T) {
	release := make(chan struct{})
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	s := twilio(t, g, 50*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := s.Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"})
		done <- err
	}()
	select {
	case err := <-done:
		if sms.IsPermanent(err) || !errors.Is(err, sms.ErrTemporary) {
			t.Fatalf("got %v, want a temporary failure", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Send did not return although the gateway never answered and Timeout is 50ms")
	}
}

// TestContextEnds: a context that ends before or during the request is a temporary failure that says so.
func TestContextEnds(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		g := newGateway(t, answer(201, `{}`))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := twilio(t, g, 0).Send(ctx, sms.Message{To: twilioTo, Body: "hi"})
		if sms.IsPermanent(err) || !errors.Is(err, context.Canceled) || !errors.Is(err, sms.ErrTemporary) {
			t.Fatalf("got %v, want a temporary failure wrapping context.Canceled", err)
		}
		if n := len(g.requests()); n != 0 {
			t.Fatalf("got %d requests, want none", n)
		}
	})
	t.Run("during", func(t *testing.T) {
		arrived := make(chan struct{})
		g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, err := twilio(t, g, time.Minute).Send(ctx, sms.Message{To: twilioTo, Body: "hi"})
		if sms.IsPermanent(err) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want a temporary failure wrapping context.Canceled", err)
		}
	})
}

// TestRefusedBeforeSending: what the gateway would refuse every time fails permanently without a request.
func TestRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name    string
		msg     sms.Message
		wantErr string
	}{
		{"no plus", sms.Message{To: "07911 123456", Body: "hi"}, "must start with +"},
		{"too short", sms.Message{To: "+4479", Body: "hi"}, "has 4 digits"},
		{"letters", sms.Message{To: "+44 7911 CALLME", Body: "hi"}, "is not allowed"},
		{"empty body", sms.Message{To: twilioTo, Body: " \n"}, "no body"},
		{"body too long", sms.Message{To: twilioTo, Body: strings.Repeat("a", sms.MaxBody+1)}, "1601 characters long: at most 1600"},
		{"ID with a line break", sms.Message{To: twilioTo, Body: "hi", ID: "d1\r\nX-Evil: 1"}, "message ID"},
	}
	g := newGateway(t, answer(201, `{"sid":"SM1"}`))
	s := twilio(t, g, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Send(context.Background(), tt.msg)
			e := asError(t, err)
			if !sms.IsPermanent(err) || e.Op != "compose" || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want a permanent compose failure containing %q", err, tt.wantErr)
			}
		})
	}
	if n := len(g.requests()); n != 0 {
		t.Fatalf("got %d requests, want none", n)
	}
	_, err := s.Send(context.Background(), sms.Message{To: "+44 79", Body: "hi"})
	if !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("got %v, want an invalid number to be a fault.ErrInvalid too", err)
	}
	// MaxBody counts characters, not bytes.
	if _, err := s.Send(context.Background(), sms.Message{To: twilioTo, Body: strings.Repeat("é", sms.MaxBody)}); err != nil {
		t.Fatalf("got %v for a body of exactly MaxBody characters, want it sent", err)
	}
}

// TestTriedAgain: after a temporary failure the same message can be sent again (the notifications
// worker does so) and goes out exactly as the first time, Idempotency-Key included.
func TestTriedAgain(t *testing.T) {
	var calls int
	var mu sync.Mutex
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			answer(503, `{"message":"busy"}`, "Retry-After", "2")(w, r)
			return
		}
		answer(201, `{"sid":"SM2"}`)(w, r)
	})
	s := twilio(t, g, 0)
	m := sms.Message{To: twilioTo, Body: "Reminder", ID: "delivery-42"}
	_, err := s.Send(context.Background(), m)
	if sms.IsPermanent(err) || sms.RetryAfter(err) != 2*time.Second {
		t.Fatalf("first try: got %v, want temporary with RetryAfter 2s", err)
	}
	id, err := s.Send(context.Background(), m)
	if err != nil || id != "SM2" {
		t.Fatalf("second try: got %q %v, want SM2", id, err)
	}
	reqs := g.requests()
	if len(reqs) != 2 || string(reqs[0].Body) != string(reqs[1].Body) || reqs[0].IdempotencyKey != "delivery-42" ||
		reqs[1].IdempotencyKey != "delivery-42" {
		t.Fatalf("got requests %+v, want two identical ones with Idempotency-Key delivery-42", reqs)
	}
}

// TestConcurrentSends: one sender serves many goroutines (run with -race).
func TestConcurrentSends(t *testing.T) {
	g := newGateway(t, answer(201, `{"sid":"SM"}`))
	s := twilio(t, g, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := s.Send(context.Background(), sms.Message{To: twilioTo, Body: "hi"}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(g.requests()); n != 20 {
		t.Fatalf("got %d requests, want 20", n)
	}
}
