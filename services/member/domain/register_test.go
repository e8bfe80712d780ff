package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/member/domain"
)

func TestRegisterAcceptsAndNormalisesGoodInput(t *testing.T) {
	r := validRegistration()
	r.TaxID = "es b-1234567-" + strings.ToLower(cif(1234567)[8:]) // VAT prefix, lower case, dashes
	r.Profile.CPVInterests = []string{"72000000-5", "72212000", " 72000000 "}
	e, err := domain.Register(r, fakeCodes{}, now)
	if err != nil {
		t.Fatalf("Register(valid) = %v", err)
	}
	if e.TaxID != cif(1234567) {
		t.Errorf("TaxID = %q, want the normalised %q", e.TaxID, cif(1234567))
	}
	if e.OrganizationID != domain.OrganizationID(cif(1234567)) {
		t.Errorf("OrganizationID = %q, want OrganizationID(normalised tax id)", e.OrganizationID)
	}
	if e.LegalName != "Acme Software S.L." {
		t.Errorf("LegalName = %q, want it trimmed", e.LegalName)
	}
	if e.Kind != domain.KindCompany {
		t.Errorf("Kind = %v", e.Kind)
	}
	if want := []string{"72000000", "72212000"}; !slices.Equal(e.Profile.CPVInterests, want) {
		t.Errorf("CPVInterests = %q, want %q (check digit dropped, duplicates collapsed)", e.Profile.CPVInterests, want)
	}
	if e.Profile.Address.NUTS != "ES130" {
		t.Errorf("NUTS = %q, want ES130", e.Profile.Address.NUTS)
	}
	if len(e.Certifications) != 2 {
		t.Fatalf("certifications = %+v", e.Certifications)
	}
	ens, iso := e.Certifications[0], e.Certifications[1]
	if ens.Kind != "ENS" || ens.Level != "media" || ens.Scope != "hosting" {
		t.Errorf("ENS certification = %+v, want kind ENS, level media, trimmed scope", ens)
	}
	if !ens.Issued.Equal(time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)) || !ens.Expires.Equal(time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ENS dates = %v .. %v", ens.Issued, ens.Expires)
	}
	if iso.Kind != "ISO27001" || iso.Level != "" {
		t.Errorf("ISO certification = %+v, want kind ISO27001 without level", iso)
	}
	if ens.ID == "" || iso.ID == "" || ens.ID == iso.ID {
		t.Errorf("certification ids %q, %q: want distinct, non-empty", ens.ID, iso.ID)
	}
	if len(e.References) != 1 {
		t.Fatalf("references = %+v", e.References)
	}
	ref := e.References[0]
	if ref.ID == "" || ref.Buyer != "Ayuntamiento de Santander" || ref.Title != "Portal web" || ref.CPV != "72212000" {
		t.Errorf("reference = %+v, want an id, trimmed buyer and title, 8-digit CPV", ref)
	}
	if len(e.Turnover) != 3 {
		t.Errorf("turnover = %+v", e.Turnover)
	}
	// The event must not alias the caller's slices.
	r.Turnover[0].Cents = -1
	if e.Turnover[0].Cents == -1 {
		t.Error("event turnover aliases the registration's slice")
	}
}

func TestRegisterAcceptsEntitiesWithoutSizeBand(t *testing.T) {
	for _, k := range []domain.Kind{domain.KindPublicEntity, domain.KindPrivateEntity} {
		r := validRegistration()
		r.Kind = k
		r.Profile.SizeBand = domain.SizeUnspecified
		if _, err := domain.Register(r, fakeCodes{}, now); err != nil {
			t.Errorf("kind %d without size band: %v", k, err)
		}
	}
	// Minimal company: nothing optional given.
	r := domain.Registration{Kind: domain.KindCompany, LegalName: "Mini S.L.", TaxID: cif(7), Profile: domain.Profile{SizeBand: domain.SizeMicro}}
	e, err := domain.Register(r, fakeCodes{}, now)
	if err != nil {
		t.Fatalf("minimal registration: %v", err)
	}
	if len(e.Profile.CPVInterests) != 0 || len(e.Certifications) != 0 {
		t.Errorf("minimal registration produced %+v", e)
	}
}

