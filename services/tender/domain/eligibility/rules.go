package eligibility

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"time"
)

// AnnualValue returns the contract's average annual value in cents: the
// estimated value for contracts of at most 12 months (or unknown duration,
// months ≤ 0), otherwise estimated ÷ months × 12, rounded up to the cent.
func AnnualValue(estimatedCents int64, months int) int64 {
	if estimatedCents <= 0 {
		return 0
	}
	if months <= 12 {
		return estimatedCents
	}
	return mulDivCeil(estimatedCents, 12, int64(months))
}

// DefaultEconomicThreshold returns the default turnover threshold of LCSP
// art. 87.3 a: 1.5 × the estimated value, or 1.5 × the average annual value
// when the contract lasts more than 12 months. It is computed from the exact
// annual value and rounded up to the cent once (the bidder-unfavourable
// direction), e.g. 300,000 € over 24 months → annual 150,000 € → 225,000 €.
func DefaultEconomicThreshold(estimatedCents int64, months int) int64 {
	if estimatedCents <= 0 {
		return 0
	}
	if months <= 12 {
		return mulDivCeil(estimatedCents, 3, 2)
	}
	return mulDivCeil(estimatedCents, 3*12, 2*int64(months))
}

// DefaultTechnicalThreshold returns percent % of the average annual value (LCSP
// art. 90.1 a), from the exact annual value, rounded up to the cent once.
func DefaultTechnicalThreshold(estimatedCents int64, months, percent int) int64 {
	if estimatedCents <= 0 || percent <= 0 {
		return 0
	}
	if months <= 12 {
		return mulDivCeil(estimatedCents, int64(percent), 100)
	}
	return mulDivCeil(estimatedCents, 12*int64(percent), 100*int64(months))
}

// Window returns the years whose turnover and references count for a tender
// with this deadline: the three calendar years before the deadline's year
// (see the package documentation for why the deadline's year is left out).
func Window(deadline time.Time) (first, last int) {
	y := deadline.Year()
	return y - 3, y - 1
}

// EconomicThreshold returns the turnover the tender requires (0 when exempt).
func (r Requirements) EconomicThreshold() int64 {
	if r.Economic.Exempt {
		return 0
	}
	if r.Economic.ThresholdCents > 0 {
		return r.Economic.ThresholdCents
	}
	return DefaultEconomicThreshold(r.EstimatedValueCents, r.DurationMonths)
}

// TechnicalThreshold returns the best-year value of similar references the
// tender requires (0 when exempt).
func (r Requirements) TechnicalThreshold() int64 {
	if r.Technical.Exempt {
		return 0
	}
	if r.Technical.RequiredCents > 0 {
		return r.Technical.RequiredCents
	}
	return DefaultTechnicalThreshold(r.EstimatedValueCents, r.DurationMonths, r.percent())
}

// prefixLen returns the effective number of CPV digits compared.
func (r Requirements) prefixLen() int {
	if r.Technical.PrefixLen == 0 {
		return DefaultPrefixLen
	}
	return r.Technical.PrefixLen
}

// percent returns the effective technical solvency percentage.
func (r Requirements) percent() int {
	if r.Technical.Percent == 0 {
		return DefaultPercent
	}
	return r.Technical.Percent
}

// Validate reports the first reason the requirements cannot be checked, or nil.
func (r Requirements) Validate() error {
	if r.Deadline.IsZero() {
		return errors.New("the deadline is missing")
	}
	if r.EstimatedValueCents < 0 {
		return errors.New("the estimated value is negative")
	}
	if r.DurationMonths < 0 {
		return errors.New("the duration is negative")
	}
	if r.MaxMembers < 0 {
		return errors.New("the maximum number of members is negative")
	}
	if r.Economic.ThresholdCents < 0 {
		return errors.New("the economic threshold is negative")
	}
	if !r.Economic.Exempt && r.Economic.ThresholdCents == 0 && r.EstimatedValueCents == 0 {
		return errors.New("the economic threshold cannot be derived without an estimated value")
	}
	t := r.Technical
	if t.RequiredCents < 0 {
		return errors.New("the technical threshold is negative")
	}
	// CPVs and the prefix are checked even when exempt: they still say which
	// references are similar (the matching engine scores experience on them).
	for _, c := range t.CPVs {
		if _, ok := NormalizeCPV(c); !ok {
			return fmt.Errorf("tender CPV code %q is not 8 digits", c)
		}
	}
	if t.PrefixLen != 0 && (t.PrefixLen < 2 || t.PrefixLen > 8) {
		return fmt.Errorf("CPV prefix length %d is outside 2..8", t.PrefixLen)
	}
	if t.Percent < 0 || t.Percent > 100 {
		return fmt.Errorf("technical percentage %d is outside 1..100", t.Percent)
	}
	if !t.Exempt {
		if len(t.CPVs) == 0 {
			return errors.New("technical solvency needs at least one tender CPV code")
		}
		if t.RequiredCents == 0 && r.EstimatedValueCents == 0 {
			return errors.New("the technical threshold cannot be derived without an estimated value")
		}
	}
	seen := make(map[string]bool, len(r.Capabilities))
	for _, c := range r.Capabilities {
		if c == "" {
			return errors.New("a required capability is empty")
		}
		if seen[c] {
			return fmt.Errorf("capability %q is required twice", c)
		}
		seen[c] = true
	}
	kinds := make(map[string]bool, len(r.Certifications))
	for _, c := range r.Certifications {
		if c.Kind == "" {
			return errors.New("a required certification has no kind")
		}
		if !c.Level.valid() {
			return fmt.Errorf("certification %s has an unknown level %d", c.Kind, int(c.Level))
		}
		if kinds[c.Kind] {
			return fmt.Errorf("certification %s is required twice", c.Kind)
		}
		kinds[c.Kind] = true
	}
	return nil
}

