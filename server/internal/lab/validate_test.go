package lab

import (
	"errors"
	"strings"
	"testing"

	"hms/server/internal/fault"
	"hms/shared"
)

func f(v float64) *float64 { return &v }

func TestLabFlag(t *testing.T) {
	full := shared.LabRange{Low: f(3.5), High: f(5.1), CriticalLow: f(2.5), CriticalHigh: f(6.5)}
	tests := []struct {
		name  string
		value *float64
		r     shared.LabRange
		want  string
	}{
		{"within", f(4.2), full, "N"},
		{"at the low limit", f(3.5), full, "N"},
		{"at the high limit", f(5.1), full, "N"},
		{"low", f(3.0), full, "L"},
		{"high", f(5.5), full, "H"},
		{"at the critical low limit", f(2.5), full, "L"},
		{"critically low", f(2.4), full, "LL"},
		{"critically high", f(7), full, "HH"},
		{"only a high limit, below it", f(1), shared.LabRange{High: f(5.6)}, "N"},
		{"only a high limit, above it", f(6), shared.LabRange{High: f(5.6)}, "H"},
		{"only critical limits, beyond", f(10), shared.LabRange{CriticalHigh: f(9)}, "HH"},
		{"no numeric range", f(4), shared.LabRange{Text: "see comment"}, ""},
		{"text value", nil, full, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Flag(tt.value, tt.r); got != tt.want {
				t.Errorf("got flag %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLabCheckResults(t *testing.T) {
	o := Order{Tests: []shared.LabTest{{Code: "K", Name: "Potassium"}, {Code: "HIV", Name: "HIV antibody"}}}
	tests := []struct {
		name    string
		req     shared.LabResultsRequest
		wantErr string
		want    []string // flags
	}{
		{"numeric and text", shared.LabResultsRequest{Results: []shared.LabResultInput{
			{Code: "k", Value: f(6.9), Unit: "mmol/L", Range: shared.LabRange{Low: f(3.5), High: f(5.1), CriticalHigh: f(6.5)}},
			{Code: "HIV", Text: "negative", Range: shared.LabRange{Text: "negative"}},
		}}, "", []string{"HH", ""}},
		{"nothing", shared.LabResultsRequest{}, "give 1 to 2 results", nil},
		{"a test not ordered", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "NA", Value: f(140)}}}, "not a test on this order", nil},
		{"twice", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K", Value: f(4)}, {Code: "K", Value: f(4)}}}, "given twice", nil},
		{"no value", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K"}}}, "either value", nil},
		{"both values", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K", Value: f(4), Text: "4"}}}, "either value", nil},
		{"limits out of order", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K", Value: f(4),
			Range: shared.LabRange{Low: f(5), High: f(3)}}}}, "critical_low ≤ low", nil},
		{"a long unit", shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K", Value: f(4), Unit: strings.Repeat("u", 21)}}}, "unit", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkResults(o, tt.req)
			if tt.wantErr != "" {
				if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want invalid mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			for i, r := range got {
				if r.Flag != tt.want[i] {
					t.Errorf("result %d: got flag %q, want %q", i, r.Flag, tt.want[i])
				}
			}
		})
	}
}

func TestLabCheckOrder(t *testing.T) {
	ok := shared.LabOrderRequest{Tests: []shared.LabTest{{Code: " hba1c ", Name: "Glycated haemoglobin"}}}
	if err := checkOrder(&ok); err != nil || ok.Tests[0].Code != "HBA1C" || ok.Priority != "routine" {
		t.Fatalf("got %+v, %v; want code HBA1C, priority routine", ok, err)
	}
	many := make([]shared.LabTest, 21)
	for i := range many {
		many[i] = shared.LabTest{Code: strings.Repeat("A", i+1)[:1] + string(rune('A'+i)), Name: "x"}
	}
	for name, req := range map[string]shared.LabOrderRequest{
		"no tests":        {},
		"too many tests":  {Tests: many},
		"a bad code":      {Tests: []shared.LabTest{{Code: "$where", Name: "x"}}},
		"no name":         {Tests: []shared.LabTest{{Code: "K"}}},
		"a duplicate":     {Tests: []shared.LabTest{{Code: "K", Name: "a"}, {Code: "k", Name: "b"}}},
		"a bad priority":  {Tests: []shared.LabTest{{Code: "K", Name: "a"}}, Priority: "stat"},
		"a bad encounter": {Tests: []shared.LabTest{{Code: "K", Name: "a"}}, EncounterID: "x"},
		"a long note":     {Tests: []shared.LabTest{{Code: "K", Name: "a"}}, Note: strings.Repeat("n", maxNote+1)},
	} {
		if err := checkOrder(&req); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
}

func TestLabCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		`C:\Users\ann\scan.png`:           "scan.png",
		"../../etc/passwd":                "passwd",
		"a\"b\r\nc.pdf":                   "abc.pdf",
		"":                                "file",
		"..":                              "file",
		strings.Repeat("x", 200) + ".pdf": strings.Repeat("x", 96) + ".pdf",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
