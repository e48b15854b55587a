package fhir

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/appointment"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/ident"
	"hms/shared"
)

// The Appointment search parameters.
var (
	appointmentParams     = []string{"patient", "practitioner", "date", "status"}
	appointmentRepeatable = []string{"date"}
)

// appointmentStatus maps HMS's appointment statuses to FHIR's. HMS's checked-in is a patient
// waiting in the queue (FHIR arrived); called and in-consultation are past the desk, the consultation
// may begin or has (FHIR checked-in: "all pre-encounter administrative work is complete, and the
// encounter may begin"); the consultation itself is the Encounter.
var appointmentStatus = map[shared.AppointmentStatus]fhir.AppointmentStatus{
	shared.StatusScheduled:      fhir.AppointmentStatusBooked,
	shared.StatusCheckedIn:      fhir.AppointmentStatusArrived,
	shared.StatusCalled:         fhir.AppointmentStatusCheckedIn,
	shared.StatusInConsultation: fhir.AppointmentStatusCheckedIn,
	shared.StatusCompleted:      fhir.AppointmentStatusFulfilled,
	shared.StatusCancelled:      fhir.AppointmentStatusCancelled,
	shared.StatusNoShow:         fhir.AppointmentStatusNoshow,
}

// hmsStatuses is the reverse of appointmentStatus: the HMS statuses a FHIR status code stands for.
func hmsStatuses(code string) ([]shared.AppointmentStatus, bool) {
	var out []shared.AppointmentStatus
	known := false
	for _, st := range fhirAppointmentCodes {
		if st == code {
			known = true
		}
	}
	for hms, f := range appointmentStatus {
		if f.Code() == code {
			out = append(out, hms)
		}
	}
	slices.Sort(out)
	return out, known
}

// fhirAppointmentCodes are R4's appointment status codes.
var fhirAppointmentCodes = []string{"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
	"entered-in-error", "checked-in", "waitlist"}

// AppointmentResource maps an appointment (as the caller may see it: the reason only for a caller who
// may see the patient) to a FHIR Appointment: the status mapped, start and end in UTC, the patient and
// the doctor as participants, a walk-in or an emergency as the appointmentType (v2 0276), the reason
// as reasonCode text and, for a cancelled one, the reason given as cancelationReason.
func AppointmentResource(a shared.Appointment) fhir.Appointment {
	r := fhir.Appointment{Id: ptr(a.ID), Status: appointmentStatus[a.Status]}
	if a.Status == "" {
		r.Status = fhir.AppointmentStatusBooked
	}
	if !a.Start.IsZero() && !a.End.IsZero() {
		r.Start, r.End = ptr(a.Start.UTC().Format(time.RFC3339)), ptr(a.End.UTC().Format(time.RFC3339))
		r.MinutesDuration = ptr(int(a.End.Sub(a.Start).Minutes()))
	}
	if !a.CreatedAt.IsZero() {
		r.Created = ptr(a.CreatedAt.UTC().Format(time.RFC3339))
	}
	switch {
	case a.Emergency:
		r.AppointmentType = &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v2-0276"),
			Code: ptr("EMERGENCY"), Display: ptr("Emergency appointment")}}}
	case a.WalkIn:
		r.AppointmentType = &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v2-0276"),
			Code: ptr("WALKIN"), Display: ptr("A previously unscheduled walk-in visit")}}}
	}
	if a.Reason != "" {
		r.ReasonCode = []fhir.CodeableConcept{{Text: ptr(a.Reason)}}
	}
	if a.Department != "" {
		r.ServiceCategory = []fhir.CodeableConcept{{Text: ptr(a.Department)}}
	}
	pat := fhir.AppointmentParticipant{Actor: &fhir.Reference{Reference: ptr("Patient/" + a.PatientID), Type: ptr("Patient")},
		Required: ptr(fhir.ParticipantRequiredRequired), Status: fhir.ParticipationStatusAccepted}
	if a.PatientName != "" {
		pat.Actor.Display = ptr(a.PatientName)
	}
	r.Participant = append(r.Participant, pat)
	if a.DoctorID != "" {
		doc := fhir.AppointmentParticipant{Actor: &fhir.Reference{Reference: ptr("Practitioner/" + a.DoctorID), Type: ptr("Practitioner")},
			Required: ptr(fhir.ParticipantRequiredRequired), Status: fhir.ParticipationStatusAccepted}
		if a.DoctorName != "" {
			doc.Actor.Display = ptr(a.DoctorName)
		}
		r.Participant = append(r.Participant, doc)
	}
	if a.Status == shared.StatusCancelled {
		for i := len(a.History) - 1; i >= 0; i-- {
			if h := a.History[i]; h.Action == "cancelled" && h.Reason != "" {
				r.CancelationReason = &fhir.CodeableConcept{Text: ptr(h.Reason)}
				break
			}
		}
	}
	return r
}

