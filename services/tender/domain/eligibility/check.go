package eligibility

import (
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/msg"
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
// the team has, for a person (Needed, Have, Detail, and the catalogue messages
// they are the English text of) and for a program (NeededValue, HaveValue).
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
	// Needed is what the rule needs, formatted for a person ("225,000 €"):
	// NeededMsg in English.
	Needed string
	// Have is what the team has, formatted for a person: HaveMsg in English.
	Have string
	// NeededValue is Needed as a number: cents for solvency, hundredths of a
	// percent for shares, the level (0 none … 3 alta) for certifications, a count otherwise.
	NeededValue int64
	// HaveValue is Have as a number, in the unit of NeededValue; for
	// certifications the highest valid level held, or -1 when none is valid.
	HaveValue int64
	// Detail is an English sentence with the numbers and, when the rule
	// fails, why: DetailMsg in English.
	Detail string
	// NeededMsg, HaveMsg and DetailMsg are Needed, Have and Detail as
	// catalogue messages, for a person who reads another language.
	NeededMsg, HaveMsg, DetailMsg msg.Message
}

// say sets the result's messages and their English texts.
func (r *Result) say(needed, have, detail msg.Message) {
	r.NeededMsg, r.HaveMsg, r.DetailMsg = needed, have, detail
	r.Needed, r.Have, r.Detail = msg.English(needed), msg.English(have), msg.English(detail)
}

// said returns r with its messages set.
func said(r Result, needed, have, detail msg.Message) Result {
	r.say(needed, have, detail)
	return r
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
		return finish([]Result{said(Result{Rule: RuleRequirements},
			msg.New(msg.RequirementsNeeded), msg.New(msg.RequirementsHave), msg.New(msg.RequirementsDetail, msg.Text(err.Error())))})
	}
	if len(team.Members) == 0 {
		return finish([]Result{said(Result{Rule: RuleMembers, NeededValue: 1},
			msg.New(msg.MembersEmptyNeeded), msg.New(msg.MembersEmptyHave), msg.New(msg.MembersEmptyDetail))})
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

// org is the message argument naming a company.
func org(c Company) msg.Arg { return msg.Org(c.ID, c.Label()) }

// date is the message argument of a calendar date.
func date(t time.Time) msg.Arg { return msg.Date(formatDate(t)) }

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
			rs = append(rs, said(Result{Rule: RuleMembers},
				msg.New(msg.MembersNoIDNeeded), msg.New(msg.MembersNoIDHave), msg.New(msg.MembersNoIDDetail, msg.Text(m.Company.Name))))
		case count[id] > 1:
			rs = append(rs, said(Result{Rule: RuleMembers, Member: id, NeededValue: 1, HaveValue: int64(count[id])},
				msg.New(msg.MembersDuplicateNeeded), msg.New(msg.MembersDuplicateHave, msg.Count(count[id])),
				msg.New(msg.MembersDuplicateDetail, org(m.Company), msg.Count(count[id]))))
		}
	}
	if len(rs) > 0 {
		return rs
	}
	n := len(team.Members)
	return []Result{said(Result{Rule: RuleMembers, OK: true, NeededValue: int64(n), HaveValue: int64(n)},
		msg.New(msg.MembersOKNeeded), msg.New(msg.MembersOKHave, msg.Count(n)), msg.New(msg.MembersOKDetail, msg.Count(n)))}
}

// checkActive fails for each member that is not an active cluster member (the
// stand-in for legal capacity and membership the member service vouches for).
func checkActive(team Team) []Result {
	var rs []Result
	for _, m := range team.Members {
		if !m.Company.Active {
			rs = append(rs, said(Result{Rule: RuleActive, Member: m.Company.ID, NeededValue: 1},
				msg.New(msg.ActiveFailNeeded), msg.New(msg.ActiveFailHave), msg.New(msg.ActiveFailDetail, org(m.Company))))
		}
	}
	if len(rs) > 0 {
		return rs
	}
	n := len(team.Members)
	return []Result{said(Result{Rule: RuleActive, OK: true, NeededValue: int64(n), HaveValue: int64(n)},
		msg.New(msg.ActiveOKNeeded), msg.New(msg.ActiveOKHave, msg.Count(n)), msg.New(msg.ActiveOKDetail, msg.Count(n)))}
}

// members is the message "3 members".
func members(n int) msg.Arg { return msg.Nested(msg.New(msg.CountMembers, msg.Count(n))) }

