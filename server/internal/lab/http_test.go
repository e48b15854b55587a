package lab_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/lab"
	"hms/shared"
)

func num(v float64) *float64 { return &v }

// labPatient is a patient checked in today for the hospital's doctor (a care relationship for the
// doctor and the staff).
func labPatient(t *testing.T, env *apptest.Env, h *apptest.Hospital, at time.Time) apptest.User {
	t.Helper()
	p := env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), p.User.PatientID, at)
	return p
}

// labAuditActions returns "action outcome" → count for a patient's audit trail.
func labAuditActions(t *testing.T, env *apptest.Env, admin, patientID string) map[string]int {
	t.Helper()
	var trail struct {
		Items []struct{ Action, Outcome string } `json:"items"`
	}
	env.Get("/api/audit?limit=100&patient_id="+patientID, admin).Want(t, http.StatusOK).Decode(t, &trail)
	out := map[string]int{}
	for _, e := range trail.Items {
		out[e.Action+" "+e.Outcome]++
	}
	return out
}

// TestLabOrderResultRelease is the report's life: a doctor orders, the lab submits results (the
// server computes the flags and refuses a client's), a second revision corrects them, the doctor
// releases (once: a second release changes nothing and publishes nothing), and only then does the
// patient see the report; another patient never does (docs/security.md row 12), and every step is audited
// (row 28).
func TestLabOrderResultRelease(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	bob := labPatient(t, env, h, apptest.At(9, 15))
	pid := ann.User.PatientID

	var o shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	if o.Status != shared.LabOrdered || o.PatientID != pid || o.OrderedBy != h.Doctor.ID() || len(o.Tests) != 4 || o.Priority != "urgent" || o.Note != apptest.LabOrder.Note {
		t.Fatalf("got order %+v, want Ann's urgent order of 4 tests by the doctor", o)
	}
	env.Post("/api/patients/"+pid+"/lab-orders", h.Staff.Token, apptest.LabOrder).Want(t, http.StatusForbidden)
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, map[string]any{"tests": []any{}}).Want(t, http.StatusBadRequest)
	env.Post("/api/patients/0123456789abcdef01234567/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusNotFound)

	// The patient sees nothing before release; another patient is refused.
	var list shared.LabOrderList
	env.Get("/api/patients/"+pid+"/lab-orders", ann.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 0 || len(list.Items) != 0 {
		t.Fatalf("got %d orders for Ann before release, want none", list.Total)
	}
	env.Get("/api/lab-orders/"+o.ID, ann.Token).Want(t, http.StatusNotFound)
	env.Get("/api/lab-orders/"+o.ID, bob.Token).Want(t, http.StatusForbidden)
	env.Get("/api/patients/"+pid+"/lab-orders", bob.Token).Want(t, http.StatusForbidden)
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusConflict) // nothing to release

	// A client's flag is refused; the server computes them.
	withFlag := `{"results":[{"code":"K","value":4,"range":{"low":3.5,"high":5.1},"flag":"N"}]}`
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, withFlag).Want(t, http.StatusBadRequest)
	env.Post("/api/lab-orders/"+o.ID+"/results", ann.Token, apptest.LabResults).Want(t, http.StatusForbidden)
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated).Decode(t, &o)
	wantFlags := map[string]string{"K": "HH", "NA": "L", "GLU": "N", "HCG": ""}
	for _, r := range o.Results {
		if r.Flag != wantFlags[r.Code] {
			t.Errorf("%s: got flag %q, want %q", r.Code, r.Flag, wantFlags[r.Code])
		}
	}
	if o.Status != shared.LabResulted || o.Revision != 1 || o.ResultedBy != h.Staff.ID() || len(o.Results) != 4 {
		t.Fatalf("got %+v, want revision 1 of 4 results by the staff member", o)
	}
	corrected := shared.LabResultsRequest{Results: []shared.LabResultInput{{Code: "K", Value: num(4.4), Unit: "mmol/L",
		Range: shared.LabRange{Low: num(3.5), High: num(5.1)}, Comment: "repeat sample, not haemolysed"}}}
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Doctor.Token, corrected).Want(t, http.StatusCreated).Decode(t, &o)
	if o.Revision != 2 || len(o.Results) != 1 || o.Results[0].Flag != "N" {
		t.Fatalf("got revision %d with %+v, want revision 2 with K normal", o.Revision, o.Results)
	}

	// Release, with the event on the patient's channel; ids only.
	ws := env.MustDialWS(ann.Token, "")
	ws.Subscribe(shared.ChannelPatient+":"+pid, nil)
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Staff.Token, nil).Want(t, http.StatusForbidden)
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &o)
	if o.Status != shared.LabReleased || o.ReleasedBy != h.Doctor.ID() || o.ReleasedAt == nil {
		t.Fatalf("got %+v, want released by the doctor", o)
	}
	ev := ws.NextEvent(shared.ChannelPatient+":"+pid, 5*time.Second)
	if ev.Type != "lab.released" || string(ev.Data) != fmt.Sprintf(`{"order_id":%q,"patient_id":%q}`, o.ID, pid) {
		t.Fatalf("got event %s %s, want lab.released with the ids only", ev.Type, ev.Data)
	}
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	released, err := env.App.DB.Collection("events").CountDocuments(context.Background(),
		bson.D{{Key: "channel", Value: shared.ChannelPatient + ":" + pid}, {Key: "type", Value: "lab.released"}})
	if err != nil || released != 1 {
		t.Fatalf("got %d lab.released events (%v), want 1 after two releases", released, err)
	}
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusConflict)

	// Now the patient sees the released revision; Bob still not.
	env.Get("/api/patients/"+pid+"/lab-orders?limit=5", ann.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 1 || list.Limit != 5 || list.Items[0].ID != o.ID || list.Items[0].Revision != 2 {
		t.Fatalf("got %+v, want Ann's released order at revision 2", list)
	}
	env.Get("/api/lab-orders/"+o.ID, ann.Token).Want(t, http.StatusOK)
	env.Get("/api/lab-orders/"+o.ID, bob.Token).Want(t, http.StatusForbidden)

	// Staff see every order, released or not, newest first, paged.
	var second shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, shared.LabOrderRequest{Tests: []shared.LabTest{{Code: "CRP", Name: "C-reactive protein"}}}).
		Want(t, http.StatusCreated).Decode(t, &second)
	env.Get("/api/patients/"+pid+"/lab-orders?limit=1", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 2 || len(list.Items) != 1 || list.Items[0].ID != second.ID {
		t.Fatalf("got %+v, want 2 orders, the newest first on a page of 1", list)
	}
	env.Get("/api/patients/"+pid+"/lab-orders?limit=1&page=2", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != o.ID {
		t.Fatalf("got %+v on page 2, want the first order", list.Items)
	}
	env.Get("/api/patients/"+pid+"/lab-orders", ann.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("got %d orders for Ann, want only the released one", list.Total)
	}

	// Row 30: the raw documents hold no result value, comment, interpretation or note.
	for _, col := range []string{"lab_orders", "lab_results"} {
		cur, err := env.App.DB.Collection(col).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(context.Background()) {
			for _, p := range []string{"hyperkalaemia-7c1e", "potassium-5d2b", "haemolysed", "fasting", "negative", "Potassium", "6.9"} {
				if bytes.Contains(cur.Current, []byte(p)) {
					t.Errorf("%s holds the plaintext %q", col, p)
				}
			}
		}
		_ = cur.Close(context.Background())
	}

	// Row 28: every step is in Ann's audit trail, Bob's refusals too.
	got := labAuditActions(t, env, h.Admin.Token, pid)
	for _, want := range []string{"lab.order ok", "lab.order denied", "lab.read ok", "lab.read denied", "lab.read not_found",
		"lab.result ok", "lab.result invalid", "lab.release ok", "lab.release invalid"} {
		if got[want] == 0 {
			t.Errorf("no %q entry in Ann's audit trail: %v", want, got)
		}
	}
	if got["lab.release ok"] != 2 {
		t.Errorf("got %d lab.release ok entries, want 2 (the second release is a no-op, still audited)", got["lab.release ok"])
	}
}

// TestLabCancel checks the other way to close an order: a cancelled order takes no results or files
// and cannot be released; a released one cannot be cancelled; repeating either is a no-op 200.
func TestLabCancel(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	pid := ann.User.PatientID
	var o, released shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+o.ID+"/cancel", h.Staff.Token, nil).Want(t, http.StatusForbidden)
	env.Post("/api/lab-orders/"+o.ID+"/cancel", h.Doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &o)
	if o.Status != shared.LabCancelled || o.CancelledBy != h.Doctor.ID() || o.CancelledAt == nil {
		t.Fatalf("got %+v, want cancelled by the doctor", o)
	}
	env.Post("/api/lab-orders/"+o.ID+"/cancel", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusConflict)
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusConflict)
	env.UploadLabFile(h.Staff.Token, o.ID, "file", "a.pdf", "application/pdf", apptest.PDF(t, 1000, "x")).Want(t, http.StatusConflict)
	env.Get("/api/lab-orders/"+o.ID, ann.Token).Want(t, http.StatusNotFound)

	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &released)
	env.Post("/api/lab-orders/"+released.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+released.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/lab-orders/"+released.ID+"/cancel", h.Doctor.Token, nil).Want(t, http.StatusConflict)
	env.UploadLabFile(h.Staff.Token, released.ID, "file", "a.pdf", "application/pdf", apptest.PDF(t, 1000, "x")).Want(t, http.StatusConflict)

	var list shared.LabOrderList
	env.Get("/api/patients/"+pid+"/lab-orders", ann.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 1 || list.Items[0].ID != released.ID {
		t.Fatalf("got %+v, want only the released order", list.Items)
	}
	got := labAuditActions(t, env, h.Admin.Token, pid)
	if got["lab.cancel ok"] != 2 || got["lab.cancel invalid"] != 1 {
		t.Errorf("got %v, want 2 lab.cancel ok and 1 refused as a conflict", got)
	}
}

// TestLabConcurrentResultsAndRelease checks the insert guards under concurrent requests: results
// submitted at once become distinct revisions 1..n (none lost), and releases at once release once (one
// event), the others answering 200 as no-ops.
func TestLabConcurrentResultsAndRelease(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	pid := ann.User.PatientID
	var o shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)

	const n = 4
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			statuses[i] = env.Do(apptest.Request{Method: "POST", Path: "/api/lab-orders/" + o.ID + "/results", Token: h.Staff.Token, Body: apptest.LabResults}).Status
		})
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusCreated {
			t.Errorf("submission %d: got %d, want 201", i, st)
		}
	}
	cur, err := env.App.DB.Collection("lab_results").Find(context.Background(), bson.D{{Key: "order_id", Value: o.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct{ Rev int }
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, d := range docs {
		seen[d.Rev] = true
	}
	if len(docs) != n || len(seen) != n || !seen[1] || !seen[n] {
		t.Fatalf("got revisions %+v, want 1 to %d, each once", docs, n)
	}
	env.Get("/api/lab-orders/"+o.ID, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &o)
	if o.Revision != n {
		t.Fatalf("got current revision %d, want %d", o.Revision, n)
	}

	for i := range n {
		wg.Go(func() {
			statuses[i] = env.Do(apptest.Request{Method: "POST", Path: "/api/lab-orders/" + o.ID + "/release", Token: h.Doctor.Token}).Status
		})
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("release %d: got %d, want 200", i, st)
		}
	}
	events, err := env.App.DB.Collection("events").CountDocuments(context.Background(),
		bson.D{{Key: "channel", Value: shared.ChannelPatient + ":" + pid}, {Key: "type", Value: "lab.released"}})
	if err != nil || events != 1 {
		t.Fatalf("got %d lab.released events (%v), want 1", events, err)
	}
}

// TestLabFiles checks attached files: the type comes from the content, the size is limited (the
// upload route has its own body limit, above the global one), a 3 MiB PDF round-trips byte-exact over
// several sealed chunks, and a patient downloads only their own released report's files.
func TestLabFiles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	bob := labPatient(t, env, h, apptest.At(9, 15))
	var o shared.LabOrder
	env.Post("/api/patients/"+ann.User.PatientID+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)

	const marker = "MARKER-lab-file-bytes-31f9"
	pdf := apptest.PDF(t, 3<<20, marker)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 100)...)
	zip := append([]byte("PK\x03\x04"), make([]byte, 100)...)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 100)...)
	for _, tt := range []struct {
		name, field, file, claimed string
		data                       []byte
		status                     int
	}{
		{"a text file named .pdf", "file", "notes.pdf", "application/pdf", []byte("just some text, not a PDF"), http.StatusUnsupportedMediaType},
		{"a zip", "file", "results.pdf", "application/pdf", zip, http.StatusUnsupportedMediaType},
		{"an exe", "file", "scan.png", "image/png", exe, http.StatusUnsupportedMediaType},
		{"html", "file", "x.pdf", "application/pdf", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"an empty file", "file", "empty.pdf", "application/pdf", nil, http.StatusBadRequest},
		{"the wrong field", "upload", "a.pdf", "application/pdf", pdf[:1000], http.StatusBadRequest},
		{"one byte over the limit", "file", "big.pdf", "application/pdf", apptest.PDF(t, lab.MaxFileBytes+1, marker), http.StatusRequestEntityTooLarge},
		{"a png", "file", "scan.png", "application/octet-stream", png, http.StatusCreated},
		{"a jpeg", "file", "photo.jpg", "text/plain", jpeg, http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := env.UploadLabFile(h.Staff.Token, o.ID, tt.field, tt.file, tt.claimed, tt.data).Want(t, tt.status)
			if tt.status == http.StatusRequestEntityTooLarge && !strings.Contains(r.Error().Error.Message, "larger than 10 MiB") {
				t.Errorf("got message %q, want it to name the limit", r.Error().Error.Message)
			}
		})
	}
	// A body over the route's own limit is refused from its Content-Length, before it is read.
	huge := apptest.Request{Method: "POST", Path: "/api/lab-orders/" + o.ID + "/files", Token: h.Staff.Token,
		Body: make([]byte, lab.UploadBodyBytes+1), Header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}}
	env.Do(huge).Want(t, http.StatusRequestEntityTooLarge)
	// Not a multipart body at all.
	env.Post("/api/lab-orders/"+o.ID+"/files", h.Staff.Token, map[string]string{"file": "x"}).Want(t, http.StatusBadRequest)
	// A patient may not upload (refused by role).
	env.UploadLabFile(ann.Token, o.ID, "file", "a.pdf", "application/pdf", pdf[:1000]).Want(t, http.StatusForbidden)

	var f shared.LabFile
	env.UploadLabFile(h.Doctor.Token, o.ID, "file", `..\..\Ann "report".pdf`, "application/pdf", pdf).Want(t, http.StatusCreated).Decode(t, &f)
	if f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || f.Name != "Ann report.pdf" || f.OrderID != o.ID {
		t.Fatalf("got %+v, want a %d-byte PDF named %q", f, len(pdf), "Ann report.pdf")
	}
	chunks, err := env.App.DB.Collection("lab_file_chunks").CountDocuments(context.Background(), bson.D{{Key: "file_id", Value: f.ID}})
	if want := int64((len(pdf) + lab.ChunkSize - 1) / lab.ChunkSize); err != nil || chunks != want {
		t.Fatalf("got %d chunks (%v), want %d", chunks, err, want)
	}
	// Row 30: no file bytes in the raw chunks, no file name in the metadata.
	for _, col := range []string{"lab_file_chunks", "lab_files"} {
		cur, err := env.App.DB.Collection(col).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(context.Background()) {
			if bytes.Contains(cur.Current, []byte(marker)) || bytes.Contains(cur.Current, []byte("%PDF-")) ||
				bytes.Contains(cur.Current, pdf[1000:1032]) || bytes.Contains(cur.Current, []byte("Ann report")) {
				t.Fatalf("%s holds file bytes or the file name in plaintext", col)
			}
		}
		_ = cur.Close(context.Background())
	}

	r := env.Get("/api/lab-files/"+f.ID, h.Staff.Token).Want(t, http.StatusOK)
	if !bytes.Equal(r.Body, pdf) {
		t.Fatalf("got %d bytes back, want the %d uploaded, byte-exact", len(r.Body), len(pdf))
	}
	for k, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `attachment; filename="Ann report.pdf"`, "Content-Length": strconv.Itoa(len(pdf))} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("got %s %q, want %q", k, got, want)
		}
	}
	// The order lists its files.
	env.Get("/api/lab-orders/"+o.ID, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &o)
	if len(o.Files) != 3 || o.Files[2].ID != f.ID {
		t.Fatalf("got files %+v, want the png, the jpeg and the pdf, oldest first", o.Files)
	}

	// Patients: not before release, never another's.
	env.Get("/api/lab-files/"+f.ID, ann.Token).Want(t, http.StatusNotFound)
	env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+o.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	r = env.Get("/api/lab-files/"+f.ID, ann.Token).Want(t, http.StatusOK)
	if !bytes.Equal(r.Body, pdf) {
		t.Fatalf("the patient got %d bytes, want the %d uploaded", len(r.Body), len(pdf))
	}
	env.Get("/api/lab-files/"+f.ID, bob.Token).Want(t, http.StatusForbidden)
	env.Get("/api/lab-files/0123456789abcdef01234567", h.Staff.Token).Want(t, http.StatusNotFound)
	env.Get("/api/lab-files/nope", h.Staff.Token).Want(t, http.StatusBadRequest)

	got := labAuditActions(t, env, h.Admin.Token, ann.User.PatientID)
	for _, want := range []string{"lab.file.upload ok", "lab.file.upload invalid", "lab.file.read ok", "lab.file.read denied", "lab.file.read not_found"} {
		if got[want] == 0 {
			t.Errorf("no %q entry in Ann's audit trail: %v", want, got)
		}
	}
}

// TestLabExport checks the export section: released reports in full, others as ordered only.
func TestLabExport(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	var released, pending shared.LabOrder
	env.Post("/api/patients/"+ann.User.PatientID+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &released)
	env.Post("/api/lab-orders/"+released.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+released.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/patients/"+ann.User.PatientID+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &pending)
	env.Post("/api/lab-orders/"+pending.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)

	section, data, err := env.App.Lab().ExportPatient(context.Background(), ann.User.PatientID)
	if err != nil || section != "lab_reports" {
		t.Fatalf("got section %q, %v", section, err)
	}
	orders := data.([]shared.LabOrder)
	if len(orders) != 2 {
		t.Fatalf("got %d orders, want 2", len(orders))
	}
	for _, o := range orders {
		switch o.ID {
		case released.ID:
			if o.Status != shared.LabReleased || len(o.Results) != 4 || o.Note == "" {
				t.Errorf("released order exported as %+v, want its results and note", o)
			}
		case pending.ID:
			if o.Status != shared.LabResulted || len(o.Results) != 0 || o.Note != "" || o.Interpretation != "" {
				t.Errorf("unreleased order exported as %+v, want no results, note or interpretation", o)
			}
		}
	}
}