// ReadAppointment handles GET /fhir/R4/Appointment/{id}: GET /api/appointments/{id}'s read, so the
// same rule (a patient their own, another's is 404; staff any, the reason only with the access rule's
// leave) and the same audit entry (appointment.read).
func (h *Handlers) ReadAppointment(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	a, err := h.readAppointment(c, c.Param("id"))
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, AppointmentResource(a))
}

// readAppointment is the service's read; an id that cannot be one is not found.
func (h *Handlers) readAppointment(c *gin.Context, id string) (shared.Appointment, error) {
	if !ident.Valid(id) {
		return shared.Appointment{}, fault.New(fault.ErrNotFound, "no Appointment with id %s", quote(id))
	}
	return h.sched.Appointments.Get(c.Request.Context(), principal(c), id)
}

// SearchAppointments handles GET /fhir/R4/Appointment?patient=&practitioner=&date=&status=: the
// service's listing under GET /api/appointments's rule (a patient only their own; asking for another's
// is 403), in start order; audited as appointment.list.
func (h *Handlers) SearchAppointments(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, appointmentParams, appointmentRepeatable)
	if !ok {
		return
	}
	f, none, ok := h.appointmentFilter(c, s)
	if !ok {
		return
	}
	var items []shared.Appointment
	total := 0
	if !none {
		var err error
		if items, total, err = h.sched.Appointments.Search(c.Request.Context(), principal(c), f, s.offset, s.count); err != nil {
			Error(c, err)
			return
		}
	}
	entries := make([]entry, len(items))
	for i, a := range items {
		entries[i] = entry{id: a.ID, resource: AppointmentResource(a)}
	}
	b, err := searchset(h.base(c), "Appointment", s, total, entries, time.Now())
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, b)
}

// appointmentFilter turns the search's parameters into the service's filter; none says nothing can
// match (an unknown id, a status HMS never has, an empty date range). It answers a bad value itself.
func (h *Handlers) appointmentFilter(c *gin.Context, s search) (f appointment.Filter, none, ok bool) {
	for _, p := range []struct {
		name, resource string
		into           *string
	}{{"patient", "Patient", &f.PatientID}, {"practitioner", "Practitioner", &f.DoctorID}} {
		v := s.values.Get(p.name)
		if v == "" {
			continue
		}
		id, okRef := refID(v, p.resource)
		if !okRef {
			invalid(c, p.name+": want "+p.resource+"/<id> or the bare id, got "+quote(v))
			return f, false, false
		}
		if !ident.Valid(id) {
			none = true // an id HMS cannot have matches nothing
		}
		*p.into = id
	}
	if v := s.values.Get("status"); v != "" {
		sts, known := hmsStatuses(v)
		if !known {
			invalid(c, "status: "+quote(v)+" is not an Appointment status ("+strings.Join(fhirAppointmentCodes, ", ")+")")
			return f, false, false
		}
		if len(sts) == 0 {
			none = true
		}
		f.Statuses = sts
	}
	from, to, empty, err := dateRange("date", s.values["date"], h.sched.Location)
	if err != nil {
		invalid(c, err.Error())
		return f, false, false
	}
	f.From, f.To = from, to
	if none || empty {
		// Still asked of the service for a patient naming another patient, so that it is refused (and
		// audited) as over REST.
		if f.PatientID != "" && ident.Valid(f.PatientID) {
			p := principal(c)
			if p.Role == shared.RolePatient && f.PatientID != p.PatientID {
				_, _, err := h.sched.Appointments.Search(c.Request.Context(), p, appointment.Filter{PatientID: f.PatientID}, 0, 1)
				Error(c, err)
				return f, false, false
			}
		}
		return f, true, true
	}
	return f, false, true
}

