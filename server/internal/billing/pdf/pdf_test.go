package pdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hms/server/internal/billing"
	"hms/server/internal/billing/pdf"
	"hms/server/internal/billing/pdf/pdftest"
)

func hospital() pdf.Hospital {
	return pdf.Hospital{Name: "St Mary's Hospital", Address: "1 Praed Street, London W2 1NY", TaxID: "GB123456789",
		Currency: "GBP", Locale: "en-GB", Location: time.UTC}
}

func issued() billing.Invoice {
	at := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	return billing.Invoice{ID: "inv1", PatientID: "p1", Status: billing.Issued, Currency: "GBP", Number: "INV-2026-000123",
		IssuedAt: &at, Lines: []billing.Line{
			{ChargeID: "c1", Kind: billing.Consultation, Description: "Consultation with Dr Grey", Quantity: 1, UnitAmount: 12000, TaxBP: 2000, Net: 12000, Tax: 2400, Total: 14400},
			{ChargeID: "c2", Kind: billing.LabTest, Description: "Full blood count", Quantity: 2, UnitAmount: 1550, TaxBP: 0, Net: 3100, Tax: 0, Total: 3100},
			{ChargeID: "c3", Kind: billing.Medication, Description: "Amoxicillin 500 mg", Quantity: 21, UnitAmount: 123456, TaxBP: 550, Net: 2592576, Tax: 142592, Total: 2735168},
		},
		Totals: billing.Totals{Net: 2607676, Tax: 144992, Total: 2752668}}
}

// TestInvoiceText: the PDF carries the hospital, the patient, every line with its quantity, unit price,
// tax and total, the taxes by rate, the totals, the payments and the balance, in the hospital's money.
func TestInvoiceText(t *testing.T) {
	doc, err := pdf.Invoice(hospital(), issued(), pdf.PatientInfo{Name: "Ada Lovelace", MRN: "MRN-000042"},
		[]pdf.PaymentLine{{At: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC), Method: "card", Reference: "4242", Amount: 100000}})
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, doc)
	for _, want := range []string{
		"St Mary's Hospital", "1 Praed Street, London W2 1NY", "Tax ID: GB123456789",
		"INVOICE INV-2026-000123", "7 December 2026", "Ada Lovelace", "MRN-000042",
		"Consultation with Dr Grey", "£120.00", "£24.00 (20%)", "£144.00",
		"Full blood count", "£15.50", "£0.00 (0%)", "£31.00",
		"Amoxicillin 500 mg", "21", "£1,234.56", "£1,425.92 (5.5%)", "£27,351.68",
		"Subtotal (before tax)", "£26,076.76", "Tax 20% on £120.00", "Tax 5.5% on £25,925.76",
		"Total tax", "£1,449.92", "Total", "£27,526.68",
		"Payments", "8 December 2026", "card 4242", "£1,000.00", "Paid", "Balance due", "£26,526.68",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the invoice's text lacks %q:\n%s", want, text)
		}
	}
}

// TestInvoiceShares: an invoice issued under a policy shows the insurer's share with the payer and the
// terms, the patient's share, and a balance due of the patient's share less what they paid.
func TestInvoiceShares(t *testing.T) {
	inv := issued()
	inv.Coverage = &billing.Coverage{PolicyID: "pol1", PayerID: "payer1", PayerName: "Acme Health", Plan: "Gold", CoverageBP: 8000, CoPay: 1000}
	inv.InsurerShare, inv.PatientShare = billing.Shares(inv.Totals.Total, inv.Coverage)
	doc, err := pdf.Invoice(hospital(), inv, pdf.PatientInfo{Name: "Ada Lovelace", MRN: "MRN-000042"},
		[]pdf.PaymentLine{{At: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC), Method: "cash", Amount: 50000}})
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, doc)
	// 27,526.68 − 10.00 = 27,516.68; × 80% = 22,013.344 → 22,013.34; the patient 5,513.34, paid 500.00.
	for _, want := range []string{"Insurer's share (Acme Health, Gold; 80%, co-pay £10.00)", "£22,013.34", "Patient's share", "£5,513.34",
		"Balance due", "£5,013.34"} {
		if !strings.Contains(text, want) {
			t.Errorf("the invoice's text lacks %q:\n%s", want, text)
		}
	}
}