// checkMaxMembers applies the tender's cap on team size.
func checkMaxMembers(req Requirements, team Team) Result {
	n := len(team.Members)
	r := Result{Rule: RuleMaxMembers, OK: true, HaveValue: int64(n)}
	have := msg.New(msg.CountMembers, msg.Count(n))
	if req.MaxMembers == 0 {
		r.say(msg.New(msg.MaxNoLimitNeeded), have, msg.New(msg.MaxNoLimitDetail, members(n)))
		return r
	}
	r.NeededValue = int64(req.MaxMembers)
	r.OK = n <= req.MaxMembers
	detail := msg.MaxOKDetail
	if !r.OK {
		detail = msg.MaxFailDetail
	}
	r.say(msg.New(msg.MaxNeeded, members(req.MaxMembers)), have, msg.New(detail, members(n), msg.Count(req.MaxMembers)))
	return r
}

// checkCapabilities checks that the union of the members' capabilities
// (restricted to Covers when a member lists it) holds every required one.
func checkCapabilities(req Requirements, team Team, standings []Standing) Result {
	need := len(req.Capabilities)
	r := Result{Rule: RuleCapabilities, NeededValue: int64(need)}
	needed := msg.New(msg.CountCapabilities, msg.Count(need))
	if need == 0 {
		r.OK = true
		r.say(needed, msg.New(msg.CapsNoneHave), msg.New(msg.CapsNoneDetail))
		return r
	}
	var missing, covered []msg.Arg
	for j, capability := range req.Capabilities {
		var by []msg.Arg
		for i, m := range team.Members {
			if standings[i].Capabilities[j] && (len(m.Covers) == 0 || contains(m.Covers, capability)) {
				by = append(by, org(m.Company))
			}
		}
		if len(by) == 0 {
			missing = append(missing, msg.Capability(capability))
		} else {
			covered = append(covered, msg.Nested(msg.New(msg.CapsCoveredBy, msg.Capability(capability), msg.List(msg.JoinAnd, by...))))
		}
	}
	have := need - len(missing)
	r.HaveValue = int64(have)
	r.OK = len(missing) == 0
	var detail msg.Message
	switch {
	case len(covered) == 0:
		detail = msg.New(msg.CapsMissingDetail, msg.List(msg.JoinAnd, missing...))
	case len(missing) > 0:
		detail = msg.New(msg.CapsMissingCovered, msg.List(msg.JoinAnd, missing...), msg.List(msg.JoinSemicolon, covered...))
	default:
		detail = msg.New(msg.CapsCoveredDetail, msg.List(msg.JoinSemicolon, covered...))
	}
	r.say(needed, msg.New(msg.OfCount, msg.Count(have), msg.Count(need)), detail)
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
		var undeclared []msg.Arg
		for _, c := range m.Covers {
			if !contains(m.Company.Capabilities, c) {
				undeclared = append(undeclared, msg.Capability(c))
			}
		}
		if len(undeclared) > 0 {
			rs = append(rs, said(Result{Rule: RuleAssignment, Member: m.Company.ID, HaveValue: int64(len(undeclared))},
				msg.New(msg.AssignFailNeeded), msg.New(msg.AssignFailHave, msg.Count(len(undeclared))),
				msg.New(msg.AssignFailDetail, org(m.Company), msg.List(msg.JoinAnd, undeclared...))))
		}
	}
	if !used || len(rs) > 0 {
		return rs
	}
	return []Result{said(Result{Rule: RuleAssignment, OK: true},
		msg.New(msg.AssignFailNeeded), msg.New(msg.AssignOKHave), msg.New(msg.AssignOKDetail))}
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
			NeededValue: int64(want.Level),
			HaveValue:   -1,
		}
		needed := neededCert(want, deadline, req.DeadlineAssumed)
		cert, on := msg.Cert(want.String()), date(deadline)
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
				var detail msg.Message
				if r.OK {
					r.HaveValue = int64(st.Certificate.Level)
					detail = msg.New(msg.CertAssignedOKDetail, cert, on, org(c), msg.Nested(certValidUntil(st.Certificate)))
				} else {
					detail = msg.New(msg.CertAssignedFailDetail, cert, on, org(c), msg.Nested(certMiss(c, want, st, deadline)))
				}
				rs = append(rs, said(r, needed, haveCert(st), noDeadline(detail, req.DeadlineAssumed)))
			}
			continue
		}
		var holders []msg.Arg
		var misses []msg.Arg
		first, firstMiss := -1, -1
		for i, m := range team.Members {
			st := standings[i].Certifications[j]
			switch {
			case st.OK():
				if first < 0 {
					first = i
				}
				holders = append(holders, msg.Nested(msg.New(msg.CertHolder, org(m.Company), msg.Nested(certValidUntil(st.Certificate)))))
			case st.Problem != CertNone:
				if firstMiss < 0 {
					firstMiss = i
				}
				misses = append(misses, msg.Nested(certMiss(m.Company, want, st, deadline)))
			}
		}
		r := base
		var have, detail msg.Message
		switch {
		case first >= 0:
			st := standings[first].Certifications[j]
			r.OK = true
			r.Member = team.Members[first].Company.ID
			have = haveCert(st)
			r.HaveValue = int64(st.Certificate.Level)
			detail = msg.New(msg.CertHeldDetail, cert, on, msg.List(msg.JoinAnd, holders...))
		case firstMiss >= 0:
			r.Member = team.Members[firstMiss].Company.ID
			have = haveCert(standings[firstMiss].Certifications[j])
			detail = msg.New(msg.CertMissDetail, cert, on, msg.List(msg.JoinSemicolon, misses...))
		default:
			have = msg.New(msg.CertHaveNone)
			detail = msg.New(msg.CertNoneDetail, msg.Nested(neededCertShort(want)), on)
		}
		rs = append(rs, said(r, needed, have, noDeadline(detail, req.DeadlineAssumed)))
	}
	return rs
}

