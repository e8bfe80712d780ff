package web

import (
	"strings"
	"testing"
	"time"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

func TestEsNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{esEuros(123456789), "1.234.567,89 €"},
		{esEuros(22500000), "225.000,00 €"},
		{esEuros(5), "0,05 €"},
		{esEuros(-150), "-1,50 €"},
		{esEuros(0), "0,00 €"},
		{esPercent(10000), "100 %"},
		{esPercent(9950), "99,5 %"},
		{esPercent(3333), "33,33 %"},
		{esPercent(0), "0 %"},
		{esPercent(-50), "-0,5 %"},
		{esDates("valid on 2026-12-16"), "valid on 16/12/2026"},
		{esHaveCert("ENS alta valid until 2028-01-01"), "ENS alta, vigente hasta el 01/01/2028"},
		{esHaveCert("ENS media expired 2026-12-01"), "ENS media, caducada el 01/12/2026"},
		{esHaveCert("ISO27001 issued 2027-04-01"), "ISO27001, emitida el 01/04/2027"},
		{esHaveCert("ENS basica without expiry date"), "ENS básica, sin fecha de caducidad"},
		{esHaveCert("ENS basica"), "ENS básica"},
		{esHaveCert("none"), "ninguna"},
		{esJoin([]string{"a", "b", "c"}), "a, b y c"},
		{esJoin([]string{"Nube", "Inteligencia artificial"}), "Nube e Inteligencia artificial"},
		{esJoin([]string{"Nube", "hierro"}), "Nube y hierro"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if ids, ok := splitList("cloud, ai and cybersecurity"); !ok || strings.Join(ids, "|") != "cloud|ai|cybersecurity" {
		t.Errorf("splitList = %q, %v", ids, ok)
	}
	if _, ok := splitList("Alfa Sistemas (B1) and Beta"); ok {
		t.Error("splitList accepted names with spaces")
	}
}

// The worked example of the eligibility package: 300,000 € over 24 months
// (economic threshold 225,000 €, technical 105,000 €), ENS media, deadline 2027-03-15.
var cet = time.FixedZone("CET", 3600)

func esTender() eligibility.Requirements {
	return eligibility.Requirements{
		Capabilities:        []string{"cybersecurity", "cloud"},
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000"}},
		Certifications:      []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
		Accumulation:        true,
		MaxMembers:          3,
		EstimatedValueCents: 300_000_00,
		DurationMonths:      24,
		Deadline:            time.Date(2027, 3, 15, 14, 0, 0, 0, cet),
	}
}

func esCompany(id string, bestEuros int64, caps ...string) eligibility.Company {
	return eligibility.Company{
		ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Active: true, Capabilities: caps,
		Turnover:   []eligibility.YearAmount{{Year: 2025, Cents: bestEuros * 100}},
		References: []eligibility.Reference{{CPV: "72212000", Cents: 60_000_00, Year: 2025}},
	}
}

func ensCert(l eligibility.Level, expires time.Time) eligibility.Certification {
	return eligibility.Certification{Kind: "ENS", Level: l, Issued: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Expires: expires}
}

// toProto converts a report as the tender service does.
func toProto(rep eligibility.Report) *tenderv1.EligibilityReport {
	out := &tenderv1.EligibilityReport{Eligible: rep.Eligible}
	for _, r := range rep.Results {
		out.Results = append(out.Results, &tenderv1.RuleResult{
			Rule: r.Rule, Ok: r.OK, Subject: r.Subject, OrganizationId: r.Member, Needed: r.Needed, Have: r.Have,
			NeededValue: r.NeededValue, HaveValue: r.HaveValue, Detail: r.Detail,
		})
	}
	return out
}

var esNames = map[string]string{"alfa": "Alfa Sistemas SL", "beta": "Beta Nube SA"}

func esLocale() *Locale {
	return &Locale{Lang: "es", caps: map[string]*memberv1.Capability{
		"cloud":         {Id: "cloud", LabelEs: "Nube", LabelEn: "Cloud"},
		"cybersecurity": {Id: "cybersecurity", LabelEs: "Ciberseguridad", LabelEn: "Cybersecurity"},
		"ai":            {Id: "ai", LabelEs: "Inteligencia artificial", LabelEn: "AI"},
	}}
}

// want is the Spanish rendering expected of one result.
type want struct {
	rule, org    string // which result (org "" matches any)
	ok           bool
	needed, have string
	detail       []string // substrings of the Spanish detail
}

// checkRows renders rep in Spanish and checks each wanted result.
func checkRows(t *testing.T, rep eligibility.Report, wants []want) {
	t.Helper()
	rows := esLocale().Rules(toProto(rep), esNames)
	if len(rows) != len(rep.Results) {
		t.Fatalf("%d rows for %d results", len(rows), len(rep.Results))
	}
	for _, w := range wants {
		found := false
		for _, row := range rows {
			if row.R.GetRule() != w.rule || (w.org != "" && row.R.GetOrganizationId() != w.org) || row.R.GetOk() != w.ok {
				continue
			}
			found = true
			if row.Needed != w.needed || row.Have != w.have {
				t.Errorf("%s %s: needed %q have %q, want %q %q", w.rule, w.org, row.Needed, row.Have, w.needed, w.have)
			}
			for _, s := range w.detail {
				if !strings.Contains(row.Detail, s) {
					t.Errorf("%s %s: detail %q lacks %q", w.rule, w.org, row.Detail, s)
				}
			}
			if row.English != row.R.GetDetail() || row.English == "" {
				t.Errorf("%s: English detail %q not kept", w.rule, row.English)
			}
		}
		if !found {
			t.Errorf("no %s result (org %q, ok %v) in %+v", w.rule, w.org, w.ok, rep.Results)
		}
	}
}

func TestEligibilityEsMet(t *testing.T) {
	alfa := esCompany("alfa", 200_000, "cybersecurity", "cloud")
	alfa.Certifications = []eligibility.Certification{ensCert(eligibility.LevelAlta, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}
	beta := esCompany("beta", 100_000, "cloud")
	team := eligibility.Team{Members: []eligibility.Member{{Company: alfa, ShareBP: 6000, Lead: true}, {Company: beta, ShareBP: 4000, Covers: []string{"cloud"}}}}
	rep := eligibility.Check(esTender(), team, eligibility.Options{RequireShares: true})
	if !rep.Eligible {
		t.Fatalf("fixture not eligible: %+v", rep.Failed())
	}
	checkRows(t, rep, []want{
		{"members", "", true, "empresas distintas", "2 empresas distintas", []string{"El equipo tiene 2 empresas distintas."}},
		{"active_membership", "", true, "todos los miembros activos", "2 de 2 activos", []string{"Los 2 miembros son socios activos"}},
		{"max_members", "", true, "como máximo 3 miembros", "2 miembros", []string{"admite como máximo 3."}},
		{"capabilities", "", true, "2 capacidades", "2 de 2", []string{"cubren las 2 capacidades"}},
		{"assignment", "", true, "capacidades declaradas", "todas declaradas", []string{"solo capacidades que declara"}},
		{"certification", "alfa", true, "ENS media o superior, vigente el 15/03/2027", "ENS alta, vigente hasta el 01/01/2028",
			[]string{"Se exige ENS media o superior el 15/03/2027: la aporta Alfa Sistemas SL"}},
		{"economic_solvency", "", true, "225.000,00 €", "300.000,00 €", []string{
			"Solvencia económica: los miembros aportan 300.000,00 € (mejor año de cada uno, acumulado, RGLCAP art. 24.1); se exigen 225.000,00 € (1,5 × valor anual medio, LCSP art. 87)."}},
		{"technical_solvency", "", true, "105.000,00 €", "120.000,00 €", []string{
			"Solvencia técnica: los miembros aportan 120.000,00 € en servicios similares", "(70 % del valor anual, LCSP art. 90.1 a)"}},
		{"shares", "", true, "100 %", "100 %", []string{"suman 100 %"}},
		{"lead", "alfa", true, "1 representante", "1 representante", []string{"Alfa Sistemas SL es el representante de la UTE"}},
	})
}

func TestEligibilityEsFailed(t *testing.T) {
	req := esTender()
	req.Accumulation = false
	req.MaxMembers = 1
	req.Capabilities = []string{"cybersecurity", "cloud", "ai"}
	alfa := esCompany("alfa", 100_000, "cybersecurity")
	alfa.Active = false
	alfa.Certifications = []eligibility.Certification{ensCert(eligibility.LevelBasica, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}
	beta := esCompany("beta", 300_000, "cybersecurity")
	team := eligibility.Team{Members: []eligibility.Member{
		{Company: alfa, ShareBP: 5950},
		{Company: beta, ShareBP: 4000, Covers: []string{"ai"}},
	}}
	rep := eligibility.Check(req, team, eligibility.Options{RequireShares: true})
	checkRows(t, rep, []want{
		{"active_membership", "alfa", false, "activo", "inactivo", []string{"Alfa Sistemas SL no es socio activo del clúster"}},
		{"max_members", "", false, "como máximo 1 miembro", "2 miembros", []string{"El equipo tiene 2 miembros, pero la licitación admite como máximo 1."}},
		{"capabilities", "", false, "3 capacidades", "1 de 3", []string{"cubren 1 de 3 capacidades exigidas; faltan: Nube e", "Inteligencia artificial."}},
		{"assignment", "beta", false, "capacidades declaradas", "1 sin declarar", []string{"Beta Nube SA tiene asignada 1 capacidad que no declara: Inteligencia artificial."}},
		{"certification", "alfa", false, "ENS media o superior, vigente el 15/03/2027", "ENS básica",
			[]string{"Se exige ENS media o superior el 15/03/2027, pero Alfa Sistemas SL solo aporta ENS básica."}},
		{"economic_solvency", "alfa", false, "225.000,00 €", "100.000,00 €", []string{
			"Solvencia económica: Alfa Sistemas SL aporta por sí sola 100.000,00 €", "no admite acumulación", "(1,5 × valor anual medio, LCSP art. 87) a cada miembro; faltan 125.000,00 €."}},
		{"economic_solvency", "beta", true, "225.000,00 €", "300.000,00 €", []string{"Beta Nube SA aporta por sí sola 300.000,00 €"}},
		{"technical_solvency", "beta", false, "105.000,00 €", "60.000,00 €", []string{"faltan 45.000,00 €."}},
		{"shares", "", false, "100 %", "99,5 %", []string{"suman 99,5 %; deben sumar exactamente 100 %"}},
		{"lead", "", false, "1 representante", "ningún representante", []string{"Ningún miembro figura como representante"}},
	})
}

func TestEligibilityEsOther(t *testing.T) {
	// No member holds the certification; shares and lead problems; the same company twice.
	req := esTender()
	req.MaxMembers = 0
	alfa := esCompany("alfa", 300_000, "cybersecurity", "cloud")
	team := eligibility.Team{Members: []eligibility.Member{{Company: alfa, Lead: true}, {Company: alfa, Lead: true}}}
	rep := eligibility.Check(req, team, eligibility.Options{RequireShares: true})
	checkRows(t, rep, []want{
		{"members", "alfa", false, "1 plaza", "2 plazas", []string{"Alfa Sistemas SL aparece 2 veces en el equipo"}},
		{"max_members", "", true, "sin límite", "2 miembros", []string{"no limita el número de miembros"}},
		{"certification", "", false, "ENS media o superior, vigente el 15/03/2027", "ninguna", []string{"Ningún miembro aporta ENS media o superior; se exige el 15/03/2027."}},
		{"shares", "alfa", false, "más de 0 %", "0 %", []string{"Alfa Sistemas SL tiene una participación de 0 %"}},
		{"lead", "", false, "1 representante", "2 representantes", []string{"2 miembros figuran como representante"}},
	})

	// One member, exempt solvency, no capabilities.
	req = esTender()
	req.Capabilities = nil
	req.Economic.Exempt = true
	req.Technical = eligibility.TechnicalSolvency{CPVs: []string{"72200000"}, RequiredCents: 50_000_00}
	rep = eligibility.Check(req, eligibility.TeamOf(alfa), eligibility.Options{})
	checkRows(t, rep, []want{
		{"active_membership", "", true, "todos los miembros activos", "1 de 1 activos", []string{"El miembro es socio activo del clúster."}},
		{"capabilities", "", true, "ninguna", "no se exige ninguna", []string{"no exige ninguna capacidad"}},
		{"economic_solvency", "", true, "no se exige", "no se evalúa", []string{"La licitación no exige solvencia económica."}},
		{"technical_solvency", "alfa", true, "50.000,00 €", "60.000,00 €", []string{
			"Solvencia técnica: Alfa Sistemas SL aporta 60.000,00 € en servicios similares (su mejor año); se exigen 50.000,00 € (fijado por la licitación)."}},
	})

	// No members; incomplete requirements.
	checkRows(t, eligibility.Check(esTender(), eligibility.Team{}, eligibility.Options{}), []want{
		{"members", "", false, "al menos 1 miembro", "0 miembros", []string{"El equipo no tiene miembros."}},
	})
	checkRows(t, eligibility.Check(eligibility.Requirements{}, eligibility.TeamOf(alfa), eligibility.Options{}), []want{
		{"requirements", "", false, "requisitos completos", "incompletos", []string{"incompletos"}},
	})
}

// TestEligibilityEsFallback: English pages and unknown rules keep the service's strings.
func TestEligibilityEsFallback(t *testing.T) {
	rep := &tenderv1.EligibilityReport{Results: []*tenderv1.RuleResult{
		{Rule: "economic_solvency", Ok: true, Needed: "225,000 €", Have: "300,000 €", NeededValue: 22500000, HaveValue: 30000000, Detail: "English detail."},
		{Rule: "future_rule", Needed: "something", Have: "nothing", Detail: "Future detail."},
	}}
	en := (&Locale{Lang: "en"}).Rules(rep, nil)
	if en[0].Needed != "225,000 €" || en[0].Detail != "English detail." || en[0].English != "" {
		t.Errorf("English row changed: %+v", en[0])
	}
	es := esLocale().Rules(rep, nil)
	if es[0].Needed != "225.000,00 €" || es[0].English != "English detail." {
		t.Errorf("Spanish row: %+v", es[0])
	}
	if es[1].Needed != "something" || es[1].Have != "nothing" || es[1].Detail != "Future detail." || es[1].English != "" {
		t.Errorf("unknown rule not left in English: %+v", es[1])
	}
	if got := esLocale().Rules(nil, nil); len(got) != 0 {
		t.Errorf("nil report: %+v", got)
	}
}
