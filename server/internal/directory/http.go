package directory

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// ImportHandler handles POST /api/hospitals/import: the body is the file itself, text/csv or
// application/geo+json; ?replace=true removes the entries not in the file.
func (s *Service) ImportHandler(c *gin.Context) {
	replace, err := httpx.Flag(c, "replace")
	if err != nil {
		httpx.Error(c, err)
		return
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		httpx.Error(c, fault.Invalid("could not read the file"))
		return
	}
	out, err := s.Import(c.Request.Context(), c.GetHeader("Content-Type"), data, replace)
	if errors.Is(err, ErrMediaType) {
		c.AbortWithStatusJSON(http.StatusUnsupportedMediaType, shared.Error{
			Error: shared.ErrorBody{Code: "unsupported_media_type", Message: err.Error()}, RequestID: httpx.RequestID(c)})
		return
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}

// ListHandler handles GET /api/hospitals?q=&page=&limit=.
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	q := c.Query("q")
	if len(q) > 200 {
		httpx.Error(c, fault.Invalid("q must be at most 200 characters"))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), q, page, limit))
}

// DeleteHandler handles DELETE /api/hospitals/{id}.
func (s *Service) DeleteHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusNoContent)(nil, s.Delete(c.Request.Context(), c.Param("id")))
}

// NearbyHandler handles GET /api/hospitals/nearby?lat=&lng=&radius_km=&service=&limit=.
func (s *Service) NearbyHandler(c *gin.Context) {
	q, err := ParseQuery(c.Query("lat"), c.Query("lng"), c.Query("radius_km"), c.Query("service"), c.Query("limit"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Nearby(c.Request.Context(), q))
}

// ParseQuery reads a nearby search's parameters, naming every one that is missing or wrong.
func ParseQuery(lat, lng, radius, service, limit string) (Query, error) {
	q := Query{RadiusKm: DefaultRadiusKm, Limit: DefaultLimit}
	var wrong []string
	number := func(name, v string, bound float64, dst *float64) {
		if v == "" {
			wrong = append(wrong, fmt.Sprintf("%s is required (decimal degrees from -%g to %g)", name, bound, bound))
			return
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < -bound || f > bound {
			wrong = append(wrong, fmt.Sprintf("%s must be a number from -%g to %g, not %q", name, bound, bound, v))
			return
		}
		*dst = f
	}
	number("lat", lat, 90, &q.Lat)
	number("lng", lng, 180, &q.Lng)
	if radius != "" {
		f, err := strconv.ParseFloat(radius, 64)
		if err != nil || math.IsNaN(f) || f <= 0 || f > MaxRadiusKm {
			wrong = append(wrong, fmt.Sprintf("radius_km must be a number of km above 0 and at most %g, not %q", MaxRadiusKm, radius))
		} else {
			q.RadiusKm = f
		}
	}
	if service != "" {
		q.Service = strings.ToLower(service)
		if !slices.Contains(shared.HospitalServices, q.Service) {
			wrong = append(wrong, fmt.Sprintf("unknown service %q (the services are %s)", service, strings.Join(shared.HospitalServices, ", ")))
		}
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			wrong = append(wrong, fmt.Sprintf("limit must be a whole number from 1 to %d, not %q", MaxLimit, limit))
		} else {
			q.Limit = n
		}
	}
	if len(wrong) > 0 {
		return Query{}, fault.Invalid("%s", strings.Join(wrong, "; "))
	}
	return q, nil
}
