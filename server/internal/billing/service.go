package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
)

// Service is the billing domain.
type Service struct {
	store         Store
	currency      string
	now           func() time.Time
	loc           *time.Location
	log           *slog.Logger
	render        func(ctx context.Context, inv Invoice) ([]byte, error)
	renderReceipt func(ctx context.Context, r Receipt) ([]byte, error)
	events        Publisher
	userOf        func(ctx context.Context, patientID string) (string, error)
	userName      func(ctx context.Context, userID string) (string, error)
	online        Provider
	returnTo      string
	// numbering is each series' claims in this process (numbering.go).
	numbering   map[Series]*numbering
	hospital    string
	patientName func(ctx context.Context, patientID string) (string, error)
	// bus announces issued invoices and credit notes and ledger entries (announce.go); nil: nothing.
	bus *reaction.Bus
}

// Options configure the service.
type Options struct {
	// Currency is the ISO 4217 code every amount is in (HOSPITAL_CURRENCY).
	Currency string
	// Location is the hospital's time zone: an invoice's year is the year it is issued there.
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// RenderInvoice renders an issued invoice as PDF (package billing/pdf, with the hospital's details
	// and the patient's name and MRN); nil: no PDFs.
	RenderInvoice func(ctx context.Context, inv Invoice) ([]byte, error)
	// RenderReceipt renders a payment's receipt as PDF (pdf.Receipt, with the same hospital details and
	// the patient's name and MRN); nil: no receipts.
	RenderReceipt func(ctx context.Context, r Receipt) ([]byte, error)
	// Events publishes billing.changed (nil: nothing is published).
	Events Publisher
	// UserOf finds a patient's account, whose channel also hears of their bills ("" when none).
	UserOf func(ctx context.Context, patientID string) (string, error)
	// UserName names who received a payment.
	UserName func(ctx context.Context, userID string) (string, error)
	// Online is the payment provider patients pay through online; nil turns online payment off.
	Online Provider
	// PublicURL is where the web app is: a provider's page sends the patient back there.
	PublicURL string
	// Hospital is the hospital's name, the provider of its claims.
	Hospital string
	// PatientName names a patient on the claims board and in a claim's FHIR export.
	PatientName func(ctx context.Context, patientID string) (string, error)
}

// NewService returns the billing service on store.
func NewService(store Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{store: store, currency: o.Currency, now: o.Now, loc: o.Location, log: o.Log, render: o.RenderInvoice,
		renderReceipt: o.RenderReceipt, events: o.Events, userOf: o.UserOf, userName: o.UserName, online: o.Online, returnTo: o.PublicURL,
		numbering: newNumbering(), hospital: o.Hospital, patientName: o.PatientName}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

const (
	maxCode = 40
	maxName = 200
	maxText = 500
)

func checkText(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return fault.Invalid("%s is required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return fault.Invalid("%s is longer than %d characters", field, max)
	}
	return nil
}

// SetPrice stores a new version of a price-list entry (its first version when the code is new). A
// concurrent change of the same code is a conflict, never a lost update.
func (s *Service) SetPrice(ctx context.Context, p Price, by string) (Price, error) {
	p.Code, p.Name, p.Ref = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Ref)
	if err := errors.Join(checkText("code", p.Code, maxCode, true), checkText("name", p.Name, maxName, true),
		checkText("ref", p.Ref, maxCode*3, false)); err != nil {
		return Price{}, fault.Invalid("%v", err)
	}
	if !p.Kind.Valid() {
		return Price{}, fault.Invalid("kind must be one of consultation, procedure, treatment, lab_test, medication, bed_day")
	}
	if _, _, _, err := amounts(1, p.Amount, p.TaxBP); err != nil {
		return Price{}, err
	}
	cur, err := s.store.CurrentPrice(ctx, p.Code)
	switch {
	case errors.Is(err, ErrNotFound):
		p.Version = 1
	case err != nil:
		return Price{}, err
	default:
		if cur.Kind != p.Kind {
			return Price{}, fault.Invalid("code %s is a %s price; its kind cannot change", p.Code, cur.Kind)
		}
		p.Version = cur.Version + 1
	}
	p.At, p.By = s.clock(), by
	if err := s.store.InsertPrice(ctx, p); errors.Is(err, ErrDuplicate) {
		return Price{}, fault.Coded(fault.ErrConflict, "price_changed", "the price of %s was changed by someone else meanwhile; reload and try again", p.Code)
	} else if err != nil {
		return Price{}, err
	}
	return p, nil
}

