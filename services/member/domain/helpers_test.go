package domain_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/cpv"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/nuts"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// now is the fixed clock of the domain tests.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fakeCodes is a small domain.Codes: real format rules (platform cpv/nuts
// normalisation), a handful of known codes.
type fakeCodes struct{}

var (
	knownCPV  = map[string]bool{"72000000": true, "72200000": true, "72212000": true, "48000000": true, "30200000": true}
	knownNUTS = map[string]bool{"ES": true, "ES1": true, "ES13": true, "ES130": true, "ES300": true}
)

func (fakeCodes) CPV(code string) (string, error) {
	c, err := cpv.Normalize(code)
	if err != nil {
		return "", err
	}
	if !knownCPV[c] {
		return "", fmt.Errorf("%w: %s is not in the test catalogue", cpv.ErrUnknown, c)
	}
	return c, nil
}

func (fakeCodes) NUTS(code string) (string, error) {
	c, err := nuts.Normalize(code)
	if err != nil {
		return "", err
	}
	if !knownNUTS[c] {
		return "", fmt.Errorf("%w: %s is not a test region", nuts.ErrUnknown, c)
	}
	return c, nil
}

var _ domain.Codes = fakeCodes{}

// cif returns a valid organisation tax id (CIF) "B" + 7 digits + control digit,
// found by trying each control digit against platform/taxid.
func cif(n int) string {
	base := fmt.Sprintf("B%07d", n%10_000_000)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("no control digit for " + base)
}

// validRegistration is a company registration that passes every check.
func validRegistration() domain.Registration {
	return domain.Registration{
		Kind:      domain.KindCompany,
		LegalName: "  Acme Software S.L.  ",
		TaxID:     cif(1234567),
		Profile: domain.Profile{
			SizeBand:     domain.SizeSmall,
			Headcount:    12,
			Address:      domain.Address{Street: "Calle Mayor 1", Locality: "Santander", PostalCode: "39001", Province: "Cantabria", NUTS: "es130"},
			Capabilities: []string{"software-development", "cloud"},
			CPVInterests: []string{"72000000-5", "72212000"},
			Description:  "Software",
			Website:      "https://acme.invalid",
		},
		Certifications: []domain.CertificationInput{
			{Kind: "ENS", Level: "Media", IssueDate: "2024-01-10", ExpiryDate: "2027-01-10", Scope: " hosting "},
			{Kind: "iso 27001", IssueDate: "2025-03-01", ExpiryDate: "2028-02-28"},
		},
		Turnover:   []domain.Turnover{{Year: 2023, Cents: 100_000_00}, {Year: 2025, Cents: 300_000_00}, {Year: 2024, Cents: 200_000_00}},
		References: []domain.Reference{{Buyer: " Ayuntamiento de Santander ", Title: " Portal web ", CPV: "72212000-4", Cents: 50_000_00, Year: 2024}},
	}
}

// violations returns the field names of an *domainerr.InvalidError, failing the
// test for any other error.
func violations(t *testing.T, err error) []string {
	t.Helper()
	var inv *domainerr.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("want an *domainerr.InvalidError, got %T: %v", err, err)
	}
	fields := make([]string, len(inv.Violations))
	for i, v := range inv.Violations {
		if v.Description == "" {
			t.Errorf("violation of %s has no description", v.Field)
		}
		fields[i] = v.Field
	}
	return fields
}

// wantFields fails unless err is an InvalidError naming exactly want, in order.
func wantFields(t *testing.T, err error, want ...string) {
	t.Helper()
	if got := violations(t, err); !slices.Equal(got, want) {
		t.Fatalf("violations = %q, want %q (err: %v)", got, want, err)
	}
}

// wantPrecondition fails unless err is a PreconditionError of rule typ.
func wantPrecondition(t *testing.T, err error, typ string) {
	t.Helper()
	var pre *domainerr.PreconditionError
	if !errors.As(err, &pre) {
		t.Fatalf("want a *domainerr.PreconditionError, got %T: %v", err, err)
	}
	if len(pre.Violations) != 1 || pre.Violations[0].Type != typ || pre.Violations[0].Description == "" {
		t.Fatalf("precondition violations = %+v, want one of type %q", pre.Violations, typ)
	}
}

// registered folds a valid registration into a new organisation at version 1.
func registered(t *testing.T, mutate func(*domain.Registration)) domain.Organization {
	t.Helper()
	r := validRegistration()
	if mutate != nil {
		mutate(&r)
	}
	e, err := domain.Register(r, fakeCodes{}, now)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	var o domain.Organization
	if err := o.Apply(e, now, 1); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return o
}

// apply folds e into o at the next version, failing the test on error.
func apply(t *testing.T, o *domain.Organization, e domain.Event, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	if err := o.Apply(e, o.Updated.Add(time.Minute), o.Version+1); err != nil {
		t.Fatalf("Apply %T: %v", e, err)
	}
}
