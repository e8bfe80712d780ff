package matching

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Recommendation is one recommended team with its explanation.
type Recommendation struct {
	// Rank is the team's place, 1 for the best.
	Rank int
	// Team is the draft team (no shares, lead or assignments), members ordered by id.
	Team eligibility.Team
	// Score is the team's score with its breakdown per component and per member.
	Score Score
	// Coverage says which members satisfy each requirement, in requirement
	// order: capabilities, then certifications.
	Coverage []Coverage
	// Economic is the economic solvency needed and provided.
	Economic Solvency
	// Technical is the technical solvency needed and provided.
	Technical Solvency
	// Report is eligibility.Check's report for the team (always eligible).
	Report eligibility.Report
	// Why is a sentence on why the team ranks where it does.
	Why string
}

// Coverage is who satisfies one requirement.
type Coverage struct {
	// Requirement is the capability ("cloud") or certification ("ENS media").
	Requirement string
	// Certification is true for a required certification.
	Certification bool
	// By are the ids of the members that satisfy it alone.
	By []string
}

// Solvency is one solvency rule's amount needed and provided by a team.
type Solvency struct {
	// Exempt is true when the tender does not require it.
	Exempt bool
	// Accumulated is true when the members' amounts add up (RGLCAP art. 24.1).
	Accumulated bool
	// NeededCents is the threshold.
	NeededCents int64
	// ProvidedCents is the sum of the members' best years when accumulated,
	// otherwise the weakest member's best year (each must reach the threshold alone).
	ProvidedCents int64
	// Members are each member's best year, in the team's order.
	Members []MemberAmount
}

// MemberAmount is a member's best-year amount.
type MemberAmount struct {
	// CompanyID is the member's id.
	CompanyID string
	// Year is the best year (0 when nothing was declared in the window).
	Year int
	// Cents is the amount of that year.
	Cents int64
}

// foundTeam is a search result mapped back to the caller's pool.
type foundTeam struct {
	pool  []int // pool indices, ordered by company id
	score int64
}

// explainAll turns the ranked teams into recommendations, verifying each with
// eligibility.Check and ScoreTeam.
func explainAll(req eligibility.Requirements, pool []eligibility.Company, found []foundTeam, shared []string, optimal bool) ([]Recommendation, error) {
	recs := make([]Recommendation, len(found))
	for i, f := range found {
		companies := make([]eligibility.Company, len(f.pool))
		for j, p := range f.pool {
			companies[j] = pool[p]
		}
		team := eligibility.TeamOf(companies...)
		rep := eligibility.Check(req, team, eligibility.Options{})
		if !rep.Eligible {
			failed := rep.Failed()[0]
			return nil, fmt.Errorf("%w: team %s fails %s: %s", ErrDisagreement, ids(companies), failed.Rule, failed.Detail)
		}
		sc := ScoreTeam(req, companies, shared)
		if sc.Total != f.score {
			return nil, fmt.Errorf("%w: team %s scores %d in the search and %d in ScoreTeam", ErrDisagreement, ids(companies), f.score, sc.Total)
		}
		standings := make([]eligibility.Standing, len(companies))
		for j, c := range companies {
			standings[j] = eligibility.Assess(req, c)
		}
		recs[i] = Recommendation{
			Rank:      i + 1,
			Team:      team,
			Score:     sc,
			Coverage:  coverage(req, companies, standings),
			Economic:  economic(req, companies, standings),
			Technical: technical(req, companies, standings),
			Report:    rep,
		}
	}
	for i := range recs {
		recs[i].Why = why(recs, i, optimal)
	}
	return recs, nil
}

// ids lists the companies' ids for an error message.
func ids(cs []eligibility.Company) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// coverage lists, per requirement, the members that satisfy it.
func coverage(req eligibility.Requirements, cs []eligibility.Company, sts []eligibility.Standing) []Coverage {
	var out []Coverage
	for j, capability := range req.Capabilities {
		cv := Coverage{Requirement: capability}
		for i, st := range sts {
			if st.Capabilities[j] {
				cv.By = append(cv.By, cs[i].ID)
			}
		}
		out = append(out, cv)
	}
	for j, cert := range req.Certifications {
		cv := Coverage{Requirement: cert.String(), Certification: true}
		for i, st := range sts {
			if st.Certifications[j].OK() {
				cv.By = append(cv.By, cs[i].ID)
			}
		}
		out = append(out, cv)
	}
	return out
}

