package eligibility

import (
	"math"
	"math/big"
	"testing"
	"time"
)

func TestDefaultEconomicThreshold(t *testing.T) {
	tests := []struct {
		name      string
		estimated int64
		months    int
		want      int64
	}{
		// The brief's worked example: 300,000 € over 24 months → annual 150,000 € → 225,000 €.
		{"300k over 24 months", 300_000_00, 24, 225_000_00},
		{"one year uses the estimated value", 100_000_00, 12, 150_000_00},
		{"shorter than a year", 100_000_00, 6, 150_000_00},
		{"unknown duration counts as at most a year", 100_000_00, 0, 150_000_00},
		{"three years", 300_000_00, 36, 150_000_00},
		// 1,000,001 cents × 36 / 26 = 1,384,616.77 cents, rounded up.
		{"rounds up to the cent", 1_000_001, 13, 1_384_617},
		// 1 cent × 3 / 2 = 1.5 cents → 2.
		{"rounds up a half cent", 1, 6, 2},
		{"no value", 0, 24, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultEconomicThreshold(tt.estimated, tt.months); got != tt.want {
				t.Errorf("DefaultEconomicThreshold(%d, %d) = %d, want %d", tt.estimated, tt.months, got, tt.want)
			}
		})
	}
}

func TestAnnualValueAndTechnicalThreshold(t *testing.T) {
	tests := []struct {
		name          string
		estimated     int64
		months        int
		percent       int
		wantAnnual    int64
		wantTechnical int64
	}{
		{"300k over 24 months", 300_000_00, 24, 70, 150_000_00, 105_000_00},
		{"one year", 100_000_00, 12, 70, 100_000_00, 70_000_00},
		// 10,000,000 × 12 / 13 = 9,230,769.23 → 9,230,770; × 0.7 exactly = 6,461,538.46 → 6,461,539.
		{"13 months rounds up once", 100_000_00, 13, 70, 9_230_770, 6_461_539},
		{"100 percent", 240_000_00, 48, 100, 60_000_00, 60_000_00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AnnualValue(tt.estimated, tt.months); got != tt.wantAnnual {
				t.Errorf("AnnualValue = %d, want %d", got, tt.wantAnnual)
			}
			if got := DefaultTechnicalThreshold(tt.estimated, tt.months, tt.percent); got != tt.wantTechnical {
				t.Errorf("DefaultTechnicalThreshold = %d, want %d", got, tt.wantTechnical)
			}
		})
	}
}

func TestMulDivCeilLargeValues(t *testing.T) {
	tests := []struct{ a, b, c int64 }{
		{math.MaxInt64 / 2, 36, 48},
		{math.MaxInt64 - 7, 12, 13},
		{123_456_789_012_345, 1200, 700},
	}
	for _, tt := range tests {
		want := new(big.Int).Mul(big.NewInt(tt.a), big.NewInt(tt.b))
		want.Add(want, big.NewInt(tt.c-1))
		want.Quo(want, big.NewInt(tt.c))
		if !want.IsInt64() {
			want = big.NewInt(math.MaxInt64)
		}
		if got := mulDivCeil(tt.a, tt.b, tt.c); got != want.Int64() {
			t.Errorf("mulDivCeil(%d, %d, %d) = %d, want %d", tt.a, tt.b, tt.c, got, want.Int64())
		}
	}
	if got := mulDivCeil(math.MaxInt64, 36, 2); got != math.MaxInt64 {
		t.Errorf("overflowing result = %d, want saturation at MaxInt64", got)
	}
}

func TestWindow(t *testing.T) {
	first, last := Window(time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC))
	if first != 2024 || last != 2026 {
		t.Errorf("Window = %d..%d, want 2024..2026", first, last)
	}
}

