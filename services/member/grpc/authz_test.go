package grpc_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// unknownID is a well-formed id no object has.
const unknownID = "00000000-0000-4000-8000-000000000000"

// A cluster manager cannot enrol another cluster's organisation: the request
// is refused, nothing is appended, and the manager can neither read nor write
// the organisation nor approve a membership it never requested (issue 10 §2:
// tera-manager requested, then edited, then approved gira's company).
func TestManagerCannotEnrolAnotherClustersOrganization(t *testing.T) {
	e := newEnv(t)
	x, y := e.cluster("Cluster X").GetId(), e.cluster("Cluster Y").GetId()
	b := e.register(71, "B S.L.").GetId()
	if _, err := e.c.RequestMembership(e.ctxAs(company(b)), &memberv1.RequestMembershipRequest{OrganizationId: b, ClusterId: y}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ApproveMembership(e.ctxAs(manager(y)), &memberv1.ApproveMembershipRequest{OrganizationId: b, ClusterId: y}); err != nil {
		t.Fatal(err)
	}
	before := e.events()
	mx := e.ctxAs(manager(x))

	_, err := e.c.RequestMembership(mx, &memberv1.RequestMembershipRequest{OrganizationId: b, ClusterId: x})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.UpdateOrganizationProfile(mx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: b, Profile: &memberv1.OrganizationProfile{}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.ApproveMembership(mx, &memberv1.ApproveMembershipRequest{OrganizationId: b, ClusterId: x})
	wantCode(t, err, codes.FailedPrecondition) // there is no request to approve
	_, err = e.c.GetOrganization(mx, &memberv1.GetOrganizationRequest{OrganizationId: b})
	wantCode(t, err, codes.PermissionDenied)
	e.wantEvents(before)

	// Y's manager keeps managing its active member.
	if _, err := e.c.UpdateOrganizationProfile(e.ctxAs(manager(y)), &memberv1.UpdateOrganizationProfileRequest{
		OrganizationId: b, Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Description: "kept up to date by Y"},
	}); err != nil {
		t.Fatalf("the manager of an active member's cluster: %v", err)
	}
}

// A membership the organisation requested itself lets the cluster's manager
// see the applicant (to decide), but grants no write until it is approved.
func TestPendingMembershipGrantsNoWrites(t *testing.T) {
	e := newEnv(t)
	x := e.cluster("Cluster X").GetId()
	p := e.register(72, "P S.L.").GetId()
	if _, err := e.c.RequestMembership(e.ctxAs(company(p)), &memberv1.RequestMembershipRequest{OrganizationId: p, ClusterId: x}); err != nil {
		t.Fatal(err)
	}
	mx := e.ctxAs(manager(x))
	if _, err := e.c.GetOrganization(mx, &memberv1.GetOrganizationRequest{OrganizationId: p}); err != nil {
		t.Fatalf("the manager reads an applicant: %v", err)
	}
	before := e.events()
	writes := map[string]func(context.Context) error{
		"profile": func(ctx context.Context) error {
			_, err := e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: p,
				Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_MICRO}})
			return err
		},
		"turnover": func(ctx context.Context) error {
			_, err := e.c.ReportTurnover(ctx, &memberv1.ReportTurnoverRequest{OrganizationId: p, Turnover: &memberv1.Turnover{Year: 2024, AmountCents: 1}})
			return err
		},
		"certification": func(ctx context.Context) error {
			_, err := e.c.AddCertification(ctx, &memberv1.AddCertificationRequest{OrganizationId: p,
				Certification: &memberv1.Certification{Kind: "ISO27001", IssueDate: "2024-01-01", ExpiryDate: "2027-01-01"}})
			return err
		},
	}
	for _, write := range writes {
		wantCode(t, write(mx), codes.PermissionDenied)
	}
	e.wantEvents(before)
	if _, err := e.c.ApproveMembership(mx, &memberv1.ApproveMembershipRequest{OrganizationId: p, ClusterId: x}); err != nil {
		t.Fatal(err)
	}
	for name, write := range writes {
		if err := write(mx); err != nil {
			t.Errorf("%s by the manager of an active member: %v", name, err)
		}
	}
}

