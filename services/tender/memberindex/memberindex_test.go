package memberindex_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/memberindex"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func registered() *memberv1.OrganizationRegistered {
	return &memberv1.OrganizationRegistered{
		OrganizationId: "org-1", LegalName: "Alfa S.L.", TaxId: "B39000001", Demo: true,
		Profile: &memberv1.OrganizationProfile{Capabilities: []string{"cloud", "ai"}, CpvInterests: []string{"72000000"}},
		Certifications: []*memberv1.Certification{
			{Id: "c-ens", Kind: "ENS", Level: "media", IssueDate: "2024-01-01", ExpiryDate: "2027-01-01"},
			{Id: "c-iso", Kind: "ISO27001", IssueDate: "2023-06-01", ExpiryDate: "2026-06-01"},
		},
		Turnover:   []*memberv1.Turnover{{Year: 2023, AmountCents: 1}, {Year: 2025, AmountCents: 3}, {Year: 2024, AmountCents: 2}},
		References: []*memberv1.Reference{{Id: "r1", Cpv: "72212000", AmountCents: 10, Year: 2024, Buyer: "Gobierno de Cantabria"}, {Id: "r2", Cpv: "72253000", AmountCents: 20, Year: 2025, Buyer: "Santander"}},
	}
}

func TestFold(t *testing.T) {
	var c domain.Company
	memberindex.Fold(&c, &memberv1.MembershipApproved{OrganizationId: "org-1", ClusterId: "tera"}) // out of order is harmless
	memberindex.Fold(&c, registered())
	want := domain.Company{
		ID: "org-1", LegalName: "Alfa S.L.", TaxID: "B39000001", Demo: true, ActiveIn: []string{"tera"},
		Capabilities: []string{"cloud", "ai"}, CPVInterests: []string{"72000000"},
		Certifications: []domain.CompanyCertification{
			{ID: "c-ens", Certification: eligibility.Certification{Kind: "ENS", Level: eligibility.LevelMedia, Issued: date("2024-01-01"), Expires: date("2027-01-01")}},
			{ID: "c-iso", Certification: eligibility.Certification{Kind: "ISO27001", Issued: date("2023-06-01"), Expires: date("2026-06-01")}},
		},
		Turnover:     []eligibility.YearAmount{{Year: 2025, Cents: 3}, {Year: 2024, Cents: 2}, {Year: 2023, Cents: 1}},
		References:   []eligibility.Reference{{CPV: "72212000", Cents: 10, Year: 2024, Buyer: "Gobierno de Cantabria"}, {CPV: "72253000", Cents: 20, Year: 2025, Buyer: "Santander"}},
		ReferenceIDs: []string{"r1", "r2"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("after registration:\n%+v\nwant\n%+v", c, want)
	}

	snapshot := c // a read-model value must not change under later folds
	steps := []struct {
		name  string
		event proto.Message
		check func(*testing.T, domain.Company)
	}{
		{"profile updated", &memberv1.OrganizationProfileUpdated{Profile: &memberv1.OrganizationProfile{Capabilities: []string{"cybersecurity"}}}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.Capabilities, []string{"cybersecurity"}) || c.CPVInterests != nil {
				t.Errorf("capabilities %q, interests %q", c.Capabilities, c.CPVInterests)
			}
		}},
		{"certification added", &memberv1.CertificationAdded{Certification: &memberv1.Certification{Id: "c-alta", Kind: "ENS", Level: "alta", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}}, func(t *testing.T, c domain.Company) {
			if len(c.Certifications) != 3 || c.Certifications[2].Level != eligibility.LevelAlta {
				t.Errorf("certifications %+v", c.Certifications)
			}
		}},
		{"certification replaced", &memberv1.CertificationReplaced{Certification: &memberv1.Certification{Id: "c-ens", Kind: "ENS", Level: "basica", IssueDate: "2025-01-01", ExpiryDate: "2026-01-01"}}, func(t *testing.T, c domain.Company) {
			if len(c.Certifications) != 3 || c.Certifications[0].ID != "c-ens" || c.Certifications[0].Level != eligibility.LevelBasica {
				t.Errorf("certifications %+v", c.Certifications)
			}
		}},
		{"certification removed", &memberv1.CertificationRemoved{CertificationId: "c-ens"}, func(t *testing.T, c domain.Company) {
			if len(c.Certifications) != 2 || c.Certifications[0].ID != "c-iso" {
				t.Errorf("certifications %+v", c.Certifications)
			}
		}},
		{"turnover corrected", &memberv1.TurnoverReported{Turnover: &memberv1.Turnover{Year: 2024, AmountCents: 99}}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.Turnover, []eligibility.YearAmount{{Year: 2025, Cents: 3}, {Year: 2024, Cents: 99}, {Year: 2023, Cents: 1}}) {
				t.Errorf("turnover %+v", c.Turnover)
			}
		}},
		{"turnover of a new year", &memberv1.TurnoverReported{Turnover: &memberv1.Turnover{Year: 2026, AmountCents: 4}}, func(t *testing.T, c domain.Company) {
			if len(c.Turnover) != 4 || c.Turnover[0].Year != 2026 {
				t.Errorf("turnover %+v", c.Turnover)
			}
		}},
		{"reference added", &memberv1.ReferenceAdded{Reference: &memberv1.Reference{Id: "r3", Cpv: "48000000", AmountCents: 30, Year: 2025}}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.ReferenceIDs, []string{"r1", "r2", "r3"}) || len(c.References) != 3 || c.References[2].CPV != "48000000" {
				t.Errorf("references %+v %q", c.References, c.ReferenceIDs)
			}
		}},
		{"reference removed", &memberv1.ReferenceRemoved{ReferenceId: "r1"}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.ReferenceIDs, []string{"r2", "r3"}) || len(c.References) != 2 || c.References[0].CPV != "72253000" {
				t.Errorf("references %+v %q", c.References, c.ReferenceIDs)
			}
		}},
		{"unknown reference removed", &memberv1.ReferenceRemoved{ReferenceId: "nope"}, func(t *testing.T, c domain.Company) {
			if len(c.References) != 2 {
				t.Errorf("references %+v", c.References)
			}
		}},
		{"approved in a second cluster", &memberv1.MembershipApproved{ClusterId: "gira"}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.ActiveIn, []string{"tera", "gira"}) {
				t.Errorf("active in %q", c.ActiveIn)
			}
		}},
		{"approved twice", &memberv1.MembershipApproved{ClusterId: "gira"}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.ActiveIn, []string{"tera", "gira"}) {
				t.Errorf("active in %q", c.ActiveIn)
			}
		}},
		{"requested elsewhere: not active", &memberv1.MembershipRequested{ClusterId: "other"}, func(t *testing.T, c domain.Company) {
			if slices.Contains(c.ActiveIn, "other") {
				t.Errorf("active in %q", c.ActiveIn)
			}
		}},
		{"suspended", &memberv1.MembershipSuspended{ClusterId: "tera", Reason: "fees"}, func(t *testing.T, c domain.Company) {
			if !slices.Equal(c.ActiveIn, []string{"gira"}) || c.ActiveInAny([]string{"tera"}) {
				t.Errorf("active in %q", c.ActiveIn)
			}
		}},
		{"cluster events are ignored", &memberv1.ClusterCreated{ClusterId: "x", Name: "X"}, func(t *testing.T, c domain.Company) {
			if c.ID != "org-1" || c.LegalName != "Alfa S.L." {
				t.Errorf("company %+v", c)
			}
		}},
	}
	for _, s := range steps {
		memberindex.Fold(&c, s.event)
		t.Run(s.name, func(t *testing.T) { s.check(t, c) })
	}
	if !reflect.DeepEqual(snapshot, want) {
		t.Errorf("later folds changed an earlier copy:\n%+v", snapshot)
	}
}