// Prices lists the price list as it is now.
func (s *Service) Prices(ctx context.Context) ([]Price, error) { return s.store.Prices(ctx) }

// ChargeRequest asks for a charge. Key makes it once: the same key posts nothing a second time.
type ChargeRequest struct {
	// Key is unique per billable act: "consultation:<appointment>", "manual:<idempotency key>".
	Key       string
	PatientID string
	Source    string
	// Code names a price-list entry; or Kind and Ref find it (a consultation by specialty, …).
	Code     string
	Kind     Kind
	Ref      string
	Quantity int
	// Description replaces the price's name on the charge when set (e.g. the medication and strength).
	Description string
	Reason      string
	By          string
}

// Post posts a charge priced from the list as it is now, once per key: posting a key again returns the
// charge it posted first.
func (s *Service) Post(ctx context.Context, r ChargeRequest) (Charge, error) {
	if r.Key == "" || r.PatientID == "" {
		return Charge{}, fault.Invalid("a charge needs a key and a patient")
	}
	if err := errors.Join(checkText("description", r.Description, maxName, false),
		checkText("reason", r.Reason, maxText, false)); err != nil {
		return Charge{}, fault.Invalid("%v", err)
	}
	id := chargeID(r.Key)
	if c, err := s.store.Charge(ctx, id); err == nil {
		return c, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Charge{}, err
	}
	p, err := s.priceOf(ctx, r)
	if err != nil {
		return Charge{}, err
	}
	if p.Retired {
		return Charge{}, fault.Coded(fault.ErrInvalid, "price_retired", "%s (%s) is no longer on the price list", p.Name, p.Code)
	}
	if r.Quantity == 0 {
		r.Quantity = 1
	}
	net, tax, tot, err := amounts(r.Quantity, p.Amount, p.TaxBP)
	if err != nil {
		return Charge{}, err
	}
	desc := r.Description
	if desc == "" {
		desc = p.Name
	}
	c := Charge{ID: id, PatientID: r.PatientID, Source: r.Source, Kind: p.Kind, Code: p.Code, Description: desc,
		Quantity: r.Quantity, UnitAmount: p.Amount, TaxBP: p.TaxBP, PriceVersion: p.Version, Net: net, Tax: tax,
		Total: tot, Currency: s.currency, At: s.clock(), By: r.By, Reason: r.Reason}
	if err := s.store.InsertCharge(ctx, c); errors.Is(err, ErrDuplicate) {
		return s.store.Charge(ctx, id) // posted meanwhile by another instance or request: that one counts
	} else if err != nil {
		return Charge{}, err
	}
	s.changed(ctx, c.PatientID, "", "charged")
	return c, nil
}

func (s *Service) priceOf(ctx context.Context, r ChargeRequest) (Price, error) {
	var p Price
	var err error
	if r.Code != "" {
		p, err = s.store.CurrentPrice(ctx, r.Code)
	} else {
		p, err = s.store.CurrentPriceFor(ctx, r.Kind, r.Ref)
	}
	if errors.Is(err, ErrNotFound) {
		what := r.Code
		if what == "" {
			what = fmt.Sprintf("%s %s", r.Kind, r.Ref)
		}
		return Price{}, fault.Coded(fault.ErrInvalid, "no_price", "the price list has no price for %s", strings.TrimSpace(what))
	}
	return p, err
}

// chargeID derives a charge's id from its key, so the key is the charge's identity in the store.
func chargeID(key string) string { return "chg:" + key }

