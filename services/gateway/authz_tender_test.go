package gateway_test

import (
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// tenderAuthz is the tender service's authorisation table (see authz_test.go
// for the notation). Tenders are public information; the manager of the
// owning cluster (and administrators) manage them; a consortium is visible to
// its members, the managers of the tender's clusters and agency staff, and
// led by its lead company or those managers; a company answers only for
// itself; an eligibility check takes only organisations the caller may see;
// recommendations are for the managers, agency staff and administrators.
var tenderAuthz = authzTable{
	Service: "consortia.tender.v1.TenderService",
	Addr:    func(s *stack) string { return s.Tender.Addr() },
	Rows: []authzRow{
		//                                   anon coA coB mgrX mgrY agency admin
		{RPC: "CreateTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.CreateTenderRequest{ClusterId: f.cluster[s], Details: f.tenderDetails()}
		}},
		{RPC: "GetTender", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.GetTenderRequest{TenderId: f.tender[s]}
		}},
		{RPC: "ListTenders", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.ListTendersRequest{ClusterId: f.cluster[s], PageSize: 5}
		}},
		{RPC: "PublishTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, false)
			}
			return &tenderv1.PublishTenderRequest{TenderId: id}
		}},
		{RPC: "ShareTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, true)
			}
			return &tenderv1.ShareTenderRequest{TenderId: id, ClusterIds: []string{f.cluster[s.other()]}}
		}},
		{RPC: "ChangeDeadline", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.ChangeDeadlineRequest{TenderId: f.tender[s], Reason: "authorisation table",
				Deadline: timestamppb.New(time.Now().AddDate(0, 7, int(f.seq())).Truncate(time.Second))}
		}},
		{RPC: "AwardTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, true)
			}
			return &tenderv1.AwardTenderRequest{TenderId: id, Award: &tenderv1.Award{WinnerName: "Otra S.L.", AmountCents: 250_000_00}}
		}},
		{RPC: "CancelTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, true)
			}
			return &tenderv1.CancelTenderRequest{TenderId: id, Reason: "authorisation table"}
		}},
		{RPC: "CloseTenderUnsuccessful", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, true)
			}
			return &tenderv1.CloseTenderUnsuccessfulRequest{TenderId: id, Reason: "authorisation table"}
		}},
		{RPC: "ImportTenders", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			rec := []intake.Tender{{Source: intake.SourcePLACSP, SourceID: fmt.Sprintf("authz-%d", f.seq()), Updated: time.Now().UTC().Truncate(time.Second),
				Status: intake.StatusActive, Title: "Importada", Authority: intake.Authority{Name: "Ayuntamiento de Santander"},
				ContractType: intake.ContractServices, CPVs: []string{"72212000"}, EstimatedValueCents: 100_000_00}}
			doc, err := json.Marshal(rec)
			if err != nil {
				f.t.Fatal(err)
			}
			return &tenderv1.ImportTendersRequest{ClusterId: f.cluster[s], Format: "intake-json", Content: doc}
		}},
		{RPC: "ListAwards", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.ListAwardsRequest{TenderId: f.tender[s]}
		}},
		// The lead company forms its own bid (on a fresh tender: it takes the seat).
		{RPC: "CreateConsortium", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.tender[s]
			if fresh {
				id = f.freshTender(s, true)
			}
			return &tenderv1.CreateConsortiumRequest{TenderId: id, Members: []*tenderv1.DraftMember{{OrganizationId: f.lead[s], Lead: true}}}
		}},
		{RPC: "GetConsortium", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.GetConsortiumRequest{ConsortiumId: f.consortium[s]}
		}},
		// Filtered to what the caller may see, never refused.
		{RPC: "ListConsortia", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.ListConsortiaRequest{TenderId: f.tender[s]}
		}},
		// The lead (side s's first company) invites a third active member.
		{RPC: "InviteMember", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.InviteMemberRequest{ConsortiumId: id, OrganizationId: f.third[s]}
		}},
		// Only the invited company answers for itself (on a fresh tender: accepting takes the seat).
		{RPC: "AcceptInvitation", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.freshTender(s, true))
			}
			return &tenderv1.AcceptInvitationRequest{ConsortiumId: id, OrganizationId: f.lead[s]}
		}},
		{RPC: "DeclineInvitation", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.DeclineInvitationRequest{ConsortiumId: id, OrganizationId: f.lead[s], Reason: "authorisation table"}
		}},
		{RPC: "WithdrawMember", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.WithdrawMemberRequest{ConsortiumId: id, OrganizationId: f.lead[s], Reason: "authorisation table"}
		}},
		{RPC: "SetShare", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.SetShareRequest{ConsortiumId: id, OrganizationId: f.lead[s], ShareBp: 6000}
		}},
		{RPC: "AssignRoles", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.AssignRolesRequest{ConsortiumId: id, OrganizationId: f.lead[s], Covers: []string{"software-development"}}
		}},
		{RPC: "ChangeLead", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.ChangeLeadRequest{ConsortiumId: id, OrganizationId: f.second[s]}
		}},
		{RPC: "SubmitConsortium", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.SubmitConsortiumRequest{ConsortiumId: id}
		}},
		{RPC: "DissolveConsortium", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.consortium[s]
			if fresh {
				id = f.freshConsortium(s, f.spare[s])
			}
			return &tenderv1.DissolveConsortiumRequest{ConsortiumId: id, Reason: "authorisation table"}
		}},
		// Side s's companies: fellow members for A and X's manager, not for the others.
		{RPC: "CheckEligibility", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.CheckEligibilityRequest{TenderId: f.tender[s], Members: []*tenderv1.DraftMember{{OrganizationId: f.lead[s], Lead: true}, {OrganizationId: f.second[s]}}}
		}},
		{RPC: "RecommendConsortia", Want: ".. .. .. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.RecommendConsortiaRequest{TenderId: f.tender[s], TopK: 3}
		}},
		{RPC: "GetAuditTrail", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &tenderv1.GetAuditTrailRequest{Aggregate: "consortium", Id: f.consortium[s]}
		}},
	},
}