// NormalizeCPV returns the 8-digit form of a CPV code given as "72000000" or
// "72000000-5" (the check digit is dropped, not verified), and whether it was
// well formed.
func NormalizeCPV(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if i := strings.IndexByte(code, '-'); i >= 0 {
		if len(code) != i+2 || code[i+1] < '0' || code[i+1] > '9' {
			return "", false
		}
		code = code[:i]
	}
	if len(code) != 8 {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// CertProblem says why a company's certificate does not satisfy a requirement.
type CertProblem int

// The certificate problems, from none to the least useful certificate.
const (
	// CertOK means the certificate is valid on the deadline at the required level or higher.
	CertOK CertProblem = iota
	// CertExpired means the certificate expires before the deadline's date.
	CertExpired
	// CertNotYetIssued means the certificate is issued after the deadline's date.
	CertNotYetIssued
	// CertNoExpiry means the certificate has no expiry date recorded.
	CertNoExpiry
	// CertBelowLevel means the certificate's level is below the required one.
	CertBelowLevel
	// CertNone means the company holds no certificate of the kind.
	CertNone
)

// CertStanding is the best certificate a company holds for one required certification.
type CertStanding struct {
	// Problem is CertOK when Certificate satisfies the requirement.
	Problem CertProblem
	// Certificate is the valid certificate with the latest expiry when Problem
	// is CertOK, otherwise the closest miss; zero when Problem is CertNone.
	Certificate Certification
}

// OK reports whether the company satisfies the requirement.
func (s CertStanding) OK() bool { return s.Problem == CertOK }

// Standing is what one company brings to a tender on its own. Check and the
// matching engine both take their per-company facts from Assess, so they
// cannot disagree about a company.
type Standing struct {
	// Turnover is the best turnover year in the window (zero when none is declared).
	Turnover YearAmount
	// Similar is the best year of similar references in the window (zero when none).
	Similar YearAmount
	// SimilarTotalCents is the value of all similar references in the window.
	SimilarTotalCents int64
	// Capabilities[i] is true when the company declares req.Capabilities[i].
	Capabilities []bool
	// Certifications[i] is the company's standing for req.Certifications[i].
	Certifications []CertStanding
}

// Assess returns the company's standing for the requirements. It assumes
// req.Validate() == nil; with invalid requirements the result is meaningless.
func Assess(req Requirements, c Company) Standing {
	return NewAssessor(req).Assess(c)
}

// Assessor assesses many companies against one set of requirements, doing the
// per-tender work (window, deadline date, CPV prefixes) once. It is read-only
// after NewAssessor and safe for concurrent use.
type Assessor struct {
	req         Requirements
	first, last int       // the window's years
	deadline    time.Time // the deadline's calendar date
	prefixLen   int
	prefixes    []string       // the tender's CPV prefixes
	capIndex    map[string]int // required capability → its index
}

// NewAssessor prepares assessments for the requirements (assumed valid).
func NewAssessor(req Requirements) *Assessor {
	a := &Assessor{req: req, deadline: civilDate(req.Deadline), prefixLen: req.prefixLen(), capIndex: make(map[string]int, len(req.Capabilities))}
	for i, c := range req.Capabilities {
		a.capIndex[c] = i
	}
	a.first, a.last = Window(req.Deadline)
	for _, code := range req.Technical.CPVs {
		if norm, ok := NormalizeCPV(code); ok {
			a.prefixes = append(a.prefixes, norm[:a.prefixLen])
		}
	}
	return a
}

// Assess returns the company's standing; see the package function Assess.
func (a *Assessor) Assess(c Company) Standing {
	var s Standing
	a.AssessTo(c, &s)
	return s
}

// AssessTo writes the company's standing into s, reusing the capacity of its
// slices, so a caller assessing many companies allocates once.
func (a *Assessor) AssessTo(c Company, s *Standing) {
	*s = Standing{
		Capabilities:   resize(s.Capabilities, len(a.req.Capabilities)),
		Certifications: resize(s.Certifications, len(a.req.Certifications)),
	}
	// Several entries for one year are taken as corrections: the largest counts.
	for _, t := range c.Turnover {
		if t.Year < a.first || t.Year > a.last || t.Cents <= 0 {
			continue
		}
		if t.Cents > s.Turnover.Cents || (t.Cents == s.Turnover.Cents && t.Year > s.Turnover.Year) {
			s.Turnover = t
		}
	}
	s.Similar, s.SimilarTotalCents = a.similarReferences(c.References)
	for _, have := range c.Capabilities {
		if i, ok := a.capIndex[have]; ok {
			s.Capabilities[i] = true
		}
	}
	for i, want := range a.req.Certifications {
		s.Certifications[i] = bestCertificate(want, c.Certifications, a.deadline)
	}
}

// resize returns a zeroed slice of length n, reusing buf when it is large enough.
func resize[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// similarReferences returns the best year and the total of the references in
// the window whose CPV shares one of the tender's prefixes.
func (a *Assessor) similarReferences(refs []Reference) (best YearAmount, total int64) {
	var perYear [3]int64 // the window has exactly three years
	for _, r := range refs {
		if r.Year < a.first || r.Year > a.last || r.Cents <= 0 {
			continue
		}
		code, ok := NormalizeCPV(r.CPV)
		if !ok {
			continue
		}
		for _, p := range a.prefixes {
			if code[:a.prefixLen] == p {
				perYear[r.Year-a.first] = satAdd(perYear[r.Year-a.first], r.Cents)
				total = satAdd(total, r.Cents)
				break
			}
		}
	}
	for i, v := range perYear {
		// Ties go to the later year, as for turnover.
		if v > 0 && v >= best.Cents {
			best = YearAmount{Year: a.first + i, Cents: v}
		}
	}
	return best, total
}

// bestCertificate returns the company's best certificate for one requirement:
// a valid one with the latest expiry, else the most informative miss.
func bestCertificate(want CertificationRequirement, held []Certification, deadline time.Time) CertStanding {
	best := CertStanding{Problem: CertNone}
	for _, c := range held {
		if c.Kind != want.Kind {
			continue
		}
		p := certProblem(c, want.Level, deadline)
		switch {
		case p < best.Problem:
			best = CertStanding{Problem: p, Certificate: c}
		case p == best.Problem && betterSameProblem(p, c, best.Certificate):
			best.Certificate = c
		}
	}
	return best
}

// betterSameProblem breaks ties between two certificates with the same problem:
// the later expiry wins (for CertBelowLevel, the higher level first).
func betterSameProblem(p CertProblem, c, cur Certification) bool {
	if p == CertBelowLevel && c.Level != cur.Level {
		return c.Level > cur.Level
	}
	return c.Expires.After(cur.Expires)
}

// certProblem classifies one certificate against a required level on the deadline's date.
func certProblem(c Certification, level Level, deadline time.Time) CertProblem {
	if c.Level < level {
		return CertBelowLevel
	}
	if c.Expires.IsZero() {
		return CertNoExpiry
	}
	if !c.Issued.IsZero() && civilDate(c.Issued).After(deadline) {
		return CertNotYetIssued
	}
	if civilDate(c.Expires).Before(deadline) {
		return CertExpired
	}
	return CertOK
}

// civilDate returns t's calendar date (in t's own location) as midnight UTC,
// so dates compare as days: a certificate that expires on the deadline's day
// is valid on that day whatever the hour of the deadline.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// mulDivCeil returns ⌈a·b/c⌉ for a, b ≥ 0 and c > 0, computed in 128 bits;
// results beyond MaxInt64 saturate.
func mulDivCeil(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if q >= math.MaxInt64 {
		return math.MaxInt64
	}
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// satAdd adds two non-negative amounts, saturating at MaxInt64 instead of wrapping.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
