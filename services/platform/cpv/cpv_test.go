package cpv

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests read the real data files from the shared data folder.
var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
	loadTook time.Duration
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	loadOnce.Do(func() {
		start := time.Now()
		loaded, loadErr = LoadDefault()
		loadTook = time.Since(start)
	})
	if loadErr != nil {
		t.Fatalf("LoadDefault: %v", loadErr)
	}
	return loaded
}

func TestLoadCounts(t *testing.T) {
	c := catalog(t)
	if got, want := c.Len(), 9454; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	t.Logf("LoadDefault took %v", loadTook)

	var divisions int
	types := map[Type]int{}
	for _, e := range c.sorted {
		if e.code.Parent == "" {
			divisions++
		}
		types[e.code.Type]++
		if e.code.NameES == "" || e.code.NameEN == "" {
			t.Errorf("code %s has an empty label: %+v", e.code.ID, e.code)
		}
		if len(e.code.CheckDigit) != 1 {
			t.Errorf("code %s has check digit %q", e.code.ID, e.code.CheckDigit)
		}
	}
	if divisions != 45 {
		t.Errorf("codes without parent = %d, want 45 divisions", divisions)
	}
	if types[TypeSupplies] == 0 || types[TypeWorks] == 0 || types[TypeServices] == 0 || len(types) != 3 {
		t.Errorf("types = %v, want supplies, works and services only", types)
	}
}

func TestLoadMissingDir(t *testing.T) {
	_, err := Load(t.TempDir())
	if err == nil {
		t.Fatal("Load(empty dir) succeeded, want error")
	}
}

func TestLookup(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		in         string
		id         string
		check      string
		parent     string
		typ        Type
		nameES     string
		nameEN     string
		wantAbsent bool
	}{
		{
			in: "72000000-5", id: "72000000", check: "5", parent: "", typ: TypeServices,
			nameES: "Servicios TI: consultoría, desarrollo de software, Internet y apoyo",
			nameEN: "IT services: consulting, software development, Internet and support",
		},
		{
			in: "72267000", id: "72267000", check: "4", parent: "72260000", typ: TypeServices,
			nameEN: "Software maintenance and repair services",
		},
		{in: " 72267000-4 ", id: "72267000", check: "4", parent: "72260000", typ: TypeServices},
		// A check digit in the input is not verified.
		{in: "72267000-9", id: "72267000", check: "4", parent: "72260000", typ: TypeServices},
		// Below the category level the parent is the category, even where a
		// longer prefix exists: 30237130 "Computer cards", 03212210.
		{in: "30237134", id: "30237134", check: "7", parent: "30237000", typ: TypeSupplies},
		{in: "03212211", id: "03212211", check: "2", parent: "03212000", typ: TypeSupplies, nameEN: "Lentils"},
		// 30192100 "Erasers" is not the parent of "Ballpoint pens".
		{in: "30192121", id: "30192121", check: "5", parent: "30192000", typ: TypeSupplies, nameEN: "Ballpoint pens"},
		{in: "45000000", id: "45000000", check: "7", parent: "", typ: TypeWorks},
		{in: "03000000-1", id: "03000000", check: "1", parent: "", typ: TypeSupplies},
		{in: "99999999", wantAbsent: true},
		{in: "7200000", wantAbsent: true},
		{in: "", wantAbsent: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := c.Lookup(tt.in)
			if tt.wantAbsent {
				if ok {
					t.Fatalf("Lookup(%q) = %+v, true; want false", tt.in, got)
				}
				return
			}
			if !ok {
				t.Fatalf("Lookup(%q) = false, want true", tt.in)
			}
			if got.ID != tt.id || got.CheckDigit != tt.check || got.Parent != tt.parent || got.Type != tt.typ {
				t.Errorf("Lookup(%q) = %+v, want ID %s check %s parent %q type %v", tt.in, got, tt.id, tt.check, tt.parent, tt.typ)
			}
			if tt.nameES != "" && got.NameES != tt.nameES {
				t.Errorf("NameES = %q, want %q", got.NameES, tt.nameES)
			}
			if tt.nameEN != "" && got.NameEN != tt.nameEN {
				t.Errorf("NameEN = %q, want %q", got.NameEN, tt.nameEN)
			}
			if want := tt.id + "-" + tt.check; got.Full() != want {
				t.Errorf("Full() = %q, want %q", got.Full(), want)
			}
		})
	}
}

