package chart

import (
	"strings"
	"testing"

	"hms/shared"
)

func TestCheckVitalsRanges(t *testing.T) {
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name string
		v    shared.Vitals
		msg  string // "" when valid
	}{
		{"pulse at the floor", shared.Vitals{PulseBPM: i(20)}, ""},
		{"pulse at the ceiling", shared.Vitals{PulseBPM: i(300)}, ""},
		{"pulse below", shared.Vitals{PulseBPM: i(19)}, "pulse_bpm must be between 20 and 300 bpm (got 19)"},
		{"pulse above", shared.Vitals{PulseBPM: i(301)}, "pulse_bpm must be between 20 and 300 bpm (got 301)"},
		{"fever", shared.Vitals{TemperatureC: f(40.1)}, ""},
		{"Fahrenheit", shared.Vitals{TemperatureC: f(101.3)}, "temperature_c must be between 25 and 45 °C (got 101.3)"},
		{"blood pressure", shared.Vitals{SystolicMMHg: i(120), DiastolicMMHg: i(80)}, ""},
		{"systolic alone", shared.Vitals{SystolicMMHg: i(120)}, "recorded together"},
		{"diastolic alone", shared.Vitals{DiastolicMMHg: i(80)}, "recorded together"},
		{"pressures swapped", shared.Vitals{SystolicMMHg: i(80), DiastolicMMHg: i(120)}, "systolic_mmhg (80) must be above diastolic_mmhg (120)"},
		{"diastolic too low", shared.Vitals{SystolicMMHg: i(90), DiastolicMMHg: i(10)}, "diastolic_mmhg must be between 20 and 200"},
		{"respiratory rate", shared.Vitals{RespiratoryRate: i(81)}, "respiratory_rate must be between 2 and 80"},
		{"SpO2", shared.Vitals{SpO2Percent: i(49)}, "spo2_percent must be between 50 and 100"},
		{"newborn", shared.Vitals{WeightKg: f(0.2), HeightCm: f(20)}, ""},
		{"weight in grams", shared.Vitals{WeightKg: f(3500)}, "weight_kg must be between 0.2 and 500"},
		{"height in metres", shared.Vitals{HeightCm: f(1.72)}, "height_cm must be between 20 and 260"},
		{"nothing", shared.Vitals{}, "at least one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkVitals(tc.v)
			switch {
			case tc.msg == "" && err != nil:
				t.Errorf("got %v, want it accepted", err)
			case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
				t.Errorf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Text
		msg  string
	}{
		{"trimmed, status defaulted", Text{Reason: " cough ", Diagnoses: []shared.Diagnosis{{Code: "J45.909", Description: " asthma "}}}, ""},
		{"reason too long", Text{Reason: strings.Repeat("é", maxReason+1)}, "reason is longer than 500 characters"},
		{"notes too long", Text{Notes: strings.Repeat("a", maxNotes+1)}, "notes is longer than 50000 characters"},
		{"no description", Text{Diagnoses: []shared.Diagnosis{{Code: "J45"}}}, "diagnoses[0].description is required"},
		{"bad code", Text{Diagnoses: []shared.Diagnosis{{Code: "J45 909", Description: "asthma"}}}, "diagnoses[0].code"},
		{"bad status", Text{Diagnoses: []shared.Diagnosis{{Description: "asthma", Status: "cured"}}}, "active or resolved"},
		{"too many", Text{Diagnoses: make([]shared.Diagnosis, maxDiagnoses+1)}, "at most 50 diagnoses"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkText(tc.in)
			if tc.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("got %v, want %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Reason != "cough" || got.Diagnoses[0].Description != "asthma" || got.Diagnoses[0].Status != shared.DiagnosisActive {
				t.Errorf("got %+v, want trimmed text and an active diagnosis", got)
			}
		})
	}
}
