package fhir

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// The Observation search parameters.
var (
	observationParams     = []string{"_id", "patient", "category", "code", "date"}
	observationRepeatable = []string{"date"}
)

// The Observation categories served.
const (
	CategoryVitalSigns = "vital-signs"
	CategoryLaboratory = "laboratory"
)

// vital is one kind of vital sign: the part of its Observation id, its LOINC code(s) (the first is the
// one the FHIR vital-signs profile requires) and, for a single value, its UCUM unit.
type vital struct {
	key     string
	codes   [][2]string // code, display
	text    string
	unit    string // as shown
	ucum    string // the UCUM code
	float   func(shared.Vitals) *float64
	integer func(shared.Vitals) *int
}

// vitals are the vital signs the chart records, in the order of a reading's Observations. Blood
// pressure is a panel with two components (below).
var vitals = []vital{
	{key: "hr", codes: [][2]string{{"8867-4", "Heart rate"}}, text: "Heart rate", unit: "beats/minute", ucum: "/min",
		integer: func(v shared.Vitals) *int { return v.PulseBPM }},
	{key: "bp", codes: [][2]string{{"85354-9", "Blood pressure panel with all children optional"}}, text: "Blood pressure"},
	{key: "temp", codes: [][2]string{{"8310-5", "Body temperature"}}, text: "Body temperature", unit: "C", ucum: "Cel",
		float: func(v shared.Vitals) *float64 { return v.TemperatureC }},
	{key: "rr", codes: [][2]string{{"9279-1", "Respiratory rate"}}, text: "Respiratory rate", unit: "breaths/minute", ucum: "/min",
		integer: func(v shared.Vitals) *int { return v.RespiratoryRate }},
	{key: "spo2", codes: [][2]string{{"2708-6", "Oxygen saturation in Arterial blood"},
		{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}}, text: "Oxygen saturation", unit: "%", ucum: "%",
		integer: func(v shared.Vitals) *int { return v.SpO2Percent }},
	{key: "wt", codes: [][2]string{{"29463-7", "Body weight"}}, text: "Body weight", unit: "kg", ucum: "kg",
		float: func(v shared.Vitals) *float64 { return v.WeightKg }},
	{key: "ht", codes: [][2]string{{"8302-2", "Body height"}}, text: "Body height", unit: "cm", ucum: "cm",
		float: func(v shared.Vitals) *float64 { return v.HeightCm }},
}

func (v vital) code() fhir.CodeableConcept {
	cc := fhir.CodeableConcept{Text: ptr(v.text)}
	for _, c := range v.codes {
		cc.Coding = append(cc.Coding, fhir.Coding{System: ptr(SystemLOINC), Code: ptr(c[0]), Display: ptr(c[1])})
	}
	return cc
}

// category is an Observation category of observation-category.
func category(code string) []fhir.CodeableConcept {
	display := map[string]string{CategoryVitalSigns: "Vital Signs", CategoryLaboratory: "Laboratory"}[code]
	return []fhir.CodeableConcept{concept(SystemObsCategory, code, display)}
}

// VitalObservations maps one vitals reading of an encounter to FHIR Observations of the vital-signs
// profile, one per sign recorded (blood pressure as the panel 85354-9 with systolic 8480-6 and
// diastolic 8462-4 components): status final (readings are never changed), category vital-signs, the
// LOINC code, the value in its UCUM unit, the encounter, the time it was recorded as effective and
// issued, and the doctor who recorded it as performer (staff are not served as Practitioners). The
// id is vs-<encounter>-<reading>-<sign>.
func VitalObservations(patientID string, r shared.VitalsReading) []fhir.Observation {
	var out []fhir.Observation
	at := r.RecordedAt.UTC().Format(instant)
	for _, v := range vitals {
		o := fhir.Observation{Id: ptr(VitalID(r.EncounterID, r.ID, v.key)), Status: fhir.ObservationStatusFinal,
			Category: category(CategoryVitalSigns), Code: v.code(), Subject: reference("Patient", patientID),
			Encounter: reference("Encounter", r.EncounterID), EffectiveDateTime: ptr(at), Issued: ptr(at)}
		if r.RecordedByRole == shared.RoleDoctor && r.RecordedBy != "" {
			o.Performer = []fhir.Reference{*reference("Practitioner", r.RecordedBy)}
		}
		switch {
		case v.key == "bp":
			if r.Vitals.SystolicMMHg == nil || r.Vitals.DiastolicMMHg == nil {
				continue
			}
			o.Component = []fhir.ObservationComponent{
				{Code: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(SystemLOINC), Code: ptr("8480-6"), Display: ptr("Systolic blood pressure")}},
					Text: ptr("Systolic blood pressure")}, ValueQuantity: ucum(float64(*r.Vitals.SystolicMMHg), "mmHg", "mm[Hg]")},
				{Code: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(SystemLOINC), Code: ptr("8462-4"), Display: ptr("Diastolic blood pressure")}},
					Text: ptr("Diastolic blood pressure")}, ValueQuantity: ucum(float64(*r.Vitals.DiastolicMMHg), "mmHg", "mm[Hg]")},
			}
		case v.integer != nil:
			n := v.integer(r.Vitals)
			if n == nil {
				continue
			}
			o.ValueQuantity = ucum(float64(*n), v.unit, v.ucum)
		default:
			f := v.float(r.Vitals)
			if f == nil {
				continue
			}
			o.ValueQuantity = ucum(*f, v.unit, v.ucum)
		}
		out = append(out, o)
	}
	return out
}

