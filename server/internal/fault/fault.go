// Package fault holds the small set of error categories every domain wraps its errors in. The HTTP layer
// maps a category to a status code; nothing else needs to know which domain an error came from.
package fault

import (
	"errors"
	"fmt"
)

// The categories. Match them with errors.Is.
var (
	ErrInvalid         = errors.New("invalid")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrTooMany         = errors.New("too many requests")
	ErrUnavailable     = errors.New("unavailable")
	// ErrUpstream: a service the request was passed on to (a payment provider) refused it or failed.
	ErrUpstream = errors.New("upstream failed")
)

// Error is a categorised error whose message is safe to show to the client.
type Error struct {
	Category error
	Message  string
	// Code, when set, replaces the category's machine code in the JSON error body: a client can act on
	// it (e.g. "break_glass_required" offers to state a reason).
	Code string
}

// Error returns the client-safe message.
func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is find the category.
func (e *Error) Unwrap() error { return e.Category }

// New returns an error of the given category with a client-safe message.
func New(category error, format string, args ...any) error {
	return &Error{Category: category, Message: fmt.Sprintf(format, args...)}
}

// Coded returns an error of the given category with its own machine code and a client-safe message.
func Coded(category error, code, format string, args ...any) error {
	return &Error{Category: category, Message: fmt.Sprintf(format, args...), Code: code}
}

// Invalid returns an ErrInvalid with a message saying what is wrong with the input.
func Invalid(format string, args ...any) error { return New(ErrInvalid, format, args...) }

// CodeOf returns the specific machine code err carries, if any.
func CodeOf(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

// Public returns the client-safe message of err when it is a categorised error.
func Public(err error) (string, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Message, true
	}
	return "", false
}
