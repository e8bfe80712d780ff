package domain_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

func isNotFound(err error) bool { return errors.Is(err, domainerr.ErrNotFound) }

// badCIF returns the CIF of cif(n) with a wrong control digit.
func badCIF(n int) string {
	good := cif(n)
	return good[:8] + string('0'+(good[8]-'0'+1)%10)
}

func TestOrganizationIDIsDeterministicFromTaxID(t *testing.T) {
	a, b := domain.OrganizationID(cif(1)), domain.OrganizationID(cif(1))
	if a != b {
		t.Fatalf("OrganizationID not deterministic: %q vs %q", a, b)
	}
	if a == domain.OrganizationID(cif(2)) {
		t.Fatal("different tax ids share an OrganizationID")
	}
	if u, err := uuid.Parse(a); err != nil || u.Version() != 5 {
		t.Errorf("OrganizationID %q: want a name-based (v5) UUID, err %v", a, err)
	}
	// Differently written forms of one tax id register the same organisation.
	for _, in := range []string{"b-1234567-4", "ESB12345674", " b 1234567 4 "} {
		r := validRegistration()
		r.TaxID = in
		e, err := domain.Register(r, fakeCodes{}, now)
		if err != nil {
			t.Fatalf("Register(%q): %v", in, err)
		}
		if e.OrganizationID != domain.OrganizationID("B12345674") {
			t.Errorf("Register(%q).OrganizationID = %q, want OrganizationID(B12345674)", in, e.OrganizationID)
		}
	}
	// Cluster ids: a function of the name, ignoring case and surrounding spaces.
	if domain.ClusterID("TERA ICT") != domain.ClusterID("  tera ict ") || domain.ClusterID("TERA") == domain.ClusterID("GIRA") {
		t.Error("ClusterID is not a case-insensitive function of the name")
	}
	if domain.OrganizationID("X") == domain.ClusterID("X") {
		t.Error("organisation and cluster ids share a namespace")
	}
}

func TestApplyRegistered(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	e, err := domain.Register(validRegistration(), fakeCodes{}, now)
	if err != nil {
		t.Fatal(err)
	}
	o := domain.Organization{LegalName: "stale", Memberships: []domain.Membership{{ClusterID: "old"}}}
	if err := o.Apply(e, at, 7); err != nil {
		t.Fatal(err)
	}
	if o.ID != e.OrganizationID || o.LegalName != e.LegalName || o.TaxID != e.TaxID || o.Kind != domain.KindCompany {
		t.Errorf("identity not folded: %+v", o)
	}
	if len(o.Memberships) != 0 {
		t.Errorf("registration must start from a blank aggregate, memberships = %+v", o.Memberships)
	}
	if !o.Created.Equal(at) || !o.Updated.Equal(at) || o.Version != 7 {
		t.Errorf("Created/Updated/Version = %v/%v/%d, want %v/%v/7", o.Created, o.Updated, o.Version, at, at)
	}
	if len(o.Certifications) != 2 || len(o.References) != 1 {
		t.Errorf("certifications/references not folded: %+v", o)
	}
	// Turnover newest first, whatever the input order.
	if got := years(o.Turnover); !slices.Equal(got, []int{2025, 2024, 2023}) {
		t.Errorf("turnover years = %v, want newest first", got)
	}
}

func years(ts []domain.Turnover) []int {
	out := make([]int, len(ts))
	for i, t := range ts {
		out[i] = t.Year
	}
	return out
}

