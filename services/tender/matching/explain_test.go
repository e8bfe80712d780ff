package matching_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// smallTender needs cloud and cybersecurity and 100,000 € of turnover; no
// technical solvency, so the numbers stay easy to follow.
func smallTender() eligibility.Requirements {
	return eligibility.Requirements{
		Capabilities:        []string{"cloud", "cybersecurity"},
		Economic:            eligibility.EconomicSolvency{ThresholdCents: 100_000_00},
		Technical:           eligibility.TechnicalSolvency{Exempt: true},
		Accumulation:        true,
		EstimatedValueCents: 100_000_00,
		DurationMonths:      12,
		Deadline:            deadline,
	}
}

// smallPool: A covers everything and is solvent alone (score 200 + 100); B
// (cloud, 60,000 €: 160) and C (cybersecurity, 50,000 €: 150) are solvent
// together; D (cybersecurity, 30,000 €: 130) is not solvent with B; E would
// be the best but is inactive.
func smallPool() []eligibility.Company {
	co := func(id string, caps []string, euros int64, active bool) eligibility.Company {
		return eligibility.Company{
			ID: id, Name: "Co " + id, Active: active, Clusters: []string{"c1"}, Capabilities: caps,
			Turnover: []eligibility.YearAmount{{Year: 2025, Cents: euros * 100}},
		}
	}
	both := []string{"cloud", "cybersecurity"}
	return []eligibility.Company{
		co("D", []string{"cybersecurity"}, 30_000, true),
		co("B", []string{"cloud"}, 60_000, true),
		co("E", both, 500_000, false),
		co("A", both, 120_000, true),
		co("C", []string{"cybersecurity"}, 50_000, true),
	}
}

// teamIDs returns a recommendation's member ids.
func teamIDs(rec matching.Recommendation) []string {
	var out []string
	for _, m := range rec.Team.Members {
		out = append(out, m.Company.ID)
	}
	return out
}

func TestRecommendExplained(t *testing.T) {
	res, err := matching.Recommend(context.Background(), smallTender(), smallPool(), matching.Options{MaxSize: 3, TopK: 5})
	if err != nil {
		t.Fatal(err)
	}
	// A alone; then pairs by score: A+B 460, A+C 450, A+D 430, B+C 310.
	want := []struct {
		ids   []string
		score int64
	}{{[]string{"A"}, 300}, {[]string{"A", "B"}, 460}, {[]string{"A", "C"}, 450}, {[]string{"A", "D"}, 430}, {[]string{"B", "C"}, 310}}
	if len(res.Teams) != len(want) || !res.Optimal {
		t.Fatalf("got %d teams (optimal %v), want %d", len(res.Teams), res.Optimal, len(want))
	}
	for i, w := range want {
		rec := res.Teams[i]
		if !slices.Equal(teamIDs(rec), w.ids) || rec.Score.Total != w.score || rec.Rank != i+1 {
			t.Errorf("#%d = %v score %d, want %v score %d", i+1, teamIDs(rec), rec.Score.Total, w.ids, w.score)
		}
	}
	second := res.Teams[1]
	for _, s := range []string{"#2 of 5: 2 members, score 460", "below #1 (fewer members: 1 vs 2)", "above #3 (higher score: 460 vs 450)"} {
		if !strings.Contains(second.Why, s) {
			t.Errorf("Why %q does not contain %q", second.Why, s)
		}
	}
	cov := second.Coverage
	if len(cov) != 2 || !slices.Equal(cov[0].By, []string{"A", "B"}) || !slices.Equal(cov[1].By, []string{"A"}) {
		t.Errorf("coverage = %+v, want cloud by A and B, cybersecurity by A", cov)
	}
	eco := second.Economic
	if !eco.Accumulated || eco.NeededCents != 100_000_00 || eco.ProvidedCents != 180_000_00 || len(eco.Members) != 2 || eco.Members[1].Cents != 60_000_00 {
		t.Errorf("economic = %+v, want 180,000 € provided of 100,000 €", eco)
	}
	if !second.Technical.Exempt {
		t.Error("technical solvency should be reported exempt")
	}
	if len(second.Score.Members) != 2 || second.Score.Members[0].Total != 300 || second.Score.Members[1].Total != 160 {
		t.Errorf("member scores = %+v, want A 300 and B 160", second.Score.Members)
	}
	if !second.Report.Eligible {
		t.Errorf("report not eligible: %+v", second.Report.Failed())
	}
	if res.Stats.Pool != 5 || res.Stats.Candidates != 4 || res.Stats.MaxSize != 3 {
		t.Errorf("stats = %+v, want pool 5, 4 candidates (E is inactive), k 3", res.Stats)
	}
}

