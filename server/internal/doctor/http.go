package doctor

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// DepartmentsHandler handles GET /api/departments.
func (s *Service) DepartmentsHandler(c *gin.Context) {
	ds, err := s.Departments(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(shared.DepartmentList{Items: ds}, err)
}

// CreateDepartmentHandler handles POST /api/departments.
func (s *Service) CreateDepartmentHandler(c *gin.Context) {
	var req shared.Department
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.CreateDepartment(c.Request.Context(), req))
}

// ListHandler handles GET /api/doctors?specialty=&department=&date=.
func (s *Service) ListHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Find(c.Request.Context(), c.Query("specialty"), c.Query("department"), c.Query("date")))
}

// GetHandler handles GET /api/doctors/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), c.Param("id")))
}

// UpdateHandler handles PUT /api/doctors/{id}.
func (s *Service) UpdateHandler(c *gin.Context) {
	var req shared.UpdateDoctorRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Update(c.Request.Context(), c.Param("id"), req))
}

// ScheduleHandler handles PUT /api/doctors/{id}/schedule.
func (s *Service) ScheduleHandler(c *gin.Context) {
	var req shared.ScheduleRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.SetSchedule(c.Request.Context(), p, c.Param("id"), req))
}

// AddLeaveHandler handles POST /api/doctors/{id}/leave.
func (s *Service) AddLeaveHandler(c *gin.Context) {
	var req shared.LeaveRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.AddLeave(c.Request.Context(), p, c.Param("id"), req))
}

// DeleteLeaveHandler handles DELETE /api/doctors/{id}/leave/{leave_id}.
func (s *Service) DeleteLeaveHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusNoContent)(nil, s.DeleteLeave(c.Request.Context(), p, c.Param("id"), c.Param("leave_id")))
}

// SlotsHandler handles GET /api/doctors/{id}/slots?date=.
func (s *Service) SlotsHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Slots(c.Request.Context(), c.Param("id"), c.Query("date")))
}
