package web

import (
	"regexp"
	"strconv"
	"strings"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// The tender service explains eligibility in English (RuleResult.needed, have
// and detail, built by services/tender/domain/eligibility). For Spanish pages
// the console rebuilds them from the structured fields (rule, ok, subject,
// organization_id, needed_value, have_value) with one formatter per rule id;
// a few things the numbers do not carry (the certification deadline, which
// capabilities are missing, where a solvency threshold comes from) are read
// from the English strings, whose shape eligibility/check.go fixes, and left
// out when they do not match. The English detail stays available, collapsed.

// ruleRow is one row of the eligibility panel in the page's language.
type ruleRow struct {
	R      *tenderv1.RuleResult
	Needed string
	Have   string
	Detail string
	// English is the service's English detail when Detail is a translation, "" otherwise.
	English string
}

// esRule is what the Spanish formatter of one rule needs.
type esRule struct {
	l     *Locale
	r     *tenderv1.RuleResult
	names map[string]string // organisation id → legal name
}

// esFormatters build the Spanish needed, have and detail of each rule id.
var esFormatters = map[string]func(esRule) (needed, have, detail string){
	"requirements":       esRequirements,
	"members":            esMembers,
	"active_membership":  esActive,
	"max_members":        esMaxMembers,
	"capabilities":       esCapabilities,
	"assignment":         esAssignment,
	"certification":      esCertification,
	"economic_solvency":  esSolvency,
	"technical_solvency": esSolvency,
	"shares":             esShares,
	"lead":               esLead,
}

// Rules returns the report's results for the page: the service's English
// strings in English, a Spanish rendering for Spanish (English for a rule id
// it does not know).
func (l *Locale) Rules(rep *tenderv1.EligibilityReport, names map[string]string) []ruleRow {
	rows := make([]ruleRow, 0, len(rep.GetResults()))
	for _, r := range rep.GetResults() {
		rows = append(rows, l.rule(r, names))
	}
	return rows
}

// rule renders one result in the locale's language.
func (l *Locale) rule(r *tenderv1.RuleResult, names map[string]string) ruleRow {
	row := ruleRow{R: r, Needed: r.GetNeeded(), Have: r.GetHave(), Detail: r.GetDetail()}
	f, ok := esFormatters[r.GetRule()]
	if l.Lang != "es" || !ok {
		return row
	}
	row.Needed, row.Have, row.Detail = f(esRule{l: l, r: r, names: names})
	row.English = r.GetDetail()
	return row
}

// org names the result's member: its legal name, else its id.
func (e esRule) org() string {
	id := e.r.GetOrganizationId()
	if n := e.names[id]; n != "" {
		return n
	}
	if id == "" {
		return "un miembro"
	}
	return id
}

// esEuros formats cents the Spanish way, always with cents: "1.234.567,89 €".
func esEuros(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign = "-"
		u = uint64(-(cents + 1)) + 1
	}
	return sign + groupU(u/100, ".") + "," + strconv.FormatUint(u%100/10, 10) + strconv.FormatUint(u%10, 10) + " €"
}

// groupU inserts sep every three digits.
func groupU(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// esPercent formats hundredths of a percent: 10000 → "100 %", 9950 → "99,5 %", 3333 → "33,33 %".
func esPercent(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := sign + strconv.FormatInt(bp/100, 10)
	switch frac := bp % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += "," + strconv.FormatInt(frac/10, 10)
	default:
		s += "," + strconv.FormatInt(frac/10, 10) + strconv.FormatInt(frac%10, 10)
	}
	return s + " %"
}

