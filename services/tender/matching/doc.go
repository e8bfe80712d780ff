// Package matching recommends consortia (UTE teams) for a tender: the exact top
// K teams of at most k members from a pool of candidate companies, each with an
// explanation.
//
// # Feasibility
//
// A team is feasible when eligibility.Check passes for it as a draft (shares
// not required). The engine searches on per-company facts taken from
// eligibility.Assess (requirement bits, best-year turnover, best year of
// similar references) and verifies every team it returns with
// eligibility.Check; a disagreement is reported as an error, never hidden.
//
// # Ranking
//
// Teams are ranked by
//
//  1. fewer members first (a smaller UTE is simpler to run and shares less);
//  2. then a higher score;
//  3. then the sorted list of organisation ids, compared lexicographically
//     (element by element, as strings), so the order is total and deterministic.
//
// # Score
//
// The score is an integer (points), so ordering is exact. It is the sum of
// each member's contribution plus a team bonus:
//
//   - coverage: 100 points per required capability or certification the member
//     satisfies on its own (certifications only when valid on the deadline at
//     the required level or higher);
//   - experience: 1 point per 1 % of the contract's annual value that the
//     member's similar references (same CPV prefix, window years) add up to,
//     capped at 200;
//   - certification margin: 2 points per full month that each required
//     certificate the member holds stays valid after the deadline, capped at 24
//     months (48 points) per certificate, since a certificate that lapses soon
//     after the deadline must be renewed during execution;
//   - turnover margin: 1 point per 1 % of the economic threshold that the
//     member's best-year turnover reaches, capped at 100 (0 when the tender
//     requires no economic solvency);
//   - inter-cluster bonus: 150 points when the tender is shared with two or more
//     clusters and the team spans them: its members come from at least two of
//     those clusters and no single one holds all of them (the agency's aim of
//     cross-cluster collaboration).
//
// A member's contribution is between 0 and 100·m + 200 + 48·c + 100 for m
// requirements of which c are certifications, so team scores are bounded
// and bounds on them are cheap.
//
// # Exactness
//
// The search is exact: when Result.Optimal is true the teams are the true top K
// under the ranking (or every feasible team, when there are fewer). It
//
//   - works on requirement bitmasks: one bit per required capability and
//     certification, a company's mask being what it satisfies alone
//     (certifications only when valid on the deadline at the level or higher);
//   - drops inactive companies and, when accumulation is forbidden, those not
//     solvent alone; caps each amount at its threshold (no feasibility changes);
//   - drops companies dominated by at least K+k−1 others (reduce has the proof
//     that this keeps the exact top K);
//   - searches team sizes in increasing order, stopping at the first size by
//     which K teams are known (every larger team ranks after them);
//   - branches on an uncovered requirement, trying only its coverers that could
//     still keep the team solvent (every feasible team contains one), and
//     enumerates teams canonically so each is met once;
//   - prunes with upper bounds only: the best remaining scores, turnovers and
//     similar values, the most any one candidate holding each pair of the
//     missing requirements brings, and the best single member or pair that
//     could cover what is left, against the current K-th best;
//   - on large pools, splits each size's search across CPUs at the root's
//     children (one subtree per child, handed out in order), the workers
//     sharing the K best teams found so far: the subtrees and the bounds are
//     the sequential search's, so the teams and their order are too.
//
// When the time budget (Options.Budget or the context's deadline) runs out it
// returns the best teams found so far with Optimal false. The tests compare the
// engine with a brute force on 1,000 random instances, team for team.
package matching