func TestApplyTurnoverReplacedPerYearNewestFirst(t *testing.T) {
	o := registered(t, nil) // 2025, 2024, 2023
	before := slices.Clone(o.Turnover)
	shared := o // a copy handed out earlier (e.g. by the read model)
	e, err := o.ReportTurnover(domain.Turnover{Year: 2024, Cents: 999}, now)
	apply(t, &o, e, err)
	if got := years(o.Turnover); !slices.Equal(got, []int{2025, 2024, 2023}) {
		t.Fatalf("years after replacing 2024 = %v", got)
	}
	if o.Turnover[1].Cents != 999 {
		t.Errorf("2024 = %d, want the reported 999", o.Turnover[1].Cents)
	}
	if !slices.Equal(shared.Turnover, before) {
		t.Errorf("Apply mutated a previously returned copy: %v", shared.Turnover)
	}
	e, err = o.ReportTurnover(domain.Turnover{Year: 2026, Cents: 1}, now)
	apply(t, &o, e, err)
	e, err = o.ReportTurnover(domain.Turnover{Year: 2019, Cents: 2}, now)
	apply(t, &o, e, err)
	if got := years(o.Turnover); !slices.Equal(got, []int{2026, 2025, 2024, 2023, 2019}) {
		t.Errorf("years = %v, want newest first", got)
	}
	if o.Version != 4 {
		t.Errorf("version = %d, want 4 after three events", o.Version)
	}
}

func TestApplyCertificationsAndReferences(t *testing.T) {
	o := registered(t, nil)
	e, err := o.AddCertification(domain.CertificationInput{Kind: "CMMI", IssueDate: "2025-01-01", ExpiryDate: "2027-01-01"})
	apply(t, &o, e, err)
	if len(o.Certifications) != 3 || o.Certifications[2].Kind != "CMMI" {
		t.Fatalf("certifications after add = %+v", o.Certifications)
	}
	snapshot := o
	removed := o.Certifications[0].ID
	e, err = o.RemoveCertification(removed)
	apply(t, &o, e, err)
	if len(o.Certifications) != 2 || slices.ContainsFunc(o.Certifications, func(c domain.Certification) bool { return c.ID == removed }) {
		t.Fatalf("certification %s not removed: %+v", removed, o.Certifications)
	}
	if len(snapshot.Certifications) != 3 || snapshot.Certifications[0].ID != removed {
		t.Errorf("remove mutated an earlier copy: %+v", snapshot.Certifications)
	}
	// Removing it again is NotFound.
	if _, err := o.RemoveCertification(removed); !isNotFound(err) {
		t.Errorf("second remove = %v, want ErrNotFound", err)
	}

	e, err = o.AddReference(domain.Reference{Buyer: "B", CPV: "48000000", Year: 2024}, fakeCodes{}, now)
	apply(t, &o, e, err)
	if len(o.References) != 2 {
		t.Fatalf("references = %+v", o.References)
	}
	first := o.References[0].ID
	e, err = o.RemoveReference(first)
	apply(t, &o, e, err)
	if len(o.References) != 1 || o.References[0].ID == first {
		t.Errorf("reference %s not removed: %+v", first, o.References)
	}

	e, err = o.UpdateProfile(domain.Profile{SizeBand: domain.SizeLarge, Capabilities: []string{"5g"}}, fakeCodes{})
	apply(t, &o, e, err)
	if o.Profile.SizeBand != domain.SizeLarge || !slices.Equal(o.Profile.Capabilities, []string{"5g"}) || len(o.Profile.CPVInterests) != 0 {
		t.Errorf("profile not replaced: %+v", o.Profile)
	}
}