// VitalID is the Observation id of one sign of a vitals reading.
func VitalID(encounterID, readingID, sign string) string {
	return "vs-" + encounterID + "-" + readingID + "-" + sign
}

// LabID is the Observation id of the n-th result (from 1) of a released lab report.
func LabID(orderID string, n int) string { return "lab-" + orderID + "-" + strconv.Itoa(n) }

// interpretations are the lab's abnormal flags as v3 ObservationInterpretation codes (the same letters).
var interpretations = map[string]string{shared.FlagCriticalLow: "Critical low", shared.FlagLow: "Low",
	shared.FlagNormal: "Normal", shared.FlagHigh: "High", shared.FlagCriticalHigh: "Critical high"}

// LabObservations maps a released lab report's results to FHIR Observations: status final, category
// laboratory, the test as code (HMS's test code, system urn:hms:lab-test, with its name; HMS keeps no
// LOINC catalogue), the numeric value with the lab's unit as written (not claimed to be UCUM) or the
// text value, the normal reference range (low, high, or its text), the abnormal flag as
// interpretation (LL, L, N, H, HH of v3 ObservationInterpretation), the comment as a note, when the
// results were entered as effective and when the report was released as issued. An order that is not
// released has none.
func LabObservations(o shared.LabOrder) []fhir.Observation {
	if o.Status != shared.LabReleased {
		return nil
	}
	names := map[string]string{}
	for _, t := range o.Tests {
		names[t.Code] = t.Name
	}
	var out []fhir.Observation
	for i, r := range o.Results {
		name := names[r.Code]
		if name == "" {
			name = r.Code
		}
		ob := fhir.Observation{Id: ptr(LabID(o.ID, i+1)), Status: fhir.ObservationStatusFinal, Category: category(CategoryLaboratory),
			Code:    fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(SystemLabTest), Code: ptr(r.Code), Display: ptr(name)}}, Text: ptr(name)},
			Subject: reference("Patient", o.PatientID)}
		if o.EncounterID != "" {
			ob.Encounter = reference("Encounter", o.EncounterID)
		}
		if o.ResultedAt != nil {
			ob.EffectiveDateTime = ptr(o.ResultedAt.UTC().Format(instant))
		}
		if o.ReleasedAt != nil {
			ob.Issued = ptr(o.ReleasedAt.UTC().Format(instant))
		}
		quantity := func(v float64) *fhir.Quantity {
			q := &fhir.Quantity{Value: number(v)}
			if r.Unit != "" {
				q.Unit = ptr(r.Unit)
			}
			return q
		}
		switch {
		case r.Value != nil:
			ob.ValueQuantity = quantity(*r.Value)
		case r.Text != "":
			ob.ValueString = ptr(r.Text)
		default:
			ob.DataAbsentReason = &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/data-absent-reason"),
				Code: ptr("unknown"), Display: ptr("Unknown")}}}
		}
		if rg := r.Range; rg.Low != nil || rg.High != nil || rg.Text != "" {
			rr := fhir.ObservationReferenceRange{Type: &fhir.CodeableConcept{Coding: []fhir.Coding{{
				System: ptr("http://terminology.hl7.org/CodeSystem/referencerange-meaning"), Code: ptr("normal"), Display: ptr("Normal Range")}}}}
			if rg.Low != nil {
				rr.Low = quantity(*rg.Low)
			}
			if rg.High != nil {
				rr.High = quantity(*rg.High)
			}
			if rg.Text != "" {
				rr.Text = ptr(rg.Text)
			}
			ob.ReferenceRange = []fhir.ObservationReferenceRange{rr}
		}
		if display, ok := interpretations[r.Flag]; ok {
			ob.Interpretation = []fhir.CodeableConcept{concept(SystemInterpretation, r.Flag, display)}
		}
		if r.Comment != "" {
			ob.Note = []fhir.Annotation{{Text: r.Comment}}
		}
		out = append(out, ob)
	}
	return out
}