func TestRegisterNamesEachBadField(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*domain.Registration)
		want   []string
	}{
		{"kind missing", func(r *domain.Registration) { r.Kind = domain.KindUnspecified }, []string{"kind"}},
		{"kind unknown", func(r *domain.Registration) { r.Kind = 9 }, []string{"kind"}},
		{"legal name blank", func(r *domain.Registration) { r.LegalName = "   " }, []string{"legal_name"}},
		{"legal name too long", func(r *domain.Registration) { r.LegalName = strings.Repeat("x", 301) }, []string{"legal_name"}},
		{"tax id empty", func(r *domain.Registration) { r.TaxID = "" }, []string{"tax_id"}},
		{"tax id bad control", func(r *domain.Registration) { r.TaxID = "12345678A" }, []string{"tax_id"}},
		{"tax id bad CIF control", func(r *domain.Registration) { r.TaxID = badCIF(1234567) }, []string{"tax_id"}},
		{"tax id garbage", func(r *domain.Registration) { r.TaxID = "not-a-nif" }, []string{"tax_id"}},
		{"company without size band", func(r *domain.Registration) { r.Profile.SizeBand = domain.SizeUnspecified }, []string{"profile.size_band"}},
		{"size band out of range", func(r *domain.Registration) { r.Profile.SizeBand = 9 }, []string{"profile.size_band"}},
		{"negative headcount", func(r *domain.Registration) { r.Profile.Headcount = -1 }, []string{"profile.headcount"}},
		{"unknown NUTS", func(r *domain.Registration) { r.Profile.Address.NUTS = "FR101" }, []string{"profile.address.nuts"}},
		{"malformed NUTS", func(r *domain.Registration) { r.Profile.Address.NUTS = "1234" }, []string{"profile.address.nuts"}},
		{"unknown capability", func(r *domain.Registration) { r.Profile.Capabilities = []string{"cloud", "telepathy"} }, []string{"profile.capabilities[1]"}},
		{"capability twice", func(r *domain.Registration) { r.Profile.Capabilities = []string{"cloud", "ai", "cloud"} }, []string{"profile.capabilities[2]"}},
		{"unknown CPV", func(r *domain.Registration) { r.Profile.CPVInterests = []string{"99999999"} }, []string{"profile.cpv_interests[0]"}},
		{"malformed CPV", func(r *domain.Registration) { r.Profile.CPVInterests = []string{"72000000", "7200"} }, []string{"profile.cpv_interests[1]"}},
		{"description too long", func(r *domain.Registration) { r.Profile.Description = strings.Repeat("d", 4001) }, []string{"profile.description"}},
		{"unknown certification", func(r *domain.Registration) { r.Certifications[1].Kind = "ISO123" }, []string{"certifications[1].kind"}},
		{"ENS without level", func(r *domain.Registration) { r.Certifications[0].Level = "" }, []string{"certifications[0].level"}},
		{"ENS unknown level", func(r *domain.Registration) { r.Certifications[0].Level = "extrema" }, []string{"certifications[0].level"}},
		{"level on ISO", func(r *domain.Registration) { r.Certifications[1].Level = "alta" }, []string{"certifications[1].level"}},
		{"bad issue date", func(r *domain.Registration) { r.Certifications[0].IssueDate = "10/01/2024" }, []string{"certifications[0].issue_date"}},
		{"missing expiry date", func(r *domain.Registration) { r.Certifications[0].ExpiryDate = "" }, []string{"certifications[0].expiry_date"}},
		{"expiry before issue", func(r *domain.Registration) { r.Certifications[0].ExpiryDate = "2024-01-09" }, []string{"certifications[0].expiry_date"}},
		{"turnover year too old", func(r *domain.Registration) { r.Turnover[0].Year = 1989 }, []string{"turnover[0].year"}},
		{"turnover year in the future", func(r *domain.Registration) { r.Turnover[2].Year = now.Year() + 1 }, []string{"turnover[2].year"}},
		{"negative turnover", func(r *domain.Registration) { r.Turnover[1].Cents = -1 }, []string{"turnover[1].amount_cents"}},
		{"turnover year twice", func(r *domain.Registration) { r.Turnover[2].Year = 2023 }, []string{"turnover[2].year"}},
		{"reference without buyer", func(r *domain.Registration) { r.References[0].Buyer = " " }, []string{"references[0].buyer"}},
		{"reference unknown CPV", func(r *domain.Registration) { r.References[0].CPV = "11111111" }, []string{"references[0].cpv"}},
		{"reference negative amount", func(r *domain.Registration) { r.References[0].Cents = -5 }, []string{"references[0].amount_cents"}},
		{"amounts above 10^13 cents", func(r *domain.Registration) {
			r.Turnover[0].Cents, r.References[0].Cents = 9_200_000_000_000_000_000, domain.MaxAmountCents+1
		}, []string{"turnover[0].amount_cents", "references[0].amount_cents"}},
		{"reference year", func(r *domain.Registration) { r.References[0].Year = 1900 }, []string{"references[0].year"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRegistration()
			tt.mutate(&r)
			e, err := domain.Register(r, fakeCodes{}, now)
			wantFields(t, err, tt.want...)
			if e.OrganizationID != "" {
				t.Errorf("an event was produced for invalid input: %+v", e)
			}
		})
	}
}

