package fhir

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/httpx"
	"hms/shared"
)

// Error answers err as an OperationOutcome, with the status the REST API gives it (httpx.Error writes
// the JSON error; Outcomes, in the chain of every FHIR route, turns it into the OperationOutcome).
func Error(c *gin.Context, err error) { httpx.Error(c, err) }

// issueType is the FHIR issue type of an HTTP error status.
func issueType(status int) fhir.IssueType {
	switch status {
	case http.StatusBadRequest:
		return fhir.IssueTypeInvalid
	case http.StatusUnauthorized:
		return fhir.IssueTypeLogin
	case http.StatusForbidden:
		return fhir.IssueTypeForbidden
	case http.StatusNotFound:
		return fhir.IssueTypeNotFound
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable:
		return fhir.IssueTypeNotSupported
	case http.StatusConflict:
		return fhir.IssueTypeConflict
	case http.StatusRequestEntityTooLarge:
		return fhir.IssueTypeTooLong
	case http.StatusTooManyRequests:
		return fhir.IssueTypeThrottled
	case http.StatusServiceUnavailable:
		return fhir.IssueTypeTransient
	default:
		return fhir.IssueTypeException
	}
}

// outcome is an OperationOutcome of one error issue: the issue type from the status, HMS's error code
// (the same as the REST API's, e.g. break_glass_required) as the details' coding, the message as its
// text and the request ID as diagnostics.
func outcome(status int, code, message, requestID string) fhir.OperationOutcome {
	issue := fhir.OperationOutcomeIssue{Severity: fhir.IssueSeverityError, Code: issueType(status),
		Details: &fhir.CodeableConcept{Text: ptr(message)}}
	if code != "" {
		issue.Details.Coding = []fhir.Coding{{System: ptr(SystemErrCode), Code: ptr(code)}}
	}
	if requestID != "" {
		issue.Diagnostics = ptr("request ID " + requestID)
	}
	return fhir.OperationOutcome{Issue: []fhir.OperationOutcomeIssue{issue}}
}

// writeOutcome sends an OperationOutcome and aborts the chain.
func writeOutcome(c *gin.Context, status int, oo fhir.OperationOutcome) {
	if oo.Issue[0].Diagnostics == nil {
		if id := httpx.RequestID(c); id != "" {
			oo.Issue[0].Diagnostics = ptr("request ID " + id)
		}
	}
	body, _ := json.Marshal(oo)
	c.Header("Content-Type", ContentType)
	c.Status(status)
	_, _ = c.Writer.Write(body)
	c.Abort()
}

// invalid answers 400 with an OperationOutcome saying what is wrong.
func invalid(c *gin.Context, message string) {
	writeOutcome(c, http.StatusBadRequest, outcome(http.StatusBadRequest, "invalid_request", message, ""))
}

// NotFound answers a path under /fhir/ that no route serves: 404 OperationOutcome.
func NotFound(c *gin.Context) {
	writeOutcome(c, http.StatusNotFound, outcome(http.StatusNotFound, "not_found",
		"no such FHIR interaction: "+c.Request.Method+" "+c.Request.URL.Path+" (GET "+Base+"/metadata lists what is served)", ""))
}

// NoMethod answers a path the FHIR API has with a method it does not: 405 OperationOutcome; other
// paths go to next.
func NoMethod(next gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.HasPrefix(c.Request.URL.Path, Base+"/") {
			next(c)
			return
		}
		writeOutcome(c, http.StatusMethodNotAllowed, outcome(http.StatusMethodNotAllowed, "method_not_allowed",
			c.Request.Method+" is not allowed here (GET "+Base+"/metadata lists the interactions served)", ""))
	}
}

// Outcomes is the first handler of every FHIR route: whatever in the chain answers with the REST
// API's JSON error (a missing or expired token, the role check, the concurrency gate, a handler's
// httpx.Error) is sent as an OperationOutcome instead, with the same status. It also marks FHIR
// responses not to be cached (they hold patient data).
func Outcomes() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		w := &outcomeWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		c.Writer = w.ResponseWriter
		if w.buf == nil {
			return
		}
		var e shared.Error
		if err := json.Unmarshal(w.buf.Bytes(), &e); err != nil || e.Error.Message == "" {
			e.Error = shared.ErrorBody{Code: "internal", Message: http.StatusText(w.Status())}
			e.RequestID = httpx.RequestID(c)
		}
		body, _ := json.Marshal(outcome(w.Status(), e.Error.Code, e.Error.Message, e.RequestID))
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.ResponseWriter.Write(body)
	}
}

// outcomeWriter holds back a JSON error body (status 400 or more, Content-Type application/json) for
// Outcomes to translate; everything else goes straight through.
type outcomeWriter struct {
	gin.ResponseWriter
	buf *bytes.Buffer
}

func (w *outcomeWriter) capture() bool {
	if w.buf != nil {
		return true
	}
	if w.Status() < 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		return false
	}
	w.buf = &bytes.Buffer{}
	return true
}

func (w *outcomeWriter) Write(b []byte) (int, error) {
	if w.capture() {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *outcomeWriter) WriteString(s string) (int, error) {
	if w.capture() {
		return w.buf.WriteString(s)
	}
	return w.ResponseWriter.WriteString(s)
}

// quote quotes a client's value for a message, cut to a readable length.
func quote(s string) string {
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return strconv.Quote(s)
}