// esCount is "1 capacidad" or "3 capacidades".
func esCount(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// esJoin joins items as "a", "a y b" or "a, b y c" ("e" before an /i/ sound:
// "Nube e Inteligencia artificial").
func esJoin(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	last := items[len(items)-1]
	and := " y "
	if w := strings.ToLower(last); (strings.HasPrefix(w, "i") || strings.HasPrefix(w, "í") || strings.HasPrefix(w, "hi") || strings.HasPrefix(w, "hí")) &&
		!strings.HasPrefix(w, "hie") && !strings.HasPrefix(w, "hia") && !strings.HasPrefix(w, "hio") && !strings.HasPrefix(w, "hiu") {
		and = " e "
	}
	return strings.Join(items[:len(items)-1], ", ") + and + last
}

var isoDate = regexp.MustCompile(`(\d{4})-(\d{2})-(\d{2})`)

// esDates rewrites the ISO dates of s as dd/mm/yyyy.
func esDates(s string) string { return isoDate.ReplaceAllString(s, "$3/$2/$1") }

// firstDate returns the first ISO date in s as dd/mm/yyyy, "" when there is none.
func firstDate(s string) string { return esDates(isoDate.FindString(s)) }

// esCertName is a certification's Spanish name: "ENS básica" for "ENS basica".
func esCertName(s string) string {
	return strings.Replace(s, " basica", " básica", 1)
}

// splitList splits "a", "a and b" or "a, b and c" into items that hold no
// space (identifiers); ok is false when the text is not such a list.
func splitList(s string) ([]string, bool) {
	var items []string
	for part := range strings.SplitSeq(s, ", ") {
		for item := range strings.SplitSeq(part, " and ") {
			if item == "" || strings.ContainsAny(item, " ,;") {
				return nil, false
			}
			items = append(items, item)
		}
	}
	return items, len(items) > 0
}

// capLabels returns the Spanish labels of capability ids.
func (e esRule) capLabels(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e.l.Capability(id)
	}
	return out
}

func esRequirements(e esRule) (string, string, string) {
	return "requisitos completos", "incompletos", "Los requisitos de la licitación están incompletos y no se pueden comprobar."
}

func esMembers(e esRule) (string, string, string) {
	r := e.r
	switch {
	case r.GetOk():
		n := r.GetHaveValue()
		have := esCount(n, "empresa", "empresas distintas")
		return "empresas distintas", have, "El equipo tiene " + have + "."
	case r.GetOrganizationId() != "":
		n := strconv.FormatInt(r.GetHaveValue(), 10)
		return "1 plaza", n + " plazas", e.org() + " aparece " + n + " veces en el equipo; una empresa solo puede ocupar una plaza."
	case r.GetNeededValue() == 1:
		return "al menos 1 miembro", "0 miembros", "El equipo no tiene miembros."
	default:
		return "un identificador de empresa", "ninguno", "Un miembro del equipo no tiene identificador de empresa."
	}
}

func esActive(e esRule) (string, string, string) {
	r := e.r
	if !r.GetOk() {
		return "activo", "inactivo", e.org() + " no es socio activo del clúster; solo los socios activos pueden formar parte de un consorcio."
	}
	n := r.GetHaveValue()
	detail := "Los " + strconv.FormatInt(n, 10) + " miembros son socios activos del clúster."
	if n == 1 {
		detail = "El miembro es socio activo del clúster."
	}
	have := strconv.FormatInt(n, 10) + " de " + strconv.FormatInt(r.GetNeededValue(), 10) + " activos"
	return "todos los miembros activos", have, detail
}

func esMaxMembers(e esRule) (string, string, string) {
	r := e.r
	have := esCount(r.GetHaveValue(), "miembro", "miembros")
	if r.GetNeededValue() == 0 {
		return "sin límite", have, "La licitación no limita el número de miembros; el equipo tiene " + have + "."
	}
	limit := strconv.FormatInt(r.GetNeededValue(), 10)
	needed := "como máximo " + esCount(r.GetNeededValue(), "miembro", "miembros")
	if r.GetOk() {
		return needed, have, "El equipo tiene " + have + "; la licitación admite como máximo " + limit + "."
	}
	return needed, have, "El equipo tiene " + have + ", pero la licitación admite como máximo " + limit + "."
}

