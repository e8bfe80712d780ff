package msg

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/consortia-dev/consortia/services/platform/vocab"
)

// Languages are the languages the catalogue speaks, English first (the
// language of the API's strings and the fallback).
var Languages = []string{"en", "es"}

// catalogues maps a language to its catalogue.
//
// A catalogue is a plain map of formats, interpreted here, rather than a
// golang.org/x/text/message catalogue: the two languages need one plural
// rule (1 or other), argument positions and nothing else, and every
// eligibility check renders its English sentences — with x/text's printer a
// check of three members took 167 µs instead of 24 µs (x/text's catalogue
// lookup and printf interpretation per sentence), which the matching
// engine's brute-force test and the CheckEligibility RPC pay on every call;
// this interpreter keeps it near the old string building.
var catalogues = map[string]map[ID]text{"en": en, "es": es}

// Has reports whether the catalogue of lang has a text for id.
func Has(lang string, id ID) bool {
	_, ok := catalogues[lang][id]
	return ok
}

// Printer renders messages in one language.
type Printer struct {
	lang string
	cat  map[ID]text
	// names returns the name to show for an organisation id ("" to use the
	// label the message carries).
	names func(id string) string
}

// NewPrinter returns a printer for lang ("en" or "es"; any other language
// prints English). names, when not nil, names organisations by id.
func NewPrinter(lang string, names func(id string) string) *Printer {
	if _, ok := catalogues[lang]; !ok {
		lang = "en"
	}
	return &Printer{lang: lang, cat: catalogues[lang], names: names}
}

var english = NewPrinter("en", nil)

// English renders m in English, the text of the API's string fields.
func English(m Message) string { return english.Render(m) }

// Render renders m ("" for the zero message). A missing text falls back to
// English; a format that misuses its arguments shows "%!" (tests look for it).
func (p *Printer) Render(m Message) string {
	if m.IsZero() {
		return ""
	}
	t, ok := p.cat[m.ID]
	if !ok {
		t, ok = en[m.ID]
	}
	if !ok {
		return m.ID.name
	}
	args := make([]string, len(m.Args))
	for i, a := range m.Args {
		args[i] = p.arg(a)
	}
	format := t.format
	if n := t.countArg; n > 0 && n <= len(m.Args) && m.Args[n-1].Kind == KindCount && m.Args[n-1].Number == 1 {
		format = t.singular
	}
	return interpret(format, args)
}

// interpret replaces %[n]s and %[n]d by argument n and %% by %.
func interpret(format string, args []string) string {
	var b strings.Builder
	b.Grow(len(format) + 16*len(args))
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		rest := format[i+1:]
		if strings.HasPrefix(rest, "%") {
			b.WriteByte('%')
			i++
			continue
		}
		end := strings.IndexByte(rest, ']')
		if !strings.HasPrefix(rest, "[") || end < 0 || end+1 >= len(rest) || (rest[end+1] != 's' && rest[end+1] != 'd') {
			b.WriteString("%!(BADVERB)")
			continue
		}
		n, err := strconv.Atoi(rest[1:end])
		if err != nil || n < 1 || n > len(args) {
			b.WriteString("%!(BADINDEX)")
		} else {
			b.WriteString(args[n-1])
		}
		i += end + 2
	}
	return b.String()
}

// arg formats one argument in the printer's language.
func (p *Printer) arg(a Arg) string {
	switch a.Kind {
	case KindCount:
		return p.Count(a.Number)
	case KindYear:
		return strconv.FormatInt(a.Number, 10)
	case KindMoney:
		return p.Money(a.Number)
	case KindPercent:
		return p.Percent(a.Number)
	case KindDate:
		return p.Date(a.Text)
	case KindOrg:
		return p.Org(a.ID, a.Text)
	case KindCapability:
		return CapabilityLabel(p.lang, a.Text)
	case KindCert:
		return CertName(p.lang, a.Text)
	case KindList:
		items := make([]string, len(a.Items))
		for i, it := range a.Items {
			items[i] = p.arg(it)
		}
		return p.join(a.Join, items)
	case KindMessage:
		if a.Msg == nil {
			return ""
		}
		return p.Render(*a.Msg)
	default:
		return a.Text
	}
}

// Count formats an integer: "1,234" in English; "1234" and "12.345" in
// Spanish (which groups only from five digits).
func (p *Printer) Count(n int64) string {
	sign := ""
	u := uint64(n)
	if n < 0 {
		sign = "-"
		u = uint64(-(n + 1)) + 1
	}
	if p.lang == "es" {
		if u < 10000 {
			return sign + strconv.FormatUint(u, 10)
		}
		return sign + group(u, ".")
	}
	return sign + group(u, ",")
}