// Every parent is in the catalogue, every code lies in its parent's subtree,
// and no parent is deeper than the category level (5 digits).
func TestParentsArePrefixes(t *testing.T) {
	c := catalog(t)
	for _, e := range c.sorted {
		if e.code.Parent == "" {
			if Significant(e.code.ID) != e.code.ID[:2] {
				t.Errorf("code %s has no parent but is not a division", e.code.ID)
			}
			continue
		}
		p, ok := c.Lookup(e.code.Parent)
		if !ok {
			t.Errorf("code %s: parent %s not found", e.code.ID, e.code.Parent)
			continue
		}
		if !strings.HasPrefix(e.code.ID, Significant(p.ID)) || e.code.ID == p.ID {
			t.Errorf("code %s is not below its parent %s", e.code.ID, p.ID)
		}
		if len(Significant(p.ID)) > 5 {
			t.Errorf("code %s has parent %s below the category level", e.code.ID, p.ID)
		}
		if p.Type != e.code.Type {
			t.Errorf("code %s has type %v, parent %s has %v", e.code.ID, e.code.Type, p.ID, p.Type)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "72000000", want: "72000000"},
		{in: "72000000-5", want: "72000000"},
		{in: " 72000000-5 ", want: "72000000"},
		{in: "\t03000000\n", want: "03000000"},
		{in: "", wantErr: true},
		{in: "7200000", wantErr: true},
		{in: "720000000", wantErr: true},
		{in: "720000005", wantErr: true},
		{in: "72000000-", wantErr: true},
		{in: "72000000-55", wantErr: true},
		{in: "72000000-X", wantErr: true},
		{in: "72000000 5", wantErr: true},
		{in: "72000000 - 5", wantErr: true},
		{in: "7200000A", wantErr: true},
		{in: "72 000 000", wantErr: true},
		{in: "-72000000", wantErr: true},
		{in: "７２０００００", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("Normalize(%q) = %q, %v; want ErrFormat", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		in      string
		want    string
		wantErr error
		// nilWant is the result with a nil catalogue (format-only mode).
		nilWant string
		nilErr  error
	}{
		{in: "72000000-5", want: "72000000", nilWant: "72000000"},
		{in: "48820000", want: "48820000", nilWant: "48820000"},
		{in: "99999999", wantErr: ErrUnknown, nilWant: "99999999"},
		{in: "72000001", wantErr: ErrUnknown, nilWant: "72000001"},
		{in: "7200000", wantErr: ErrFormat, nilErr: ErrFormat},
		{in: "abc", wantErr: ErrFormat, nilErr: ErrFormat},
		{in: "", wantErr: ErrFormat, nilErr: ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := c.Validate(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Validate(%q) = %q, %v; want error %v", tt.in, got, err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Errorf("Validate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}

			var nilCat *Catalog
			got, err = nilCat.Validate(tt.in)
			if tt.nilErr != nil {
				if !errors.Is(err, tt.nilErr) {
					t.Errorf("nil Validate(%q) = %q, %v; want error %v", tt.in, got, err, tt.nilErr)
				}
			} else if err != nil || got != tt.nilWant {
				t.Errorf("nil Validate(%q) = %q, %v; want %q", tt.in, got, err, tt.nilWant)
			}
		})
	}
}

func TestValidateUnknownMessageNamesCode(t *testing.T) {
	_, err := catalog(t).Validate("99999999-9")
	if err == nil || !strings.Contains(err.Error(), "99999999") {
		t.Fatalf("Validate error = %v, want it to name 99999999", err)
	}
	if errors.Is(err, ErrFormat) {
		t.Errorf("unknown code error %v also matches ErrFormat", err)
	}
}

func TestNilCatalog(t *testing.T) {
	var c *Catalog
	if c.Len() != 0 {
		t.Errorf("nil Len() = %d, want 0", c.Len())
	}
	if got, ok := c.Lookup("72000000"); ok {
		t.Errorf("nil Lookup = %+v, true; want false", got)
	}
	if got := c.Search("software", 10); got != nil {
		t.Errorf("nil Search = %v, want nil", got)
	}
	if got := c.Search("72", 10); got != nil {
		t.Errorf("nil Search = %v, want nil", got)
	}
}

func ids(codes []Code) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.ID
	}
	return out
}