// Every id of every member RPC is checked before anything builds a subject
// from it: NATS wildcards and tokens ("*", ">", ".") and anything else that is
// not a canonical UUID are InvalidArgument naming the field, even for an
// administrator, and nothing is appended (issue 10 §2: PUT
// /v1/organizations/*/profile answered 403 naming another organisation).
func TestPathIDsAreValidatedAtTheEdge(t *testing.T) {
	e := newEnv(t)
	x := e.cluster("Cluster X").GetId()
	a := e.register(73, "A S.L.").GetId()
	ctx := e.ctxAs(admin())
	before := e.events()
	type call struct {
		field string
		do    func(bad string) error
	}
	calls := map[string]call{
		"GetCluster": {"cluster_id", func(bad string) error {
			_, err := e.c.GetCluster(ctx, &memberv1.GetClusterRequest{ClusterId: bad})
			return err
		}},
		"GetOrganization": {"organization_id", func(bad string) error {
			_, err := e.c.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: bad})
			return err
		}},
		"ListOrganizations": {"cluster_id", func(bad string) error {
			_, err := e.c.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{ClusterId: bad})
			return err
		}},
		"UpdateOrganizationProfile": {"organization_id", func(bad string) error {
			_, err := e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: bad, Profile: &memberv1.OrganizationProfile{}})
			return err
		}},
		"AddCertification": {"organization_id", func(bad string) error {
			_, err := e.c.AddCertification(ctx, &memberv1.AddCertificationRequest{OrganizationId: bad})
			return err
		}},
		"ReplaceCertification": {"certification_id", func(bad string) error {
			_, err := e.c.ReplaceCertification(ctx, &memberv1.ReplaceCertificationRequest{OrganizationId: a, CertificationId: bad})
			return err
		}},
		"RemoveCertification": {"certification_id", func(bad string) error {
			_, err := e.c.RemoveCertification(ctx, &memberv1.RemoveCertificationRequest{OrganizationId: a, CertificationId: bad})
			return err
		}},
		"ReportTurnover": {"organization_id", func(bad string) error {
			_, err := e.c.ReportTurnover(ctx, &memberv1.ReportTurnoverRequest{OrganizationId: bad})
			return err
		}},
		"AddReference": {"organization_id", func(bad string) error {
			_, err := e.c.AddReference(ctx, &memberv1.AddReferenceRequest{OrganizationId: bad})
			return err
		}},
		"RemoveReference": {"reference_id", func(bad string) error {
			_, err := e.c.RemoveReference(ctx, &memberv1.RemoveReferenceRequest{OrganizationId: a, ReferenceId: bad})
			return err
		}},
		"RequestMembership": {"organization_id", func(bad string) error {
			_, err := e.c.RequestMembership(ctx, &memberv1.RequestMembershipRequest{OrganizationId: bad, ClusterId: x})
			return err
		}},
		"ApproveMembership": {"cluster_id", func(bad string) error {
			_, err := e.c.ApproveMembership(ctx, &memberv1.ApproveMembershipRequest{OrganizationId: a, ClusterId: bad})
			return err
		}},
		"SuspendMembership": {"organization_id", func(bad string) error {
			_, err := e.c.SuspendMembership(ctx, &memberv1.SuspendMembershipRequest{OrganizationId: bad, ClusterId: x, Reason: "x"})
			return err
		}},
		"CheckMembership": {"cluster_id", func(bad string) error {
			_, err := e.c.CheckMembership(ctx, &memberv1.CheckMembershipRequest{OrganizationId: a, ClusterId: bad})
			return err
		}},
	}
	for name, c := range calls {
		for _, bad := range []string{"*", ">", a + ".x", "member.>", "A" + a[1:]} {
			t.Run(name+"/"+bad, func(t *testing.T) {
				st := wantCode(t, c.do(bad), codes.InvalidArgument)
				if got := fieldViolations(t, st); !slices.Contains(got, c.field) {
					t.Errorf("violations %v do not name %s", got, c.field)
				}
			})
		}
	}
	e.wantEvents(before)
}
