package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// Handlers serve the report routes (admins).
type Handlers struct {
	svc *Service
	// name gives a doctor's name for the doctors report.
	name func(ctx context.Context, id string) string
}

// NewHandlers returns the report routes' handlers; name names a doctor.
func NewHandlers(svc *Service, name func(ctx context.Context, id string) string) *Handlers {
	return &Handlers{svc: svc, name: name}
}

// query reads ?from=&to=&department=&format= (format json, the default, or csv).
func (h *Handlers) query(c *gin.Context) (shared.ReportRange, bool, error) {
	r, err := h.svc.Range(c.Query("from"), c.Query("to"), c.Query("department"))
	if err != nil {
		return r, false, err
	}
	switch f := c.Query("format"); f {
	case "", "json":
		return r, false, nil
	case "csv":
		return r, true, nil
	default:
		return r, false, fault.Invalid("format must be json or csv; got %q", f)
	}
}

// serve answers a report as JSON, or as CSV (an attachment named by the report and its range).
func serve[T any](h *Handlers, c *gin.Context, name string, build func(context.Context, shared.ReportRange) (T, error), rows func(T) [][]string) {
	r, asCSV, err := h.query(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	out, err := build(c.Request.Context(), r)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if !asCSV {
		c.JSON(http.StatusOK, out)
		return
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows(out)); err != nil {
		httpx.Error(c, err)
		return
	}
	file := fmt.Sprintf("%s-%s-to-%s", name, r.From, r.To)
	if r.Department != "" {
		file += "-" + r.Department
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, file))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// OperationsHandler serves GET /api/reports/operations.
func (h *Handlers) OperationsHandler(c *gin.Context) {
	serve(h, c, "operations", h.svc.Operations, func(o shared.OperationsReport) [][]string {
		rows := [][]string{{"day", "department", "booked", "completed", "cancelled", "no_show", "waits", "wait_p50_minutes", "wait_p90_minutes"}}
		for _, d := range o.Days {
			rows = append(rows, []string{d.Day, d.Department, i64(d.Booked), i64(d.Completed), i64(d.Cancelled), i64(d.NoShow),
				i64(d.Waits), f64(d.WaitP50), f64(d.WaitP90)})
		}
		return rows
	})
}

// AdmissionsHandler serves GET /api/reports/admissions.
func (h *Handlers) AdmissionsHandler(c *gin.Context) {
	serve(h, c, "admissions", h.svc.Admissions, func(o shared.AdmissionsReport) [][]string {
		rows := [][]string{{"day", "admitted", "discharged", "beds", "occupied", "occupancy_pct"}}
		for _, d := range o.Days {
			rows = append(rows, []string{d.Day, i64(d.Admitted), i64(d.Discharged), p64(d.Beds), p64(d.Occupied), f64(d.OccupancyPct)})
		}
		return rows
	})
}

// DoctorsHandler serves GET /api/reports/doctors.
func (h *Handlers) DoctorsHandler(c *gin.Context) {
	build := func(ctx context.Context, r shared.ReportRange) (shared.DoctorsReport, error) {
		return h.svc.Doctors(ctx, r, h.name)
	}
	serve(h, c, "doctors", build, func(o shared.DoctorsReport) [][]string {
		rows := [][]string{{"doctor_id", "name", "department", "booked", "seen", "no_show", "cancelled", "no_show_rate",
			"average_consult_minutes", "average_wait_minutes", "revenue_minor_units", "currency"}}
		for _, d := range o.Doctors {
			rows = append(rows, []string{d.DoctorID, d.Name, d.Department, i64(d.Booked), i64(d.Seen), i64(d.NoShow), i64(d.Cancelled),
				f64(d.NoShowRate), f64(d.AverageConsultMinutes), f64(d.AverageWaitMinutes), i64(d.Revenue), o.Currency})
		}
		return rows
	})
}

// BillingHandler serves GET /api/reports/billing.
func (h *Handlers) BillingHandler(c *gin.Context) {
	serve(h, c, "billing", h.svc.Billing, func(o shared.BillingReport) [][]string {
		rows := [][]string{{"day", "invoiced", "credited", "paid", "refunded", "outstanding", "claims_submitted", "claims_paid", "currency"}}
		for _, d := range o.Days {
			rows = append(rows, []string{d.Day, i64(d.Invoiced), i64(d.Credited), i64(d.Paid), i64(d.Refunded), i64(d.Outstanding),
				i64(d.ClaimsSubmitted), i64(d.ClaimsPaid), o.Currency})
		}
		return rows
	})
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func p64(n *int64) string {
	if n == nil {
		return ""
	}
	return i64(*n)
}

func f64(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
