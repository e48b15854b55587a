package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"hms/server/internal/apptest"
	"hms/shared"
)

func init() {
	// The contract test validates downloaded files against the document: their bodies are binary.
	for _, ct := range []string{"application/pdf", "image/png", "image/jpeg"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// multipartFile is a multipart/form-data request carrying data in the field "file".
func multipartFile(t *testing.T, path, token, name string, data []byte) apptest.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	return apptest.Request{Method: "POST", Path: path, Token: token, Body: body.Bytes(),
		Header: map[string]string{"Content-Type": w.FormDataContentType()}}
}

// exerciseLab is the lab part of TestResponsesMatchDocument: order, results, release, a file up and
// down, the patient's view, errors included. It runs after exerciseScheduling (department "general"
// and the fixture clock exist).
func exerciseLab(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	doc, staff := env.NewDoctor("general", "pathology"), env.NewUser(shared.RoleStaff)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	env.Attend(staff.Token, doc.ID(), pat.User.PatientID, apptest.At(16, 0))
	pid := pat.User.PatientID
	const unknown = "0123456789abcdef01234567"

	var o shared.LabOrder
	c.call(t, "a doctor orders lab tests", send("POST", "/api/patients/"+pid+"/lab-orders", doc.Token, apptest.LabOrder), http.StatusCreated).Decode(t, &o)
	orders, order := "/api/patients/"+pid+"/lab-orders", "/api/lab-orders/"+o.ID
	c.call(t, "the lab submits results", send("POST", order+"/results", staff.Token, apptest.LabResults), http.StatusCreated)
	var f shared.LabFile
	c.call(t, "the lab attaches a PDF", multipartFile(t, order+"/files", staff.Token, "report.pdf", apptest.PDF(t, 300<<10, "x")),
		http.StatusCreated).Decode(t, &f)
	c.call(t, "staff list the orders", get(orders+"?page=1&limit=10", staff.Token), http.StatusOK)
	c.call(t, "the lab desk's queue", get("/api/lab-orders?status=resulted&limit=10", doc.Token), http.StatusOK)
	c.exchange(t, "the queue by an unknown status", get("/api/lab-orders?status=lost", doc.Token), http.StatusBadRequest, true)
	c.call(t, "the doctor reads the order", get(order, doc.Token), http.StatusOK)
	c.call(t, "the doctor downloads the file", get("/api/lab-files/"+f.ID, doc.Token), http.StatusOK)
	c.call(t, "the patient's list before release", get(orders, pat.Token), http.StatusOK)
	c.call(t, "the patient reads the report before release", get(order, pat.Token), http.StatusNotFound)
	c.call(t, "the doctor releases the report", send("POST", order+"/release", doc.Token, nil), http.StatusOK)
	c.call(t, "the doctor releases it again", send("POST", order+"/release", doc.Token, nil), http.StatusOK)
	c.call(t, "the patient reads the released report", get(order, pat.Token), http.StatusOK)
	c.call(t, "the patient downloads the file", get("/api/lab-files/"+f.ID, pat.Token), http.StatusOK)
	var other2 shared.LabOrder
	c.call(t, "the doctor orders again", send("POST", orders, doc.Token, apptest.LabOrder), http.StatusCreated).Decode(t, &other2)
	c.call(t, "the doctor cancels the order", send("POST", "/api/lab-orders/"+other2.ID+"/cancel", doc.Token, nil), http.StatusOK)
	var pending shared.LabOrder
	c.call(t, "the doctor orders once more", send("POST", orders, doc.Token, apptest.LabOrder), http.StatusCreated).Decode(t, &pending)
	files := "/api/lab-orders/" + pending.ID + "/files"

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"order no tests", send("POST", orders, doc.Token, map[string]any{"tests": []any{}}), 400, true},
		{"order a bad priority", send("POST", orders, doc.Token, map[string]any{"tests": apptest.LabOrder.Tests, "priority": "stat"}), 400, true},
		{"staff order tests", send("POST", orders, staff.Token, apptest.LabOrder), 403, false},
		{"order for an unknown patient", send("POST", "/api/patients/"+unknown+"/lab-orders", doc.Token, apptest.LabOrder), 404, false},
		{"another patient lists the orders", get(orders, other.Token), 403, false},
		{"lab orders of a malformed patient id", get("/api/patients/nope/lab-orders", doc.Token), 400, true},
		{"another patient reads the order", get(order, other.Token), 403, false},
		{"an unknown lab order", get("/api/lab-orders/"+unknown, doc.Token), 404, false},
		{"a malformed lab order id", get("/api/lab-orders/nope", doc.Token), 400, true},
		{"results with a client flag", send("POST", order+"/results", staff.Token,
			`{"results":[{"code":"K","value":4,"range":{},"flag":"N"}]}`), 400, true},
		{"results after release", send("POST", order+"/results", staff.Token, apptest.LabResults), 409, false},
		{"a patient submits results", send("POST", order+"/results", pat.Token, apptest.LabResults), 403, false},
		{"staff release a report", send("POST", order+"/release", staff.Token, nil), 403, false},
		{"release an unknown order", send("POST", "/api/lab-orders/"+unknown+"/release", doc.Token, nil), 404, false},
		{"cancel a released report", send("POST", order+"/cancel", doc.Token, nil), 409, false},
		{"staff cancel an order", send("POST", order+"/cancel", staff.Token, nil), 403, false},
		{"cancel a malformed order id", send("POST", "/api/lab-orders/nope/cancel", doc.Token, nil), 400, true},
		{"attach a text file named .pdf", multipartFile(t, files, staff.Token, "a.pdf", []byte("plain text")), 415, false},
		{"attach an empty file", multipartFile(t, files, staff.Token, "a.pdf", nil), 400, false},
		{"attach to a released report", multipartFile(t, order+"/files", staff.Token, "a.pdf", apptest.PDF(t, 100, "x")), 409, false},
		{"a patient attaches a file", multipartFile(t, files, pat.Token, "a.pdf", apptest.PDF(t, 100, "x")), 403, false},
		{"another patient downloads the file", get("/api/lab-files/"+f.ID, other.Token), 403, false},
		{"an unknown lab file", get("/api/lab-files/"+unknown, doc.Token), 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects)
		})
	}
}
