package shared

import "time"

// FHIRResourceTypes are the FHIR resource types an integration client's scopes may name: those the
// FHIR API serves or is to serve (docs/integrations.md).
var FHIRResourceTypes = []string{"Patient", "Practitioner", "Organization", "Location", "Schedule", "Slot",
	"Appointment", "Encounter", "Observation", "DiagnosticReport", "MedicationRequest", "Coverage", "Claim",
	"ClaimResponse"}

// IntegrationClient is a registered machine client of the FHIR API, as listed: never its secret.
type IntegrationClient struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// CreatedBy is the id of the admin who registered it.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is when it last obtained a token; RotatedAt when its secret was last replaced;
	// RevokedAt when it was revoked (its tokens stopped then).
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RotatedAt  *time.Time `json:"rotated_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// IntegrationClientList is the answer of GET /api/integration-clients: the clients, newest first,
// and the resource types scopes may name.
type IntegrationClientList struct {
	Items         []IntegrationClient `json:"items"`
	Total         int                 `json:"total"`
	Page          int                 `json:"page"`
	Limit         int                 `json:"limit"`
	ResourceTypes []string            `json:"resource_types"`
}

// CreateIntegrationClientRequest is the body of POST /api/integration-clients.
type CreateIntegrationClientRequest struct {
	Name string `json:"name"`
	// Scopes are SMART-style system scopes: system/<Type or *>.<read, write or *>.
	Scopes []string `json:"scopes"`
}

// IntegrationClientSecret answers a registration or a rotation: the client and its secret, which is
// shown this once (the server keeps only its hash).
type IntegrationClientSecret struct {
	Client       IntegrationClient `json:"client"`
	ClientSecret string            `json:"client_secret"`
}

// OAuthToken is the answer of POST /oauth/token (RFC 6749 §5.1).
type OAuthToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// OAuthError is an error of POST /oauth/token (RFC 6749 §5.2).
type OAuthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}
