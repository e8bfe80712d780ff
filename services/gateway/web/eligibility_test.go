package web

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
	"github.com/consortia-dev/consortia/services/tender/matching"
)

// The worked example of the eligibility package: 300,000 € over 24 months
// (economic threshold 225,000 €, technical 105,000 €), ENS media, deadline 2027-03-15.
func exampleTender() eligibility.Requirements {
	return eligibility.Requirements{
		Capabilities:        []string{"cybersecurity", "cloud", "software-development"},
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}},
		Certifications:      []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
		Accumulation:        true,
		MaxMembers:          3,
		EstimatedValueCents: 300_000_00,
		DurationMonths:      24,
		Deadline:            time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC),
	}
}

func exampleCompany(id string, bestEuros int64, caps ...string) eligibility.Company {
	return eligibility.Company{
		ID: id, Name: strings.ToUpper(id[:1]) + id[1:], TaxID: "B" + id, Active: true, Capabilities: caps,
		Turnover:   []eligibility.YearAmount{{Year: 2025, Cents: bestEuros * 100}},
		References: []eligibility.Reference{{CPV: "72212000", Cents: 60_000_00, Year: 2025}},
	}
}

func ens(l eligibility.Level, expires time.Time) eligibility.Certification {
	return eligibility.Certification{Kind: "ENS", Level: l, Issued: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Expires: expires}
}

// englishOnly are the English catalogue's fragments that no Spanish text holds.
func englishOnly(t *testing.T) []string {
	es := strings.Join(msg.Fragments("es"), "\n")
	var out []string
	for _, f := range msg.Fragments("en") {
		if !strings.Contains(es, f) {
			out = append(out, f)
		}
	}
	if len(out) < 50 {
		t.Fatalf("only %d English fragments", len(out))
	}
	return out
}

var tags = regexp.MustCompile(`<[^>]*>`)

// visibleText is the page's text without tags, unescaped.
func visibleText(page string) string { return html.UnescapeString(tags.ReplaceAllString(page, " ")) }

// noEnglish fails for every English catalogue fragment in the Spanish text.
func noEnglish(t *testing.T, what, text string, english []string) {
	t.Helper()
	for _, f := range english {
		if strings.Contains(text, f) {
			t.Errorf("%s: Spanish page shows the English %q\n%s", what, f, text)
		}
	}
}