// The issue's example: every bad field at once, each named, nothing produced.
func TestRegisterReportsEveryBadFieldAtOnce(t *testing.T) {
	r := validRegistration()
	r.TaxID = "12345678A"                         // bad NIF control letter (want Z)
	r.Profile.CPVInterests = []string{"99999999"} // unknown CPV
	r.Certifications = []domain.CertificationInput{{Kind: "ISO9001", IssueDate: "2025-05-01", ExpiryDate: "2024-05-01"}}
	r.Turnover = []domain.Turnover{{Year: 2024, Cents: -100}}
	e, err := domain.Register(r, fakeCodes{}, now)
	wantFields(t, err, "tax_id", "profile.cpv_interests[0]", "certifications[0].expiry_date", "turnover[0].amount_cents")
	if e.OrganizationID != "" || e.TaxID != "" {
		t.Errorf("event produced despite violations: %+v", e)
	}

	// More at once, across every section, in input order.
	r = validRegistration()
	r.Kind = domain.KindUnspecified
	r.LegalName = ""
	r.Profile.Headcount = -3
	r.Certifications[0].Kind = "ENS"
	r.Certifications[0].Level = ""
	r.Certifications[0].IssueDate = "yesterday"
	r.Turnover = append(r.Turnover, domain.Turnover{Year: 2025, Cents: -1})
	r.References[0].Buyer = ""
	r.References[0].Year = 3000
	_, err = domain.Register(r, fakeCodes{}, now)
	wantFields(t, err,
		"kind", "legal_name", "profile.headcount",
		"certifications[0].level", "certifications[0].issue_date",
		"turnover[3].amount_cents", "turnover[3].year",
		"references[0].buyer", "references[0].year")
}

func TestENSLevelRules(t *testing.T) {
	tests := []struct {
		kind, level string
		ok          bool
		wantLevel   string
	}{
		{"ENS", "basica", true, "basica"},
		{"ENS", "Básica", true, "basica"},
		{"ENS", "BÁSICA", true, "basica"},
		{"ENS", " media ", true, "media"},
		{"ENS", "ALTA", true, "alta"},
		{"ens", "alta", true, "alta"},
		{"ENS", "", false, ""},
		{"ENS", "baja", false, ""},
		{"ISO27001", "", true, ""},
		{"ISO27001", "media", false, ""},
		{"CMMI", "alta", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.level, func(t *testing.T) {
			o := registered(t, nil)
			e, err := o.AddCertification(domain.CertificationInput{Kind: tt.kind, Level: tt.level, IssueDate: "2025-01-01", ExpiryDate: "2026-01-01"})
			if !tt.ok {
				wantFields(t, err, "certification.level")
				return
			}
			if err != nil {
				t.Fatalf("AddCertification: %v", err)
			}
			c := e.(domain.CertificationAdded).Certification
			if c.Level != tt.wantLevel {
				t.Errorf("level = %q, want %q", c.Level, tt.wantLevel)
			}
		})
	}
}

