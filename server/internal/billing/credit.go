package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/idem"
)

// CreditNote corrects an issued invoice: it takes back some or all of its lines, with negative amounts,
// under its own number (CN-2026-000001). Like an invoice it is issuing, then issued, and never changes.
type CreditNote struct {
	ID        string `json:"id"`
	InvoiceID string `json:"invoice_id"`
	PatientID string `json:"patient_id"`
	// N is the note's place among its invoice's credit notes (1, 2, …), unique per invoice: two notes
	// written at once on one invoice cannot both take the same place, so neither is checked against a
	// credited total that misses the other.
	N int `json:"-"`
	// Fingerprint is the hash of the request that made the note: the same key with another request is
	// a conflict, not a replay.
	Fingerprint string `json:"-"`
	Status      Status `json:"status"`
	Currency    string `json:"currency"`
	Reason      string `json:"reason"`
	// Lines are the invoice's lines taken back: the quantity credited, negative amounts.
	Lines     []Line     `json:"lines"`
	Totals    Totals     `json:"totals"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	Number    string     `json:"number,omitempty"`
	Year      int        `json:"year,omitempty"`
	Seq       int        `json:"seq,omitempty"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
}

// CreditLine asks to credit one line of an invoice: Quantity of it, or all that is not credited yet
// when Quantity is 0.
type CreditLine struct {
	ChargeID string `json:"charge_id"`
	Quantity int    `json:"quantity"`
}

// CreditRequest asks for a credit note: the lines to credit (every line's remainder when none are
// named) and why.
type CreditRequest struct {
	Lines  []CreditLine `json:"lines"`
	Reason string       `json:"reason"`
}

var errOverCredit = fault.Coded(fault.ErrConflict, "credit_exceeds_invoice", "that would credit more than was invoiced")

// creditID derives a credit note's id from the request that makes it, so a retried request (the same
// Idempotency-Key from the same user on the same invoice) finds the note it made.
func creditID(invoiceID, by, key string) string {
	h := sha256.Sum256([]byte(invoiceID + "\x00" + by + "\x00" + key))
	return "cn_" + hex.EncodeToString(h[:16])
}

// Credit writes and issues a credit note on an issued invoice, once per key. The credited lines are
// checked against what the invoice's earlier notes credited; a note takes the next place (n) among its
// invoice's notes by an insert under a unique index, so two notes written at once are checked one
// after the other, never both against the same total.
func (s *Service) Credit(ctx context.Context, invoiceID string, req CreditRequest, by, key string) (CreditNote, bool, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	if err := checkText("reason", req.Reason, maxText, true); err != nil {
		return CreditNote{}, false, err
	}
	if key == "" {
		return CreditNote{}, false, fault.Invalid("an Idempotency-Key header is required, so that a retried request credits once")
	}
	seen := map[string]bool{}
	for _, l := range req.Lines {
		switch {
		case l.ChargeID == "":
			return CreditNote{}, false, fault.Invalid("each line needs a charge_id")
		case seen[l.ChargeID]:
			return CreditNote{}, false, fault.Invalid("charge %s is named twice", l.ChargeID)
		case l.Quantity < 0 || l.Quantity > maxQuantity:
			return CreditNote{}, false, fault.Invalid("quantity must be between 1 and %d (or 0: all that is left)", maxQuantity)
		}
		seen[l.ChargeID] = true
	}
	inv, err := s.Invoice(ctx, invoiceID)
	if err != nil {
		return CreditNote{}, false, err
	}
	if inv.Status != Issued {
		return CreditNote{}, false, errNotIssued
	}
	id := creditID(invoiceID, by, key)
	body, err := json.Marshal(req)
	if err != nil {
		return CreditNote{}, false, err
	}
	fp := idem.Fingerprint(body)
	for attempt := 0; ; attempt++ {
		notes, err := s.store.CreditNotes(ctx, invoiceID)
		if err != nil {
			return CreditNote{}, false, err
		}
		for _, n := range notes {
			if n.ID == id {
				if n.Fingerprint != fp {
					return CreditNote{}, false, idem.ErrMismatch
				}
				cn, err := s.finishCredit(ctx, n, true)
				return cn, true, err
			}
		}
		lines, err := creditLines(inv, notes, req.Lines)
		if err != nil {
			return CreditNote{}, false, err
		}
		t, err := creditTotal(lines)
		if err != nil {
			return CreditNote{}, false, err
		}
		cn := CreditNote{ID: id, InvoiceID: inv.ID, PatientID: inv.PatientID, N: len(notes) + 1, Status: Issuing,
			Currency: inv.Currency, Reason: req.Reason, Lines: lines, Totals: t, CreatedAt: s.clock(), CreatedBy: by, Fingerprint: fp}
		if len(notes) > 0 {
			cn.N = notes[len(notes)-1].N + 1
		}
		err = s.store.InsertCreditNote(ctx, cn)
		if err == nil {
			cn, err := s.finishCredit(ctx, cn, false) // inserted just now: not numbered yet
			return cn, false, err
		}
		if !errors.Is(err, ErrDuplicate) {
			return CreditNote{}, false, err
		}
		// Another note took that place, or this request's retry made this one: read them again.
		if attempt == 100 {
			return CreditNote{}, false, fmt.Errorf("write a credit note: still contended after %d attempts", attempt)
		}
		if err := ctx.Err(); err != nil {
			return CreditNote{}, false, err
		}
	}
}

