package domain_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// With the official lists (platform/codes over the shared data folder).
func TestRegisterWithTheOfficialCodeLists(t *testing.T) {
	if _, err := datadir.Dir(); err != nil {
		t.Skipf("shared data folder not available: %v", err)
	}
	lists := codes.Load("", slog.New(slog.DiscardHandler))
	if lists.Catalog == nil || lists.Regions == nil {
		t.Fatal("the shared data folder exists but the CPV or NUTS list did not load")
	}

	r := validRegistration()
	r.Profile.CPVInterests = []string{"72000000-5", "48000000", "72000000"}
	r.Profile.Address.NUTS = "es130"
	e, err := domain.Register(r, lists, now)
	if err != nil {
		t.Fatalf("Register with real lists: %v", err)
	}
	if !slices.Equal(e.Profile.CPVInterests, []string{"72000000", "48000000"}) {
		t.Errorf("CPVInterests = %q, want [72000000 48000000]", e.Profile.CPVInterests)
	}
	if e.Profile.Address.NUTS != "ES130" {
		t.Errorf("NUTS = %q", e.Profile.Address.NUTS)
	}

	// Well-formed but not in the catalogue / not a region.
	r = validRegistration()
	r.TaxID = "12345678A"
	r.Profile.CPVInterests = []string{"72000000", "99999999"}
	r.Profile.Address.NUTS = "ES999"
	r.Certifications = []domain.CertificationInput{{Kind: "ENS", Level: "alta", IssueDate: "2025-05-01", ExpiryDate: "2025-04-30"}}
	r.Turnover = []domain.Turnover{{Year: 2024, Cents: -1}}
	_, err = domain.Register(r, lists, now)
	wantFields(t, err, "tax_id", "profile.address.nuts", "profile.cpv_interests[1]", "certifications[0].expiry_date", "turnover[0].amount_cents")

	if _, err := domain.CreateCluster("Real", "ES13", "", false, lists); err != nil {
		t.Errorf("CreateCluster in ES13: %v", err)
	}
}
