package matching_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// deadline is the deadline of every generated tender.
var deadline = time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC)

// instance is one generated recommendation problem.
type instance struct {
	req  eligibility.Requirements
	pool []eligibility.Company
	opts matching.Options
}

// capabilityVocab is the test vocabulary; small so that companies overlap.
var capabilityVocab = []string{"cloud", "cybersecurity", "software-development", "ai", "5g", "data"}

// coarse draws one of a few round amounts (in euros) so that scores often tie.
func coarse(rng *rand.Rand, steps []int64) int64 { return steps[rng.IntN(len(steps))] * 100 }

// randomInstance generates a tender and n companies; roughly, teams of 1–3
// members are feasible, with many ties in score.
func randomInstance(rng *rand.Rand, n, k, topK int) instance {
	req := eligibility.Requirements{
		EstimatedValueCents: coarse(rng, []int64{50_000, 100_000, 200_000, 400_000}),
		DurationMonths:      []int{6, 12, 24, 36}[rng.IntN(4)],
		Deadline:            deadline,
		Accumulation:        rng.IntN(100) < 85,
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}},
	}
	if rng.IntN(3) == 0 {
		req.Technical.CPVs = append(req.Technical.CPVs, "48000000")
	}
	if rng.IntN(20) == 0 {
		req.Economic.Exempt = true
	}
	if rng.IntN(20) == 0 {
		req.Technical.Exempt = true
	}
	if rng.IntN(4) == 0 {
		req.MaxMembers = 1 + rng.IntN(4)
	}
	for _, i := range rng.Perm(len(capabilityVocab))[:rng.IntN(4)] {
		req.Capabilities = append(req.Capabilities, capabilityVocab[i])
	}
	if rng.IntN(2) == 0 {
		req.Certifications = append(req.Certifications, eligibility.CertificationRequirement{Kind: "ENS", Level: eligibility.Level(1 + rng.IntN(3))})
	}
	if rng.IntN(3) == 0 {
		req.Certifications = append(req.Certifications, eligibility.CertificationRequirement{Kind: "ISO27001"})
	}
	clusters := []string{"c1", "c2", "c3"}
	shared := clusters[:1+rng.IntN(3)]
	ids := rng.Perm(n)
	pool := make([]eligibility.Company, n)
	for i := range pool {
		c := eligibility.Company{
			ID:       fmt.Sprintf("C%03d", ids[i]),
			Name:     fmt.Sprintf("Company %d", ids[i]),
			Active:   rng.IntN(100) < 92,
			Clusters: []string{shared[rng.IntN(len(shared))]},
		}
		if rng.IntN(5) == 0 {
			c.Clusters = append(c.Clusters, clusters[rng.IntN(3)])
		}
		for _, capability := range capabilityVocab {
			if rng.IntN(100) < 45 {
				c.Capabilities = append(c.Capabilities, capability)
			}
		}
		for y := 2022; y <= 2027; y++ {
			if rng.IntN(3) > 0 {
				c.Turnover = append(c.Turnover, eligibility.YearAmount{Year: y, Cents: coarse(rng, []int64{20_000, 50_000, 100_000, 150_000, 300_000, 500_000, 900_000})})
			}
		}
		for range 1 + rng.IntN(4) {
			c.References = append(c.References, eligibility.Reference{
				CPV:   []string{"72212000", "72500000", "48100000", "79400000"}[rng.IntN(4)],
				Year:  2022 + rng.IntN(6),
				Cents: coarse(rng, []int64{10_000, 40_000, 80_000, 150_000, 300_000}),
			})
		}
		for _, kind := range []string{"ENS", "ISO27001"} {
			if rng.IntN(100) < 50 {
				level := eligibility.LevelNone
				if kind == "ENS" {
					level = eligibility.Level(1 + rng.IntN(3))
				}
				expires := []time.Time{
					deadline.AddDate(0, 0, -1), deadline, deadline.AddDate(0, 3, 0), deadline.AddDate(2, 0, 0), deadline.AddDate(-1, 0, 0),
				}[rng.IntN(5)]
				issued := deadline.AddDate(-2, 0, 0)
				if rng.IntN(10) == 0 {
					issued = deadline.AddDate(0, 1, 0)
				}
				c.Certifications = append(c.Certifications, eligibility.Certification{Kind: kind, Level: level, Issued: issued, Expires: expires})
			}
		}
		pool[i] = c
	}
	return instance{req: req, pool: pool, opts: matching.Options{MaxSize: k, TopK: topK, SharedClusters: shared}}
}

