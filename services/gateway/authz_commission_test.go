package gateway_test

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// commissionAuthz is the commission service's authorisation table (see
// authz_test.go for the notation). Side s's commission is convened by cluster
// s, with the first company of s sitting on it. A commission is read by its
// members, the invited, the managers of the convening and sitting clusters,
// agency staff and administrators; managed by the convening cluster's manager
// (agency staff for the commissions they convene) and administrators; an
// invitation is answered by the invited organisation; a decision completed by
// its owner. Lists are filtered, never refused; the cross-cluster figures are
// for agency staff and administrators, and for a manager those of their own
// clusters.
var commissionAuthz = authzTable{
	Service: "consortia.commission.v1.CommissionService",
	Addr:    func(s *stack) string { return s.Commission.Addr() },
	Setup:   commissionSetup,
	Rows: []authzRow{
		//                                        anon coA coB mgrX mgrY agency admin
		{RPC: "CreateCommission", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.CreateCommissionRequest{Name: fmt.Sprintf("Authz commission %d", f.seq()), Theme: "Salud digital", ConveningClusterId: f.cluster[s]}
		}},
		{RPC: "UpdateCommission", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.UpdateCommissionRequest{CommissionId: f.obj("commission", s), Name: fmt.Sprintf("Authz commission %d", f.seq()), Theme: "Salud digital"}
		}},
		{RPC: "CloseCommission", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.obj("commission", s)
			if fresh {
				id = f.freshCommission(s)
			}
			return &commissionv1.CloseCommissionRequest{CommissionId: id, Reason: "authorisation table"}
		}},
		{RPC: "GetCommission", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.GetCommissionRequest{CommissionId: f.obj("commission", s)}
		}},
		{RPC: "ListCommissions", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ListCommissionsRequest{ClusterId: f.cluster[s]}
		}},
		{RPC: "AddMember", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.AddMemberRequest{CommissionId: f.obj("commission", s), OrganizationId: f.third[s], JoinedDate: time.Now().Format(time.DateOnly)}
		}},
		{RPC: "InviteMember", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.InviteMemberRequest{CommissionId: f.obj("commission", s), OrganizationId: f.second[s]}
		}},
		// The invited organisation (side s's first company, on a fresh commission) answers.
		{RPC: "AcceptInvitation", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.obj("commission", s)
			if fresh {
				id = f.freshInvitation(s)
			}
			return &commissionv1.AcceptInvitationRequest{CommissionId: id, OrganizationId: f.lead[s]}
		}},
		{RPC: "DeclineInvitation", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.obj("commission", s)
			if fresh {
				id = f.freshInvitation(s)
			}
			return &commissionv1.DeclineInvitationRequest{CommissionId: id, OrganizationId: f.lead[s], Reason: "authorisation table"}
		}},
		{RPC: "ChangeMemberRole", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ChangeMemberRoleRequest{CommissionId: f.obj("commission", s), OrganizationId: f.third[s], Role: commissionv1.MemberRole_MEMBER_ROLE_SECRETARY}
		}},
		{RPC: "RemoveMember", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.RemoveMemberRequest{CommissionId: f.obj("commission", s), OrganizationId: f.third[s]}
		}},
		{RPC: "ScheduleMeeting", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ScheduleMeetingRequest{CommissionId: f.obj("commission", s), Title: "Seguimiento", Place: "Santander",
				StartTime: timestamppb.New(time.Now().AddDate(0, 2, int(f.seq())).Truncate(time.Second))}
		}},
		{RPC: "CancelMeeting", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.CancelMeetingRequest{CommissionId: f.obj("commission", s), MeetingId: f.obj("future meeting", s), Reason: "festivo"}
		}},
		{RPC: "RecordAttendance", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.RecordAttendanceRequest{CommissionId: f.obj("commission", s), MeetingId: f.obj("meeting", s),
				Attendance: []*commissionv1.Attendance{{OrganizationId: f.lead[s], Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}}}
		}},
		{RPC: "RecordMinutes", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.RecordMinutesRequest{CommissionId: f.obj("commission", s), MeetingId: f.obj("meeting", s), Minutes: "Acta de la reunión"}
		}},
		{RPC: "RecordDecision", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.RecordDecisionRequest{CommissionId: f.obj("commission", s), MeetingId: f.obj("meeting", s), Text: "Plan de trabajo",
				OwnerOrganizationId: f.lead[s], DueDate: "2030-01-01"}
		}},
		// The decision's owner (side s's first company) completes it too.
		{RPC: "CompleteDecision", Want: ".. A. A. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.CompleteDecisionRequest{CommissionId: f.obj("commission", s), DecisionId: f.obj("decision", s)}
		}},
		{RPC: "AddProject", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.AddProjectRequest{CommissionId: f.obj("commission", s), Title: "Gemelo digital", PartnerOrganizationIds: []string{f.lead[s]}}
		}},
		{RPC: "ChangeProjectStatus", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ChangeProjectStatusRequest{CommissionId: f.obj("commission", s), ProjectId: f.obj("project", s), Status: commissionv1.ProjectStatus_PROJECT_STATUS_ACTIVE}
		}},
		{RPC: "LinkTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.LinkTenderRequest{CommissionId: f.obj("commission", s), TenderId: f.tender[s]}
		}},
		{RPC: "UnlinkTender", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.UnlinkTenderRequest{CommissionId: f.obj("commission", s), TenderId: f.tender[s]}
		}},
		{RPC: "LinkConsortium", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.LinkConsortiumRequest{CommissionId: f.obj("commission", s), ConsortiumId: f.consortium[s]}
		}},
		{RPC: "UnlinkConsortium", Want: ".. .. .. A. A. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.UnlinkConsortiumRequest{CommissionId: f.obj("commission", s), ConsortiumId: f.consortium[s]}
		}},
		{RPC: "GetAuditTrail", Want: ".. A. A. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.GetAuditTrailRequest{CommissionId: f.obj("commission", s)}
		}},
		{RPC: "GetCrossClusterReport", Want: ".. .. .. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.GetCrossClusterReportRequest{ClusterIds: []string{f.cluster[s]}}
		}},
		{RPC: "ExportCrossClusterReport", Want: ".. .. .. A. A. AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ExportCrossClusterReportRequest{ClusterIds: []string{f.cluster[s]}, Format: commissionv1.ExportFormat_EXPORT_FORMAT_CSV}
		}},
		{RPC: "ExportCommissions", Want: ".. AA AA AA AA AA AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &commissionv1.ExportCommissionsRequest{ClusterId: f.cluster[s], Format: commissionv1.ExportFormat_EXPORT_FORMAT_CSV}
		}},
	},
}

