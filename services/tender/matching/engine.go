package matching

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Defaults for Options.
const (
	// DefaultMaxSize is the largest team considered when Options.MaxSize is 0.
	DefaultMaxSize = 5
	// DefaultTopK is the number of teams returned when Options.TopK is 0.
	DefaultTopK = 10
)

// ErrInvalidRequest is returned (wrapped) when the requirements, the pool or the options cannot be used.
var ErrInvalidRequest = errors.New("matching: invalid request")

// ErrDisagreement is returned (wrapped) when a team the engine found fails
// eligibility.Check or scores differently under ScoreTeam: a bug, never hidden.
var ErrDisagreement = errors.New("matching: engine and eligibility rules disagree")

// Options tune a recommendation request.
type Options struct {
	// MaxSize is the largest team considered (k); 0 means DefaultMaxSize. It is
	// further capped by Requirements.MaxMembers.
	MaxSize int
	// TopK is how many teams to return (K); 0 means DefaultTopK.
	TopK int
	// Budget bounds the search time; 0 means no bound other than the context's deadline.
	Budget time.Duration
	// SharedClusters are the clusters the tender is shared with; the
	// inter-cluster bonus applies when there are two or more.
	SharedClusters []string

	// workers forces the number of searchers (tests); 0 means one per CPU
	// when the reduced pool has at least parallelSearchMin candidates.
	workers int
}

// parallelSearchMin is the smallest reduced pool whose search is split
// across CPUs; below it the search takes microseconds to a few milliseconds.
const parallelSearchMin = 2048

// Result is the outcome of Recommend.
type Result struct {
	// Teams are the recommendations, best first.
	Teams []Recommendation
	// Optimal is true when Teams are proven to be the true top K (or all
	// feasible teams when there are fewer); false when the time budget ran out.
	Optimal bool
	// Stats describe the search.
	Stats Stats
}

// Stats describe a search.
type Stats struct {
	// Pool is the number of companies given.
	Pool int
	// Candidates is how many remain after removing inactive companies and,
	// when accumulation is forbidden, those not solvent alone.
	Candidates int
	// Reduced is how many remain after the dominance reduction: the pool searched.
	Reduced int
	// Nodes counts the partial and complete teams the search considered
	// (summed over the workers: with more than one it varies from run to run,
	// the teams do not).
	Nodes int64
	// MaxSize is the effective largest team size (k).
	MaxSize int
	// Elapsed is the wall time of the whole request.
	Elapsed time.Duration
}

