package ocds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// Canonical URLs of the OCDS 1.1.5 schemas. The package schemas reference the
// release schema by these URLs; NewValidator registers the local copies under
// them so nothing is ever fetched from the network.
const (
	ReleaseSchemaURL        = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
	ReleasePackageSchemaURL = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
	RecordPackageSchemaURL  = "https://standard.open-contracting.org/schema/1__1__5/record-package-schema.json"
	// versionedReleaseSchemaURL is referenced by record packages for the
	// optional versionedRelease, which is not part of the shared data. It is
	// registered as an empty (accept-all) schema: versioned releases are not
	// validated.
	versionedReleaseSchemaURL = "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
)

// Schema file names inside the schema folder.
const (
	releaseSchemaFile        = "release-schema.json"
	releasePackageSchemaFile = "release-package-schema.json"
	recordPackageSchemaFile  = "record-package-schema.json"
)

// ErrInvalid is wrapped by validation failures; the message says where the
// document breaks the schema and how.
var ErrInvalid = errors.New("invalid OCDS")

// Validator checks OCDS documents against the 1.1 JSON schemas.
type Validator struct {
	release        *jsonschema.Schema
	releasePackage *jsonschema.Schema
	recordPackage  *jsonschema.Schema
}

// NewValidator compiles the OCDS schemas found in schemaDir
// (release-schema.json, release-package-schema.json, record-package-schema.json).
func NewValidator(schemaDir string) (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(offlineLoader{})
	files := map[string]string{
		ReleaseSchemaURL:        releaseSchemaFile,
		ReleasePackageSchemaURL: releasePackageSchemaFile,
		RecordPackageSchemaURL:  recordPackageSchemaFile,
	}
	for url, name := range files {
		data, err := os.ReadFile(filepath.Join(schemaDir, name))
		if err != nil {
			return nil, fmt.Errorf("read OCDS schema: %w", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decode OCDS schema %s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("register OCDS schema %s: %w", name, err)
		}
	}
	if err := c.AddResource(versionedReleaseSchemaURL, map[string]any{}); err != nil {
		return nil, fmt.Errorf("register versioned release schema: %w", err)
	}
	var v Validator
	var err error
	if v.release, err = c.Compile(ReleaseSchemaURL); err != nil {
		return nil, fmt.Errorf("compile release schema: %w", err)
	}
	if v.releasePackage, err = c.Compile(ReleasePackageSchemaURL); err != nil {
		return nil, fmt.Errorf("compile release package schema: %w", err)
	}
	if v.recordPackage, err = c.Compile(RecordPackageSchemaURL); err != nil {
		return nil, fmt.Errorf("compile record package schema: %w", err)
	}
	return &v, nil
}

// defaultValidator compiles the schemas of the shared data folder once.
var defaultValidator = sync.OnceValues(func() (*Validator, error) {
	dir, err := datadir.Path("ocds", "schema")
	if err != nil {
		return nil, fmt.Errorf("locate OCDS schemas: %w", err)
	}
	return NewValidator(dir)
})

// DefaultValidator returns a validator for the schemas in the shared data
// folder (ocds/schema), compiled on first use.
func DefaultValidator() (*Validator, error) {
	return defaultValidator()
}

// offlineLoader refuses every URL: all schemas must be registered up front.
type offlineLoader struct{}

// Load implements jsonschema.URLLoader.
func (offlineLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not registered (network access is disabled)", url)
}

// ValidatePackage validates a release package or, when it has "records", a
// record package. The error wraps ErrInvalid and lists each violation with
// its JSON pointer, e.g. "at '/releases/0/tender/status': value must be one of ...".
func (v *Validator) ValidatePackage(data []byte) error {
	doc, err := decodeJSON(data)
	if err != nil {
		return err
	}
	schema := v.releasePackage
	if obj, ok := doc.(map[string]any); ok {
		if _, isRecord := obj["records"]; isRecord {
			schema = v.recordPackage
		}
	}
	return check(schema, doc)
}

// ValidateRelease validates one decoded release (as produced by encoding/json
// with UseNumber, or jsonschema.UnmarshalJSON).
func (v *Validator) ValidateRelease(release any) error {
	return check(v.release, release)
}

func check(schema *jsonschema.Schema, doc any) error {
	if err := schema.Validate(doc); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// decodeJSON decodes one JSON document keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON document", ErrInvalid)
	}
	if n, ok := hugeNumber(doc); ok {
		return nil, fmt.Errorf("%w: number %.40q is out of range", ErrInvalid, n)
	}
	return doc, nil
}

// hugeNumber finds a number longer than 64 characters or with an exponent
// beyond ±999. Such numbers are far outside what any OCDS field can hold, and
// the schema validator would spend minutes expanding them (1e999999999).
func hugeNumber(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if len(s) > 64 {
			return s, true
		}
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			if exp := strings.TrimLeft(s[i+1:], "+-0"); len(exp) > 3 {
				return s, true
			}
		}
	case map[string]any:
		for _, e := range x {
			if s, ok := hugeNumber(e); ok {
				return s, true
			}
		}
	case []any:
		for _, e := range x {
			if s, ok := hugeNumber(e); ok {
				return s, true
			}
		}
	}
	return "", false
}
