package main

import (
	"slices"
	"sort"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// ranked is a team as the oracle and the comparison see it.
type ranked struct {
	ids   []string // sorted
	score int64
}

// bruteForce returns the top K teams of at most k members by enumerating every
// subset, with no pruning: the baseline the engine is measured against. Per
// company facts come from eligibility.Assess and member scores from
// matching.ScoreTeam, so it checks the search, not the rules (the engine
// verifies each team with eligibility.Check itself). The only shortcut: sizes
// after the first one at which K teams are known are skipped, since every
// larger team ranks after them.
func bruteForce(req eligibility.Requirements, pool []eligibility.Company, k, topK int, shared []string) []ranked {
	if req.MaxMembers > 0 && req.MaxMembers < k {
		k = req.MaxMembers
	}
	needTurn, needSim := req.EconomicThreshold(), req.TechnicalThreshold()
	clusterBit := make(map[string]uint64)
	for _, c := range shared {
		if _, ok := clusterBit[c]; !ok {
			clusterBit[c] = 1 << uint(len(clusterBit))
		}
	}
	type fact struct {
		id                string
		mask, clusters    uint64
		turn, sim, points int64
	}
	var facts []fact
	for _, c := range pool {
		if !c.Active {
			continue
		}
		st := eligibility.Assess(req, c)
		if !req.Accumulation && (st.Turnover.Cents < needTurn || st.Similar.Cents < needSim) {
			continue
		}
		f := fact{id: c.ID, turn: st.Turnover.Cents, sim: st.Similar.Cents}
		bit := 0
		for _, ok := range st.Capabilities {
			if ok {
				f.mask |= 1 << uint(bit)
			}
			bit++
		}
		for _, cs := range st.Certifications {
			if cs.OK() {
				f.mask |= 1 << uint(bit)
			}
			bit++
		}
		for _, cl := range c.Clusters {
			f.clusters |= clusterBit[cl]
		}
		f.points = matching.ScoreTeam(req, []eligibility.Company{c}, shared).Members[0].Total
		facts = append(facts, f)
	}
	nbits := len(req.Capabilities) + len(req.Certifications)
	full := uint64(1)<<uint(nbits) - 1
	if !req.Accumulation {
		needTurn, needSim = 0, 0
	}
	bonusApplies := len(clusterBit) >= 2
	var out []ranked
	chosen := make([]int, 0, k)
	for size := 1; size <= k && len(out) < topK; size++ {
		var best []ranked
		var rec func(start int, mask uint64, turn, sim, points int64)
		rec = func(start int, mask uint64, turn, sim, points int64) {
			if len(chosen) == size {
				if mask != full || turn < needTurn || sim < needSim {
					return
				}
				common := ^uint64(0)
				for _, i := range chosen {
					common &= facts[i].clusters
				}
				if bonusApplies && size >= 2 && common == 0 {
					points += 150
				}
				r := ranked{score: points}
				for _, i := range chosen {
					r.ids = append(r.ids, facts[i].id)
				}
				sort.Strings(r.ids)
				best = insertRanked(best, r, topK-len(out))
				return
			}
			for i := start; i < len(facts); i++ {
				chosen = append(chosen, i)
				f := &facts[i]
				rec(i+1, mask|f.mask, turn+f.turn, sim+f.sim, points+f.points)
				chosen = chosen[:len(chosen)-1]
			}
		}
		rec(0, 0, 0, 0, 0)
		out = append(out, best...)
	}
	return out
}

// insertRanked inserts r into best (ordered best first) and keeps at most limit.
func insertRanked(best []ranked, r ranked, limit int) []ranked {
	i := sort.Search(len(best), func(i int) bool { return rankedBefore(r, best[i]) })
	if i >= limit {
		return best
	}
	best = slices.Insert(best, i, r)
	if len(best) > limit {
		best = best[:limit]
	}
	return best
}

// rankedBefore orders teams of one size: higher score, then smaller sorted ids.
func rankedBefore(a, b ranked) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return slices.Compare(a.ids, b.ids) < 0
}

// sameRanking reports whether the engine's teams equal the oracle's, in order.
func sameRanking(res matching.Result, want []ranked) bool {
	if len(res.Teams) != len(want) {
		return false
	}
	for i, rec := range res.Teams {
		ids := make([]string, len(rec.Team.Members))
		for j, m := range rec.Team.Members {
			ids[j] = m.Company.ID
		}
		sort.Strings(ids)
		if rec.Score.Total != want[i].score || !slices.Equal(ids, want[i].ids) {
			return false
		}
	}
	return true
}