// NoDeadlineNeeded and NoDeadlineDetail end the English certification results
// of a tender without a deadline (Requirements.DeadlineAssumed).
const (
	NoDeadlineNeeded = " (today: the tender gives no deadline)"
	NoDeadlineDetail = " The tender gives no submission deadline, so certifications are checked on today's date."
)

// noDeadline adds to a certification's detail that the tender gives no deadline, when it does not.
func noDeadline(detail msg.Message, assumed bool) msg.Message {
	if !assumed {
		return detail
	}
	return msg.New(msg.CertDetailNoDeadline, msg.Nested(detail))
}

// neededCert says what a certification requirement needs: "ENS media or higher, valid on 2027-03-15".
func neededCert(want CertificationRequirement, deadline time.Time, assumed bool) msg.Message {
	id := msg.CertNeeded
	if assumed {
		id = msg.CertNeededNoDeadline
	}
	return msg.New(id, msg.Nested(neededCertShort(want)), date(deadline))
}

// neededCertShort is "ENS media or higher" for levelled certifications, the kind otherwise.
func neededCertShort(want CertificationRequirement) msg.Message {
	if want.Level == LevelNone || want.Level == LevelAlta {
		return msg.New(msg.CertRequired, msg.Cert(want.String()))
	}
	return msg.New(msg.CertRequiredOrHigher, msg.Cert(want.String()))
}

// haveCert summarises a company's best certificate: "ENS alta valid until 2028-01-01".
func haveCert(st CertStanding) msg.Message {
	c := st.Certificate
	name := msg.Cert(kindLevel(c.Kind, c.Level))
	switch st.Problem {
	case CertOK:
		return msg.New(msg.CertHaveValid, name, date(civilDate(c.Expires)))
	case CertExpired:
		return msg.New(msg.CertHaveExpired, name, date(civilDate(c.Expires)))
	case CertNotYetIssued:
		return msg.New(msg.CertHaveNotIssued, name, date(civilDate(c.Issued)))
	case CertNoExpiry:
		return msg.New(msg.CertHaveNoExpiry, name)
	case CertBelowLevel:
		return msg.New(msg.CertHaveBelow, name)
	default:
		return msg.New(msg.CertHaveNone)
	}
}

// certValidUntil is "ENS alta valid until 2028-01-01".
func certValidUntil(c Certification) msg.Message {
	return msg.New(msg.CertHaveValid, msg.Cert(kindLevel(c.Kind, c.Level)), date(civilDate(c.Expires)))
}

// certMiss explains why a member's best certificate does not satisfy a requirement.
func certMiss(c Company, want CertificationRequirement, st CertStanding, deadline time.Time) msg.Message {
	cert := st.Certificate
	name := msg.Cert(kindLevel(cert.Kind, cert.Level))
	switch st.Problem {
	case CertExpired:
		exp := civilDate(cert.Expires)
		return msg.New(msg.CertMissExpired, name, org(c), date(exp), msg.Nested(daysApart(deadline.Sub(exp), msg.DaysBefore)), date(deadline))
	case CertNotYetIssued:
		iss := civilDate(cert.Issued)
		return msg.New(msg.CertMissNotIssued, name, org(c), date(iss), msg.Nested(daysApart(iss.Sub(deadline), msg.DaysAfter)), date(deadline))
	case CertNoExpiry:
		return msg.New(msg.CertMissNoExpiry, name, org(c))
	case CertBelowLevel:
		return msg.New(msg.CertMissBelow, org(c), name, msg.Cert(want.String()))
	default:
		return msg.New(msg.CertMissNone, org(c), msg.Text(want.Kind))
	}
}

