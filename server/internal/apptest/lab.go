package apptest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"testing"

	"hms/shared"
)

func num(v float64) *float64 { return &v }

// LabOrder is a small lab order: potassium, sodium, glucose and a text test, with a note to look for
// in raw documents.
var LabOrder = shared.LabOrderRequest{Priority: "urgent", Note: "query hyperkalaemia-7c1e",
	Tests: []shared.LabTest{{Code: "K", Name: "Potassium"}, {Code: "NA", Name: "Sodium"}, {Code: "GLU", Name: "Glucose"}, {Code: "HCG", Name: "hCG"}}}

// LabResults are results for LabOrder whose flags the server must compute: HH, L, N and none (a text
// value).
var LabResults = shared.LabResultsRequest{Interpretation: "critical potassium-5d2b, phoned to ward", Results: []shared.LabResultInput{
	{Code: "K", Value: num(6.9), Unit: "mmol/L", Range: shared.LabRange{Low: num(3.5), High: num(5.1), CriticalLow: num(2.5), CriticalHigh: num(6.5)}},
	{Code: "NA", Value: num(130), Unit: "mmol/L", Range: shared.LabRange{Low: num(135), High: num(145)}},
	{Code: "GLU", Value: num(5.2), Unit: "mmol/L", Range: shared.LabRange{Low: num(3.9), High: num(7.8)}, Comment: "fasting"},
	{Code: "HCG", Text: "negative", Range: shared.LabRange{Text: "negative"}},
}}

// PDF is a PDF-looking file of n bytes: the magic bytes, then random data with marker in the middle.
func PDF(t testing.TB, n int, marker string) []byte {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "%PDF-1.7\n")
	copy(b[n/2:], marker)
	return b
}

// UploadLabFile sends a multipart upload of data in field to the lab order, claiming contentType and
// the file name.
func (e *Env) UploadLabFile(token, orderID, field, name, contentType string, data []byte) *Response {
	e.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	hdr.Set("Content-Type", contentType)
	part, err := w.CreatePart(hdr)
	if err != nil {
		e.T.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	return e.Do(Request{Method: "POST", Path: "/api/lab-orders/" + orderID + "/files", Token: token, Body: body.Bytes(),
		Header: map[string]string{"Content-Type": w.FormDataContentType()}})
}
