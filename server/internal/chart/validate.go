package chart

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/shared"
)

// Limits on an encounter's text, in characters.
const (
	maxReason      = 500
	maxSummary     = 5_000
	maxNotes       = 50_000
	maxDiagnoses   = 50
	maxDescription = 500
	maxCode        = 20
)

// checkText trims an encounter's text and checks it against the limits.
func checkText(t Text) (Text, error) {
	t.Reason, t.Summary, t.Notes = strings.TrimSpace(t.Reason), strings.TrimSpace(t.Summary), strings.TrimSpace(t.Notes)
	for _, f := range []struct {
		name, value string
		max         int
	}{{"reason", t.Reason, maxReason}, {"summary", t.Summary, maxSummary}, {"notes", t.Notes, maxNotes}} {
		if utf8.RuneCountInString(f.value) > f.max {
			return t, fault.Invalid("%s is longer than %d characters", f.name, f.max)
		}
	}
	ds, err := checkDiagnoses(t.Diagnoses)
	t.Diagnoses = ds
	return t, err
}

// checkDiagnoses trims the diagnoses, fills in the default status and checks each one.
func checkDiagnoses(in []shared.Diagnosis) ([]shared.Diagnosis, error) {
	if len(in) > maxDiagnoses {
		return nil, fault.Invalid("at most %d diagnoses per encounter", maxDiagnoses)
	}
	out := make([]shared.Diagnosis, 0, len(in))
	for i, d := range in {
		d.Code, d.Description = strings.TrimSpace(d.Code), strings.TrimSpace(d.Description)
		switch {
		case d.Description == "":
			return nil, fault.Invalid("diagnoses[%d].description is required", i)
		case utf8.RuneCountInString(d.Description) > maxDescription:
			return nil, fault.Invalid("diagnoses[%d].description is longer than %d characters", i, maxDescription)
		case !validCode(d.Code):
			return nil, fault.Invalid("diagnoses[%d].code must be at most %d letters, digits, dots or dashes (an ICD-10 code such as J45.909)", i, maxCode)
		}
		switch d.Status {
		case "":
			d.Status = shared.DiagnosisActive
		case shared.DiagnosisActive, shared.DiagnosisResolved:
		default:
			return nil, fault.Invalid("diagnoses[%d].status must be active or resolved", i)
		}
		out = append(out, d)
	}
	return out, nil
}

// validCode accepts an empty code or a short code of letters, digits, dots and dashes.
func validCode(code string) bool {
	if len(code) > maxCode {
		return false
	}
	for _, c := range code {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// vitalRange is the plausible range of one measurement: values outside it are typing errors (a pulse
// of 720, a temperature in °F), refused with a message that says which field and what range.
type vitalRange struct {
	name     string
	min, max float64
	unit     string
}

var (
	rangeTemperature = vitalRange{"temperature_c", 25, 45, "°C"}
	rangePulse       = vitalRange{"pulse_bpm", 20, 300, "bpm"}
	rangeSystolic    = vitalRange{"systolic_mmhg", 40, 300, "mmHg"}
	rangeDiastolic   = vitalRange{"diastolic_mmhg", 20, 200, "mmHg"}
	rangeRespiratory = vitalRange{"respiratory_rate", 2, 80, "breaths/min"}
	rangeSpO2        = vitalRange{"spo2_percent", 50, 100, "%"}
	rangeWeight      = vitalRange{"weight_kg", 0.2, 500, "kg"}
	rangeHeight      = vitalRange{"height_cm", 20, 260, "cm"}
)

func (r vitalRange) check(v float64) error {
	if v < r.min || v > r.max {
		return fault.Invalid("%s must be between %s and %s %s (got %s)", r.name, num(r.min), num(r.max), r.unit, num(v))
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// checkVitals checks a reading: at least one measurement, each in its range, and blood pressure as a
// pair with the systolic above the diastolic.
func checkVitals(v shared.Vitals) error {
	n := 0
	floats := []struct {
		v *float64
		r vitalRange
	}{{v.TemperatureC, rangeTemperature}, {v.WeightKg, rangeWeight}, {v.HeightCm, rangeHeight}}
	for _, f := range floats {
		if f.v != nil {
			n++
			if err := f.r.check(*f.v); err != nil {
				return err
			}
		}
	}
	ints := []struct {
		v *int
		r vitalRange
	}{{v.PulseBPM, rangePulse}, {v.SystolicMMHg, rangeSystolic}, {v.DiastolicMMHg, rangeDiastolic},
		{v.RespiratoryRate, rangeRespiratory}, {v.SpO2Percent, rangeSpO2}}
	for _, f := range ints {
		if f.v != nil {
			n++
			if err := f.r.check(float64(*f.v)); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		return fault.Invalid("a vitals reading needs at least one of temperature_c, pulse_bpm, systolic_mmhg and diastolic_mmhg, respiratory_rate, spo2_percent, weight_kg, height_cm")
	}
	if (v.SystolicMMHg == nil) != (v.DiastolicMMHg == nil) {
		return fault.Invalid("systolic_mmhg and diastolic_mmhg are recorded together")
	}
	if v.SystolicMMHg != nil && *v.SystolicMMHg <= *v.DiastolicMMHg {
		return fault.Invalid("systolic_mmhg (%d) must be above diastolic_mmhg (%d)", *v.SystolicMMHg, *v.DiastolicMMHg)
	}
	return nil
}
