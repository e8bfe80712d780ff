package matching

import (
	"cmp"
	"math/bits"
	"slices"
	"sort"
)

// team is a complete feasible team found by the search.
type team struct {
	members []int32 // positions in searcher.cands, ascending
	ranks   []int32 // the members' ranks in id order, sorted: the ranking's tie-break
	score   int64   // including the inter-cluster bonus
}

// better reports whether a ranks before b among teams of the same size:
// higher score, then the lexicographically smaller sorted id list (ranks
// follow id order, so comparing sorted ranks compares sorted ids).
func better(a, b team) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return slices.Compare(a.ranks, b.ranks) < 0
}

// clockEvery is how many nodes pass between two looks at the clock.
const clockEvery = 1024

// searcher finds the best teams of one size at a time by branch and bound.
//
// Teams are enumerated canonically so each is met once: at a node with
// uncovered requirements the search branches on one uncovered bit r (the one
// with the fewest coverers that could still keep the team solvent, see
// branch); child i adds the i-th of those coverers and excludes ("bans") the
// ones tried before it from its subtree, so a team is found under its first
// coverer of r only. Once everything is covered, the remaining slots are
// filled with subsets in increasing position order (pad, padLast). Positions
// are in strength order (score descending), so good teams come first and the
// K-th best score rises fast.
//
// Pruning uses upper bounds only, so it never loses a team that could make
// the top K: the sums of the best remaining scores, turnovers and similar
// values; the best single candidate (bestSuperset) or pair (bestPair) that
// could cover what is left; and, while the K-th best is unknown, nothing but
// feasibility.
type searcher struct {
	cands       []cand             // strength order
	full        uint64             // all requirement bits
	needTurn    int64              // accumulated turnover needed (0: no constraint)
	needSim     int64              // accumulated similar-reference value needed (0: no constraint)
	bonus       int64              // the most the inter-cluster bonus can add (0 when it does not apply)
	coverers    [][]int32          // per bit: positions of the candidates satisfying it, ascending
	rarity      []uint             // bits, fewest coverers first
	maxPop      int                // most bits any candidate satisfies
	prefixScore []int64            // prefixScore[p] = sum of the scores at positions < p
	topTurn     []int64            // topTurn[q] = the q largest turnovers summed
	topSim      []int64            // topSim[q] = the q largest similar values summed
	sufTurn     [][]int64          // sufTurn[q][p] = the q largest turnovers at positions ≥ p, summed
	sufSim      [][]int64          // sufSim[q][p], likewise for similar references
	bySim       []int32            // positions by similar value, descending (when needSim > 0)
	simDesc     []int64            // the similar values in bySim's order
	byTurn      []int32            // positions by turnover, descending (when needTurn > 0)
	turnDesc    []int64            // the turnovers in byTurn's order
	covBySim    [][]int32          // per bit: its coverers by similar value, descending (when needSim > 0)
	covSimVals  [][]int64          // the similar values in covBySim's order
	covByTurn   [][]int32          // per bit: its coverers by turnover, descending (when needTurn > 0)
	covTurnVals [][]int64          // the turnovers in covByTurn's order
	memo        map[uint64][]int32 // supersetMembers' answers
	memoSize    int
	bestMemo    map[uint64]supersetBest // bestSuperset's answers, until sos is built
	pairMemo    map[uint64]supersetBest // bestPair's answers
	scanned     int64                   // positions scanned by bestSuperset
	sos         []supersetBest          // every bestSuperset answer, once built

	banned []bool  // chosen or excluded in the current subtree
	excl   []int32 // excluded positions, a stack undone on the way back
	chosen []int32 // the partial team

	k     int    // the largest team size
	size  int    // the team size being searched
	need  int    // how many teams of this size can still make the top K
	best  []team // the best teams of this size so far, best first, at most need
	nodes int64
	clock clock

	stopped bool // the time budget ran out
}

// supersetBest is the most that one candidate whose mask contains a given set
// of bits can bring, each value on its own.
type supersetBest struct {
	score, turn, sim int64 // score −1: no candidate
}

// memoLimit caps the positions kept in the superset memo (int32s); past it the memo is cleared.
const memoLimit = 1 << 23

