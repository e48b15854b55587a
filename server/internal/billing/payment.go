package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/server/internal/fault"
)

// Method is how a payment was made.
type Method string

// The payment methods: at the desk (cash, card on the hospital's terminal) or online (a provider's
// hosted page; no card data reaches the server).
const (
	Cash   Method = "cash"
	Card   Method = "card"
	Online Method = "online"
)

// PaymentStatus says how much of an issued invoice is paid.
type PaymentStatus string

// The payment statuses of an invoice.
const (
	Unpaid        PaymentStatus = "unpaid"
	PartiallyPaid PaymentStatus = "partially_paid"
	Paid          PaymentStatus = "paid"
)

// EntryKind is what a ledger entry records.
type EntryKind string

// The kinds of ledger entries.
const (
	PaymentEntry EntryKind = "payment"
	RefundEntry  EntryKind = "refund"
)

// Entry is one line of an invoice's ledger: a payment or a refund. Entries of an invoice are numbered
// 1, 2, 3… and an entry is appended by inserting the number one past the last, under a unique index:
// of two appends that read the same last entry one wins and the other reads again, so the checks made
// against what is paid (no overpayment, no refund above what was paid) hold however many instances
// record at once. Op is the entry's own unique id, derived from the request (an Idempotency-Key and its
// user, a provider's session), so a repeated request finds its entry instead of appending another.
type Entry struct {
	InvoiceID string
	Seq       int
	Op        string
	Kind      EntryKind
	// PaymentID is the payment an entry is or refunds (a payment's own op).
	PaymentID string
	PatientID string
	Method    Method
	Amount    int64
	Currency  string
	// Reference is the desk's note (a terminal slip number) or the provider's payment id; sealed at rest.
	Reference string
	// Reason says why a refund was made; sealed at rest.
	Reason string
	By     string
	At     time.Time
	// Receipt is a payment's receipt number, once claimed.
	Receipt string
}

// Payment is a payment as the desk and the patient see it, with what was refunded of it.
type Payment struct {
	ID             string    `json:"id"`
	InvoiceID      string    `json:"invoice_id"`
	PatientID      string    `json:"patient_id"`
	Method         Method    `json:"method"`
	Amount         int64     `json:"amount"`
	Refunded       int64     `json:"refunded"`
	Currency       string    `json:"currency"`
	Reference      string    `json:"reference,omitempty"`
	ReceivedBy     string    `json:"received_by"`
	ReceivedByName string    `json:"received_by_name"`
	At             time.Time `json:"at"`
	ReceiptNumber  string    `json:"receipt_number"`
}

// Errors of payments and refunds.
var (
	errOverpayment = fault.Coded(fault.ErrConflict, "overpayment", "the amount is more than the invoice's balance")
	errOverRefund  = fault.Coded(fault.ErrConflict, "over_refund", "the amount is more than what is left of the payment to refund")
	errNoPayment   = fault.New(fault.ErrNotFound, "no such payment")
)

// opID derives an entry's id from what makes its request unique (the user and their Idempotency-Key, a
// provider and its session id): the same request always names the same entry. Hashed, so that the id
// is safe in a URL and carries neither the user's id nor the key.
func opID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + "_" + hex.EncodeToString(sum[:16])
}

// ledger is an invoice's entries in order, and what they add up to.
type ledger []Entry

func (l ledger) paid() int64 {
	var n int64
	for _, e := range l {
		if e.Kind == RefundEntry {
			n -= e.Amount
		} else {
			n += e.Amount
		}
	}
	return n
}

func (l ledger) refunded(paymentID string) int64 {
	var n int64
	for _, e := range l {
		if e.Kind == RefundEntry && e.PaymentID == paymentID {
			n += e.Amount
		}
	}
	return n
}

func (l ledger) last() int {
	if len(l) == 0 {
		return 0
	}
	return l[len(l)-1].Seq
}

