// Package eligibility holds the domain rules that decide whether a team of
// companies may bid for a public tender (or one of its lots) as a UTE, the
// temporary joint venture of LCSP art. 69. It is the one rule set used both by
// the tender service's CheckEligibility RPC and by the matching engine, which
// derives every per-company fact it searches on from Assess, the same function
// Check uses.
//
// The rules and their sources:
//
//   - Economic solvency (LCSP art. 87.1 a and 87.3 a): the turnover of the best
//     of the last three concluded years must reach the tender's threshold. The
//     default threshold is 1.5 × the estimated value or, for contracts longer
//     than 12 months, 1.5 × the average annual value (estimated value ÷ months
//     × 12); see DefaultEconomicThreshold.
//   - Technical solvency for services (LCSP art. 90.1 a): similar services in
//     the last three years; "similar" means the same first PrefixLen digits
//     (default 3, the CPV group) as any of the tender's CPV codes; in the best
//     year they must add up to Percent % (default 70 %) of the annual value.
//   - Accumulation (RGLCAP art. 24.1): in a UTE the members' solvency adds up
//     unless the tender's documents forbid it; then every member must be
//     solvent alone.
//   - Certifications, ENS (RD 311/2022) and others (ISO 27001, ISO 9001 …):
//     held at the required level or higher by the member that runs the system
//     (Member.Certifies) or, if no member is assigned, by any member, and valid
//     on the day of the deadline.
//   - The team: at least one member, no company twice, every member active,
//     at most MaxMembers members, the required capabilities covered, and when
//     the bid is being submitted, shares that sum to exactly 100 % with one
//     lead (LCSP art. 69.3).
//
// Money is in euro cents (int64) and shares in hundredths of a percent
// (10000 = 100 %), so every comparison is exact. Derived thresholds are
// rounded up to the cent: a requirement is never understated, so a team this
// package calls eligible is never short by a rounding cent.
//
// The "last three years" are the three calendar years before the deadline's
// year (see Window). Turnover must come from concluded years (art. 87.3 a says
// "los tres últimos concluidos"), and references need a certificate of good
// execution (art. 90.1 a), which a contract still running in the deadline's
// year cannot have yet; so the deadline's own year is left out of both. This is
// the conservative reading: it may reject a team a contracting authority would
// accept, never the opposite.
package eligibility