// newSearcher prepares the search over candidates in strength order.
func newSearcher(cands []cand, nbits int, full uint64, needTurn, needSim, bonus int64, k int, clk clock) *searcher {
	n := len(cands)
	s := &searcher{
		cands:    cands,
		full:     full,
		needTurn: needTurn,
		needSim:  needSim,
		bonus:    bonus,
		coverers: coverersOf(cands, nbits),
		memo:     make(map[uint64][]int32),
		bestMemo: make(map[uint64]supersetBest),
		pairMemo: make(map[uint64]supersetBest),
		banned:   make([]bool, n),
		k:        k,
		clock:    clk,
	}
	for _, c := range cands {
		s.maxPop = max(s.maxPop, popcount(c.mask))
	}
	s.rarity = make([]uint, nbits)
	for b := range s.rarity {
		s.rarity[b] = uint(b)
	}
	sort.SliceStable(s.rarity, func(i, j int) bool {
		return len(s.coverers[s.rarity[i]]) < len(s.coverers[s.rarity[j]])
	})
	s.prefixScore = make([]int64, n+1)
	for p, c := range cands {
		s.prefixScore[p+1] = s.prefixScore[p] + c.score
	}
	s.topTurn, s.sufTurn = topSums(cands, k, needTurn > 0, func(c *cand) int64 { return c.turn })
	s.topSim, s.sufSim = topSums(cands, k, needSim > 0, func(c *cand) int64 { return c.sim })
	if needTurn > 0 {
		s.byTurn, s.turnDesc, s.covByTurn, s.covTurnVals = byValue(cands, nbits, func(c *cand) int64 { return c.turn })
	}
	if needSim > 0 {
		s.bySim, s.simDesc, s.covBySim, s.covSimVals = byValue(cands, nbits, func(c *cand) int64 { return c.sim })
	}
	return s
}

// topSums returns, for q = 0..k, the sum of the q largest values overall and,
// when suffix is true, at every position p the sum of the q largest values at
// positions ≥ p (sums past the end count missing values as 0).
func topSums(cands []cand, k int, suffix bool, value func(*cand) int64) ([]int64, [][]int64) {
	n := len(cands)
	top := make([]int64, k+1)
	if !suffix {
		return top, nil
	}
	suf := make([][]int64, k+1)
	for q := range suf {
		suf[q] = make([]int64, n+1)
	}
	largest := make([]int64, 0, k) // descending
	for p := n - 1; p >= 0; p-- {
		v := value(&cands[p])
		i := sort.Search(len(largest), func(i int) bool { return largest[i] < v })
		if i < k {
			if len(largest) < k {
				largest = append(largest, 0)
			}
			copy(largest[i+1:], largest[i:len(largest)-1])
			largest[i] = v
		}
		var sum int64
		for q := 1; q <= k; q++ {
			if q <= len(largest) {
				sum += largest[q-1]
			}
			suf[q][p] = sum
		}
	}
	for q := 0; q <= k; q++ {
		top[q] = suf[q][0]
	}
	return top, suf
}

// run searches sizes 1, 2, … k and returns up to topK teams, best first.
// Every team of size s ranks before every team of size s+1, so the search
// stops at the first size where the top K is complete.
func (s *searcher) run(topK int) []team {
	var out []team
	for size := 1; size <= s.k && size <= len(s.cands) && len(out) < topK; size++ {
		s.size = size
		s.need = topK - len(out)
		s.best = s.best[:0]
		s.grow(s.full, 0, 0, 0)
		out = append(out, s.best...)
		s.best = nil
		if s.stopped {
			break
		}
	}
	return out
}

// tick counts a node and reports whether the search must stop.
func (s *searcher) tick() bool {
	s.nodes++
	if s.nodes%clockEvery == 0 && !s.stopped && s.clock.expired() {
		s.stopped = true
	}
	return s.stopped
}

// heapFull reports whether the K-th best team of this size is known, so scores can prune.
func (s *searcher) heapFull() bool { return len(s.best) >= s.need }

// worst is the score of the K-th best team so far (valid when heapFull).
func (s *searcher) worst() int64 { return s.best[len(s.best)-1].score }

