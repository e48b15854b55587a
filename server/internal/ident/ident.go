// Package ident makes and checks the identifiers of HMS records: 24 lowercase hex digits (a MongoDB
// ObjectID's text form), stored as strings so that every layer handles them alike.
package ident

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// New returns a fresh identifier, roughly ordered by creation time.
func New() string { return bson.NewObjectID().Hex() }

// Valid reports whether s has the form of an identifier.
func Valid(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