// VoidCharge voids an unbilled charge with a reason; a billed one is corrected on its invoice instead.
func (s *Service) VoidCharge(ctx context.Context, id, by, reason string) (Charge, error) {
	if err := checkText("reason", reason, maxText, true); err != nil {
		return Charge{}, err
	}
	c, err := s.store.Charge(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Charge{}, fault.New(fault.ErrNotFound, "no such charge")
	} else if err != nil {
		return Charge{}, err
	}
	if c.Void != nil {
		return c, nil
	}
	v := Void{At: s.clock(), By: by, Reason: strings.TrimSpace(reason)}
	if err := s.store.VoidCharge(ctx, id, v); errors.Is(err, ErrStale) {
		return Charge{}, fault.Coded(fault.ErrConflict, "charge_billed", "the charge is on an invoice; take it off the draft first, or correct an issued invoice with a credit note")
	} else if err != nil {
		return Charge{}, err
	}
	c.Void = &v
	s.changed(ctx, c.PatientID, "", "voided")
	return c, nil
}

// Charges lists a patient's charges (only the unbilled, unvoided ones when asked).
func (s *Service) Charges(ctx context.Context, patientID string, unbilledOnly bool) ([]Charge, error) {
	return s.store.Charges(ctx, patientID, unbilledOnly)
}

// Draft makes a draft invoice of a patient's unbilled charges: those named, or all of them. A charge
// another draft took meanwhile is left out; none left is a 400.
func (s *Service) Draft(ctx context.Context, patientID string, chargeIDs []string, by string) (Invoice, error) {
	if patientID == "" {
		return Invoice{}, fault.Invalid("patient_id is required")
	}
	unbilled, err := s.store.Charges(ctx, patientID, true)
	if err != nil {
		return Invoice{}, err
	}
	if len(chargeIDs) > 0 {
		unbilled = slices.DeleteFunc(unbilled, func(c Charge) bool { return !slices.Contains(chargeIDs, c.ID) })
		if len(unbilled) < len(chargeIDs) {
			return Invoice{}, fault.Coded(fault.ErrInvalid, "charge_not_unbilled", "some of the charges are not this patient's unbilled charges")
		}
	}
	if len(unbilled) == 0 {
		return Invoice{}, errNoCharges
	}
	now := s.clock()
	inv := Invoice{ID: ident.New(), PatientID: patientID, Status: Draft, Currency: s.currency, Lines: []Line{},
		Rev: 1, CreatedAt: now, ChangedAt: now, CreatedBy: by}
	if err := s.store.InsertInvoice(ctx, inv); err != nil {
		return Invoice{}, err
	}
	var taken []Charge
	for _, c := range unbilled {
		if err := s.store.ClaimCharge(ctx, c.ID, inv.ID, now); errors.Is(err, ErrStale) {
			continue
		} else if err != nil {
			return Invoice{}, err
		}
		taken = append(taken, c)
	}
	if len(taken) == 0 {
		return Invoice{}, errNoCharges
	}
	next := inv
	next.Lines = linesOf(taken)
	if next.Totals, err = total(next.Lines); err != nil {
		return Invoice{}, err
	}
	next.Rev, next.ChangedAt = 2, s.clock()
	if err := s.store.UpdateInvoice(ctx, next, Draft, 1); err != nil {
		return Invoice{}, err
	}
	ids := make([]string, len(taken))
	for i, c := range taken {
		ids[i] = c.ID
	}
	if err := s.store.ConfirmClaims(ctx, next.ID, ids); err != nil {
		return Invoice{}, err
	}
	next.settle(0, 0, nil)
	s.changed(ctx, patientID, next.ID, "drafted")
	return next, nil
}

func linesOf(cs []Charge) []Line {
	out := make([]Line, 0, len(cs))
	for _, c := range cs {
		out = append(out, Line{ChargeID: c.ID, Kind: c.Kind, Code: c.Code, Description: c.Description,
			Quantity: c.Quantity, UnitAmount: c.UnitAmount, TaxBP: c.TaxBP, Net: c.Net, Tax: c.Tax, Total: c.Total})
	}
	return out
}

