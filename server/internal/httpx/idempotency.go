package httpx

import (
	"github.com/gin-gonic/gin"

	"hms/server/internal/idem"
)

// IdempotencyKey returns the request's Idempotency-Key header, "" when none was sent; a value that is
// not 1–100 printable ASCII characters is an invalid request.
func IdempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	return key, idem.Check(key)
}

// ReplyKeyed is Reply for a request that may carry an Idempotency-Key: an answer that repeats the first
// request's (replayed) is marked Idempotent-Replayed: true, so that a client can tell nothing was done
// again. An error answer is never marked.
func ReplyKeyed(c *gin.Context, status int) func(v any, replayed bool, err error) {
	return func(v any, replayed bool, err error) {
		if replayed && err == nil {
			c.Header("Idempotent-Replayed", "true")
		}
		Reply(c, status)(v, err)
	}
}
