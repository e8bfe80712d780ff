package matching

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
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
// A search may run on several workers (searchers sharing one index, one
// incumbent and one clock; see growSplit).
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
// values; a table of the most one candidate holding each pair of bits brings
// (pairsAllow); the best single candidate (bestSuperset) or pair (bestPair)
// that could cover what is left; and, while the K-th best is unknown, nothing but
// feasibility.
type searcher struct {
	*index
	inc *incumbent // the best teams of the size being searched, shared by the workers

	memo     map[uint64][]int32 // supersetMembers' answers
	memoSize int
	bestMemo map[uint64]supersetBest // bestSuperset's answers, until the shared table is built
	pairMemo map[uint64]supersetBest // bestPair's answers
	scanned  int64                   // positions scanned by bestSuperset

	banned []bool  // chosen or excluded in the current subtree
	excl   []int32 // excluded positions, a stack undone on the way back
	chosen []int32 // the partial team

	size    int // the team size being searched
	nodes   int64
	stopped bool // the time budget ran out

	helpers []*searcher // the other workers (of the first searcher only), made on first use
}

// index is what the workers of one search share; read-only once built,
// except for the superset table, which is published once.
type index struct {
	cands       []cand     // strength order
	full        uint64     // all requirement bits
	needTurn    int64      // accumulated turnover needed (0: no constraint)
	needSim     int64      // accumulated similar-reference value needed (0: no constraint)
	bonus       int64      // the most the inter-cluster bonus can add (0 when it does not apply)
	coverers    [][]int32  // per bit: positions of the candidates satisfying it, ascending
	coverMasks  [][]uint64 // per bit: the masks of its coverers, in coverers' order (scanned without touching cands)
	rarity      []uint     // bits, fewest coverers first
	maxPop      int        // most bits any candidate satisfies
	prefixScore []int64    // prefixScore[p] = sum of the scores at positions < p
	topTurn     []int64    // topTurn[q] = the q largest turnovers summed
	topSim      []int64    // topSim[q] = the q largest similar values summed
	sufTurn     [][]int64  // sufTurn[q][p] = the q largest turnovers at positions ≥ p, summed
	sufSim      [][]int64  // sufSim[q][p], likewise for similar references
	bySim       []int32    // positions by similar value, descending (when needSim > 0)
	simDesc     []int64    // the similar values in bySim's order
	byTurn      []int32    // positions by turnover, descending (when needTurn > 0)
	turnDesc    []int64    // the turnovers in byTurn's order
	covBySim    [][]int32  // per bit: its coverers by similar value, descending (when needSim > 0)
	covSimVals  [][]int64  // the similar values in covBySim's order
	covByTurn   [][]int32  // per bit: its coverers by turnover, descending (when needTurn > 0)
	covTurnVals [][]int64  // the turnovers in covByTurn's order
	k           int        // the largest team size
	workers     int        // searchers a size's search is split across (1: sequential)
	clock       clock

	pairBest []supersetBest                 // per pair of bits a ≤ b (at a·m+b): the most one candidate holding both brings; nil when too costly
	sos      atomic.Pointer[[]supersetBest] // every bestSuperset answer, once built
	sosClaim atomic.Bool                    // a worker has started building sos
}

// incumbent holds the best teams of one size found so far by any worker.
// Its floor only rises, so a worker reading a stale floor prunes less, never
// wrongly: pruning stays exact on every worker.
type incumbent struct {
	mu    sync.Mutex
	need  int          // how many teams of this size can still make the top K
	best  []team       // best first, at most need
	floor atomic.Int64 // the need-th best score once need teams are known, noFloor before
}

// noFloor is the floor while fewer than need teams are known: nothing prunes by score.
const noFloor = math.MinInt64

// newIncumbent returns an empty incumbent for need teams.
func newIncumbent(need int) *incumbent {
	inc := &incumbent{need: need}
	inc.floor.Store(noFloor)
	return inc
}

