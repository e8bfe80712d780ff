package eligibility

import (
	"strconv"
	"strings"
	"time"
)

// Rule ids: stable strings a client may switch on. A report may hold several
// results with the same rule (one per member, or one per certification).
const (
	// RuleRequirements fails when the tender's requirements are incomplete; no other rule is checked then.
	RuleRequirements = "requirements"
	// RuleMembers checks that the team has members and no company twice.
	RuleMembers = "members"
	// RuleActive checks that every member is an active cluster member.
	RuleActive = "active_membership"
	// RuleMaxMembers checks the tender's cap on team size.
	RuleMaxMembers = "max_members"
	// RuleCapabilities checks that the members cover the required capabilities.
	RuleCapabilities = "capabilities"
	// RuleAssignment checks that members are only assigned capabilities they declare (when Covers is used).
	RuleAssignment = "assignment"
	// RuleCertification checks one required certification (Subject names it).
	RuleCertification = "certification"
	// RuleEconomic checks economic solvency (LCSP art. 87).
	RuleEconomic = "economic_solvency"
	// RuleTechnical checks technical solvency (LCSP art. 90.1 a).
	RuleTechnical = "technical_solvency"
	// RuleShares checks that shares are positive and sum to 100 % (only with Options.RequireShares).
	RuleShares = "shares"
	// RuleLead checks that exactly one member is the lead (only with Options.RequireShares).
	RuleLead = "lead"
)

// Result is the outcome of one rule, met or not, with what was needed and what
// the team has, for a person (Needed, Have, Detail) and for a program
// (NeededValue, HaveValue).
type Result struct {
	// Rule is the rule id (one of the Rule constants).
	Rule string
	// OK is true when the rule is met.
	OK bool
	// Subject names what the rule was applied to when a rule has several
	// (the certification, e.g. "ENS media"); empty otherwise.
	Subject string
	// Member is the company id when the result is about one member.
	Member string
	// Needed is what the rule needs, formatted for a person ("225,000 €").
	Needed string
	// Have is what the team has, formatted for a person.
	Have string
	// NeededValue is Needed as a number: cents for solvency, hundredths of a
	// percent for shares, the level (0 none … 3 alta) for certifications, a count otherwise.
	NeededValue int64
	// HaveValue is Have as a number, in the unit of NeededValue; for
	// certifications the highest valid level held, or -1 when none is valid.
	HaveValue int64
	// Detail is an English sentence with the numbers and, when the rule fails, why.
	Detail string
}

// Report is the outcome of Check: every rule's result, met and unmet.
type Report struct {
	// Eligible is true when every result is OK.
	Eligible bool
	// Results are in a stable order: members, active membership, max members,
	// capabilities, assignment, certifications (in requirement order),
	// economic and technical solvency, shares, lead.
	Results []Result
}

// Failed returns the unmet results.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if !res.OK {
			out = append(out, res)
		}
	}
	return out
}

// Check applies every rule to the team and reports each result with its numbers.
func Check(req Requirements, team Team, opts Options) Report {
	if err := req.Validate(); err != nil {
		return finish([]Result{{
			Rule:   RuleRequirements,
			Needed: "complete requirements",
			Have:   "incomplete",
			Detail: "The tender's requirements cannot be checked: " + err.Error() + ".",
		}})
	}
	if len(team.Members) == 0 {
		return finish([]Result{{
			Rule: RuleMembers, Needed: "at least 1 member", Have: "0 members", NeededValue: 1,
			Detail: "The team has no members.",
		}})
	}
	assessor := NewAssessor(req)
	standings := make([]Standing, len(team.Members))
	for i, m := range team.Members {
		standings[i] = assessor.Assess(m.Company)
	}
	var rs []Result
	rs = append(rs, checkMembers(team)...)
	rs = append(rs, checkActive(team)...)
	rs = append(rs, checkMaxMembers(req, team))
	rs = append(rs, checkCapabilities(req, team, standings))
	rs = append(rs, checkAssignment(team)...)
	rs = append(rs, checkCertifications(req, team, standings)...)
	rs = append(rs, checkEconomic(req, team, standings)...)
	rs = append(rs, checkTechnical(req, team, standings)...)
	if opts.RequireShares {
		rs = append(rs, checkShares(team)...)
		rs = append(rs, checkLead(team))
	}
	return finish(rs)
}

