package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/ident"
	"hms/shared"
)

// EntryJSON is an audit entry as the admin API shows it.
type EntryJSON struct {
	ID        string      `json:"id"`
	At        time.Time   `json:"at"`
	ActorID   string      `json:"actor_id"`
	ActorRole shared.Role `json:"actor_role"`
	PatientID string      `json:"patient_id,omitempty"`
	Channel   string      `json:"channel,omitempty"`
	Target    string      `json:"target,omitempty"`
	Action    string      `json:"action"`
	Outcome   string      `json:"outcome"`
	IP        string      `json:"ip"`
	Detail    string      `json:"detail,omitempty"`
	RequestID string      `json:"request_id"`
	Chain     string      `json:"chain,omitempty"`
	Seq       int64       `json:"seq,omitempty"`
	Hash      string      `json:"hash,omitempty"`
}

func entryJSON(e Entry) EntryJSON {
	return EntryJSON{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorRole: e.ActorRole, PatientID: e.PatientID,
		Channel: e.Channel, Target: e.Target, Action: e.Action, Outcome: e.Outcome, IP: e.IP, Detail: e.Detail,
		RequestID: e.RequestID, Chain: e.Chain, Seq: e.Seq, Hash: e.Hash}
}

// Who names the signed-in caller of a request (the auth package's principal), for the audit's own
// routes to be audited.
type Who func(c *gin.Context) (userID string, role shared.Role)

// filter reads the listing's filters: ?patient_id=&actor_id=&action=&outcome=&from=&to= (times in
// RFC 3339).
func filter(c *gin.Context) (Filter, error) {
	f := Filter{PatientID: c.Query("patient_id"), ActorID: c.Query("actor_id"), Action: c.Query("action"), Outcome: c.Query("outcome")}
	// An integration client acts as client:<id> (docs/integrations.md).
	for _, id := range []string{f.PatientID, strings.TrimPrefix(f.ActorID, "client:")} {
		if id != "" && !ident.Valid(id) {
			return f, fault.Invalid("patient_id and actor_id must be ids (24 hex digits; actor_id may be client:<id>)")
		}
	}
	if len(f.Action) > 100 || strings.ContainsFunc(f.Action, func(r rune) bool {
		return !(r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		return f, fault.Invalid("action must be an action name such as auth.login_failed (lower-case letters, digits, . _ -)")
	}
	if f.Outcome != "" && !validOutcome(f.Outcome) {
		return f, fault.Invalid("outcome must be one of %s", strings.Join(Outcomes, ", "))
	}
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(t.name); v != "" {
			tm, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, fault.Invalid("%s must be an RFC 3339 time such as 2026-03-01T08:00:00Z", t.name)
			}
			*t.to = tm.UTC()
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, fault.Invalid("from must be before to")
	}
	return f, nil
}

func validOutcome(o string) bool {
	for _, v := range Outcomes {
		if v == o {
			return true
		}
	}
	return false
}

// ListHandler handles GET /api/audit (admin): ?patient_id=&actor_id=&action=&outcome=&from=&to=&page=&limit=.
func (l *Log) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	f, err := filter(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	entries, err := l.List(c.Request.Context(), f, (page-1)*limit, limit)
	out := make([]EntryJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, entryJSON(e))
	}
	httpx.Reply(c, http.StatusOK)(gin.H{"items": out, "page": page, "limit": limit}, err)
}

// csvColumns are the export's columns, in order.
var csvColumns = []string{"at", "actor_id", "actor_role", "patient_id", "channel", "target", "action", "outcome",
	"detail", "ip", "request_id", "chain", "seq", "hash", "id"}

// ExportHandler handles GET /api/audit/export.csv (admin): every entry the filters match, newest first,
// streamed as CSV. The export is itself audited (audit.export), before the first row is sent.
func (l *Log) ExportHandler(who Who) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := filter(c)
		if err != nil {
			httpx.Error(c, err)
			return
		}
		ctx := c.Request.Context()
		actor, role := who(c)
		if err := l.Security(ctx, actor, role, "", "audit.export", describe(f), nil); err != nil {
			httpx.Error(c, err)
			return
		}
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="activity-%s.csv"`, time.Now().UTC().Format("20060102-150405")))
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		_ = w.Write(csvColumns)
		err = l.Each(ctx, f, func(e Entry) error {
			row := []string{e.At.UTC().Format(time.RFC3339Nano), e.ActorID, string(e.ActorRole), e.PatientID, e.Channel, e.Target,
				e.Action, e.Outcome, e.Detail, e.IP, e.RequestID, e.Chain, strconv.FormatInt(e.Seq, 10), e.Hash, e.ID}
			for i := range row {
				row[i] = SafeCell(row[i])
			}
			if err := w.Write(row); err != nil {
				return err
			}
			w.Flush()
			return w.Error()
		})
		w.Flush()
		if err != nil {
			// The status is sent: the broken file ends with a line saying so, and the log has the cause.
			_ = c.Error(err)
			_, _ = c.Writer.WriteString("# export stopped by an error; the file is incomplete\n")
		}
	}
}

// SafeCell defuses a CSV cell a spreadsheet would run as a formula (OWASP "CSV injection"): one that
// starts with = + - @, a tab or a carriage return gets a leading apostrophe.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// describe sums up a filter for the export's entry (ids, names and times only).
func describe(f Filter) string {
	var parts []string
	for _, p := range []struct{ k, v string }{{"actor", f.ActorID}, {"patient", f.PatientID}, {"action", f.Action}, {"outcome", f.Outcome}} {
		if p.v != "" {
			parts = append(parts, p.k+"="+p.v)
		}
	}
	if !f.From.IsZero() {
		parts = append(parts, "from="+f.From.Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		parts = append(parts, "to="+f.To.Format(time.RFC3339))
	}
	if len(parts) == 0 {
		return "all entries"
	}
	return strings.Join(parts, " ")
}

// Verify checks every chain of the log's store (see Verify).
func (l *Log) Verify(ctx context.Context) (Report, error) { return Verify(ctx, l.store) }

// VerifyHandler handles POST /api/audit/verify (admin): runs Verify and answers its report; audited as
// audit.verify (detail: how many problems).
func (l *Log) VerifyHandler(who Who) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		r, err := l.Verify(ctx)
		actor, role := who(c)
		detail := fmt.Sprintf("%d entries in %d chains, %d problems", r.Entries, r.Chains, len(r.Problems))
		if aerr := l.Security(ctx, actor, role, "", "audit.verify", detail, err); aerr != nil && err == nil {
			err = aerr
		}
		httpx.Reply(c, http.StatusOK)(r, err)
	}
}
