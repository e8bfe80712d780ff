package web

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// TestMessagesComplete: both languages have the same keys, every key the
// templates use exists, and every enum value shown has a name.
func TestMessagesComplete(t *testing.T) {
	for key := range messages["es"] {
		if _, ok := messages["en"][key]; !ok {
			t.Errorf("key %q has no English text", key)
		}
	}
	for key := range messages["en"] {
		if _, ok := messages["es"][key]; !ok {
			t.Errorf("key %q has no Spanish text", key)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages["es"][m[1]]; !ok {
				t.Errorf("%s uses unknown message %q", f, m[1])
			}
		}
	}
	enums := []protoreflect.EnumDescriptor{
		tenderv1.TenderStatus(0).Descriptor(), tenderv1.ProcedureType(0).Descriptor(), tenderv1.ContractType(0).Descriptor(),
		tenderv1.ConsortiumStatus(0).Descriptor(), tenderv1.MemberStatus(0).Descriptor(),
		memberv1.SizeBand(0).Descriptor(), memberv1.MembershipStatus(0).Descriptor(),
	}
	for _, e := range enums {
		for i := range e.Values().Len() {
			key := "enum." + string(e.Values().Get(i).Name())
			if _, ok := messages["es"][key]; !ok {
				t.Errorf("no text for %s", key)
			}
		}
	}
	for _, rule := range []string{"capabilities", "economic_solvency", "technical_solvency", "certification", "shares", "lead", "max_members", "active_membership", "members", "assignment"} {
		if _, ok := messages["es"]["rule."+rule]; !ok {
			t.Errorf("no text for eligibility rule %q", rule)
		}
	}
}

// TestTemplatesParse: every page parses with the layout and partials.
func TestTemplatesParse(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"signin", "home", "tenders", "tender", "recommend", "consortium", "invitations", "matching", "profile", "import", "overview", "members", "error"} {
		if _, ok := pages[want]; !ok {
			t.Errorf("page %q missing", want)
		}
	}
}

func TestLocaleFormats(t *testing.T) {
	es, en := &Locale{Lang: "es"}, &Locale{Lang: "en"}
	ts := timestamppb.New(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)) // 1 Jan 2027 00:30 in Madrid
	tests := []struct{ name, got, want string }{
		{"money es", es.Money(123456789), "1.234.567,89 €"},
		{"money en", en.Money(123456789), "€1,234,567.89"},
		{"money whole", es.Money(35000000), "350.000 €"},
		{"money small", en.Money(5), "€0.05"},
		{"money negative", es.Money(-150000), "-1.500 €"},
		{"percent es", es.Percent(3333), "33,33 %"},
		{"percent en", en.Percent(4000), "40%"},
		{"percent input", es.PercentInput(1250), "12.5"},
		{"date es in Madrid", es.Date(ts), "01/01/2027"},
		{"date en", en.Date(ts), "1 Jan 2027"},
		{"datetime es", es.DateTime(ts), "01/01/2027 00:30"},
		{"no date", es.Date(nil), "—"},
		{"enum", es.Enum(tenderv1.TenderStatus_TENDER_STATUS_ACTIVE), "Abierta"},
		{"message with args", en.T("deadline.days", 3), "3 days left"},
		{"unknown key shows", es.T("no.such.key"), "no.such.key"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestParseEuros(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1.234.567,89", 123456789, true},
		{"1,234,567.89", 123456789, true},
		{"1234567.89", 123456789, true},
		{"1234567,89", 123456789, true},
		{"1.500", 150000, true},
		{"1,500", 150000, true},
		{"1.5", 150, true},
		{"2,75 €", 275, true},
		{"€ 300", 30000, true},
		{"", 0, false},
		{"abc", 0, false},
		{"-5", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseEuros(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseEuros(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"40", 4000, true}, {"33,33", 3333, true}, {"12.5 %", 1250, true}, {"100", 10000, true},
		{"0", 0, false}, {"100.01", 0, false}, {"x", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parsePercent(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parsePercent(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSafeNextAndBack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tenders?status=x", "/tenders?status=x"}, {"", "/home"}, {"//evil.example/x", "/home"},
		{"https://evil.example", "/home"}, {"/\\evil.example", "/home"},
	}
	for _, tc := range tests {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCPVGroupsAndAcceptLanguage(t *testing.T) {
	if got := cpvGroups([]string{"72212000", "72500000", "48000000", "7"}); !slices.Equal(got, []string{"480", "722", "725"}) {
		t.Errorf("cpvGroups = %v", got)
	}
	for in, want := range map[string]string{"en-US,en;q=0.9": "en", "fr-FR, es;q=0.5": "es", "de": "es", "": "es"} {
		if got := fromAcceptLanguage(in); got != want {
			t.Errorf("fromAcceptLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
