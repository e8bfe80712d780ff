// Package grpc exposes the commission service over gRPC: it checks the ids of
// each request, translates it to an application call and the result back.
// Errors go through grpcserver.Status in the server's interceptor, the one
// place codes are chosen.
package grpc

import (
	"context"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/commission/app"
	"github.com/consortia-dev/consortia/services/commission/convert"
	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/export"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

// Server implements commissionv1.CommissionServiceServer.
type Server struct {
	commissionv1.UnimplementedCommissionServiceServer
	svc *app.Service
}

// NewServer returns the gRPC adapter for svc.
func NewServer(svc *app.Service) *Server { return &Server{svc: svc} }

var _ commissionv1.CommissionServiceServer = (*Server)(nil)

var (
	key        = grpcserver.IdempotencyKey
	id         = grpcserver.ID
	optionalID = grpcserver.OptionalID
)

// commission converts a commission with the names from the projections.
func (s *Server) commission(ctx context.Context) func(domain.Commission, error) (*commissionv1.Commission, error) {
	return func(c domain.Commission, err error) (*commissionv1.Commission, error) {
		if err != nil {
			return nil, err
		}
		n, err := s.svc.Names(ctx)
		if err != nil {
			return nil, err
		}
		return convert.Commission(c, n), nil
	}
}

// CreateCommission implements the RPC.
func (s *Server) CreateCommission(ctx context.Context, r *commissionv1.CreateCommissionRequest) (*commissionv1.CreateCommissionResponse, error) {
	if err := grpcserver.CheckIDs(optionalID("convening_cluster_id", r.GetConveningClusterId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.CreateCommission(ctx, domain.Details{Name: r.GetName(), Theme: r.GetTheme(), Description: r.GetDescription()},
		r.GetConveningClusterId(), r.GetDemo(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.CreateCommissionResponse{Commission: c}, nil
}

// UpdateCommission implements the RPC.
func (s *Server) UpdateCommission(ctx context.Context, r *commissionv1.UpdateCommissionRequest) (*commissionv1.UpdateCommissionResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.UpdateCommission(ctx, r.GetCommissionId(), domain.Details{Name: r.GetName(), Theme: r.GetTheme(), Description: r.GetDescription()},
		r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.UpdateCommissionResponse{Commission: c}, nil
}

// CloseCommission implements the RPC.
func (s *Server) CloseCommission(ctx context.Context, r *commissionv1.CloseCommissionRequest) (*commissionv1.CloseCommissionResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.CloseCommission(ctx, r.GetCommissionId(), r.GetReason(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.CloseCommissionResponse{Commission: c}, nil
}

// GetCommission implements the RPC.
func (s *Server) GetCommission(ctx context.Context, r *commissionv1.GetCommissionRequest) (*commissionv1.GetCommissionResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.GetCommission(ctx, r.GetCommissionId()))
	if err != nil {
		return nil, err
	}
	return &commissionv1.GetCommissionResponse{Commission: c}, nil
}

func listQuery(query, clusterID string, status commissionv1.CommissionStatus, orgID string, agency bool, size int32, token string) app.ListQuery {
	return app.ListQuery{ClusterID: clusterID, Filter: store.Filter{
		Query: query, Status: domain.Status(status), MemberOrg: orgID, AgencyConvened: agency, PageSize: int(size), PageToken: token,
	}}
}

// ListCommissions implements the RPC.
func (s *Server) ListCommissions(ctx context.Context, r *commissionv1.ListCommissionsRequest) (*commissionv1.ListCommissionsResponse, error) {
	if err := grpcserver.CheckIDs(optionalID("cluster_id", r.GetClusterId()), optionalID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	cs, next, err := s.svc.ListCommissions(ctx, listQuery(r.GetQuery(), r.GetClusterId(), r.GetStatus(), r.GetOrganizationId(), r.GetAgencyConvened(), r.GetPageSize(), r.GetPageToken()))
	if err != nil {
		return nil, err
	}
	n, err := s.svc.Names(ctx)
	if err != nil {
		return nil, err
	}
	out := &commissionv1.ListCommissionsResponse{NextPageToken: next}
	now := s.svc.Now()
	for _, c := range cs {
		out.Commissions = append(out.Commissions, convert.Summary(c, n, now))
	}
	return out, nil
}

// AddMember implements the RPC.
func (s *Server) AddMember(ctx context.Context, r *commissionv1.AddMemberRequest) (*commissionv1.AddMemberResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.AddMember(ctx, r.GetCommissionId(), r.GetOrganizationId(), domain.Role(r.GetRole()), r.GetJoinedDate(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.AddMemberResponse{Commission: c}, nil
}

// InviteMember implements the RPC.
func (s *Server) InviteMember(ctx context.Context, r *commissionv1.InviteMemberRequest) (*commissionv1.InviteMemberResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.InviteMember(ctx, r.GetCommissionId(), r.GetOrganizationId(), domain.Role(r.GetRole()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.InviteMemberResponse{Commission: c}, nil
}

// AcceptInvitation implements the RPC.
func (s *Server) AcceptInvitation(ctx context.Context, r *commissionv1.AcceptInvitationRequest) (*commissionv1.AcceptInvitationResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.AcceptInvitation(ctx, r.GetCommissionId(), r.GetOrganizationId(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.AcceptInvitationResponse{Commission: c}, nil
}

// DeclineInvitation implements the RPC.
func (s *Server) DeclineInvitation(ctx context.Context, r *commissionv1.DeclineInvitationRequest) (*commissionv1.DeclineInvitationResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.DeclineInvitation(ctx, r.GetCommissionId(), r.GetOrganizationId(), r.GetReason(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.DeclineInvitationResponse{Commission: c}, nil
}

// ChangeMemberRole implements the RPC.
func (s *Server) ChangeMemberRole(ctx context.Context, r *commissionv1.ChangeMemberRoleRequest) (*commissionv1.ChangeMemberRoleResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.ChangeMemberRole(ctx, r.GetCommissionId(), r.GetOrganizationId(), domain.Role(r.GetRole()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.ChangeMemberRoleResponse{Commission: c}, nil
}

// RemoveMember implements the RPC.
func (s *Server) RemoveMember(ctx context.Context, r *commissionv1.RemoveMemberRequest) (*commissionv1.RemoveMemberResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.RemoveMember(ctx, r.GetCommissionId(), r.GetOrganizationId(), r.GetLeftDate(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.RemoveMemberResponse{Commission: c}, nil
}

// ScheduleMeeting implements the RPC.
func (s *Server) ScheduleMeeting(ctx context.Context, r *commissionv1.ScheduleMeetingRequest) (*commissionv1.ScheduleMeetingResponse, error) {
	ids := []grpcserver.IDField{id("commission_id", r.GetCommissionId())}
	for i, a := range r.GetAgenda() {
		ids = append(ids, optionalID(fmt.Sprintf("agenda[%d].presenter_organization_id", i), a.GetPresenterOrganizationId()))
	}
	if err := grpcserver.CheckIDs(ids...); err != nil {
		return nil, err
	}
	in := domain.MeetingInput{Title: r.GetTitle(), Place: r.GetPlace(), Link: r.GetLink()}
	if r.GetStartTime() != nil {
		in.Start = r.GetStartTime().AsTime()
	}
	for _, a := range r.GetAgenda() {
		in.Agenda = append(in.Agenda, convert.AgendaItemFrom(a))
	}
	c, mid, err := s.svc.ScheduleMeeting(ctx, r.GetCommissionId(), in, r.GetExpectedVersion(), key(ctx))
	pc, err := s.commission(ctx)(c, err)
	if err != nil {
		return nil, err
	}
	return &commissionv1.ScheduleMeetingResponse{Commission: pc, MeetingId: mid}, nil
}

// CancelMeeting implements the RPC.
func (s *Server) CancelMeeting(ctx context.Context, r *commissionv1.CancelMeetingRequest) (*commissionv1.CancelMeetingResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("meeting_id", r.GetMeetingId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.CancelMeeting(ctx, r.GetCommissionId(), r.GetMeetingId(), r.GetReason(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.CancelMeetingResponse{Commission: c}, nil
}

// RecordAttendance implements the RPC.
func (s *Server) RecordAttendance(ctx context.Context, r *commissionv1.RecordAttendanceRequest) (*commissionv1.RecordAttendanceResponse, error) {
	ids := []grpcserver.IDField{id("commission_id", r.GetCommissionId()), id("meeting_id", r.GetMeetingId())}
	var att []domain.Attendance
	for i, a := range r.GetAttendance() {
		ids = append(ids, id(fmt.Sprintf("attendance[%d].organization_id", i), a.GetOrganizationId()))
		att = append(att, convert.AttendanceFrom(a))
	}
	if err := grpcserver.CheckIDs(ids...); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.RecordAttendance(ctx, r.GetCommissionId(), r.GetMeetingId(), att, r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.RecordAttendanceResponse{Commission: c}, nil
}

// RecordMinutes implements the RPC.
func (s *Server) RecordMinutes(ctx context.Context, r *commissionv1.RecordMinutesRequest) (*commissionv1.RecordMinutesResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("meeting_id", r.GetMeetingId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.RecordMinutes(ctx, r.GetCommissionId(), r.GetMeetingId(), r.GetMinutes(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.RecordMinutesResponse{Commission: c}, nil
}

// RecordDecision implements the RPC.
func (s *Server) RecordDecision(ctx context.Context, r *commissionv1.RecordDecisionRequest) (*commissionv1.RecordDecisionResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("meeting_id", r.GetMeetingId()), id("owner_organization_id", r.GetOwnerOrganizationId())); err != nil {
		return nil, err
	}
	c, did, err := s.svc.RecordDecision(ctx, r.GetCommissionId(), r.GetMeetingId(), r.GetText(), r.GetOwnerOrganizationId(), r.GetDueDate(), r.GetExpectedVersion(), key(ctx))
	pc, err := s.commission(ctx)(c, err)
	if err != nil {
		return nil, err
	}
	return &commissionv1.RecordDecisionResponse{Commission: pc, DecisionId: did}, nil
}

// CompleteDecision implements the RPC.
func (s *Server) CompleteDecision(ctx context.Context, r *commissionv1.CompleteDecisionRequest) (*commissionv1.CompleteDecisionResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("decision_id", r.GetDecisionId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.CompleteDecision(ctx, r.GetCommissionId(), r.GetDecisionId(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.CompleteDecisionResponse{Commission: c}, nil
}

// AddProject implements the RPC.
func (s *Server) AddProject(ctx context.Context, r *commissionv1.AddProjectRequest) (*commissionv1.AddProjectResponse, error) {
	ids := []grpcserver.IDField{id("commission_id", r.GetCommissionId())}
	for i, p := range r.GetPartnerOrganizationIds() {
		ids = append(ids, id(fmt.Sprintf("partner_organization_ids[%d]", i), p))
	}
	if err := grpcserver.CheckIDs(ids...); err != nil {
		return nil, err
	}
	in := domain.ProjectInput{Title: r.GetTitle(), Description: r.GetDescription(), PartnerIDs: r.GetPartnerOrganizationIds(),
		BudgetCents: r.GetBudgetCents(), FundingSource: r.GetFundingSource(), Status: domain.ProjectStatus(r.GetStatus()), CPVCodes: r.GetCpvCodes()}
	c, pid, err := s.svc.AddProject(ctx, r.GetCommissionId(), in, r.GetExpectedVersion(), key(ctx))
	pc, err := s.commission(ctx)(c, err)
	if err != nil {
		return nil, err
	}
	return &commissionv1.AddProjectResponse{Commission: pc, ProjectId: pid}, nil
}

// ChangeProjectStatus implements the RPC.
func (s *Server) ChangeProjectStatus(ctx context.Context, r *commissionv1.ChangeProjectStatusRequest) (*commissionv1.ChangeProjectStatusResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("project_id", r.GetProjectId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.ChangeProjectStatus(ctx, r.GetCommissionId(), r.GetProjectId(), domain.ProjectStatus(r.GetStatus()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.ChangeProjectStatusResponse{Commission: c}, nil
}

// LinkTender implements the RPC.
func (s *Server) LinkTender(ctx context.Context, r *commissionv1.LinkTenderRequest) (*commissionv1.LinkTenderResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.LinkTender(ctx, r.GetCommissionId(), r.GetTenderId(), r.GetNote(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.LinkTenderResponse{Commission: c}, nil
}

// UnlinkTender implements the RPC.
func (s *Server) UnlinkTender(ctx context.Context, r *commissionv1.UnlinkTenderRequest) (*commissionv1.UnlinkTenderResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.UnlinkTender(ctx, r.GetCommissionId(), r.GetTenderId(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.UnlinkTenderResponse{Commission: c}, nil
}

// LinkConsortium implements the RPC.
func (s *Server) LinkConsortium(ctx context.Context, r *commissionv1.LinkConsortiumRequest) (*commissionv1.LinkConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("consortium_id", r.GetConsortiumId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.LinkConsortium(ctx, r.GetCommissionId(), r.GetConsortiumId(), r.GetNote(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.LinkConsortiumResponse{Commission: c}, nil
}

// UnlinkConsortium implements the RPC.
func (s *Server) UnlinkConsortium(ctx context.Context, r *commissionv1.UnlinkConsortiumRequest) (*commissionv1.UnlinkConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId()), id("consortium_id", r.GetConsortiumId())); err != nil {
		return nil, err
	}
	c, err := s.commission(ctx)(s.svc.UnlinkConsortium(ctx, r.GetCommissionId(), r.GetConsortiumId(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &commissionv1.UnlinkConsortiumResponse{Commission: c}, nil
}

// GetAuditTrail implements the RPC.
func (s *Server) GetAuditTrail(ctx context.Context, r *commissionv1.GetAuditTrailRequest) (*commissionv1.GetAuditTrailResponse, error) {
	if err := grpcserver.CheckIDs(id("commission_id", r.GetCommissionId())); err != nil {
		return nil, err
	}
	evs, err := s.svc.AuditTrail(ctx, r.GetCommissionId())
	if err != nil {
		return nil, err
	}
	out := &commissionv1.GetAuditTrailResponse{}
	for _, e := range evs {
		out.Events = append(out.Events, AuditEvent(e))
	}
	return out, nil
}

// AuditEvent renders a stored event for an audit trail.
func AuditEvent(e eventlog.Event) *commissionv1.AuditEvent {
	data, _ := protojson.MarshalOptions{UseProtoNames: true}.Marshal(e.Data)
	var compact json.RawMessage = data
	b, _ := json.Marshal(compact)
	name := string(e.Data.ProtoReflect().Descriptor().Name())
	return &commissionv1.AuditEvent{
		Id: e.ID, Type: e.Type, Actor: e.Actor, Time: convert.TS(e.Time), Sequence: e.Sequence,
		Summary: fmt.Sprintf("%s by %s", name, e.Actor), DataJson: string(b),
	}
}

func clusterIDs(field string, ids []string) []grpcserver.IDField {
	out := make([]grpcserver.IDField, len(ids))
	for i, c := range ids {
		out[i] = id(fmt.Sprintf("%s[%d]", field, i), c)
	}
	return out
}

// GetCrossClusterReport implements the RPC.
func (s *Server) GetCrossClusterReport(ctx context.Context, r *commissionv1.GetCrossClusterReportRequest) (*commissionv1.GetCrossClusterReportResponse, error) {
	if err := grpcserver.CheckIDs(clusterIDs("cluster_ids", r.GetClusterIds())...); err != nil {
		return nil, err
	}
	rep, seqs, err := s.svc.Report(ctx, app.ReportQuery{FromDate: r.GetFromDate(), ToDate: r.GetToDate(), ClusterIDs: r.GetClusterIds()})
	if err != nil {
		return nil, err
	}
	return &commissionv1.GetCrossClusterReportResponse{Report: convert.Report(rep, s.svc.Now(), seqs)}, nil
}

// ExportCrossClusterReport implements the RPC.
func (s *Server) ExportCrossClusterReport(ctx context.Context, r *commissionv1.ExportCrossClusterReportRequest) (*commissionv1.ExportCrossClusterReportResponse, error) {
	if err := grpcserver.CheckIDs(clusterIDs("cluster_ids", r.GetClusterIds())...); err != nil {
		return nil, err
	}
	f, err := s.svc.ExportReport(ctx, app.ReportQuery{FromDate: r.GetFromDate(), ToDate: r.GetToDate(), ClusterIDs: r.GetClusterIds()},
		app.ExportQuery{Format: export.Format(r.GetFormat()), Section: export.Section(r.GetSection()), Language: r.GetLanguageCode()})
	if err != nil {
		return nil, err
	}
	return &commissionv1.ExportCrossClusterReportResponse{FileName: f.Name, ContentType: f.ContentType, Content: f.Content}, nil
}

// ExportCommissions implements the RPC.
func (s *Server) ExportCommissions(ctx context.Context, r *commissionv1.ExportCommissionsRequest) (*commissionv1.ExportCommissionsResponse, error) {
	if err := grpcserver.CheckIDs(optionalID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	f, err := s.svc.ExportCommissions(ctx, listQuery(r.GetQuery(), r.GetClusterId(), r.GetStatus(), "", false, 0, ""),
		app.ExportQuery{Format: export.Format(r.GetFormat()), Language: r.GetLanguageCode()})
	if err != nil {
		return nil, err
	}
	return &commissionv1.ExportCommissionsResponse{FileName: f.Name, ContentType: f.ContentType, Content: f.Content}, nil
}
