package eligibility

import (
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain/msg"
)

// messageScenarios reach every branch of Check that says something.
func messageScenarios() []struct {
	name string
	req  Requirements
	team Team
	opts Options
} {
	deadline := tender().Deadline
	valid := Certification{Kind: "ENS", Level: LevelAlta, Issued: day(2024, 1, 1), Expires: day(2028, 1, 1)}
	with := func(c Company, certs ...Certification) Company { c.Certifications = certs; return c }
	alfa := with(company("A1", "Alfa", 200_000), valid)
	beta := company("B2", "Beta", 100_000)
	gamma := company("C3", "Gamma", 50_000)
	poor := company("D4", "Delta", 0)
	poor.Turnover, poor.References = nil, nil
	inactive := company("E5", "Épsilon", 100_000)
	inactive.Active = false
	noCaps := company("F6", "Fi", 300_000)
	noCaps.Capabilities = nil
	cyberOnly := company("G7", "Gi", 300_000)
	cyberOnly.Capabilities = []string{"cybersecurity"}
	expired := with(company("H8", "Eta", 100_000), Certification{Kind: "ENS", Level: LevelMedia, Issued: day(2024, 1, 1), Expires: deadline.AddDate(0, 0, -3)})
	expired1 := with(company("H9", "Eta Uno", 100_000), Certification{Kind: "ENS", Level: LevelMedia, Issued: day(2024, 1, 1), Expires: day(2027, 3, 14)})
	future := with(company("I9", "Iota", 100_000), Certification{Kind: "ENS", Level: LevelMedia, Issued: deadline.AddDate(0, 0, 5), Expires: day(2030, 1, 1)})
	future1 := with(company("I8", "Iota Uno", 100_000), Certification{Kind: "ENS", Level: LevelMedia, Issued: day(2027, 3, 16), Expires: day(2030, 1, 1)})
	noExpiry := with(company("J1", "Jota", 100_000), Certification{Kind: "ENS", Level: LevelMedia, Issued: day(2024, 1, 1)})
	below := with(company("K2", "Kapa", 100_000), Certification{Kind: "ENS", Level: LevelBasica, Issued: day(2024, 1, 1), Expires: day(2028, 1, 1)})

	iso := tender()
	iso.Certifications = []CertificationRequirement{{Kind: "ISO27001"}, {Kind: "ENS", Level: LevelAlta}}
	noDeadline := tender()
	noDeadline.DeadlineAssumed = true
	invalid := tender()
	invalid.Deadline = time.Time{}
	capped := tender()
	capped.MaxMembers = 3
	noCapsReq := tender()
	noCapsReq.Capabilities = nil
	exempt := tender()
	exempt.Economic.Exempt, exempt.Technical.Exempt = true, true
	set := tender()
	set.Economic.ThresholdCents, set.Technical.RequiredCents = 50_000_00, 10_000_00
	set.DurationMonths = 12
	short := tender()
	short.DurationMonths = 6
	alone := tender()
	alone.Accumulation = false
	twoCPVs := tender()
	twoCPVs.Technical.CPVs = []string{"72200000", "48000000"}

	assigned := func(c Company, kinds ...string) Member { return Member{Company: c, Certifies: kinds} }
	covers := func(c Company, caps ...string) Member { return Member{Company: c, Covers: caps} }
	shares := func(lead []bool, bp ...int) Team {
		t := TeamOf(alfa, beta, gamma)
		for i := range t.Members {
			t.Members[i].ShareBP, t.Members[i].Lead = bp[i], lead[i]
		}
		return t
	}
	type sc = struct {
		name string
		req  Requirements
		team Team
		opts Options
	}
	return []sc{
		{"invalid requirements", invalid, TeamOf(alfa), Options{}},
		{"no members", tender(), Team{}, Options{}},
		{"member without id", tender(), TeamOf(alfa, Company{Name: "Sin id", Active: true}), Options{}},
		{"duplicate", tender(), TeamOf(alfa, alfa), Options{}},
		{"eligible pair", tender(), TeamOf(alfa, beta), Options{}},
		{"alone", tender(), TeamOf(alfa), Options{}},
		{"short alone", tender(), TeamOf(gamma), Options{}},
		{"capped", capped, TeamOf(alfa, beta), Options{}},
		{"over the cap", capped, TeamOf(alfa, beta, gamma, poor, inactive), Options{}},
		{"no capability covered", tender(), TeamOf(noCaps), Options{}},
		{"one capability covered", tender(), TeamOf(cyberOnly), Options{}},
		{"no capability needed", noCapsReq, TeamOf(alfa), Options{}},
		{"covers declared", tender(), Team{Members: []Member{covers(alfa, "cloud"), covers(beta, "cybersecurity")}}, Options{}},
		{"covers undeclared", tender(), Team{Members: []Member{covers(cyberOnly, "cloud", "ai")}}, Options{}},
		{"certification assigned", tender(), Team{Members: []Member{assigned(alfa, "ENS"), {Company: beta}}}, Options{}},
		{"certification assigned and expired", tender(), Team{Members: []Member{assigned(expired, "ENS"), assigned(beta, "ENS")}}, Options{}},
		{"certification expired", tender(), TeamOf(expired, expired1, future, future1, noExpiry, below), Options{}},
		{"certification not issued yet", tender(), TeamOf(future), Options{}},
		{"certification without expiry", tender(), TeamOf(noExpiry), Options{}},
		{"certification below", tender(), TeamOf(below), Options{}},
		{"other certifications", iso, TeamOf(alfa, beta), Options{}},
		{"no deadline", noDeadline, TeamOf(alfa, beta), Options{}},
		{"exempt", exempt, TeamOf(alfa), Options{}},
		{"thresholds set", set, TeamOf(alfa, poor), Options{}},
		{"short contract", short, TeamOf(alfa), Options{}},
		{"no accumulation", alone, TeamOf(alfa, gamma, noCaps), Options{}},
		{"two CPV groups", twoCPVs, TeamOf(alfa, beta), Options{}},
		{"shares", tender(), shares([]bool{true, false, false}, 5000, 3000, 2000), Options{RequireShares: true}},
		{"bad shares", tender(), shares([]bool{false, false, false}, 5000, 5000, 0), Options{RequireShares: true}},
		{"two leads", tender(), shares([]bool{true, true, false}, 5000, 4000, 0), Options{RequireShares: true}},
	}
}

