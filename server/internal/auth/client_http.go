package auth

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/httpx"
	"hms/shared"
)

// ListClients handles GET /api/integration-clients: a page of clients, newest first, and the
// resource types scopes may name.
func (h Handlers) ListClients(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	cls, total, err := h.svc.Clients(c.Request.Context(), page, limit)
	out := shared.IntegrationClientList{Items: make([]shared.IntegrationClient, 0, len(cls)), Total: total, Page: page,
		Limit: limit, ResourceTypes: shared.FHIRResourceTypes}
	for _, cl := range cls {
		out.Items = append(out.Items, cl.Public())
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}

// CreateClient handles POST /api/integration-clients: 201 with the client and its secret, shown once.
func (h Handlers) CreateClient(c *gin.Context) {
	var req shared.CreateIntegrationClientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	cl, secret, err := h.svc.RegisterClient(c.Request.Context(), p, req)
	c.Header("Cache-Control", "no-store")
	httpx.Reply(c, http.StatusCreated)(shared.IntegrationClientSecret{Client: cl.Public(), ClientSecret: secret}, err)
}

// RotateClient handles POST /api/integration-clients/{id}/rotate: the new secret, shown once.
func (h Handlers) RotateClient(c *gin.Context) {
	p, _ := PrincipalOf(c)
	cl, secret, err := h.svc.RotateClient(c.Request.Context(), p, c.Param("id"))
	c.Header("Cache-Control", "no-store")
	httpx.Reply(c, http.StatusOK)(shared.IntegrationClientSecret{Client: cl.Public(), ClientSecret: secret}, err)
}

// RevokeClient handles POST /api/integration-clients/{id}/revoke: the client, revoked.
func (h Handlers) RevokeClient(c *gin.Context) {
	p, _ := PrincipalOf(c)
	cl, err := h.svc.RevokeClient(c.Request.Context(), p, c.Param("id"))
	httpx.Reply(c, http.StatusOK)(cl.Public(), err)
}