// offer adds t when it ranks among the best need teams so far.
func (inc *incumbent) offer(t team) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if len(inc.best) >= inc.need && !better(t, inc.best[len(inc.best)-1]) {
		return
	}
	i := sort.Search(len(inc.best), func(i int) bool { return better(t, inc.best[i]) })
	inc.best = append(inc.best, team{})
	copy(inc.best[i+1:], inc.best[i:])
	inc.best[i] = t
	if len(inc.best) > inc.need {
		inc.best = inc.best[:inc.need]
	}
	if len(inc.best) == inc.need {
		inc.floor.Store(inc.best[inc.need-1].score)
	}
}

// supersetBest is the most that one candidate whose mask contains a given set
// of bits can bring, each value on its own.
type supersetBest struct {
	score, turn, sim int64 // score −1: no candidate
}

// memoLimit caps the positions kept in the superset memo (int32s); past it the memo is cleared.
const memoLimit = 1 << 23

// newSearcher prepares the search over candidates in strength order, split
// across up to workers searchers (at least one).
func newSearcher(cands []cand, nbits int, full uint64, needTurn, needSim, bonus int64, k, workers int, clk clock) *searcher {
	n := len(cands)
	s := &index{
		cands:    cands,
		full:     full,
		needTurn: needTurn,
		needSim:  needSim,
		bonus:    bonus,
		coverers: coverersOf(cands, nbits),
		k:        k,
		workers:  max(1, workers),
		clock:    clk,
	}
	for _, c := range cands {
		s.maxPop = max(s.maxPop, popcount(c.mask))
	}
	s.pairBest = pairBests(cands, nbits)
	s.coverMasks = coverMasksOf(cands, s.coverers)
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
	return s.worker()
}

// worker returns a new searcher on the index, with its own search state.
func (x *index) worker() *searcher {
	return &searcher{
		index:    x,
		memo:     make(map[uint64][]int32),
		bestMemo: make(map[uint64]supersetBest),
		pairMemo: make(map[uint64]supersetBest),
		banned:   make([]bool, len(x.cands)),
	}
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
		s.inc = newIncumbent(topK - len(out))
		if s.workers > 1 && size > 1 && s.full != 0 {
			s.growSplit()
		} else {
			s.grow(s.full, 0, 0, 0)
		}
		out = append(out, s.inc.best...)
		if s.stopped {
			break
		}
	}
	return out
}

// growSplit searches the current size from the root on every worker. The
// root's children (see grow) are handed out in order from a shared counter;
// child j's subtree holds the teams with child j and none of the children
// before it, whichever worker searches it, so the subtrees are those of the
// sequential search and every team is still met once. The workers share the
// incumbent, whose floor only prunes teams that cannot make the top K, so the
// result is the exact top K whatever the interleaving: the same teams in the
// same order as the sequential search (only Stats.Nodes differs).
func (s *searcher) growSplit() {
	if s.helpers == nil {
		for range s.workers - 1 {
			s.helpers = append(s.helpers, s.index.worker())
		}
	}
	q := s.size
	minTurn := s.needTurn - s.topTurn[q-1]
	minSim := s.needSim - s.topSim[q-1]
	children, byScore := s.branch(s.full, minTurn, minSim)
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, h := range s.helpers {
		h.size, h.inc = s.size, s.inc
		wg.Go(func() { h.rootChildren(children, byScore, minTurn, minSim, &next) })
	}
	s.rootChildren(children, byScore, minTurn, minSim, &next)
	wg.Wait()
	for _, h := range s.helpers {
		s.stopped = s.stopped || h.stopped
	}
}