// economic explains the team's economic solvency.
func economic(req eligibility.Requirements, cs []eligibility.Company, sts []eligibility.Standing) Solvency {
	amounts := make([]eligibility.YearAmount, len(sts))
	for i, st := range sts {
		amounts[i] = st.Turnover
	}
	return solvency(req.Economic.Exempt, req.Accumulation, req.EconomicThreshold(), cs, amounts)
}

// technical explains the team's technical solvency.
func technical(req eligibility.Requirements, cs []eligibility.Company, sts []eligibility.Standing) Solvency {
	amounts := make([]eligibility.YearAmount, len(sts))
	for i, st := range sts {
		amounts[i] = st.Similar
	}
	return solvency(req.Technical.Exempt, req.Accumulation, req.TechnicalThreshold(), cs, amounts)
}

// solvency builds a Solvency from the members' best years.
func solvency(exempt, accumulated bool, need int64, cs []eligibility.Company, amounts []eligibility.YearAmount) Solvency {
	s := Solvency{Exempt: exempt, Accumulated: accumulated, NeededCents: need}
	for i, a := range amounts {
		s.Members = append(s.Members, MemberAmount{CompanyID: cs[i].ID, Year: a.Year, Cents: a.Cents})
		switch {
		case accumulated:
			s.ProvidedCents += a.Cents
		case i == 0 || a.Cents < s.ProvidedCents:
			s.ProvidedCents = a.Cents
		}
	}
	return s
}

// why explains the place of recs[i] against its neighbours.
func why(recs []Recommendation, i int, optimal bool) string {
	r := recs[i]
	sc := r.Score
	var b strings.Builder
	fmt.Fprintf(&b, "#%d of %d: %s, score %s (coverage %s, experience %s, certification %s, turnover %s, inter-cluster %s).",
		r.Rank, len(recs), members(len(r.Team.Members)), formatInt(sc.Total), formatInt(sc.Coverage), formatInt(sc.Experience),
		formatInt(sc.Certification), formatInt(sc.Turnover), formatInt(sc.InterCluster))
	var parts []string
	if i > 0 {
		parts = append(parts, fmt.Sprintf("below #%d (%s)", i, reason(recs[i-1], r)))
	}
	if i+1 < len(recs) {
		parts = append(parts, fmt.Sprintf("above #%d (%s)", i+2, reason(r, recs[i+1])))
	}
	if len(parts) > 0 {
		b.WriteString(" Ranks " + strings.Join(parts, " and ") + ".")
	} else {
		b.WriteString(" The only feasible team found.")
	}
	if !optimal {
		b.WriteString(" Not proven optimal: the time budget ran out before the search finished.")
	}
	return b.String()
}

// reason says why a ranks before b.
func reason(a, b Recommendation) string {
	na, nb := len(a.Team.Members), len(b.Team.Members)
	switch {
	case na != nb:
		return fmt.Sprintf("fewer members: %d vs %d", na, nb)
	case a.Score.Total != b.Score.Total:
		return fmt.Sprintf("higher score: %s vs %s", formatInt(a.Score.Total), formatInt(b.Score.Total))
	default:
		return fmt.Sprintf("same size and score %s; organisation ids %s sort before %s",
			formatInt(a.Score.Total), teamIDs(a.Team), teamIDs(b.Team))
	}
}

// teamIDs lists a team's sorted ids: "A1, B2".
func teamIDs(t eligibility.Team) string {
	out := make([]string, len(t.Members))
	for i, m := range t.Members {
		out[i] = m.Company.ID
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// members is "1 member" or "3 members".
func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return strconv.Itoa(n) + " members"
}

// formatInt writes n with a comma every three digits.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
