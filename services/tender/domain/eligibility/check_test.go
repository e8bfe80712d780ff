package eligibility

import (
	"strings"
	"testing"
	"time"
)

// cet is the deadline's zone (Madrid in winter), fixed so tests need no tz database.
var cet = time.FixedZone("CET", 3600)

// tender is the worked example: 300,000 € over 24 months (economic threshold
// 225,000 €, technical 105,000 €), CPV 72200000, ENS media, deadline 2027-03-15.
func tender() Requirements {
	return Requirements{
		Capabilities:        []string{"cybersecurity", "cloud"},
		Technical:           TechnicalSolvency{CPVs: []string{"72200000"}},
		Certifications:      []CertificationRequirement{{Kind: "ENS", Level: LevelMedia}},
		Accumulation:        true,
		EstimatedValueCents: 300_000_00,
		DurationMonths:      24,
		Deadline:            time.Date(2027, 3, 15, 14, 0, 0, 0, cet),
	}
}

// day is a calendar date at midnight UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// company returns an active company whose best turnover year (2025) is
// bestEuros, with lower years around it and 60,000 € of similar references in 2025.
func company(id, name string, bestEuros int64) Company {
	return Company{
		ID:           id,
		Name:         name,
		Active:       true,
		Capabilities: []string{"cybersecurity", "cloud"},
		Turnover: []YearAmount{
			{Year: 2024, Cents: bestEuros * 100 / 2},
			{Year: 2025, Cents: bestEuros * 100},
			{Year: 2026, Cents: bestEuros * 100 * 3 / 4},
		},
		References: []Reference{{CPV: "72212000", Cents: 60_000_00, Year: 2025, Buyer: "Ayuntamiento"}},
	}
}

