package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/ident"
	"hms/shared"
)

// OAuthError is an error of the token endpoint, answered as RFC 6749 §5.2 says: a JSON body with
// error and error_description, and the status.
type OAuthError struct {
	Status      int
	Code        string
	Description string
	// cause is the category the activity log records.
	cause error
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

// Unwrap gives the fault category (for the activity log's outcome).
func (e *OAuthError) Unwrap() error { return e.cause }

func oauthErr(status int, code, desc string, cause error) *OAuthError {
	return &OAuthError{Status: status, Code: code, Description: desc, cause: cause}
}

// errInvalidClient is the one answer to an unknown client, a wrong secret and a revoked client
// alike (RFC 6749 §5.2), so that the answer does not tell which ids exist.
var errInvalidClient = oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication failed", fault.ErrUnauthenticated)

// TokenRequest is a client credentials grant's request, as read from the form and the headers.
type TokenRequest struct {
	GrantType, Scope string
	ClientID, Secret string
	IP               string
}

// ClientToken grants a client credentials token (RFC 6749 §4.4): the client authenticated by its id
// and secret, the scopes asked a subset of its own (all of them when none are asked). Limited per
// client address and per client; every grant and every failed authentication of a known client is
// audited as client.token.
func (s *Service) ClientToken(ctx context.Context, req TokenRequest) (shared.OAuthToken, error) {
	if err := s.clientsOn(); err != nil {
		return shared.OAuthToken{}, err
	}
	if err := s.clientLimit(ctx, "oauth:ip:"+req.IP, s.clientTokenMax); err != nil {
		return shared.OAuthToken{}, err
	}
	switch req.GrantType {
	case "":
		return shared.OAuthToken{}, oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required (client_credentials)", fault.ErrInvalid)
	case "client_credentials":
	default:
		return shared.OAuthToken{}, oauthErr(http.StatusBadRequest, "unsupported_grant_type",
			"only grant_type=client_credentials is supported", fault.ErrInvalid)
	}
	if req.ClientID == "" || req.Secret == "" {
		return shared.OAuthToken{}, errInvalidClient
	}
	if !ident.Valid(req.ClientID) {
		return shared.OAuthToken{}, errInvalidClient
	}
	tok, name, err := s.clientToken(ctx, req)
	if errors.Is(err, fault.ErrTooMany) {
		return tok, err
	}
	aerr := s.record(ctx, clientTarget(req.ClientID), shared.RoleClient, clientTarget(req.ClientID), "client.token", name, err)
	return tok, audited(err, aerr)
}

func (s *Service) clientToken(ctx context.Context, req TokenRequest) (shared.OAuthToken, string, error) {
	cl, err := s.clients.ClientByID(ctx, req.ClientID)
	if errors.Is(err, fault.ErrNotFound) {
		return shared.OAuthToken{}, "", errInvalidClient
	}
	if err != nil {
		return shared.OAuthToken{}, "", err
	}
	if !secretMatches(req.Secret, cl.SecretHash) || cl.RevokedAt != nil {
		return shared.OAuthToken{}, cl.Name, errInvalidClient
	}
	if err := s.clientLimit(ctx, "oauth:client:"+cl.ID, s.clientTokenMax); err != nil {
		return shared.OAuthToken{}, cl.Name, err
	}
	scopes := cl.Scopes
	if strings.TrimSpace(req.Scope) != "" {
		asked, err := ParseScopes(strings.Fields(req.Scope))
		if err != nil {
			return shared.OAuthToken{}, cl.Name, oauthErr(http.StatusBadRequest, "invalid_scope", strings.TrimPrefix(err.Error(), "invalid: "), fault.ErrInvalid)
		}
		if !within(asked, cl.Scopes) {
			return shared.OAuthToken{}, cl.Name, oauthErr(http.StatusBadRequest, "invalid_scope",
				"the scope asked is not within this client's scopes ("+strings.Join(scopeStrings(cl.Scopes), " ")+")", fault.ErrForbidden)
		}
		scopes = asked
	}
	raw, exp, err := s.tokens.signClient(cl, scopes, s.clientTTL)
	if err != nil {
		return shared.OAuthToken{}, cl.Name, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if err := s.clients.TouchClient(ctx, cl.ID, now); err != nil {
		return shared.OAuthToken{}, cl.Name, err
	}
	return shared.OAuthToken{AccessToken: raw, TokenType: "Bearer", ExpiresIn: int(exp.Sub(s.now()).Round(time.Second).Seconds()),
		Scope: strings.Join(scopeStrings(scopes), " ")}, cl.Name, nil
}

// clientWindow is the machine clients' rate limits' window.
const clientWindow = time.Minute

// errClientTooMany answers a client or address over its limit.
var errClientTooMany = fault.New(fault.ErrTooMany, "too many requests from this client; try again in a minute")

// clientLimit takes a place under a per-minute limit of key.
func (s *Service) clientLimit(ctx context.Context, key string, max int) error {
	ok, err := s.limits.Reserve(ctx, key, max, clientWindow)
	if err != nil {
		return err
	}
	if !ok {
		return errClientTooMany
	}
	return nil
}

// maxTokenForm bounds the token request's body: a few short fields.
const maxTokenForm = 8 << 10

// Token handles POST /oauth/token (RFC 6749 §4.4): the client authenticates with HTTP Basic or with
// client_id and client_secret form fields (§2.3.1; not both), grant_type=client_credentials, an
// optional scope. Errors are §5.2's JSON; nothing is cached.
func (h Handlers) Token(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	req, err := tokenRequest(c)
	if err == nil {
		var tok shared.OAuthToken
		tok, err = h.svc.ClientToken(c.Request.Context(), req)
		if err == nil {
			c.JSON(http.StatusOK, tok)
			return
		}
	}
	var oe *OAuthError
	switch {
	case errors.As(err, &oe):
		if oe.Status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Basic realm="hms", charset="UTF-8"`)
		}
		c.AbortWithStatusJSON(oe.Status, shared.OAuthError{Error: oe.Code, Description: oe.Description})
	case errors.Is(err, fault.ErrTooMany):
		c.Header("Retry-After", strconv.Itoa(int(clientWindow.Seconds())))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, shared.OAuthError{Error: "slow_down",
			Description: "too many token requests from this client or address; try again in a minute"})
	default:
		// Anything else (a store failure) is the common error body with its status and request ID.
		httpx.Error(c, err)
	}
}

// tokenRequest reads the token request: a form body, the client's credentials from exactly one of
// the Authorization header and the form.
func tokenRequest(c *gin.Context) (TokenRequest, error) {
	bad := func(desc string) (TokenRequest, error) {
		return TokenRequest{}, oauthErr(http.StatusBadRequest, "invalid_request", desc, fault.ErrInvalid)
	}
	ct := c.GetHeader("Content-Type")
	if mt, _, _ := strings.Cut(ct, ";"); !strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded") {
		return bad("the body must be application/x-www-form-urlencoded")
	}
	if c.Request.URL.RawQuery != "" {
		return bad("parameters go in the body, not the URL (RFC 6749 §3.2)")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxTokenForm)
	if err := c.Request.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return TokenRequest{}, oauthErr(http.StatusRequestEntityTooLarge, "invalid_request", "the body is larger than 8 KiB", fault.ErrInvalid)
		}
		return bad("the body is not a valid form")
	}
	form := c.Request.PostForm
	for k, v := range form {
		if len(v) > 1 {
			return bad(k + " is given more than once")
		}
	}
	req := TokenRequest{GrantType: form.Get("grant_type"), Scope: form.Get("scope"), IP: c.ClientIP()}
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	if user, pass, ok := c.Request.BasicAuth(); ok {
		if formSecret != "" {
			return bad("authenticate the client one way only: HTTP Basic or client_secret, not both")
		}
		// §2.3.1: the id and secret are form-urlencoded before they are put in the header.
		id, err1 := url.QueryUnescape(user)
		secret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil || formID != "" && formID != id {
			return TokenRequest{}, errInvalidClient
		}
		req.ClientID, req.Secret = id, secret
		return req, nil
	}
	if c.GetHeader("Authorization") != "" {
		return TokenRequest{}, errInvalidClient
	}
	req.ClientID, req.Secret = formID, formSecret
	return req, nil
}