// rarest returns the bit of missing with the fewest coverers.
func (s *searcher) rarest(missing uint64) uint {
	for _, b := range s.rarity {
		if missing&(1<<b) != 0 {
			return b
		}
	}
	panic("matching: rarest called without missing bits")
}

// ban excludes position p from the rest of the current subtree.
func (s *searcher) ban(p int32) {
	s.banned[p] = true
	s.excl = append(s.excl, p)
}

// unbanTo undoes the exclusions made since the stack had length mark.
func (s *searcher) unbanTo(mark int) {
	for _, p := range s.excl[mark:] {
		s.banned[p] = false
	}
	s.excl = s.excl[:mark]
}

// grow extends the partial team (s.chosen) that leaves missing uncovered, with
// the given sums, towards s.size members.
func (s *searcher) grow(missing uint64, turn, sim, score int64) {
	if s.tick() {
		return
	}
	q := s.size - len(s.chosen) // slots left, ≥ 1
	if missing == 0 {
		if q == 1 {
			s.padLast(0, turn, sim, score)
		} else {
			s.pad(0, q, turn, sim, score)
		}
		return
	}
	if q == 1 {
		s.last(missing, turn, sim, score)
		return
	}
	// A child needs at least these amounts for the team to stay solvent even
	// if the other q−1 members are the richest candidates overall.
	minTurn := s.needTurn - turn - s.topTurn[q-1]
	minSim := s.needSim - sim - s.topSim[q-1]
	children, byScore := s.branch(missing, minTurn, minSim)
	mark := len(s.excl)
	defer s.unbanTo(mark)
	for _, p := range children {
		if s.stopped {
			return
		}
		if s.banned[p] {
			continue
		}
		c := &s.cands[p]
		// No team here beats c plus the q−1 best scores overall; in score
		// order, once that is below the K-th best, so is every later child.
		if s.heapFull() && score+c.score+s.prefixScore[q-1]+s.bonus < s.worst() {
			if byScore {
				return
			}
			s.ban(p) // no team here with p can make the top K
			continue
		}
		// From here on p is excluded from its later siblings' subtrees, whether
		// its own subtree is searched or pruned.
		s.ban(p)
		if c.turn < minTurn || c.sim < minSim {
			continue
		}
		left := missing &^ c.mask
		if left != 0 && !s.canFinish(left, q-1, turn+c.turn, sim+c.sim, score+c.score) {
			continue
		}
		s.chosen = append(s.chosen, p)
		s.grow(left, turn+c.turn, sim+c.sim, score+c.score)
		s.chosen = s.chosen[:len(s.chosen)-1]
	}
}

// branch picks the uncovered bit to branch on and the children to try: every
// feasible team extending the current one contains a coverer of each
// uncovered bit with at least minTurn turnover and minSim similar value (or it
// cannot be solvent), so any such list of coverers is complete. It returns
// the shortest one, and whether it is in score order (otherwise in turnover
// or similar-value order). Coverers that are left out can be in no feasible
// team here, so leaving them unbanned cannot produce a team twice.
func (s *searcher) branch(missing uint64, minTurn, minSim int64) ([]int32, bool) {
	if minTurn <= 0 && minSim <= 0 {
		return s.coverers[s.rarest(missing)], true
	}
	var best []int32
	byScore, found := true, false
	for _, b := range s.rarity {
		if missing&(1<<b) == 0 {
			continue
		}
		list, ordered := s.coverers[b], true
		if minSim > 0 {
			if n := countAtLeast(s.covSimVals[b], minSim); n < len(list) {
				list, ordered = s.covBySim[b][:n], false
			}
		}
		if minTurn > 0 {
			if n := countAtLeast(s.covTurnVals[b], minTurn); n < len(list) {
				list, ordered = s.covByTurn[b][:n], false
			}
		}
		if !found || len(list) < len(best) {
			best, byScore, found = list, ordered, true
		}
		if len(best) == 0 {
			break
		}
	}
	return best, byScore
}