func esCapabilities(e esRule) (string, string, string) {
	r := e.r
	need, have := r.GetNeededValue(), r.GetHaveValue()
	if need == 0 {
		return "ninguna", "no se exige ninguna", "La licitación no exige ninguna capacidad concreta."
	}
	needed := esCount(need, "capacidad", "capacidades")
	haveS := strconv.FormatInt(have, 10) + " de " + strconv.FormatInt(need, 10)
	if r.GetOk() {
		if need == 1 {
			return needed, haveS, "Los miembros cubren la capacidad exigida."
		}
		return needed, haveS, "Los miembros cubren las " + strconv.FormatInt(need, 10) + " capacidades exigidas."
	}
	detail := "Los miembros cubren " + haveS + " capacidades exigidas"
	// "Missing a, b and c." or "Missing a. Covered: …" (eligibility.checkCapabilities).
	if rest, ok := strings.CutPrefix(r.GetDetail(), "Missing "); ok {
		list, _, _ := strings.Cut(rest, ".")
		if ids, ok := splitList(list); ok {
			verb := "; faltan: "
			if len(ids) == 1 {
				verb = "; falta: "
			}
			detail += verb + esJoin(e.capLabels(ids))
		}
	}
	return needed, haveS, detail + "."
}

func esAssignment(e esRule) (string, string, string) {
	r := e.r
	if r.GetOk() {
		return "capacidades declaradas", "todas declaradas", "Cada miembro tiene asignadas solo capacidades que declara."
	}
	n := r.GetHaveValue()
	have := strconv.FormatInt(n, 10) + " sin declarar"
	detail := e.org() + " tiene asignadas " + strconv.FormatInt(n, 10) + " capacidades que no declara"
	if n == 1 {
		detail = e.org() + " tiene asignada 1 capacidad que no declara"
	}
	// "<label> is assigned a and b but does not declare it among its capabilities."
	d := r.GetDetail()
	if i := strings.LastIndex(d, " is assigned "); i >= 0 {
		list, _, found := strings.Cut(d[i+len(" is assigned "):], " but does not declare")
		if ids, ok := splitList(list); ok && found {
			detail += ": " + esJoin(e.capLabels(ids))
		}
	}
	return "capacidades declaradas", have, detail + "."
}

// esCertHave translates a certificate summary (eligibility.haveCert): the
// suffixes after the certificate's name, in order of precedence.
var esCertHave = []struct{ en, es string }{
	{" valid until ", ", vigente hasta el "},
	{" expired ", ", caducada el "},
	{" issued ", ", emitida el "},
	{" without expiry date", ", sin fecha de caducidad"},
}

// esHaveCert is the Spanish form of what a member holds: "ENS alta, vigente hasta el 01/01/2028".
func esHaveCert(have string) string {
	if have == "" || have == "none" {
		return "ninguna"
	}
	for _, p := range esCertHave {
		if name, rest, ok := strings.Cut(have, p.en); ok {
			return esCertName(name) + p.es + esDates(rest)
		}
	}
	return esCertName(have)
}

func esCertification(e esRule) (string, string, string) {
	r := e.r
	subject := esCertName(r.GetSubject())
	want := subject
	if lv := r.GetNeededValue(); lv == 1 || lv == 2 {
		want += " o superior"
	}
	date := firstDate(r.GetNeeded())
	needed := want
	on := ""
	if date != "" {
		needed += ", vigente el " + date
		on = " el " + date
	}
	have := esHaveCert(r.GetHave())
	// A tender without a deadline is checked as of today (the service's
	// eligibility.NoDeadlineNeeded ends the English "needed").
	note := ""
	if strings.Contains(r.GetNeeded(), "the tender gives no deadline") {
		needed += " (hoy: la licitación no fija plazo)"
		note = " La licitación no fija plazo de presentación, así que las certificaciones se comprueban a fecha de hoy."
	}
	switch {
	case r.GetOk():
		return needed, have, "Se exige " + want + on + ": la aporta " + e.org() + " (" + have + ")." + note
	case r.GetOrganizationId() == "" || r.GetHave() == "none":
		return needed, have, "Ningún miembro aporta " + want + "; se exige" + on + "." + note
	default:
		return needed, have, "Se exige " + want + on + ", pero " + e.org() + " solo aporta " + have + "." + note
	}
}