// ranked is a team as the oracle and the tests compare it: sorted ids and score.
type ranked struct {
	ids   []string
	score int64
}

// String formats a ranked team for failure messages.
func (r ranked) String() string { return fmt.Sprintf("%s=%d", strings.Join(r.ids, "+"), r.score) }

// oracle returns the top K teams by brute force: every subset of up to k
// companies, feasibility by eligibility.Check, score by ScoreTeam, ranked by
// size, then score, then sorted ids. Its only shortcuts cannot change the
// answer: a subset is passed to Check only when its members' declared
// capabilities and singly-held certifications (each taken from the company's
// own Check report) cover the requirements, companies that fail a member-only
// rule alone (inactive; not solvent alone without accumulation) are skipped,
// and larger sizes are not searched once K teams are known (they rank after).
func oracle(in instance) []ranked {
	req := in.req
	need := len(req.Capabilities) + len(req.Certifications)
	var usable []eligibility.Company
	var masks []uint64
	for _, c := range in.pool {
		rep := eligibility.Check(req, eligibility.TeamOf(c), eligibility.Options{})
		alone := true
		var mask uint64
		for _, r := range rep.Results {
			switch r.Rule {
			case eligibility.RuleActive:
				alone = alone && r.OK
			case eligibility.RuleEconomic, eligibility.RuleTechnical:
				if !req.Accumulation {
					alone = alone && r.OK
				}
			case eligibility.RuleCertification:
				if r.OK {
					for j, cr := range req.Certifications {
						if cr.String() == r.Subject {
							mask |= 1 << uint(len(req.Capabilities)+j)
						}
					}
				}
			}
		}
		for j, capability := range req.Capabilities {
			if slices.Contains(c.Capabilities, capability) {
				mask |= 1 << uint(j)
			}
		}
		if alone {
			usable = append(usable, c)
			masks = append(masks, mask)
		}
	}
	full := uint64(1)<<uint(need) - 1
	k := in.opts.MaxSize
	var out []ranked
	for size := 1; size <= k && len(out) < in.opts.TopK; size++ {
		var found []ranked
		idx := make([]int, 0, size)
		var rec func(start int, union uint64)
		rec = func(start int, union uint64) {
			if len(idx) == size {
				if union != full {
					return
				}
				team := make([]eligibility.Company, size)
				for i, j := range idx {
					team[i] = usable[j]
				}
				if !eligibility.Check(req, eligibility.TeamOf(team...), eligibility.Options{}).Eligible {
					return
				}
				r := ranked{score: matching.ScoreTeam(req, team, in.opts.SharedClusters).Total}
				for _, c := range team {
					r.ids = append(r.ids, c.ID)
				}
				sort.Strings(r.ids)
				found = append(found, r)
				return
			}
			for j := start; j < len(usable); j++ {
				idx = append(idx, j)
				rec(j+1, union|masks[j])
				idx = idx[:len(idx)-1]
			}
		}
		rec(0, 0)
		sort.Slice(found, func(a, b int) bool {
			if found[a].score != found[b].score {
				return found[a].score > found[b].score
			}
			return slices.Compare(found[a].ids, found[b].ids) < 0
		})
		out = append(out, found[:min(len(found), in.opts.TopK-len(out))]...)
	}
	return out
}

// engineRanked runs the engine and returns its teams in the oracle's form.
func engineRanked(t *testing.T, in instance) ([]ranked, matching.Result) {
	t.Helper()
	res, err := matching.Recommend(context.Background(), in.req, in.pool, in.opts)
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	out := make([]ranked, len(res.Teams))
	for i, rec := range res.Teams {
		for _, m := range rec.Team.Members {
			out[i].ids = append(out[i].ids, m.Company.ID)
		}
		sort.Strings(out[i].ids)
		out[i].score = rec.Score.Total
	}
	return out, res
}

// instanceShape picks the size of property-test instance i: mostly small
// pools, some medium, a few of 100–150 companies with small teams, so the
// brute force stays fast under -race.
func instanceShape(rng *rand.Rand, i int) (n, k, topK int) {
	topK = []int{1, 3, 10}[rng.IntN(3)]
	switch {
	case i%50 == 0:
		return 100 + rng.IntN(51), 2, topK
	case i%50 == 1:
		return 100 + rng.IntN(21), 3, topK
	case i%10 == 2:
		return 25 + rng.IntN(16), 2 + rng.IntN(2), topK
	default:
		return 1 + rng.IntN(24), 2 + rng.IntN(3), topK
	}
}