// creditLines builds a note's lines: each named line of inv (every line when none are), for the
// quantity asked or all that earlier notes left, with negative amounts. The last of a line's quantity
// takes back exactly what is left of its amounts, so crediting in parts never drifts by a rounding.
func creditLines(inv Invoice, notes []CreditNote, asked []CreditLine) ([]Line, error) {
	type done struct {
		qty      int
		net, tax int64
	}
	credited := map[string]*done{}
	for _, n := range notes {
		for _, l := range n.Lines {
			d := credited[l.ChargeID]
			if d == nil {
				d = &done{}
				credited[l.ChargeID] = d
			}
			d.qty += l.Quantity
			d.net -= l.Net
			d.tax -= l.Tax
		}
	}
	all := len(asked) == 0
	if all {
		for _, l := range inv.Lines {
			asked = append(asked, CreditLine{ChargeID: l.ChargeID})
		}
	}
	var out []Line
	for _, a := range asked {
		i := -1
		for j, l := range inv.Lines {
			if l.ChargeID == a.ChargeID {
				i = j
				break
			}
		}
		if i < 0 {
			return nil, fault.Coded(fault.ErrInvalid, "charge_not_on_invoice", "charge %s is not on this invoice", a.ChargeID)
		}
		l := inv.Lines[i]
		d := credited[l.ChargeID]
		if d == nil {
			d = &done{}
		}
		left := l.Quantity - d.qty
		if all && left <= 0 {
			continue
		}
		q := a.Quantity
		if q == 0 {
			q = left
		}
		if left <= 0 || q > left {
			return nil, fault.Coded(fault.ErrConflict, "credit_exceeds_invoice",
				"that would credit more than was invoiced: %d of %s's %d are left to credit", max(left, 0), l.ChargeID, l.Quantity)
		}
		net, tax := l.Net-d.net, l.Tax-d.tax
		if q < left {
			var err error
			if net, tax, _, err = amounts(q, l.UnitAmount, l.TaxBP); err != nil {
				return nil, err
			}
		}
		out = append(out, Line{ChargeID: l.ChargeID, Kind: l.Kind, Code: l.Code, Description: l.Description, Quantity: q,
			UnitAmount: -l.UnitAmount, TaxBP: l.TaxBP, Net: -net, Tax: -tax, Total: -(net + tax)})
	}
	if len(out) == 0 {
		return nil, errOverCredit
	}
	return out, nil
}

// creditTotal sums a note's (negative) lines, with total's guard against overflow on their magnitudes.
func creditTotal(lines []Line) (Totals, error) {
	pos := make([]Line, len(lines))
	for i, l := range lines {
		pos[i] = Line{Net: -l.Net, Tax: -l.Tax, Total: -l.Total}
	}
	t, err := total(pos)
	return Totals{Net: -t.Net, Tax: -t.Tax, Total: -t.Total}, err
}

// finishCredit numbers a credit note that is issuing and marks it issued; mayHave as for finish.
func (s *Service) finishCredit(ctx context.Context, cn CreditNote, mayHave bool) (CreditNote, error) {
	if cn.Status == Issued {
		return cn, nil
	}
	claim, err := s.claimNext(ctx, CreditNoteSeries, cn.ID, mayHave)
	if err != nil {
		return CreditNote{}, err
	}
	next := cn
	at := claim.At
	next.Status, next.Year, next.Seq, next.Number, next.IssuedAt = Issued, claim.Year, claim.Seq,
		CreditNoteSeries.Number(claim.Year, claim.Seq), &at
	pending, err := s.expect(ctx, CreditNoteIssued{InvoiceID: cn.InvoiceID, NoteID: cn.ID})
	if err != nil {
		return CreditNote{}, err
	}
	if err := s.store.UpdateCreditNote(ctx, next, Issuing); errors.Is(err, ErrStale) {
		pending.Drop(ctx)
		return s.creditNote(ctx, cn.InvoiceID, cn.ID) // finished meanwhile (Recover, or the request retried)
	} else if err != nil {
		pending.Drop(ctx)
		return CreditNote{}, err
	}
	pending.Happened(ctx)
	return next, nil
}

func (s *Service) creditNote(ctx context.Context, invoiceID, id string) (CreditNote, error) {
	notes, err := s.store.CreditNotes(ctx, invoiceID)
	if err != nil {
		return CreditNote{}, err
	}
	for _, n := range notes {
		if n.ID == id {
			return n, nil
		}
	}
	return CreditNote{}, fault.New(fault.ErrNotFound, "no such credit note")
}
