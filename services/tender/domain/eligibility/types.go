package eligibility

import (
	"fmt"
	"strings"
	"time"
)

// Level is the level of a certification. Only the ENS (Esquema Nacional de
// Seguridad, RD 311/2022) has levels, ordered básica < media < alta; other
// certifications use LevelNone, which any held level satisfies.
type Level int

// The certification levels, in increasing order.
const (
	// LevelNone is the level of certifications that have no levels (ISO 27001, ISO 9001 …).
	LevelNone Level = iota
	// LevelBasica is ENS básica.
	LevelBasica
	// LevelMedia is ENS media.
	LevelMedia
	// LevelAlta is ENS alta.
	LevelAlta
)

// String returns "basica", "media", "alta" or "" for LevelNone.
func (l Level) String() string {
	switch l {
	case LevelNone:
		return ""
	case LevelBasica:
		return "basica"
	case LevelMedia:
		return "media"
	case LevelAlta:
		return "alta"
	default:
		return fmt.Sprintf("Level(%d)", int(l))
	}
}

// valid reports whether l is one of the defined levels.
func (l Level) valid() bool { return l >= LevelNone && l <= LevelAlta }

// ParseLevel parses a level name: "basica" (or "básica"), "media", "alta", or
// "" for LevelNone. Case is ignored.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return LevelNone, nil
	case "basica", "básica":
		return LevelBasica, nil
	case "media":
		return LevelMedia, nil
	case "alta":
		return LevelAlta, nil
	default:
		return LevelNone, fmt.Errorf("eligibility: unknown certification level %q", s)
	}
}

// CertificationRequirement is one certification a tender requires.
type CertificationRequirement struct {
	// Kind names the certification: "ENS", "ISO27001", "ISO9001" … (compared exactly).
	Kind string
	// Level is the minimum level; LevelNone for certifications without levels.
	Level Level
}

// String returns the requirement as a person reads it, e.g. "ENS media".
func (c CertificationRequirement) String() string { return kindLevel(c.Kind, c.Level) }

// EconomicSolvency is a tender's economic solvency requirement (LCSP art. 87).
type EconomicSolvency struct {
	// ThresholdCents is the minimum best-year turnover; 0 derives it with DefaultEconomicThreshold.
	ThresholdCents int64
	// Exempt is true when the tender requires no economic solvency (e.g. the
	// simplified procedure of LCSP art. 159.6).
	Exempt bool
}

// TechnicalSolvency is a tender's technical solvency requirement for services
// (LCSP art. 90.1 a): similar services in the best year of the window.
type TechnicalSolvency struct {
	// CPVs are the tender's CPV codes, 8 digits ("72200000"; a "-5" check digit is ignored).
	CPVs []string
	// PrefixLen is how many leading CPV digits make a reference "similar"; 0 means 3 (the CPV group).
	PrefixLen int
	// Percent is the share of the annual value the best year must reach; 0 means 70.
	Percent int
	// RequiredCents is the explicit minimum; 0 derives it as Percent % of the annual value.
	RequiredCents int64
	// Exempt is true when the tender requires no technical solvency by references.
	Exempt bool
}

// DefaultPrefixLen is the number of CPV digits compared when PrefixLen is 0.
const DefaultPrefixLen = 3

// DefaultPercent is the share of the annual value required when Percent is 0.
const DefaultPercent = 70

