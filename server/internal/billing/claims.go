package billing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// ClaimStatus is where a claim stands with its payer.
type ClaimStatus string

// The statuses of a claim.
const (
	ClaimDraft             ClaimStatus = "draft"
	ClaimSubmitted         ClaimStatus = "submitted"
	ClaimInReview          ClaimStatus = "in_review"
	ClaimApproved          ClaimStatus = "approved"
	ClaimPartiallyApproved ClaimStatus = "partially_approved"
	ClaimDenied            ClaimStatus = "denied"
	ClaimPaid              ClaimStatus = "paid"
)

// ClaimStatuses are the statuses in the order of a claim's life (the board's columns).
var ClaimStatuses = []ClaimStatus{ClaimDraft, ClaimSubmitted, ClaimInReview, ClaimApproved, ClaimPartiallyApproved, ClaimDenied, ClaimPaid}

// claimMoves are the moves a claim may make from each status: draft → submitted → (in review →)
// approved, partially approved or denied; approved and partially approved → paid. Denied and paid
// are final.
var claimMoves = map[ClaimStatus][]ClaimStatus{
	ClaimDraft:             {ClaimSubmitted},
	ClaimSubmitted:         {ClaimInReview, ClaimApproved, ClaimPartiallyApproved, ClaimDenied},
	ClaimInReview:          {ClaimApproved, ClaimPartiallyApproved, ClaimDenied},
	ClaimApproved:          {ClaimPaid},
	ClaimPartiallyApproved: {ClaimPaid},
}

// Valid reports whether st is a claim status.
func (st ClaimStatus) Valid() bool { return slices.Contains(ClaimStatuses, st) }

// Next lists the statuses a claim in st may move to.
func (st ClaimStatus) Next() []ClaimStatus { return claimMoves[st] }

