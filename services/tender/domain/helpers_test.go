package domain_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// now is the fixed clock of the domain tests.
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fakeCodes is a tiny stand-in for the official CPV and NUTS lists: a few
// known codes, the rest "not in the list".
type fakeCodes struct{}

var knownCPVs = map[string]bool{"72000000": true, "72212000": true, "72222300": true, "48000000": true, "79411000": true}

func (fakeCodes) CPV(code string) (string, error) {
	c := strings.TrimSpace(code)
	if i := strings.IndexByte(c, '-'); i >= 0 {
		c = c[:i]
	}
	if len(c) != 8 || strings.Trim(c, "0123456789") != "" {
		return "", fmt.Errorf("CPV code %q is not 8 digits", code)
	}
	if !knownCPVs[c] {
		return "", fmt.Errorf("CPV code %q is not in CPV 2008", code)
	}
	return c, nil
}

func (fakeCodes) NUTS(code string) (string, error) {
	if c := strings.ToUpper(strings.TrimSpace(code)); c == "ES130" || c == "ES13" {
		return c, nil
	}
	return "", fmt.Errorf("unknown NUTS code %q", code)
}

// details are valid, strict tender details: 300,000 € over 24 months.
func details() domain.Details {
	return domain.Details{
		Authority:      domain.Authority{Name: "Gobierno de Cantabria", NIF: "S3933002B"},
		Title:          "Plataforma de administración electrónica",
		CPVs:           []string{"72000000"},
		NUTS:           []string{"ES130"},
		EstimatedCents: 300_000_00, BudgetNoVATCents: 250_000_00, BudgetWithVATCents: 302_500_00,
		DurationMonths: 24,
		Deadline:       now.AddDate(0, 2, 0),
		Documents:      []domain.Document{{Title: "Pliego", URL: "https://contrataciondelestado.es/pliego.pdf"}},
		Requirements: domain.Requirements{
			Capabilities:   []string{"software-development", "cybersecurity"},
			Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}},
		},
	}
}

// tenderIn folds a TenderCreated (and a publish when active) into a tender.
func tenderIn(t *testing.T, status domain.Status, d domain.Details) *domain.Tender {
	t.Helper()
	var tn domain.Tender
	apply(t, &tn, domain.TenderCreated{TenderID: "t1", ClusterID: "tera", Details: d, Status: status})
	return &tn
}

// lots gives d two lots: "1" inherits the tender's requirements with its own
// CPV and value, "2" has its own requirements.
func withLots(d domain.Details) domain.Details {
	d.Lots = []domain.Lot{
		{ID: "1", Title: "Desarrollo", CPVs: []string{"72212000"}, EstimatedCents: 120_000_00},
		{ID: "2", Title: "Ciberseguridad", Requirements: domain.Requirements{
			Capabilities: []string{"cybersecurity"}, EconomicThresholdCents: 50_000_00, MaxMembers: 2,
			Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "alta"}, {Kind: "ISO27001"}},
		}, HasOwnRequirements: true},
	}
	return d
}

var seq uint64

// apply folds an event into a tender or consortium, with increasing versions.
func apply(t *testing.T, agg interface {
	Apply(domain.Event, time.Time, uint64) error
}, e domain.Event) {
	t.Helper()
	seq++
	if err := agg.Apply(e, now.Add(time.Duration(seq)*time.Second), seq); err != nil {
		t.Fatalf("Apply(%T): %v", e, err)
	}
}

// must returns the event of a command that has to succeed.
func must(t *testing.T) func(domain.Event, error) domain.Event {
	return func(e domain.Event, err error) domain.Event {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return e
	}
}

// invalidFields returns the fields of an *InvalidError (failing for any other error).
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	var inv *domainerr.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("got %v (%T), want an *domainerr.InvalidError", err, err)
	}
	var out []string
	for _, v := range inv.Violations {
		if v.Description == "" {
			t.Errorf("violation of %s has no description", v.Field)
		}
		out = append(out, v.Field)
	}
	return out
}

func wantInvalid(t *testing.T, err error, fields ...string) {
	t.Helper()
	if got := invalidFields(t, err); !slices.Equal(got, fields) {
		t.Fatalf("invalid fields = %q, want %q (err %v)", got, fields, err)
	}
}

// wantPrecondition fails unless err is a *PreconditionError whose violation types are types.
func wantPrecondition(t *testing.T, err error, types ...string) *domainerr.PreconditionError {
	t.Helper()
	var pe *domainerr.PreconditionError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v (%T), want a *domainerr.PreconditionError", err, err)
	}
	var got []string
	for _, v := range pe.Violations {
		if v.Description == "" || v.Subject == "" {
			t.Errorf("violation %+v lacks a subject or description", v)
		}
		got = append(got, v.Type)
	}
	if !slices.Equal(got, types) {
		t.Fatalf("precondition types = %q, want %q (err %v)", got, types, err)
	}
	return pe
}

// wantErr checks an error against an expected kind: "" (none), "invalid:<field>",
// or "precondition:<type>".
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	kind, arg, _ := strings.Cut(want, ":")
	switch kind {
	case "":
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case "invalid":
		wantInvalid(t, err, arg)
	case "precondition":
		wantPrecondition(t, err, arg)
	default:
		t.Fatalf("bad expectation %q", want)
	}
}