// results returns the report's results for a rule (and member, when not empty).
func results(rep Report, rule, member string) []Result {
	var out []Result
	for _, r := range rep.Results {
		if r.Rule == rule && (member == "" || r.Member == member) {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single result for a rule and member, failing the test otherwise.
func one(t *testing.T, rep Report, rule, member string) Result {
	t.Helper()
	rs := results(rep, rule, member)
	if len(rs) != 1 {
		t.Fatalf("got %d %q results for member %q, want 1: %+v", len(rs), rule, member, rep.Results)
	}
	return rs[0]
}

func TestCheckEconomicSolvency(t *testing.T) {
	a := company("A1", "Alfa", 90_000)
	b := company("B2", "Beta", 80_000)
	c := company("C3", "Gamma", 70_000)
	type want struct {
		member string
		ok     bool
		have   int64
	}
	tests := []struct {
		name       string
		accumulate bool
		members    []Company
		want       []want
		detail     string
	}{
		{"accumulated 90k+80k+70k = 240k ≥ 225k", true, []Company{a, b, c},
			[]want{{"", true, 240_000_00}}, "= 240,000 €; the tender requires 225,000 €"},
		{"90k alone fails", true, []Company{a}, []want{{"A1", false, 90_000_00}}, "135,000 € short"},
		{"80k alone fails", true, []Company{b}, []want{{"B2", false, 80_000_00}}, "145,000 € short"},
		{"70k alone fails", true, []Company{c}, []want{{"C3", false, 70_000_00}}, "155,000 € short"},
		{"two of them are 55k short", true, []Company{a, b}, []want{{"", false, 170_000_00}}, "55,000 € short"},
		{"no accumulation: every member fails alone", false, []Company{a, b, c},
			[]want{{"A1", false, 90_000_00}, {"B2", false, 80_000_00}, {"C3", false, 70_000_00}}, "does not allow accumulation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tender()
			req.Accumulation = tt.accumulate
			rep := Check(req, TeamOf(tt.members...), Options{})
			rs := results(rep, RuleEconomic, "")
			if len(rs) != len(tt.want) {
				t.Fatalf("got %d economic results, want %d: %+v", len(rs), len(tt.want), rs)
			}
			allOK := true
			for i, w := range tt.want {
				r := rs[i]
				if r.Member != w.member || r.OK != w.ok || r.HaveValue != w.have || r.NeededValue != 225_000_00 {
					t.Errorf("result %d = member %q ok %v have %d needed %d; want %q %v %d 22500000",
						i, r.Member, r.OK, r.HaveValue, r.NeededValue, w.member, w.ok, w.have)
				}
				if r.Needed != "225,000 €" {
					t.Errorf("Needed = %q, want 225,000 €", r.Needed)
				}
				if !strings.Contains(r.Detail, tt.detail) {
					t.Errorf("Detail %q does not contain %q", r.Detail, tt.detail)
				}
				allOK = allOK && w.ok
			}
			if !allOK && rep.Eligible {
				t.Error("report is eligible with failed economic solvency")
			}
		})
	}
}

func TestCheckEligibleTeamReportsEveryRule(t *testing.T) {
	a := company("A1", "Alfa", 90_000)
	b := company("B2", "Beta", 80_000)
	c := company("C3", "Gamma", 70_000)
	a.Certifications = []Certification{{Kind: "ENS", Level: LevelMedia, Issued: day(2025, 1, 1), Expires: day(2028, 1, 1)}}
	rep := Check(tender(), TeamOf(a, b, c), Options{})
	if !rep.Eligible {
		t.Fatalf("team not eligible: %+v", rep.Failed())
	}
	wantRules := []string{RuleMembers, RuleActive, RuleMaxMembers, RuleCapabilities, RuleCertification, RuleEconomic, RuleTechnical}
	for _, rule := range wantRules {
		if len(results(rep, rule, "")) == 0 {
			t.Errorf("no %q result for an eligible team", rule)
		}
	}
	for _, r := range rep.Results {
		if !r.OK || r.Detail == "" || r.Needed == "" || r.Have == "" {
			t.Errorf("result %+v is not OK or lacks text", r)
		}
	}
	// Technical: 3 × 60,000 € best years = 180,000 € ≥ 105,000 €.
	tech := one(t, rep, RuleTechnical, "")
	if tech.HaveValue != 180_000_00 || tech.NeededValue != 105_000_00 {
		t.Errorf("technical have %d needed %d, want 18000000 and 10500000", tech.HaveValue, tech.NeededValue)
	}
}

func TestCheckCertification(t *testing.T) {
	ens := func(l Level, issued, expires time.Time) []Certification {
		return []Certification{{Kind: "ENS", Level: l, Issued: issued, Expires: expires}}
	}
	tests := []struct {
		name     string
		certs    []Certification // held by Alfa, the only holder
		certify  bool            // Beta (which holds nothing) is assigned to run the system
		ok       bool
		member   string
		have     int64
		contains string
	}{
		{"expires the day before the deadline", ens(LevelMedia, day(2025, 3, 14), day(2027, 3, 14)), false, false, "A1", -1,
			"ENS media held by Alfa (A1) expires 2027-03-14, the day before the deadline 2027-03-15"},
		{"expired long before", ens(LevelMedia, day(2024, 1, 1), day(2027, 3, 5)), false, false, "A1", -1,
			"expires 2027-03-05, 10 days before the deadline 2027-03-15"},
		{"expires on the deadline's day", ens(LevelMedia, day(2025, 3, 15), day(2027, 3, 15)), false, true, "A1", int64(LevelMedia),
			"held by Alfa (A1) (ENS media valid until 2027-03-15)"},
		{"alta satisfies media", ens(LevelAlta, day(2026, 1, 1), day(2028, 1, 1)), false, true, "A1", int64(LevelAlta),
			"ENS alta valid until 2028-01-01"},
		{"basica is below media", ens(LevelBasica, day(2026, 1, 1), day(2028, 1, 1)), false, false, "A1", -1,
			"Alfa (A1) holds ENS basica, below the required ENS media"},
		{"issued after the deadline", ens(LevelMedia, day(2027, 4, 1), day(2029, 4, 1)), false, false, "A1", -1,
			"is issued 2027-04-01, 17 days after the deadline 2027-03-15"},
		{"no expiry recorded", ens(LevelMedia, day(2026, 1, 1), time.Time{}), false, false, "A1", -1, "has no expiry date recorded"},
		{"nobody holds it", nil, false, false, "", -1, "No member holds ENS media or higher"},
		{"the assigned member must hold it", ens(LevelAlta, day(2026, 1, 1), day(2028, 1, 1)), true, false, "B2", -1,
			"from Beta (B2), which runs the certified system: Beta (B2) holds no ENS certificate"},
		{"expired and valid certificates: the valid one counts", append(
			ens(LevelMedia, day(2024, 1, 1), day(2026, 1, 1)),
			ens(LevelMedia, day(2026, 1, 1), day(2028, 1, 1))...), false, true, "A1", int64(LevelMedia), "valid until 2028-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := company("A1", "Alfa", 200_000)
			a.Certifications = tt.certs
			b := company("B2", "Beta", 100_000)
			team := TeamOf(a, b)
			if tt.certify {
				team.Members[1].Certifies = []string{"ENS"}
			}
			rep := Check(tender(), team, Options{})
			r := one(t, rep, RuleCertification, "")
			if r.OK != tt.ok || r.Member != tt.member || r.HaveValue != tt.have || r.NeededValue != int64(LevelMedia) {
				t.Errorf("got ok %v member %q have %d needed %d; want %v %q %d %d (%s)",
					r.OK, r.Member, r.HaveValue, r.NeededValue, tt.ok, tt.member, tt.have, LevelMedia, r.Detail)
			}
			if r.Subject != "ENS media" {
				t.Errorf("Subject = %q, want ENS media", r.Subject)
			}
			if !strings.Contains(r.Detail, tt.contains) {
				t.Errorf("Detail %q does not contain %q", r.Detail, tt.contains)
			}
			if rep.Eligible != tt.ok {
				t.Errorf("Eligible = %v, want %v (failed: %+v)", rep.Eligible, tt.ok, rep.Failed())
			}
		})
	}
}

func TestCheckCertificationComparesCalendarDates(t *testing.T) {
	// The deadline is 23:30 in Madrid on the 15th (22:30 UTC); a certificate
	// expiring on the 15th is still valid that day.
	req := tender()
	req.Deadline = time.Date(2027, 3, 15, 23, 30, 0, 0, cet)
	a := company("A1", "Alfa", 300_000)
	a.References = []Reference{{CPV: "72212000", Cents: 200_000_00, Year: 2026}}
	a.Certifications = []Certification{{Kind: "ENS", Level: LevelMedia, Issued: day(2025, 3, 15), Expires: day(2027, 3, 15)}}
	rep := Check(req, TeamOf(a), Options{})
	if !rep.Eligible {
		t.Errorf("a certificate expiring on the deadline's day was rejected: %+v", rep.Failed())
	}
}

func TestCheckShares(t *testing.T) {
	tests := []struct {
		name      string
		shares    []int
		leads     []bool
		require   bool
		wantRules map[string]bool // rule → OK for the team-level shares and lead results
		wantHave  int64
		wantText  string
	}{
		{"99.5% fails", []int{5000, 4950}, []bool{true, false}, true,
			map[string]bool{RuleShares: false, RuleLead: true}, 9950, "99.5%"},
		{"100% with one lead passes", []int{5050, 4950}, []bool{false, true}, true,
			map[string]bool{RuleShares: true, RuleLead: true}, 10000, "100%"},
		{"two leads fail", []int{5000, 5000}, []bool{true, true}, true,
			map[string]bool{RuleShares: true, RuleLead: false}, 10000, "100%"},
		{"no lead fails", []int{5000, 5000}, []bool{false, false}, true,
			map[string]bool{RuleShares: true, RuleLead: false}, 10000, "100%"},
		{"a zero share fails", []int{10000, 0}, []bool{true, false}, true,
			map[string]bool{RuleShares: false, RuleLead: true}, 10000, "100%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := company("A1", "Alfa", 200_000)
			a.Certifications = []Certification{{Kind: "ENS", Level: LevelMedia, Expires: day(2028, 1, 1)}}
			team := TeamOf(a, company("B2", "Beta", 100_000))
			for i := range team.Members {
				team.Members[i].ShareBP = tt.shares[i]
				team.Members[i].Lead = tt.leads[i]
			}
			rep := Check(tender(), team, Options{RequireShares: tt.require})
			total := results(rep, RuleShares, "")[0] // the team-level sum comes first
			if total.Member != "" || total.NeededValue != 10000 || total.HaveValue != tt.wantHave ||
				total.Needed != "100%" || total.Have != tt.wantText {
				t.Errorf("shares total = %+v, want needed 100%% have %s (%d)", total, tt.wantText, tt.wantHave)
			}
			wantEligible := true
			for rule, ok := range tt.wantRules {
				allOK := true
				for _, r := range results(rep, rule, "") {
					allOK = allOK && r.OK
				}
				if allOK != ok {
					t.Errorf("rule %s OK = %v, want %v: %+v", rule, allOK, ok, results(rep, rule, ""))
				}
				wantEligible = wantEligible && ok
			}
			if rep.Eligible != wantEligible {
				t.Errorf("Eligible = %v, want %v", rep.Eligible, wantEligible)
			}
			// Without RequireShares a draft team has no shares or lead results.
			draft := Check(tender(), team, Options{})
			if len(results(draft, RuleShares, ""))+len(results(draft, RuleLead, "")) != 0 {
				t.Error("shares checked without RequireShares")
			}
		})
	}
}