// Recommend returns the top K feasible teams of at most k members drawn from
// pool, ranked as the package documentation describes, each verified with
// eligibility.Check and explained. The pool is expected to hold the active
// members of the clusters the tender is shared with, minus organisations
// already committed on the lot; inactive companies are skipped all the same.
//
// When ctx's deadline or opts.Budget passes, Recommend returns the best teams
// found so far with Optimal false; when ctx is cancelled it returns ctx.Err().
func Recommend(ctx context.Context, req eligibility.Requirements, pool []eligibility.Company, opts Options) (Result, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	if opts.MaxSize < 0 || opts.TopK < 0 || opts.Budget < 0 {
		return Result{}, fmt.Errorf("%w: negative option", ErrInvalidRequest)
	}
	k := opts.MaxSize
	if k == 0 {
		k = DefaultMaxSize
	}
	if req.MaxMembers > 0 && req.MaxMembers < k {
		k = req.MaxMembers
	}
	topK := opts.TopK
	if topK == 0 {
		topK = DefaultTopK
	}
	nbits := len(req.Capabilities) + len(req.Certifications)
	if nbits > 64 {
		return Result{}, fmt.Errorf("%w: %d requirements, at most 64 are supported", ErrInvalidRequest, nbits)
	}
	clusters, ok := newClusterIndex(opts.SharedClusters)
	if !ok {
		return Result{}, fmt.Errorf("%w: more than 64 shared clusters", ErrInvalidRequest)
	}
	byID, err := sortedByID(pool)
	if err != nil {
		return Result{}, err
	}
	deadline := time.Time{}
	if opts.Budget > 0 {
		deadline = start.Add(opts.Budget)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	clock := newClock(ctx, deadline)

	// Without accumulation every candidate left is solvent alone, so solvency
	// plays no further part in the search.
	searchTurn, searchSim := req.EconomicThreshold(), req.TechnicalThreshold()
	if !req.Accumulation {
		searchTurn, searchSim = 0, 0
	}
	cands := candidates(req, pool, byID, clusters, searchTurn, searchSim)
	sortByStrength(cands)

	stats := Stats{Pool: len(pool), Candidates: len(cands), MaxSize: k}
	full := uint64(0)
	if nbits > 0 {
		full = ^uint64(0) >> uint(64-nbits)
	}
	bonus := int64(0)
	if clusters.bonusApplies() {
		bonus = interClusterBonus
	}

	var found []foundTeam
	optimal := true
	if coverable(cands, full) {
		reduced := reduce(cands, nbits, bonus, topK+k-1, clock)
		stats.Reduced = len(reduced)
		workers := opts.workers
		if workers == 0 {
			workers = 1
			if len(reduced) >= parallelSearchMin {
				workers = runtime.GOMAXPROCS(0)
			}
		}
		s := newSearcher(reduced, nbits, full, searchTurn, searchSim, bonus, k, workers, clock)
		for _, t := range s.run(topK) {
			f := foundTeam{score: t.score}
			for _, p := range t.members {
				f.pool = append(f.pool, reduced[p].pool)
			}
			sort.Slice(f.pool, func(a, b int) bool { return pool[f.pool[a]].ID < pool[f.pool[b]].ID })
			found = append(found, f)
		}
		stats.Nodes = s.totalNodes()
		optimal = !s.stopped
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return Result{}, err
	}
	teams, err := explainAll(req, pool, found, opts.SharedClusters, optimal)
	if err != nil {
		return Result{}, err
	}
	stats.Elapsed = time.Since(start)
	return Result{Teams: teams, Optimal: optimal, Stats: stats}, nil
}

// sortedByID returns the pool's indices ordered by company id, or an error
// when an id appears twice. Working in id order makes the result independent
// of the pool's order.
func sortedByID(pool []eligibility.Company) ([]int, error) {
	type idIndex struct {
		id string
		i  int
	}
	ids := make([]idIndex, len(pool))
	for i := range pool {
		ids[i] = idIndex{pool[i].ID, i}
	}
	slices.SortFunc(ids, func(a, b idIndex) int { return strings.Compare(a.id, b.id) })
	byID := make([]int, len(ids))
	for j, x := range ids {
		if j > 0 && x.id == ids[j-1].id {
			return nil, fmt.Errorf("%w: company %q appears twice in the pool", ErrInvalidRequest, x.id)
		}
		byID[j] = x.i
	}
	return byID, nil
}

// candidates assesses the pool (in byID order, split across CPUs) and returns
// the companies that can be members: active and, when accumulation is
// forbidden, solvent alone. Each amount is capped at its search threshold:
// that changes no team's feasibility (a member at the cap meets the threshold
// alone either way) and keeps sums and bounds small; a zero threshold zeroes it.
func candidates(req eligibility.Requirements, pool []eligibility.Company, byID []int, clusters clusterIndex, searchTurn, searchSim int64) []cand {
	needTurn, needSim := req.EconomicThreshold(), req.TechnicalThreshold()
	sc := newScorer(req)
	assessor := eligibility.NewAssessor(req)
	all := make([]cand, len(byID))
	usable := make([]bool, len(byID))
	forChunks(len(byID), func(lo, hi int) {
		var st eligibility.Standing // reused: one allocation per chunk
		for j := lo; j < hi; j++ {
			c := &pool[byID[j]]
			if !c.Active {
				continue
			}
			assessor.AssessTo(*c, &st)
			if !req.Accumulation && (st.Turnover.Cents < needTurn || st.Similar.Cents < needSim) {
				continue // RGLCAP 24.1 restricted: every member must be solvent alone
			}
			cd := newCand(byID[j], int32(j), *c, st, sc.member(c.ID, st).Total, clusters)
			cd.turn = min(cd.turn, searchTurn)
			cd.sim = min(cd.sim, searchSim)
			all[j], usable[j] = cd, true
		}
	})
	cands := all[:0] // compacted in place: the write index never passes the read index
	for j, ok := range usable {
		if ok {
			cands = append(cands, all[j])
		}
	}
	return cands
}

// cand is a candidate company as the search sees it.
type cand struct {
	pool     int    // index in the caller's pool
	rank     int32  // place in company id order: comparing ranks compares ids
	mask     uint64 // requirements it satisfies alone
	turn     int64  // best-year turnover (0 when solvency plays no part in the search)
	sim      int64  // best year of similar references (likewise)
	score    int64  // its contribution to a team's score
	clusters uint64 // shared clusters it belongs to
}

// newCand builds a candidate from a company's standing; bit j is
// req.Capabilities[j], then the certifications follow.
func newCand(poolIndex int, rank int32, c eligibility.Company, st eligibility.Standing, score int64, ci clusterIndex) cand {
	var mask uint64
	bit := uint(0)
	for _, ok := range st.Capabilities {
		if ok {
			mask |= 1 << bit
		}
		bit++
	}
	for _, cs := range st.Certifications {
		if cs.OK() {
			mask |= 1 << bit
		}
		bit++
	}
	return cand{
		pool:     poolIndex,
		rank:     rank,
		mask:     mask,
		turn:     st.Turnover.Cents,
		sim:      st.Similar.Cents,
		score:    score,
		clusters: ci.mask(c),
	}
}

// sortByStrength orders candidates by score, highest first, then by id: the
// order the search tries them in and the dominance reduction relies on. Large
// pools are sorted in two halves on two CPUs and merged; the order is total
// (ids are unique), so the result is the same.
func sortByStrength(cs []cand) {
	if len(cs) < parallelMin || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(cs, byStrength)
		return
	}
	lo, hi := cs[:len(cs)/2], cs[len(cs)/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(lo, byStrength) })
	slices.SortFunc(hi, byStrength)
	wg.Wait()
	merged := make([]cand, 0, len(cs))
	for len(lo) > 0 && len(hi) > 0 {
		if byStrength(lo[0], hi[0]) < 0 {
			merged, lo = append(merged, lo[0]), lo[1:]
		} else {
			merged, hi = append(merged, hi[0]), hi[1:]
		}
	}
	merged = append(append(merged, lo...), hi...)
	copy(cs, merged)
}

