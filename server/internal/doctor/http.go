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
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, shared.DepartmentList{Items: ds})
}

// CreateDepartmentHandler handles POST /api/departments.
func (s *Service) CreateDepartmentHandler(c *gin.Context) {
	var req shared.Department
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, err := s.CreateDepartment(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// ListHandler handles GET /api/doctors?specialty=&department=&date=.
func (s *Service) ListHandler(c *gin.Context) {
	list, err := s.Find(c.Request.Context(), c.Query("specialty"), c.Query("department"), c.Query("date"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// GetHandler handles GET /api/doctors/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	d, err := s.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// UpdateHandler handles PUT /api/doctors/{id}.
func (s *Service) UpdateHandler(c *gin.Context) {
	var req shared.UpdateDoctorRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, err := s.Update(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// ScheduleHandler handles PUT /api/doctors/{id}/schedule.
func (s *Service) ScheduleHandler(c *gin.Context) {
	var req shared.ScheduleRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	d, err := s.SetSchedule(c.Request.Context(), p, c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// AddLeaveHandler handles POST /api/doctors/{id}/leave.
func (s *Service) AddLeaveHandler(c *gin.Context) {
	var req shared.LeaveRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	out, err := s.AddLeave(c.Request.Context(), p, c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// DeleteLeaveHandler handles DELETE /api/doctors/{id}/leave/{leave_id}.
func (s *Service) DeleteLeaveHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	if err := s.DeleteLeave(c.Request.Context(), p, c.Param("id"), c.Param("leave_id")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// SlotsHandler handles GET /api/doctors/{id}/slots?date=.
func (s *Service) SlotsHandler(c *gin.Context) {
	list, err := s.Slots(c.Request.Context(), c.Param("id"), c.Query("date"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}