func TestCheckZeroShareNamesMember(t *testing.T) {
	team := TeamOf(company("A1", "Alfa", 1), company("B2", "Beta", 1))
	team.Members[0].ShareBP = 10000
	team.Members[0].Lead = true
	rep := Check(tender(), team, Options{RequireShares: true})
	r := one(t, rep, RuleShares, "B2")
	if r.OK || r.HaveValue != 0 || !strings.Contains(r.Detail, "Beta (B2) has a share of 0%") {
		t.Errorf("zero share result = %+v", r)
	}
}

func TestCheckTechnicalSolvency(t *testing.T) {
	tests := []struct {
		name       string
		accumulate bool
		refs       [][]Reference // per member
		want       []int64       // HaveValue per result
		ok         []bool
	}{
		{"matching prefix in one year passes alone", true, [][]Reference{{
			{CPV: "72212000", Cents: 60_000_00, Year: 2025},
			{CPV: "72230000", Cents: 50_000_00, Year: 2025},
		}}, []int64{110_000_00}, []bool{true}},
		{"split over two years only the best counts", true, [][]Reference{{
			{CPV: "72212000", Cents: 60_000_00, Year: 2025},
			{CPV: "72230000", Cents: 50_000_00, Year: 2026},
		}}, []int64{60_000_00}, []bool{false}},
		{"non-matching prefix and out-of-window years do not count", true, [][]Reference{{
			{CPV: "72000000", Cents: 500_000_00, Year: 2025},
			{CPV: "79400000", Cents: 500_000_00, Year: 2025},
			{CPV: "72212000", Cents: 500_000_00, Year: 2023},
			{CPV: "72212000", Cents: 500_000_00, Year: 2027},
		}}, []int64{0}, []bool{false}},
		{"accumulated best years of two members", true, [][]Reference{
			{{CPV: "72212000", Cents: 60_000_00, Year: 2025}},
			{{CPV: "72250000", Cents: 50_000_00, Year: 2024}},
		}, []int64{110_000_00}, []bool{true}},
		{"without accumulation each member alone", false, [][]Reference{
			{{CPV: "72212000", Cents: 110_000_00, Year: 2025}},
			{{CPV: "72250000", Cents: 50_000_00, Year: 2024}},
		}, []int64{110_000_00, 50_000_00}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tender()
			req.Accumulation = tt.accumulate
			var cs []Company
			for i, refs := range tt.refs {
				c := company(string(rune('A'+i))+"1", "Co", 1_000_000)
				c.References = refs
				cs = append(cs, c)
			}
			rep := Check(req, TeamOf(cs...), Options{})
			rs := results(rep, RuleTechnical, "")
			if len(rs) != len(tt.want) {
				t.Fatalf("got %d technical results, want %d", len(rs), len(tt.want))
			}
			for i, r := range rs {
				if r.HaveValue != tt.want[i] || r.OK != tt.ok[i] || r.NeededValue != 105_000_00 {
					t.Errorf("result %d: have %d ok %v needed %d; want %d %v 10500000 (%s)",
						i, r.HaveValue, r.OK, r.NeededValue, tt.want[i], tt.ok[i], r.Detail)
				}
			}
		})
	}
}