func TestMembershipLifecycle(t *testing.T) {
	const tera, gira = "cluster-tera", "cluster-gira"
	o := registered(t, nil)
	if _, ok := o.Membership(tera); ok || o.ActiveIn(tera) {
		t.Fatal("new organisation has a membership")
	}
	step := func(want domain.MembershipStatus, reason string, e domain.Event, err error) {
		t.Helper()
		apply(t, &o, e, err)
		m, ok := o.Membership(tera)
		if !ok || m.Status != want || m.Reason != reason || !m.Updated.Equal(o.Updated) {
			t.Fatalf("membership = %+v (found %v), want status %v reason %q updated %v", m, ok, want, reason, o.Updated)
		}
		if o.ActiveIn(tera) != (want == domain.MembershipActive) {
			t.Fatalf("ActiveIn = %v with status %v", o.ActiveIn(tera), want)
		}
	}
	e, err := o.RequestMembership(tera)
	step(domain.MembershipPending, "", e, err)
	e, err = o.ApproveMembership(tera)
	step(domain.MembershipActive, "", e, err)
	e, err = o.SuspendMembership(tera, "  unpaid fees ")
	step(domain.MembershipOnHold, "unpaid fees", e, err)
	e, err = o.ApproveMembership(tera)
	step(domain.MembershipActive, "", e, err)

	// Another cluster is independent and keeps its own entry.
	e, err = o.RequestMembership(gira)
	apply(t, &o, e, err)
	if len(o.Memberships) != 2 || !o.ActiveIn(tera) || o.ActiveIn(gira) {
		t.Errorf("memberships = %+v", o.Memberships)
	}
	// A suspended member may ask again; that makes it pending.
	e, err = o.SuspendMembership(tera, "audit")
	apply(t, &o, e, err)
	e, err = o.RequestMembership(tera)
	step(domain.MembershipPending, "", e, err)
}

func TestMembershipRuleViolations(t *testing.T) {
	const c = "cluster-1"
	fresh := registered(t, nil)
	pending := fresh
	e, err := pending.RequestMembership(c)
	apply(t, &pending, e, err)
	active := pending
	e, err = active.ApproveMembership(c)
	apply(t, &active, e, err)
	suspended := active
	e, err = suspended.SuspendMembership(c, "reason")
	apply(t, &suspended, e, err)

	tests := []struct {
		name string
		org  domain.Organization
		do   func(o *domain.Organization) (domain.Event, error)
	}{
		{"request twice", pending, func(o *domain.Organization) (domain.Event, error) { return o.RequestMembership(c) }},
		{"request while active", active, func(o *domain.Organization) (domain.Event, error) { return o.RequestMembership(c) }},
		{"approve without request", fresh, func(o *domain.Organization) (domain.Event, error) { return o.ApproveMembership(c) }},
		{"approve when active", active, func(o *domain.Organization) (domain.Event, error) { return o.ApproveMembership(c) }},
		{"suspend without membership", fresh, func(o *domain.Organization) (domain.Event, error) { return o.SuspendMembership(c, "r") }},
		{"suspend when pending", pending, func(o *domain.Organization) (domain.Event, error) { return o.SuspendMembership(c, "r") }},
		{"suspend when suspended", suspended, func(o *domain.Organization) (domain.Event, error) { return o.SuspendMembership(c, "r") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.org
			e, err := tt.do(&o)
			wantPrecondition(t, err, "membership")
			if e != nil {
				t.Errorf("event %#v produced despite the violation", e)
			}
		})
	}
	for _, reason := range []string{"", "   "} {
		o := active
		_, err := o.SuspendMembership(c, reason)
		wantFields(t, err, "reason")
	}
}

func TestApplyRejectsForeignEvents(t *testing.T) {
	var o domain.Organization
	if err := o.Apply(domain.ClusterCreated{ClusterID: "c"}, now, 1); err == nil {
		t.Error("Organization.Apply(ClusterCreated) succeeded")
	}
	var c domain.Cluster
	if err := c.Apply(domain.MembershipRequested{}, now, 1); err == nil {
		t.Error("Cluster.Apply(MembershipRequested) succeeded")
	}
	if err := c.Apply(domain.ClusterCreated{ClusterID: "c", Name: "N", RegionNUTS: "ES130", Demo: true}, now, 3); err != nil {
		t.Fatal(err)
	}
	if c.ID != "c" || c.Name != "N" || !c.Demo || c.Version != 3 || !c.Created.Equal(now) {
		t.Errorf("cluster = %+v", c)
	}
}

func TestMembershipStatusString(t *testing.T) {
	for s, want := range map[domain.MembershipStatus]string{
		domain.MembershipNone: "no", domain.MembershipPending: "requested", domain.MembershipActive: "active", domain.MembershipOnHold: "suspended",
	} {
		if got := fmt.Sprint(s); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}
