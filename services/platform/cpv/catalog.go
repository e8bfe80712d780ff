package cpv

import (
	"encoding/json"
	"fmt"
	"github.com/consortia-dev/consortia/services/platform/eformslabels"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// Files read by Load, relative to the data folder.
const (
	// CodesFile is the JSON list of CPV codes with check digit, parent and type.
	CodesFile = "cpv/cpvCodes.json"
	// LabelsESFile is the eForms Java-properties XML file with the Spanish labels.
	LabelsESFile = "cpv/code_es.xml"
)

// cpv2008Version selects the CPV 2008 entries in CodesFile (version 1 is CPV 2003).
const cpv2008Version = 2

// labelKeyPrefix starts the keys of the CPV labels in LabelsESFile.
const labelKeyPrefix = "code|name|cpv."

// Catalog is the CPV 2008 catalogue. It is read-only after Load and safe for
// concurrent use. A nil *Catalog works in format-only mode (see the package
// documentation).
type Catalog struct {
	byID   map[string]Code
	sorted []entry // all codes, ordered by ID
}

// entry is a code with its labels folded for searching.
type entry struct {
	code     Code
	foldedEN string
	foldedES string
}

// LoadDefault loads the catalogue from the shared data folder (datadir.Dir).
func LoadDefault() (*Catalog, error) {
	dir, err := datadir.Dir()
	if err != nil {
		return nil, fmt.Errorf("cpv: locate data folder: %w", err)
	}
	return Load(dir)
}

// Load reads the catalogue from dir, the data folder that holds "cpv/". It
// joins the CPV 2008 entries of CodesFile (check digit, parent, type, English
// name) with the Spanish labels of LabelsESFile on the 8-digit code, and fails
// if the two files do not list exactly the same codes.
func Load(dir string) (*Catalog, error) {
	codes, err := readCodes(filepath.Join(dir, CodesFile))
	if err != nil {
		return nil, err
	}
	labels, err := readLabels(filepath.Join(dir, LabelsESFile))
	if err != nil {
		return nil, err
	}

	byID := make(map[string]Code, len(codes))
	for _, c := range codes {
		name, ok := labels[c.ID]
		if !ok {
			return nil, fmt.Errorf("cpv: code %s of %s has no Spanish label in %s", c.ID, CodesFile, LabelsESFile)
		}
		c.NameES = name
		byID[c.ID] = c
	}
	for id := range labels {
		if _, ok := byID[id]; !ok {
			return nil, fmt.Errorf("cpv: code %s of %s is not a CPV 2008 code in %s", id, LabelsESFile, CodesFile)
		}
	}
	for id, c := range byID {
		if c.Parent == "" {
			continue
		}
		if _, ok := byID[c.Parent]; !ok {
			return nil, fmt.Errorf("cpv: code %s has unknown parent %s", id, c.Parent)
		}
		if !strings.HasPrefix(id, Significant(c.Parent)) || id == c.Parent {
			return nil, fmt.Errorf("cpv: code %s is not below its parent %s", id, c.Parent)
		}
	}

	sorted := make([]entry, 0, len(byID))
	for _, c := range byID {
		sorted = append(sorted, entry{code: c, foldedEN: fold(c.NameEN), foldedES: fold(c.NameES)})
	}
	slices.SortFunc(sorted, func(a, b entry) int { return strings.Compare(a.code.ID, b.code.ID) })

	return &Catalog{byID: byID, sorted: sorted}, nil
}

// jsonCode is one object of CodesFile.
type jsonCode struct {
	Code    string  `json:"code"`
	Parent  *string `json:"parent"`
	Version int     `json:"version"`
	Type    int     `json:"type"`
	Name    string  `json:"name"`
}

// readCodes reads the CPV 2008 entries of the JSON file at path.
func readCodes(path string) ([]Code, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cpv: %w", err)
	}
	defer f.Close()

	var raw []jsonCode
	if err := json.NewDecoder(f).Decode(&raw); err != nil {
		return nil, fmt.Errorf("cpv: decode %s: %w", path, err)
	}

	seen := make(map[string]bool, len(raw))
	var codes []Code
	for _, r := range raw {
		if r.Version != cpv2008Version {
			continue
		}
		id, check, err := splitFull(r.Code)
		if err != nil {
			return nil, fmt.Errorf("cpv: %s: code: %w", path, err)
		}
		if seen[id] {
			return nil, fmt.Errorf("cpv: %s: duplicate code %s", path, id)
		}
		seen[id] = true

		parent := ""
		if r.Parent != nil && *r.Parent != "" {
			parent, _, err = splitFull(*r.Parent)
			if err != nil {
				return nil, fmt.Errorf("cpv: %s: parent of %s: %w", path, id, err)
			}
		}
		t := Type(r.Type)
		if t != TypeSupplies && t != TypeWorks && t != TypeServices {
			return nil, fmt.Errorf("cpv: %s: code %s has unknown type %d", path, id, r.Type)
		}
		codes = append(codes, Code{ID: id, CheckDigit: check, Parent: parent, Type: t, NameEN: r.Name})
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("cpv: %s: no CPV 2008 (version %d) codes", path, cpv2008Version)
	}
	return codes, nil
}

