package auth

import (
	"context"
	"crypto/sha256"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultCacheSize is how many verified tokens a Cache keeps. A token is
// cached only once its signature, issuer, audience and expiry check out, so
// entries are real sessions, not whatever a caller sends: a few thousand
// covers every signed-in user of a deployment's clusters (about 70
// organisations per cluster) with room for the services' own tokens, at
// about 2 KB an entry (principal plus token), so a few megabytes at most.
// Past it the least recently used token is dropped and simply verified again.
const DefaultCacheSize = 4096

// DefaultCacheMaxAge bounds how long a verified token is trusted without
// being verified again, however distant its expiry: a change in what the
// wrapped verifier accepts (a rotated or withdrawn key in the identity
// provider's JWKS) reaches every token within this time.
const DefaultCacheMaxAge = 5 * time.Minute

// Cache is a Verifier that remembers verified tokens by their SHA-256 hash
// until they expire (or DefaultCacheMaxAge passes), so a caller with the same
// bearer token on every call pays for the signature check once. Tokens the
// wrapped verifier rejects are never cached: each is verified, and rejected,
// every time. Safe for concurrent use.
type Cache struct {
	next    Verifier
	entries *lru.Cache[[sha256.Size]byte, cached]
	maxAge  time.Duration
	now     func() time.Time
}

// cached is a verified token's principal and the time it stops being trusted.
type cached struct {
	p     *Principal
	until time.Time
}

// NewCache wraps v with a cache of at most size tokens (DefaultCacheSize when
// size ≤ 0). Wrapping a Cache returns it unchanged.
func NewCache(v Verifier, size int) *Cache {
	if c, ok := v.(*Cache); ok {
		return c
	}
	if size <= 0 {
		size = DefaultCacheSize
	}
	entries, _ := lru.New[[sha256.Size]byte, cached](size) // fails only for size ≤ 0
	return &Cache{next: v, entries: entries, maxAge: DefaultCacheMaxAge, now: time.Now}
}

// Verify implements Verifier.
func (c *Cache) Verify(ctx context.Context, token string) (*Principal, error) {
	key := sha256.Sum256([]byte(token))
	now := c.now()
	if e, ok := c.entries.Get(key); ok {
		if now.Before(e.until) {
			return e.p.clone(), nil
		}
		c.entries.Remove(key)
	}
	p, err := c.next.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	// Trusted until the token's own expiry (without the verifier's leeway, so
	// a cached token is never accepted longer than the verifier would accept it).
	until := now.Add(c.maxAge)
	if p.ExpiresAt == nil {
		return p, nil // the verifiers require an expiry; without one, nothing to cache until
	}
	if exp := p.ExpiresAt.Time; exp.Before(until) {
		until = exp
	}
	if now.Before(until) {
		c.entries.Add(key, cached{p: p.clone(), until: until})
	}
	return p, nil
}

// Len is the number of tokens cached (tests).
func (c *Cache) Len() int { return c.entries.Len() }

// clone copies p so that no caller can change what the cache hands to the next.
func (p *Principal) clone() *Principal {
	q := *p
	q.Roles = slices.Clone(p.Roles)
	q.Clusters = slices.Clone(p.Clusters)
	q.Audience = slices.Clone(p.Audience)
	return &q
}
