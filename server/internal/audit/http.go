package audit

import (
	"net/http"
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
	Action    string      `json:"action"`
	Outcome   string      `json:"outcome"`
	IP        string      `json:"ip"`
	RequestID string      `json:"request_id"`
}

// ListHandler handles GET /api/audit (admin): ?patient_id=&actor_id=&page=&limit=.
func (l *Log) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	f := Filter{PatientID: c.Query("patient_id"), ActorID: c.Query("actor_id")}
	for _, id := range []string{f.PatientID, f.ActorID} {
		if id != "" && !ident.Valid(id) {
			httpx.Error(c, fault.Invalid("patient_id and actor_id must be ids (24 hex digits)"))
			return
		}
	}
	entries, err := l.List(c.Request.Context(), f, (page-1)*limit, limit)
	out := make([]EntryJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, EntryJSON(e))
	}
	httpx.Reply(c, http.StatusOK)(gin.H{"items": out, "page": page, "limit": limit}, err)
}
