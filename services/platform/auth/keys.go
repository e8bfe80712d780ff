package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Verifier checks a bearer token and returns its principal.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Principal, error)
}

// Issuer signs tokens with an Ed25519 key (EdDSA).
type Issuer struct {
	URL      string // iss claim
	Audience string
	keyID    string
	priv     ed25519.PrivateKey
}

// LoadOrCreateIssuer reads the signing key from dir/dev-issuer.pem, creating it
// on first use, so tokens survive a restart of the local stack.
func LoadOrCreateIssuer(dir, url, audience string) (*Issuer, error) {
	path := filepath.Join(dir, "dev-issuer.pem")
	var priv ed25519.PrivateKey
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("issuer key %s: not PEM", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("issuer key %s: %w", path, err)
		}
		var ok bool
		if priv, ok = k.(ed25519.PrivateKey); !ok {
			return nil, fmt.Errorf("issuer key %s: not Ed25519", path)
		}
	case errors.Is(err, os.ErrNotExist):
		_, priv, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, fmt.Errorf("write issuer key: %w", err)
		}
	default:
		return nil, fmt.Errorf("issuer key %s: %w", path, err)
	}
	return NewIssuer(priv, url, audience), nil
}

// NewIssuer returns an issuer for a given key.
func NewIssuer(priv ed25519.PrivateKey, url, audience string) *Issuer {
	pub := priv.Public().(ed25519.PublicKey)
	return &Issuer{URL: url, Audience: audience, priv: priv, keyID: base64.RawURLEncoding.EncodeToString(pub[:8])}
}

// Issue signs claims valid for ttl, filling iss, aud, iat and exp.
func (i *Issuer) Issue(c Claims, ttl time.Duration) (string, error) {
	now := time.Now()
	c.Issuer = i.URL
	c.Audience = jwt.ClaimStrings{i.Audience}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.NotBefore = jwt.NewNumericDate(now.Add(-time.Minute))
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = i.keyID
	return t.SignedString(i.priv)
}

// JWKS returns the public key set (RFC 7517, OKP/Ed25519), as served at
// /.well-known/jwks.json.
func (i *Issuer) JWKS() []byte {
	pub := i.priv.Public().(ed25519.PublicKey)
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": i.keyID,
		"x": base64.RawURLEncoding.EncodeToString(pub),
	}}})
	return b
}

// Verifier returns a verifier that trusts this issuer's key.
func (i *Issuer) Verifier() Verifier {
	return &KeyVerifier{Issuer: i.URL, Audience: i.Audience, Keys: map[string]ed25519.PublicKey{i.keyID: i.priv.Public().(ed25519.PublicKey)}}
}

// KeyVerifier verifies tokens against a fixed set of Ed25519 keys.
type KeyVerifier struct {
	Issuer, Audience string
	Keys             map[string]ed25519.PublicKey
}

// Verify implements Verifier.
func (v *KeyVerifier) Verify(_ context.Context, token string) (*Principal, error) {
	return verify(token, v.Issuer, v.Audience, func(kid string) (crypto.PublicKey, bool) {
		k, ok := v.Keys[kid]
		return k, ok
	})
}

// validMethods are the signing algorithms accepted: EdDSA (the development
// issuer) and RS256 / ES256, which OIDC providers use.
var validMethods = []string{"EdDSA", "RS256", "ES256"}

func verify(token, iss, aud string, key func(kid string) (crypto.PublicKey, bool)) (*Principal, error) {
	var c Claims
	opts := []jwt.ParserOption{jwt.WithValidMethods(validMethods), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if iss != "" {
		opts = append(opts, jwt.WithIssuer(iss))
	}
	if aud != "" {
		opts = append(opts, jwt.WithAudience(aud))
	}
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := key(kid)
		if !ok {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		// The key type must match the algorithm, or an attacker could pick one.
		switch t.Method.Alg() {
		case "EdDSA":
			if _, ok := k.(ed25519.PublicKey); !ok {
				return nil, fmt.Errorf("key %q is not an Ed25519 key", kid)
			}
		case "RS256":
			if _, ok := k.(*rsa.PublicKey); !ok {
				return nil, fmt.Errorf("key %q is not an RSA key", kid)
			}
		case "ES256":
			if _, ok := k.(*ecdsa.PublicKey); !ok {
				return nil, fmt.Errorf("key %q is not an ECDSA key", kid)
			}
		}
		return k, nil
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", domainerr.ErrUnauthenticated, err)
	}
	if c.Subject == "" {
		return nil, fmt.Errorf("%w: token has no subject", domainerr.ErrUnauthenticated)
	}
	return &Principal{Claims: c, Token: token}, nil
}
