package billing_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// TestProceduresChargedThroughReactions: through the router and the reaction bus, a procedure recorded
// in the chart posts one charge (quantity × its code's price, the price's kind), however often the
// request is repeated and on however many instances; one entered in error has its unbilled charge voided;
// one already on an invoice keeps its charge; a price change later charges nothing again.
func TestProceduresChargedThroughReactions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	sibling := env.Sibling()
	env.Put("/api/billing/prices/PROC-SUTURE", h.Admin.Token, map[string]any{"name": "Wound suturing", "kind": "procedure", "amount": 6000}).Want(t, 200)
	env.Put("/api/billing/prices/TRT-NEB", h.Admin.Token, map[string]any{"name": "Nebuliser treatment", "kind": "treatment", "amount": 1500, "tax_bp": 2000}).Want(t, 200)
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	appt := env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	var enc shared.Encounter
	env.Post("/api/patients/"+pid+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: appt.ID, Reason: "cut"}).
		Want(t, http.StatusCreated).Decode(t, &enc)
	record := func(on *apptest.Env, key string, body any) shared.Procedure {
		var p shared.Procedure
		on.Do(apptest.Request{Method: "POST", Path: "/api/encounters/" + enc.ID + "/procedures", Token: h.Doctor.Token,
			Header: map[string]string{"Idempotency-Key": key}, Body: body}).Want(t, http.StatusCreated).Decode(t, &p)
		return p
	}
	charges := "/api/patients/" + pid + "/charges"
	list := func() map[string]billing.Charge {
		var cs chargeList
		env.Get(charges, h.Staff.Token).Want(t, 200).Decode(t, &cs)
		out := map[string]billing.Charge{}
		for _, c := range cs.Items {
			out[c.ID] = c
		}
		return out
	}

	// The sutures, sent six times at once over two instances; the nebuliser once.
	suture := map[string]any{"code": "PROC-SUTURE", "quantity": 3}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			on := env
			if i%2 == 1 {
				on = sibling
			}
			record(on, "sut-1", suture)
		})
	}
	wg.Wait()
	sut := record(env, "sut-1", suture)
	neb := record(sibling, "neb-1", map[string]any{"code": "TRT-NEB"})
	sutID, nebID := "chg:procedure:"+sut.ID, "chg:procedure:"+neb.ID
	eventually(t, "the procedures' charges", func() bool { cs := list(); return cs[sutID].ID != "" && cs[nebID].ID != "" })
	time.Sleep(300 * time.Millisecond) // a second run of a reaction would show now
	cs := list()
	if s, n := cs[sutID], cs[nebID]; len(cs) != 2 || s.Kind != billing.Procedure || s.Quantity != 3 || s.Total != 18000 ||
		s.Description != "Wound suturing" || s.Source != "procedure:"+sut.ID || n.Kind != billing.Treatment || n.Total != 1800 {
		t.Fatalf("got %+v, want the sutures (3 × 6000) and the nebuliser (1500 + 20%%) charged once each", cs)
	}

	// The nebuliser goes on an invoice; then both are entered in error.
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid, ChargeIDs: []string{nebID}}).Want(t, http.StatusCreated)
	for _, p := range []shared.Procedure{sut, neb} {
		env.Post("/api/procedures/"+p.ID+"/entered-in-error", h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "recorded twice"}).
			Want(t, http.StatusOK)
	}
	eventually(t, "the sutures' charge voided", func() bool { c := list()[sutID]; return c.Void != nil })
	time.Sleep(300 * time.Millisecond)
	cs = list()
	if s := cs[sutID]; s.Void.Reason != "procedure entered in error" || s.Void.By != h.Doctor.ID() {
		t.Errorf("got %+v, want the sutures' charge voided by the doctor: procedure entered in error", s.Void)
	}
	if n := cs[nebID]; n.Void != nil || n.InvoiceID == "" {
		t.Errorf("got %+v, want the billed nebuliser left on its invoice", n)
	}
	if !containsLog(env.Logs(), "a procedure entered in error is billed already") {
		t.Error("the log does not say the billed procedure's charge was left for a credit note")
	}
	// A price change afterwards charges nothing again.
	env.Put("/api/billing/prices/PROC-SUTURE", h.Admin.Token, map[string]any{"name": "Wound suturing", "kind": "procedure", "amount": 9000}).Want(t, 200)
	record(env, "sut-1", suture)
	if got := list(); len(got) != 2 || got[sutID].Total != 18000 {
		t.Errorf("after a price change and a repeat: got %+v, want the two charges as they were", got)
	}
}

func containsLog(logs, s string) bool { return strings.Contains(logs, s) }
