package fhir

import (
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// The Slot search parameters: schedule and start are required.
var slotParams = []string{"schedule", "start", "status"}

// SlotResource maps a free slot of a doctor to a FHIR Slot. A doctor's schedule is
// Schedule/<doctor id> (the Schedule resource itself is not served yet); the slot's id is the doctor's
// id and the start (UTC, to the minute), since slots are computed, never stored.
func SlotResource(d shared.Doctor, s shared.Slot) fhir.Slot {
	sl := fhir.Slot{Id: ptr(d.ID + "-" + s.Start.UTC().Format("200601021504")), Status: fhir.SlotStatusFree,
		Schedule: fhir.Reference{Reference: ptr("Schedule/" + d.ID), Type: ptr("Schedule"), Display: ptr(d.Name)},
		Start:    s.Start.UTC().Format(time.RFC3339), End: s.End.UTC().Format(time.RFC3339)}
	if d.Specialty != "" {
		sl.Specialty = []fhir.CodeableConcept{{Text: ptr(d.Specialty)}}
	}
	return sl
}

// SearchSlots handles GET /fhir/R4/Slot?schedule=Schedule/{doctor}&start={date}[&status=free]: the
// doctor's free slots that day in the hospital's time zone (GET /api/doctors/{id}/slots, which any
// signed-in user may call and which is not audited). Only free slots are listed: status, when given,
// must be free.
func (h *Handlers) SearchSlots(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, slotParams, nil)
	if !ok {
		return
	}
	schedule := strings.TrimPrefix(s.values.Get("schedule"), "Schedule/")
	date := strings.TrimPrefix(s.values.Get("start"), "eq")
	switch {
	case schedule == "" || date == "":
		invalid(c, "a Slot search needs schedule=Schedule/<doctor id> and start=YYYY-MM-DD (one day)")
		return
	case s.values.Get("status") != "" && s.values.Get("status") != "free":
		invalid(c, "status: only free slots are served (status=free)")
		return
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		invalid(c, "start: want one day, YYYY-MM-DD (optionally eqYYYY-MM-DD), got "+quote(s.values.Get("start")))
		return
	}
	var list shared.SlotList
	var d shared.Doctor
	err := fault.New(fault.ErrNotFound, "no Schedule %s", quote(s.values.Get("schedule")))
	if ident.Valid(schedule) {
		if d, err = h.doctors.Get(c.Request.Context(), schedule); err == nil {
			list, err = h.doctors.Slots(c.Request.Context(), schedule, date)
		}
	}
	if errors.Is(err, fault.ErrNotFound) {
		// An unknown schedule matches nothing.
		list, err = shared.SlotList{}, nil
	}
	if err != nil {
		Error(c, err)
		return
	}
	answerPage(c, h.base(c), "Slot", s, list.Slots, func(sl shared.Slot) (entry, error) {
		r := SlotResource(d, sl)
		return entry{id: *r.Id, resource: r}, nil
	})
}