func TestRecommendMatchesBruteForce(t *testing.T) {
	const instances = 1000
	for i := range instances {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			n, k, topK := instanceShape(rng, i)
			in := randomInstance(rng, n, k, topK)
			want := oracle(in)
			// The sequential search and the search split across workers
			// (3, so that splits are uneven) must both agree with the oracle.
			for _, workers := range []int{1, 3} {
				split := in
				split.opts = matching.WithWorkers(in.opts, workers)
				got, res := engineRanked(t, split)
				if !res.Optimal {
					t.Errorf("workers=%d: Optimal = false without a budget", workers)
				}
				if !slices.EqualFunc(got, want, sameRanked) {
					t.Errorf("n=%d k=%d K=%d workers=%d: engine %v, brute force %v", n, k, topK, workers, got, want)
				}
			}
		})
	}
}

// sameRanked reports whether two teams have the same members and score.
func sameRanked(a, b ranked) bool { return a.score == b.score && slices.Equal(a.ids, b.ids) }

// TestSplitSearchMatchesSequential compares the search split across workers
// with the sequential one on pools too large for the brute force: the same
// teams, scores, explanations and order, every time.
func TestSplitSearchMatchesSequential(t *testing.T) {
	split := 0 // instances whose best teams have two members or more: the split search ran
	for i := range 16 {
		rng := rand.New(rand.NewPCG(uint64(i), 17))
		in := scaleInstance(rng, 2000+rng.IntN(2000), 8+rng.IntN(8))
		want, err := matching.Recommend(context.Background(), in.req, in.pool, matching.WithWorkers(in.opts, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Teams) > 0 && len(want.Teams[len(want.Teams)-1].Team.Members) > 1 {
			split++
		}
		for _, workers := range []int{2, 4} {
			got, err := matching.Recommend(context.Background(), in.req, in.pool, matching.WithWorkers(in.opts, workers))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Optimal || !want.Optimal {
				t.Fatalf("instance %d: optimal %v (workers=%d), %v (sequential)", i, got.Optimal, workers, want.Optimal)
			}
			if len(got.Teams) != len(want.Teams) {
				t.Fatalf("instance %d workers=%d: %d teams, sequential %d", i, workers, len(got.Teams), len(want.Teams))
			}
			for j := range want.Teams {
				a, b := got.Teams[j], want.Teams[j]
				if !slices.Equal(keyOf(a).ids, keyOf(b).ids) || a.Score.Total != b.Score.Total || a.Why != b.Why {
					t.Errorf("instance %d workers=%d rank %d: %v, sequential %v", i, workers, j+1, keyOf(a), keyOf(b))
				}
			}
		}
	}
	if split < 8 {
		t.Errorf("only %d of 16 instances needed teams of two or more; the generator should make the split search work", split)
	}
}

// scaleVocab is the capability vocabulary of scaleInstance, most popular first.
var scaleVocab = []string{
	"software-development", "web", "cloud", "data-analytics", "cybersecurity", "mobile", "erp", "devops",
	"ai", "networks", "e-government", "testing-qa", "ux-design", "document-management", "iot", "gis",
}

// scaleInstance is shaped like bench-match's instances, smaller: n companies
// with Zipf-popular capabilities and log-normal turnovers, a tender with m
// requirements (ENS and ISO 27001 among them) whose thresholds few companies
// reach alone, so the best teams have two to four members.
func scaleInstance(rng *rand.Rand, n, m int) instance {
	popular := func() int { // index i with weight 1/(i+1)
		for {
			if i := rng.IntN(len(scaleVocab)); rng.Float64() < 1/float64(i+1) {
				return i
			}
		}
	}
	lognormal := func(median, sigma float64) int64 { return int64(median*math.Exp(sigma*rng.NormFloat64())) * 100 }
	req := eligibility.Requirements{
		Certifications:      []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}, {Kind: "ISO27001"}},
		Accumulation:        true,
		EstimatedValueCents: lognormal(2_500_000, 0.5),
		DurationMonths:      24,
		Deadline:            deadline,
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}},
	}
	for _, i := range rng.Perm(len(scaleVocab))[:m-2] {
		req.Capabilities = append(req.Capabilities, scaleVocab[i])
	}
	clusters := []string{"c1", "c2", "c3"}
	pool := make([]eligibility.Company, n)
	for i := range pool {
		c := eligibility.Company{ID: fmt.Sprintf("S%05d", i), Active: rng.IntN(50) > 0, Clusters: []string{clusters[rng.IntN(3)]}}
		seen := map[int]bool{}
		for range 2 + rng.IntN(8) {
			if v := popular(); !seen[v] {
				seen[v] = true
				c.Capabilities = append(c.Capabilities, scaleVocab[v])
			}
		}
		base := lognormal(1_000_000, 0.9)
		for y := 2024; y <= 2026; y++ {
			c.Turnover = append(c.Turnover, eligibility.YearAmount{Year: y, Cents: base})
		}
		for range 1 + rng.IntN(6) {
			c.References = append(c.References, eligibility.Reference{CPV: []string{"72212000", "72500000", "79400000"}[rng.IntN(3)], Year: 2024 + rng.IntN(3), Cents: lognormal(80_000, 1)})
		}
		expires := deadline.AddDate(0, rng.IntN(36)-6, 0)
		if rng.IntN(4) == 0 {
			c.Certifications = append(c.Certifications, eligibility.Certification{Kind: "ENS", Level: eligibility.Level(1 + rng.IntN(3)), Issued: deadline.AddDate(-2, 0, 0), Expires: expires})
		}
		if rng.IntN(3) == 0 {
			c.Certifications = append(c.Certifications, eligibility.Certification{Kind: "ISO27001", Issued: deadline.AddDate(-2, 0, 0), Expires: expires})
		}
		pool[i] = c
	}
	return instance{req: req, pool: pool, opts: matching.Options{MaxSize: 5, TopK: 10, SharedClusters: clusters}}
}

