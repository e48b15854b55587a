package lab

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/patient"
	"hms/shared"
)

// fail writes err: the upload's own refusals get 413 and 415, the rest the common mapping.
func fail(c *gin.Context, err error) {
	status, code := 0, ""
	switch {
	case errors.Is(err, ErrFileTooLarge):
		status, code = http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, ErrFileType):
		status, code = http.StatusUnsupportedMediaType, "unsupported_media_type"
	default:
		httpx.Error(c, err)
		return
	}
	msg, _ := fault.Public(err)
	c.AbortWithStatusJSON(status, shared.Error{Error: shared.ErrorBody{Code: code, Message: msg}, RequestID: httpx.RequestID(c)})
}

// OrderHandler handles POST /api/patients/{id}/lab-orders.
func (s *Service) OrderHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.LabOrderRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, auditID(c.Param("id")), actOrder, err))
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.Order(c.Request.Context(), p, c.Param("id"), req))
}

// ListHandler handles GET /api/patients/{id}/lab-orders.
func (s *Service) ListHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, auditID(c.Param("id")), actRead, err))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, c.Param("id"), page, limit))
}

// GetHandler handles GET /api/lab-orders/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), p, c.Param("id")))
}

// ResultsHandler handles POST /api/lab-orders/{id}/results.
func (s *Service) ResultsHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.LabResultsRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, s.patientOf(c.Request.Context(), c.Param("id")), actResult, err))
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.SubmitResults(c.Request.Context(), p, c.Param("id"), req))
}

// ReleaseHandler handles POST /api/lab-orders/{id}/release: 200 with the order, released now or before.
func (s *Service) ReleaseHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	o, _, err := s.Release(c.Request.Context(), p, c.Param("id"))
	httpx.Reply(c, http.StatusOK)(o, err)
}

// CancelHandler handles POST /api/lab-orders/{id}/cancel: 200 with the order, cancelled now or before.
func (s *Service) CancelHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Cancel(c.Request.Context(), p, c.Param("id")))
}

// UploadHandler handles POST /api/lab-orders/{id}/files, multipart/form-data with the field "file".
// The multipart body is read as a stream, only after the access check.
func (s *Service) UploadHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	f, err := s.Upload(c.Request.Context(), p, c.Param("id"), func() (string, io.Reader, error) {
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return "", nil, errNoFile
		}
		for {
			part, err := mr.NextPart()
			if tooLarge(err) {
				return "", nil, ErrFileTooLarge
			}
			if err != nil {
				return "", nil, errNoFile
			}
			if part.FormName() == "file" {
				return part.FileName(), part, nil
			}
			if _, err := io.Copy(io.Discard, part); tooLarge(err) {
				return "", nil, ErrFileTooLarge
			}
		}
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

// DownloadHandler handles GET /api/lab-files/{id}: the bytes with the stored content type, as an
// attachment, never sniffed by the browser.
func (s *Service) DownloadHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	d, err := s.OpenFile(ctx, p, c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	started, sent := false, 0
	err = d.Chunks(ctx, func(n int, data []byte) error {
		if !started {
			h := c.Writer.Header()
			h.Set("Content-Type", d.File.ContentType)
			disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.File.Name})
			if disposition == "" { // a name FormatMediaType cannot encode: no name rather than no header
				disposition = "attachment"
			}
			h.Set("Content-Disposition", disposition)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Content-Length", strconv.FormatInt(d.File.Size, 10))
			c.Status(http.StatusOK)
			started = true
		}
		sent = n + 1
		_, err := c.Writer.Write(data)
		return err
	})
	if err == nil && sent != d.File.Chunks {
		err = fmt.Errorf("lab file %s: got %d chunks, want %d", d.File.ID, sent, d.File.Chunks)
	}
	switch {
	case err != nil && !started:
		httpx.Error(c, err)
	case err != nil:
		// The status is sent; the short body (against Content-Length) tells the client it failed.
		s.log.ErrorContext(ctx, "stream a lab file", "file_id", d.File.ID, "err", err, "request_id", httpx.RequestID(c))
	}
}

// auditID keeps malformed ids out of the audit trail.
func auditID(id string) string {
	if id == "" {
		return unknownPatient
	}
	return patient.AuditID(id)
}

// QueueHandler handles GET /api/lab-orders?status=: the lab desk's work queue.
func (s *Service) QueueHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Queue(c.Request.Context(), p, c.Query("status"), page, limit))
}