// TestInvoiceDeterministic: the same invoice renders the same bytes, whenever it is rendered.
func TestInvoiceDeterministic(t *testing.T) {
	a, err := pdf.Invoice(hospital(), issued(), pdf.PatientInfo{Name: "Ada", MRN: "M1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a clock in the output would show now
	b, err := pdf.Invoice(hospital(), issued(), pdf.PatientInfo{Name: "Ada", MRN: "M1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one invoice differ")
	}
	if !strings.Contains(pdftest.Text(t, a), "Balance due") {
		t.Error("no balance on an invoice without payments")
	}
}

// TestInvoiceLocaleAndDraft: money is written in the hospital's locale and currency (no decimals for
// yen); a draft is not rendered.
func TestInvoiceLocaleAndDraft(t *testing.T) {
	h := hospital()
	h.Locale = "de-DE"
	inv := issued()
	inv.Currency = "EUR"
	doc, err := pdf.Invoice(h, inv, pdf.PatientInfo{Name: "Ada", MRN: "M1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, doc); !strings.Contains(text, "€27.526,68") || !strings.Contains(text, "5,5%") {
		t.Errorf("got %s, want €27.526,68 and 5,5%%", text)
	}
	inv.Currency = "JPY"
	h.Locale = "en-GB"
	doc, err = pdf.Invoice(h, inv, pdf.PatientInfo{Name: "Ada", MRN: "M1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, doc); !strings.Contains(text, "¥2,752,668") {
		t.Errorf("got %s, want ¥2,752,668", text)
	}
	draft := issued()
	draft.Status, draft.Number, draft.IssuedAt = billing.Draft, "", nil
	if _, err := pdf.Invoice(hospital(), draft, pdf.PatientInfo{}, nil); err == nil {
		t.Error("a draft was rendered")
	}
}

// TestReceiptText: a receipt names the payment, the invoice, the patient and the balance after it.
func TestReceiptText(t *testing.T) {
	r := pdf.ReceiptInfo{Number: "RCT-2026-000007", Date: time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC),
		Patient: pdf.PatientInfo{Name: "Ada Lovelace", MRN: "MRN-000042"}, InvoiceNumber: "INV-2026-000123",
		Method: "card", Amount: 50000, Refunded: 2500, BalanceAfter: 12345}
	doc, err := pdf.Receipt(hospital(), r)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, doc)
	for _, want := range []string{"St Mary's Hospital", "Tax ID: GB123456789", "RECEIPT RCT-2026-000007", "9 December 2026",
		"Ada Lovelace", "MRN-000042", "INV-2026-000123", "card", "Amount paid", "£500.00", "Refunded", "£25.00",
		"Balance after this payment", "£123.45"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt's text lacks %q:\n%s", want, text)
		}
	}
	again, _ := pdf.Receipt(hospital(), r)
	if !bytes.Equal(doc, again) {
		t.Error("two renderings of one receipt differ")
	}
}

// BenchmarkRenderInvoicePDF renders an invoice of 20 lines.
func BenchmarkRenderInvoicePDF(b *testing.B) {
	inv := issued()
	line := inv.Lines[0]
	inv.Lines = nil
	for range 20 {
		inv.Lines = append(inv.Lines, line)
	}
	inv.Totals = billing.Totals{Net: 20 * line.Net, Tax: 20 * line.Tax, Total: 20 * line.Total}
	for b.Loop() {
		if _, err := pdf.Invoice(hospital(), inv, pdf.PatientInfo{Name: "Ada", MRN: "M1"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
