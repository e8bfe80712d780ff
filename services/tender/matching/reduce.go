package matching

// dominanceScanLimit bounds how many possible dominators are examined per
// candidate. Reaching it only keeps a candidate that might have been dropped:
// the reduction stays exact, just less thorough.
const dominanceScanLimit = 256

// reduce drops the candidates that cannot belong to any top-K team and returns
// the others, still in strength order. cands must be in strength order (score
// descending, then id), which the argument below relies on.
//
// Candidate j dominates candidate i when
//
//   - mask(j) ⊇ mask(i), turn(j) ≥ turn(i) and sim(j) ≥ sim(i) (amounts as
//     the search sees them: capped at the thresholds, zero when they play no
//     part), and
//   - either j and i belong to the same shared clusters and j comes before i
//     in strength order (score(j) > score(i), or equal with id(j) < id(i)),
//     or score(j) − bonus comes before score(i) in the same sense.
//
// Why dropping every candidate with at least limit = K+k−1 dominators keeps
// the exact top K: let T be a feasible team of size s ≤ k containing such an
// i. T holds at most s−1 ≤ k−1 dominators of i, so at least K dominators j
// are outside T. Each T_j = T − i + j is a team of the same size, and it is
// feasible: its mask union still covers everything (mask(j) ⊇ mask(i)) and its
// accumulated turnover and similar-reference value do not decrease (when
// accumulation is forbidden every candidate is already solvent alone). T_j
// also ranks strictly before T: with the same clusters the bonus is unchanged
// and score(T_j) − score(T) = score(j) − score(i) ≥ 0; otherwise the bonus
// changes by at most bonus, which score(j) − score(i) covers. When the scores
// end up equal, id(j) < id(i) makes the sorted id list of T_j
// lexicographically smaller (at the first place the lists differ, T_j has j
// where T has something larger). So at least K distinct feasible teams rank
// before T, and T is not in the top K. As this holds for every team
// containing any dropped candidate, all dropped at once lose nothing, and the
// top K of the reduced pool equals that of the full pool.
func reduce(cands []cand, nbits int, bonus int64, limit int, clk clock) []cand {
	n := len(cands)
	if n <= limit {
		return cands
	}
	// Dominators of i satisfy every bit of i; scanning the coverers of i's
	// rarest bit (or every candidate when i satisfies nothing) finds them all.
	coverers := coverersOf(cands, nbits)
	masks := coverMasksOf(cands, coverers)
	keep := make([]bool, n)
	forChunks(n, func(lo, hi int) {
		expired := false
		for i := lo; i < hi; i++ {
			if (i-lo)%1024 == 0 && !expired {
				expired = clk.expired()
			}
			// Out of time: keep the rest unexamined (still exact).
			keep[i] = expired || dominators(cands, coverers, masks, i, bonus, limit) < limit
		}
	})
	out := make([]cand, 0, n)
	for i, c := range cands {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out
}

// dominators counts the dominators of cands[i], stopping at limit or after
// dominanceScanLimit candidates examined.
func dominators(cands []cand, coverers [][]int32, masks [][]uint64, i int, bonus int64, limit int) int {
	me := &cands[i]
	var list []int32
	var listMasks []uint64
	if me.mask != 0 {
		rarest := -1
		for b := range coverers {
			if me.mask&(1<<uint(b)) != 0 && (rarest < 0 || len(coverers[b]) < len(coverers[rarest])) {
				rarest = b
			}
		}
		list, listMasks = coverers[rarest], masks[rarest]
	}
	count, examined := 0, 0
	for x := 0; ; x++ {
		j := x
		if list != nil {
			if x >= len(list) {
				return count
			}
			j = int(list[x])
		}
		if j >= i {
			return count // only candidates before i in strength order can dominate it
		}
		examined++
		if examined > dominanceScanLimit {
			return count
		}
		if list != nil && listMasks[x]&me.mask != me.mask {
			continue // tested without touching cands[j]
		}
		o := &cands[j]
		if o.mask&me.mask != me.mask || o.turn < me.turn || o.sim < me.sim {
			continue
		}
		if bonus > 0 && o.clusters != me.clusters && !beforeWithBonus(o, me, bonus) {
			continue
		}
		count++
		if count >= limit {
			return count
		}
	}
}

// beforeWithBonus reports whether score(o) − bonus still comes before score(me)
// in strength order.
func beforeWithBonus(o, me *cand, bonus int64) bool {
	if o.score-bonus != me.score {
		return o.score-bonus > me.score
	}
	return o.rank < me.rank
}