// finish sets Eligible from the results.
func finish(rs []Result) Report {
	ok := true
	for _, r := range rs {
		ok = ok && r.OK
	}
	return Report{Eligible: ok, Results: rs}
}

// checkMembers fails for a member without id and for each company that appears more than once.
func checkMembers(team Team) []Result {
	var rs []Result
	count := make(map[string]int, len(team.Members))
	for _, m := range team.Members {
		count[m.Company.ID]++
	}
	reported := make(map[string]bool)
	for _, m := range team.Members {
		id := m.Company.ID
		if reported[id] {
			continue
		}
		reported[id] = true
		switch {
		case id == "":
			rs = append(rs, Result{
				Rule: RuleMembers, Needed: "a company id", Have: "none",
				Detail: "A member (" + m.Company.Name + ") has no company id.",
			})
		case count[id] > 1:
			rs = append(rs, Result{
				Rule: RuleMembers, Member: id, Needed: "1 place", Have: strconv.Itoa(count[id]) + " places",
				NeededValue: 1, HaveValue: int64(count[id]),
				Detail: m.Company.Label() + " appears " + strconv.Itoa(count[id]) + " times in the team; a company can hold only one place.",
			})
		}
	}
	if len(rs) > 0 {
		return rs
	}
	n := len(team.Members)
	return []Result{{
		Rule: RuleMembers, OK: true, Needed: "distinct companies", Have: plural(n, "company", "distinct companies"),
		NeededValue: int64(n), HaveValue: int64(n),
		Detail: "The team has " + plural(n, "company", "distinct companies") + ".",
	}}
}

// checkActive fails for each member that is not an active cluster member (the
// stand-in for legal capacity and membership the member service vouches for).
func checkActive(team Team) []Result {
	var rs []Result
	for _, m := range team.Members {
		if !m.Company.Active {
			rs = append(rs, Result{
				Rule: RuleActive, Member: m.Company.ID, Needed: "active", Have: "inactive", NeededValue: 1,
				Detail: m.Company.Label() + " is not an active cluster member; only active members can join a consortium.",
			})
		}
	}
	if len(rs) > 0 {
		return rs
	}
	n := len(team.Members)
	detail := "All " + strconv.Itoa(n) + " members are active cluster members."
	if n == 1 {
		detail = "The member is an active cluster member."
	}
	return []Result{{
		Rule: RuleActive, OK: true, Needed: "every member active", Have: strconv.Itoa(n) + " of " + strconv.Itoa(n) + " active",
		NeededValue: int64(n), HaveValue: int64(n), Detail: detail,
	}}
}

// checkMaxMembers applies the tender's cap on team size.
func checkMaxMembers(req Requirements, team Team) Result {
	n := len(team.Members)
	r := Result{Rule: RuleMaxMembers, OK: true, Have: plural(n, "member", "members"), HaveValue: int64(n)}
	if req.MaxMembers == 0 {
		r.Needed = "no limit"
		r.Detail = "The tender sets no limit on members; the team has " + plural(n, "member", "members") + "."
		return r
	}
	r.Needed = "at most " + plural(req.MaxMembers, "member", "members")
	r.NeededValue = int64(req.MaxMembers)
	r.OK = n <= req.MaxMembers
	if r.OK {
		r.Detail = "The team has " + plural(n, "member", "members") + "; the tender allows at most " + strconv.Itoa(req.MaxMembers) + "."
	} else {
		r.Detail = "The team has " + plural(n, "member", "members") + " but the tender allows at most " + strconv.Itoa(req.MaxMembers) + "."
	}
	return r
}