// esBasis says where a solvency threshold comes from, read from the English
// detail (eligibility.economicBasis, technicalBasis); "" when unknown.
func esBasis(detail string) string {
	switch {
	case strings.Contains(detail, "(set by the tender)"):
		return "fijado por la licitación"
	case strings.Contains(detail, "1.5 × the average annual value"):
		return "1,5 × valor anual medio, LCSP art. 87"
	case strings.Contains(detail, "1.5 × the estimated value"):
		return "1,5 × valor estimado, LCSP art. 87"
	}
	if m := technicalPercent.FindStringSubmatch(detail); m != nil {
		return m[1] + " % del valor anual, LCSP art. 90.1 a"
	}
	return ""
}

var technicalPercent = regexp.MustCompile(`\((\d+)% of the annual value `)

func esSolvency(e esRule) (string, string, string) {
	r := e.r
	title, what := "Solvencia económica", ""
	if r.GetRule() == "technical_solvency" {
		title, what = "Solvencia técnica", " en servicios similares"
	}
	need, have := r.GetNeededValue(), r.GetHaveValue()
	d := r.GetDetail()
	if need == 0 && have == 0 && r.GetOk() && strings.Contains(d, "does not require") {
		return "no se exige", "no se evalúa", "La licitación no exige " + strings.ToLower(title) + "."
	}
	needed, haveS := esEuros(need), esEuros(have)
	required := "se exigen " + needed
	if b := esBasis(d); b != "" {
		required += " (" + b + ")"
	}
	var s string
	switch {
	case strings.Contains(d, "does not allow accumulation"):
		s = title + ": " + e.org() + " aporta por sí sola " + haveS + what + " (su mejor año); la licitación no admite acumulación y " + required + " a cada miembro"
	case r.GetOrganizationId() != "":
		s = title + ": " + e.org() + " aporta " + haveS + what + " (su mejor año); " + required
	default:
		s = title + ": los miembros aportan " + haveS + what + " (mejor año de cada uno, acumulado, RGLCAP art. 24.1); " + required
	}
	if !r.GetOk() {
		s += "; faltan " + esEuros(need-have)
	}
	return needed, haveS, s + "."
}

func esShares(e esRule) (string, string, string) {
	r := e.r
	have := esPercent(r.GetHaveValue())
	if r.GetOrganizationId() != "" && r.GetNeededValue() != 10000 {
		return "más de 0 %", have, e.org() + " tiene una participación de " + have + "; cada miembro necesita una participación positiva."
	}
	if r.GetOk() {
		return "100 %", have, "Las participaciones de los miembros suman 100 % (LCSP art. 69.3)."
	}
	return "100 %", have, "Las participaciones de los miembros suman " + have + "; deben sumar exactamente 100 % (LCSP art. 69.3)."
}

func esLead(e esRule) (string, string, string) {
	r := e.r
	n := r.GetHaveValue()
	have := esCount(n, "representante", "representantes")
	switch {
	case n == 0:
		return "1 representante", "ningún representante", "Ningún miembro figura como representante; la UTE necesita exactamente uno (LCSP art. 69.3)."
	case n == 1 && r.GetOk():
		return "1 representante", have, e.org() + " es el representante de la UTE (LCSP art. 69.3)."
	default:
		return "1 representante", have, strconv.FormatInt(n, 10) + " miembros figuran como representante; la UTE necesita exactamente uno (LCSP art. 69.3)."
	}
}
