package app

import (
	"context"
	"fmt"

	"hms/server/internal/appointment"
	"hms/server/internal/billing"
	"hms/server/internal/reaction"
	"hms/server/internal/report"
	"hms/server/internal/ward"
)

// subscribeReports feeds the hospital's figures (package report): each event another domain announces
// becomes facts under ids derived from it, so a reaction run again (a crash, a second instance) counts
// nothing twice, and a Must reaction is never lost.
func (a *App) subscribeReports() {
	b, r := a.Bus, a.Reports
	visit := func(ctx context.Context, c appointment.Change) error {
		st, err := a.Appointments.Stepped(ctx, c)
		if err != nil {
			return err
		}
		s := st.State
		return r.Record(ctx, r.VisitFacts(report.Visit{AppointmentID: s.ID, Step: st.Step, Action: st.Action, At: st.At,
			Department: s.Department, DoctorID: s.DoctorID, TicketDepartment: s.Ticket.Department, TicketDay: s.Ticket.Day,
			CheckedInAt: s.Ticket.CheckedInAt, CalledAt: s.Ticket.CalledAt, CalledBy: s.Ticket.CalledBy,
			StartedAt: s.Ticket.StartedAt, FinishedAt: s.Ticket.FinishedAt})...)
	}
	reaction.Must(b, "report.booked", func(ctx context.Context, e appointment.Booked) error { return visit(ctx, e.Change) })
	reaction.Must(b, "report.cancelled", func(ctx context.Context, e appointment.Cancelled) error { return visit(ctx, e.Change) })
	reaction.Must(b, "report.no-show", func(ctx context.Context, e appointment.NoShowed) error { return visit(ctx, e.Change) })
	reaction.Must(b, "report.called", func(ctx context.Context, e appointment.Called) error { return visit(ctx, e.Change) })
	reaction.Must(b, "report.finished", func(ctx context.Context, e appointment.Finished) error { return visit(ctx, e.Change) })

	stay := func(ctx context.Context, id string, first bool) (report.Stay, error) {
		rec, steps, err := a.wards.Stay(ctx, id)
		if err != nil {
			return report.Stay{}, err
		}
		wardID := rec.WardID
		if first && len(steps) > 0 {
			wardID = steps[0].State.WardID // admitted to, whatever transfers came since
		}
		dept, err := a.wards.Department(ctx, wardID)
		return report.Stay{AdmissionID: rec.ID, Department: dept, AdmittedAt: rec.AdmittedAt, DischargedAt: rec.DischargedAt}, err
	}
	reaction.Must(b, "report.admitted", func(ctx context.Context, e ward.Admitted) error {
		st, err := stay(ctx, e.AdmissionID, true)
		if err != nil {
			return err
		}
		return r.Record(ctx, r.AdmittedFacts(st)...)
	})
	reaction.Must(b, "report.discharged", func(ctx context.Context, e ward.Discharged) error {
		st, err := stay(ctx, e.AdmissionID, false)
		if err != nil {
			return err
		}
		return r.Record(ctx, r.DischargedFacts(st)...)
	})

	reaction.Must(b, "report.invoice-issued", func(ctx context.Context, e billing.InvoiceIssued) error {
		inv, err := a.Billing.Invoice(ctx, e.InvoiceID)
		if err != nil {
			return err
		}
		if inv.IssuedAt == nil {
			return fmt.Errorf("invoice %s announced issued has no issue time", inv.ID)
		}
		return r.Record(ctx, r.InvoiceFacts(inv.ID, *inv.IssuedAt, inv.Totals.Total)...)
	})
	reaction.Must(b, "report.credit-note-issued", func(ctx context.Context, e billing.CreditNoteIssued) error {
		cn, err := a.Billing.CreditNote(ctx, e.InvoiceID, e.NoteID)
		if err != nil {
			return err
		}
		if cn.IssuedAt == nil {
			return fmt.Errorf("credit note %s announced issued has no issue time", cn.ID)
		}
		return r.Record(ctx, r.CreditFacts(cn.ID, *cn.IssuedAt, -cn.Totals.Total)...)
	})
	reaction.Must(b, "report.ledger-entered", func(ctx context.Context, e billing.LedgerEntered) error {
		en, settled, err := a.Billing.LedgerFacts(ctx, e.Op)
		if err != nil {
			return err
		}
		return r.Record(ctx, r.EntryFacts(report.Entry{Op: en.Op, InvoiceID: en.InvoiceID, Refund: en.Kind == billing.RefundEntry,
			Amount: en.Amount, At: en.At, SettledFrom: settled})...)
	})
	reaction.Must(b, "report.claim-moved", func(ctx context.Context, e billing.ClaimMoved) error {
		m, err := a.Billing.ClaimMoveAt(ctx, e.ClaimID, e.Seq)
		if err != nil {
			return err
		}
		return r.Record(ctx, r.ClaimFacts(report.ClaimMove{ClaimID: m.ClaimID, Seq: m.Seq, Status: string(m.Status), At: m.At,
			Amount: m.Amount, Approved: m.Approved, Paid: m.Paid})...)
	})
}

// census is each department's beds and occupied beds now, from the wards.
func (a *App) census(ctx context.Context) (map[string]report.Beds, error) {
	ws, err := a.wards.Wards(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]report.Beds{}
	for _, w := range ws.Items {
		b := out[w.Department]
		b.Beds += int64(w.Total)
		b.Occupied += int64(w.Occupied)
		out[w.Department] = b
	}
	return out, nil
}