func TestRecommendTeamsPassCheck(t *testing.T) {
	for i := range 40 {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		in := randomInstance(rng, 60, 4, 10)
		res, err := matching.Recommend(context.Background(), in.req, in.pool, in.opts)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		for _, rec := range res.Teams {
			rep := eligibility.Check(in.req, rec.Team, eligibility.Options{})
			if !rep.Eligible || !rec.Report.Eligible {
				t.Errorf("instance %d: team #%d fails Check: %+v", i, rec.Rank, rep.Failed())
			}
			if len(rec.Team.Members) > 4 {
				t.Errorf("instance %d: team #%d has %d members, more than k=4", i, rec.Rank, len(rec.Team.Members))
			}
		}
	}
}

// rankKey is a team's place in the ranking as comparable values.
type rankKey struct {
	size  int
	score int64
	ids   []string
}

// worse reports whether a ranks after b.
func (a rankKey) worse(b rankKey) bool {
	if a.size != b.size {
		return a.size > b.size
	}
	if a.score != b.score {
		return a.score < b.score
	}
	return slices.Compare(a.ids, b.ids) > 0
}

// keyOf returns the rank key of a recommendation.
func keyOf(rec matching.Recommendation) rankKey {
	k := rankKey{size: len(rec.Team.Members), score: rec.Score.Total}
	for _, m := range rec.Team.Members {
		k.ids = append(k.ids, m.Company.ID)
	}
	sort.Strings(k.ids)
	return k
}

func TestRecommendMonotonic(t *testing.T) {
	checked := 0
	for i := range 60 {
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		in := randomInstance(rng, 30, 3, 3)
		before, err := matching.Recommend(context.Background(), in.req, in.pool[:20], in.opts)
		if err != nil {
			t.Fatal(err)
		}
		for added := 21; added <= len(in.pool); added++ {
			after, err := matching.Recommend(context.Background(), in.req, in.pool[:added], in.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Teams) > 0 {
				checked++
				if len(after.Teams) == 0 || keyOf(after.Teams[0]).worse(keyOf(before.Teams[0])) {
					t.Fatalf("instance %d: adding company %s made the best team worse: %v → %v",
						i, in.pool[added-1].ID, keyOf(before.Teams[0]), after.Teams)
				}
			}
			before = after
		}
	}
	if checked < 100 {
		t.Errorf("only %d comparisons had a best team; the generator should make more feasible", checked)
	}
}