// visit calls f on m and every message nested in it.
func visit(m msg.Message, f func(msg.Message)) {
	f(m)
	var arg func(a msg.Arg)
	arg = func(a msg.Arg) {
		if a.Msg != nil {
			visit(*a.Msg, f)
		}
		for _, it := range a.Items {
			arg(it)
		}
	}
	for _, a := range m.Args {
		arg(a)
	}
}

// TestEveryResultIsACatalogueMessage checks every result the scenarios
// produce: each needed, have and detail is a well-formed catalogue message
// whose English rendering is the string field, and whose Spanish rendering
// is complete and not the English. Together the scenarios emit every
// eligibility id of the catalogue, so an id the rules no longer emit (or a
// rule branch without a scenario) fails here.
func TestEveryResultIsACatalogueMessage(t *testing.T) {
	es := msg.NewPrinter("es", nil)
	seen := map[msg.ID]bool{}
	for _, sc := range messageScenarios() {
		rep := Check(sc.req, sc.team, sc.opts)
		for _, r := range rep.Results {
			for _, f := range []struct {
				name, english string
				m             msg.Message
			}{{"needed", r.Needed, r.NeededMsg}, {"have", r.Have, r.HaveMsg}, {"detail", r.Detail, r.DetailMsg}} {
				if err := f.m.Check(); err != nil {
					t.Errorf("%s: %s %s: %v", sc.name, r.Rule, f.name, err)
					continue
				}
				if got := msg.English(f.m); got != f.english || got == "" {
					t.Errorf("%s: %s %s: English %q, field %q", sc.name, r.Rule, f.name, got, f.english)
				}
				spanish := es.Render(f.m)
				if strings.Contains(spanish, "%!") || (spanish == f.english && len(f.english) > 12) {
					t.Errorf("%s: %s %s: Spanish %q (English %q)", sc.name, r.Rule, f.name, spanish, f.english)
				}
				visit(f.m, func(m msg.Message) { seen[m.ID] = true })
			}
		}
	}
	for _, id := range msg.IDs() {
		if strings.HasPrefix(id.String(), "recommend.") {
			continue // the matching engine's
		}
		if !seen[id] {
			t.Errorf("no scenario emits %s", id)
		}
	}
}

// TestEnglishTextIsUnchanged pins a few English sentences API clients have
// always read, now rendered from the English catalogue.
func TestEnglishTextIsUnchanged(t *testing.T) {
	valid := Certification{Kind: "ENS", Level: LevelAlta, Issued: day(2024, 1, 1), Expires: day(2028, 1, 1)}
	a := company("A1", "Alfa", 200_000)
	a.Certifications = []Certification{valid}
	rep := Check(tender(), TeamOf(a, company("B2", "Beta", 100_000)), Options{})
	for _, c := range []struct{ rule, field, want string }{
		{RuleMembers, one(t, rep, RuleMembers, "").Detail, "The team has 2 distinct companies."},
		{RuleActive, one(t, rep, RuleActive, "").Have, "2 of 2 active"},
		{RuleMaxMembers, one(t, rep, RuleMaxMembers, "").Detail, "The tender sets no limit on members; the team has 2 members."},
		{RuleCertification, one(t, rep, RuleCertification, "").Needed, "ENS media or higher, valid on 2027-03-15"},
		{RuleCertification, one(t, rep, RuleCertification, "").Detail, "ENS media required on 2027-03-15: held by Alfa (A1) (ENS alta valid until 2028-01-01)."},
		{RuleEconomic, one(t, rep, RuleEconomic, "").Needed, "225,000 €"},
		{RuleEconomic, one(t, rep, RuleEconomic, "").Detail, "Best-year turnover in 2024–2026, accumulated across the members (RGLCAP art. 24.1): " +
			"Alfa (A1) 200,000 € in 2025 + Beta (B2) 100,000 € in 2025 = 300,000 €; the tender requires 225,000 € " +
			"(1.5 × the average annual value 150,000 € of 300,000 € over 24 months, LCSP art. 87)."},
	} {
		if c.field != c.want {
			t.Errorf("%s: %q, want %q", c.rule, c.field, c.want)
		}
	}
}