// RemoveLine takes a charge off a draft; it is unbilled again. rev is the draft's revision the caller saw.
func (s *Service) RemoveLine(ctx context.Context, invoiceID, chargeID string, rev int) (Invoice, error) {
	inv, err := s.Invoice(ctx, invoiceID)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status != Draft {
		return Invoice{}, errNotDraft
	}
	if inv.Rev != rev {
		return Invoice{}, errChangedNow
	}
	i := slices.IndexFunc(inv.Lines, func(l Line) bool { return l.ChargeID == chargeID })
	if i < 0 {
		return Invoice{}, fault.New(fault.ErrNotFound, "the charge is not on this invoice")
	}
	next := inv
	next.Lines = slices.Delete(slices.Clone(inv.Lines), i, i+1)
	if next.Totals, err = total(next.Lines); err != nil {
		return Invoice{}, err
	}
	next.Rev, next.ChangedAt = inv.Rev+1, s.clock()
	if err := s.store.UpdateInvoice(ctx, next, Draft, inv.Rev); errors.Is(err, ErrStale) {
		return Invoice{}, errChangedNow
	} else if err != nil {
		return Invoice{}, err
	}
	// The line is off the draft; releasing the charge after it means a crash between the two leaves a
	// claim without a line, which Repair releases.
	if err := s.store.ReleaseCharge(ctx, chargeID, invoiceID); err != nil {
		return Invoice{}, err
	}
	next.settle(0, 0, nil)
	s.changed(ctx, next.PatientID, next.ID, "drafted")
	return next, nil
}

// Invoice returns an invoice.
func (s *Service) Invoice(ctx context.Context, id string) (Invoice, error) {
	inv, err := s.store.Invoice(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Invoice{}, fault.New(fault.ErrNotFound, "no such invoice")
	}
	return inv, err
}

// Invoices lists invoices, a page at a time.
func (s *Service) Invoices(ctx context.Context, patientID string, status Status, page, limit int) ([]Invoice, int, error) {
	switch status {
	case "", Draft, Issued:
	default:
		return nil, 0, fault.Invalid("status must be draft or issued")
	}
	invs, total, err := s.store.Invoices(ctx, patientID, status, (page-1)*limit, limit)
	if err == nil {
		err = s.settle(ctx, invs)
	}
	return invs, total, err
}

// Issue issues a draft: it freezes (draft → issuing), takes the next number of the year in the
// hospital's zone, and becomes issued. Issuing an issued invoice answers it as it is; one left issuing
// by a crash is finished here or by Recover.
func (s *Service) Issue(ctx context.Context, id string, rev int, by string) (Invoice, error) {
	inv, fresh, err := s.issue(ctx, id, rev, by)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status == Issued && s.render != nil {
		// The PDF is rendered now, once; a failure is rendered again on the first request for it.
		if _, perr := s.storePDF(ctx, inv); perr != nil {
			s.log.WarnContext(ctx, "render an issued invoice's PDF (rendered on the first request instead)", "invoice", inv.ID, "err", perr)
		}
	}
	if fresh {
		// Issued by this request just now: nothing can have been paid or credited on it before, so
		// there is no ledger or credit note to read.
		inv.settle(0, 0, nil)
		return inv, nil
	}
	invs := []Invoice{inv}
	err = s.settle(ctx, invs)
	return invs[0], err
}

// issue is Issue without the PDF and the settlement; fresh says this request issued the draft.
func (s *Service) issue(ctx context.Context, id string, rev int, by string) (inv Invoice, fresh bool, err error) {
	inv, err = s.Invoice(ctx, id)
	if err != nil {
		return Invoice{}, false, err
	}
	switch inv.Status {
	case Issued:
		return inv, false, nil
	case Draft:
		if inv.Rev != rev {
			return Invoice{}, false, errChangedNow
		}
		if len(inv.Lines) == 0 {
			return Invoice{}, false, fault.Coded(fault.ErrInvalid, "invoice_empty", "the invoice has no lines")
		}
		next := inv
		next.Status, next.Rev, next.ChangedAt, next.IssuedBy = Issuing, inv.Rev+1, s.clock(), by
		if err := s.store.UpdateInvoice(ctx, next, Draft, inv.Rev); errors.Is(err, ErrStale) {
			// Changed or issued meanwhile: if it was issued, that is the answer.
			if cur, err := s.Invoice(ctx, id); err == nil && cur.Status != Draft {
				inv, err = s.finish(ctx, cur, true)
				return inv, false, err
			}
			return Invoice{}, false, errChangedNow
		} else if err != nil {
			return Invoice{}, false, err
		}
		inv, err = s.finish(ctx, next, false) // frozen by this request just now: not numbered yet
		return inv, true, err
	}
	inv, err = s.finish(ctx, inv, true)
	return inv, false, err
}