// observationAt is when an Observation took effect.
func observationAt(o fhir.Observation) time.Time {
	if o.EffectiveDateTime == nil {
		return time.Time{}
	}
	t, _ := time.Parse(instant, *o.EffectiveDateTime)
	return t
}

// ReadObservation handles GET /fhir/R4/Observation/{id}: a vital sign (vs-…), read through the
// chart's encounter read (chart.read, the clinical access rule, audited as GET /api/encounters/{id}),
// or a result of a released lab report (lab-…), read through the lab order read (the access rule,
// audited as GET /api/lab-orders/{id}). A lab result of a report not released is 404 for everyone.
func (cl *Clinical) ReadObservation(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	notFound := fault.New(fault.ErrNotFound, "no Observation with id %s", quote(id))
	p, ctx := principal(c), c.Request.Context()
	parts := strings.Split(id, "-")
	switch {
	case len(parts) == 4 && parts[0] == "vs" && ident.Valid(parts[1]) && ident.Valid(parts[2]):
		if !can(c, p, shared.PermChartRead) {
			return
		}
		e, err := cl.Charts.Get(ctx, p, parts[1])
		if err != nil {
			Error(c, err)
			return
		}
		for _, r := range e.Vitals {
			if r.ID != parts[2] {
				continue
			}
			for _, o := range VitalObservations(e.PatientID, r) {
				if *o.Id == id {
					write(c, http.StatusOK, o)
					return
				}
			}
		}
	case len(parts) == 3 && parts[0] == "lab" && ident.Valid(parts[1]):
		o, err := cl.Labs.Get(ctx, p, parts[1])
		if err != nil {
			Error(c, err)
			return
		}
		for _, ob := range LabObservations(o) {
			if *ob.Id == id {
				write(c, http.StatusOK, ob)
				return
			}
		}
	}
	Error(c, notFound)
}

// SearchObservations handles GET /fhir/R4/Observation?patient=&category=&code=&date=&_id=: one
// patient's vital signs (through the chart's encounter list: chart.read and the clinical access rule,
// audited as encounter.read) and released lab results (through the lab order list: the access rule,
// audited as lab.read), newest first. A patient searches their own; the staff-side roles name the
// patient. Without a category, a caller not granted chart.read is refused (403) rather than given the
// lab results alone.
func (cl *Clinical) SearchObservations(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, observationParams, observationRepeatable)
	if !ok {
		return
	}
	p, ctx := principal(c), c.Request.Context()
	patientID, ok := patientParam(c, s, p, "patient")
	if !ok {
		return
	}
	when, ok := dateParam(c, s, "date")
	if !ok {
		return
	}
	wantVitals, wantLab := true, true
	if v := s.values.Get("category"); v != "" {
		wantVitals = tokenMatches(v, category(CategoryVitalSigns)[0].Coding)
		wantLab = tokenMatches(v, category(CategoryLaboratory)[0].Coding)
	}
	var obs []fhir.Observation
	if wantVitals {
		if !can(c, p, shared.PermChartRead) {
			return
		}
		list, err := cl.Charts.List(ctx, p, patientID, 1, all)
		if err != nil {
			Error(c, err)
			return
		}
		for _, e := range list.Items {
			for _, r := range e.Vitals {
				obs = append(obs, VitalObservations(e.PatientID, r)...)
			}
		}
	}
	if wantLab || !wantVitals {
		// A category served by neither matches nothing, but the access rule is still asked (and audits).
		list, err := cl.Labs.List(ctx, p, patientID, 1, all)
		if err != nil {
			Error(c, err)
			return
		}
		for _, o := range list.Items {
			if wantLab {
				obs = append(obs, LabObservations(o)...)
			}
		}
	}
	id, code := idParam(s), s.values.Get("code")
	var matches []sortedEntry
	for _, o := range obs {
		at := observationAt(o)
		if (id != "" && *o.Id != id) || (code != "" && !tokenMatches(code, o.Code.Coding)) || !when.has(at) {
			continue
		}
		matches = append(matches, sortedEntry{entry: entry{*o.Id, o}, at: at})
	}
	cl.answer(c, "Observation", s, matches)
}
