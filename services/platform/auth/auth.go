// Package auth carries identity through Consortia: JWT bearer tokens with
// OIDC-style claims, verified by every service (zero trust), and a built-in
// development issuer with demo users.
package auth

import (
	"context"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// Roles a principal may hold.
const (
	RoleAdmin          = "admin"           // operates the platform
	RoleAgency         = "agency"          // regional agency staff: read across clusters
	RoleClusterManager = "cluster_manager" // manages the clusters listed in Clusters
	RoleCompany        = "company"         // acts for Organization only
	RoleService        = "service"         // another Consortia service
)

// Claims are the token's claims.
type Claims struct {
	Name         string   `json:"name,omitempty"`
	Email        string   `json:"email,omitempty"`
	Roles        []string `json:"roles,omitempty"`
	Organization string   `json:"org,omitempty"`
	Clusters     []string `json:"clusters,omitempty"`
	Locale       string   `json:"locale,omitempty"`
	jwt.RegisteredClaims
}

// Principal is the authenticated caller, as services see it.
type Principal struct {
	Claims
	// Token is the raw bearer token, forwarded on calls to other services.
	Token string
}

// Has reports whether the principal holds role.
func (p *Principal) Has(role string) bool { return p != nil && slices.Contains(p.Roles, role) }

// ManagesCluster reports whether the principal is a manager of cluster id.
func (p *Principal) ManagesCluster(id string) bool {
	return p.Has(RoleClusterManager) && slices.Contains(p.Clusters, id)
}

// ActsFor reports whether the principal may act for organisation id.
func (p *Principal) ActsFor(id string) bool {
	return p.Has(RoleCompany) && p.Organization == id
}

// Actor is the value recorded as an event's actor.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return "user:" + p.Subject
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the caller, or nil for an unauthenticated context.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