// daysApart is "the day before", "3 days before" (d is a positive whole number of days).
func daysApart(d time.Duration, id msg.ID) msg.Message {
	return msg.New(id, msg.Count(int(d/(24*time.Hour))))
}

// checkEconomic checks the best-year turnover against the threshold, summed
// across members when accumulation is allowed and member by member otherwise.
func checkEconomic(req Requirements, team Team, standings []Standing) []Result {
	first, last := Window(req.Deadline)
	if req.Economic.Exempt {
		return []Result{said(Result{Rule: RuleEconomic, OK: true},
			msg.New(msg.SolvencyExemptNeeded), msg.New(msg.SolvencyExemptHave), msg.New(msg.EconomicExemptDetail))}
	}
	amounts := make([]YearAmount, len(standings))
	for i, s := range standings {
		amounts[i] = s.Turnover
	}
	return solvencyResults(RuleEconomic, req.Accumulation, team, amounts, req.EconomicThreshold(),
		msg.New(msg.EconomicWhat, msg.Year(first), msg.Year(last)),
		msg.New(msg.EconomicWhatAlone, msg.Year(first), msg.Year(last)), economicBasis(req))
}

// checkTechnical checks the best year of similar references against the
// required value, summed across members (each member's own best year) when
// accumulation is allowed and member by member otherwise.
func checkTechnical(req Requirements, team Team, standings []Standing) []Result {
	first, last := Window(req.Deadline)
	if req.Technical.Exempt {
		return []Result{said(Result{Rule: RuleTechnical, OK: true},
			msg.New(msg.SolvencyExemptNeeded), msg.New(msg.SolvencyExemptHave), msg.New(msg.TechnicalExemptDetail))}
	}
	amounts := make([]YearAmount, len(standings))
	for i, s := range standings {
		amounts[i] = s.Similar
	}
	prefixes := similarPrefixes(req)
	return solvencyResults(RuleTechnical, req.Accumulation, team, amounts, req.TechnicalThreshold(),
		msg.New(msg.TechnicalWhat, prefixes, msg.Year(first), msg.Year(last)),
		msg.New(msg.TechnicalWhatAlone, prefixes, msg.Year(first), msg.Year(last)), technicalBasis(req))
}

// solvencyResults builds the results of one solvency rule from each member's
// best-year amount; what and whatAlone name the amount at the start and in
// the middle of a sentence.
func solvencyResults(rule string, accumulate bool, team Team, amounts []YearAmount, need int64, what, whatAlone, basis msg.Message) []Result {
	money := func(c int64) msg.Message { return msg.New(msg.MoneyAmount, msg.Money(c)) }
	if accumulate || len(team.Members) == 1 {
		var total int64
		parts := make([]msg.Arg, len(team.Members))
		for i, m := range team.Members {
			total = satAdd(total, amounts[i].Cents)
			parts[i] = msg.Nested(msg.New(msg.SolvencyPart, org(m.Company), msg.Nested(yearAmount(amounts[i]))))
		}
		r := Result{Rule: rule, OK: total >= need, NeededValue: need, HaveValue: total}
		var detail msg.Message
		switch {
		case len(team.Members) > 1 && r.OK:
			detail = msg.New(msg.SolvencyAccumulated, msg.Nested(what), msg.List(msg.JoinPlus, parts...), msg.Money(total), msg.Money(need), msg.Nested(basis))
		case len(team.Members) > 1:
			detail = msg.New(msg.SolvencyAccumulatedShort, msg.Nested(what), msg.List(msg.JoinPlus, parts...), msg.Money(total), msg.Money(need), msg.Nested(basis), msg.Money(need-total))
		case r.OK:
			detail = msg.New(msg.SolvencySingle, msg.Nested(what), parts[0], msg.Money(need), msg.Nested(basis))
		default:
			detail = msg.New(msg.SolvencySingleShort, msg.Nested(what), parts[0], msg.Money(need), msg.Nested(basis), msg.Money(need-total))
		}
		if len(team.Members) == 1 {
			r.Member = team.Members[0].Company.ID
		}
		return []Result{said(r, money(need), money(total), detail)}
	}
	rs := make([]Result, len(team.Members))
	for i, m := range team.Members {
		have := amounts[i].Cents
		r := Result{Rule: rule, Member: m.Company.ID, OK: have >= need, NeededValue: need, HaveValue: have}
		var detail msg.Message
		if r.OK {
			detail = msg.New(msg.SolvencyAlone, org(m.Company), msg.Nested(whatAlone), msg.Nested(yearAmount(amounts[i])), msg.Money(need), msg.Nested(basis))
		} else {
			detail = msg.New(msg.SolvencyAloneShort, org(m.Company), msg.Nested(whatAlone), msg.Nested(yearAmount(amounts[i])), msg.Money(need), msg.Nested(basis), msg.Money(need-have))
		}
		rs[i] = said(r, money(need), money(have), detail)
	}
	return rs
}

