package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

func newIssuer(t *testing.T, url string) *auth.Issuer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewIssuer(priv, url, "consortia")
}

func claims(sub string, roles ...string) auth.Claims {
	return auth.Claims{Roles: roles, Organization: "org-1", Clusters: []string{"c-1"}, RegisteredClaims: jwt.RegisteredClaims{Subject: sub}}
}

func TestIssueAndVerify(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	tok, err := iss.Issue(claims("ana", auth.RoleClusterManager), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := iss.Verifier().Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "ana" || !p.ManagesCluster("c-1") || p.ManagesCluster("c-2") || p.ActsFor("org-1") || p.Token != tok {
		t.Fatalf("principal = %+v", p)
	}
}

func TestVerifyRejects(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	other := newIssuer(t, "test-issuer")
	expired, _ := iss.Issue(claims("ana"), -time.Hour)
	foreign, _ := other.Issue(claims("ana"), time.Hour)
	wrongIss, _ := newIssuerWithSameKey(t, iss).Issue(claims("ana"), time.Hour)
	noSub, _ := iss.Issue(claims(""), time.Hour)
	tests := map[string]string{
		"expired":         expired,
		"signed by other": foreign,
		"wrong issuer":    wrongIss,
		"no subject":      noSub,
		"garbage":         "not.a.jwt",
		"alg none":        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbmEifQ.",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := iss.Verifier().Verify(context.Background(), tok)
			if !errors.Is(err, domainerr.ErrUnauthenticated) {
				t.Fatalf("err = %v, want unauthenticated", err)
			}
		})
	}
}

// newIssuerWithSameKey signs with a valid key id but a different iss claim.
func newIssuerWithSameKey(t *testing.T, iss *auth.Issuer) *auth.Issuer {
	t.Helper()
	cp := *iss
	cp.URL = "someone-else"
	return &cp
}

func TestJWKSVerifier(t *testing.T) {
	iss := newIssuer(t, "https://idp.example")
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(iss.JWKS())
	}))
	defer srv.Close()
	v := &auth.JWKSVerifier{URL: srv.URL, Issuer: "https://idp.example", Audience: "consortia"}
	tok, _ := iss.Issue(claims("bo", auth.RoleCompany), time.Hour)
	for range 3 {
		p, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if !p.ActsFor("org-1") {
			t.Fatalf("principal = %+v", p)
		}
	}
	if hits != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (cached)", hits)
	}
	foreign, _ := newIssuer(t, "https://idp.example").Issue(claims("bo"), time.Hour)
	if _, err := v.Verify(context.Background(), foreign); !errors.Is(err, domainerr.ErrUnauthenticated) {
		t.Fatalf("foreign key: err = %v", err)
	}
}

func TestLoadOrCreateIssuerKeepsKey(t *testing.T) {
	dir := t.TempDir()
	a, err := auth.LoadOrCreateIssuer(dir, "dev", "consortia")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := a.Issue(claims("x"), time.Hour)
	b, err := auth.LoadOrCreateIssuer(dir, "dev", "consortia")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verifier().Verify(context.Background(), tok); err != nil {
		t.Fatalf("token from before a restart rejected: %v", err)
	}
}

// OIDC providers usually sign with RS256: the JWKS verifier accepts RSA keys,
// and refuses an HS256 token "signed" with the public key (algorithm confusion).
func TestJWKSVerifierRSA(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) }))
	defer srv.Close()
	v := &auth.JWKSVerifier{URL: srv.URL, Issuer: "https://idp.example", Audience: "consortia"}

	c := claims("carla", auth.RoleAgency)
	c.Issuer, c.Audience = "https://idp.example", jwt.ClaimStrings{"consortia"}
	c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(time.Hour))
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "rsa-1"
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), signed)
	if err != nil || !p.Has(auth.RoleAgency) {
		t.Fatalf("RS256 token: %+v, %v", p, err)
	}

	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	hs.Header["kid"] = "rsa-1"
	forged, _ := hs.SignedString(key.PublicKey.N.Bytes())
	if _, err := v.Verify(context.Background(), forged); !errors.Is(err, domainerr.ErrUnauthenticated) {
		t.Fatalf("HS256 with the public key accepted: %v", err)
	}
}
