package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig configures the production sign-in against an OpenID Connect
// provider (authorization code flow with PKCE).
type OIDCConfig struct {
	// IssuerURL is the provider's issuer; its discovery document is read at
	// start (IssuerURL/.well-known/openid-configuration).
	IssuerURL string
	// ClientID and ClientSecret of the gateway's client at the provider (the
	// secret may be empty for a public client: PKCE protects the code).
	ClientID, ClientSecret string
	// RedirectURL is PublicURL + OIDCCallbackPath, registered at the provider.
	RedirectURL string
	// Scopes requested besides openid.
	Scopes []string
	// SessionToken is the token kept for the session and forwarded to the
	// services: "access_token" (default) or "id_token", for providers whose
	// access tokens are not JWTs. Either way it must pass the services' own
	// verifier (issuer, audience, claims).
	SessionToken string
	// HTTPClient talks to the provider (default http.DefaultClient).
	HTTPClient *http.Client
}

// Paths of the sign-in flow.
const (
	OIDCStartPath    = "/signin/oidc"
	OIDCCallbackPath = "/signin/oidc/callback"
	// oidcCookie holds the flow's state, nonce, PKCE verifier and destination
	// between the redirect to the provider and the callback.
	oidcCookie  = "consortia_oidc"
	oidcFlowTTL = 10 * time.Minute
)

// OIDC is the production sign-in.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// NewOIDC reads the provider's discovery document.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.IssuerURL == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: the issuer URL, client id and redirect URL are required")
	}
	switch cfg.SessionToken {
	case "":
		cfg.SessionToken = "access_token"
	case "access_token", "id_token":
	default:
		return nil, fmt.Errorf("oidc: session token %q: want access_token or id_token", cfg.SessionToken)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx = oidc.ClientContext(ctx, client)
	provider, err := oidc.NewProvider(ctx, cfg.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s: %w", cfg.IssuerURL, err)
	}
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range cfg.Scopes {
		if s != "" && s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	return &OIDC{
		cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: scopes},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:   client,
	}, nil
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcStart redirects to the provider with a fresh state, nonce and PKCE
// challenge, remembered in a short-lived cookie for the callback.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	o := s.d.OIDC
	if o == nil {
		http.NotFound(w, r)
		return
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	flow := url.Values{"state": {state}, "nonce": {nonce}, "verifier": {verifier}, "next": {safeNext(r.URL.Query().Get("next"))}}
	http.SetCookie(w, &http.Cookie{
		Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(flow.Encode())), Path: OIDCStartPath,
		MaxAge: int(oidcFlowTTL / time.Second), HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
}

// oidcCallback exchanges the code (with the PKCE verifier), checks the ID
// token (signature, issuer, audience, expiry, nonce), and keeps the session
// token once the services' own verifier accepts it.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	o := s.d.OIDC
	if o == nil {
		http.NotFound(w, r)
		return
	}
	fail := func(reason string, err error) {
		s.d.Logger.WarnContext(r.Context(), "OIDC sign-in refused", "reason", reason, "err", err)
		setFlash(w, flash{Kind: "error", Key: "signin.oidc.failed"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: OIDCStartPath, MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	if err != nil {
		fail("no sign-in in progress (or it took longer than 10 minutes)", err)
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	flow, perr := url.ParseQuery(string(raw))
	if err != nil || perr != nil || flow.Get("state") == "" {
		fail("malformed flow cookie", errors.Join(err, perr))
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		fail("the provider refused", fmt.Errorf("%s: %s", e, q.Get("error_description")))
		return
	}
	if q.Get("state") != flow.Get("state") {
		fail("state mismatch", nil)
		return
	}
	ctx := oidc.ClientContext(r.Context(), o.client)
	tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(flow.Get("verifier")))
	if err != nil {
		fail("code exchange", err)
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		fail("no id_token in the token response", nil)
		return
	}
	idt, err := o.verifier.Verify(ctx, rawID)
	if err != nil {
		fail("ID token", err)
		return
	}
	if idt.Nonce != flow.Get("nonce") {
		fail("nonce mismatch", nil)
		return
	}
	session := tok.AccessToken
	if o.cfg.SessionToken == "id_token" {
		session = rawID
	}
	p, err := s.d.Verifier.Verify(r.Context(), session)
	if err != nil {
		fail("the "+o.cfg.SessionToken+" is not accepted by the services (issuer, audience or claims)", err)
		return
	}
	if p.Subject != idt.Subject {
		fail("the session token and the ID token name different users", nil)
		return
	}
	exp := time.Now().Add(time.Hour)
	if p.ExpiresAt != nil {
		exp = p.ExpiresAt.Time
	}
	s.setSession(w, session, exp)
	s.d.Logger.InfoContext(r.Context(), "signed in", "subject", p.Subject, "roles", strings.Join(p.Roles, ","), "via", "oidc")
	http.Redirect(w, r, safeNext(flow.Get("next")), http.StatusSeeOther)
}

func init() {
	for lang, m := range map[string]map[string]string{
		"es": {"signin.oidc": "Entrar con la cuenta de su organización", "signin.oidc.failed": "No se pudo completar el inicio de sesión con el proveedor de identidad. Inténtelo de nuevo."},
		"en": {"signin.oidc": "Sign in with your organisation's account", "signin.oidc.failed": "Signing in with the identity provider did not complete. Please try again."},
	} {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}