func TestCheckTeamRules(t *testing.T) {
	valid := func(id string) Company {
		c := company(id, "Co "+id, 300_000)
		c.References = []Reference{{CPV: "72212000", Cents: 200_000_00, Year: 2026}}
		c.Certifications = []Certification{{Kind: "ENS", Level: LevelMedia, Expires: day(2028, 1, 1)}}
		return c
	}
	inactive := valid("I9")
	inactive.Active = false
	noCloud := valid("N8")
	noCloud.Capabilities = []string{"cybersecurity"}
	tests := []struct {
		name     string
		edit     func(*Requirements)
		team     Team
		rule     string
		member   string
		needed   int64
		have     int64
		contains string
	}{
		{"max members exceeded", func(r *Requirements) { r.MaxMembers = 2 },
			TeamOf(valid("A1"), valid("B2"), valid("C3")), RuleMaxMembers, "", 2, 3, "allows at most 2"},
		{"inactive member", nil, TeamOf(valid("A1"), inactive), RuleActive, "I9", 1, 0, "Co I9 (I9) is not an active cluster member"},
		{"duplicate company", nil, TeamOf(valid("A1"), valid("A1")), RuleMembers, "A1", 1, 2, "appears 2 times"},
		{"missing capability", nil, TeamOf(noCloud), RuleCapabilities, "", 2, 1, "Missing Cloud"},
		{"covers restricts capabilities", nil, Team{Members: []Member{
			{Company: valid("A1"), Covers: []string{"cybersecurity"}},
		}}, RuleCapabilities, "", 2, 1, "Missing Cloud"},
		{"covers an undeclared capability", nil, Team{Members: []Member{
			{Company: noCloud, Covers: []string{"cloud"}},
			{Company: valid("A1")},
		}}, RuleAssignment, "N8", 0, 1, "is assigned Cloud but does not declare it"},
		{"invalid requirements", func(r *Requirements) { r.Deadline = time.Time{} },
			TeamOf(valid("A1")), RuleRequirements, "", 0, 0, "the deadline is missing"},
		{"empty team", nil, Team{}, RuleMembers, "", 1, 0, "no members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tender()
			if tt.edit != nil {
				tt.edit(&req)
			}
			rep := Check(req, tt.team, Options{})
			if rep.Eligible {
				t.Fatal("team is eligible, want a failure")
			}
			r := one(t, rep, tt.rule, tt.member)
			if r.OK || r.NeededValue != tt.needed || r.HaveValue != tt.have || !strings.Contains(r.Detail, tt.contains) {
				t.Errorf("result = %+v; want failing, needed %d have %d, detail containing %q", r, tt.needed, tt.have, tt.contains)
			}
			if len(rep.Failed()) == 0 {
				t.Error("Failed() is empty for an ineligible report")
			}
		})
	}
}

func TestCheckExemptSolvency(t *testing.T) {
	req := tender()
	req.Economic.Exempt = true
	req.Technical.Exempt = true
	c := Company{ID: "A1", Active: true, Capabilities: []string{"cybersecurity", "cloud"},
		Certifications: []Certification{{Kind: "ENS", Level: LevelAlta, Expires: day(2030, 1, 1)}}}
	rep := Check(req, TeamOf(c), Options{})
	if !rep.Eligible {
		t.Errorf("a company without turnover failed an exempt tender: %+v", rep.Failed())
	}
	if r := one(t, rep, RuleEconomic, ""); r.Needed != "not required" {
		t.Errorf("economic Needed = %q, want not required", r.Needed)
	}
}