// Money formats euro cents: "225,000 €" and "1,234.56 €" in English (whole
// amounts without cents), "225.000,00 €" in Spanish.
func (p *Printer) Money(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign = "-"
		u = uint64(-(cents + 1)) + 1 // safe for MinInt64
	}
	c := strconv.FormatUint(u%100/10, 10) + strconv.FormatUint(u%10, 10)
	if p.lang == "es" {
		return sign + group(u/100, ".") + "," + c + " €"
	}
	s := sign + group(u/100, ",")
	if u%100 != 0 {
		s += "." + c
	}
	return s + " €"
}

// Percent formats hundredths of a percent: "99.5%" in English, "99,5 %" in Spanish.
func (p *Printer) Percent(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	dec := "."
	if p.lang == "es" {
		dec = ","
	}
	s := sign + strconv.FormatInt(bp/100, 10)
	switch frac := bp % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += dec + strconv.FormatInt(frac/10, 10)
	default:
		s += dec + strconv.FormatInt(frac/10, 10) + strconv.FormatInt(frac%10, 10)
	}
	if p.lang == "es" {
		return s + " %"
	}
	return s + "%"
}

// Date formats a "2006-01-02" date: as is in English, "02/01/2006" in Spanish.
func (p *Printer) Date(iso string) string {
	if p.lang != "es" {
		return iso
	}
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

// Org names an organisation: the printer's name for id, else the label, else the id.
func (p *Printer) Org(id, label string) string {
	if p.names != nil {
		if n := p.names(id); n != "" {
			return n
		}
	}
	if label != "" {
		return label
	}
	if id != "" {
		return id
	}
	if p.lang == "es" {
		return "un miembro"
	}
	return "a member"
}

// join joins items the language's way.
func (p *Printer) join(j Join, items []string) string {
	switch j {
	case JoinSemicolon:
		return strings.Join(items, "; ")
	case JoinPlus:
		return strings.Join(items, " + ")
	case JoinOr:
		if p.lang == "es" {
			return strings.Join(items, " o ")
		}
		return strings.Join(items, " or ")
	}
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	and := " and "
	if p.lang == "es" {
		and = spanishAnd(items[len(items)-1])
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

// spanishAnd is " y ", or " e " before a word that starts with an /i/ sound
// ("Nube e Inteligencia artificial"; not before "hie…", "hia…": "agua y hielo").
func spanishAnd(next string) string {
	w := strings.ToLower(next)
	for _, p := range []string{"hie", "hia", "hio", "hiu"} {
		if strings.HasPrefix(w, p) {
			return " y "
		}
	}
	for _, p := range []string{"i", "í", "hi", "hí"} {
		if strings.HasPrefix(w, p) {
			return " e "
		}
	}
	return " y "
}

// group inserts sep every three digits.
func group(n uint64, sep string) string {
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// CapabilityLabel returns the label of a capability id in lang, from the
// shared vocabulary (the member service's list); the id when unknown.
func CapabilityLabel(lang, id string) string {
	for _, c := range vocab.Capabilities {
		if c.ID == id {
			if lang == "es" {
				return c.LabelES
			}
			return c.LabelEN
		}
	}
	return id
}

// CertName returns a certification's name in lang: "ENS básica" in Spanish
// for "ENS basica" (the level's id); other names are the same in both.
func CertName(lang, name string) string {
	if lang == "es" {
		if kind, ok := strings.CutSuffix(name, " basica"); ok {
			return kind + " básica"
		}
	}
	return name
}

// Fragments returns the fixed text of the catalogue of lang: for every id,
// the pieces of its texts between the arguments, trimmed, that hold a word
// of four letters or more (plural forms included). Tests use it to find a
// language's sentences where another language is expected.
func Fragments(lang string) []string {
	const mark = "\x00"
	p := NewPrinter(lang, nil)
	seen := map[string]bool{}
	var out []string
	for _, id := range IDs() {
		for _, n := range []int64{1, 40} {
			args := make([]Arg, len(Signature(id)))
			for i, k := range Signature(id) {
				if k == KindCount {
					args[i] = Count(n)
				} else {
					args[i] = Text(mark)
				}
			}
			text := strings.ReplaceAll(p.Render(New(id, args...)), "40", mark)
			for piece := range strings.SplitSeq(text, mark) {
				piece = strings.Trim(piece, " .,:;()")
				if seen[piece] || !hasWord(piece) {
					continue
				}
				seen[piece] = true
				out = append(out, piece)
			}
		}
	}
	return out
}

// hasWord reports whether s holds a run of four letters.
func hasWord(s string) bool {
	run := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			run++
			if run >= 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