func event(seq uint64, org string, m proto.Message) eventlog.Event {
	return eventlog.Event{Subject: "member.organization." + org, Sequence: seq, Data: m, Time: time.Now()}
}

func TestProjectionIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	h := memberindex.Projection(st)
	apply := func(ev eventlog.Event) {
		t.Helper()
		if err := h.Apply(ctx, ev); err != nil {
			t.Fatalf("Apply(%d): %v", ev.Sequence, err)
		}
	}
	// The member stream interleaves organisations (and clusters, filtered out upstream).
	apply(event(1, "org-1", registered()))
	apply(event(2, "org-2", &memberv1.OrganizationRegistered{OrganizationId: "org-2", LegalName: "Beta"}))
	apply(event(3, "org-1", &memberv1.MembershipApproved{ClusterId: "tera"}))
	// A redelivery of events at or below the checkpoint is ignored.
	apply(event(3, "org-1", &memberv1.MembershipApproved{ClusterId: "tera"}))
	apply(event(2, "org-1", &memberv1.MembershipSuspended{ClusterId: "tera"}))

	c, err := st.GetCompany(ctx, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.ActiveIn, []string{"tera"}) || c.Version != 3 || c.LegalName != "Alfa S.L." {
		t.Fatalf("org-1 = %+v", c)
	}
	if cp, _ := h.Checkpoint(ctx); cp != 3 {
		t.Errorf("checkpoint = %d", cp)
	}
	if cp, _ := st.Checkpoint(ctx); cp != 0 {
		t.Errorf("the member index moved the tender checkpoint to %d", cp)
	}
	if cos, _ := st.ListCompanies(ctx, []string{"tera"}); len(cos) != 1 || cos[0].ID != "org-1" {
		t.Errorf("ListCompanies(tera) = %+v", cos)
	}
	// An event for an organisation whose registration is not in the index yet
	// (e.g. the stream was trimmed) still starts an entry for it.
	apply(event(4, "org-3", &memberv1.MembershipApproved{ClusterId: "tera"}))
	if c, err := st.GetCompany(ctx, "org-3"); err != nil || c.ID != "org-3" || !slices.Equal(c.ActiveIn, []string{"tera"}) {
		t.Errorf("org-3 = %+v, %v", c, err)
	}
	if _, err := st.GetCompany(ctx, "org-9"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("unknown organisation: %v", err)
	}
}