// checkCapabilities checks that the union of the members' capabilities
// (restricted to Covers when a member lists it) holds every required one.
func checkCapabilities(req Requirements, team Team, standings []Standing) Result {
	need := len(req.Capabilities)
	r := Result{Rule: RuleCapabilities, Needed: plural(need, "capability", "capabilities"), NeededValue: int64(need)}
	if need == 0 {
		r.OK = true
		r.Have = "none needed"
		r.Detail = "The tender requires no particular capability."
		return r
	}
	var missing, covered []string
	for j, capability := range req.Capabilities {
		var by []string
		for i, m := range team.Members {
			if standings[i].Capabilities[j] && (len(m.Covers) == 0 || contains(m.Covers, capability)) {
				by = append(by, m.Company.Label())
			}
		}
		if len(by) == 0 {
			missing = append(missing, capability)
		} else {
			covered = append(covered, capability+" by "+joinAnd(by))
		}
	}
	have := need - len(missing)
	r.HaveValue = int64(have)
	r.Have = strconv.Itoa(have) + " of " + strconv.Itoa(need)
	r.OK = len(missing) == 0
	var b strings.Builder
	if !r.OK {
		b.WriteString("Missing " + joinAnd(missing) + ".")
	}
	if len(covered) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("Covered: " + strings.Join(covered, "; ") + ".")
	}
	r.Detail = b.String()
	return r
}

// checkAssignment fails for a member assigned (Covers) a capability it does not
// declare; it reports nothing when no member lists Covers.
func checkAssignment(team Team) []Result {
	used := false
	var rs []Result
	for _, m := range team.Members {
		if len(m.Covers) == 0 {
			continue
		}
		used = true
		var undeclared []string
		for _, c := range m.Covers {
			if !contains(m.Company.Capabilities, c) {
				undeclared = append(undeclared, c)
			}
		}
		if len(undeclared) > 0 {
			rs = append(rs, Result{
				Rule: RuleAssignment, Member: m.Company.ID,
				Needed: "declared capabilities", Have: strconv.Itoa(len(undeclared)) + " undeclared",
				HaveValue: int64(len(undeclared)),
				Detail:    m.Company.Label() + " is assigned " + joinAnd(undeclared) + " but does not declare it among its capabilities.",
			})
		}
	}
	if !used || len(rs) > 0 {
		return rs
	}
	return []Result{{
		Rule: RuleAssignment, OK: true, Needed: "declared capabilities", Have: "all declared",
		Detail: "Every member is assigned only capabilities it declares.",
	}}
}

// checkCertifications checks each required certification: held by each member
// assigned to it (Certifies) or, when none is, by any member; valid on the deadline.
func checkCertifications(req Requirements, team Team, standings []Standing) []Result {
	deadline := civilDate(req.Deadline)
	var rs []Result
	for j, want := range req.Certifications {
		base := Result{
			Rule:        RuleCertification,
			Subject:     want.String(),
			Needed:      neededCert(want, deadline),
			NeededValue: int64(want.Level),
			HaveValue:   -1,
		}
		var assigned []int
		for i, m := range team.Members {
			if contains(m.Certifies, want.Kind) {
				assigned = append(assigned, i)
			}
		}
		if len(assigned) > 0 {
			for _, i := range assigned {
				c := team.Members[i].Company
				st := standings[i].Certifications[j]
				r := base
				r.Member = c.ID
				r.OK = st.OK()
				r.Have = haveCert(st)
				if r.OK {
					r.HaveValue = int64(st.Certificate.Level)
					r.Detail = want.String() + " required on " + formatDate(deadline) + ": " + c.Label() +
						", which runs the certified system, holds " + certValidUntil(st.Certificate) + "."
				} else {
					r.Detail = want.String() + " required on " + formatDate(deadline) + " from " + c.Label() +
						", which runs the certified system: " + certMiss(c, want, st, deadline) + "."
				}
				rs = append(rs, r)
			}
			continue
		}
		var holders []string
		var misses []string
		first, firstMiss := -1, -1
		for i, m := range team.Members {
			st := standings[i].Certifications[j]
			switch {
			case st.OK():
				if first < 0 {
					first = i
				}
				holders = append(holders, m.Company.Label()+" ("+certValidUntil(st.Certificate)+")")
			case st.Problem != CertNone:
				if firstMiss < 0 {
					firstMiss = i
				}
				misses = append(misses, certMiss(m.Company, want, st, deadline))
			}
		}
		r := base
		switch {
		case first >= 0:
			st := standings[first].Certifications[j]
			r.OK = true
			r.Member = team.Members[first].Company.ID
			r.Have = haveCert(st)
			r.HaveValue = int64(st.Certificate.Level)
			r.Detail = want.String() + " required on " + formatDate(deadline) + ": held by " + joinAnd(holders) + "."
		case firstMiss >= 0:
			r.Member = team.Members[firstMiss].Company.ID
			r.Have = haveCert(standings[firstMiss].Certifications[j])
			r.Detail = want.String() + " required on " + formatDate(deadline) + ", but " + strings.Join(misses, "; ") + "."
		default:
			r.Have = "none"
			r.Detail = "No member holds " + neededCertShort(want) + "; it is required on " + formatDate(deadline) + "."
		}
		rs = append(rs, r)
	}
	if req.DeadlineAssumed {
		for i := range rs {
			rs[i].Needed += NoDeadlineNeeded
			rs[i].Detail += NoDeadlineDetail
		}
	}
	return rs
}