// finish numbers an invoice that is issuing and marks it issued. mayHave says it may be numbered
// already (a crash or another request came between its number and its update).
func (s *Service) finish(ctx context.Context, inv Invoice, mayHave bool) (Invoice, error) {
	if inv.Status == Issued {
		return inv, nil
	}
	claim, err := s.claimNext(ctx, InvoiceSeries, inv.ID, mayHave)
	if err != nil {
		return Invoice{}, err
	}
	next := inv
	at := claim.At
	next.Status, next.Year, next.Seq, next.Number, next.IssuedAt = Issued, claim.Year, claim.Seq, Number(claim.Year, claim.Seq), &at
	next.Rev, next.ChangedAt = inv.Rev+1, s.clock()
	// The shares, from the policy that covers the issue date, are frozen with the number.
	if next.Coverage, err = s.coverageOn(ctx, inv.PatientID, at.In(s.loc).Format(dateLayout)); err != nil {
		return Invoice{}, err
	}
	next.InsurerShare, next.PatientShare = Shares(next.Totals.Total, next.Coverage)
	pending, err := s.expect(ctx, InvoiceIssued{InvoiceID: inv.ID})
	if err != nil {
		return Invoice{}, err
	}
	if err := s.store.UpdateInvoice(ctx, next, Issuing, inv.Rev); errors.Is(err, ErrStale) {
		pending.Drop(ctx)
		return s.Invoice(ctx, inv.ID) // finished meanwhile (Recover, or the same request retried)
	} else if err != nil {
		pending.Drop(ctx)
		return Invoice{}, err
	}
	pending.Happened(ctx)
	s.changed(ctx, next.PatientID, next.ID, "issued")
	return next, nil
}

// Recover finishes invoices and credit notes left issuing for longer than grace (a crash between
// freezing and numbering), numbers payments left without a receipt number, records the status of
// claims whose last move was stored but not recorded on the claim, and releases charges claimed by a draft
// that does not list them (a crash while drafting or taking a line off). It returns how many it fixed.
func (s *Service) Recover(ctx context.Context, grace time.Duration) (int, error) {
	before := s.clock().Add(-grace)
	n := 0
	stuck, err := s.store.InvoicesIn(ctx, Issuing, before, 100)
	if err != nil {
		return 0, err
	}
	for _, inv := range stuck {
		if _, err := s.finish(ctx, inv, true); err != nil {
			return n, fmt.Errorf("finish issuing invoice %s: %w", inv.ID, err)
		}
		n++
	}
	notes, err := s.store.CreditNotesIn(ctx, Issuing, before, 100)
	if err != nil {
		return n, err
	}
	for _, cn := range notes {
		if _, err := s.finishCredit(ctx, cn, true); err != nil {
			return n, fmt.Errorf("finish issuing credit note %s: %w", cn.ID, err)
		}
		n++
	}
	numbered, err := s.recoverReceipts(ctx, before)
	n += numbered
	if err != nil {
		return n, err
	}
	recorded, err := s.recoverClaims(ctx, before)
	n += recorded
	if err != nil {
		return n, err
	}
	claimed, err := s.store.ClaimedBefore(ctx, before, 500)
	if err != nil {
		return n, err
	}
	for _, c := range claimed {
		inv, err := s.store.Invoice(ctx, c.InvoiceID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return n, err
		}
		if err == nil && slices.ContainsFunc(inv.Lines, func(l Line) bool { return l.ChargeID == c.ID }) {
			if err := s.store.ConfirmClaims(ctx, inv.ID, []string{c.ID}); err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := s.store.ReleaseCharge(ctx, c.ID, c.InvoiceID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunRecovery runs Recover every interval until ctx ends, finishing what a crash left after grace.
func (s *Service) RunRecovery(ctx context.Context, grace, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Recover(ctx, grace); err != nil {
				s.log.WarnContext(ctx, "billing recovery", "err", err)
			} else if n > 0 {
				s.log.InfoContext(ctx, "billing recovery: finished what a crash left", "fixed", n)
			}
		}
	}
}