func TestRecommendRules(t *testing.T) {
	tests := []struct {
		name string
		edit func(*eligibility.Requirements, *matching.Options)
		want [][]string
	}{
		// Without accumulation only A is solvent alone, so only A can be a member.
		{"no accumulation", func(r *eligibility.Requirements, _ *matching.Options) { r.Accumulation = false }, [][]string{{"A"}}},
		// MaxMembers caps k below the option.
		{"max members", func(r *eligibility.Requirements, _ *matching.Options) { r.MaxMembers = 1 }, [][]string{{"A"}}},
		// Only turnover matters: 120,000 € alone; pairs by score.
		{"solvency only", func(r *eligibility.Requirements, o *matching.Options) {
			r.Capabilities = nil
			o.TopK = 3
		}, [][]string{{"A"}, {"A", "B"}, {"A", "C"}}},
		// With cybersecurity only, A scores 200, B 60, C 150, D 130: A+C 350,
		// A+D 330, then A+B 260, since C+D (80,000 €) is not solvent.
		{"one capability", func(r *eligibility.Requirements, o *matching.Options) {
			r.Capabilities = []string{"cybersecurity"}
			o.TopK = 4
		}, [][]string{{"A"}, {"A", "C"}, {"A", "D"}, {"A", "B"}}},
		{"k of 1", func(_ *eligibility.Requirements, o *matching.Options) { o.MaxSize = 1 }, [][]string{{"A"}}},
		{"nothing covers", func(r *eligibility.Requirements, _ *matching.Options) { r.Capabilities = []string{"quantum"} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, opts := smallTender(), matching.Options{MaxSize: 3, TopK: 5}
			tt.edit(&req, &opts)
			res, err := matching.Recommend(context.Background(), req, smallPool(), opts)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, rec := range res.Teams {
				got = append(got, teamIDs(rec))
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) || !res.Optimal {
				t.Errorf("teams = %v (optimal %v), want %v", got, res.Optimal, tt.want)
			}
		})
	}
}

func TestRecommendInterClusterBonusRanks(t *testing.T) {
	pool := smallPool()
	for i := range pool {
		if pool[i].ID == "C" {
			pool[i].Clusters = []string{"c2"}
		}
	}
	res, err := matching.Recommend(context.Background(), smallTender(), pool, matching.Options{MaxSize: 2, TopK: 3, SharedClusters: []string{"c1", "c2"}})
	if err != nil {
		t.Fatal(err)
	}
	// A+C spans c1 and c2: 450 + 150 = 600 now beats A+B's 460.
	if got := teamIDs(res.Teams[1]); !slices.Equal(got, []string{"A", "C"}) || res.Teams[1].Score.InterCluster != 150 || res.Teams[1].Score.Total != 600 {
		t.Errorf("#2 = %v with %+v, want A+C with a 150 bonus (600)", got, res.Teams[1].Score)
	}
}

func TestRecommendTieBrokenByIDs(t *testing.T) {
	pool := smallPool()
	twin := pool[4] // C
	twin.ID = "F"
	pool = append(pool, twin)
	res, err := matching.Recommend(context.Background(), smallTender(), pool, matching.Options{MaxSize: 2, TopK: 5})
	if err != nil {
		t.Fatal(err)
	}
	// A+C and A+F both score 450; "A","C" sorts before "A","F".
	var got [][]string
	for _, rec := range res.Teams {
		got = append(got, teamIDs(rec))
	}
	want := [][]string{{"A"}, {"A", "B"}, {"A", "C"}, {"A", "F"}, {"A", "D"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("teams = %v, want %v", got, want)
	}
	if why := res.Teams[2].Why; !strings.Contains(why, "above #4 (same size and score 450; organisation ids A and C sort before A and F)") {
		t.Errorf("Why = %q, want the id tie-break explained", why)
	}
}