// NoDeadlineNeeded and NoDeadlineDetail end the certification results of a
// tender without a deadline (Requirements.DeadlineAssumed).
const (
	NoDeadlineNeeded = " (today: the tender gives no deadline)"
	NoDeadlineDetail = " The tender gives no submission deadline, so certifications are checked on today's date."
)

// neededCert says what a certification requirement needs: "ENS media or higher, valid on 2027-03-15".
func neededCert(want CertificationRequirement, deadline time.Time) string {
	return neededCertShort(want) + ", valid on " + formatDate(deadline)
}

// neededCertShort is "ENS media or higher" for levelled certifications, the kind otherwise.
func neededCertShort(want CertificationRequirement) string {
	if want.Level == LevelNone || want.Level == LevelAlta {
		return want.String()
	}
	return want.String() + " or higher"
}

// haveCert summarises a company's best certificate: "ENS alta valid until 2028-01-01".
func haveCert(st CertStanding) string {
	c := st.Certificate
	name := kindLevel(c.Kind, c.Level)
	switch st.Problem {
	case CertOK:
		return name + " valid until " + formatDate(civilDate(c.Expires))
	case CertExpired:
		return name + " expired " + formatDate(civilDate(c.Expires))
	case CertNotYetIssued:
		return name + " issued " + formatDate(civilDate(c.Issued))
	case CertNoExpiry:
		return name + " without expiry date"
	case CertBelowLevel:
		return name
	default:
		return "none"
	}
}

// certValidUntil is "ENS alta valid until 2028-01-01".
func certValidUntil(c Certification) string {
	return kindLevel(c.Kind, c.Level) + " valid until " + formatDate(civilDate(c.Expires))
}

// certMiss explains why a member's best certificate does not satisfy a requirement.
func certMiss(c Company, want CertificationRequirement, st CertStanding, deadline time.Time) string {
	cert := st.Certificate
	name := kindLevel(cert.Kind, cert.Level)
	switch st.Problem {
	case CertExpired:
		exp := civilDate(cert.Expires)
		return name + " held by " + c.Label() + " expires " + formatDate(exp) + ", " +
			daysApart(deadline.Sub(exp), "before") + " the deadline " + formatDate(deadline)
	case CertNotYetIssued:
		iss := civilDate(cert.Issued)
		return name + " held by " + c.Label() + " is issued " + formatDate(iss) + ", " +
			daysApart(iss.Sub(deadline), "after") + " the deadline " + formatDate(deadline)
	case CertNoExpiry:
		return name + " held by " + c.Label() + " has no expiry date recorded"
	case CertBelowLevel:
		return c.Label() + " holds " + name + ", below the required " + want.String()
	default:
		return c.Label() + " holds no " + want.Kind + " certificate"
	}
}