// appointmentIn is an Appointment as a client sends it to be booked: only the elements HMS reads.
type appointmentIn struct {
	ResourceType string `json:"resourceType"`
	Status       string `json:"status"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Description  string `json:"description"`
	Slot         []struct {
		Reference string `json:"reference"`
	} `json:"slot"`
	ReasonCode []struct {
		Text string `json:"text"`
	} `json:"reasonCode"`
	Participant []struct {
		Actor *struct {
			Reference string `json:"reference"`
		} `json:"actor"`
	} `json:"participant"`
}

// CreateAppointment handles POST /fhir/R4/Appointment: books through the appointment service's own
// booking path (POST /api/appointments): the one-winner slot claim (a taken slot is 409), a patient
// booking for themself or staff with appointment.book_for_others, and the Idempotency-Key header. The
// body is an Appointment with status proposed or booked, a Patient and a Practitioner participant and
// either a slot reference (Slot/{id} from the Slot search) or start (and end) of one free slot. It
// answers 201 with the booked Appointment and its Location.
func (h *Handlers) CreateAppointment(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	req, ok := h.bookRequest(c)
	if !ok {
		return
	}
	key, err := httpx.IdempotencyKey(c)
	if err != nil {
		Error(c, err)
		return
	}
	p := principal(c)
	r, replayed, err := h.sched.Appointments.Book(c.Request.Context(), p, req, key)
	if err != nil {
		Error(c, fhirFields(err))
		return
	}
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Header("Location", h.base(c)+"/Appointment/"+r.ID)
	write(c, http.StatusCreated, AppointmentResource(h.sched.Appointments.Shown(c.Request.Context(), p, r)))
}

// fhirFields renames the REST fields the booking path's messages name after the Appointment's.
func fhirFields(err error) error {
	if !errors.Is(err, fault.ErrInvalid) {
		return err
	}
	msg := strings.NewReplacer("patient_id", "the Patient participant", "doctor_id", "the Practitioner participant").Replace(errMessage(err))
	return fault.Invalid("%s", msg)
}

func errMessage(err error) string {
	if m, ok := fault.Public(err); ok {
		return m
	}
	return err.Error()
}

// bookRequest reads the Appointment to book; it answers a bad one itself (400 naming what is wrong).
func (h *Handlers) bookRequest(c *gin.Context) (shared.BookRequest, bool) {
	var req shared.BookRequest
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		invalid(c, "could not read the request body")
		return req, false
	}
	var in appointmentIn
	if err := json.Unmarshal(body, &in); err != nil {
		invalid(c, "the body is not an Appointment resource in JSON: "+err.Error())
		return req, false
	}
	bad := func(msg string) (shared.BookRequest, bool) { invalid(c, msg); return req, false }
	switch {
	case in.ResourceType != "Appointment":
		return bad("resourceType must be \"Appointment\", got " + quote(in.ResourceType))
	case in.Status != "proposed" && in.Status != "booked":
		return bad("status must be \"proposed\" or \"booked\" to book (the Appointment is booked at once), got " + quote(in.Status))
	}
	for i, p := range in.Participant {
		if p.Actor == nil {
			return bad("participant[" + itoa(i) + "] needs an actor (Patient/<id> or Practitioner/<id>)")
		}
		typ, id, _ := strings.Cut(p.Actor.Reference, "/")
		var into *string
		switch typ {
		case "Patient":
			into = &req.PatientID
		case "Practitioner":
			into = &req.DoctorID
		default:
			return bad("participant[" + itoa(i) + "].actor: want Patient/<id> or Practitioner/<id>, got " + quote(p.Actor.Reference))
		}
		if *into != "" {
			return bad("participant: one Patient and one Practitioner, got two " + typ + "s")
		}
		if !ident.Valid(id) {
			return bad("participant[" + itoa(i) + "].actor: " + quote(p.Actor.Reference) + " is not an HMS " + typ + " (24 hex digits)")
		}
		*into = id
	}
	p := principal(c)
	if req.PatientID == "" && p.Role != shared.RolePatient {
		return bad("participant: the Patient to book for is missing (Patient/<id>)")
	}
	switch {
	case len(in.Slot) > 1:
		return bad("slot: one Slot only")
	case len(in.Slot) == 1:
		doctorID, start, ok := slotRef(in.Slot[0].Reference)
		if !ok {
			return bad("slot: want Slot/<id> as the Slot search gives it (<doctor id>-<YYYYMMDDhhmm>), got " + quote(in.Slot[0].Reference))
		}
		if req.DoctorID != "" && req.DoctorID != doctorID {
			return bad("slot: " + quote(in.Slot[0].Reference) + " is not a slot of the Practitioner participant")
		}
		if in.Start != "" {
			if t, err := time.Parse(time.RFC3339, in.Start); err != nil || !t.Equal(start) {
				return bad("start: " + quote(in.Start) + " is not the start of the slot " + quote(in.Slot[0].Reference))
			}
		}
		req.DoctorID, req.Start = doctorID, start
	case in.Start == "":
		return bad("start (or a slot reference) is required: the start of one free slot (GET " + Base + "/Slot)")
	default:
		t, err := time.Parse(time.RFC3339, in.Start)
		if err != nil {
			return bad("start: want an instant such as 2030-01-07T09:00:00Z, got " + quote(in.Start))
		}
		req.Start = t
	}
	if req.DoctorID == "" {
		return bad("participant: the Practitioner is missing (Practitioner/<id>)")
	}
	if in.End != "" {
		end, err := time.Parse(time.RFC3339, in.End)
		if err != nil {
			return bad("end: want an instant such as 2030-01-07T09:15:00Z, got " + quote(in.End))
		}
		d, err := h.doctor(c, req.DoctorID)
		if err == nil && d.SlotMinutes > 0 && !end.Equal(req.Start.Add(time.Duration(d.SlotMinutes)*time.Minute)) {
			return bad("end: a booking is one slot of " + itoa(d.SlotMinutes) + " minutes, so end must be " +
				req.Start.Add(time.Duration(d.SlotMinutes)*time.Minute).UTC().Format(time.RFC3339))
		}
	}
	switch {
	case len(in.ReasonCode) > 0 && in.ReasonCode[0].Text != "":
		req.Reason = in.ReasonCode[0].Text
	default:
		req.Reason = in.Description
	}
	return req, true
}

// slotRef reads a Slot reference (Slot/{doctor id}-{YYYYMMDDhhmm}, the start in UTC).
func slotRef(ref string) (string, time.Time, bool) {
	id, ok := strings.CutPrefix(ref, "Slot/")
	if !ok {
		return "", time.Time{}, false
	}
	doctorID, stamp, ok := strings.Cut(id, "-")
	if !ok || !ident.Valid(doctorID) {
		return "", time.Time{}, false
	}
	t, err := time.Parse("200601021504", stamp)
	if err != nil {
		return "", time.Time{}, false
	}
	return doctorID, t.UTC(), true
}

// PatchAppointment handles PATCH /fhir/R4/Appointment/{id} with a JSON Patch (RFC 6902,
// application/json-patch+json): the one change served is cancelling — status replaced by "cancelled",
// with cancelationReason.text as the reason when given — which goes through the service's cancel path
// (POST /api/appointments/{id}/cancel). The patch is applied to the Appointment as the caller reads it;
// any other difference is 422 naming the element.
func (h *Handlers) PatchAppointment(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	if ct := c.ContentType(); ct != "application/json-patch+json" {
		writeOutcome(c, http.StatusUnsupportedMediaType, outcome(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"PATCH takes a JSON Patch: Content-Type application/json-patch+json, got "+quote(ct), ""))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		invalid(c, "could not read the request body")
		return
	}
	patch, err := jsonpatch.DecodePatch(body)
	if err != nil || len(patch) == 0 {
		invalid(c, "the body is not a JSON Patch (a non-empty array of operations, RFC 6902)")
		return
	}
	h.changeAppointment(c, func(current []byte) ([]byte, string) {
		out, err := patch.Apply(current)
		if err != nil {
			return nil, "the patch cannot be applied to the Appointment as it is: " + err.Error()
		}
		return out, ""
	})
}

// UpdateAppointment handles PUT /fhir/R4/Appointment/{id}: the Appointment as the caller read it with
// status "cancelled" (and optionally a cancelationReason) cancels it, as PATCH does; any other
// difference is 422 naming the element. Creating by PUT is not served (an unknown id is 404).
func (h *Handlers) UpdateAppointment(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		invalid(c, "could not read the request body")
		return
	}
	var probe map[string]any
	if err := json.Unmarshal(body, &probe); err != nil {
		invalid(c, "the body is not an Appointment resource in JSON")
		return
	}
	if probe["resourceType"] != "Appointment" || probe["id"] != c.Param("id") {
		invalid(c, "the body must be the Appointment with resourceType \"Appointment\" and id "+quote(c.Param("id"))+" (the id of the URL)")
		return
	}
	h.changeAppointment(c, func([]byte) ([]byte, string) { return body, "" })
}

// changeAppointment reads the Appointment as the caller may, has change make the wanted one from it,
// and cancels when the wanted one differs only by status cancelled and a cancelationReason.
func (h *Handlers) changeAppointment(c *gin.Context, change func(current []byte) ([]byte, string)) {
	id := c.Param("id")
	a, err := h.readAppointment(c, id)
	if err != nil {
		Error(c, err)
		return
	}
	current, err := json.Marshal(AppointmentResource(a))
	if err != nil {
		Error(c, err)
		return
	}
	wanted, problem := change(current)
	if problem != "" {
		unprocessable(c, problem)
		return
	}
	var before, after map[string]any
	_ = json.Unmarshal(current, &before)
	if err := json.Unmarshal(wanted, &after); err != nil {
		invalid(c, "the changed Appointment is not a JSON object")
		return
	}
	var changed []string
	for _, k := range keys(before, after) {
		if k == "meta" || k == "text" || k == "status" || k == "cancelationReason" {
			continue
		}
		if !reflect.DeepEqual(before[k], after[k]) {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		unprocessable(c, "only cancelling is supported (status \"cancelled\", optionally with cancelationReason.text): Appointment."+
			strings.Join(changed, ", Appointment.")+" cannot be changed here")
		return
	}
	status, _ := after["status"].(string)
	switch {
	case status == before["status"] && reflect.DeepEqual(before["cancelationReason"], after["cancelationReason"]):
		write(c, http.StatusOK, AppointmentResource(a)) // nothing to do
		return
	case status != "cancelled":
		unprocessable(c, "status can only be changed to \"cancelled\" here (got "+quote(status)+"); the queue moves the others")
		return
	}
	reason := "Cancelled through the FHIR API"
	if cr, ok := after["cancelationReason"].(map[string]any); ok {
		if text, ok := cr["text"].(string); ok && strings.TrimSpace(text) != "" {
			reason = text
		}
	}
	if _, err := h.sched.Appointments.Cancel(c.Request.Context(), principal(c), id, shared.ReasonRequest{Reason: reason}); err != nil {
		Error(c, err)
		return
	}
	if a, err = h.readAppointment(c, id); err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, AppointmentResource(a))
}

// unprocessable answers 422: a well-formed change this server does not make (issue type
// business-rule).
func unprocessable(c *gin.Context, message string) {
	oo := outcome(http.StatusUnprocessableEntity, "unsupported_change", message, "")
	oo.Issue[0].Code = fhir.IssueTypeBusinessRule
	writeOutcome(c, http.StatusUnprocessableEntity, oo)
}

// itoa is strconv.Itoa.
func itoa(n int) string { return strconv.Itoa(n) }

// keys is the union of the maps' keys, sorted.
func keys(a, b map[string]any) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