// appendEntry appends e to its invoice's ledger once: check sees the ledger as it is before e and may
// refuse it. It answers e as stored and the ledger with it; when e's op is recorded already (the same
// request, repeated or concurrent), that entry with a nil ledger and replayed = true.
func (s *Service) appendEntry(ctx context.Context, e Entry, check func(ledger) error) (Entry, ledger, bool, error) {
	pending, err := s.expect(ctx, LedgerEntered{Op: e.Op})
	if err != nil {
		return Entry{}, nil, false, err
	}
	stored, l, replayed, err := s.appendOnce(ctx, e, check)
	if err != nil || replayed {
		pending.Drop(ctx) // kept when the entry is stored after all (Drop asks)
	} else {
		pending.Happened(ctx)
	}
	return stored, l, replayed, err
}

// appendOnce is appendEntry without the announcement.
func (s *Service) appendOnce(ctx context.Context, e Entry, check func(ledger) error) (Entry, ledger, bool, error) {
	for attempt := 0; ; attempt++ {
		entries, err := s.store.Entries(ctx, e.InvoiceID)
		if err != nil {
			return Entry{}, nil, false, err
		}
		l := ledger(entries)
		if err := check(l); err != nil {
			return Entry{}, nil, false, err
		}
		e.Seq = l.last() + 1
		err = s.store.InsertEntry(ctx, e)
		if err == nil {
			return e, append(l, e), false, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return Entry{}, nil, false, err
		}
		// Either the same op was recorded meanwhile (the same request, concurrently, maybe on another
		// invoice: the op is unique across ledgers) or another entry took the seq: read again.
		if prior, err := s.store.EntryByOp(ctx, e.Op); err == nil {
			return prior, nil, true, nil
		} else if !errors.Is(err, ErrNotFound) {
			return Entry{}, nil, false, err
		}
		if attempt == 1000 {
			return Entry{}, nil, false, fmt.Errorf("append to the ledger of invoice %s: still contended after %d attempts", e.InvoiceID, attempt)
		}
		if err := ctx.Err(); err != nil {
			return Entry{}, nil, false, err
		}
	}
}

// PaymentRequest is a payment taken at the desk.
type PaymentRequest struct {
	InvoiceID string
	Method    Method
	Amount    int64
	Reference string
	// Key is the request's Idempotency-Key: the same key (of the same user) records the payment once.
	Key string
	By  string
}

// Pay records a payment taken at the desk on an issued invoice, once per key and user: partial payments
// are fine, more than the balance is refused (409 overpayment), also when two desks take the last of it
// at once. It answers the payment and whether it was recorded before (replayed).
func (s *Service) Pay(ctx context.Context, r PaymentRequest) (Payment, bool, error) {
	switch {
	case r.Method != Cash && r.Method != Card:
		return Payment{}, false, fault.Invalid("method must be cash or card (online payments come from the payment provider)")
	case r.Amount <= 0:
		return Payment{}, false, fault.Invalid("amount must be a positive number of minor units of %s", s.currency)
	case r.Amount > maxUnit*maxQuantity:
		return Payment{}, false, fault.Invalid("amount is too large")
	case r.Key == "":
		return Payment{}, false, fault.Invalid("an Idempotency-Key is required, so that a retried request records the payment once")
	}
	r.Reference = strings.TrimSpace(r.Reference)
	if err := checkText("reference", r.Reference, maxName, false); err != nil {
		return Payment{}, false, err
	}
	op := opID("pay", "desk", r.By, r.Key)
	if e, err := s.store.EntryByOp(ctx, op); err == nil {
		p, err := s.finishPayment(ctx, e, nil)
		return p, true, err
	} else if !errors.Is(err, ErrNotFound) {
		return Payment{}, false, err
	}
	inv, err := s.Invoice(ctx, r.InvoiceID)
	if err != nil {
		return Payment{}, false, err
	}
	if inv.Status != Issued {
		return Payment{}, false, errNotIssued
	}
	e := Entry{InvoiceID: inv.ID, Op: op, Kind: PaymentEntry, PaymentID: op, PatientID: inv.PatientID, Method: r.Method,
		Amount: r.Amount, Currency: s.currency, Reference: r.Reference, By: r.By, At: s.clock()}
	// The patient's part: a payment never pays the insurer's share (claim moves only ever add to the
	// patient's part, so a move made meanwhile cannot make this payment too much).
	owed, err := s.patientDue(ctx, inv)
	if err != nil {
		return Payment{}, false, err
	}
	e, after, replayed, err := s.appendEntry(ctx, e, func(l ledger) error {
		if r.Amount > owed-l.paid() {
			return errOverpayment
		}
		return nil
	})
	if err != nil {
		return Payment{}, false, err
	}
	p, err := s.finishPayment(ctx, e, after)
	if err == nil && !replayed {
		s.changed(ctx, inv.PatientID, inv.ID, "payment")
	}
	return p, replayed, err
}