// splitFull splits "72000000-5" into "72000000" and "5".
func splitFull(s string) (id, check string, err error) {
	if len(s) != 10 || s[8] != '-' || !allDigits(s[:8]) || !isDigit(s[9]) {
		return "", "", fmt.Errorf("%w: %q: want 8 digits, a dash and a check digit", ErrFormat, s)
	}
	return s[:8], s[9:], nil
}

// readLabels reads the CPV labels of the Java-properties XML file at path and
// returns them by 8-digit code.
func readLabels(path string) (map[string]string, error) {
	labels, err := eformslabels.Read(path, labelKeyPrefix, func(id string) bool { return len(id) == 8 && allDigits(id) }, ErrFormat)
	if err != nil {
		return nil, fmt.Errorf("cpv: %w", err)
	}
	return labels, nil
}

// Len returns the number of codes in the catalogue (0 for a nil catalogue).
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.byID)
}

// Lookup returns the catalogue entry for code, given in any form Normalize
// accepts. A check digit in the input is ignored. It reports false for a
// malformed or unknown code and always for a nil catalogue.
func (c *Catalog) Lookup(code string) (Code, bool) {
	if c == nil {
		return Code{}, false
	}
	id, err := Normalize(code)
	if err != nil {
		return Code{}, false
	}
	e, ok := c.byID[id]
	return e, ok
}

// Validate returns the 8-digit form of code. It fails with an error wrapping
// ErrFormat if the code is malformed, ErrUnknown if it is not in the
// catalogue, or ErrCheckDigit if it carries a check digit other than the
// catalogue's (the error names the right one). With a nil catalogue only the
// format is checked: check digits are never recomputed (see the package doc).
func (c *Catalog) Validate(code string) (string, error) {
	id, err := Normalize(code)
	if err != nil {
		return "", err
	}
	if c == nil {
		return id, nil
	}
	e, ok := c.byID[id]
	if !ok {
		return "", fmt.Errorf("%w: %s is not in the CPV 2008 catalogue", ErrUnknown, id)
	}
	if t := strings.TrimSpace(code); len(t) == 10 && t[9:] != e.CheckDigit {
		return "", fmt.Errorf("%w: %s: the check digit of %s is %s (%s), not %s", ErrCheckDigit, t, id, e.CheckDigit, e.Full(), t[9:])
	}
	return id, nil
}

// Search returns at most limit codes matching query, for autocompletion. A
// query of digits (optionally "72000000-5") matches codes starting with those
// digits; any other query matches codes whose Spanish or English label contains
// it, ignoring case and accents ("informatica" matches "informática"). Results
// come in code order, so an exact code match comes first. A limit <= 0 means
// no limit. An empty query, and any query on a nil catalogue, returns nil.
func (c *Catalog) Search(query string, limit int) []Code {
	if c == nil {
		return nil
	}
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}

	var match func(e *entry) bool
	if id, err := Normalize(q); err == nil {
		match = func(e *entry) bool { return e.code.ID == id }
	} else if allDigits(q) {
		match = func(e *entry) bool { return strings.HasPrefix(e.code.ID, q) }
	} else {
		f := fold(q)
		match = func(e *entry) bool {
			return strings.Contains(e.foldedES, f) || strings.Contains(e.foldedEN, f)
		}
	}

	var out []Code
	for i := range c.sorted {
		if !match(&c.sorted[i]) {
			continue
		}
		out = append(out, c.sorted[i].code)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// fold lower-cases s and removes the accents of the Latin letters used in
// Spanish, Catalan, Galician and Basque, so that searches ignore them.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á', 'à', 'â', 'ä', 'ã', 'å':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'í', 'ì', 'î', 'ï':
			return 'i'
		case 'ó', 'ò', 'ô', 'ö', 'õ':
			return 'o'
		case 'ú', 'ù', 'û', 'ü':
			return 'u'
		case 'ñ':
			return 'n'
		case 'ç':
			return 'c'
		}
		return r
	}, strings.ToLower(s))
}