// daysApart is "the day before", "3 days before" (d is a positive whole number of days).
func daysApart(d time.Duration, direction string) string {
	days := int(d / (24 * time.Hour))
	if days == 1 {
		return "the day " + direction
	}
	return strconv.Itoa(days) + " days " + direction
}

// checkEconomic checks the best-year turnover against the threshold, summed
// across members when accumulation is allowed and member by member otherwise.
func checkEconomic(req Requirements, team Team, standings []Standing) []Result {
	first, last := Window(req.Deadline)
	years := strconv.Itoa(first) + "–" + strconv.Itoa(last)
	if req.Economic.Exempt {
		return []Result{{
			Rule: RuleEconomic, OK: true, Needed: "not required", Have: "not assessed",
			Detail: "The tender does not require economic solvency.",
		}}
	}
	need := req.EconomicThreshold()
	basis := economicBasis(req)
	amounts := make([]YearAmount, len(standings))
	for i, s := range standings {
		amounts[i] = s.Turnover
	}
	return solvencyResults(RuleEconomic, req.Accumulation, team, amounts, need,
		"Best-year turnover in "+years, basis)
}

// checkTechnical checks the best year of similar references against the
// required value, summed across members (each member's own best year) when
// accumulation is allowed and member by member otherwise.
func checkTechnical(req Requirements, team Team, standings []Standing) []Result {
	first, last := Window(req.Deadline)
	years := strconv.Itoa(first) + "–" + strconv.Itoa(last)
	if req.Technical.Exempt {
		return []Result{{
			Rule: RuleTechnical, OK: true, Needed: "not required", Have: "not assessed",
			Detail: "The tender does not require technical solvency by references.",
		}}
	}
	need := req.TechnicalThreshold()
	amounts := make([]YearAmount, len(standings))
	for i, s := range standings {
		amounts[i] = s.Similar
	}
	return solvencyResults(RuleTechnical, req.Accumulation, team, amounts, need,
		"Best-year value of similar services ("+similarText(req)+") in "+years, technicalBasis(req))
}

// solvencyResults builds the results of one solvency rule from each member's best-year amount.
func solvencyResults(rule string, accumulate bool, team Team, amounts []YearAmount, need int64, what, basis string) []Result {
	if accumulate || len(team.Members) == 1 {
		var total int64
		parts := make([]string, len(team.Members))
		for i, m := range team.Members {
			total = satAdd(total, amounts[i].Cents)
			parts[i] = m.Company.Label() + " " + yearAmount(amounts[i])
		}
		r := Result{
			Rule: rule, OK: total >= need, Needed: FormatEuros(need), Have: FormatEuros(total),
			NeededValue: need, HaveValue: total,
		}
		var b strings.Builder
		b.WriteString(what)
		if len(team.Members) > 1 {
			b.WriteString(", accumulated across the members (RGLCAP art. 24.1): ")
			b.WriteString(strings.Join(parts, " + "))
			b.WriteString(" = " + FormatEuros(total))
		} else {
			b.WriteString(": " + parts[0])
		}
		b.WriteString("; the tender requires " + FormatEuros(need) + " (" + basis + ")")
		if !r.OK {
			b.WriteString(", " + FormatEuros(need-total) + " short")
		}
		b.WriteString(".")
		r.Detail = b.String()
		if len(team.Members) == 1 {
			r.Member = team.Members[0].Company.ID
		}
		return []Result{r}
	}
	rs := make([]Result, len(team.Members))
	for i, m := range team.Members {
		have := amounts[i].Cents
		r := Result{
			Rule: rule, Member: m.Company.ID, OK: have >= need,
			Needed: FormatEuros(need), Have: FormatEuros(have), NeededValue: need, HaveValue: have,
		}
		r.Detail = m.Company.Label() + " alone: " + lowerFirst(what) + " is " + yearAmount(amounts[i]) +
			"; the tender does not allow accumulation and requires " + FormatEuros(need) + " (" + basis + ") from every member"
		if !r.OK {
			r.Detail += ", " + FormatEuros(need-have) + " short"
		}
		r.Detail += "."
		rs[i] = r
	}
	return rs
}

