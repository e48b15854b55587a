package sms

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hms/server/internal/config"
)

// maxAnswer is how much of the gateway's answer is read: enough for any message resource or error.
const maxAnswer = 64 << 10

// maxDetail is how many characters of the gateway's error message an Error keeps.
const maxDetail = 300

// HTTPSender posts each message to an SMS gateway's HTTP API, one request per message, and classifies
// the answer. It never retries by itself. It is safe for concurrent use.
type HTTPSender struct {
	client   *http.Client
	url      string
	host     string // for error messages: the URL's path may hold an account ID, its userinfo a password
	format   string
	username string
	password string
	from     string
}

var _ Sender = (*HTTPSender)(nil)

// NewHTTP checks cfg and returns an HTTPSender for it. It does not connect: a gateway that is down now
// may be up by the time there is something to send.
func NewHTTP(cfg Config) (*HTTPSender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("sms: gateway URL (SMS_URL): want an absolute https URL")
	}
	if u.Scheme != "https" && !config.IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("sms: gateway URL (SMS_URL) for %s: want https (plain http only on this machine)", u.Host)
	}
	if cfg.From == "" {
		return nil, errors.New("sms: no sender (SMS_FROM)")
	}
	format := strings.ToLower(cfg.Format)
	switch format {
	case "":
		format = FormatForm
	case FormatForm, FormatJSON:
	default:
		return nil, fmt.Errorf("sms: format %q: want %s or %s", cfg.Format, FormatForm, FormatJSON)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &HTTPSender{
		client: &http.Client{
			Timeout: cfg.Timeout,
			// A redirect is answered, not followed: following one would turn the POST into a GET, or
			// send the message (and the credentials) somewhere SMS_URL does not name.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		url: cfg.URL, host: u.Host, format: format,
		username: cfg.Username, password: cfg.Password, from: cfg.From,
	}, nil
}

// Name returns "http".
func (s *HTTPSender) Name() string { return ProviderHTTP }

// Send posts m and returns the gateway's ID for it ("sid", else "id" or "message_id" of its JSON
// answer; empty when it gave none). The number and body are checked first: what the gateway would
// refuse anyway fails permanently without a request.
func (s *HTTPSender) Send(ctx context.Context, m Message) (string, error) {
	m, err := compose(m)
	if err != nil {
		return "", err
	}
	req, err := s.request(ctx, m)
	if err != nil {
		return "", &Error{Op: "compose", Permanent: true, Err: err}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// No answer: the gateway is unreachable or slow, or ctx ended. The url.Error's URL is left out.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", &Error{Op: "send", Err: fmt.Errorf("%s: %w", s.host, err)}
	}
	defer resp.Body.Close()
	// A read error of a 2xx answer is ignored: the gateway has taken the message, and sending it again
	// would send it twice.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return messageID(answer), nil
	}
	return "", s.refused(resp, answer, m.To)
}

// request builds the POST for m in the configured format.
func (s *HTTPSender) request(ctx context.Context, m Message) (*http.Request, error) {
	var body []byte
	var contentType string
	if s.format == FormatJSON {
		body, _ = json.Marshal(struct {
			To   string `json:"to"`
			From string `json:"from"`
			Text string `json:"text"`
		}{m.To, s.from, m.Body}) // strings always marshal
		contentType = "application/json"
	} else {
		body = []byte(url.Values{"To": {m.To}, "From": {s.from}, "Body": {m.Body}}.Encode())
		contentType = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", s.host, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hms-sms")
	if m.ID != "" {
		req.Header.Set("Idempotency-Key", m.ID)
	}
	switch {
	case s.format == FormatJSON && s.password != "":
		req.Header.Set("Authorization", "Bearer "+s.password)
	case s.format == FormatForm && (s.username != "" || s.password != ""):
		req.SetBasicAuth(s.username, s.password)
	}
	return req, nil
}

// refused turns a non-2xx answer into an *Error with the gateway's status, code and message.
func (s *HTTPSender) refused(resp *http.Response, answer []byte, to string) *Error {
	e := &Error{Op: "send", Status: resp.StatusCode, Permanent: permanentStatus(resp.StatusCode)}
	if !e.Permanent {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	var detail string
	e.Code, detail = gatewayError(answer)
	text := fmt.Sprintf("%s answered %d %s", s.host, resp.StatusCode, http.StatusText(resp.StatusCode))
	if e.Code != "" {
		text += ", code " + e.Code
	}
	if detail = s.redact(detail, to); detail != "" {
		text += ": " + detail
	}
	e.Err = errors.New(text)
	return e
}

// redact makes a gateway's message fit for an error that is logged and shown to staff: the credentials
// (should the gateway echo them) become "***", the recipient's number is masked, white space is folded
// and the length bounded.
func (s *HTTPSender) redact(msg, to string) string {
	var secrets []string
	if s.username != "" || s.password != "" {
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(s.username+":"+s.password)))
	}
	secrets = append(secrets, s.password, s.username)
	for _, secret := range secrets {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "***")
		}
	}
	msg = strings.ReplaceAll(msg, to, Mask(to))
	msg = strings.Join(strings.Fields(msg), " ")
	if r := []rune(msg); len(r) > maxDetail {
		msg = string(r[:maxDetail]) + "…"
	}
	return msg
}

// messageID finds the message's ID in a gateway's JSON answer: Twilio's "sid", or the "id" or
// "message_id" others use. An answer without one (or not JSON) gives "".
func messageID(answer []byte) string {
	var v map[string]json.RawMessage
	if json.Unmarshal(answer, &v) != nil {
		return ""
	}
	for _, key := range []string{"sid", "id", "message_id"} {
		if id := scalar(v[key]); id != "" {
			return id
		}
	}
	return ""
}

// gatewayError reads the code and message of an error answer: Twilio's {"code": 21211, "message": …},
// or {"error": "…"}, {"error": {"code", "message"}} or {"detail": "…"} as other gateways write it. An
// answer that is not JSON is its own message.
func gatewayError(answer []byte) (code, message string) {
	var v struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
		Detail  string          `json:"detail"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(answer, &v) != nil {
		return "", string(answer)
	}
	code, message = scalar(v.Code), v.Message
	if message == "" {
		message = v.Detail
	}
	if s := scalar(v.Error); s != "" && message == "" {
		message = s
	} else if len(v.Error) > 0 && v.Error[0] == '{' {
		innerCode, innerMessage := gatewayError(v.Error)
		code, message = cmp.Or(code, innerCode), cmp.Or(message, innerMessage)
	}
	return code, message
}

// scalar returns a JSON string or number as text, and "" for anything else.
func scalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
