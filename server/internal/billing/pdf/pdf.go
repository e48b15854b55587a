// Package pdf renders billing documents (invoices, receipts) as PDF with codeberg.org/go-pdf/fpdf.
// Rendering is deterministic: the document's dates are the invoice's issue time (or the receipt's
// date), nothing random goes in, and the PDF's /ID is empty, so the same input renders the same bytes.
// Text uses the PDF core fonts, which write Windows-1252: characters outside it print as "?".
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"hms/server/internal/billing"
)

// Hospital is who issues the documents: HOSPITAL_NAME, HOSPITAL_ADDRESS, HOSPITAL_TAX_ID, and how
// money and dates are written (HOSPITAL_CURRENCY, HOSPITAL_LOCALE, HOSPITAL_TZ).
type Hospital struct {
	Name    string
	Address string
	TaxID   string
	// Currency is the ISO 4217 code amounts are in when a document does not say.
	Currency string
	Locale   string
	Location *time.Location
}

// PatientInfo is whom a document bills.
type PatientInfo struct {
	Name string
	MRN  string
}

// PaymentLine is one payment (or refund, a negative amount) shown on an invoice.
type PaymentLine struct {
	At        time.Time
	Method    string
	Reference string
	Amount    int64
}

// ReceiptInfo is everything a receipt shows.
type ReceiptInfo struct {
	Number        string
	Date          time.Time
	Patient       PatientInfo
	InvoiceNumber string
	Method        string
	// Amount is what was paid, Refunded what of it was given back, BalanceAfter what the invoice still
	// owes after this payment; minor units of Currency (the hospital's when empty).
	Amount       int64
	Refunded     int64
	BalanceAfter int64
	Currency     string
}

const (
	margin = 15.0
	width  = 210 - 2*margin
	lineH  = 5.0
)

// doc is one document being written.
type doc struct {
	f     *fpdf.Fpdf
	tr    func(string) string
	money moneyFormat
	h     Hospital
}

