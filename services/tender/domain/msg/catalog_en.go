package msg

// text is one entry of a catalogue: a format (%[n]s and %[n]d place
// argument n, %% is a percent sign) or, for a count, a singular form and
// the form for every other number.
type text struct {
	format string
	// countArg is the argument (1-based) whose value 1 selects singular; 0 for none.
	countArg int
	singular string
}

// s is a plain entry.
func s(format string) text { return text{format: format} }

// one is an entry with a singular form for a count of 1 (argument arg) and another for the rest.
func one(arg int, singular, other string) text {
	return text{format: other, countArg: arg, singular: singular}
}

// en is the English catalogue. Its texts are the ones the tender service's
// API returns in RuleResult.needed/have/detail and Recommendation.explanation.
var en = map[ID]text{
	MoneyAmount:       s("%[1]s"),
	PercentAmount:     s("%[1]s"),
	CountMembers:      one(1, "1 member", "%[1]d members"),
	CountCapabilities: one(1, "1 capability", "%[1]d capabilities"),
	CountLeads:        one(1, "1 lead", "%[1]d leads"),
	OfCount:           s("%[1]d of %[2]d"),

	RequirementsNeeded: s("complete requirements"),
	RequirementsHave:   s("incomplete"),
	RequirementsDetail: s("The tender's requirements cannot be checked: %[1]s."),

	MembersEmptyNeeded:     s("at least 1 member"),
	MembersEmptyHave:       s("0 members"),
	MembersEmptyDetail:     s("The team has no members."),
	MembersNoIDNeeded:      s("a company id"),
	MembersNoIDHave:        s("none"),
	MembersNoIDDetail:      s("A member (%[1]s) has no company id."),
	MembersDuplicateNeeded: s("1 place"),
	MembersDuplicateHave:   s("%[1]d places"),
	MembersDuplicateDetail: s("%[1]s appears %[2]d times in the team; a company can hold only one place."),
	MembersOKNeeded:        s("distinct companies"),
	MembersOKHave:          one(1, "1 company", "%[1]d distinct companies"),
	MembersOKDetail:        one(1, "The team has 1 company.", "The team has %[1]d distinct companies."),

	ActiveFailNeeded: s("active"),
	ActiveFailHave:   s("inactive"),
	ActiveFailDetail: s("%[1]s is not an active cluster member; only active members can join a consortium."),
	ActiveOKNeeded:   s("every member active"),
	ActiveOKHave:     s("%[1]d of %[1]d active"),
	ActiveOKDetail:   one(1, "The member is an active cluster member.", "All %[1]d members are active cluster members."),

	MaxNoLimitNeeded: s("no limit"),
	MaxNoLimitDetail: s("The tender sets no limit on members; the team has %[1]s."),
	MaxNeeded:        s("at most %[1]s"),
	MaxOKDetail:      s("The team has %[1]s; the tender allows at most %[2]d."),
	MaxFailDetail:    s("The team has %[1]s but the tender allows at most %[2]d."),

	CapsNoneHave:       s("none needed"),
	CapsNoneDetail:     s("The tender requires no particular capability."),
	CapsMissingDetail:  s("Missing %[1]s."),
	CapsMissingCovered: s("Missing %[1]s. Covered: %[2]s."),
	CapsCoveredDetail:  s("Covered: %[1]s."),
	CapsCoveredBy:      s("%[1]s by %[2]s"),
	AssignFailNeeded:   s("declared capabilities"),
	AssignFailHave:     s("%[1]d undeclared"),
	AssignFailDetail:   s("%[1]s is assigned %[2]s but does not declare it among its capabilities."),
	AssignOKHave:       s("all declared"),
	AssignOKDetail:     s("Every member is assigned only capabilities it declares."),

	CertRequired:           s("%[1]s"),
	CertRequiredOrHigher:   s("%[1]s or higher"),
	CertNeeded:             s("%[1]s, valid on %[2]s"),
	CertNeededNoDeadline:   s("%[1]s, valid on %[2]s (today: the tender gives no deadline)"),
	CertDetailNoDeadline:   s("%[1]s The tender gives no submission deadline, so certifications are checked on today's date."),
	CertHaveValid:          s("%[1]s valid until %[2]s"),
	CertHaveExpired:        s("%[1]s expired %[2]s"),
	CertHaveNotIssued:      s("%[1]s issued %[2]s"),
	CertHaveNoExpiry:       s("%[1]s without expiry date"),
	CertHaveBelow:          s("%[1]s"),
	CertHaveNone:           s("none"),
	CertAssignedOKDetail:   s("%[1]s required on %[2]s: %[3]s, which runs the certified system, holds %[4]s."),
	CertAssignedFailDetail: s("%[1]s required on %[2]s from %[3]s, which runs the certified system: %[4]s."),
	CertHeldDetail:         s("%[1]s required on %[2]s: held by %[3]s."),
	CertHolder:             s("%[1]s (%[2]s)"),
	CertMissDetail:         s("%[1]s required on %[2]s, but %[3]s."),
	CertNoneDetail:         s("No member holds %[1]s; it is required on %[2]s."),
	CertMissExpired:        s("%[1]s held by %[2]s expires %[3]s, %[4]s the deadline %[5]s"),
	CertMissNotIssued:      s("%[1]s held by %[2]s is issued %[3]s, %[4]s the deadline %[5]s"),
	CertMissNoExpiry:       s("%[1]s held by %[2]s has no expiry date recorded"),
	CertMissBelow:          s("%[1]s holds %[2]s, below the required %[3]s"),
	CertMissNone:           s("%[1]s holds no %[2]s certificate"),
	DaysBefore:             one(1, "the day before", "%[1]d days before"),
	DaysAfter:              one(1, "the day after", "%[1]d days after"),

	EconomicExemptDetail:     s("The tender does not require economic solvency."),
	TechnicalExemptDetail:    s("The tender does not require technical solvency by references."),
	SolvencyExemptNeeded:     s("not required"),
	SolvencyExemptHave:       s("not assessed"),
	EconomicWhat:             s("Best-year turnover in %[1]s–%[2]s"),
	EconomicWhatAlone:        s("best-year turnover in %[1]s–%[2]s"),
	TechnicalWhat:            s("Best-year value of similar services (CPV starting %[1]s) in %[2]s–%[3]s"),
	TechnicalWhatAlone:       s("best-year value of similar services (CPV starting %[1]s) in %[2]s–%[3]s"),
	BasisSetByTender:         s("set by the tender"),
	BasisAnnual:              s("1.5 × the average annual value %[1]s of %[2]s over %[3]d months, LCSP art. 87"),
	BasisEstimated:           s("1.5 × the estimated value %[1]s, LCSP art. 87"),
	BasisTechnical:           s("%[1]d%% of the annual value %[2]s, LCSP art. 90.1 a"),
	YearAmount:               s("%[1]s in %[2]s"),
	YearAmountNone:           s("0 € (none declared)"),
	SolvencyPart:             s("%[1]s %[2]s"),
	SolvencyAccumulated:      s("%[1]s, accumulated across the members (RGLCAP art. 24.1): %[2]s = %[3]s; the tender requires %[4]s (%[5]s)."),
	SolvencyAccumulatedShort: s("%[1]s, accumulated across the members (RGLCAP art. 24.1): %[2]s = %[3]s; the tender requires %[4]s (%[5]s), %[6]s short."),
	SolvencySingle:           s("%[1]s: %[2]s; the tender requires %[3]s (%[4]s)."),
	SolvencySingleShort:      s("%[1]s: %[2]s; the tender requires %[3]s (%[4]s), %[5]s short."),
	SolvencyAlone:            s("%[1]s alone: %[2]s is %[3]s; the tender does not allow accumulation and requires %[4]s (%[5]s) from every member."),
	SolvencyAloneShort:       s("%[1]s alone: %[2]s is %[3]s; the tender does not allow accumulation and requires %[4]s (%[5]s) from every member, %[6]s short."),

	SharePositiveNeeded: s("more than 0%%"),
	SharePositiveDetail: s("%[1]s has a share of %[2]s; every member needs a positive share."),
	SharesOKDetail:      s("Member shares sum to 100%% (LCSP art. 69.3)."),
	SharesFailDetail:    s("Member shares sum to %[1]s; they must sum to exactly 100%% (LCSP art. 69.3)."),
	LeadNeeded:          s("1 lead"),
	LeadNoneDetail:      s("No member is named lead; the UTE needs exactly one representative (LCSP art. 69.3)."),
	LeadOneDetail:       s("%[1]s is the lead, the UTE's representative (LCSP art. 69.3)."),
	LeadManyDetail:      s("%[1]s are all named lead; the UTE needs exactly one representative (LCSP art. 69.3)."),

	RecommendRank:         s("#%[1]d of %[2]d: %[3]s, score %[4]d (coverage %[5]d, experience %[6]d, certification %[7]d, turnover %[8]d, inter-cluster %[9]d)."),
	RecommendBelow:        s("Ranks below #%[1]d (%[2]s)."),
	RecommendAbove:        s("Ranks above #%[1]d (%[2]s)."),
	RecommendBelowAbove:   s("Ranks below #%[1]d (%[2]s) and above #%[3]d (%[4]s)."),
	RecommendOnly:         s("The only feasible team found."),
	RecommendNotOptimal:   s("Not proven optimal: the time budget ran out before the search finished."),
	RecommendFewerMembers: s("fewer members: %[1]d vs %[2]d"),
	RecommendHigherScore:  s("higher score: %[1]d vs %[2]d"),
	RecommendSameScore:    s("same size and score %[1]d; organisation ids %[2]s sort before %[3]s"),
	RecommendRanking: s("Fewest members first; then the highest score (coverage 100 per requirement a member meets alone, " +
		"experience in the tender's CPV group up to 200, certificate validity after the deadline up to 48 per certificate, " +
		"turnover margin up to 100, +150 for a team spanning clusters when the tender is shared); ties by organisation ids."),
	RecommendNoDeadline: s("The tender gives no submission deadline: certifications are checked as valid today and references and turnover count for the three years before today."),
}