// finishPayment gives a payment its receipt number (the year's next, gapless) unless it has one, and
// answers the payment. after is the ledger this request just appended e to (nil for a payment recorded
// before): the payment is new, so it has no number yet and its view is made from that ledger.
func (s *Service) finishPayment(ctx context.Context, e Entry, after ledger) (Payment, error) {
	if e.Receipt == "" {
		c, err := s.claimNext(ctx, ReceiptSeries, e.Op, after == nil)
		if err != nil {
			return Payment{}, err
		}
		e.Receipt = ReceiptSeries.Number(c.Year, c.Seq)
		if err := s.store.SetReceipt(ctx, e.Op, e.Receipt); err != nil {
			return Payment{}, err
		}
	}
	if after == nil {
		return s.Payment(ctx, e.Op)
	}
	after[len(after)-1] = e
	for _, p := range s.paymentsOf(ctx, after) {
		if p.ID == e.Op {
			return p, nil
		}
	}
	return Payment{}, errNoPayment
}

// Payment returns a payment with what was refunded of it.
func (s *Service) Payment(ctx context.Context, id string) (Payment, error) {
	e, err := s.store.EntryByOp(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && e.Kind != PaymentEntry {
		return Payment{}, errNoPayment
	} else if err != nil {
		return Payment{}, err
	}
	entries, err := s.store.Entries(ctx, e.InvoiceID)
	if err != nil {
		return Payment{}, err
	}
	ps := s.paymentsOf(ctx, entries)
	for _, p := range ps {
		if p.ID == id {
			return p, nil
		}
	}
	return Payment{}, errNoPayment
}

// paymentsOf makes the payments of ledger entries, in order.
func (s *Service) paymentsOf(ctx context.Context, entries []Entry) []Payment {
	l := ledger(entries)
	out := []Payment{}
	for _, e := range l {
		if e.Kind == PaymentEntry {
			out = append(out, s.paymentOf(ctx, l, e))
		}
	}
	return out
}

// paymentOf makes the payment of entry e of ledger l, with what l refunds of it.
func (s *Service) paymentOf(ctx context.Context, l ledger, e Entry) Payment {
	return Payment{ID: e.Op, InvoiceID: e.InvoiceID, PatientID: e.PatientID, Method: e.Method,
		Amount: e.Amount, Refunded: l.refunded(e.Op), Currency: e.Currency, Reference: e.Reference,
		ReceivedBy: e.By, ReceivedByName: s.nameOf(ctx, e.By), At: e.At, ReceiptNumber: e.Receipt}
}

// nameOf is the name of who received a payment; the provider's name for an online one.
func (s *Service) nameOf(ctx context.Context, by string) string {
	if name, ok := strings.CutPrefix(by, "provider:"); ok {
		return "Online (" + name + ")"
	}
	if s.userName == nil || by == "" {
		return by
	}
	name, err := s.userName(ctx, by)
	if err != nil || name == "" {
		return by
	}
	return name
}

// RefundRequest is a refund of (part of) a payment.
type RefundRequest struct {
	PaymentID string
	Amount    int64
	Reason    string
	Key       string
	By        string
}

// Refund records a refund of a payment, once per key and user: at most what is left of the payment
// (409 over_refund), with a reason. It answers the payment with what is now refunded of it. A cash or
// card payment's refund is handed back at the desk; an online payment's goes back to the card through
// its provider first (refundAtProvider), and is recorded only once the provider took it.
func (s *Service) Refund(ctx context.Context, r RefundRequest) (Payment, bool, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	switch {
	case r.Amount <= 0:
		return Payment{}, false, fault.Invalid("amount must be a positive number of minor units of %s", s.currency)
	case r.Key == "":
		return Payment{}, false, fault.Invalid("an Idempotency-Key is required, so that a retried request refunds once")
	}
	if err := checkText("reason", r.Reason, maxText, true); err != nil {
		return Payment{}, false, err
	}
	op := opID("ref", r.By, r.Key)
	if e, err := s.store.EntryByOp(ctx, op); err == nil {
		p, err := s.Payment(ctx, e.PaymentID)
		return p, true, err
	} else if !errors.Is(err, ErrNotFound) {
		return Payment{}, false, err
	}
	pay, err := s.store.EntryByOp(ctx, r.PaymentID)
	if errors.Is(err, ErrNotFound) || err == nil && pay.Kind != PaymentEntry {
		return Payment{}, false, errNoPayment
	} else if err != nil {
		return Payment{}, false, err
	}
	e := Entry{InvoiceID: pay.InvoiceID, Op: op, Kind: RefundEntry, PaymentID: pay.Op, PatientID: pay.PatientID,
		Method: pay.Method, Amount: r.Amount, Currency: pay.Currency, Reason: r.Reason, By: r.By, At: s.clock()}
	check := func(l ledger) error {
		if r.Amount > pay.Amount-l.refunded(pay.Op) {
			return errOverRefund
		}
		return nil
	}
	if pay.Method == Online {
		// The money goes back to the card first; once the provider took the refund, it is recorded
		// whatever the ledger says meanwhile (the provider itself refunds no more than was paid).
		if e.Reference, err = s.refundAtProvider(ctx, pay, e); err != nil {
			return Payment{}, false, err
		}
		check = func(l ledger) error {
			if r.Amount > pay.Amount-l.refunded(pay.Op) {
				s.log.WarnContext(ctx, "online refund recorded above what was left of the payment", "payment", pay.Op)
			}
			return nil
		}
	}
	_, _, replayed, err := s.appendEntry(ctx, e, check)
	if err != nil {
		return Payment{}, false, err
	}
	if !replayed {
		s.changed(ctx, pay.PatientID, pay.InvoiceID, "refund")
	}
	p, err := s.Payment(ctx, pay.Op)
	return p, replayed, err
}

// settle fills in what is credited, due and paid of invoices, from their credit notes, claims and ledgers.
func (s *Service) settle(ctx context.Context, invs []Invoice) error {
	_, _, err := s.settleWith(ctx, invs)
	return err
}

// settleWith is settle, returning the entries and credit notes it read, by invoice.
func (s *Service) settleWith(ctx context.Context, invs []Invoice) (map[string]ledger, map[string][]CreditNote, error) {
	var ids []string
	for _, inv := range invs {
		if inv.Status != Draft { // a draft has neither payments nor credit notes
			ids = append(ids, inv.ID)
		}
	}
	entries, err := s.store.Entries(ctx, ids...)
	if err != nil {
		return nil, nil, err
	}
	notes, err := s.store.CreditNotes(ctx, ids...)
	if err != nil {
		return nil, nil, err
	}
	ledgers, credits := map[string]ledger{}, map[string][]CreditNote{}
	for _, e := range entries {
		ledgers[e.InvoiceID] = append(ledgers[e.InvoiceID], e)
	}
	for _, n := range notes {
		credits[n.InvoiceID] = append(credits[n.InvoiceID], n)
	}
	claims, err := s.claimsByInvoice(ctx, invs)
	if err != nil {
		return nil, nil, err
	}
	for i := range invs {
		invs[i].settle(ledgers[invs[i].ID].paid(), credited(credits[invs[i].ID]), claims[invs[i].ID])
	}
	return ledgers, credits, nil
}

// patientDue is what the patient owes of an issued invoice in all, before their payments: its total,
// less what its credit notes took back, less what its insurer is taken to pay as its claim stands.
func (s *Service) patientDue(ctx context.Context, inv Invoice) (int64, error) {
	notes, err := s.store.CreditNotes(ctx, inv.ID)
	if err != nil {
		return 0, err
	}
	claims, err := s.claimsByInvoice(ctx, []Invoice{inv})
	if err != nil {
		return 0, err
	}
	inv.settle(0, credited(notes), claims[inv.ID])
	return inv.PatientDue, nil
}

// credited is what credit notes took back: the positive sum of their (negative) totals.
func credited(notes []CreditNote) int64 {
	var c int64
	for _, n := range notes {
		c -= n.Totals.Total
	}
	return c
}

// settle fills in what is credited, due from the insurer and the patient, paid and left to pay of an
// invoice, given its patient's payments less refunds, what its credit notes took back and its claim
// (nil: none). The insurer is expected to pay the share the invoice's coverage gives of what credit
// notes left, until its claim is decided (Claim.insurerDue); the patient owes the rest, and only that
// is their balance.
func (inv *Invoice) settle(paid, credited int64, claim *Claim) {
	if inv.Coverage == nil {
		inv.InsurerShare, inv.PatientShare = 0, inv.Totals.Total
	}
	expected, _ := Shares(inv.Totals.Total-credited, inv.Coverage)
	inv.Paid, inv.Credited, inv.Claim = paid, credited, nil
	inv.InsurerDue = claim.insurerDue(expected)
	inv.PatientDue = inv.Totals.Total - credited - inv.InsurerDue
	inv.Balance = inv.PatientDue - paid
	if claim != nil {
		inv.Claim = &ClaimSummary{ID: claim.ID, Status: claim.Status, Amount: claim.Amount, ApprovedAmount: claim.ApprovedAmount,
			PaidAmount: claim.PaidAmount, DenialReason: claim.DenialReason}
	}
	switch {
	case inv.Balance <= 0:
		inv.PaymentStatus = Paid
	case paid <= 0:
		inv.PaymentStatus = Unpaid
	default:
		inv.PaymentStatus = PartiallyPaid
	}
}

// InvoiceDetail is an invoice with its credit notes and payments.
type InvoiceDetail struct {
	Invoice
	CreditNotes []CreditNote `json:"credit_notes"`
	Payments    []Payment    `json:"payments"`
}

// Detail returns an invoice with what is credited and paid of it, its credit notes and its payments.
func (s *Service) Detail(ctx context.Context, id string) (InvoiceDetail, error) {
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		return InvoiceDetail{}, err
	}
	invs := []Invoice{inv}
	ledgers, credits, err := s.settleWith(ctx, invs)
	if err != nil {
		return InvoiceDetail{}, err
	}
	notes := credits[id]
	if notes == nil {
		notes = []CreditNote{}
	}
	return InvoiceDetail{Invoice: invs[0], CreditNotes: notes, Payments: s.paymentsOf(ctx, ledgers[id])}, nil
}

// recoverReceipts numbers payments a crash left without a receipt number.
func (s *Service) recoverReceipts(ctx context.Context, before time.Time) (int, error) {
	es, err := s.store.UnnumberedBefore(ctx, before, 100)
	if err != nil {
		return 0, err
	}
	for i, e := range es {
		if _, err := s.finishPayment(ctx, e, nil); err != nil {
			return i, fmt.Errorf("number payment %s: %w", e.Op, err)
		}
	}
	return len(es), nil
}