func newDoc(h Hospital, currency string, at time.Time, title string) (*doc, error) {
	if currency == "" {
		currency = h.Currency
	}
	m, err := newMoneyFormat(currency, h.Locale)
	if err != nil {
		return nil, fmt.Errorf("pdf: currency %q: %w", currency, err)
	}
	if h.Location == nil {
		h.Location = time.UTC
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.SetCatalogSort(true)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	d := &doc{f: f, tr: f.UnicodeTranslatorFromDescriptor(""), money: m, h: h}
	f.SetTitle(d.tr(title), false)
	f.SetAuthor(d.tr(h.Name), false)
	f.SetCreator("HMS", false)
	f.SetProducer("HMS", false)
	f.AliasNbPages("")
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(0, 4, d.tr(fmt.Sprintf("%s — page %d of {nb}", title, f.PageNo())), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	return d, nil
}

// text makes s printable with the core fonts: the no-break spaces some locales group digits with
// become spaces; what Windows-1252 lacks becomes "?".
func (d *doc) text(s string) string {
	s = strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s)
	return d.tr(s)
}

func (d *doc) date(t time.Time) string { return t.In(d.h.Location).Format("2 January 2006") }

// header writes the hospital's name, address and tax id, then the document's title and number.
func (d *doc) header(title, number string) {
	f := d.f
	f.SetFont("Helvetica", "B", 16)
	f.CellFormat(width, 8, d.text(d.h.Name), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 9)
	if d.h.Address != "" {
		f.MultiCell(width, 4.5, d.text(d.h.Address), "", "L", false)
	}
	if d.h.TaxID != "" {
		f.CellFormat(width, 4.5, d.text("Tax ID: "+d.h.TaxID), "", 1, "L", false, 0, "")
	}
	f.Ln(4)
	f.SetFont("Helvetica", "B", 14)
	f.CellFormat(width, 8, d.text(title+" "+number), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 10)
}

// field writes "label: value" on one line.
func (d *doc) field(label, value string) {
	d.f.SetFont("Helvetica", "B", 10)
	d.f.CellFormat(45, lineH+1, d.text(label), "", 0, "L", false, 0, "")
	d.f.SetFont("Helvetica", "", 10)
	d.f.CellFormat(width-45, lineH+1, d.text(value), "", 1, "L", false, 0, "")
}

// sum writes a right-aligned total line.
func (d *doc) sum(label string, amount int64, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont("Helvetica", style, 10)
	d.f.CellFormat(width-40, lineH+1, d.text(label), "", 0, "R", false, 0, "")
	d.f.CellFormat(40, lineH+1, d.text(d.money.format(amount)), "", 1, "R", false, 0, "")
}

func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// columns of the invoice's lines: description, quantity, unit price, tax, total.
var cols = []struct {
	name  string
	w     float64
	align string
}{{"Description", 72, "L"}, {"Qty", 14, "R"}, {"Unit price", 32, "R"}, {"Tax", 32, "R"}, {"Total", 30, "R"}}

// Invoice renders an issued invoice: the hospital, the patient, each line, the taxes by rate, the
// totals, the payments and the balance. A draft has no number and is refused.
func Invoice(h Hospital, inv billing.Invoice, patient PatientInfo, payments []PaymentLine) ([]byte, error) {
	if inv.Status != billing.Issued || inv.IssuedAt == nil || inv.Number == "" {
		return nil, errors.New("pdf: only an issued invoice is rendered")
	}
	d, err := newDoc(h, inv.Currency, *inv.IssuedAt, "Invoice "+inv.Number)
	if err != nil {
		return nil, err
	}
	f := d.f
	d.header("INVOICE", inv.Number)
	d.field("Issued", d.date(*inv.IssuedAt))
	d.field("Patient", patient.Name)
	d.field("MRN", patient.MRN)
	f.Ln(4)

	f.SetFont("Helvetica", "B", 10)
	f.SetFillColor(230, 230, 230)
	for _, c := range cols {
		f.CellFormat(c.w, lineH+2, c.name, "B", 0, c.align, true, 0, "")
	}
	f.Ln(-1)
	f.SetFont("Helvetica", "", 10)
	type rate struct{ net, tax int64 }
	rates := map[int]*rate{}
	var order []int
	for _, l := range inv.Lines {
		desc := f.SplitText(d.text(l.Description), cols[0].w-2)
		if len(desc) == 0 {
			desc = []string{""}
		}
		cells := []string{"", strconv.Itoa(l.Quantity), d.money.format(l.UnitAmount),
			d.money.format(l.Tax) + " (" + d.money.percent(l.TaxBP) + ")", d.money.format(l.Total)}
		rowH := float64(len(desc)) * lineH
		if f.GetY()+rowH > 297-margin-5 {
			f.AddPage()
		}
		x, y := f.GetXY()
		f.MultiCell(cols[0].w, lineH, strings.Join(desc, "\n"), "", "L", false)
		f.SetXY(x+cols[0].w, y)
		for i, c := range cols[1:] {
			f.CellFormat(c.w, lineH, d.text(cells[i+1]), "", 0, c.align, false, 0, "")
		}
		f.SetXY(x, y+rowH)
		f.Line(margin, y+rowH, margin+width, y+rowH)
		if rates[l.TaxBP] == nil {
			rates[l.TaxBP] = &rate{}
			order = append(order, l.TaxBP)
		}
		rates[l.TaxBP].net += l.Net
		rates[l.TaxBP].tax += l.Tax
	}
	f.Ln(3)
	d.sum("Subtotal (before tax)", inv.Totals.Net, false)
	slices.Sort(order)
	for _, bp := range order {
		r := rates[bp]
		d.sum(fmt.Sprintf("Tax %s on %s", d.money.percent(bp), d.money.format(r.net)), r.tax, false)
	}
	d.sum("Total tax", inv.Totals.Tax, false)
	d.sum("Total", inv.Totals.Total, true)
	due := inv.Totals.Total
	if c := inv.Coverage; c != nil {
		// The shares frozen at the issue: the insurer's, and the patient's, which is what they pay.
		terms := d.money.percent(c.CoverageBP)
		if c.CoPay > 0 {
			terms += ", co-pay " + d.money.format(c.CoPay)
		}
		who := c.PayerName
		if c.Plan != "" {
			who += ", " + c.Plan
		}
		if r := []rune(who); len(r) > 60 {
			who = string(r[:59]) + "…"
		}
		d.sum(fmt.Sprintf("Insurer's share (%s; %s)", who, terms), inv.InsurerShare, false)
		d.sum("Patient's share", inv.PatientShare, true)
		due = inv.PatientShare
	}

	paid := int64(0)
	if len(payments) > 0 {
		f.Ln(4)
		f.SetFont("Helvetica", "B", 11)
		f.CellFormat(width, lineH+2, "Payments", "", 1, "L", false, 0, "")
		f.SetFont("Helvetica", "", 10)
		for _, p := range payments {
			what := p.Method
			if p.Reference != "" {
				what += " " + p.Reference
			}
			f.CellFormat(40, lineH+1, d.text(d.date(p.At)), "", 0, "L", false, 0, "")
			f.CellFormat(width-80, lineH+1, d.text(what), "", 0, "L", false, 0, "")
			f.CellFormat(40, lineH+1, d.text(d.money.format(p.Amount)), "", 1, "R", false, 0, "")
			paid += p.Amount
		}
		d.sum("Paid", paid, false)
	}
	d.sum("Balance due", due-paid, true)
	return d.bytes()
}

// Receipt renders the receipt of one payment.
func Receipt(h Hospital, r ReceiptInfo) ([]byte, error) {
	if r.Number == "" || r.Date.IsZero() {
		return nil, errors.New("pdf: a receipt needs a number and a date")
	}
	d, err := newDoc(h, r.Currency, r.Date, "Receipt "+r.Number)
	if err != nil {
		return nil, err
	}
	d.header("RECEIPT", r.Number)
	d.field("Date", d.date(r.Date))
	d.field("Patient", r.Patient.Name)
	d.field("MRN", r.Patient.MRN)
	d.field("Invoice", r.InvoiceNumber)
	d.field("Payment method", r.Method)
	d.f.Ln(4)
	d.sum("Amount paid", r.Amount, true)
	if r.Refunded != 0 {
		d.sum("Refunded", r.Refunded, false)
	}
	d.sum("Balance after this payment", r.BalanceAfter, true)
	return d.bytes()
}
