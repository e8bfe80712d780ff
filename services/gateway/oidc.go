package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/consortia-dev/consortia/services/gateway/web"
)

// OIDCSettings configure the console's sign-in with an OpenID Connect
// provider (authorization code flow with PKCE); off while IssuerURL is empty.
// Roles, organisation and clusters are read from the claims named by
// CONSORTIA_AUTH_*_CLAIM, as the services read them.
type OIDCSettings struct {
	IssuerURL    string   `env:"CONSORTIA_OIDC_ISSUER_URL"`
	ClientID     string   `env:"CONSORTIA_OIDC_CLIENT_ID"`
	ClientSecret string   `env:"CONSORTIA_OIDC_CLIENT_SECRET" secret:"true"`
	RedirectURL  string   `env:"CONSORTIA_OIDC_REDIRECT_URL"` // default: CONSORTIA_PUBLIC_URL + /signin/oidc/callback
	Scopes       []string `env:"CONSORTIA_OIDC_SCOPES" envDefault:"profile,email" envSeparator:","`
	SessionToken string   `env:"CONSORTIA_OIDC_SESSION_TOKEN" envDefault:"access_token"`
}

// validate checks the settings against the public URL.
func (o OIDCSettings) validate(publicURL string) error {
	if o.IssuerURL == "" {
		return nil
	}
	var errs []error
	if o.ClientID == "" {
		errs = append(errs, errors.New("CONSORTIA_OIDC_CLIENT_ID is required with CONSORTIA_OIDC_ISSUER_URL"))
	}
	if o.RedirectURL == "" && publicURL == "" {
		errs = append(errs, errors.New("CONSORTIA_OIDC_REDIRECT_URL or CONSORTIA_PUBLIC_URL is required with CONSORTIA_OIDC_ISSUER_URL"))
	}
	if o.SessionToken != "access_token" && o.SessionToken != "id_token" {
		errs = append(errs, errors.New("CONSORTIA_OIDC_SESSION_TOKEN: want access_token or id_token"))
	}
	return errors.Join(errs...)
}

// Start reads the provider's discovery document (nil when OIDC is off).
func (o OIDCSettings) Start(ctx context.Context, publicURL string) (*web.OIDC, error) {
	if o.IssuerURL == "" {
		return nil, nil
	}
	redirect := o.RedirectURL
	if redirect == "" {
		redirect = strings.TrimSuffix(publicURL, "/") + web.OIDCCallbackPath
	}
	return web.NewOIDC(ctx, web.OIDCConfig{IssuerURL: o.IssuerURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		RedirectURL: redirect, Scopes: o.Scopes, SessionToken: o.SessionToken})
}
