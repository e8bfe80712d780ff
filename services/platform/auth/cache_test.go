package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// countingVerifier counts the calls that reach the real verifier.
type countingVerifier struct {
	next  auth.Verifier
	calls atomic.Int64
}

func (v *countingVerifier) Verify(ctx context.Context, token string) (*auth.Principal, error) {
	v.calls.Add(1)
	return v.next.Verify(ctx, token)
}

func TestCacheVerifiesEachTokenOnce(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	real := &countingVerifier{next: iss.Verifier()}
	c := auth.NewCache(real, 0)
	ana, _ := iss.Issue(claims("ana", auth.RoleClusterManager), time.Hour)
	luis, _ := iss.Issue(claims("luis", auth.RoleCompany), time.Hour)
	for range 3 {
		for _, tc := range []struct{ tok, sub string }{{ana, "ana"}, {luis, "luis"}} {
			p, err := c.Verify(t.Context(), tc.tok)
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != tc.sub || p.Token != tc.tok {
				t.Fatalf("principal = %s (token %q…), want %s", p.Subject, p.Token[:10], tc.sub)
			}
		}
	}
	if got := real.calls.Load(); got != 2 {
		t.Errorf("the real verifier ran %d times for 2 tokens verified 3 times each, want 2", got)
	}
	if auth.NewCache(c, 10) != c {
		t.Error("wrapping a cache again made a second cache")
	}
}

func TestCacheNeverKeepsRejectedTokens(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	other := newIssuer(t, "test-issuer")
	real := &countingVerifier{next: iss.Verifier()}
	c := auth.NewCache(real, 0)
	foreign, _ := other.Issue(claims("ana"), time.Hour)
	expired, _ := iss.Issue(claims("ana"), -time.Hour)
	for _, tok := range []string{foreign, expired, "not-a-jwt", foreign, expired, "not-a-jwt"} {
		if _, err := c.Verify(t.Context(), tok); !errors.Is(err, domainerr.ErrUnauthenticated) {
			t.Errorf("err = %v, want ErrUnauthenticated", err)
		}
	}
	if got := real.calls.Load(); got != 6 {
		t.Errorf("the real verifier ran %d times for 6 rejected verifications, want 6 (a rejection must never be cached)", got)
	}
	if c.Len() != 0 {
		t.Errorf("%d rejected tokens cached", c.Len())
	}
}

func TestCacheTrustsUntilExpiryOrMaxAge(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	real := &countingVerifier{next: iss.Verifier()}
	c := auth.NewCache(real, 0)
	now := time.Now()
	auth.SetCacheClock(c, func() time.Time { return now })

	short, _ := iss.Issue(claims("ana"), 2*time.Minute) // expires before the cache's max age
	long, _ := iss.Issue(claims("luis"), 24*time.Hour)  // outlives it
	verify := func(tok string, wantCalls int64, when string) {
		t.Helper()
		if _, err := c.Verify(t.Context(), tok); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if got := real.calls.Load(); got != wantCalls {
			t.Fatalf("%s: the real verifier has run %d times, want %d", when, got, wantCalls)
		}
	}
	verify(short, 1, "first use")
	verify(long, 2, "first use of the long token")
	now = now.Add(time.Minute)
	verify(short, 2, "a minute later, before expiry")
	verify(long, 2, "a minute later")
	now = now.Add(90 * time.Second)                    // past the short token's expiry
	verify(short, 3, "after the short token's expiry") // the real verifier decides (its clock, its leeway)
	verify(long, 3, "2.5 minutes after the first use")
	now = now.Add(3 * time.Minute) // past the max age of the long token's entry
	verify(long, 4, "past the cache's max age")
	verify(long, 4, "just verified again")
}

func TestCacheIsBounded(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	real := &countingVerifier{next: iss.Verifier()}
	c := auth.NewCache(real, 2)
	var toks []string
	for i := range 3 {
		tok, _ := iss.Issue(claims(fmt.Sprint("user", i)), time.Hour)
		toks = append(toks, tok)
		if _, err := c.Verify(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 2 {
		t.Errorf("cache holds %d tokens, bound is 2", c.Len())
	}
	// The least recently used (the first) was dropped: verified again.
	if _, err := c.Verify(t.Context(), toks[0]); err != nil {
		t.Fatal(err)
	}
	if got := real.calls.Load(); got != 4 {
		t.Errorf("real verifier ran %d times, want 4", got)
	}
}

func TestCacheHandsOutCopies(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	c := auth.NewCache(iss.Verifier(), 0)
	tok, _ := iss.Issue(claims("ana", auth.RoleCompany), time.Hour)
	first, err := c.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	first.Roles[0] = auth.RoleAdmin // a careless caller
	first.Clusters = append(first.Clusters[:0], "c-other")
	second, err := c.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if second.Has(auth.RoleAdmin) || !second.Has(auth.RoleCompany) || second.Clusters[0] != "c-1" {
		t.Errorf("a change to one caller's principal reached the next: %+v", second.Claims)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	iss := newIssuer(t, "test-issuer")
	real := &countingVerifier{next: iss.Verifier()}
	c := auth.NewCache(real, 3) // smaller than the tokens in use: eviction under contention too
	var toks []string
	for i := range 5 {
		tok, _ := iss.Issue(claims(fmt.Sprint("user", i)), time.Hour)
		toks = append(toks, tok)
	}
	bad, _ := newIssuer(t, "test-issuer").Issue(claims("mallory"), time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				j := (g + i) % len(toks)
				p, err := c.Verify(context.Background(), toks[j])
				if err != nil || p.Subject != fmt.Sprint("user", j) {
					t.Errorf("token %d: %v, %v", j, p, err)
					return
				}
				if _, err := c.Verify(context.Background(), bad); err == nil {
					t.Error("a foreign token was accepted")
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 3 {
		t.Errorf("cache holds %d tokens, bound is 3", c.Len())
	}
}
