package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
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