// Requirements are what a tender (or one lot: LCSP art. 99 applies them per
// lot) asks of a bidder.
type Requirements struct {
	// Capabilities are the required capabilities, from the controlled vocabulary
	// ("cybersecurity", "cloud", "software-development" …); compared exactly.
	Capabilities []string
	// Economic is the economic solvency requirement.
	Economic EconomicSolvency
	// Technical is the technical solvency requirement.
	Technical TechnicalSolvency
	// Certifications are the required certifications; at most one per kind.
	Certifications []CertificationRequirement
	// Accumulation is true when the members' solvency may be added up (RGLCAP
	// art. 24.1, the default in law); false means every member must be solvent alone.
	Accumulation bool
	// MaxMembers caps the team size; 0 means no limit.
	MaxMembers int
	// EstimatedValueCents is the contract's estimated value (valor estimado, not the budget).
	EstimatedValueCents int64
	// DurationMonths is the contract's duration; 0 (unknown) is treated as at most a year.
	DurationMonths int
	// Deadline is the submission deadline; certifications must be valid on its date.
	Deadline time.Time
	// DeadlineAssumed is true when the tender gives no deadline and Deadline is
	// the date of the check (today): the certification results say so.
	DeadlineAssumed bool
}

// Certification is a certificate a company holds.
type Certification struct {
	// Kind names the certification ("ENS", "ISO27001" …).
	Kind string
	// Level is the certified level (ENS only; LevelNone otherwise).
	Level Level
	// Issued is the first day of validity; the zero time means unknown, taken as always issued.
	Issued time.Time
	// Expires is the last day of validity; a certificate without one is not accepted.
	Expires time.Time
}

// YearAmount is an amount attributed to one calendar year.
type YearAmount struct {
	// Year is the calendar year.
	Year int
	// Cents is the amount in euro cents.
	Cents int64
}

// Reference is a past contract a company performed, evidence of technical solvency.
type Reference struct {
	// CPV is the contract's main CPV code, 8 digits.
	CPV string
	// Cents is the amount executed in Year.
	Cents int64
	// Year is the year of execution.
	Year int
	// Buyer names the contracting authority.
	Buyer string
}

// Company is a cluster member company as eligibility sees it.
type Company struct {
	// ID identifies the company (the organisation id).
	ID string
	// Name is the company's name.
	Name string
	// TaxID is the company's NIF/CIF, shown to people instead of the id when set.
	TaxID string
	// Clusters are the ids of the clusters the company belongs to.
	Clusters []string
	// Capabilities are the capabilities it declares.
	Capabilities []string
	// Certifications are the certificates it holds.
	Certifications []Certification
	// Turnover is its annual turnover per year.
	Turnover []YearAmount
	// References are its past contracts.
	References []Reference
	// Active is true while it is an active (approved, not suspended) cluster member.
	Active bool
}

// Label names the company for a person: "Acme (B12345678)" with the tax id
// (or the id when there is none), or the id alone.
func (c Company) Label() string {
	if c.Name == "" {
		return c.ID
	}
	ref := c.TaxID
	if ref == "" {
		ref = c.ID
	}
	return c.Name + " (" + ref + ")"
}

// Member is a company's place in a team.
type Member struct {
	// Company is the member company.
	Company Company
	// ShareBP is its share of the UTE in hundredths of a percent (10000 = 100 %).
	ShareBP int
	// Lead is true for the representative the UTE names (LCSP art. 69.3).
	Lead bool
	// Covers optionally restricts which of its capabilities count for the team.
	Covers []string
	// Certifies lists the certification kinds whose certified system this member
	// runs; a certification assigned to members must be held by each of them.
	Certifies []string
}

// Team is a (draft or final) UTE.
type Team struct {
	// Members are the team's members, in the order a person arranged them.
	Members []Member
}

// TeamOf returns a draft team of the companies, without shares, lead or assignments.
func TeamOf(companies ...Company) Team {
	t := Team{Members: make([]Member, len(companies))}
	for i, c := range companies {
		t.Members[i] = Member{Company: c}
	}
	return t
}

// Options select the checks that only apply at some stages.
type Options struct {
	// RequireShares checks that shares sum to 100 %, each is positive and one
	// member is the lead; off for a draft team during matching.
	RequireShares bool
}

// kindLevel formats a certification kind with its level: "ENS media", "ISO27001".
func kindLevel(kind string, l Level) string {
	if l == LevelNone {
		return kind
	}
	return kind + " " + l.String()
}
