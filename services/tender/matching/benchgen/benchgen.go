// Package benchgen generates the seeded matching instances the benchmarks
// share (cmd/bench-match, the consortia bench-e2e program): pools of demo
// software SMEs and tenders with m requirements.
package benchgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// deadline is the deadline of every generated tender; the solvency window is 2024–2026.
var deadline = time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC)

// Vocabulary is the controlled capability Vocabulary, most popular first: the
// i-th is declared with weight 1/(i+1)^0.9 (Zipf-like), so "software-development"
// is common and "quantum" rare, as in an ICT cluster.
var Vocabulary = []string{
	"software-development", "web", "cloud", "data-analytics", "cybersecurity", "mobile", "erp", "devops",
	"ai", "networks", "e-government", "testing-qa", "ux-design", "document-management", "iot",
	"gis", "helpdesk", "e-learning", "e-health", "connectivity", "5g", "accessibility", "payments",
	"computer-vision", "nlp", "blockchain", "digital-twins", "robotics", "hpc", "quantum",
}

// Clusters are the clusters of the region; every tender is shared with all of them.
var Clusters = []string{"ict-cantabria", "industry-4-0", "health-tech", "culture-digital", "edu-tech", "agro-tech"}

// referenceCPVs are the CPV codes of past contracts: mostly IT services, some
// software packages and other services (which are not similar to IT services).
var referenceCPVs = []string{
	"72212000", "72200000", "72500000", "72600000", "72300000", "72400000", "72000000",
	"48000000", "48800000", "79400000", "64200000", "80500000",
}

// tenderCPVs are the main CPV codes tenders are drawn from.
var tenderCPVs = []string{"72200000", "72500000", "72600000", "48000000", "72300000"}

// sampler draws indices with fixed weights.
type sampler struct{ cum []float64 }

// newSampler builds a sampler for weights 1/(i+1)^s over n items.
func newSampler(n int, s float64) sampler {
	cum := make([]float64, n)
	total := 0.0
	for i := range cum {
		total += 1 / math.Pow(float64(i+1), s)
		cum[i] = total
	}
	return sampler{cum: cum}
}

// draw returns one index.
func (s sampler) draw(rng *rand.Rand) int {
	x := rng.Float64() * s.cum[len(s.cum)-1]
	return sort.SearchFloat64s(s.cum, x)
}

// distinct draws k distinct indices (k ≤ n) by rejection, which is fast for k ≪ n.
func (s sampler) distinct(rng *rand.Rand, k int) []int {
	var seen uint64 // the Vocabulary has fewer than 64 entries
	out := make([]int, 0, k)
	for len(out) < k {
		i := s.draw(rng)
		if seen&(1<<uint(i)) == 0 {
			seen |= 1 << uint(i)
			out = append(out, i)
		}
	}
	return out
}

// logNormal draws exp(N(ln median, sigma)).
func logNormal(rng *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*rng.NormFloat64())
}

// euros converts euros to cents, rounded to whole euros.
func euros(v float64) int64 { return int64(math.Round(v)) * 100 }

// companySampler is shared by all generated pools.
var companySampler = newSampler(len(Vocabulary), 0.9)

