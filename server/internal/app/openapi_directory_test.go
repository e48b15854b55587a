package app_test

import (
	"net/http"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// directoryCSV is a small directory around central London; the own site's emergency department and
// ward are made by exerciseDirectory.
const directoryCSV = `id,name,address,lat,lng,phone,services,own,emergency_department,wards
,Charing Cross Clinic,Strand,51.5074,-0.1278,020 1,outpatient,,,
kc,Kings Cross Hospital,Euston Rd,51.5308,-0.1238,020 2,emergency;icu,true,nearby-er,nearby-ward
,Greenwich Maternity,Greenwich,51.4826,-0.0077,020 3,maternity,,,
`

func rawBody(method, path, token, contentType, body string) apptest.Request {
	return apptest.Request{Method: method, Path: path, Token: token, Body: body, Header: map[string]string{"Content-Type": contentType}}
}

// exerciseDirectory is the directory part of TestResponsesMatchDocument: imports (CSV, GeoJSON, bad
// rows, a wrong type), the list, the nearby search with an own site's live figures, and deletes.
func exerciseDirectory(t *testing.T, c *contract) {
	t.Helper()
	admin, patient := c.env.Admin(), c.env.NewUser(shared.RolePatient)
	c.env.Post("/api/departments", admin.Token, shared.Department{ID: "nearby-er", Name: "Nearby emergency"}).Want(t, http.StatusCreated)
	c.env.Post("/api/wards", admin.Token, shared.CreateWardRequest{ID: "nearby-ward", Name: "Nearby ward", Department: "nearby-er"}).Want(t, http.StatusCreated)
	c.env.Post("/api/wards/nearby-ward/beds", admin.Token, shared.AddBedsRequest{Labels: []string{"N1", "N2"}}).Want(t, http.StatusCreated)

	imp := "/api/hospitals/import"
	c.call(t, "the admin imports a CSV directory", rawBody("POST", imp, admin.Token, "text/csv", directoryCSV), http.StatusOK)
	var again shared.HospitalImport
	c.call(t, "importing it again replaces", rawBody("POST", imp, admin.Token, "text/csv; charset=utf-8", directoryCSV), http.StatusOK).Decode(t, &again)
	if again.Created != 0 || again.Replaced != 3 {
		t.Errorf("re-import: %+v, want 3 replaced", again)
	}
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"hamp","geometry":{"type":"Point","coordinates":[-0.178,51.556]},"properties":{"name":"Hampstead General","services":["emergency","maternity"]}}]}`
	c.call(t, "the admin imports GeoJSON", rawBody("POST", imp, admin.Token, "application/geo+json", geo), http.StatusOK)
	resp := c.call(t, "bad rows are named", rawBody("POST", imp, admin.Token, "text/csv", "name,lat,lng,services\nA,95,0,\n,1,1,spa\n"), http.StatusBadRequest)
	if e := resp.Error(); e.Error.Code != "bad_rows" || !strings.Contains(e.Error.Message, "row 2: unknown service") {
		t.Errorf("bad rows: %+v", e)
	}
	c.exchange(t, "JSON is neither CSV nor GeoJSON", rawBody("POST", imp, admin.Token, "application/json", "{}"), http.StatusUnsupportedMediaType, true)
	c.exchange(t, "replace must be true or false", rawBody("POST", imp+"?replace=maybe", admin.Token, "text/csv", directoryCSV), http.StatusBadRequest, true)
	c.call(t, "a patient may not import", rawBody("POST", imp, patient.Token, "text/csv", directoryCSV), http.StatusForbidden)
	c.call(t, "too large a file", rawBody("POST", imp, admin.Token, "text/csv", strings.Repeat("x", 4<<20+1)), http.StatusRequestEntityTooLarge)

	c.call(t, "a patient lists the directory", get("/api/hospitals?limit=2", patient.Token), http.StatusOK)
	var found shared.HospitalList
	c.call(t, "a patient finds a place in the directory", get("/api/hospitals?q=greenwich", patient.Token), http.StatusOK).Decode(t, &found)
	if found.Total != 1 || found.Items[0].Name != "Greenwich Maternity" {
		t.Errorf("q=greenwich: %+v", found)
	}
	c.exchange(t, "a bad page", get("/api/hospitals?page=0", patient.Token), http.StatusBadRequest, true)

	var near shared.NearbyList
	c.call(t, "a patient asks for the nearest", get("/api/hospitals/nearby?lat=51.5074&lng=-0.1278&limit=3", patient.Token), http.StatusOK).Decode(t, &near)
	if len(near.Items) != 3 || near.Items[0].Name != "Charing Cross Clinic" || near.Items[1].ID != "kc" || near.Items[2].ID != "hamp" {
		t.Errorf("nearby: %+v", near.Items)
	}
	if l := near.Items[1].Live; l == nil || l.FreeBeds == nil || *l.FreeBeds != 2 || l.EmergencyWaiting == nil {
		t.Errorf("the own site's live figures: %+v", l)
	}
	c.call(t, "emergency within 10 km", get("/api/hospitals/nearby?lat=51.5074&lng=-0.1278&radius_km=10&service=emergency", patient.Token), http.StatusOK)
	c.exchange(t, "lat missing", get("/api/hospitals/nearby?lng=-0.1278", patient.Token), http.StatusBadRequest, true)
	c.exchange(t, "lat out of range", get("/api/hospitals/nearby?lat=91&lng=0", patient.Token), http.StatusBadRequest, true)
	c.exchange(t, "an unknown service", get("/api/hospitals/nearby?lat=1&lng=0&service=spa", patient.Token), http.StatusBadRequest, true)

	del := apptest.Request{Method: http.MethodDelete, Path: "/api/hospitals/hamp", Token: admin.Token}
	c.call(t, "the admin removes an entry", del, http.StatusNoContent)
	c.call(t, "removing it again", del, http.StatusNotFound)
	c.call(t, "a patient may not remove", apptest.Request{Method: http.MethodDelete, Path: "/api/hospitals/kc", Token: patient.Token}, http.StatusForbidden)
}