// rootChildren searches the subtrees of the root children it takes from
// next, until none is left.
func (s *searcher) rootChildren(children []int32, byScore bool, minTurn, minSim int64, next *atomic.Int64) {
	if s.tick() {
		return
	}
	mark := len(s.excl)
	defer s.unbanTo(mark)
	done := 0 // children[:done] are banned here
	for !s.stopped {
		j := int(next.Add(1) - 1)
		if j >= len(children) {
			return
		}
		for ; done < j; done++ {
			if p := children[done]; !s.banned[p] {
				s.ban(p)
			}
		}
		if !s.child(children[j], byScore, s.full, 0, 0, 0, s.size, minTurn, minSim) {
			return // in score order: every later child is pruned as well
		}
	}
}

// totalNodes is the number of nodes every worker searched.
func (s *searcher) totalNodes() int64 {
	n := s.nodes
	for _, h := range s.helpers {
		n += h.nodes
	}
	return n
}

// tick counts a node and reports whether the search must stop.
func (s *searcher) tick() bool {
	s.nodes++
	if s.nodes%clockEvery == 0 && !s.stopped && s.clock.expired() {
		s.stopped = true
	}
	return s.stopped
}

// floor is the score of the K-th best team of this size found so far, or
// noFloor while fewer are known: a team scoring less cannot make the top K.
func (s *searcher) floor() int64 { return s.inc.floor.Load() }

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
		if !s.child(p, byScore, missing, turn, sim, score, q, minTurn, minSim) {
			return
		}
	}
}

// child searches the subtree that adds p to the partial team (q slots left)
// and bans p from the rest of its parent's subtree. It returns false when the
// children are in score order and p's bound is below the K-th best: every
// later child is pruned too.
func (s *searcher) child(p int32, byScore bool, missing uint64, turn, sim, score int64, q int, minTurn, minSim int64) bool {
	c := &s.cands[p]
	// No team here beats c plus the q−1 best scores overall; in score
	// order, once that is below the K-th best, so is every later child.
	if score+c.score+s.prefixScore[q-1]+s.bonus < s.floor() {
		if byScore {
			return false
		}
		s.ban(p) // no team here with p can make the top K
		return true
	}
	// From here on p is excluded from its later siblings' subtrees, whether
	// its own subtree is searched or pruned.
	s.ban(p)
	if c.turn < minTurn || c.sim < minSim {
		return true
	}
	left := missing &^ c.mask
	if left != 0 && !s.canFinish(left, q-1, turn+c.turn, sim+c.sim, score+c.score) {
		return true
	}
	s.chosen = append(s.chosen, p)
	s.grow(left, turn+c.turn, sim+c.sim, score+c.score)
	s.chosen = s.chosen[:len(s.chosen)-1]
	return true
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
		if !s.pairsAllow(left, turn, sim, score) {
			return false
		}
		a := s.bestSuperset(left)
		if a.score < 0 || turn+a.turn < s.needTurn || sim+a.sim < s.needSim {
			return false
		}
		return score+a.score+s.bonus >= s.floor()
	}
	if slots == 2 && s.sos.Load() != nil { // without the table, pairs cost too many scans
		a := s.bestPair(left)
		if a.score < 0 || turn+a.turn < s.needTurn || sim+a.sim < s.needSim {
			return false
		}
		return score+a.score+s.bonus >= s.floor()
	}
	// Some remaining member covers the rarest missing bit; the others are at
	// best the strongest candidates overall.
	r := s.rarest(left)
	if len(s.coverers[r]) == 0 {
		return false
	}
	return score+s.cands[s.coverers[r][0]].score+s.prefixScore[slots-1]+s.bonus >= s.floor()
}

// pairsAllow is a cheap necessary condition for one more member to cover
// left (non-empty) and keep the team solvent and in the top K: a member
// holding every bit of left holds each pair of them, so it brings no more
// than pairBest says for any pair. Nearly every child that cannot be completed
// fails it from a table that stays in cache, before the costlier bestSuperset.
func (s *searcher) pairsAllow(left uint64, turn, sim, score int64) bool {
	if s.pairBest == nil {
		return true
	}
	nbits, floor := len(s.coverers), s.floor()
	for m := left; m != 0; m &= m - 1 {
		row := s.pairBest[bits.TrailingZeros64(m)*nbits:]
		for r := m; r != 0; r &= r - 1 { // b ≥ a, a itself included
			e := &row[bits.TrailingZeros64(r)]
			if e.score < 0 || turn+e.turn < s.needTurn || sim+e.sim < s.needSim || score+e.score+s.bonus < floor {
				return false
			}
		}
	}
	return true
}

