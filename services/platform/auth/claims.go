package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// ClaimNames says which claims of an identity provider's token carry the
// principal's roles, organisation and clusters. A name is a top-level claim
// ("roles", or "https://consortia.example/roles") or, when no such claim
// exists, a dotted path into nested claims ("realm_access.roles" for
// Keycloak). Empty names are the defaults: roles, org, clusters.
type ClaimNames struct {
	Roles, Organization, Clusters string
}

// Default claim names (those the development issuer writes).
const (
	DefaultRolesClaim    = "roles"
	DefaultOrgClaim      = "org"
	DefaultClustersClaim = "clusters"
)

// Read builds Claims from a verified token's claims.
func (n ClaimNames) Read(raw map[string]any) (Claims, error) {
	var c Claims
	b, err := json.Marshal(raw)
	if err != nil {
		return c, err
	}
	// Registered and profile claims (sub, iss, exp, name, email, locale, ...)
	// keep their standard names. A claim of an unexpected type is refused, not
	// read as empty.
	var std struct {
		Name   any `json:"name"`
		Email  any `json:"email"`
		Locale any `json:"locale"`
	}
	_ = json.Unmarshal(b, &std)
	var reg Claims
	if err := json.Unmarshal(b, &reg.RegisteredClaims); err != nil {
		return c, fmt.Errorf("registered claims: %w", err)
	}
	c.RegisteredClaims = reg.RegisteredClaims
	c.Name, _ = std.Name.(string)
	c.Email, _ = std.Email.(string)
	c.Locale, _ = std.Locale.(string)
	if c.Roles, err = strings_(raw, or(n.Roles, DefaultRolesClaim)); err != nil {
		return c, err
	}
	orgs, err := strings_(raw, or(n.Organization, DefaultOrgClaim))
	if err != nil {
		return c, err
	}
	if len(orgs) > 1 {
		return c, fmt.Errorf("claim %s: one organisation expected, got %d", or(n.Organization, DefaultOrgClaim), len(orgs))
	}
	if len(orgs) == 1 {
		c.Organization = orgs[0]
	}
	if c.Clusters, err = strings_(raw, or(n.Clusters, DefaultClustersClaim)); err != nil {
		return c, err
	}
	return c, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lookup finds a claim by its name, or by a dotted path.
func lookup(raw map[string]any, name string) (any, bool) {
	if v, ok := raw[name]; ok {
		return v, true
	}
	var cur any = raw
	for _, part := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// strings_ reads a claim holding a string or a list of strings (absent: none).
func strings_(raw map[string]any, name string) ([]string, error) {
	v, ok := lookup(raw, name)
	if !ok || v == nil {
		return nil, nil
	}
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("claim %s: a list of strings expected", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("claim %s: a string or a list of strings expected", name)
}

func slogWarn(ctx context.Context, msg string, args ...any) { slog.WarnContext(ctx, msg, args...) }