// yearAmount is "90,000 € in 2023", or "0 € (none declared)".
func yearAmount(a YearAmount) string {
	if a.Year == 0 {
		return "0 € (none declared)"
	}
	return FormatEuros(a.Cents) + " in " + strconv.Itoa(a.Year)
}

// lowerFirst lower-cases the first letter of an ASCII sentence fragment.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// economicBasis says where the economic threshold comes from.
func economicBasis(req Requirements) string {
	if req.Economic.ThresholdCents > 0 {
		return "set by the tender"
	}
	if req.DurationMonths > 12 {
		return "1.5 × the average annual value " + FormatEuros(AnnualValue(req.EstimatedValueCents, req.DurationMonths)) +
			" of " + FormatEuros(req.EstimatedValueCents) + " over " + strconv.Itoa(req.DurationMonths) + " months, LCSP art. 87"
	}
	return "1.5 × the estimated value " + FormatEuros(req.EstimatedValueCents) + ", LCSP art. 87"
}

// technicalBasis says where the technical threshold comes from.
func technicalBasis(req Requirements) string {
	if req.Technical.RequiredCents > 0 {
		return "set by the tender"
	}
	return strconv.Itoa(req.percent()) + "% of the annual value " +
		FormatEuros(AnnualValue(req.EstimatedValueCents, req.DurationMonths)) + ", LCSP art. 90.1 a"
}

// similarText describes the similar-CPV rule: "CPV starting 722".
func similarText(req Requirements) string {
	n := req.prefixLen()
	var prefixes []string
	for _, c := range req.Technical.CPVs {
		if norm, ok := NormalizeCPV(c); ok && !contains(prefixes, norm[:n]) {
			prefixes = append(prefixes, norm[:n])
		}
	}
	return "CPV starting " + strings.Join(prefixes, " or ")
}

// checkShares checks that shares are positive and sum to exactly 100 % (LCSP art. 69.3).
func checkShares(team Team) []Result {
	var rs []Result
	var sum int64
	for _, m := range team.Members {
		sum += int64(m.ShareBP)
		if m.ShareBP <= 0 {
			rs = append(rs, Result{
				Rule: RuleShares, Member: m.Company.ID, Needed: "more than 0%", Have: FormatShare(int64(m.ShareBP)),
				NeededValue: 1, HaveValue: int64(m.ShareBP),
				Detail: m.Company.Label() + " has a share of " + FormatShare(int64(m.ShareBP)) + "; every member needs a positive share.",
			})
		}
	}
	total := Result{
		Rule: RuleShares, OK: sum == 10000, Needed: "100%", Have: FormatShare(sum), NeededValue: 10000, HaveValue: sum,
	}
	if total.OK {
		total.Detail = "Member shares sum to 100% (LCSP art. 69.3)."
	} else {
		total.Detail = "Member shares sum to " + FormatShare(sum) + "; they must sum to exactly 100% (LCSP art. 69.3)."
	}
	return append([]Result{total}, rs...)
}

// checkLead checks that exactly one member is the lead.
func checkLead(team Team) Result {
	var leads []string
	var leadID string
	for _, m := range team.Members {
		if m.Lead {
			leads = append(leads, m.Company.Label())
			leadID = m.Company.ID
		}
	}
	r := Result{
		Rule: RuleLead, OK: len(leads) == 1, Needed: "1 lead", Have: plural(len(leads), "lead", "leads"),
		NeededValue: 1, HaveValue: int64(len(leads)),
	}
	switch len(leads) {
	case 0:
		r.Detail = "No member is named lead; the UTE needs exactly one representative (LCSP art. 69.3)."
	case 1:
		r.Member = leadID
		r.Detail = leads[0] + " is the lead, the UTE's representative (LCSP art. 69.3)."
	default:
		r.Detail = joinAnd(leads) + " are all named lead; the UTE needs exactly one representative (LCSP art. 69.3)."
	}
	return r
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
