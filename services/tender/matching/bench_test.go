package matching_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// BenchmarkRecommend measures the engine on seeded pools of the property test's
// shape; `make bench-match` is the full benchmark with its brute-force baseline.
func BenchmarkRecommend(b *testing.B) {
	for _, n := range []int{50, 150} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, uint64(n)))
			in := randomInstance(rng, n, 3, 10)
			b.ResetTimer()
			for range b.N {
				if _, err := matching.Recommend(context.Background(), in.req, in.pool, in.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheck measures one full eligibility check of a three-member team.
func BenchmarkCheck(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 3))
	in := randomInstance(rng, 3, 3, 1)
	team := eligibility.TeamOf(in.pool...)
	b.ResetTimer()
	for range b.N {
		_ = eligibility.Check(in.req, team, eligibility.Options{})
	}
}