func TestSearch(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		query   string
		limit   int
		first   string   // expected first result, "" for none
		contain []string // must all be in the results
		exclude []string // must not be in the results
		count   int      // exact number of results, -1 to skip
	}{
		{query: "software", limit: 0, first: "30000000", contain: []string{"48000000", "72000000", "72260000", "72267000"}, exclude: []string{"30200000"}, count: -1},
		// Accent-insensitive: the Spanish label is "informática".
		// 20 Spanish labels contain "informática", none "informatica".
		{query: "informatica", limit: 0, first: "30000000", contain: []string{"30230000", "72510000"}, exclude: []string{"30200000"}, count: 20},
		{query: "INFORMÁTICA", limit: 0, first: "30000000", contain: []string{"30230000", "72510000"}, count: 20},
		{query: "informatica", limit: 3, first: "30000000", count: 3},
		// Spanish only: "mantenimiento" is not an English word.
		{query: "mantenimiento de software", limit: 0, contain: []string{"72267100"}, exclude: []string{"72267000"}, count: -1},
		// English only.
		{query: "software maintenance", limit: 0, contain: []string{"72267000"}, count: -1},
		{query: "72000000-5", limit: 10, first: "72000000", count: 1},
		{query: "72000000", limit: 10, first: "72000000", count: 1},
		{query: "7226", limit: 0, first: "72260000", contain: []string{"72267000", "72267100"}, exclude: []string{"72250000"}, count: -1},
		{query: "72", limit: 5, first: "72000000", count: 5},
		{query: "72", limit: 0, first: "72000000", count: -1},
		{query: "99", limit: 10, count: 0},
		{query: "", limit: 10, count: 0},
		{query: "   ", limit: 10, count: 0},
		{query: "zzzqqq", limit: 10, count: 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := c.Search(tt.query, tt.limit)
			gotIDs := ids(got)
			if tt.count >= 0 && len(got) != tt.count {
				t.Fatalf("Search(%q, %d) returned %d codes, want %d: %v", tt.query, tt.limit, len(got), tt.count, gotIDs)
			}
			if tt.first != "" && (len(got) == 0 || got[0].ID != tt.first) {
				t.Errorf("Search(%q) first = %v, want %s", tt.query, gotIDs, tt.first)
			}
			for i := 1; i < len(got); i++ {
				if got[i-1].ID >= got[i].ID {
					t.Errorf("Search(%q) not in code order at %d: %s, %s", tt.query, i, got[i-1].ID, got[i].ID)
				}
			}
			set := map[string]bool{}
			for _, id := range gotIDs {
				set[id] = true
			}
			for _, id := range tt.contain {
				if !set[id] {
					t.Errorf("Search(%q) lacks %s (got %d codes)", tt.query, id, len(got))
				}
			}
			for _, id := range tt.exclude {
				if set[id] {
					t.Errorf("Search(%q) contains %s", tt.query, id)
				}
			}
		})
	}
}

// Every label match really contains the query, and a prefix search returns
// every code with that prefix.
func TestSearchIsComplete(t *testing.T) {
	c := catalog(t)
	got := c.Search("7226", 0)
	var want int
	for _, e := range c.sorted {
		if strings.HasPrefix(e.code.ID, "7226") {
			want++
		}
	}
	if len(got) != want || want < 2 {
		t.Errorf("Search(7226) = %d codes, want %d", len(got), want)
	}
	for _, code := range c.Search("software", 0) {
		if !strings.Contains(strings.ToLower(code.NameEN), "software") && !strings.Contains(strings.ToLower(code.NameES), "software") {
			t.Errorf("Search(software) returned %s %q / %q", code.ID, code.NameEN, code.NameES)
		}
	}
}

func TestSignificant(t *testing.T) {
	tests := []struct{ in, want string }{
		{"72000000", "72"},
		{"72260000", "7226"},
		{"48820000", "4882"},
		{"72267000", "72267"},
		{"30237134", "30237134"},
		{"30237134-7", "30237134"},
		{"03000000", "03"},
		{"10000000", "10"}, // malformed-looking division still keeps 2 digits
		{"00000000", "00"},
		{"72200000", "722"},
		{"bad", ""},
	}
	for _, tt := range tests {
		if got := Significant(tt.in); got != tt.want {
			t.Errorf("Significant(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDivision(t *testing.T) {
	tests := []struct{ in, want string }{
		{"72267000", "72"},
		{"03000000-1", "03"},
		{" 45000000 ", "45"},
		{"4500000", ""},
	}
	for _, tt := range tests {
		if got := Division(tt.in); got != tt.want {
			t.Errorf("Division(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSharePrefix(t *testing.T) {
	tests := []struct {
		a, b string
		n    int
		want bool
	}{
		{"72267000", "72000000-5", 2, true},
		{"72267000", "72260000", 4, true},
		{"72267000", "72260000", 5, false},
		{"72267000", "48000000", 2, false},
		{"72267000", "72267000", 8, true},
		{"72267000", "72267000", 20, true},
		{"72267000", "72267001", 20, false},
		{"72267000", "48000000", 0, true},
		{"72267000", "48000000", -3, true},
		{"72267000", "bad", 2, false},
		{"bad", "bad", 0, false},
	}
	for _, tt := range tests {
		if got := SharePrefix(tt.a, tt.b, tt.n); got != tt.want {
			t.Errorf("SharePrefix(%q, %q, %d) = %v, want %v", tt.a, tt.b, tt.n, got, tt.want)
		}
	}
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		t    Type
		want string
	}{
		{TypeSupplies, "supplies"},
		{TypeWorks, "works"},
		{TypeServices, "services"},
		{Type(9), "Type(9)"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("Type(%d).String() = %q, want %q", int(tt.t), got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Informática", "informatica"},
		{"ESPAÑA", "espana"},
		{"Pingüino Çà", "pinguino ca"},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	for b.Loop() {
		if _, err := LoadDefault(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	c, err := LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c.Search("informatica", 20)
	}
}
