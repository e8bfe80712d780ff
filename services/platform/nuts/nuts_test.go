package nuts

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// The tests read the real data file from the shared data folder.
var (
	loadOnce sync.Once
	loaded   *Regions
	loadErr  error
)

func regions(t *testing.T) *Regions {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = LoadDefault() })
	if loadErr != nil {
		t.Fatalf("LoadDefault: %v", loadErr)
	}
	return loaded
}

func TestLoadCount(t *testing.T) {
	r := regions(t)
	if got, want := r.Len(), 2087; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	// No CPV or other code list may leak in.
	for code := range r.names {
		if !wellFormed(code) {
			t.Errorf("loaded malformed code %q", code)
		}
	}
}

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("Load(empty dir) succeeded, want error")
	}
}

func TestName(t *testing.T) {
	r := regions(t)
	tests := []struct {
		code   string
		want   string
		wantOK bool
	}{
		{code: "ES130", want: "Cantabria", wantOK: true},
		{code: "ES13", want: "Cantabria", wantOK: true},
		{code: "es130", want: "Cantabria", wantOK: true},
		{code: " ES130 ", want: "Cantabria", wantOK: true},
		{code: "ES1", want: "Noroeste", wantOK: true},
		{code: "ES", want: "España", wantOK: true},
		{code: "ES212", want: "Gipuzkoa", wantOK: true},
		{code: "ES523", want: "Valencia / València", wantOK: true},
		{code: "ESZZZ", want: "Extra-Regio NUTS 3", wantOK: true},
		{code: "EL", want: "Ελλάδα", wantOK: true},
		{code: "ES139", wantOK: false},
		{code: "UK", wantOK: false}, // not in the post-Brexit list
		{code: "GR", wantOK: false}, // Greece is EL in NUTS
		{code: "US", wantOK: false},
		{code: "ES130 - Cantabria", wantOK: false},
		{code: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := r.Name(tt.code)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("Name(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	r := regions(t)
	tests := []struct {
		code    string
		want    string
		wantErr error
		// nilWant and nilErr are the results with a nil *Regions.
		nilWant string
		nilErr  error
	}{
		{code: "ES130", want: "ES130", nilWant: "ES130"},
		{code: "es130", want: "ES130", nilWant: "ES130"},
		{code: "Es13", want: "ES13", nilWant: "ES13"},
		{code: " ES ", want: "ES", nilWant: "ES"},
		{code: "ES139", wantErr: ErrUnknown, nilWant: "ES139"},
		{code: "MR", wantErr: ErrUnknown, nilWant: "MR"},
		{code: "XX123", wantErr: ErrUnknown, nilWant: "XX123"},
		{code: "E", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "ES1300", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "E5130", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "ES-13", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "ES 13", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "ES13Ñ", wantErr: ErrFormat, nilErr: ErrFormat},
		{code: "", wantErr: ErrFormat, nilErr: ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, err := r.Validate(tt.code)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Validate(%q) = %q, %v; want error %v", tt.code, got, err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Errorf("Validate(%q) = %q, %v; want %q", tt.code, got, err, tt.want)
			}

			var nilRegions *Regions
			got, err = nilRegions.Validate(tt.code)
			if tt.nilErr != nil {
				if !errors.Is(err, tt.nilErr) {
					t.Errorf("nil Validate(%q) = %q, %v; want error %v", tt.code, got, err, tt.nilErr)
				}
			} else if err != nil || got != tt.nilWant {
				t.Errorf("nil Validate(%q) = %q, %v; want %q", tt.code, got, err, tt.nilWant)
			}
		})
	}
}

func TestValidateUnknownMessageNamesCode(t *testing.T) {
	_, err := regions(t).Validate("es139")
	if err == nil || !strings.Contains(err.Error(), "ES139") {
		t.Fatalf("Validate error = %v, want it to name ES139", err)
	}
	if errors.Is(err, ErrFormat) {
		t.Errorf("unknown code error %v also matches ErrFormat", err)
	}
}

func TestNilRegions(t *testing.T) {
	var r *Regions
	if r.Len() != 0 {
		t.Errorf("nil Len() = %d, want 0", r.Len())
	}
	if got, ok := r.Name("ES130"); ok {
		t.Errorf("nil Name(ES130) = %q, true; want false", got)
	}
}

// Every region's parent levels are known regions too, so Within agrees with
// the data.
func TestHierarchyIsComplete(t *testing.T) {
	r := regions(t)
	for code := range r.names {
		for n := 2; n < len(code); n++ {
			if _, ok := r.names[code[:n]]; !ok {
				t.Errorf("region %s: parent level %s missing", code, code[:n])
			}
		}
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		code, prefix string
		want         bool
	}{
		{"ES130", "ES13", true},
		{"ES130", "ES1", true},
		{"ES130", "ES", true},
		{"ES130", "ES130", true},
		{"es130", "Es13", true},
		{"ES13", "ES130", false},
		{"ES130", "ES12", false},
		{"ES130", "ES2", false},
		{"ES130", "FR", false},
		{"ES130", "E", false},
		{"ES130", "", false},
		{"", "ES", false},
		{"ES130 - Cantabria", "ES", false},
	}
	for _, tt := range tests {
		if got := Within(tt.code, tt.prefix); got != tt.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tt.code, tt.prefix, got, tt.want)
		}
	}
}

func TestParseLabelled(t *testing.T) {
	// Values from the "Lugar de ejecución" column of placsp/datos_sind_643.xlsx.
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{in: "ES130 - Cantabria", want: "ES130", wantOK: true},
		{in: "ES13 - Cantabria", want: "ES13", wantOK: true},
		{in: "ES618 - ", want: "ES618", wantOK: true},
		{in: "ES -  ESPAÑA  ", want: "ES", wantOK: true},
		{in: "ES42 - Castilla-La Mancha", want: "ES42", wantOK: true},
		{in: "ES523 - Valencia/València", want: "ES523", wantOK: true},
		{in: "US - Estados Unidos", want: "US", wantOK: true},
		{in: "ES130", want: "ES130", wantOK: true},
		{in: " es130 - Cantabria", want: "ES130", wantOK: true},
		{in: "ES130-Cantabria", want: "ES130", wantOK: true},
		{in: "Cantabria", wantOK: false},
		{in: " - Cantabria", wantOK: false},
		{in: "ES 130 - Cantabria", wantOK: false},
		{in: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseLabelled(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseLabelled(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// A labelled value from the spreadsheet resolves to the label of the data file.
func TestParseLabelledThenName(t *testing.T) {
	r := regions(t)
	code, ok := ParseLabelled("ES130 - Cantabria")
	if !ok {
		t.Fatal("ParseLabelled failed")
	}
	if name, ok := r.Name(code); !ok || name != "Cantabria" {
		t.Errorf("Name(%q) = %q, %v; want Cantabria", code, name, ok)
	}
}