// Claim is a claim to a payer for the insurer's share of an issued invoice. Its status changes are
// appended as events numbered 2, 3, … (the claim's creation, a draft, is 1) under a unique (claim,
// seq) key: of two moves made from the same revision one is stored and the other is refused, never
// both. Status, Rev, the amounts and the reason are folded from the events when it is read.
type Claim struct {
	ID            string `json:"id"`
	InvoiceID     string `json:"invoice_id"`
	InvoiceNumber string `json:"invoice_number"`
	PatientID     string `json:"patient_id"`
	// PatientName is filled in for staff and admins (the board shows whose claim it is).
	PatientName string `json:"patient_name,omitempty"`
	PayerID     string `json:"payer_id"`
	PayerName   string `json:"payer_name"`
	PolicyID    string `json:"policy_id"`
	Plan        string `json:"plan,omitempty"`
	Currency    string `json:"currency"`
	// Amount is what is claimed: the insurer's share of the invoice when the claim was made (less
	// what credit notes had taken back by then).
	Amount int64       `json:"amount"`
	Status ClaimStatus `json:"status"`
	// Rev is the number of the claim's last event: a move names it, and a move made meanwhile by
	// someone else makes it stale (409 claim_changed).
	Rev            int       `json:"rev"`
	ApprovedAmount int64     `json:"approved_amount"`
	PaidAmount     int64     `json:"paid_amount"`
	DenialReason   string    `json:"denial_reason,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	ChangedAt      time.Time `json:"changed_at"`
	// History is every status the claim has had, the first (draft) included, in order.
	History []ClaimEvent `json:"history"`
}

// ClaimEvent is one status a claim took: who moved it, when, and the amounts or reason given.
type ClaimEvent struct {
	ClaimID        string      `json:"-"`
	InvoiceID      string      `json:"-"`
	Seq            int         `json:"seq"`
	Status         ClaimStatus `json:"status"`
	ApprovedAmount int64       `json:"approved_amount,omitempty"`
	PaidAmount     int64       `json:"paid_amount,omitempty"`
	// Reason is why a claim was denied; sealed at rest.
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ClaimFilter selects claims: by patient, payer, status and invoices (each ignored when empty).
type ClaimFilter struct {
	PatientID  string
	PayerID    string
	Status     ClaimStatus
	InvoiceIDs []string
}

// Errors of claims.
var (
	errNoClaim      = fault.New(fault.ErrNotFound, "no such claim")
	errClaimChanged = fault.Coded(fault.ErrConflict, "claim_changed", "the claim was moved by someone else meanwhile; reload it and try again")
	errClaimExists  = fault.Coded(fault.ErrConflict, "claim_exists", "this invoice has a claim already")
	errNotInsured   = fault.Coded(fault.ErrConflict, "not_insured", "the invoice was issued with no policy covering the patient: the patient pays it all")
	errNoShare      = fault.Coded(fault.ErrConflict, "nothing_to_claim", "the insurer's share of this invoice is nothing")
)

// fold replays a claim's events (in seq order) onto its creation.
func (c *Claim) fold(events []ClaimEvent) {
	c.Status, c.Rev, c.ApprovedAmount, c.PaidAmount, c.DenialReason, c.ChangedAt = ClaimDraft, 1, 0, 0, "", c.CreatedAt
	c.History = []ClaimEvent{{Seq: 1, Status: ClaimDraft, By: c.CreatedBy, At: c.CreatedAt}}
	for _, e := range events {
		if e.ClaimID != c.ID || e.Seq <= c.Rev {
			continue
		}
		c.Status, c.Rev, c.ChangedAt = e.Status, e.Seq, e.At
		switch e.Status {
		case ClaimApproved, ClaimPartiallyApproved:
			c.ApprovedAmount = e.ApprovedAmount
		case ClaimDenied:
			c.DenialReason = e.Reason
		case ClaimPaid:
			c.PaidAmount = e.PaidAmount
		}
		c.History = append(c.History, e)
	}
}

// asOf is the claim as it stood at t: its events up to t.
func (c Claim) asOf(t time.Time) Claim {
	var events []ClaimEvent
	for _, e := range c.History[1:] {
		if !e.At.After(t) {
			events = append(events, e)
		}
	}
	c.fold(events)
	return c
}

// insurerDue is what the insurer is taken to pay of an invoice whose insurer's share, less what credit
// notes took back, is expected: all of it while the claim is not decided (or there is no claim yet),
// the approved amount once approved, what it paid once paid, and nothing once denied; never more than
// expected (a credit note after the claim lowers it).
func (c *Claim) insurerDue(expected int64) int64 {
	if c == nil {
		return expected
	}
	switch c.Status {
	case ClaimApproved, ClaimPartiallyApproved:
		return min(c.ApprovedAmount, expected)
	case ClaimPaid:
		return min(c.PaidAmount, expected)
	case ClaimDenied:
		return 0
	}
	return expected
}

// CreateClaim makes a draft claim from an issued invoice, for the insurer's share of it (less what
// credit notes have taken back): one claim per invoice (409 claim_exists); an invoice issued with no
// policy (409 not_insured) or whose insurer's share is nothing (409 nothing_to_claim) has none.
func (s *Service) CreateClaim(ctx context.Context, invoiceID, by string) (Claim, error) {
	inv, err := s.Invoice(ctx, invoiceID)
	if err != nil {
		return Claim{}, err
	}
	if inv.Status != Issued {
		return Claim{}, errNotIssued
	}
	if inv.Coverage == nil {
		return Claim{}, errNotInsured
	}
	if existing, err := s.claimsOf(ctx, ClaimFilter{InvoiceIDs: []string{inv.ID}}); err != nil {
		return Claim{}, err
	} else if len(existing) > 0 {
		return Claim{}, errClaimExists
	}
	notes, err := s.store.CreditNotes(ctx, inv.ID)
	if err != nil {
		return Claim{}, err
	}
	share, _ := Shares(inv.Totals.Total-credited(notes), inv.Coverage)
	if share <= 0 {
		return Claim{}, errNoShare
	}
	now := s.clock()
	c := Claim{ID: ident.New(), InvoiceID: inv.ID, InvoiceNumber: inv.Number, PatientID: inv.PatientID,
		PayerID: inv.Coverage.PayerID, PayerName: inv.Coverage.PayerName, PolicyID: inv.Coverage.PolicyID, Plan: inv.Coverage.Plan,
		Currency: inv.Currency, Amount: share, Status: ClaimDraft, Rev: 1, CreatedAt: now, CreatedBy: by, ChangedAt: now}
	pending, err := s.expect(ctx, ClaimMoved{ClaimID: c.ID, Seq: 1})
	if err != nil {
		return Claim{}, err
	}
	if err := s.store.InsertClaim(ctx, c); errors.Is(err, ErrDuplicate) {
		pending.Drop(ctx)
		return Claim{}, errClaimExists // made meanwhile: the invoice's claim is unique in the store
	} else if err != nil {
		pending.Drop(ctx)
		return Claim{}, err
	}
	pending.Happened(ctx)
	c.fold(nil)
	s.changed(ctx, c.PatientID, c.InvoiceID, "claim")
	return c, nil
}

// Claim returns a claim as its events make it.
func (s *Service) Claim(ctx context.Context, id string) (Claim, error) {
	c, err := s.store.Claim(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Claim{}, errNoClaim
	} else if err != nil {
		return Claim{}, err
	}
	cs := []Claim{c}
	if err := s.foldAll(ctx, cs); err != nil {
		return Claim{}, err
	}
	return cs[0], nil
}

// Claims lists claims, newest first: a patient's, a payer's, those in a status (the board's columns).
func (s *Service) Claims(ctx context.Context, f ClaimFilter) ([]Claim, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, fault.Invalid("status must be one of %s", statusWords())
	}
	return s.claimsOf(ctx, f)
}

func statusWords() string {
	w := make([]string, len(ClaimStatuses))
	for i, st := range ClaimStatuses {
		w[i] = string(st)
	}
	return strings.Join(w, ", ")
}

func (s *Service) claimsOf(ctx context.Context, f ClaimFilter) ([]Claim, error) {
	cs, err := s.store.Claims(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := s.foldAll(ctx, cs); err != nil {
		return nil, err
	}
	if f.Status != "" {
		// The store selects by the status it last recorded; the events decide.
		cs = slices.DeleteFunc(cs, func(c Claim) bool { return c.Status != f.Status })
	}
	return cs, nil
}

// foldAll folds each claim's events onto it. The store's record of a claim's status, which the board
// selects by, is written after each event: one a crash left behind is brought up to date here (and by
// Recover).
func (s *Service) foldAll(ctx context.Context, cs []Claim) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	events, err := s.store.ClaimEvents(ctx, ids...)
	if err != nil {
		return err
	}
	byClaim := map[string][]ClaimEvent{}
	for _, e := range events {
		byClaim[e.ClaimID] = append(byClaim[e.ClaimID], e)
	}
	for i := range cs {
		recorded := cs[i].Rev
		cs[i].fold(byClaim[cs[i].ID])
		if cs[i].Rev > recorded {
			last := cs[i].History[len(cs[i].History)-1]
			if err := s.store.ApplyClaimEvent(ctx, last); err != nil {
				s.log.WarnContext(ctx, "bring a claim's recorded status up to date", "claim", cs[i].ID, "err", err)
			}
		}
	}
	return nil
}

// MoveRequest moves a claim to a status from the revision the caller saw. Approved takes the whole
// amount claimed; partially approved needs the amount approved (less than claimed); denied needs a
// reason; paid takes what the payer paid (the approved amount when absent, never more).
type MoveRequest struct {
	Status         ClaimStatus `json:"status"`
	Rev            *int        `json:"rev"`
	ApprovedAmount *int64      `json:"approved_amount"`
	PaidAmount     *int64      `json:"paid_amount"`
	Reason         string      `json:"reason"`
}

// MoveClaim moves a claim to another status: only the moves of its life (409 claim_transition
// otherwise), only from the revision the caller saw (409 claim_changed), once: of two moves made at
// once from one revision, one is stored. The same move repeated by the same user (a retried request)
// answers the claim as it made it, with replayed true.
func (s *Service) MoveClaim(ctx context.Context, id string, r MoveRequest, by string) (Claim, bool, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	if !r.Status.Valid() {
		return Claim{}, false, fault.Invalid("status must be one of %s", statusWords())
	}
	if r.Rev == nil {
		return Claim{}, false, fault.Invalid("rev is required: the claim's revision you saw")
	}
	if err := checkText("reason", r.Reason, maxText, false); err != nil {
		return Claim{}, false, err
	}
	c, err := s.Claim(ctx, id)
	if err != nil {
		return Claim{}, false, err
	}
	e := ClaimEvent{ClaimID: c.ID, InvoiceID: c.InvoiceID, Seq: *r.Rev + 1, Status: r.Status, By: by, At: s.clock()}
	if c.Rev != *r.Rev {
		if c.Rev == e.Seq && sameMove(c.History[len(c.History)-1], e, r) {
			return c, true, nil
		}
		return Claim{}, false, errClaimChanged
	}
	if !slices.Contains(c.Status.Next(), r.Status) {
		return Claim{}, false, transitionError(c.Status, r.Status)
	}
	if err := moveAmounts(c, r, &e); err != nil {
		return Claim{}, false, err
	}
	pending, err := s.expect(ctx, ClaimMoved{ClaimID: c.ID, Seq: e.Seq})
	if err != nil {
		return Claim{}, false, err
	}
	if err := s.store.InsertClaimEvent(ctx, e); errors.Is(err, ErrDuplicate) {
		pending.Drop(ctx) // kept when a move is stored at this seq after all (Drop asks): counted once
		// Someone else moved it from the same revision first; or this same request, retried, did.
		cur, err := s.Claim(ctx, id)
		if err == nil && cur.Rev >= e.Seq && sameMove(cur.History[e.Seq-1], e, r) {
			return cur, true, nil
		}
		return Claim{}, false, errClaimChanged
	} else if err != nil {
		pending.Drop(ctx)
		return Claim{}, false, err
	}
	pending.Happened(ctx)
	if err := s.store.ApplyClaimEvent(ctx, e); err != nil {
		// The event is stored and decides; the recorded status is brought up to date on the next read.
		s.log.WarnContext(ctx, "record a claim's status", "claim", c.ID, "err", err)
	}
	c.fold(append(slices.Clone(c.History[1:]), e))
	s.changed(ctx, c.PatientID, c.InvoiceID, "claim")
	return c, false, nil
}

// sameMove reports whether stored is the move r by e.By asks for (a retried request).
func sameMove(stored, e ClaimEvent, r MoveRequest) bool {
	return stored.Status == r.Status && stored.By == e.By &&
		(r.ApprovedAmount == nil || *r.ApprovedAmount == stored.ApprovedAmount) &&
		(r.PaidAmount == nil || *r.PaidAmount == stored.PaidAmount) && (r.Reason == "" || r.Reason == stored.Reason)
}

func transitionError(from, to ClaimStatus) error {
	next := claimMoves[from]
	if len(next) == 0 {
		return fault.Coded(fault.ErrConflict, "claim_transition", "a claim that is %s cannot be moved any more", words(from))
	}
	allowed := make([]string, len(next))
	for i, n := range next {
		allowed[i] = words(n)
	}
	return fault.Coded(fault.ErrConflict, "claim_transition", "a claim that is %s cannot become %s; it can become %s",
		words(from), words(to), strings.Join(allowed, " or "))
}

func words(st ClaimStatus) string { return strings.ReplaceAll(string(st), "_", " ") }

// moveAmounts checks and sets the amounts and reason a move carries.
func moveAmounts(c Claim, r MoveRequest, e *ClaimEvent) error {
	noAmounts := func() error {
		if r.ApprovedAmount != nil || r.PaidAmount != nil {
			return fault.Invalid("a claim that becomes %s takes no amount", words(r.Status))
		}
		return nil
	}
	switch r.Status {
	case ClaimSubmitted, ClaimInReview:
		if r.Reason != "" {
			return fault.Invalid("a reason is given only when a claim is denied")
		}
		return noAmounts()
	case ClaimApproved:
		if r.PaidAmount != nil || r.ApprovedAmount != nil && *r.ApprovedAmount != c.Amount {
			return fault.Invalid("approved is the whole amount claimed (%d); for less, the claim is partially approved", c.Amount)
		}
		e.ApprovedAmount = c.Amount
	case ClaimPartiallyApproved:
		if r.PaidAmount != nil {
			return fault.Invalid("a claim that becomes partially approved takes no paid_amount")
		}
		if r.ApprovedAmount == nil || *r.ApprovedAmount <= 0 || *r.ApprovedAmount >= c.Amount {
			return fault.Invalid("approved_amount must be more than 0 and less than the amount claimed (%d)", c.Amount)
		}
		e.ApprovedAmount = *r.ApprovedAmount
	case ClaimDenied:
		if err := noAmounts(); err != nil {
			return err
		}
		if r.Reason == "" {
			return fault.Invalid("reason is required: why the payer denied the claim")
		}
		e.Reason = r.Reason
	case ClaimPaid:
		if r.ApprovedAmount != nil {
			return fault.Invalid("a claim that becomes paid takes paid_amount, not approved_amount")
		}
		e.PaidAmount = c.ApprovedAmount
		if r.PaidAmount != nil {
			if *r.PaidAmount <= 0 || *r.PaidAmount > c.ApprovedAmount {
				return fault.Invalid("paid_amount must be more than 0 and at most the approved amount (%d)", c.ApprovedAmount)
			}
			e.PaidAmount = *r.PaidAmount
		}
	default:
		return fmt.Errorf("billing: no move to %s", r.Status)
	}
	if r.Status != ClaimDenied && r.Reason != "" {
		return fault.Invalid("a reason is given only when a claim is denied")
	}
	return nil
}

// claimsByInvoice reads the claims of those invoices that have an insurer's share (the others have
// none), by invoice.
func (s *Service) claimsByInvoice(ctx context.Context, invs []Invoice) (map[string]*Claim, error) {
	var ids []string
	for _, inv := range invs {
		if inv.Coverage != nil {
			ids = append(ids, inv.ID)
		}
	}
	out := map[string]*Claim{}
	if len(ids) == 0 {
		return out, nil
	}
	cs, err := s.claimsOf(ctx, ClaimFilter{InvoiceIDs: ids})
	if err != nil {
		return nil, err
	}
	for i := range cs {
		out[cs[i].InvoiceID] = &cs[i]
	}
	return out, nil
}

// recoverClaims records the status of claims whose last move a crash left unrecorded (the event is
// stored; the status the board selects by is not).
func (s *Service) recoverClaims(ctx context.Context, before time.Time) (int, error) {
	es, err := s.store.UnappliedClaimEvents(ctx, before, 100)
	if err != nil {
		return 0, err
	}
	for i, e := range es {
		if err := s.store.ApplyClaimEvent(ctx, e); err != nil {
			return i, fmt.Errorf("record claim %s's status: %w", e.ClaimID, err)
		}
	}
	return len(es), nil
}
