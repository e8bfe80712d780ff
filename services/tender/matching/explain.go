package matching

import (
	"fmt"
	"sort"
	"strings"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
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
	// Why says why the team ranks where it does, in English: WhyMessages
	// rendered by the English catalogue, joined by spaces.
	Why string
	// WhyMessages are the sentences of Why as catalogue messages.
	WhyMessages []msg.Message
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
		recs[i].SetWhy(why(recs, i, optimal))
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

// SetWhy sets the explanation's sentences and its English text.
func (r *Recommendation) SetWhy(sentences []msg.Message) {
	r.WhyMessages = sentences
	english := make([]string, len(sentences))
	for i, m := range sentences {
		english[i] = msg.English(m)
	}
	r.Why = strings.Join(english, " ")
}

// why explains the place of recs[i] against its neighbours.
func why(recs []Recommendation, i int, optimal bool) []msg.Message {
	r := recs[i]
	sc := r.Score
	out := []msg.Message{msg.New(msg.RecommendRank, msg.Count(r.Rank), msg.Count(len(recs)),
		msg.Nested(msg.New(msg.CountMembers, msg.Count(len(r.Team.Members)))), msg.Count(sc.Total), msg.Count(sc.Coverage),
		msg.Count(sc.Experience), msg.Count(sc.Certification), msg.Count(sc.Turnover), msg.Count(sc.InterCluster))}
	switch {
	case i > 0 && i+1 < len(recs):
		out = append(out, msg.New(msg.RecommendBelowAbove, msg.Count(i), msg.Nested(reason(recs[i-1], r)), msg.Count(i+2), msg.Nested(reason(r, recs[i+1]))))
	case i > 0:
		out = append(out, msg.New(msg.RecommendBelow, msg.Count(i), msg.Nested(reason(recs[i-1], r))))
	case i+1 < len(recs):
		out = append(out, msg.New(msg.RecommendAbove, msg.Count(i+2), msg.Nested(reason(r, recs[i+1]))))
	default:
		out = append(out, msg.New(msg.RecommendOnly))
	}
	if !optimal {
		out = append(out, msg.New(msg.RecommendNotOptimal))
	}
	return out
}

// reason says why a ranks before b.
func reason(a, b Recommendation) msg.Message {
	na, nb := len(a.Team.Members), len(b.Team.Members)
	switch {
	case na != nb:
		return msg.New(msg.RecommendFewerMembers, msg.Count(na), msg.Count(nb))
	case a.Score.Total != b.Score.Total:
		return msg.New(msg.RecommendHigherScore, msg.Count(a.Score.Total), msg.Count(b.Score.Total))
	default:
		return msg.New(msg.RecommendSameScore, msg.Count(a.Score.Total), teamIDs(a.Team), teamIDs(b.Team))
	}
}

// teamIDs lists a team's members by sorted id, each named by its id (a
// reader may show its name instead): "A1 and B2".
func teamIDs(t eligibility.Team) msg.Arg {
	ids := make([]string, len(t.Members))
	for i, m := range t.Members {
		ids[i] = m.Company.ID
	}
	sort.Strings(ids)
	items := make([]msg.Arg, len(ids))
	for i, id := range ids {
		items[i] = msg.Org(id, id)
	}
	return msg.List(msg.JoinAnd, items...)
}
