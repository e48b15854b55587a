package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"hms/shared"
)

// api is a small JSON client for the HMS REST API.
type api struct {
	base string
	http *http.Client
}

// StatusError is an answer the demo did not expect: it is fatal, and says what the server said.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: unexpected status %d: %s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// call sends body (when not nil) as JSON with the session's token (when not nil) and decodes a 2xx
// answer into out (when not nil). Any status not in want is a *StatusError; a status in want is returned.
func (a *api) call(ctx context.Context, s *session, method, path string, body, out any, want ...int) (int, error) {
	return a.callKeyed(ctx, s, method, path, "", body, out, want...)
}

// callKeyed is call with an Idempotency-Key header (when key is not empty): the server answers a
// repeated request with what the first one did.
func (a *api) callKeyed(ctx context.Context, s *session, method, path, key string, body, out any, want ...int) (int, error) {
	var token string
	if s != nil {
		var err error
		if token, err = s.token(ctx, a); err != nil {
			return 0, err
		}
	}
	status, data, err := a.send(ctx, token, method, path, key, body)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(want, status) {
		return status, &StatusError{Method: method, Path: path, Status: status, Body: string(data)}
	}
	if out != nil && status/100 == 2 && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return status, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return status, nil
}

func (a *api) send(ctx context.Context, token, method, path, key string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// session is one signed-in user. Access tokens live 15 minutes by default, so the session signs in
// again before its token gets old; a long, slow demo keeps working.
type session struct {
	email, password string
	user            shared.User

	mu  sync.Mutex
	tok string
	got time.Time
}

const tokenMaxAge = 10 * time.Minute

func (s *session) token(ctx context.Context, a *api) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != "" && time.Since(s.got) < tokenMaxAge {
		return s.tok, nil
	}
	var tr shared.TokenResponse
	status, data, err := a.send(ctx, "", http.MethodPost, "/api/auth/login", "", shared.LoginRequest{Email: s.email, Password: s.password})
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("sign in as %s: %w", s.email, &StatusError{Method: http.MethodPost, Path: "/api/auth/login", Status: status, Body: string(data)})
	}
	if err := json.Unmarshal(data, &tr); err != nil {
		return "", fmt.Errorf("sign in as %s: %w", s.email, err)
	}
	s.tok, s.got, s.user = tr.Token, time.Now(), tr.User
	return s.tok, nil
}

// login signs in and returns the session with the user's profile filled.
func (a *api) login(ctx context.Context, email, password string) (*session, error) {
	s := &session{email: email, password: password}
	_, err := s.token(ctx, a)
	return s, err
}

// account makes sure an account exists and returns it signed in: the admin registers it (self-sign-up
// is limited per client address and answers alike for a taken email, so a seeder goes through the
// admin) and, when the email is taken (409), signs in instead.
func (a *api) account(ctx context.Context, admin *session, name, email, password string, role shared.Role) (*session, bool, error) {
	req := shared.RegisterRequest{Name: name, Email: email, Password: password, Role: role}
	status, err := a.call(ctx, admin, http.MethodPost, "/api/auth/register", req, nil, http.StatusCreated, http.StatusConflict)
	if err != nil {
		return nil, false, err
	}
	s, err := a.login(ctx, email, password)
	if err != nil && status == http.StatusConflict {
		return nil, false, fmt.Errorf("%s exists already but the demo password does not sign in (was it changed?): %w", email, err)
	}
	return s, status == http.StatusCreated, err
}