func TestRequirementsThresholds(t *testing.T) {
	base := tender()
	tests := []struct {
		name          string
		edit          func(*Requirements)
		wantEconomic  int64
		wantTechnical int64
	}{
		{"derived", func(*Requirements) {}, 225_000_00, 105_000_00},
		{"explicit", func(r *Requirements) {
			r.Economic.ThresholdCents = 1_000_00
			r.Technical.RequiredCents = 2_000_00
		}, 1_000_00, 2_000_00},
		{"custom percent", func(r *Requirements) { r.Technical.Percent = 50 }, 225_000_00, 75_000_00},
		{"exempt", func(r *Requirements) {
			r.Economic.Exempt = true
			r.Technical.Exempt = true
		}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			if got := r.EconomicThreshold(); got != tt.wantEconomic {
				t.Errorf("EconomicThreshold = %d, want %d", got, tt.wantEconomic)
			}
			if got := r.TechnicalThreshold(); got != tt.wantTechnical {
				t.Errorf("TechnicalThreshold = %d, want %d", got, tt.wantTechnical)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Requirements)
		wantErr bool
	}{
		{"valid", func(*Requirements) {}, false},
		{"no deadline", func(r *Requirements) { r.Deadline = time.Time{} }, true},
		{"no value to derive from", func(r *Requirements) { r.EstimatedValueCents = 0 }, true},
		{"no value but explicit thresholds", func(r *Requirements) {
			r.EstimatedValueCents = 0
			r.Economic.ThresholdCents = 1
			r.Technical.RequiredCents = 1
		}, false},
		{"bad CPV", func(r *Requirements) { r.Technical.CPVs = []string{"7220"} }, true},
		{"CPV with check digit", func(r *Requirements) { r.Technical.CPVs = []string{"72200000-7"} }, false},
		{"no CPV", func(r *Requirements) { r.Technical.CPVs = nil }, true},
		{"no CPV when exempt", func(r *Requirements) { r.Technical.CPVs = nil; r.Technical.Exempt = true }, false},
		{"prefix too long", func(r *Requirements) { r.Technical.PrefixLen = 9 }, true},
		{"percent above 100", func(r *Requirements) { r.Technical.Percent = 101 }, true},
		{"duplicate capability", func(r *Requirements) { r.Capabilities = []string{"cloud", "cloud"} }, true},
		{"duplicate certification kind", func(r *Requirements) {
			r.Certifications = []CertificationRequirement{{Kind: "ENS", Level: LevelMedia}, {Kind: "ENS", Level: LevelAlta}}
		}, true},
		{"unknown level", func(r *Requirements) { r.Certifications = []CertificationRequirement{{Kind: "ENS", Level: 7}} }, true},
		{"negative max members", func(r *Requirements) { r.MaxMembers = -1 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tender()
			tt.edit(&r)
			if err := r.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestNormalizeCPV(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"72200000", "72200000", true},
		{"72200000-7", "72200000", true},
		{" 72200000 ", "72200000", true},
		{"7220000", "", false},
		{"72200000-", "", false},
		{"72200000-77", "", false},
		{"7220000A", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeCPV(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeCPV(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    Level
		wantErr bool
	}{
		{"", LevelNone, false},
		{"básica", LevelBasica, false},
		{"Basica", LevelBasica, false},
		{"MEDIA", LevelMedia, false},
		{"alta", LevelAlta, false},
		{"high", LevelNone, true},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && tt.in != "" && got.String() == "" {
			t.Errorf("Level %d has no name", got)
		}
	}
}

func TestAssessSimilarReferences(t *testing.T) {
	req := tender() // CPV 72200000, prefix 3, window 2024..2026
	tests := []struct {
		name      string
		refs      []Reference
		wantBest  YearAmount
		wantTotal int64
	}{
		{"same group summed per year", []Reference{
			{CPV: "72212000", Cents: 60_000_00, Year: 2025},
			{CPV: "72200000-7", Cents: 50_000_00, Year: 2025},
			{CPV: "72250000", Cents: 80_000_00, Year: 2024},
		}, YearAmount{Year: 2025, Cents: 110_000_00}, 190_000_00},
		{"other group does not count", []Reference{
			{CPV: "72000000", Cents: 200_000_00, Year: 2025}, // group 720, not 722
			{CPV: "48000000", Cents: 200_000_00, Year: 2025},
		}, YearAmount{}, 0},
		{"out of window does not count", []Reference{
			{CPV: "72212000", Cents: 200_000_00, Year: 2023}, // before the window
			{CPV: "72212000", Cents: 200_000_00, Year: 2027}, // the deadline's own year
			{CPV: "72212000", Cents: 10_000_00, Year: 2026},
		}, YearAmount{Year: 2026, Cents: 10_000_00}, 10_000_00},
		{"malformed CPV ignored", []Reference{{CPV: "722", Cents: 200_000_00, Year: 2025}}, YearAmount{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Assess(req, Company{ID: "B1", References: tt.refs})
			if s.Similar != tt.wantBest || s.SimilarTotalCents != tt.wantTotal {
				t.Errorf("Similar = %+v, total %d; want %+v, total %d", s.Similar, s.SimilarTotalCents, tt.wantBest, tt.wantTotal)
			}
		})
	}
}

func TestAssessTurnoverWindow(t *testing.T) {
	c := Company{ID: "B1", Turnover: []YearAmount{
		{Year: 2023, Cents: 900_000_00}, // before the window
		{Year: 2024, Cents: 70_000_00},
		{Year: 2025, Cents: 90_000_00},
		{Year: 2026, Cents: 80_000_00},
		{Year: 2027, Cents: 900_000_00}, // the deadline's year: not concluded
	}}
	s := Assess(tender(), c)
	if want := (YearAmount{Year: 2025, Cents: 90_000_00}); s.Turnover != want {
		t.Errorf("Turnover = %+v, want %+v", s.Turnover, want)
	}
}

func TestAssessToReusesBuffersWithoutStaleData(t *testing.T) {
	req := tender()
	a := NewAssessor(req)
	full := company("A1", "Alfa", 300_000)
	full.Certifications = []Certification{{Kind: "ENS", Level: LevelAlta, Expires: day(2028, 1, 1)}}
	empty := Company{ID: "E0"}
	var s Standing
	a.AssessTo(full, &s)
	if !s.Capabilities[0] || !s.Certifications[0].OK() || s.Turnover.Cents == 0 {
		t.Fatalf("full company assessed as %+v", s)
	}
	a.AssessTo(empty, &s)
	fresh := Assess(req, empty)
	if s.Capabilities[0] || s.Capabilities[1] || s.Certifications[0].Problem != CertNone || s.Turnover != fresh.Turnover || s.Similar != fresh.Similar {
		t.Errorf("reused standing %+v differs from a fresh one %+v", s, fresh)
	}
}