// yearAmount is "90,000 € in 2023", or "0 € (none declared)".
func yearAmount(a YearAmount) msg.Message {
	if a.Year == 0 {
		return msg.New(msg.YearAmountNone)
	}
	return msg.New(msg.YearAmount, msg.Money(a.Cents), msg.Year(a.Year))
}

// economicBasis says where the economic threshold comes from.
func economicBasis(req Requirements) msg.Message {
	if req.Economic.ThresholdCents > 0 {
		return msg.New(msg.BasisSetByTender)
	}
	if req.DurationMonths > 12 {
		return msg.New(msg.BasisAnnual, msg.Money(AnnualValue(req.EstimatedValueCents, req.DurationMonths)),
			msg.Money(req.EstimatedValueCents), msg.Count(req.DurationMonths))
	}
	return msg.New(msg.BasisEstimated, msg.Money(req.EstimatedValueCents))
}

// technicalBasis says where the technical threshold comes from.
func technicalBasis(req Requirements) msg.Message {
	if req.Technical.RequiredCents > 0 {
		return msg.New(msg.BasisSetByTender)
	}
	return msg.New(msg.BasisTechnical, msg.Count(req.percent()), msg.Money(AnnualValue(req.EstimatedValueCents, req.DurationMonths)))
}

// similarPrefixes are the CPV prefixes of the similar-CPV rule: "722 or 723".
func similarPrefixes(req Requirements) msg.Arg {
	n := req.prefixLen()
	var prefixes []string
	for _, c := range req.Technical.CPVs {
		if norm, ok := NormalizeCPV(c); ok && !contains(prefixes, norm[:n]) {
			prefixes = append(prefixes, norm[:n])
		}
	}
	items := make([]msg.Arg, len(prefixes))
	for i, p := range prefixes {
		items[i] = msg.Text(p)
	}
	return msg.List(msg.JoinOr, items...)
}

// checkShares checks that shares are positive and sum to exactly 100 % (LCSP art. 69.3).
func checkShares(team Team) []Result {
	var rs []Result
	var sum int64
	for _, m := range team.Members {
		sum += int64(m.ShareBP)
		if m.ShareBP <= 0 {
			share := int64(m.ShareBP)
			rs = append(rs, said(Result{Rule: RuleShares, Member: m.Company.ID, NeededValue: 1, HaveValue: share},
				msg.New(msg.SharePositiveNeeded), msg.New(msg.PercentAmount, msg.Percent(share)),
				msg.New(msg.SharePositiveDetail, org(m.Company), msg.Percent(share))))
		}
	}
	total := Result{Rule: RuleShares, OK: sum == 10000, NeededValue: 10000, HaveValue: sum}
	detail := msg.New(msg.SharesOKDetail)
	if !total.OK {
		detail = msg.New(msg.SharesFailDetail, msg.Percent(sum))
	}
	total.say(msg.New(msg.PercentAmount, msg.Percent(10000)), msg.New(msg.PercentAmount, msg.Percent(sum)), detail)
	return append([]Result{total}, rs...)
}

// checkLead checks that exactly one member is the lead.
func checkLead(team Team) Result {
	var leads []msg.Arg
	var leadID string
	for _, m := range team.Members {
		if m.Lead {
			leads = append(leads, org(m.Company))
			leadID = m.Company.ID
		}
	}
	r := Result{Rule: RuleLead, OK: len(leads) == 1, NeededValue: 1, HaveValue: int64(len(leads))}
	var detail msg.Message
	switch len(leads) {
	case 0:
		detail = msg.New(msg.LeadNoneDetail)
	case 1:
		r.Member = leadID
		detail = msg.New(msg.LeadOneDetail, leads[0])
	default:
		detail = msg.New(msg.LeadManyDetail, msg.List(msg.JoinAnd, leads...))
	}
	r.say(msg.New(msg.LeadNeeded), msg.New(msg.CountLeads, msg.Count(len(leads))), detail)
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