func TestRecommendDeterministic(t *testing.T) {
	for i := range 20 {
		rng := rand.New(rand.NewPCG(uint64(i), 13))
		in := randomInstance(rng, 80, 4, 10)
		first, err := matching.Recommend(context.Background(), in.req, in.pool, in.opts)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := slices.Clone(in.pool)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		second, err := matching.Recommend(context.Background(), in.req, shuffled, in.opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Teams) != len(second.Teams) {
			t.Fatalf("instance %d: %d teams, then %d after shuffling", i, len(first.Teams), len(second.Teams))
		}
		for j := range first.Teams {
			a, b := first.Teams[j], second.Teams[j]
			if !slices.Equal(keyOf(a).ids, keyOf(b).ids) || a.Score.Total != b.Score.Total || a.Why != b.Why {
				t.Errorf("instance %d rank %d: %v then %v", i, j+1, keyOf(a), keyOf(b))
			}
		}
		if first.Stats.Nodes != second.Stats.Nodes || first.Stats.Reduced != second.Stats.Reduced {
			t.Errorf("instance %d: stats differ: %+v vs %+v", i, first.Stats, second.Stats)
		}
	}
}

// hardInstance is adversarial for branch and bound: n companies of two kinds
// (half cover "cloud", half "cybersecurity"), all with the same score, each
// with half the required turnover and similar value, and with the two amounts
// ordered oppositely so none dominates another. Every cross pair is a feasible
// team of equal score, so proving the top K by ids means looking at all n²/4
// pairs: far more than a few milliseconds allow.
func hardInstance(n int) instance {
	req := eligibility.Requirements{
		Capabilities:        []string{"cloud", "cybersecurity"},
		Economic:            eligibility.EconomicSolvency{ThresholdCents: 100_000_00},
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}, RequiredCents: 10_000_00},
		Accumulation:        true,
		EstimatedValueCents: 100_000_00,
		DurationMonths:      12,
		Deadline:            deadline,
	}
	pool := make([]eligibility.Company, n)
	for i := range pool {
		pool[i] = eligibility.Company{
			ID:           fmt.Sprintf("H%06d", i),
			Active:       true,
			Clusters:     []string{"c1"},
			Capabilities: []string{capabilityVocab[i%2]},
			Turnover:     []eligibility.YearAmount{{Year: 2025, Cents: 50_000_00 + int64(i)}},
			References:   []eligibility.Reference{{CPV: "72212000", Year: 2025, Cents: 5_000_00 + int64(n-i)}},
		}
	}
	return instance{req: req, pool: pool, opts: matching.Options{MaxSize: 3, TopK: 10}}
}

func TestRecommendBudget(t *testing.T) {
	in := hardInstance(10000)
	in.opts.Budget = 20 * time.Millisecond
	start := time.Now()
	res, err := matching.Recommend(context.Background(), in.req, in.pool, in.opts)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Recommend took %v with a 20 ms budget", elapsed)
	}
	if res.Optimal {
		t.Errorf("Optimal = true after a 20 ms budget on %d companies (%+v)", len(in.pool), res.Stats)
	}
	if len(res.Teams) == 0 {
		t.Errorf("no team found within the budget (%+v); the first nodes always complete teams", res.Stats)
	}
	for _, rec := range res.Teams {
		if !eligibility.Check(in.req, rec.Team, eligibility.Options{}).Eligible {
			t.Errorf("team #%d under budget fails Check", rec.Rank)
		}
		if !strings.Contains(rec.Why, "Not proven optimal") {
			t.Errorf("Why %q does not say the result is not proven optimal", rec.Why)
		}
	}
}

func TestRecommendContextDeadline(t *testing.T) {
	in := hardInstance(10000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	res, err := matching.Recommend(ctx, in.req, in.pool, in.opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Optimal {
		t.Error("Optimal = true after the context's deadline")
	}
}

func TestRecommendCancelled(t *testing.T) {
	in := hardInstance(100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := matching.Recommend(ctx, in.req, in.pool, in.opts); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRecommendInvalid(t *testing.T) {
	in := randomInstance(rand.New(rand.NewPCG(1, 1)), 5, 3, 3)
	dup := append(slices.Clone(in.pool), in.pool[0])
	noDeadline := in.req
	noDeadline.Deadline = time.Time{}
	tests := []struct {
		name string
		req  eligibility.Requirements
		pool []eligibility.Company
		opts matching.Options
	}{
		{"duplicate company", in.req, dup, in.opts},
		{"invalid requirements", noDeadline, in.pool, in.opts},
		{"negative k", in.req, in.pool, matching.Options{MaxSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := matching.Recommend(context.Background(), tt.req, tt.pool, tt.opts)
			if err == nil || !strings.Contains(err.Error(), "invalid request") {
				t.Errorf("err = %v, want an invalid request error", err)
			}
		})
	}
}