func TestCertificationExpiringTheDayItIsIssuedIsAccepted(t *testing.T) {
	o := registered(t, nil)
	if _, err := o.AddCertification(domain.CertificationInput{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2025-01-01"}); err != nil {
		t.Fatalf("same-day expiry: %v", err)
	}
}

func TestUpdateProfile(t *testing.T) {
	o := registered(t, nil)
	p := domain.Profile{SizeBand: domain.SizeMedium, Headcount: 60, Capabilities: []string{"ai"}, CPVInterests: []string{"48000000-8", "48000000"}, Address: domain.Address{NUTS: "es300"}}
	e, err := o.UpdateProfile(p, fakeCodes{})
	if err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	u, ok := e.(domain.OrganizationProfileUpdated)
	if !ok || u.OrganizationID != o.ID {
		t.Fatalf("event = %#v", e)
	}
	if !slices.Equal(u.Profile.CPVInterests, []string{"48000000"}) || u.Profile.Address.NUTS != "ES300" {
		t.Errorf("profile not normalised: %+v", u.Profile)
	}

	bad := domain.Profile{SizeBand: domain.SizeUnspecified, Headcount: -1, Capabilities: []string{"x"}, CPVInterests: []string{"72000000", "123"}, Address: domain.Address{NUTS: "XX999"}}
	_, err = o.UpdateProfile(bad, fakeCodes{})
	wantFields(t, err, "profile.size_band", "profile.headcount", "profile.address.nuts", "profile.capabilities[0]", "profile.cpv_interests[1]")

	// Only companies need a size band.
	pub := registered(t, func(r *domain.Registration) { r.Kind = domain.KindPublicEntity; r.TaxID = "Q0000000J" })
	if _, err := pub.UpdateProfile(domain.Profile{}, fakeCodes{}); err != nil {
		t.Errorf("public entity profile without size band: %v", err)
	}
}

func TestAddCertificationReportTurnoverAddReference(t *testing.T) {
	o := registered(t, nil)

	_, err := o.AddCertification(domain.CertificationInput{Kind: "ISO9001", IssueDate: "2025-02-01", ExpiryDate: "2024-02-01"})
	wantFields(t, err, "certification.expiry_date")
	e, err := o.AddCertification(domain.CertificationInput{Kind: "ISO9001", IssueDate: "2025-02-01", ExpiryDate: "2028-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	if c := e.(domain.CertificationAdded); c.OrganizationID != o.ID || c.Certification.ID == "" {
		t.Errorf("CertificationAdded = %+v", c)
	}

	_, err = o.ReportTurnover(domain.Turnover{Year: 1980, Cents: -1}, now)
	wantFields(t, err, "turnover.year", "turnover.amount_cents")
	e, err = o.ReportTurnover(domain.Turnover{Year: now.Year(), Cents: 0}, now)
	if err != nil {
		t.Fatalf("zero turnover for the current year: %v", err)
	}
	if tr := e.(domain.TurnoverReported); tr.Turnover.Year != now.Year() || tr.OrganizationID != o.ID {
		t.Errorf("TurnoverReported = %+v", tr)
	}

	_, err = o.AddReference(domain.Reference{CPV: "bad", Cents: -1, Year: now.Year() + 1}, fakeCodes{}, now)
	wantFields(t, err, "reference.buyer", "reference.cpv", "reference.amount_cents", "reference.year")
	e, err = o.AddReference(domain.Reference{ID: "client-chosen", Buyer: "Gobierno de Cantabria", CPV: "72000000-5", Cents: 1, Year: 2025}, fakeCodes{}, now)
	if err != nil {
		t.Fatal(err)
	}
	ref := e.(domain.ReferenceAdded).Reference
	if ref.ID == "" || ref.ID == "client-chosen" || ref.CPV != "72000000" {
		t.Errorf("reference = %+v, want a server id and an 8-digit CPV", ref)
	}
}

func TestRemoveUnknownCertificationOrReferenceIsNotFound(t *testing.T) {
	o := registered(t, nil)
	if _, err := o.RemoveCertification("nope"); !isNotFound(err) {
		t.Errorf("RemoveCertification(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := o.RemoveReference("nope"); !isNotFound(err) {
		t.Errorf("RemoveReference(unknown) = %v, want ErrNotFound", err)
	}
	e, err := o.RemoveReference(o.References[0].ID)
	if err != nil || e.(domain.ReferenceRemoved).ReferenceID != o.References[0].ID {
		t.Errorf("RemoveReference(known) = %+v, %v", e, err)
	}
}

func TestCreateCluster(t *testing.T) {
	e, err := domain.CreateCluster("  TERA ICT  ", "es130", " ICT ", true, fakeCodes{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "TERA ICT" || e.RegionNUTS != "ES130" || e.Description != "ICT" || !e.Demo || e.ClusterID != domain.ClusterID("tera ict") {
		t.Errorf("ClusterCreated = %+v", e)
	}
	_, err = domain.CreateCluster("", "", "", false, fakeCodes{})
	wantFields(t, err, "name", "region_nuts")
	_, err = domain.CreateCluster(strings.Repeat("n", 201), "FR101", "", false, fakeCodes{})
	wantFields(t, err, "name", "region_nuts")
}