// Pool generates n companies: 10–25-person software SMEs with log-normal
// turnover (median 1 M€), 2–14 Zipf-popular capabilities, a few certificates
// (some expired by the deadline) and 1–8 references.
func Pool(seed uint64, n int) []eligibility.Company {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	pool := make([]eligibility.Company, n)
	for i := range pool {
		c := &pool[i]
		c.ID = fmt.Sprintf("B%08d", i)
		c.Name = fmt.Sprintf("Demo company %d", i)
		c.Active = rng.IntN(100) < 98
		c.Clusters = []string{Clusters[rng.IntN(len(Clusters))]}
		if rng.IntN(100) < 15 {
			c.Clusters = append(c.Clusters, Clusters[rng.IntN(len(Clusters))])
		}
		ncap := min(14, max(2, int(logNormal(rng, 6, 0.45))))
		for _, v := range companySampler.distinct(rng, ncap) {
			c.Capabilities = append(c.Capabilities, Vocabulary[v])
		}
		base := logNormal(rng, 1_000_000, 0.9)
		for y := 2023; y <= 2026; y++ {
			c.Turnover = append(c.Turnover, eligibility.YearAmount{Year: y, Cents: euros(base * logNormal(rng, 1, 0.15))})
		}
		for range 1 + rng.IntN(8) {
			c.References = append(c.References, eligibility.Reference{
				CPV:   referenceCPVs[rng.IntN(len(referenceCPVs))],
				Year:  2022 + rng.IntN(6),
				Cents: euros(logNormal(rng, 80_000, 1.0)),
				Buyer: "Demo buyer",
			})
		}
		c.Certifications = genCertificates(rng)
	}
	return pool
}

// genCertificates draws ENS (25 %), ISO 27001 (30 %) and ISO 9001 (45 %)
// certificates expiring between a year before and three years after the deadline.
func genCertificates(rng *rand.Rand) []eligibility.Certification {
	var out []eligibility.Certification
	add := func(kind string, level eligibility.Level) {
		expires := deadline.AddDate(0, rng.IntN(48)-12, rng.IntN(28))
		out = append(out, eligibility.Certification{Kind: kind, Level: level, Issued: expires.AddDate(-2, 0, 0), Expires: expires})
	}
	if rng.IntN(100) < 25 {
		level := eligibility.LevelBasica
		switch r := rng.IntN(100); {
		case r >= 85:
			level = eligibility.LevelAlta
		case r >= 40:
			level = eligibility.LevelMedia
		}
		add("ENS", level)
	}
	if rng.IntN(100) < 30 {
		add("ISO27001", eligibility.LevelNone)
	}
	if rng.IntN(100) < 45 {
		add("ISO9001", eligibility.LevelNone)
	}
	return out
}

// tenderSampler draws required capabilities with a flatter popularity than
// companies declare them, so tenders also ask for rarer capabilities.
var tenderSampler = newSampler(len(Vocabulary), 0.5)

// Tender generates a tender with m requirements: 1–3 certifications (ENS
// media or alta, then ISO 27001, ISO 9001) and m minus those capabilities; an
// estimated value of median 2.5 M€ over 12–48 months, so the economic and
// technical thresholds are above what most single companies reach.
func Tender(seed uint64, m int) eligibility.Requirements {
	rng := rand.New(rand.NewPCG(seed, uint64(1000+m)))
	certs := []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}}
	if rng.IntN(100) < 30 {
		certs[0].Level = eligibility.LevelAlta
	}
	if m >= 10 {
		certs = append(certs, eligibility.CertificationRequirement{Kind: "ISO27001"})
	}
	if m >= 15 {
		certs = append(certs, eligibility.CertificationRequirement{Kind: "ISO9001"})
	}
	req := eligibility.Requirements{
		Certifications:      certs,
		Accumulation:        rng.IntN(100) < 90,
		EstimatedValueCents: euros(logNormal(rng, 2_500_000, 0.6)),
		DurationMonths:      12 * (1 + rng.IntN(4)),
		Deadline:            deadline,
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{tenderCPVs[rng.IntN(len(tenderCPVs))]}},
	}
	if rng.IntN(100) < 30 {
		req.Technical.CPVs = append(req.Technical.CPVs, tenderCPVs[rng.IntN(len(tenderCPVs))])
	}
	if req.Technical.CPVs[0] == req.Technical.CPVs[len(req.Technical.CPVs)-1] {
		req.Technical.CPVs = req.Technical.CPVs[:1]
	}
	for _, v := range tenderSampler.distinct(rng, m-len(certs)) {
		req.Capabilities = append(req.Capabilities, Vocabulary[v])
	}
	return req
}