// TestEligibilityPanelInTheLanguage renders the eligibility panel of teams
// that meet and fail every rule: the Spanish panel holds no sentence of the
// English catalogue and formats numbers, dates and capabilities the Spanish
// way; the English panel shows the service's English strings.
func TestEligibilityPanelInTheLanguage(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	english := englishOnly(t)
	alfa := exampleCompany("alfa", 200_000, "cybersecurity", "cloud", "software-development")
	alfa.Certifications = []eligibility.Certification{ens(eligibility.LevelAlta, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}
	beta := exampleCompany("beta", 100_000, "cloud")
	basica := exampleCompany("gamma", 10_000)
	basica.Certifications = []eligibility.Certification{ens(eligibility.LevelBasica, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}
	expired := exampleCompany("delta", 10_000, "cloud")
	expired.Certifications = []eligibility.Certification{ens(eligibility.LevelMedia, time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC))}
	inactive := exampleCompany("epsilon", 10_000)
	inactive.Active = false
	alone := exampleTender()
	alone.Accumulation = false
	noDeadline := exampleTender()
	noDeadline.DeadlineAssumed = true
	names := map[string]string{"alfa": "Alfa Sistemas SL", "beta": "Beta Nube SA"}
	for _, tt := range []struct {
		name  string
		req   eligibility.Requirements
		team  eligibility.Team
		opts  eligibility.Options
		wants []string // in the Spanish panel
	}{
		{"met", exampleTender(), eligibility.Team{Members: []eligibility.Member{
			{Company: alfa, ShareBP: 6000, Lead: true, Certifies: []string{"ENS"}}, {Company: beta, ShareBP: 4000, Covers: []string{"cloud"}}}},
			eligibility.Options{RequireShares: true},
			[]string{"Alfa Sistemas SL es el representante de la UTE", "225.000,00 €", "vigente hasta el 01/01/2028", "Desarrollo de software", "Las participaciones de los miembros suman 100 %"}},
		{"failed", exampleTender(), eligibility.TeamOf(basica, expired, inactive, basica), eligibility.Options{RequireShares: true},
			[]string{"aparece 2 veces", "Falta: Ciberseguridad y Desarrollo de software", "caduca el 14/03/2027, el día antes del plazo del 15/03/2027",
				"no es socio activo", "Ningún miembro figura como representante", "faltan "}},
		{"no accumulation", alone, eligibility.TeamOf(alfa, beta), eligibility.Options{},
			[]string{"Alfa Sistemas SL por sí sola", "la licitación no admite acumulación"}},
		{"no deadline", noDeadline, eligibility.TeamOf(alfa), eligibility.Options{},
			[]string{"(hoy: la licitación no fija plazo)", "se comprueban a fecha de hoy"}},
		{"no members", exampleTender(), eligibility.Team{}, eligibility.Options{}, []string{"El equipo no tiene miembros."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := convert.Report(eligibility.Check(tt.req, tt.team, tt.opts))
			panel := func(lang string) string {
				var b bytes.Buffer
				args := partialArgs{L: &Locale{Lang: lang}, Report: rep, Names: names}
				if err := pages["consortium"].ExecuteTemplate(&b, "eligibility", args); err != nil {
					t.Fatal(err)
				}
				return visibleText(b.String())
			}
			es, en := panel("es"), panel("en")
			noEnglish(t, tt.name, es, english)
			for _, w := range tt.wants {
				if !strings.Contains(es, w) {
					t.Errorf("Spanish panel lacks %q\n%s", w, es)
				}
			}
			for _, r := range rep.GetResults() {
				// The English page names members by legal name; the API's label carries the tax id.
				for _, s := range []string{r.GetNeeded(), r.GetHave()} {
					if !strings.Contains(en, s) {
						t.Errorf("English panel lacks the service's %q", s)
					}
				}
			}
		})
	}
}

// TestRecommendationsInTheLanguage renders the recommendations page of a
// real search in Spanish: explanations and coverage in Spanish, no English
// catalogue sentence, no raw capability id; in English, the service's
// explanation.
func TestRecommendationsInTheLanguage(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	english := englishOnly(t)
	req := exampleTender()
	req.MaxMembers = 0
	pool := []eligibility.Company{
		exampleCompany("alfa", 200_000, "cybersecurity"), exampleCompany("beta", 100_000, "cloud", "software-development"),
		exampleCompany("gamma", 150_000, "cybersecurity", "cloud"), exampleCompany("delta", 90_000, "software-development"),
	}
	for i := range pool {
		pool[i].Certifications = []eligibility.Certification{ens(eligibility.LevelMedia, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}
	}
	res, err := matching.Recommend(t.Context(), req, pool, matching.Options{TopK: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Teams) < 2 {
		t.Fatalf("%d teams", len(res.Teams))
	}
	d := recommendData{T: &tenderv1.Tender{Id: "t1", Title: "Sede electrónica"}, Resp: &tenderv1.RecommendConsortiaResponse{Optimal: true}, Names: map[string]string{}}
	for _, rec := range res.Teams {
		pr := &tenderv1.Recommendation{Rank: int32(rec.Rank), Explanation: rec.Why, ExplanationMessages: convert.Messages(rec.WhyMessages), Eligibility: convert.Report(rec.Report)}
		tm := team{R: pr}
		for _, m := range rec.Team.Members {
			d.Names[m.Company.ID] = m.Company.Name
			pr.Members = append(pr.Members, &tenderv1.DraftMember{OrganizationId: m.Company.ID})
			tm.Members = append(tm.Members, teamMember{ID: m.Company.ID, Name: m.Company.Name})
		}
		for _, c := range rec.Coverage {
			pr.Coverage = append(pr.Coverage, &tenderv1.Coverage{Requirement: c.Requirement, OrganizationIds: c.By})
		}
		d.Teams = append(d.Teams, tm)
	}
	page := func(lang string) string {
		var b bytes.Buffer
		if err := pages["recommend"].ExecuteTemplate(&b, "layout.html", view{L: &Locale{Lang: lang}, Title: "t", Data: d, Unread: -1}); err != nil {
			t.Fatal(err)
		}
		return visibleText(b.String())
	}
	es, en := page("es"), page("en")
	noEnglish(t, "recommendations", es, english)
	for _, w := range []string{"N.º 1 de ", "Queda por encima del n.º 2", "Ciberseguridad", "Desarrollo de software", "ENS media"} {
		if !strings.Contains(es, w) {
			t.Errorf("Spanish recommendations lack %q\n%s", w, es)
		}
	}
	for _, raw := range []string{"software-development", "cybersecurity"} {
		if strings.Contains(es, raw) {
			t.Errorf("Spanish recommendations show the raw capability id %q", raw)
		}
	}
	for _, rec := range res.Teams {
		if !strings.Contains(en, rec.Why) {
			t.Errorf("English page lacks the service's explanation %q", rec.Why)
		}
	}
}

// TestUnknownMessagesFallBackToEnglish: a message this build does not know
// (a newer tender service) shows the service's English string.
func TestUnknownMessagesFallBackToEnglish(t *testing.T) {
	rep := &tenderv1.EligibilityReport{Results: []*tenderv1.RuleResult{{
		Rule: "future_rule", Needed: "something", Have: "nothing", Detail: "Future detail.",
		NeededMessage: &tenderv1.Message{Id: "eligibility.future.needed"},
		DetailMessage: &tenderv1.Message{Id: msg.CountMembers.String()}, // missing its argument
	}}}
	for _, lang := range []string{"es", "en"} {
		rows := (&Locale{Lang: lang}).Rules(rep, nil)
		if r := rows[0]; r.Needed != "something" || r.Have != "nothing" || r.Detail != "Future detail." {
			t.Errorf("%s: %+v", lang, r)
		}
	}
	rec := &tenderv1.Recommendation{Explanation: "English why.", ExplanationMessages: []*tenderv1.Message{{Id: "recommend.future"}}}
	if got := (&Locale{Lang: "es"}).Explanation(rec, nil); got != "English why." {
		t.Errorf("explanation %q", got)
	}
	if got := (&Locale{Lang: "es"}).Rules(nil, nil); len(got) != 0 {
		t.Errorf("nil report: %+v", got)
	}
}
