package httpx

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
)

// Page limits: a caller may ask for at most MaxLimit items at once.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Page reads ?page= (from 1) and ?limit= (1 to MaxLimit; larger values are capped).
func Page(c *gin.Context) (page, limit int, err error) {
	page, limit = 1, DefaultLimit
	if v := c.Query("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 1_000_000 {
			return 0, 0, fault.Invalid("page must be a whole number from 1")
		}
	}
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fault.Invalid("limit must be a whole number from 1 to %d", MaxLimit)
		}
		limit = min(limit, MaxLimit)
	}
	return page, limit, nil
}

// Flag reads a true/false query parameter (?unread=true); absent is false, anything else a 400.
func Flag(c *gin.Context, name string) (bool, error) {
	switch v := c.Query(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fault.Invalid("%s must be true or false, not %q", name, v)
	}
}
