package matching_test

import (
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// scoreTender: 300,000 € over 24 months (annual 150,000 €, economic threshold
// 225,000 €), cloud and cybersecurity, ENS media.
func scoreTender() eligibility.Requirements {
	return eligibility.Requirements{
		Capabilities:        []string{"cloud", "cybersecurity"},
		Certifications:      []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}},
		Accumulation:        true,
		EstimatedValueCents: 300_000_00,
		DurationMonths:      24,
		Deadline:            deadline, // 2027-03-15
	}
}

func TestScoreTeamWorkedExample(t *testing.T) {
	// Alfa: both capabilities and ENS alta (3 × 100 coverage); similar
	// references 60,000 € = 40 % of the annual value (40); ENS valid 14 full
	// months after the deadline (28); best turnover 90,000 € = 40 % of the
	// threshold (40). Total 408.
	alfa := eligibility.Company{
		ID: "A1", Clusters: []string{"c1"}, Capabilities: []string{"cloud", "cybersecurity"},
		Certifications: []eligibility.Certification{{Kind: "ENS", Level: eligibility.LevelAlta, Expires: time.Date(2028, 5, 20, 0, 0, 0, 0, time.UTC)}},
		Turnover:       []eligibility.YearAmount{{Year: 2025, Cents: 90_000_00}},
		References: []eligibility.Reference{
			{CPV: "72212000", Year: 2024, Cents: 20_000_00},
			{CPV: "72250000", Year: 2026, Cents: 40_000_00},
			{CPV: "79400000", Year: 2026, Cents: 90_000_00}, // not similar
		},
	}
	// Beta: cloud only (100); 400,000 € of similar references, capped at 200;
	// turnover 300,000 €, capped at 100; an ENS that expires 13 months and 26
	// days after the deadline still scores nothing, as Beta's is only basica.
	beta := eligibility.Company{
		ID: "B2", Clusters: []string{"c2"}, Capabilities: []string{"cloud"},
		Certifications: []eligibility.Certification{{Kind: "ENS", Level: eligibility.LevelBasica, Expires: time.Date(2028, 5, 10, 0, 0, 0, 0, time.UTC)}},
		Turnover:       []eligibility.YearAmount{{Year: 2024, Cents: 300_000_00}},
		References:     []eligibility.Reference{{CPV: "72212000", Year: 2025, Cents: 400_000_00}},
	}
	tests := []struct {
		name      string
		shared    []string
		clusters  []string // Beta's clusters
		wantBonus int64
	}{
		{"different clusters of a shared tender", []string{"c1", "c2"}, []string{"c2"}, 150},
		{"same cluster", []string{"c1", "c2"}, []string{"c1"}, 0},
		{"tender shared with one cluster", []string{"c1"}, []string{"c2"}, 0},
		{"one common cluster among several", []string{"c1", "c2"}, []string{"c2", "c1"}, 0},
		{"a member outside the shared clusters", []string{"c1", "c2"}, []string{"c9"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := beta
			b.Clusters = tt.clusters
			sc := matching.ScoreTeam(scoreTender(), []eligibility.Company{alfa, b}, tt.shared)
			wantA := matching.MemberScore{CompanyID: "A1", Coverage: 300, Experience: 40, Certification: 28, Turnover: 40, Total: 408}
			wantB := matching.MemberScore{CompanyID: "B2", Coverage: 100, Experience: 200, Certification: 0, Turnover: 100, Total: 400}
			if len(sc.Members) != 2 || sc.Members[0] != wantA || sc.Members[1] != wantB {
				t.Fatalf("members = %+v, want %+v and %+v", sc.Members, wantA, wantB)
			}
			if sc.InterCluster != tt.wantBonus || sc.Total != 808+tt.wantBonus {
				t.Errorf("bonus %d total %d, want %d and %d", sc.InterCluster, sc.Total, tt.wantBonus, 808+tt.wantBonus)
			}
			if sc.Coverage != 400 || sc.Experience != 240 || sc.Certification != 28 || sc.Turnover != 140 {
				t.Errorf("components = %+v", sc)
			}
		})
	}
}

func TestScoreTeamCertificationMonths(t *testing.T) {
	tests := []struct {
		expires time.Time
		want    int64
	}{
		{time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 0},  // expires on the deadline's day
		{time.Date(2027, 4, 14, 0, 0, 0, 0, time.UTC), 0},  // a day short of a month
		{time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC), 2},  // one full month
		{time.Date(2028, 5, 10, 0, 0, 0, 0, time.UTC), 26}, // 13 full months
		{time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), 48},  // capped at 24 months
	}
	for _, tt := range tests {
		c := eligibility.Company{ID: "A1", Certifications: []eligibility.Certification{{Kind: "ENS", Level: eligibility.LevelMedia, Expires: tt.expires}}}
		sc := matching.ScoreTeam(scoreTender(), []eligibility.Company{c}, nil)
		if got := sc.Members[0].Certification; got != tt.want {
			t.Errorf("expiry %s: certification points %d, want %d", tt.expires.Format(time.DateOnly), got, tt.want)
		}
	}
}