// byStrength compares candidates by score, highest first, then by id.
func byStrength(a, b cand) int {
	if a.score != b.score {
		return cmp.Compare(b.score, a.score)
	}
	return cmp.Compare(a.rank, b.rank)
}

// parallelMin is the smallest amount of work split across CPUs.
const parallelMin = 4096

// forChunks calls fn on [0, n) split into one chunk per CPU (or once for small
// n) and waits; fn must write only to its own indices, so the result does not
// depend on the split.
func forChunks(n int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < parallelMin || workers < 2 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		wg.Go(func() { fn(lo, min(n, lo+chunk)) })
	}
	wg.Wait()
}

// coverable reports whether every required bit is satisfied by some candidate;
// if not, no team is feasible.
func coverable(cs []cand, full uint64) bool {
	var union uint64
	for _, c := range cs {
		union |= c.mask
	}
	return union&full == full
}

// popcount is the number of requirement bits in m.
func popcount(m uint64) int { return bits.OnesCount64(m) }

// clock tells the search when its time is up.
type clock struct {
	ctx      context.Context
	deadline time.Time // zero: none
}

// newClock returns a clock for the context and deadline.
func newClock(ctx context.Context, deadline time.Time) clock {
	return clock{ctx: ctx, deadline: deadline}
}

// expired reports whether the deadline passed or the context is done.
func (c clock) expired() bool {
	if c.ctx.Err() != nil {
		return true
	}
	return !c.deadline.IsZero() && !time.Now().Before(c.deadline)
}
