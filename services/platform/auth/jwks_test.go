package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// idp is an identity provider's key set endpoint with one RSA key.
type idp struct {
	key    *rsa.PrivateKey
	jwk    map[string]string
	status atomic.Int32 // HTTP status to answer (200 by default)
	hits   atomic.Int32
	srv    *httptest.Server
}

func newIDP(t *testing.T, jwk map[string]string) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{key: key, jwk: map[string]string{"kty": "RSA", "kid": "k1",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}
	for k, v := range jwk {
		p.jwk[k] = v
	}
	p.status.Store(http.StatusOK)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		p.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(p.status.Load()))
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{p.jwk}})
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) sign(t *testing.T, kid string, claims jwt.MapClaims) string {
	t.Helper()
	base := jwt.MapClaims{"iss": "https://idp.example", "aud": "consortia", "sub": "u-1", "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		base[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, base)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Roles, organisation and clusters come from the claims the deployment names,
// nested ones included (Keycloak's realm_access.roles).
func TestJWKSVerifierReadsConfiguredClaims(t *testing.T) {
	p := newIDP(t, map[string]string{"alg": "RS256", "use": "sig"})
	v := &auth.JWKSVerifier{URL: p.srv.URL, Issuer: "https://idp.example", Audience: "consortia",
		Claims: auth.ClaimNames{Roles: "realm_access.roles", Organization: "https://consortia.example/org", Clusters: "groups"}}
	tok := p.sign(t, "k1", jwt.MapClaims{
		"name": "Marta", "email": "marta@example.org",
		"realm_access":                  map[string]any{"roles": []string{auth.RoleClusterManager, "offline_access"}},
		"https://consortia.example/org": "org-9",
		"groups":                        []string{"c-1", "c-2"},
		"roles":                         []string{auth.RoleAdmin}, // not the configured claim: ignored
	})
	pr, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Subject != "u-1" || pr.Name != "Marta" || !pr.ManagesCluster("c-2") || pr.Has(auth.RoleAdmin) || pr.Organization != "org-9" {
		t.Fatalf("principal %+v", pr.Claims)
	}
	bad := p.sign(t, "k1", jwt.MapClaims{"realm_access": map[string]any{"roles": "x"}, "groups": 7})
	if _, err := v.Verify(t.Context(), bad); !errors.Is(err, domainerr.ErrUnauthenticated) {
		t.Fatalf("clusters claim of the wrong type: err = %v", err)
	}
}

// A key whose "alg" is not the token's, or which is meant for encryption,
// verifies nothing; an error answer from the provider is no key set.
func TestJWKSVerifierChecksTheKey(t *testing.T) {
	for name, tc := range map[string]struct {
		jwk    map[string]string
		status int
	}{
		"alg mismatch":   {map[string]string{"alg": "PS256"}, http.StatusOK},
		"encryption key": {map[string]string{"alg": "RS256", "use": "enc"}, http.StatusOK},
		"HTTP 500":       {map[string]string{"alg": "RS256"}, http.StatusInternalServerError},
	} {
		t.Run(name, func(t *testing.T) {
			p := newIDP(t, tc.jwk)
			p.status.Store(int32(tc.status))
			v := &auth.JWKSVerifier{URL: p.srv.URL, Issuer: "https://idp.example", Audience: "consortia"}
			_, err := v.Verify(t.Context(), p.sign(t, "k1", nil))
			if !errors.Is(err, domainerr.ErrUnauthenticated) {
				t.Fatalf("err = %v, want unauthenticated", err)
			}
		})
	}
	p := newIDP(t, map[string]string{"alg": "RS256"}) // no "use": may sign
	v := &auth.JWKSVerifier{URL: p.srv.URL, Issuer: "https://idp.example", Audience: "consortia"}
	if _, err := v.Verify(t.Context(), p.sign(t, "k1", nil)); err != nil {
		t.Fatalf("a key without use: %v", err)
	}
}

// Tokens with unknown key ids (forged, or a rotation not yet published) do
// not make one key set request each: refreshes for them are rate-limited.
func TestJWKSVerifierRateLimitsUnknownKeyRefreshes(t *testing.T) {
	p := newIDP(t, map[string]string{"alg": "RS256"})
	v := &auth.JWKSVerifier{URL: p.srv.URL, Issuer: "https://idp.example", Audience: "consortia"}
	if _, err := v.Verify(t.Context(), p.sign(t, "k1", nil)); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := v.Verify(context.Background(), p.sign(t, "unknown-"+string(rune('a'+i%26)), nil)); !errors.Is(err, domainerr.ErrUnauthenticated) {
			t.Fatalf("unknown kid: err = %v", err)
		}
	}
	if hits := p.hits.Load(); hits > 2 {
		t.Fatalf("%d key set requests for 50 unknown key ids, want at most 2 (the first fetch and one rate-limited refresh)", hits)
	}
	t.Logf("%d key set requests for 1 known and 50 unknown key ids", p.hits.Load())
	if !slices.Contains([]int32{1, 2}, p.hits.Load()) {
		t.Fatal("the key set was never fetched")
	}
}
