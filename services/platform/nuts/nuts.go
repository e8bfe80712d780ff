// Package nuts holds the NUTS region labels (Nomenclature of Territorial Units
// for Statistics) used by public tenders to say where a contract is carried
// out, and helpers to validate and compare NUTS codes.
//
// A NUTS code is a 2-letter country code followed by 0 to 3 letters or digits,
// one per level: "ES" Spain, "ES1" Noroeste, "ES13" Cantabria (region),
// "ES130" Cantabria (province). A region lies within every prefix of its code.
//
// A nil *Regions is valid and works in "format-only" mode: Validate only checks
// the format and Name finds nothing. Services use this mode when the data file
// is missing.
package nuts

import (
	"errors"
	"fmt"
	"github.com/consortia-dev/consortia/services/platform/eformslabels"
	"path/filepath"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// LabelsFile is the eForms Java-properties XML file with the Spanish NUTS
// labels, relative to the data folder.
const LabelsFile = "cpv/code_es.xml"

// labelKeyPrefix starts the keys of the NUTS labels in LabelsFile.
const labelKeyPrefix = "code|name|nuts."

// ErrFormat is returned (wrapped) when a string is not a NUTS code: 2 letters
// and up to 3 more letters or digits.
var ErrFormat = errors.New("nuts: invalid code format")

// ErrUnknown is returned (wrapped) when a well-formed code is not a known NUTS
// region.
var ErrUnknown = errors.New("nuts: unknown region")

// Regions maps NUTS codes to their labels. It is read-only after Load and safe
// for concurrent use. A nil *Regions works in format-only mode.
type Regions struct {
	names map[string]string
}

// LoadDefault loads the regions from the shared data folder (datadir.Dir).
func LoadDefault() (*Regions, error) {
	dir, err := datadir.Dir()
	if err != nil {
		return nil, fmt.Errorf("nuts: locate data folder: %w", err)
	}
	return Load(dir)
}

// Load reads the NUTS labels (keys "code|name|nuts.<code>") of LabelsFile in
// dir, the data folder that holds "cpv/".
func Load(dir string) (*Regions, error) {
	path := filepath.Join(dir, LabelsFile)
	names, err := eformslabels.Read(path, labelKeyPrefix, wellFormed, ErrFormat)
	if err != nil {
		return nil, fmt.Errorf("nuts: %w", err)
	}
	return &Regions{names: names}, nil
}

// Len returns the number of regions (0 for a nil *Regions).
func (r *Regions) Len() int {
	if r == nil {
		return 0
	}
	return len(r.names)
}

// Name returns the label of a region, for example "Cantabria" for "ES130".
// The code is matched case-insensitively, ignoring surrounding spaces. It
// reports false for an unknown or malformed code and always for a nil
// *Regions. Labels are in Spanish for Spain and in the national language
// elsewhere ("Ελλάδα" for EL).
func (r *Regions) Name(code string) (string, bool) {
	if r == nil {
		return "", false
	}
	c, err := Normalize(code)
	if err != nil {
		return "", false
	}
	name, ok := r.names[c]
	return name, ok
}

// Validate returns the upper-case form of a NUTS code ("es130" gives "ES130").
// It fails with an error wrapping ErrFormat for a malformed code, or
// ErrUnknown for a code that is not a known region. With a nil *Regions only
// the format is checked.
func (r *Regions) Validate(code string) (string, error) {
	c, err := Normalize(code)
	if err != nil {
		return "", err
	}
	if r == nil {
		return c, nil
	}
	if _, ok := r.names[c]; !ok {
		return "", fmt.Errorf("%w: %s is not a NUTS region", ErrUnknown, c)
	}
	return c, nil
}

// Normalize returns the upper-case form of a NUTS code without surrounding
// spaces. It checks the format only and fails with an error wrapping ErrFormat
// unless the code is 2 letters followed by up to 3 letters or digits.
func Normalize(code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if !wellFormed(c) {
		return "", fmt.Errorf("%w: %q: want a 2-letter country code and up to 3 letters or digits, like ES130", ErrFormat, code)
	}
	return c, nil
}

// Within reports whether region code lies within region prefix, for example
// ES130 within ES13, ES1 and ES (and within itself). Both codes are normalised
// first; it reports false if either is malformed.
func Within(code, prefix string) bool {
	c, err := Normalize(code)
	if err != nil {
		return false
	}
	p, err := Normalize(prefix)
	if err != nil {
		return false
	}
	return strings.HasPrefix(c, p)
}

// ParseLabelled extracts the code from a "code - label" string as found in
// OpenPLACSP spreadsheets: "ES130 - Cantabria" gives "ES130". The label may be
// empty ("ES618 - ") or absent ("ES130"). It reports false if the part before
// the first "-" is not a well-formed NUTS code. The code is not looked up:
// PLACSP also uses ISO country codes such as "US - Estados Unidos" for places
// outside the NUTS area; pass the code to Validate to check it.
func ParseLabelled(s string) (string, bool) {
	code, _, _ := strings.Cut(s, "-")
	c, err := Normalize(code)
	if err != nil {
		return "", false
	}
	return c, true
}

// wellFormed reports whether s is 2 upper-case ASCII letters followed by up to
// 3 upper-case ASCII letters or digits.
func wellFormed(s string) bool {
	if len(s) < 2 || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		upper := b >= 'A' && b <= 'Z'
		digit := b >= '0' && b <= '9'
		if !upper && !(digit && i >= 2) {
			return false
		}
	}
	return true
}
