package msg

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// sample returns an argument of kind k whose rendering is recognisable, and
// what must appear in the rendering in each language.
func sample(k Kind, i int, count int) (Arg, func(p *Printer) string) {
	switch k {
	case KindText:
		v := fmt.Sprintf("‹text%d›", i)
		return Text(v), func(*Printer) string { return v }
	case KindCount:
		return Count(count + i), func(*Printer) string { return fmt.Sprint(count + i) }
	case KindYear:
		return Year(2090 + i), func(*Printer) string { return fmt.Sprint(2090 + i) }
	case KindMoney:
		v := int64(12_345_67 + i)
		return Money(v), func(p *Printer) string { return p.Money(v) }
	case KindPercent:
		v := int64(3_301 + i)
		return Percent(v), func(p *Printer) string { return p.Percent(v) }
	case KindDate:
		v := fmt.Sprintf("2031-0%d-2%d", i%9+1, i%9)
		return Date(v), func(p *Printer) string { return p.Date(v) }
	case KindOrg:
		v := fmt.Sprintf("Org%d SL (B%d)", i, i)
		return Org(fmt.Sprintf("org-%d", i), v), func(*Printer) string { return v }
	case KindCapability:
		ids := []string{"cloud", "ai", "cybersecurity", "software-development"}
		v := ids[i%len(ids)]
		return Capability(v), func(p *Printer) string { return CapabilityLabel(p.lang, v) }
	case KindCert:
		return Cert("ENS basica"), func(p *Printer) string { return CertName(p.lang, "ENS basica") }
	case KindList:
		a, b := fmt.Sprintf("‹item%da›", i), fmt.Sprintf("‹item%db›", i)
		return List(JoinAnd, Text(a), Text(b)), func(*Printer) string { return a } // b checked through a's list
	case KindMessage:
		return Nested(New(RecommendOnly)), func(p *Printer) string { return p.Render(New(RecommendOnly)) }
	}
	panic(fmt.Sprintf("no sample for %s", k))
}

// TestEveryIDHasEveryLanguage enumerates the registered ids and renders each
// in every language with recognisable arguments: each language has a text,
// uses every argument, and formats without a printf error; Spanish differs
// from English unless the text is only its arguments.
func TestEveryIDHasEveryLanguage(t *testing.T) {
	ids := IDs()
	if len(ids) < 50 {
		t.Fatalf("only %d ids registered", len(ids))
	}
	for _, id := range ids {
		t.Run(id.String(), func(t *testing.T) {
			for _, count := range []int{1, 40} {
				var args []Arg
				var wants []func(*Printer) string
				for i, k := range Signature(id) {
					a, w := sample(k, i, count)
					args = append(args, a)
					wants = append(wants, w)
				}
				m := New(id, args...)
				if err := m.Check(); err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, lang := range Languages {
					if !Has(lang, id) {
						t.Fatalf("no %s text", lang)
					}
					p := NewPrinter(lang, nil)
					out := p.Render(m)
					got[lang] = out
					if strings.Contains(out, "%!") || out == "" || out == id.String() {
						t.Errorf("%s (count %d): %q", lang, count, out)
					}
					for i, w := range wants {
						if Signature(id)[i] == KindCount && count == 1 {
							continue // a singular form may spell the one out
						}
						if !strings.Contains(out, w(p)) {
							t.Errorf("%s (count %d): %q lacks argument %d (%q)", lang, count, out, i+1, w(p))
						}
					}
				}
				if got["en"] == got["es"] && !passThrough(id) {
					t.Errorf("Spanish is the English text: %q", got["es"])
				}
			}
		})
	}
}

// passThrough reports whether id's text is only its arguments (the same in every language).
func passThrough(id ID) bool {
	return slices.Contains([]ID{MoneyAmount, PercentAmount, CertRequired, CertHaveBelow, CertHolder, SolvencyPart}, id)
}

// TestIDsAreRegistered reads ids.go: every variable it declares is a
// registered id with a text in every language, so an id cannot be added
// without its translations.
func TestIDsAreRegistered(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "ids.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, v := range vs.Values {
				call, ok := v.(*ast.CallExpr)
				if !ok || fmt.Sprint(call.Fun) != "def" {
					t.Errorf("%s is not declared with def", vs.Names[i])
					continue
				}
				lit := call.Args[0].(*ast.BasicLit)
				names = append(names, strings.Trim(lit.Value, `"`))
			}
		}
	}
	if len(names) != len(IDs()) {
		t.Errorf("ids.go declares %d ids, %d are registered", len(names), len(IDs()))
	}
	for _, n := range names {
		id, ok := Lookup(n)
		if !ok {
			t.Errorf("%s is not registered", n)
			continue
		}
		for _, lang := range Languages {
			if !Has(lang, id) {
				t.Errorf("%s has no %s text", n, lang)
			}
		}
	}
	for _, lang := range Languages {
		if len(catalogues[lang]) != len(IDs()) {
			t.Errorf("the %s catalogue has %d texts for %d ids", lang, len(catalogues[lang]), len(IDs()))
		}
	}
}

