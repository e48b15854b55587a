package lab

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Input limits.
const (
	maxTests          = 20
	maxTestName       = 100
	maxNote           = 5000
	maxText           = 500
	maxUnit           = 20
	maxRangeText      = 100
	maxComment        = 2000
	maxInterpretation = 5000
	maxFileName       = 100
)

var testCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$`)

// plain reports whether s is at most max characters with no control characters.
func plain(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) < 0
}

// checkOrder validates and normalises an order request: codes upper-cased, priority defaulted.
func checkOrder(req *shared.LabOrderRequest) error {
	if len(req.Tests) == 0 || len(req.Tests) > maxTests {
		return fault.Invalid("tests: give 1 to %d tests", maxTests)
	}
	seen := map[string]bool{}
	for i := range req.Tests {
		t := &req.Tests[i]
		t.Code, t.Name = strings.ToUpper(strings.TrimSpace(t.Code)), strings.TrimSpace(t.Name)
		if !testCode.MatchString(t.Code) {
			return fault.Invalid("tests[%d].code: 1 to 20 letters, digits, '.', '_' or '-'", i)
		}
		if t.Name == "" || !plain(t.Name, maxTestName) || strings.ContainsAny(t.Name, "\n\t") {
			return fault.Invalid("tests[%d].name is required (one line, at most %d characters)", i, maxTestName)
		}
		if seen[t.Code] {
			return fault.Invalid("tests[%d].code %s is listed twice", i, t.Code)
		}
		seen[t.Code] = true
	}
	switch req.Priority {
	case "":
		req.Priority = shared.LabRoutine
	case shared.LabRoutine, shared.LabUrgent:
	default:
		return fault.Invalid("priority must be routine or urgent")
	}
	if req.EncounterID != "" && !ident.Valid(req.EncounterID) {
		return fault.Invalid("malformed encounter id: want 24 hex digits")
	}
	if req.AppointmentID != "" && !ident.Valid(req.AppointmentID) {
		return fault.Invalid("malformed appointment id: want 24 hex digits")
	}
	if !plain(req.Note, maxNote) {
		return fault.Invalid("note: at most %d characters, no control characters", maxNote)
	}
	return nil
}

// checkResults validates a results submission against the order's tests and computes each flag. The
// client cannot send a flag (the request type has none, and unknown fields are refused).
func checkResults(o Order, req shared.LabResultsRequest) ([]shared.LabResult, error) {
	ordered := map[string]bool{}
	for _, t := range o.Tests {
		ordered[t.Code] = true
	}
	if len(req.Results) == 0 || len(req.Results) > len(o.Tests) {
		return nil, fault.Invalid("results: give 1 to %d results, one per ordered test", len(o.Tests))
	}
	if !plain(req.Interpretation, maxInterpretation) {
		return nil, fault.Invalid("interpretation: at most %d characters, no control characters", maxInterpretation)
	}
	out := make([]shared.LabResult, 0, len(req.Results))
	seen := map[string]bool{}
	for i, in := range req.Results {
		in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
		switch {
		case !ordered[in.Code]:
			return nil, fault.Invalid("results[%d].code %q is not a test on this order", i, in.Code)
		case seen[in.Code]:
			return nil, fault.Invalid("results[%d].code %s is given twice", i, in.Code)
		case (in.Value == nil) == (in.Text == ""):
			return nil, fault.Invalid("results[%d]: give either value (a number) or text, not both", i)
		case !plain(in.Text, maxText):
			return nil, fault.Invalid("results[%d].text: at most %d characters", i, maxText)
		case !plain(in.Unit, maxUnit) || strings.ContainsAny(in.Unit, "\n\t"):
			return nil, fault.Invalid("results[%d].unit: one line, at most %d characters", i, maxUnit)
		case !plain(in.Range.Text, maxRangeText):
			return nil, fault.Invalid("results[%d].range.text: at most %d characters", i, maxRangeText)
		case !plain(in.Comment, maxComment):
			return nil, fault.Invalid("results[%d].comment: at most %d characters", i, maxComment)
		}
		if err := checkRange(in.Range); err != nil {
			return nil, fault.Invalid("results[%d].range: %s", i, err)
		}
		seen[in.Code] = true
		out = append(out, shared.LabResult{LabResultInput: in, Flag: Flag(in.Value, in.Range)})
	}
	return out, nil
}

// checkRange wants the limits in order: critical_low ≤ low ≤ high ≤ critical_high (those given).
func checkRange(r shared.LabRange) error {
	limits := []*float64{r.CriticalLow, r.Low, r.High, r.CriticalHigh}
	var last *float64
	for _, l := range limits {
		if l == nil {
			continue
		}
		if last != nil && *l < *last {
			return fault.Invalid("limits must satisfy critical_low ≤ low ≤ high ≤ critical_high")
		}
		last = l
	}
	return nil
}

// Flag computes a numeric result's abnormal flag: LL below the critical low limit, HH above the
// critical high one, L below the low limit, H above the high one, N within; a limit itself is within.
// A text value, or a range with no numeric limit, has no flag ("").
func Flag(v *float64, r shared.LabRange) string {
	if v == nil || r.Low == nil && r.High == nil && r.CriticalLow == nil && r.CriticalHigh == nil {
		return ""
	}
	x := *v
	switch {
	case r.CriticalLow != nil && x < *r.CriticalLow:
		return shared.FlagCriticalLow
	case r.CriticalHigh != nil && x > *r.CriticalHigh:
		return shared.FlagCriticalHigh
	case r.Low != nil && x < *r.Low:
		return shared.FlagLow
	case r.High != nil && x > *r.High:
		return shared.FlagHigh
	}
	return shared.FlagNormal
}

// cleanName keeps the last path element of a client's file name, without control characters or
// quotes, at most maxFileName characters; "file" when nothing is left.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > maxFileName {
		name = string(r[len(r)-maxFileName:])
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}
