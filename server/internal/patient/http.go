package patient

import (
	"cmp"
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// GetHandler handles GET /api/patient/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	r, err := s.Get(c.Request.Context(), p, c.Param("id"))
	httpx.Reply(c, http.StatusOK)(r.Public(), err)
}

// UpdateHandler handles PUT /api/patient/{id} with {"medical_history": "…"}.
func (s *Service) UpdateHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.UpdatePatientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.update", err)
		httpx.Error(c, err)
		return
	}
	r, err := s.UpdateHistory(c.Request.Context(), p, c.Param("id"), req.MedicalHistory)
	httpx.Reply(c, http.StatusOK)(r.Public(), err)
}

// RegisterHandler handles POST /api/patients (optional Idempotency-Key): 201 with the new record; a
// repeat of the same keyed request answers the record the first made, with Idempotent-Replayed: true.
func (s *Service) RegisterHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.RegisterPatientRequest
	err := httpx.BindJSON(c, &req)
	key, kerr := httpx.IdempotencyKey(c)
	if err = cmp.Or(err, kerr); err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, "", "patient.create", err)
		httpx.Error(c, err)
		return
	}
	r, replayed, err := s.Register(c.Request.Context(), p, req, key)
	httpx.ReplyKeyed(c, http.StatusCreated)(r.Public(), replayed, err)
}

// SearchHandler handles GET /api/patients?q=&mrn=&condition=&page=&limit=.
func (s *Service) SearchHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, "", "patient.search", err)
		httpx.Error(c, err)
		return
	}
	rs, total, err := s.Search(c.Request.Context(), p, SearchParams{Q: c.Query("q"), MRN: c.Query("mrn"),
		Condition: c.Query("condition"), Page: page, Limit: limit})
	httpx.Reply(c, http.StatusOK)(list(rs, total, page, limit), err)
}

func list(rs []Record, total, page, limit int) shared.PatientList {
	out := shared.PatientList{Items: make([]shared.PatientSummary, len(rs)), Total: total, Page: page, Limit: limit}
	for i, r := range rs {
		out.Items[i] = r.Summary()
	}
	return out
}

// PatchHandler handles PATCH /api/patients/{id}: it answers with the demographics (GET
// /api/patient/{id} shows the medical content, to whoever may see it).
func (s *Service) PatchHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.PatchPatientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.update", err)
		httpx.Error(c, err)
		return
	}
	r, err := s.Patch(c.Request.Context(), p, c.Param("id"), req)
	httpx.Reply(c, http.StatusOK)(r.Summary(), err)
}

// HistoryHandler handles GET /api/patients/{id}/history?page=&limit=.
func (s *Service) HistoryHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.history", err)
		httpx.Error(c, err)
		return
	}
	revs, total, err := s.History(c.Request.Context(), p, c.Param("id"), page, limit)
	out := shared.HistoryList{Items: make([]shared.HistoryRevision, len(revs)), Total: total, Page: page, Limit: limit}
	for i, r := range revs {
		out.Items[i] = shared.HistoryRevision{Rev: r.Rev, MedicalHistory: r.MedicalHistory, AuthorID: r.AuthorID,
			AuthorRole: r.AuthorRole, At: r.At}
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}

// DuplicatesHandler handles GET /api/patients/{id}/duplicates.
func (s *Service) DuplicatesHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	rs, err := s.Duplicates(c.Request.Context(), p, c.Param("id"))
	httpx.Reply(c, http.StatusOK)(list(rs, len(rs), 1, max(len(rs), 1)), err)
}

// MergeHandler handles POST /api/patients/{id}/merge {"into": id}: it answers with the merged record.
func (s *Service) MergeHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.MergeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.merge", err)
		httpx.Error(c, err)
		return
	}
	r, err := s.Merge(c.Request.Context(), p, c.Param("id"), req.Into)
	httpx.Reply(c, http.StatusOK)(r.Public(), err)
}
