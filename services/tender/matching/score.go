package matching

import (
	"math/bits"
	"sort"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Score weights and caps, in points (see the package documentation).
const (
	coveragePoints     = 100 // per requirement a member satisfies
	experienceCap      = 200 // 1 point per 1 % of the annual value, at most this
	certPointsPerMonth = 2   // per full month of validity after the deadline
	certMonthsCap      = 24  // months counted per certificate
	turnoverCap        = 100 // 1 point per 1 % of the economic threshold, at most this
	interClusterBonus  = 150 // for a team that spans clusters of a shared tender
	percentPoints      = 100 // points per 100 % in the ratio components
)

// MemberScore is one member's contribution to a team's score, by component.
type MemberScore struct {
	// CompanyID is the member's id.
	CompanyID string
	// Coverage is 100 per requirement the member satisfies.
	Coverage int64
	// Experience is 1 per 1 % of the annual value in similar references, at most 200.
	Experience int64
	// Certification is 2 per month of validity after the deadline, at most 48 per required certificate.
	Certification int64
	// Turnover is 1 per 1 % of the economic threshold, at most 100.
	Turnover int64
	// Total is the sum of the components.
	Total int64
}

// Score is a team's score: the sum of its members' contributions plus the inter-cluster bonus.
type Score struct {
	// Total is the team's score.
	Total int64
	// Coverage, Experience, Certification and Turnover are the members' components summed.
	Coverage, Experience, Certification, Turnover int64
	// InterCluster is the bonus for spanning clusters (0 or 150).
	InterCluster int64
	// Members are the contributions, in the team's order.
	Members []MemberScore
}

// scorer holds what a member's contribution depends on, computed once per request.
type scorer struct {
	req       eligibility.Requirements
	deadline  time.Time // the deadline's calendar date
	annual    int64     // the contract's annual value, scale of experience
	threshold int64     // the economic threshold, scale of turnover
}

// newScorer prepares scoring for the requirements (assumed valid).
func newScorer(req eligibility.Requirements) scorer {
	y, m, d := req.Deadline.Date()
	return scorer{
		req:       req,
		deadline:  time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		annual:    eligibility.AnnualValue(req.EstimatedValueCents, req.DurationMonths),
		threshold: req.EconomicThreshold(),
	}
}

// member returns a company's contribution given its standing.
func (s scorer) member(id string, st eligibility.Standing) MemberScore {
	ms := MemberScore{CompanyID: id}
	for _, ok := range st.Capabilities {
		if ok {
			ms.Coverage += coveragePoints
		}
	}
	for _, cs := range st.Certifications {
		if !cs.OK() {
			continue
		}
		ms.Coverage += coveragePoints
		ms.Certification += certPointsPerMonth * min(certMonthsCap, fullMonths(s.deadline, cs.Certificate.Expires))
	}
	ms.Experience = ratioPoints(st.SimilarTotalCents, s.annual, experienceCap)
	ms.Turnover = ratioPoints(st.Turnover.Cents, s.threshold, turnoverCap)
	ms.Total = ms.Coverage + ms.Experience + ms.Certification + ms.Turnover
	return ms
}

// ratioPoints is ⌊100·v/scale⌋ capped at limit (0 when scale ≤ 0), in 128 bits so it cannot overflow.
func ratioPoints(v, scale, limit int64) int64 {
	if scale <= 0 || v <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(v), percentPoints)
	if hi >= uint64(scale) {
		return limit
	}
	q, _ := bits.Div64(hi, lo, uint64(scale))
	if q >= uint64(limit) {
		return limit
	}
	return int64(q)
}

// fullMonths counts whole months from the deadline's date to the expiry's date
// (0 when it expires within a month of the deadline).
func fullMonths(deadline, expires time.Time) int64 {
	ey, em, ed := expires.Date()
	dy, dm, dd := deadline.Date()
	months := int64(ey-dy)*12 + int64(em-dm)
	if ed < dd {
		months--
	}
	return max(0, months)
}

// clusterIndex maps the tender's shared clusters to bits.
type clusterIndex map[string]uint64

// newClusterIndex numbers the distinct shared clusters in sorted order; ok is
// false when there are more than 64.
func newClusterIndex(shared []string) (clusterIndex, bool) {
	distinct := make([]string, 0, len(shared))
	seen := make(map[string]bool, len(shared))
	for _, c := range shared {
		if !seen[c] {
			seen[c] = true
			distinct = append(distinct, c)
		}
	}
	if len(distinct) > 64 {
		return nil, false
	}
	sort.Strings(distinct)
	idx := make(clusterIndex, len(distinct))
	for i, c := range distinct {
		idx[c] = 1 << uint(i)
	}
	return idx, true
}

// bonusApplies reports whether the inter-cluster bonus can be earned at all.
func (ci clusterIndex) bonusApplies() bool { return len(ci) >= 2 }

// mask returns the shared clusters a company belongs to, as bits.
func (ci clusterIndex) mask(c eligibility.Company) uint64 {
	var m uint64
	for _, cl := range c.Clusters {
		m |= ci[cl]
	}
	return m
}

// teamBonus returns the inter-cluster bonus for a team whose members have these cluster masks.
func teamBonus(applies bool, clusterMasks []uint64) int64 {
	if !applies || len(clusterMasks) < 2 {
		return 0
	}
	common, union := ^uint64(0), uint64(0)
	for _, m := range clusterMasks {
		common &= m
		union |= m
	}
	if !spansClusters(common, union) {
		return 0
	}
	return interClusterBonus
}

// spansClusters reports whether a team with these intersection and union of
// its members' shared clusters spans clusters: no shared cluster holds every
// member, and the members come from at least two of them.
func spansClusters(common, union uint64) bool {
	return common == 0 && bits.OnesCount64(union) >= 2
}

// ScoreTeam scores a team of companies for the requirements (assumed valid),
// with the tender shared with sharedClusters (more than 64 distinct clusters
// earn no bonus; Recommend rejects them). It recomputes everything from
// eligibility.Assess; the engine's scores must equal it.
func ScoreTeam(req eligibility.Requirements, companies []eligibility.Company, sharedClusters []string) Score {
	s := newScorer(req)
	ci, _ := newClusterIndex(sharedClusters)
	var sc Score
	masks := make([]uint64, len(companies))
	for i, c := range companies {
		ms := s.member(c.ID, eligibility.Assess(req, c))
		sc.Members = append(sc.Members, ms)
		sc.Coverage += ms.Coverage
		sc.Experience += ms.Experience
		sc.Certification += ms.Certification
		sc.Turnover += ms.Turnover
		masks[i] = ci.mask(c)
	}
	sc.InterCluster = teamBonus(ci.bonusApplies(), masks)
	sc.Total = sc.Coverage + sc.Experience + sc.Certification + sc.Turnover + sc.InterCluster
	return sc
}
