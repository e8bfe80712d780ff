package matching

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestReduceDropsOnlyWellDominated(t *testing.T) {
	// Ranks stand for id order: the dominators' ids come before W's.
	weak := cand{rank: 100, mask: 0b01, turn: 10, sim: 10, score: 100, clusters: 1}
	tests := []struct {
		name       string
		dominators int
		mask       uint64
		turn       int64
		score      int64
		clusters   uint64
		bonus      int64
		kept       bool
	}{
		{"limit reached", 14, 0b11, 20, 200, 1, 150, false},
		{"one short of the limit", 13, 0b11, 20, 200, 1, 150, true},
		{"equal values count, earlier ids first", 14, 0b01, 10, 100, 1, 0, false},
		{"other cluster, margin below the bonus", 14, 0b11, 20, 200, 2, 150, true},
		{"other cluster, margin above the bonus", 14, 0b11, 20, 300, 2, 150, false},
		{"other cluster, no bonus in play", 14, 0b11, 20, 101, 2, 0, false},
		{"less turnover", 14, 0b11, 9, 200, 1, 150, true},
		{"mask not a superset", 14, 0b10, 20, 200, 1, 150, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs []cand
			for i := range tt.dominators {
				cs = append(cs, cand{rank: int32(i), mask: tt.mask, turn: tt.turn, sim: 10, score: tt.score, clusters: tt.clusters})
			}
			cs = append(cs, weak)
			for i := range 5 { // weaker filler, so the pool is larger than the limit
				cs = append(cs, cand{rank: int32(200 + i), mask: 0b10, score: 1, clusters: 1})
			}
			sortByStrength(cs)
			out := reduce(cs, 2, tt.bonus, 14, newClock(context.Background(), time.Time{}))
			kept := slices.ContainsFunc(out, func(c cand) bool { return c.rank == 100 })
			if kept != tt.kept {
				t.Errorf("weak candidate kept = %v, want %v", kept, tt.kept)
			}
			if len(out) < tt.dominators {
				t.Errorf("only %d of %d candidates kept; undominated ones were dropped", len(out), len(cs))
			}
		})
	}
}

func TestBestSupersetMatchesScan(t *testing.T) {
	const nbits = 6
	var cs []cand
	for i := range 200 {
		// A fixed pseudo-random spread of masks and values.
		x := uint64(i)*2654435761 + 12345
		cs = append(cs, cand{rank: int32(i), mask: x % (1 << nbits), turn: int64(x>>8) % 1000, sim: int64(x>>16) % 1000, score: int64(x>>24) % 500})
	}
	sortByStrength(cs)
	s := newSearcher(cs, nbits, 1<<nbits-1, 1, 1, 0, 3, 1, newClock(context.Background(), time.Time{}))
	builtAt := uint64(0)
	for w := uint64(1); w < 1<<nbits; w++ {
		want := supersetBest{score: -1}
		var members []int32
		for p, c := range cs {
			if c.mask&w == w {
				want.score, want.turn, want.sim = max(want.score, c.score), max(want.turn, c.turn), max(want.sim, c.sim)
				members = append(members, int32(p))
			}
		}
		if got := s.bestSuperset(w); got != want {
			t.Errorf("bestSuperset(%06b) = %+v, want %+v (table built: %v)", w, got, want, s.sos.Load() != nil)
		}
		if got := s.supersetMembers(w); !slices.Equal(got, members) {
			t.Errorf("supersetMembers(%06b) = %v, want %v", w, got, members)
		}
		if s.sos.Load() != nil && builtAt == 0 {
			builtAt = w
		}
	}
	if builtAt == 0 || builtAt == 1 {
		t.Errorf("the table was built at w=%d; both the scan and the table should be exercised", builtAt)
	}
}

func TestPairsAllowIsNecessary(t *testing.T) {
	const nbits = 7
	var cs []cand
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 40 {
		// Masks of 1–4 bits, so many sets have no superset at all; coarse
		// amounts, so that sums often meet the thresholds exactly.
		var mask uint64
		for range 1 + rng.IntN(4) {
			mask |= 1 << rng.IntN(nbits)
		}
		cs = append(cs, cand{rank: int32(i), mask: mask, turn: int64(rng.IntN(10)) * 100, sim: int64(rng.IntN(10)) * 100, score: int64(rng.IntN(5)) * 100})
	}
	sortByStrength(cs)
	s := newSearcher(cs, nbits, 1<<nbits-1, 1500, 1500, 0, 3, 1, newClock(context.Background(), time.Time{}))
	s.inc = newIncumbent(1)
	rejected := 0
	for _, floor := range []int64{noFloor, 300, 700, 1000} {
		if floor != noFloor {
			s.inc.floor.Store(floor)
		}
		for w := uint64(1); w < 1<<nbits; w++ {
			for have := range 5 * 5 * 3 { // what the team has so far, on the amounts' grid
				turn, sim, score := int64(have%5)*300, int64(have/5%5)*300, int64(have/25)*300
				fits := false // some single candidate completes the team within the floor
				for _, c := range cs {
					if c.mask&w == w && turn+c.turn >= s.needTurn && sim+c.sim >= s.needSim && score+c.score >= s.floor() {
						fits = true
					}
				}
				allowed := s.pairsAllow(w, turn, sim, score)
				if fits && !allowed {
					t.Fatalf("pairsAllow(%07b, turn %d, sim %d, score %d, floor %d) = false, but a candidate fits", w, turn, sim, score, floor)
				}
				if !allowed {
					rejected++
				}
			}
		}
	}
	if rejected == 0 {
		t.Error("pairsAllow never rejected: the test does not exercise it")
	}
}
