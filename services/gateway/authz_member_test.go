package gateway_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// memberAuthz is the member service's authorisation table (see authz_test.go
// for the notation). Organisation profiles are visible to the organisation,
// fellow active members of its clusters, the managers of those clusters,
// agency staff and administrators; written by the organisation, the manager of
// a cluster it is an active member of, and administrators; only the
// organisation itself asks to join a cluster.
var memberAuthz = authzTable{
	Service: "consortia.member.v1.MemberService",
	Addr:    func(s *stack) string { return s.Member.Addr() },
	Rows: []authzRow{
		//                                 anon coA coB mgrX mgrY agency admin
		{RPC: "CreateCluster", Want: ".. .. .. .. .. AA AA", Request: func(f *fixture, _ side, _ bool) proto.Message {
			return &memberv1.CreateClusterRequest{Name: fmt.Sprintf("Authz new cluster %d", f.seq()), RegionNuts: "ES130"}
		}},
		{RPC: "GetCluster", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.GetClusterRequest{ClusterId: f.cluster[s]}
		}},
		{RPC: "ListClusters", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &memberv1.ListClustersRequest{}
		}},
		// A company user registers only its own organisation (these already have one).
		{RPC: "RegisterOrganization", Want: ".. .. .. AA AA AA AA", Request: func(f *fixture, _ side, _ bool) proto.Message {
			return &memberv1.RegisterOrganizationRequest{
				Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: fmt.Sprintf("Authz registered %d S.L.", f.seq()), TaxId: f.cif(),
				Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_MICRO},
			}
		}},
		{RPC: "GetOrganization", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.GetOrganizationRequest{OrganizationId: f.lead[s]}
		}},
		// Lists are filtered to what the caller may see, never refused.
		{RPC: "ListOrganizations", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.ListOrganizationsRequest{ClusterId: f.cluster[s]}
		}},
		{RPC: "UpdateOrganizationProfile", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.UpdateOrganizationProfileRequest{OrganizationId: f.lead[s], Profile: &memberv1.OrganizationProfile{
				SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Capabilities: []string{"software-development"}, CpvInterests: []string{"72000000"}}}
		}},
		{RPC: "AddCertification", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.AddCertificationRequest{OrganizationId: f.lead[s],
				Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}}
		}},
		{RPC: "ReplaceCertification", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.ReplaceCertificationRequest{OrganizationId: f.lead[s], CertificationId: f.cert[s],
				Certification: &memberv1.Certification{Kind: "ISO27001", IssueDate: "2025-01-01", ExpiryDate: "2029-01-01"}}
		}},
		{RPC: "RemoveCertification", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.cert[s]
			if fresh {
				id = f.freshCert(s)
			}
			return &memberv1.RemoveCertificationRequest{OrganizationId: f.lead[s], CertificationId: id}
		}},
		{RPC: "ReportTurnover", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.ReportTurnoverRequest{OrganizationId: f.lead[s], Turnover: &memberv1.Turnover{Year: int32(f.s.Year - 2), AmountCents: 800_000_00}}
		}},
		{RPC: "AddReference", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.AddReferenceRequest{OrganizationId: f.lead[s],
				Reference: &memberv1.Reference{Buyer: "Gobierno de Cantabria", Title: "Sede", Cpv: "72212000", AmountCents: 30_000_00, Year: int32(f.s.Year - 1)}}
		}},
		{RPC: "RemoveReference", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.ref[s]
			if fresh {
				id = f.freshRef(s)
			}
			return &memberv1.RemoveReferenceRequest{OrganizationId: f.lead[s], ReferenceId: id}
		}},
		// The organisation asks to join (a fresh cluster); no manager enrols it.
		{RPC: "RequestMembership", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			cluster := f.cluster[s.other()]
			if fresh {
				cluster = f.freshCluster()
			}
			return &memberv1.RequestMembershipRequest{OrganizationId: f.lead[s], ClusterId: cluster}
		}},
		// A fresh applicant of side s's cluster.
		{RPC: "ApproveMembership", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			org := f.second[s]
			if fresh {
				org = f.company(f.cluster[s], memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED)
			}
			return &memberv1.ApproveMembershipRequest{OrganizationId: org, ClusterId: f.cluster[s]}
		}},
		{RPC: "SuspendMembership", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			org := f.second[s]
			if fresh {
				org = f.company(f.cluster[s], memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE)
			}
			return &memberv1.SuspendMembershipRequest{OrganizationId: org, ClusterId: f.cluster[s], Reason: "authorisation table"}
		}},
		// Other services ask it with the caller's token (is this company active?).
		{RPC: "CheckMembership", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &memberv1.CheckMembershipRequest{OrganizationId: f.lead[s], ClusterId: f.cluster[s]}
		}},
		{RPC: "ListCapabilities", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &memberv1.ListCapabilitiesRequest{}
		}},
	},
}