// commissions is the commission service's client, as an administrator.
func (f *fixture) commissions() commissionv1.CommissionServiceClient {
	return commissionv1.NewCommissionServiceClient(f.dial(f.s.Commission.Addr()))
}

// freshCommission is a commission convened by side s's cluster with its first
// company sitting on it. The commission service learns clusters, organisations,
// tenders and consortia from the other services' events: the first call waits
// for them.
func (f *fixture) freshCommission(s side) string {
	f.t.Helper()
	c := f.commissions()
	res := check(c.CreateCommission(f.admin, &commissionv1.CreateCommissionRequest{Name: fmt.Sprintf("Authz commission %d", f.seq()),
		Theme: "Industria 4.0", ConveningClusterId: f.cluster[s]})).or(f, "commission")
	id := res.GetCommission().GetId()
	check(c.AddMember(f.admin, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: f.lead[s], JoinedDate: time.Now().Format(time.DateOnly)})).or(f, "member")
	return id
}

// freshInvitation is a commission of side s's cluster to which its first company is invited.
func (f *fixture) freshInvitation(s side) string {
	f.t.Helper()
	c := f.commissions()
	res := check(c.CreateCommission(f.admin, &commissionv1.CreateCommissionRequest{Name: fmt.Sprintf("Authz invitation %d", f.seq()),
		Theme: "Educación", ConveningClusterId: f.cluster[s]})).or(f, "commission")
	id := res.GetCommission().GetId()
	check(c.InviteMember(f.admin, &commissionv1.InviteMemberRequest{CommissionId: id, OrganizationId: f.lead[s]})).or(f, "invitation")
	return id
}

// commissionSetup gives each side a commission (its first company sitting on
// it, its third a member too), a past meeting with a decision owned by the
// first company, a future meeting and a project.
func commissionSetup(f *fixture) {
	f.t.Helper()
	st := f.s.Commission.Service.Store()
	known := func(what string, get func() error) {
		f.eventually("the commission service knows "+what, func() bool {
			err := get()
			if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
				f.t.Fatalf("fixture: %s: %v", what, err)
			}
			return err == nil
		})
	}
	ctx := f.t.Context()
	c := f.commissions()
	for _, s := range []side{sideX, sideY} {
		known("cluster "+f.cluster[s], func() error { _, err := st.GetCluster(ctx, f.cluster[s]); return err })
		for _, org := range []string{f.lead[s], f.second[s], f.third[s]} {
			known("organisation "+org, func() error { _, err := st.GetOrganization(ctx, org); return err })
		}
		known("tender "+f.tender[s], func() error { _, err := st.GetTender(ctx, f.tender[s]); return err })
		known("consortium "+f.consortium[s], func() error { _, err := st.GetBid(ctx, f.consortium[s]); return err })
		id := f.freshCommission(s)
		f.set("commission", s, id)
		check(c.AddMember(f.admin, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: f.third[s], JoinedDate: time.Now().Format(time.DateOnly)})).or(f, "member")
		past := check(c.ScheduleMeeting(f.admin, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Constitución", Place: "Santander",
			StartTime: timestamppb.New(time.Now().Add(-time.Hour).Truncate(time.Second))})).or(f, "past meeting")
		f.set("meeting", s, past.GetMeetingId())
		future := check(c.ScheduleMeeting(f.admin, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Seguimiento", Place: "Torrelavega",
			StartTime: timestamppb.New(time.Now().AddDate(0, 1, 0).Truncate(time.Second))})).or(f, "future meeting")
		f.set("future meeting", s, future.GetMeetingId())
		dec := check(c.RecordDecision(f.admin, &commissionv1.RecordDecisionRequest{CommissionId: id, MeetingId: past.GetMeetingId(), Text: "Plan",
			OwnerOrganizationId: f.lead[s], DueDate: "2030-01-01"})).or(f, "decision")
		f.set("decision", s, dec.GetDecisionId())
		proj := check(c.AddProject(f.admin, &commissionv1.AddProjectRequest{CommissionId: id, Title: "Gemelo digital", PartnerOrganizationIds: []string{f.lead[s]}})).or(f, "project")
		f.set("project", s, proj.GetProjectId())
	}
}
