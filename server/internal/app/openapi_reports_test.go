package app_test

import (
	"net/http"
	"testing"
)

// exerciseReports is the reports part of TestResponsesMatchDocument: each report as JSON and as CSV
// after the exchanges before it made figures, a bad range, and a doctor refused.
func exerciseReports(t *testing.T, c *contract) {
	t.Helper()
	admin, doctor := c.env.Admin(), c.env.NewUser("doctor")
	for _, name := range []string{"operations", "admissions", "doctors", "billing"} {
		path := "/api/reports/" + name
		c.call(t, "the admin reads the "+name+" report", get(path, admin.Token), http.StatusOK)
		c.call(t, "the "+name+" report as CSV", get(path+"?format=csv", admin.Token), http.StatusOK)
		c.call(t, "a range that ends before it starts", get(path+"?from=2030-02-01&to=2030-01-01", admin.Token), http.StatusBadRequest)
		c.call(t, "a doctor may not read reports", get(path, doctor.Token), http.StatusForbidden)
	}
}
