package grpc_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/commission/internal/testenv"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// TestAuthorizationPerRPC calls every RPC of the commission service as every
// role on a commission convened by TERA (Alfa of TERA and Beta of GIRA sit on
// it, Delta of MarCa is invited, Omega of MarCa is outside it), and on one the
// agency convenes: allowed calls pass the check (they may still fail a rule),
// denied ones are PERMISSION_DENIED and append nothing, calls without a token
// are UNAUTHENTICATED.
func TestAuthorizationPerRPC(t *testing.T) {
	e := testenv.New(t)
	tera, gira, marca := e.Cluster("TERA"), e.Cluster("GIRA"), e.Cluster("MarCa")
	alfa, beta, delta, omega := e.Join("Alfa S.L.", tera), e.Join("Beta S.L.", gira), e.Join("Delta S.L.", marca), e.Join("Omega S.L.", marca)
	spare := e.Join("Spare S.L.", tera)
	tenderID := e.NewTender(tera, "Licitación", 100_000_00, gira)
	consortiumID := e.AwardedConsortium(tera, tenderID, 90_000_00, testenv.Member{Org: alfa, ShareBP: 5000}, testenv.Member{Org: beta, ShareBP: 5000})
	e.Wait("the commission service knows the consortium", func() bool {
		_, err := e.Commission.Service.Store().GetBid(context.Background(), consortiumID)
		return err == nil
	})

	mgr := e.Ctx(testenv.Manager(tera))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup %s: %v", what, err)
		}
	}
	k, err := e.Commissions.CreateCommission(mgr, &commissionv1.CreateCommissionRequest{Name: "Industria 4.0 TERA", Theme: "Industria 4.0", ConveningClusterId: tera})
	must("create", err)
	id := k.GetCommission().GetId()
	for _, org := range []string{alfa, beta} {
		_, err := e.Commissions.AddMember(mgr, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: org, JoinedDate: "2026-01-01"})
		must("add member", err)
	}
	_, err = e.Commissions.InviteMember(mgr, &commissionv1.InviteMemberRequest{CommissionId: id, OrganizationId: delta})
	must("invite", err)
	past, err := e.Commissions.ScheduleMeeting(mgr, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Constitución", Place: "Santander", StartTime: timestamppb.New(time.Now().Add(-time.Hour))})
	must("past meeting", err)
	future, err := e.Commissions.ScheduleMeeting(mgr, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Seguimiento", Place: "Torrelavega", StartTime: timestamppb.New(time.Now().AddDate(0, 1, 0))})
	must("future meeting", err)
	dec, err := e.Commissions.RecordDecision(mgr, &commissionv1.RecordDecisionRequest{CommissionId: id, MeetingId: past.GetMeetingId(), Text: "Plan", OwnerOrganizationId: alfa, DueDate: "2030-01-01"})
	must("decision", err)
	proj, err := e.Commissions.AddProject(mgr, &commissionv1.AddProjectRequest{CommissionId: id, Title: "Gemelo digital", PartnerOrganizationIds: []string{alfa}})
	must("project", err)
	ag, err := e.Commissions.CreateCommission(e.Ctx(testenv.Agency()), &commissionv1.CreateCommissionRequest{Name: "Educación", Theme: "Educación"})
	must("agency commission", err)
	agencyID := ag.GetCommission().GetId()

	roles := []struct {
		name   string
		claims *auth.Claims // nil: no token
	}{
		{"admin", &auth.Claims{Roles: []string{auth.RoleAdmin}}},
		{"agency", &auth.Claims{Roles: []string{auth.RoleAgency}}},
		{"convening manager", &auth.Claims{Roles: []string{auth.RoleClusterManager}, Clusters: []string{tera}}},
		{"sitting cluster's manager", &auth.Claims{Roles: []string{auth.RoleClusterManager}, Clusters: []string{gira}}},
		{"other cluster's manager", &auth.Claims{Roles: []string{auth.RoleClusterManager}, Clusters: []string{marca}}},
		{"member company", &auth.Claims{Roles: []string{auth.RoleCompany}, Organization: alfa}},
		{"invited company", &auth.Claims{Roles: []string{auth.RoleCompany}, Organization: delta}},
		{"company outside", &auth.Claims{Roles: []string{auth.RoleCompany}, Organization: omega}},
		{"anonymous", nil},
	}
	// Who may: the roles allowed per group of RPCs (the rest are denied).
	var (
		all      = []string{"admin", "agency", "convening manager", "sitting cluster's manager", "other cluster's manager", "member company", "invited company", "company outside"}
		readers  = []string{"admin", "agency", "convening manager", "sitting cluster's manager", "member company", "invited company"}
		managers = []string{"admin", "convening manager"}
		invitee  = []string{"admin", "invited company"}
		owner    = []string{"admin", "convening manager", "member company"}
		agencies = []string{"admin", "agency"}
		figures  = []string{"admin", "agency", "convening manager", "sitting cluster's manager", "other cluster's manager"}
	)
	meeting, decision, project := past.GetMeetingId(), dec.GetDecisionId(), proj.GetProjectId()
	c := e.Commissions
	type call func(ctx context.Context) error
	rpcs := []struct {
		rpc     string
		allowed []string
		call    call
	}{
		{"GetCommission", readers, func(ctx context.Context) error {
			_, err := c.GetCommission(ctx, &commissionv1.GetCommissionRequest{CommissionId: id})
			return err
		}},
		{"GetAuditTrail", readers, func(ctx context.Context) error {
			_, err := c.GetAuditTrail(ctx, &commissionv1.GetAuditTrailRequest{CommissionId: id})
			return err
		}},
		{"ListCommissions", all, func(ctx context.Context) error {
			_, err := c.ListCommissions(ctx, &commissionv1.ListCommissionsRequest{})
			return err
		}},
		{"ExportCommissions", all, func(ctx context.Context) error {
			_, err := c.ExportCommissions(ctx, &commissionv1.ExportCommissionsRequest{Format: commissionv1.ExportFormat_EXPORT_FORMAT_CSV})
			return err
		}},
		{"GetCrossClusterReport", figures, func(ctx context.Context) error {
			_, err := c.GetCrossClusterReport(ctx, &commissionv1.GetCrossClusterReportRequest{})
			return err
		}},
		{"ExportCrossClusterReport", figures, func(ctx context.Context) error {
			_, err := c.ExportCrossClusterReport(ctx, &commissionv1.ExportCrossClusterReportRequest{Format: commissionv1.ExportFormat_EXPORT_FORMAT_XLSX})
			return err
		}},
		{"CreateCommission (TERA)", managers, func(ctx context.Context) error {
			_, err := c.CreateCommission(ctx, &commissionv1.CreateCommissionRequest{Name: "Nueva", Theme: "x", ConveningClusterId: tera})
			return err
		}},
		{"CreateCommission (agency)", agencies, func(ctx context.Context) error {
			_, err := c.CreateCommission(ctx, &commissionv1.CreateCommissionRequest{Name: "Nueva", Theme: "x"})
			return err
		}},
		{"UpdateCommission (agency-convened)", agencies, func(ctx context.Context) error {
			_, err := c.UpdateCommission(ctx, &commissionv1.UpdateCommissionRequest{CommissionId: agencyID, Name: "Educación digital", Theme: "Educación"})
			return err
		}},
		{"UpdateCommission", managers, func(ctx context.Context) error {
			_, err := c.UpdateCommission(ctx, &commissionv1.UpdateCommissionRequest{CommissionId: id, Name: "Industria 4.0 TERA", Theme: "Industria 4.0"})
			return err
		}},
		{"AddMember", managers, func(ctx context.Context) error {
			_, err := c.AddMember(ctx, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: spare})
			return err
		}},
		{"ChangeMemberRole", managers, func(ctx context.Context) error {
			_, err := c.ChangeMemberRole(ctx, &commissionv1.ChangeMemberRoleRequest{CommissionId: id, OrganizationId: spare, Role: commissionv1.MemberRole_MEMBER_ROLE_SECRETARY})
			return err
		}},
		{"RemoveMember", managers, func(ctx context.Context) error {
			_, err := c.RemoveMember(ctx, &commissionv1.RemoveMemberRequest{CommissionId: id, OrganizationId: spare})
			return err
		}},
		{"InviteMember", managers, func(ctx context.Context) error {
			_, err := c.InviteMember(ctx, &commissionv1.InviteMemberRequest{CommissionId: id, OrganizationId: omega})
			return err
		}},
		{"DeclineInvitation", []string{"admin", "company outside"}, func(ctx context.Context) error {
			_, err := c.DeclineInvitation(ctx, &commissionv1.DeclineInvitationRequest{CommissionId: id, OrganizationId: omega})
			return err
		}},
		{"AcceptInvitation", invitee, func(ctx context.Context) error {
			_, err := c.AcceptInvitation(ctx, &commissionv1.AcceptInvitationRequest{CommissionId: id, OrganizationId: delta})
			return err
		}},
		{"ScheduleMeeting", managers, func(ctx context.Context) error {
			_, err := c.ScheduleMeeting(ctx, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Otra", Link: "https://meet.example/x", StartTime: timestamppb.New(time.Now().AddDate(0, 2, 0))})
			return err
		}},
		{"RecordAttendance", managers, func(ctx context.Context) error {
			_, err := c.RecordAttendance(ctx, &commissionv1.RecordAttendanceRequest{CommissionId: id, MeetingId: meeting, Attendance: []*commissionv1.Attendance{{OrganizationId: alfa, Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}}})
			return err
		}},
		{"RecordMinutes", managers, func(ctx context.Context) error {
			_, err := c.RecordMinutes(ctx, &commissionv1.RecordMinutesRequest{CommissionId: id, MeetingId: meeting, Minutes: "Acta"})
			return err
		}},
		{"RecordDecision", managers, func(ctx context.Context) error {
			_, err := c.RecordDecision(ctx, &commissionv1.RecordDecisionRequest{CommissionId: id, MeetingId: meeting, Text: "Otro", OwnerOrganizationId: beta, DueDate: "2030-02-01"})
			return err
		}},
		{"CompleteDecision", owner, func(ctx context.Context) error {
			_, err := c.CompleteDecision(ctx, &commissionv1.CompleteDecisionRequest{CommissionId: id, DecisionId: decision})
			return err
		}},
		{"CancelMeeting", managers, func(ctx context.Context) error {
			_, err := c.CancelMeeting(ctx, &commissionv1.CancelMeetingRequest{CommissionId: id, MeetingId: future.GetMeetingId(), Reason: "festivo"})
			return err
		}},
		{"AddProject", managers, func(ctx context.Context) error {
			_, err := c.AddProject(ctx, &commissionv1.AddProjectRequest{CommissionId: id, Title: "Otro", PartnerOrganizationIds: []string{beta}})
			return err
		}},
		{"ChangeProjectStatus", managers, func(ctx context.Context) error {
			_, err := c.ChangeProjectStatus(ctx, &commissionv1.ChangeProjectStatusRequest{CommissionId: id, ProjectId: project, Status: commissionv1.ProjectStatus_PROJECT_STATUS_ACTIVE})
			return err
		}},
		{"LinkTender", managers, func(ctx context.Context) error {
			_, err := c.LinkTender(ctx, &commissionv1.LinkTenderRequest{CommissionId: id, TenderId: tenderID})
			return err
		}},
		{"UnlinkTender", managers, func(ctx context.Context) error {
			_, err := c.UnlinkTender(ctx, &commissionv1.UnlinkTenderRequest{CommissionId: id, TenderId: tenderID})
			return err
		}},
		{"LinkConsortium", managers, func(ctx context.Context) error {
			_, err := c.LinkConsortium(ctx, &commissionv1.LinkConsortiumRequest{CommissionId: id, ConsortiumId: consortiumID})
			return err
		}},
		{"UnlinkConsortium", managers, func(ctx context.Context) error {
			_, err := c.UnlinkConsortium(ctx, &commissionv1.UnlinkConsortiumRequest{CommissionId: id, ConsortiumId: consortiumID})
			return err
		}},
		{"CloseCommission", managers, func(ctx context.Context) error {
			_, err := c.CloseCommission(ctx, &commissionv1.CloseCommissionRequest{CommissionId: id, Reason: "fin"})
			return err
		}},
	}
	ctxOf := func(claims *auth.Claims) context.Context {
		if claims == nil {
			return t.Context()
		}
		return e.Ctx(*claims)
	}
	// The service has one implementation per RPC of its descriptor: the table covers them all.
	covered := map[string]bool{}
	for _, r := range rpcs {
		name, _, _ := strings.Cut(r.rpc, " ")
		covered[name] = true
	}
	methods := commissionv1.File_consortia_commission_v1_commission_service_proto.Services().Get(0).Methods()
	for i := range methods.Len() {
		if name := string(methods.Get(i).Name()); !covered[name] {
			t.Errorf("RPC %s is not in the authorisation table", name)
		}
	}

	// Denied calls first: they must change nothing.
	before := e.StreamMessages(commission.Stream)
	for _, r := range rpcs {
		for _, role := range roles {
			if role.claims != nil && slices.Contains(r.allowed, role.name) {
				continue
			}
			want := codes.PermissionDenied
			if role.claims == nil {
				want = codes.Unauthenticated
			}
			if got := status.Code(r.call(ctxOf(role.claims))); got != want {
				t.Errorf("%s as %s: %v, want %v", r.rpc, role.name, got, want)
			}
		}
	}
	if after := e.StreamMessages(commission.Stream); after != before {
		t.Errorf("denied calls appended %d events", after-before)
	}

	// Object-level visibility of lists: only the readers see the commission.
	for _, role := range roles[:len(roles)-1] {
		res, err := c.ListCommissions(ctxOf(role.claims), &commissionv1.ListCommissionsRequest{})
		if err != nil {
			t.Fatalf("ListCommissions as %s: %v", role.name, err)
		}
		sees := slices.ContainsFunc(res.GetCommissions(), func(s *commissionv1.CommissionSummary) bool { return s.GetId() == id })
		if sees != slices.Contains(readers, role.name) {
			t.Errorf("ListCommissions as %s: sees the commission %v", role.name, sees)
		}
	}

	// Allowed calls pass the check; a rule may still refuse them (the admin went first).
	for _, r := range rpcs {
		for _, role := range roles {
			if role.claims == nil || !slices.Contains(r.allowed, role.name) {
				continue
			}
			switch got := status.Code(r.call(ctxOf(role.claims))); got {
			case codes.OK, codes.FailedPrecondition, codes.AlreadyExists:
			default:
				t.Errorf("%s as %s: %v, want it allowed", r.rpc, role.name, got)
			}
		}
	}
}
