package msg

// The ids the eligibility rules and the matching engine emit, with their
// argument kinds. Each has a text in catalog_en.go and catalog_es.go
// (TestEveryIDHasEveryLanguage).
var (
	// Shared pieces.

	// Money is an amount alone: "225,000 €".
	MoneyAmount = def("amount.money", KindMoney)
	// PercentAmount is a share alone: "100%".
	PercentAmount = def("amount.percent", KindPercent)
	// CountMembers is "1 member" / "3 members".
	CountMembers = def("count.members", KindCount)
	// CountCapabilities is "1 capability" / "3 capabilities".
	CountCapabilities = def("count.capabilities", KindCount)
	// CountLeads is "1 lead" / "2 leads".
	CountLeads = def("count.leads", KindCount)
	// OfCount is "2 of 3".
	OfCount = def("count.of", KindCount, KindCount)

	// Requirements.

	RequirementsNeeded = def("eligibility.requirements.needed")
	RequirementsHave   = def("eligibility.requirements.have")
	// RequirementsDetail carries the validation error (English, from the domain's checks).
	RequirementsDetail = def("eligibility.requirements.detail", KindText)

	// Members.

	MembersEmptyNeeded     = def("eligibility.members.empty.needed")
	MembersEmptyHave       = def("eligibility.members.empty.have")
	MembersEmptyDetail     = def("eligibility.members.empty.detail")
	MembersNoIDNeeded      = def("eligibility.members.noid.needed")
	MembersNoIDHave        = def("eligibility.members.noid.have")
	MembersNoIDDetail      = def("eligibility.members.noid.detail", KindText)
	MembersDuplicateNeeded = def("eligibility.members.duplicate.needed")
	MembersDuplicateHave   = def("eligibility.members.duplicate.have", KindCount)
	MembersDuplicateDetail = def("eligibility.members.duplicate.detail", KindOrg, KindCount)
	MembersOKNeeded        = def("eligibility.members.ok.needed")
	MembersOKHave          = def("eligibility.members.ok.have", KindCount)
	MembersOKDetail        = def("eligibility.members.ok.detail", KindCount)

	// Active membership.

	ActiveFailNeeded = def("eligibility.active.fail.needed")
	ActiveFailHave   = def("eligibility.active.fail.have")
	ActiveFailDetail = def("eligibility.active.fail.detail", KindOrg)
	ActiveOKNeeded   = def("eligibility.active.ok.needed")
	ActiveOKHave     = def("eligibility.active.ok.have", KindCount)
	ActiveOKDetail   = def("eligibility.active.ok.detail", KindCount)

	// Maximum members.

	MaxNoLimitNeeded = def("eligibility.max.nolimit.needed")
	MaxNoLimitDetail = def("eligibility.max.nolimit.detail", KindMessage)
	MaxNeeded        = def("eligibility.max.needed", KindMessage)
	MaxOKDetail      = def("eligibility.max.ok.detail", KindMessage, KindCount)
	MaxFailDetail    = def("eligibility.max.fail.detail", KindMessage, KindCount)

	// Capabilities.

	CapsNoneHave       = def("eligibility.caps.none.have")
	CapsNoneDetail     = def("eligibility.caps.none.detail")
	CapsMissingDetail  = def("eligibility.caps.missing.detail", KindList)
	CapsMissingCovered = def("eligibility.caps.missing.covered.detail", KindList, KindList)
	CapsCoveredDetail  = def("eligibility.caps.covered.detail", KindList)
	CapsCoveredBy      = def("eligibility.caps.covered.by", KindCapability, KindList)
	AssignFailNeeded   = def("eligibility.assignment.needed")
	AssignFailHave     = def("eligibility.assignment.fail.have", KindCount)
	AssignFailDetail   = def("eligibility.assignment.fail.detail", KindOrg, KindList)
	AssignOKHave       = def("eligibility.assignment.ok.have")
	AssignOKDetail     = def("eligibility.assignment.ok.detail")

	// Certifications.

	// CertRequired is a required certification without levels above it: "ISO27001", "ENS alta".
	CertRequired = def("eligibility.cert.required", KindCert)
	// CertRequiredOrHigher is "ENS media or higher".
	CertRequiredOrHigher   = def("eligibility.cert.required.higher", KindCert)
	CertNeeded             = def("eligibility.cert.needed", KindMessage, KindDate)
	CertNeededNoDeadline   = def("eligibility.cert.needed.nodeadline", KindMessage, KindDate)
	CertDetailNoDeadline   = def("eligibility.cert.detail.nodeadline", KindMessage)
	CertHaveValid          = def("eligibility.cert.have.valid", KindCert, KindDate)
	CertHaveExpired        = def("eligibility.cert.have.expired", KindCert, KindDate)
	CertHaveNotIssued      = def("eligibility.cert.have.notissued", KindCert, KindDate)
	CertHaveNoExpiry       = def("eligibility.cert.have.noexpiry", KindCert)
	CertHaveBelow          = def("eligibility.cert.have.below", KindCert)
	CertHaveNone           = def("eligibility.cert.have.none")
	CertAssignedOKDetail   = def("eligibility.cert.assigned.ok.detail", KindCert, KindDate, KindOrg, KindMessage)
	CertAssignedFailDetail = def("eligibility.cert.assigned.fail.detail", KindCert, KindDate, KindOrg, KindMessage)
	CertHeldDetail         = def("eligibility.cert.held.detail", KindCert, KindDate, KindList)
	CertHolder             = def("eligibility.cert.holder", KindOrg, KindMessage)
	CertMissDetail         = def("eligibility.cert.miss.detail", KindCert, KindDate, KindList)
	CertNoneDetail         = def("eligibility.cert.none.detail", KindMessage, KindDate)
	CertMissExpired        = def("eligibility.cert.miss.expired", KindCert, KindOrg, KindDate, KindMessage, KindDate)
	CertMissNotIssued      = def("eligibility.cert.miss.notissued", KindCert, KindOrg, KindDate, KindMessage, KindDate)
	CertMissNoExpiry       = def("eligibility.cert.miss.noexpiry", KindCert, KindOrg)
	CertMissBelow          = def("eligibility.cert.miss.below", KindOrg, KindCert, KindCert)
	CertMissNone           = def("eligibility.cert.miss.none", KindOrg, KindText)
	DaysBefore             = def("eligibility.days.before", KindCount)
	DaysAfter              = def("eligibility.days.after", KindCount)

	// Solvency.

	EconomicExemptDetail  = def("eligibility.economic.exempt.detail")
	TechnicalExemptDetail = def("eligibility.technical.exempt.detail")
	SolvencyExemptNeeded  = def("eligibility.solvency.exempt.needed")
	SolvencyExemptHave    = def("eligibility.solvency.exempt.have")
	// EconomicWhat is "Best-year turnover in 2023–2025".
	EconomicWhat = def("eligibility.economic.what", KindYear, KindYear)
	// EconomicWhatAlone is the same in the middle of a sentence.
	EconomicWhatAlone = def("eligibility.economic.what.alone", KindYear, KindYear)
	// TechnicalWhat is "Best-year value of similar services (CPV starting 722) in 2023–2025".
	TechnicalWhat      = def("eligibility.technical.what", KindList, KindYear, KindYear)
	TechnicalWhatAlone = def("eligibility.technical.what.alone", KindList, KindYear, KindYear)
	BasisSetByTender   = def("eligibility.basis.set")
	BasisAnnual        = def("eligibility.basis.economic.annual", KindMoney, KindMoney, KindCount)
	BasisEstimated     = def("eligibility.basis.economic.estimated", KindMoney)
	BasisTechnical     = def("eligibility.basis.technical", KindCount, KindMoney)
	YearAmount         = def("eligibility.solvency.year", KindMoney, KindYear)
	YearAmountNone     = def("eligibility.solvency.year.none")
	SolvencyPart       = def("eligibility.solvency.part", KindOrg, KindMessage)
	// SolvencyAccumulated: what, parts, total, need, basis.
	SolvencyAccumulated      = def("eligibility.solvency.accumulated", KindMessage, KindList, KindMoney, KindMoney, KindMessage)
	SolvencyAccumulatedShort = def("eligibility.solvency.accumulated.short", KindMessage, KindList, KindMoney, KindMoney, KindMessage, KindMoney)
	// SolvencySingle: what, part, need, basis.
	SolvencySingle      = def("eligibility.solvency.single", KindMessage, KindMessage, KindMoney, KindMessage)
	SolvencySingleShort = def("eligibility.solvency.single.short", KindMessage, KindMessage, KindMoney, KindMessage, KindMoney)
	// SolvencyAlone: member, what, year amount, need, basis.
	SolvencyAlone      = def("eligibility.solvency.alone", KindOrg, KindMessage, KindMessage, KindMoney, KindMessage)
	SolvencyAloneShort = def("eligibility.solvency.alone.short", KindOrg, KindMessage, KindMessage, KindMoney, KindMessage, KindMoney)

	// Shares and lead.

	SharePositiveNeeded = def("eligibility.shares.positive.needed")
	SharePositiveDetail = def("eligibility.shares.positive.detail", KindOrg, KindPercent)
	SharesOKDetail      = def("eligibility.shares.ok.detail")
	SharesFailDetail    = def("eligibility.shares.fail.detail", KindPercent)
	LeadNeeded          = def("eligibility.lead.needed")
	LeadNoneDetail      = def("eligibility.lead.none.detail")
	LeadOneDetail       = def("eligibility.lead.one.detail", KindOrg)
	LeadManyDetail      = def("eligibility.lead.many.detail", KindList)

	// Recommendations.

	// RecommendRank: rank, teams, members (CountMembers), total, coverage,
	// experience, certification, turnover, inter-cluster scores.
	RecommendRank = def("recommend.rank", KindCount, KindCount, KindMessage, KindCount, KindCount, KindCount, KindCount, KindCount, KindCount)
	// RecommendBelow: the rank above, its reason.
	RecommendBelow = def("recommend.below", KindCount, KindMessage)
	// RecommendAbove: the rank below, the reason.
	RecommendAbove        = def("recommend.above", KindCount, KindMessage)
	RecommendBelowAbove   = def("recommend.below.above", KindCount, KindMessage, KindCount, KindMessage)
	RecommendOnly         = def("recommend.only")
	RecommendNotOptimal   = def("recommend.notoptimal")
	RecommendFewerMembers = def("recommend.reason.fewer", KindCount, KindCount)
	RecommendHigherScore  = def("recommend.reason.score", KindCount, KindCount)
	RecommendSameScore    = def("recommend.reason.ids", KindCount, KindList, KindList)
	RecommendNoDeadline   = def("recommend.nodeadline")
	// RecommendRanking says how recommendations are ordered.
	RecommendRanking = def("recommend.ranking")
)