// pairBestMax bounds the updates pairBests may make (a few milliseconds).
const pairBestMax = 1 << 22

// pairBests returns, for every pair of bits a ≤ b at a·nbits+b, the most
// score, turnover and similar value (each on its own) of a candidate holding
// both (score −1: none); nil when the candidates hold so many bits that
// building it would cost more than pairBestMax updates.
func pairBests(cands []cand, nbits int) []supersetBest {
	updates := 0
	for i := range cands {
		k := popcount(cands[i].mask)
		updates += k * (k + 1) / 2
	}
	if updates > pairBestMax {
		return nil
	}
	out := make([]supersetBest, nbits*nbits)
	for i := range out {
		out[i].score = -1
	}
	for i := range cands {
		c := &cands[i]
		for m := c.mask; m != 0; m &= m - 1 {
			row := out[bits.TrailingZeros64(m)*nbits:]
			for r := m; r != 0; r &= r - 1 {
				e := &row[bits.TrailingZeros64(r)]
				e.score = max(e.score, c.score)
				e.turn = max(e.turn, c.turn)
				e.sim = max(e.sim, c.sim)
			}
		}
	}
	return out
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
		if score+c.score+s.bonus < s.floor() {
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
		if score+s.prefixScore[p+q]-s.prefixScore[p]+s.bonus < s.floor() {
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
	if f := s.floor(); f != noFloor {
		floor := f - score - s.bonus // a member scoring less cannot make the top K
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
		if score+c.score+s.bonus < s.floor() {
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
	if score < s.floor() {
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
	s.inc.offer(team{members: members, ranks: ranks, score: score})
}

// supersetMembers returns the candidates whose mask contains w (non-empty),
// in strength order, memoised.
func (s *searcher) supersetMembers(w uint64) []int32 {
	if list, ok := s.memo[w]; ok {
		return list
	}
	b := s.rarest(w)
	list := s.coverers[b]
	if popcount(w) > 1 {
		var members []int32
		for i, m := range s.coverMasks[b] {
			if m&w == w {
				members = append(members, list[i])
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
	if sos := s.sos.Load(); sos != nil {
		s.bestMemo = nil
		return (*sos)[w]
	}
	if a, ok := s.bestMemo[w]; ok {
		return a
	}
	a := supersetBest{score: -1}
	b := s.rarest(w)
	list := s.coverers[b]
	for i, m := range s.coverMasks[b] {
		if m&w == w {
			c := &s.cands[list[i]]
			a.score = max(a.score, c.score)
			a.turn = max(a.turn, c.turn)
			a.sim = max(a.sim, c.sim)
		}
	}
	s.bestMemo[w] = a
	s.scanned += int64(len(list))
	if nbits := len(s.coverers); nbits <= sosMaxBits && s.scanned > int64(nbits)<<uint(nbits) && s.sosClaim.CompareAndSwap(false, true) {
		s.buildSOS() // the other workers go on scanning meanwhile
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
func (s *index) buildSOS() {
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
	s.sos.Store(&sos)
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

// coverMasksOf returns, per bit, the masks of its coverers in coverers' order.
func coverMasksOf(cands []cand, coverers [][]int32) [][]uint64 {
	masks := make([][]uint64, len(coverers))
	for b, list := range coverers {
		masks[b] = make([]uint64, len(list))
		for i, p := range list {
			masks[b][i] = cands[p].mask
		}
	}
	return masks
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