// countAtLeast returns how many of the descending values are ≥ v (a binary
// search written out: it runs at every node).
func countAtLeast(desc []int64, v int64) int {
	lo, hi := 0, len(desc)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if desc[mid] >= v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// canFinish is a cheap test that slots more members could still cover left
// (non-empty) and, once the K-th best is known, beat it.
func (s *searcher) canFinish(left uint64, slots int, turn, sim, score int64) bool {
	if popcount(left) > slots*s.maxPop {
		return false
	}
	if slots == 1 {
		a := s.bestSuperset(left)
		if a.score < 0 || turn+a.turn < s.needTurn || sim+a.sim < s.needSim {
			return false
		}
		return !s.heapFull() || score+a.score+s.bonus >= s.worst()
	}
	if slots == 2 && s.sos != nil { // without the table, pairs cost too many scans
		a := s.bestPair(left)
		if a.score < 0 || turn+a.turn < s.needTurn || sim+a.sim < s.needSim {
			return false
		}
		return !s.heapFull() || score+a.score+s.bonus >= s.worst()
	}
	// Some remaining member covers the rarest missing bit; the others are at
	// best the strongest candidates overall.
	r := s.rarest(left)
	if len(s.coverers[r]) == 0 {
		return false
	}
	return !s.heapFull() || score+s.cands[s.coverers[r][0]].score+s.prefixScore[slots-1]+s.bonus >= s.worst()
}

// last completes the team with one member that satisfies every missing bit.
func (s *searcher) last(missing uint64, turn, sim, score int64) {
	a := s.bestSuperset(missing)
	if a.score < 0 || turn+a.turn < s.needTurn || sim+a.sim < s.needSim {
		return
	}
	for _, p := range s.supersetMembers(missing) {
		if s.tick() {
			return
		}
		if s.banned[p] {
			continue
		}
		c := &s.cands[p]
		if s.heapFull() && score+c.score+s.bonus < s.worst() {
			return // members are in descending score
		}
		if turn+c.turn < s.needTurn || sim+c.sim < s.needSim {
			continue
		}
		s.leaf(p, score+c.score)
	}
}

// pad completes a team that already covers every requirement with q ≥ 2 more
// members at positions ≥ start, in increasing position order.
func (s *searcher) pad(start, q int, turn, sim, score int64) {
	n := len(s.cands)
	for p := start; p <= n-q; p++ {
		if s.tick() {
			return
		}
		// Positions ≥ p cannot do better than the q best values among them.
		if s.needTurn > 0 && turn+s.sufTurn[q][p] < s.needTurn {
			return
		}
		if s.needSim > 0 && sim+s.sufSim[q][p] < s.needSim {
			return
		}
		if s.heapFull() && score+s.prefixScore[p+q]-s.prefixScore[p]+s.bonus < s.worst() {
			return
		}
		if s.banned[p] {
			continue
		}
		c := &s.cands[p]
		if s.needTurn > 0 && turn+c.turn+s.sufTurn[q-1][p+1] < s.needTurn {
			continue
		}
		if s.needSim > 0 && sim+c.sim+s.sufSim[q-1][p+1] < s.needSim {
			continue
		}
		s.chosen = append(s.chosen, int32(p))
		if q == 2 {
			s.padLast(p+1, turn+c.turn, sim+c.sim, score+c.score)
		} else {
			s.pad(p+1, q-1, turn+c.turn, sim+c.sim, score+c.score)
		}
		s.chosen = s.chosen[:len(s.chosen)-1]
	}
}

// padLast completes a team that covers every requirement with one member at a
// position ≥ start. The candidates are enumerated from the shortest of three
// lists: positions in score order while the score can still reach the K-th
// best, the candidates with enough similar references to close the gap, or
// those with enough turnover.
func (s *searcher) padLast(start int, turn, sim, score int64) {
	n := len(s.cands)
	end := n
	if s.heapFull() {
		floor := s.worst() - score - s.bonus // a member scoring less cannot make the top K
		end = start + sort.Search(n-start, func(i int) bool { return s.cands[start+i].score < floor })
	}
	shortest := end - start
	var list []int32
	if gap := s.needSim - sim; gap > 0 {
		if cnt := countAtLeast(s.simDesc, gap); cnt < shortest {
			shortest, list = cnt, s.bySim[:cnt]
		}
	}
	if gap := s.needTurn - turn; gap > 0 {
		if cnt := countAtLeast(s.turnDesc, gap); cnt < shortest {
			list = s.byTurn[:cnt]
		}
	}
	if list == nil {
		for p := start; p < end; p++ {
			if s.tick() {
				return
			}
			if s.banned[p] {
				continue
			}
			if c := &s.cands[p]; turn+c.turn >= s.needTurn && sim+c.sim >= s.needSim {
				s.leaf(int32(p), score+c.score)
			}
		}
		return
	}
	for _, p := range list {
		if s.tick() {
			return
		}
		if int(p) < start || s.banned[p] {
			continue
		}
		c := &s.cands[p]
		if turn+c.turn < s.needTurn || sim+c.sim < s.needSim {
			continue
		}
		if s.heapFull() && score+c.score+s.bonus < s.worst() {
			continue
		}
		s.leaf(p, score+c.score)
	}
}

// byValue orders the positions by value, descending (ties by position), with
// the values in that order for counting by binary search; and the same per
// requirement bit, for the coverers of that bit.
func byValue(cands []cand, nbits int, value func(*cand) int64) (order []int32, vals []int64, bitOrder [][]int32, bitVals [][]int64) {
	type pv struct {
		p int32
		v int64
	}
	pvs := make([]pv, len(cands))
	for i := range cands {
		pvs[i] = pv{int32(i), value(&cands[i])}
	}
	slices.SortFunc(pvs, func(a, b pv) int {
		if a.v != b.v {
			return cmp.Compare(b.v, a.v)
		}
		return cmp.Compare(a.p, b.p)
	})
	order, vals = make([]int32, len(pvs)), make([]int64, len(pvs))
	bitOrder, bitVals = make([][]int32, nbits), make([][]int64, nbits)
	for b, n := range bitCounts(cands, nbits) {
		bitOrder[b], bitVals[b] = make([]int32, 0, n), make([]int64, 0, n)
	}
	for i, x := range pvs {
		order[i], vals[i] = x.p, x.v
		for m := cands[x.p].mask; m != 0; m &= m - 1 {
			b := bits.TrailingZeros64(m)
			bitOrder[b] = append(bitOrder[b], x.p)
			bitVals[b] = append(bitVals[b], x.v)
		}
	}
	return order, vals, bitOrder, bitVals
}

// leaf offers the complete team s.chosen + p, whose members' scores sum to score.
func (s *searcher) leaf(p int32, score int64) {
	if s.bonus > 0 && len(s.chosen) > 0 {
		common, union := s.cands[p].clusters, s.cands[p].clusters
		for _, m := range s.chosen {
			common &= s.cands[m].clusters
			union |= s.cands[m].clusters
		}
		if spansClusters(common, union) {
			score += s.bonus
		}
	}
	if s.heapFull() && score < s.worst() {
		return
	}
	members := make([]int32, 0, len(s.chosen)+1)
	members = append(members, s.chosen...)
	members = append(members, p)
	slices.Sort(members)
	ranks := make([]int32, len(members))
	for i, m := range members {
		ranks[i] = s.cands[m].rank
	}
	slices.Sort(ranks)
	t := team{members: members, ranks: ranks, score: score}
	if s.heapFull() && !better(t, s.best[len(s.best)-1]) {
		return
	}
	i := sort.Search(len(s.best), func(i int) bool { return better(t, s.best[i]) })
	s.best = append(s.best, team{})
	copy(s.best[i+1:], s.best[i:])
	s.best[i] = t
	if len(s.best) > s.need {
		s.best = s.best[:s.need]
	}
}

// supersetMembers returns the candidates whose mask contains w (non-empty),
// in strength order, memoised.
func (s *searcher) supersetMembers(w uint64) []int32 {
	if list, ok := s.memo[w]; ok {
		return list
	}
	list := s.coverers[s.rarest(w)]
	if popcount(w) > 1 {
		var members []int32
		for _, p := range list {
			if s.cands[p].mask&w == w {
				members = append(members, p)
			}
		}
		list = members
	} // else every coverer of the single bit qualifies: share its slice
	if s.memoSize+len(list) > memoLimit {
		clear(s.memo)
		s.memoSize = 0
	}
	s.memo[w] = list
	s.memoSize += len(list)
	return list
}

// bestSuperset returns the most score, turnover and similar value (each on
// its own) of a candidate whose mask contains w (non-empty); score is −1 when
// there is none. Answers are memoised; once the scans have cost as much as
// computing every answer at once would (m·2^m steps, for m ≤ sosMaxBits), it
// computes them all with a sum-over-supersets table.
func (s *searcher) bestSuperset(w uint64) supersetBest {
	if s.sos != nil {
		return s.sos[w]
	}
	if a, ok := s.bestMemo[w]; ok {
		return a
	}
	a := supersetBest{score: -1}
	list := s.coverers[s.rarest(w)]
	for _, p := range list {
		if c := &s.cands[p]; c.mask&w == w {
			a.score = max(a.score, c.score)
			a.turn = max(a.turn, c.turn)
			a.sim = max(a.sim, c.sim)
		}
	}
	s.bestMemo[w] = a
	s.scanned += int64(len(list))
	if nbits := len(s.coverers); nbits <= sosMaxBits && s.scanned > int64(nbits)<<uint(nbits) {
		s.buildSOS()
	}
	return a
}

// bestPair returns the most score, turnover and similar value (each on its
// own) that two candidates covering w (non-empty) together can bring: one of
// them covers w's rarest bit, the other the rest (or is anyone when nothing is
// left). Memoised; the answers are upper bounds, as the two may coincide.
func (s *searcher) bestPair(w uint64) supersetBest {
	if a, ok := s.pairMemo[w]; ok {
		return a
	}
	a := supersetBest{score: -1}
	anyone := supersetBest{score: s.prefixScore[1], turn: s.topTurn[1], sim: s.topSim[1]}
	for _, p := range s.coverers[s.rarest(w)] {
		c := &s.cands[p]
		other := anyone
		if rest := w &^ c.mask; rest != 0 {
			if other = s.bestSuperset(rest); other.score < 0 {
				continue
			}
		}
		a.score = max(a.score, c.score+other.score)
		a.turn = max(a.turn, c.turn+other.turn)
		a.sim = max(a.sim, c.sim+other.sim)
	}
	s.pairMemo[w] = a
	return a
}

// sosMaxBits is the most requirement bits for which the 2^m table is built
// (6 MB at 18; at 20 building it would cost more than it saves).
const sosMaxBits = 18

// buildSOS fills s.sos[w] with the best values over the candidates whose mask
// contains w, by the sum-over-supersets recurrence: for each bit b, a set
// without b also takes the best of the same set with b.
func (s *searcher) buildSOS() {
	nbits := len(s.coverers)
	sos := make([]supersetBest, 1<<uint(nbits))
	for i := range sos {
		sos[i].score = -1
	}
	for i := range s.cands {
		c := &s.cands[i]
		e := &sos[c.mask]
		e.score = max(e.score, c.score)
		e.turn = max(e.turn, c.turn)
		e.sim = max(e.sim, c.sim)
	}
	for b := 0; b < nbits; b++ {
		// The sets without bit b come in runs of 2^b, each followed by the
		// same sets with it; walking them in blocks keeps memory access sequential.
		half := 1 << uint(b)
		for base := 0; base < len(sos); base += 2 * half {
			lo, hi := sos[base:base+half], sos[base+half:base+2*half]
			for i := range lo {
				e, f := &lo[i], &hi[i]
				e.score = max(e.score, f.score)
				e.turn = max(e.turn, f.turn)
				e.sim = max(e.sim, f.sim)
			}
		}
	}
	s.sos = sos
	s.bestMemo = nil
}

// bitCounts returns how many candidates satisfy each bit.
func bitCounts(cands []cand, nbits int) []int {
	counts := make([]int, nbits)
	for _, c := range cands {
		for m := c.mask; m != 0; m &= m - 1 {
			counts[bits.TrailingZeros64(m)]++
		}
	}
	return counts
}

// coverersOf returns, per bit, the positions of the candidates satisfying it, ascending.
func coverersOf(cands []cand, nbits int) [][]int32 {
	coverers := make([][]int32, nbits)
	for b, n := range bitCounts(cands, nbits) {
		coverers[b] = make([]int32, 0, n)
	}
	for p, c := range cands {
		for m := c.mask; m != 0; m &= m - 1 {
			b := bits.TrailingZeros64(m)
			coverers[b] = append(coverers[b], int32(p))
		}
	}
	return coverers
}
