package auth

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// JWKS refresh policy: the key set is fetched in the background every
// jwksRefresh; a token with an unknown key id (a rotated key) fetches it again
// at most once per jwksUnknownKID, and a verification waits at most
// jwksWaitMax for that, so an identity provider that is down, or a flood of
// forged key ids, costs one bounded request per interval rather than one per
// token. A fetch gives up after jwksTimeout and keeps the keys it had.
const (
	jwksRefresh    = 15 * time.Minute
	jwksUnknownKID = 30 * time.Second
	jwksWaitMax    = 200 * time.Millisecond
	jwksTimeout    = 5 * time.Second
)

// JWKSVerifier verifies tokens against an external issuer's JWKS (production)
// with github.com/MicahParks/keyfunc: non-200 answers are errors, a key's
// "alg" must be the token's, keys meant for encryption ("use": "enc") are not
// used to verify, and refreshes are rate-limited. Roles, organisation and
// clusters are read from the claims Claims names (default: roles, org,
// clusters).
type JWKSVerifier struct {
	URL, Issuer, Audience string
	Claims                ClaimNames
	// Client fetches the key set (default: http.DefaultClient with jwksTimeout).
	Client *http.Client

	once sync.Once
	kf   keyfunc.Keyfunc
	err  error
}

// Verify implements Verifier.
func (v *JWKSVerifier) Verify(ctx context.Context, token string) (*Principal, error) {
	v.once.Do(v.init)
	if v.err != nil {
		return nil, fmt.Errorf("%w: key set %s: %v", domainerr.ErrUnauthenticated, v.URL, v.err)
	}
	return verifyMapped(token, v.Issuer, v.Audience, v.Claims, v.kf.KeyfuncCtx(ctx))
}

// init starts the key set's storage; its refresh goroutine lives as long as
// the process (a verifier is made once per process).
func (v *JWKSVerifier) init() {
	ctx := context.Background()
	store, err := jwkset.NewStorageFromHTTP(v.URL, jwkset.HTTPClientStorageOptions{
		Client:                    v.Client,
		Ctx:                       ctx,
		HTTPTimeout:               jwksTimeout,
		NoErrorReturnFirstHTTPReq: true, // start while the provider is down; retry on use
		RefreshInterval:           jwksRefresh,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			// The slog default logger is the process's JSON logger.
			slogWarn(ctx, "JWKS refresh failed; keeping the keys already fetched", "url", v.URL, "err", err)
		},
	})
	if err != nil {
		v.err = err
		return
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{v.URL: store},
		RateLimitWaitMax:  jwksWaitMax,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKID), 1),
	})
	if err != nil {
		v.err = err
		return
	}
	// A key without "use" may sign; one marked "enc" may not.
	v.kf, v.err = keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: client, UseWhitelist: []jwkset.USE{jwkset.UseSig, ""}})
}

// verifyMapped checks a token's signature (keyFunc), algorithm, issuer,
// audience and expiry, and reads its claims through names.
func verifyMapped(token, iss, aud string, names ClaimNames, keyFunc jwt.Keyfunc) (*Principal, error) {
	mc := jwt.MapClaims{}
	opts := []jwt.ParserOption{jwt.WithValidMethods(validMethods), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if iss != "" {
		opts = append(opts, jwt.WithIssuer(iss))
	}
	if aud != "" {
		opts = append(opts, jwt.WithAudience(aud))
	}
	if _, err := jwt.ParseWithClaims(token, mc, keyFunc, opts...); err != nil {
		return nil, fmt.Errorf("%w: %v", domainerr.ErrUnauthenticated, err)
	}
	c, err := names.Read(mc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", domainerr.ErrUnauthenticated, err)
	}
	if c.Subject == "" {
		return nil, fmt.Errorf("%w: token has no subject", domainerr.ErrUnauthenticated)
	}
	return &Principal{Claims: c, Token: token}, nil
}