func TestFormats(t *testing.T) {
	en, es := NewPrinter("en", nil), NewPrinter("es", nil)
	for _, c := range []struct{ got, want string }{
		{en.Money(22_500_000), "225,000 €"},
		{en.Money(123_456), "1,234.56 €"},
		{es.Money(123_456_789), "1.234.567,89 €"},
		{es.Money(5), "0,05 €"},
		{es.Money(-150), "-1,50 €"},
		{en.Percent(9950), "99.5%"},
		{es.Percent(3333), "33,33 %"},
		{es.Percent(10000), "100 %"},
		{es.Date("2027-03-15"), "15/03/2027"},
		{en.Date("2027-03-15"), "2027-03-15"},
		{es.join(JoinAnd, []string{"a", "b", "c"}), "a, b y c"},
		{es.join(JoinAnd, []string{"Nube", "Inteligencia artificial"}), "Nube e Inteligencia artificial"},
		{es.join(JoinAnd, []string{"Nube", "hierro"}), "Nube y hierro"},
		{en.join(JoinAnd, []string{"a", "b", "c"}), "a, b and c"},
		{en.join(JoinOr, []string{"722", "723"}), "722 or 723"},
		{CapabilityLabel("es", "software-development"), "Desarrollo de software"},
		{CapabilityLabel("en", "software-development"), "Software development"},
		{CapabilityLabel("es", "not-a-capability"), "not-a-capability"},
		{CertName("es", "ENS basica"), "ENS básica"},
		{en.Render(New(CountMembers, Count(1))), "1 member"},
		{en.Render(New(CountMembers, Count(3))), "3 members"},
		{es.Render(New(CountMembers, Count(3))), "3 miembros"},
		{en.Render(New(SharesOKDetail)), "Member shares sum to 100% (LCSP art. 69.3)."},
		{es.Render(New(CapsMissingDetail, List(JoinAnd, Capability("cloud"), Capability("ai")))), "Falta: Nube e Inteligencia artificial."},
		{NewPrinter("es", func(id string) string { return map[string]string{"a1": "Alfa"}[id] }).Render(New(LeadOneDetail, Org("a1", "Alfa (A1)"))),
			"Alfa es el representante de la UTE (LCSP art. 69.3)."},
		{NewPrinter("fr", nil).Render(New(RecommendOnly)), "The only feasible team found."},
		{en.Count(1234567), "1,234,567"},
		{es.Count(1234), "1234"},
		{es.Count(-12345), "-12.345"},
		{interpret("%[2]s before %[1]s, 100%%", []string{"a", "b"}), "b before a, 100%"},
		{interpret("%[3]s", []string{"a"}), "%!(BADINDEX)"},
		{interpret("%s and %[1]x", []string{"a"}), "%!(BADVERB)s and %!(BADVERB)[1]x"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestCheckRejectsWrongArguments(t *testing.T) {
	for _, m := range []Message{
		{},
		New(CountMembers),
		New(CountMembers, Text("3")),
		New(MaxNeeded, Nested(New(CountMembers))),
		New(MaxNeeded, Arg{Kind: KindMessage}),
	} {
		if m.Check() == nil {
			t.Errorf("Check(%v) = nil", m)
		}
	}
}

func TestFragments(t *testing.T) {
	en := Fragments("en")
	for _, want := range []string{"appears", "times in the team; a company can hold only one place", "The team has no members", "valid until", "Missing"} {
		if !slices.Contains(en, want) {
			t.Errorf("English fragments lack %q", want)
		}
	}
	for _, f := range en {
		if strings.Contains(f, "\x00") || strings.Contains(f, "%!") {
			t.Errorf("fragment %q holds a mark or a printf error", f)
		}
	}
	if es := Fragments("es"); !slices.Contains(es, "El equipo no tiene miembros") {
		t.Errorf("Spanish fragments lack a sentence: %q", es[:5])
	}
}
