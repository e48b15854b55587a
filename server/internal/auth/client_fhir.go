package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// FHIRInteraction is what a request to the FHIR API does, read from its path and method: the
// resource type is the path's first segment after base (/fhir/R4/{Type}[/...]), the interaction read
// for GET and HEAD and write for POST, PUT, PATCH and DELETE. The route's pattern is read when there
// is one, so that what the router matched is what is checked.
func FHIRInteraction(base string, c *gin.Context) (typ, interaction string) {
	path := c.FullPath()
	if path == "" {
		path = c.Request.URL.Path
	}
	typ, _, _ = strings.Cut(strings.TrimPrefix(path, base+"/"), "/")
	interaction = InteractionWrite
	if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
		interaction = InteractionRead
	}
	return typ, interaction
}

// isClientToken reports whether raw is a well-signed integration client's token.
func (s *Service) isClientToken(raw string) bool {
	_, err := s.tokens.parse(raw, useAccess)
	return errors.Is(err, ErrMachineToken)
}

// SignedFHIR is Signed for the FHIR API, where an integration client's token is accepted as well as
// a person's: a request with neither, checked by itself, is refused before its body is read.
func (s *Service) SignedFHIR() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, _ := bearer(c)
		if _, err := s.tokens.parse(raw, useAccess); err != nil && !errors.Is(err, ErrMachineToken) {
			httpx.Error(c, err)
			return
		}
		c.Next()
	}
}

// RequireFHIR is the FHIR API's central check, in the chain of every signed-in FHIR route (base is
// the API's mount point). A person's token goes through RequireOr (onDeny, perm) as on any route. An
// integration client's token is checked against the live client record, counted under the client's
// per-minute limit (429 with Retry-After), and must hold the system scope of the path's resource type
// and interaction (403 naming the scope otherwise); the route's permission is not asked of it, the
// scope being the admin's grant. The principal then carries the matched scope (SystemGrant), which the
// access rule reads, and every call is written to the activity log with the client as the actor.
func (s *Service) RequireFHIR(base string, onDeny func(*gin.Context, Principal), perm shared.Permission) gin.HandlerFunc {
	person := s.RequireOr(onDeny, perm)
	return func(c *gin.Context) {
		raw, _ := bearer(c)
		if !s.isClientToken(raw) {
			person(c)
			return
		}
		ctx := c.Request.Context()
		p, err := s.authenticateClient(ctx, raw)
		typ, interaction := FHIRInteraction(base, c)
		if err != nil {
			if p.Client != nil { // a revoked or rotated client's token: refused, and written down
				defer s.auditFHIR(ctx, c, p, typ, interaction, "token of a revoked or rotated client")
			}
			httpx.Error(c, err)
			return
		}
		defer s.auditFHIR(ctx, c, p, typ, interaction, "")
		if err := s.clientLimit(ctx, "fhir:client:"+p.Client.ID, s.clientFHIRMax); err != nil {
			if errors.Is(err, fault.ErrTooMany) {
				c.Header("Retry-After", strconv.Itoa(int(clientWindow.Seconds())))
			}
			httpx.Error(c, err)
			return
		}
		need := Scope{Type: typ, Interaction: interaction}
		if _, ok := granted(p.Client.Scopes, typ, interaction); !ok {
			httpx.Error(c, fault.Coded(fault.ErrForbidden, "insufficient_scope",
				"this client's token does not hold the scope %s, needed to %s %s", need, interaction, cut(typ)))
			return
		}
		p.SystemGrant = need.String()
		c.Set(principalKey, p)
		c.Next()
	}
}

// auditFHIR writes a client's FHIR call to the activity log: the client as actor (client:<id>, role
// client, its name as the detail with the route), the resource type and id as the target, the
// outcome from the status. The query is never written (it may hold a patient's name).
func (s *Service) auditFHIR(ctx context.Context, c *gin.Context, p Principal, typ, interaction, note string) {
	target := typ
	if id := c.Param("id"); fhirID.MatchString(id) {
		target += "/" + id
	}
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	detail := p.Client.Name + "; " + c.Request.Method + " " + route
	if note != "" {
		detail += "; " + note
	}
	// The answer is sent by now: a failed entry can only be logged.
	if err := s.record(context.WithoutCancel(ctx), p.UserID, p.Role, target, "fhir."+interaction, detail, statusErr(c.Writer.Status())); err != nil {
		slog.ErrorContext(ctx, "audit a client's FHIR call", "client", p.Client.ID, "err", err)
	}
}

// fhirID is FHIR's id syntax: what may name a resource in the activity log.
var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// statusErr is the fault category of an answered status, for the activity log's outcome.
func statusErr(status int) error {
	switch {
	case status < 400:
		return nil
	case status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusTooManyRequests:
		return fault.ErrForbidden
	case status == http.StatusNotFound:
		return fault.ErrNotFound
	case status < 500:
		return fault.ErrInvalid
	default:
		return errors.New("server error")
	}
}
