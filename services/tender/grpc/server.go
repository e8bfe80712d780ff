// Package grpc exposes the tender service over gRPC, translating protobuf to
// application calls. Error codes are chosen in grpcserver.Status only.
package grpc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Server implements tenderv1.TenderServiceServer.
type Server struct {
	tenderv1.UnimplementedTenderServiceServer
	svc *app.Service
	// tenders are the tenders already converted for a list page.
	tenders *grpcserver.RowCache[*tenderv1.Tender]
}

// NewServer returns the adapter.
func NewServer(svc *app.Service) *Server {
	return &Server{svc: svc, tenders: grpcserver.NewRowCache[*tenderv1.Tender](0)}
}

var key = grpcserver.IdempotencyKey

func (s *Server) tender(t domain.Tender, err error) (*tenderv1.Tender, error) {
	if err != nil {
		return nil, err
	}
	return convert.Tender(t), nil
}

func (s *Server) consortium(ctx context.Context, c domain.Consortium, err error) (*tenderv1.Consortium, error) {
	if err != nil {
		return nil, err
	}
	report, err := s.svc.Report(ctx, &c)
	if err != nil {
		return nil, err
	}
	return convert.Consortium(c, func(id string) string { return s.svc.Name(ctx, id) }, report), nil
}

// clusterIDs are the id checks of a list of cluster ids.
func clusterIDs(field string, ids []string) []grpcserver.IDField {
	out := make([]grpcserver.IDField, len(ids))
	for i, id := range ids {
		out[i] = grpcserver.ID(fmt.Sprintf("%s[%d]", field, i), id)
	}
	return out
}

// memberIDs are the id checks of draft members.
func memberIDs(ms []*tenderv1.DraftMember) []grpcserver.IDField {
	out := make([]grpcserver.IDField, len(ms))
	for i, m := range ms {
		out[i] = grpcserver.ID(fmt.Sprintf("members[%d].organization_id", i), m.GetOrganizationId())
	}
	return out
}

func drafts(in []*tenderv1.DraftMember) []domain.Draft {
	out := make([]domain.Draft, len(in))
	for i, d := range in {
		out[i] = convert.DraftFrom(d)
	}
	return out
}

// CreateTender implements the RPC.
func (s *Server) CreateTender(ctx context.Context, r *tenderv1.CreateTenderRequest) (*tenderv1.CreateTenderResponse, error) {
	if err := grpcserver.CheckIDs(append([]grpcserver.IDField{grpcserver.ID("cluster_id", r.GetClusterId())}, clusterIDs("shared_with", r.GetSharedWith())...)...); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.CreateTender(ctx, r.GetClusterId(), convert.DetailsFrom(r.GetDetails()), r.GetPublish(), r.GetSharedWith(), r.GetDemo(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.CreateTenderResponse{Tender: t}, nil
}

// GetTender implements the RPC.
func (s *Server) GetTender(ctx context.Context, r *tenderv1.GetTenderRequest) (*tenderv1.GetTenderResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.GetTender(ctx, r.GetTenderId()))
	if err != nil {
		return nil, err
	}
	return &tenderv1.GetTenderResponse{Tender: t}, nil
}

// ListTenders implements the RPC.
func (s *Server) ListTenders(ctx context.Context, r *tenderv1.ListTendersRequest) (*tenderv1.ListTendersResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.OptionalID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	ts, next, err := s.svc.ListTenders(ctx, store.TenderFilter{
		Status: domain.Status(r.GetStatus()), CPVPrefix: r.GetCpvPrefix(), ClusterID: r.GetClusterId(),
		DeadlineAfter: convert.Time(r.GetDeadlineAfter()), DeadlineBefore: convert.Time(r.GetDeadlineBefore()),
		Query: r.GetQuery(), PageSize: int(r.GetPageSize()), PageToken: r.GetPageToken(),
		// By default the open tenders, nearest deadline first (store.TenderKey order).
		OpenOnly: !r.GetAnyStatus(),
	})
	if err != nil {
		return nil, err
	}
	out := &tenderv1.ListTendersResponse{NextPageToken: next, Tenders: make([]*tenderv1.Tender, len(ts))}
	for i := range ts {
		t := &ts[i]
		out.Tenders[i] = s.tenders.Get(grpcserver.Key(t.ID, t.Version, t.Updated), func() *tenderv1.Tender { return convert.Tender(*t) })
	}
	return out, nil
}

// PublishTender implements the RPC.
func (s *Server) PublishTender(ctx context.Context, r *tenderv1.PublishTenderRequest) (*tenderv1.PublishTenderResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.PublishTender(ctx, r.GetTenderId(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.PublishTenderResponse{Tender: t}, nil
}

// ShareTender implements the RPC.
func (s *Server) ShareTender(ctx context.Context, r *tenderv1.ShareTenderRequest) (*tenderv1.ShareTenderResponse, error) {
	if err := grpcserver.CheckIDs(append([]grpcserver.IDField{grpcserver.ID("tender_id", r.GetTenderId())}, clusterIDs("cluster_ids", r.GetClusterIds())...)...); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.ShareTender(ctx, r.GetTenderId(), r.GetClusterIds(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.ShareTenderResponse{Tender: t}, nil
}

// ChangeDeadline implements the RPC.
func (s *Server) ChangeDeadline(ctx context.Context, r *tenderv1.ChangeDeadlineRequest) (*tenderv1.ChangeDeadlineResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.ChangeDeadline(ctx, r.GetTenderId(), convert.Time(r.GetDeadline()), r.GetReason(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.ChangeDeadlineResponse{Tender: t}, nil
}

// AwardTender implements the RPC.
func (s *Server) AwardTender(ctx context.Context, r *tenderv1.AwardTenderRequest) (*tenderv1.AwardTenderResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId()), grpcserver.OptionalID("award.consortium_id", r.GetAward().GetConsortiumId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.AwardTender(ctx, r.GetTenderId(), convert.AwardFrom(r.GetAward()), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.AwardTenderResponse{Tender: t}, nil
}

// CancelTender implements the RPC.
func (s *Server) CancelTender(ctx context.Context, r *tenderv1.CancelTenderRequest) (*tenderv1.CancelTenderResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.CancelTender(ctx, r.GetTenderId(), r.GetReason(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.CancelTenderResponse{Tender: t}, nil
}

// CloseTenderUnsuccessful implements the RPC.
func (s *Server) CloseTenderUnsuccessful(ctx context.Context, r *tenderv1.CloseTenderUnsuccessfulRequest) (*tenderv1.CloseTenderUnsuccessfulResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	t, err := s.tender(s.svc.CloseTenderUnsuccessful(ctx, r.GetTenderId(), r.GetReason(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &tenderv1.CloseTenderUnsuccessfulResponse{Tender: t}, nil
}

// CreateConsortium implements the RPC.
func (s *Server) CreateConsortium(ctx context.Context, r *tenderv1.CreateConsortiumRequest) (*tenderv1.CreateConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(append([]grpcserver.IDField{grpcserver.ID("tender_id", r.GetTenderId())}, memberIDs(r.GetMembers())...)...); err != nil {
		return nil, err
	}
	c, err := s.svc.CreateConsortium(ctx, r.GetTenderId(), r.GetLotId(), r.GetName(), drafts(r.GetMembers()), r.GetDemo(), key(ctx))
	out, err := s.consortium(ctx, c, err)
	if err != nil {
		return nil, err
	}
	return &tenderv1.CreateConsortiumResponse{Consortium: out}, nil
}

// GetConsortium implements the RPC.
func (s *Server) GetConsortium(ctx context.Context, r *tenderv1.GetConsortiumRequest) (*tenderv1.GetConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId())); err != nil {
		return nil, err
	}
	c, err := s.svc.GetConsortium(ctx, r.GetConsortiumId())
	out, err := s.consortium(ctx, c, err)
	if err != nil {
		return nil, err
	}
	return &tenderv1.GetConsortiumResponse{Consortium: out}, nil
}

// ListConsortia implements the RPC.
func (s *Server) ListConsortia(ctx context.Context, r *tenderv1.ListConsortiaRequest) (*tenderv1.ListConsortiaResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.OptionalID("tender_id", r.GetTenderId()), grpcserver.OptionalID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	cs, err := s.svc.ListConsortia(ctx, r.GetTenderId(), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	out := &tenderv1.ListConsortiaResponse{}
	for _, c := range cs {
		pc, err := s.consortium(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		out.Consortia = append(out.Consortia, pc)
	}
	return out, nil
}

type consortiumCall func() (domain.Consortium, error)

func (s *Server) run(ctx context.Context, f consortiumCall) (*tenderv1.Consortium, error) {
	c, err := f()
	return s.consortium(ctx, c, err)
}

// InviteMember implements the RPC.
func (s *Server) InviteMember(ctx context.Context, r *tenderv1.InviteMemberRequest) (*tenderv1.InviteMemberResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.InviteMember(ctx, r.GetConsortiumId(), r.GetOrganizationId(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.InviteMemberResponse{Consortium: c}, nil
}

// AcceptInvitation implements the RPC.
func (s *Server) AcceptInvitation(ctx context.Context, r *tenderv1.AcceptInvitationRequest) (*tenderv1.AcceptInvitationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.AcceptInvitation(ctx, r.GetConsortiumId(), r.GetOrganizationId(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.AcceptInvitationResponse{Consortium: c}, nil
}

// DeclineInvitation implements the RPC.
func (s *Server) DeclineInvitation(ctx context.Context, r *tenderv1.DeclineInvitationRequest) (*tenderv1.DeclineInvitationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.DeclineInvitation(ctx, r.GetConsortiumId(), r.GetOrganizationId(), r.GetReason(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.DeclineInvitationResponse{Consortium: c}, nil
}

// WithdrawMember implements the RPC.
func (s *Server) WithdrawMember(ctx context.Context, r *tenderv1.WithdrawMemberRequest) (*tenderv1.WithdrawMemberResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.WithdrawMember(ctx, r.GetConsortiumId(), r.GetOrganizationId(), r.GetReason(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.WithdrawMemberResponse{Consortium: c}, nil
}

// SetShare implements the RPC.
func (s *Server) SetShare(ctx context.Context, r *tenderv1.SetShareRequest) (*tenderv1.SetShareResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.SetShare(ctx, r.GetConsortiumId(), r.GetOrganizationId(), int(r.GetShareBp()), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.SetShareResponse{Consortium: c}, nil
}

// AssignRoles implements the RPC.
func (s *Server) AssignRoles(ctx context.Context, r *tenderv1.AssignRolesRequest) (*tenderv1.AssignRolesResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.AssignRoles(ctx, r.GetConsortiumId(), r.GetOrganizationId(), r.GetCovers(), r.GetCertifies(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.AssignRolesResponse{Consortium: c}, nil
}

// ChangeLead implements the RPC.
func (s *Server) ChangeLead(ctx context.Context, r *tenderv1.ChangeLeadRequest) (*tenderv1.ChangeLeadResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId()), grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.ChangeLead(ctx, r.GetConsortiumId(), r.GetOrganizationId(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.ChangeLeadResponse{Consortium: c}, nil
}

// SubmitConsortium implements the RPC.
func (s *Server) SubmitConsortium(ctx context.Context, r *tenderv1.SubmitConsortiumRequest) (*tenderv1.SubmitConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) { return s.svc.SubmitConsortium(ctx, r.GetConsortiumId(), key(ctx)) })
	if err != nil {
		return nil, err
	}
	return &tenderv1.SubmitConsortiumResponse{Consortium: c}, nil
}

// DissolveConsortium implements the RPC.
func (s *Server) DissolveConsortium(ctx context.Context, r *tenderv1.DissolveConsortiumRequest) (*tenderv1.DissolveConsortiumResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("consortium_id", r.GetConsortiumId())); err != nil {
		return nil, err
	}
	c, err := s.run(ctx, func() (domain.Consortium, error) {
		return s.svc.DissolveConsortium(ctx, r.GetConsortiumId(), r.GetReason(), key(ctx))
	})
	if err != nil {
		return nil, err
	}
	return &tenderv1.DissolveConsortiumResponse{Consortium: c}, nil
}

// CheckEligibility implements the RPC.
func (s *Server) CheckEligibility(ctx context.Context, r *tenderv1.CheckEligibilityRequest) (*tenderv1.CheckEligibilityResponse, error) {
	if err := grpcserver.CheckIDs(append([]grpcserver.IDField{grpcserver.ID("tender_id", r.GetTenderId())}, memberIDs(r.GetMembers())...)...); err != nil {
		return nil, err
	}
	rep, err := s.svc.CheckEligibility(ctx, r.GetTenderId(), r.GetLotId(), drafts(r.GetMembers()), r.GetRequireShares())
	if err != nil {
		return nil, err
	}
	return &tenderv1.CheckEligibilityResponse{Report: convert.Report(rep)}, nil
}

// GetAuditTrail implements the RPC.
func (s *Server) GetAuditTrail(ctx context.Context, r *tenderv1.GetAuditTrailRequest) (*tenderv1.GetAuditTrailResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("id", r.GetId())); err != nil {
		return nil, err
	}
	evs, err := s.svc.AuditTrail(ctx, r.GetAggregate(), r.GetId())
	if err != nil {
		return nil, err
	}
	out := &tenderv1.GetAuditTrailResponse{}
	for _, e := range evs {
		out.Events = append(out.Events, AuditEvent(e))
	}
	return out, nil
}

// AuditEvent renders a stored event for an audit trail.
func AuditEvent(e eventlog.Event) *tenderv1.AuditEvent {
	data, _ := protojson.MarshalOptions{UseProtoNames: true}.Marshal(e.Data)
	var compact json.RawMessage = data
	b, _ := json.Marshal(compact)
	name := string(e.Data.ProtoReflect().Descriptor().Name())
	return &tenderv1.AuditEvent{
		Id: e.ID, Type: e.Type, Actor: e.Actor, Time: convert.TS(e.Time), Sequence: e.Sequence,
		Summary: fmt.Sprintf("%s by %s", name, e.Actor), DataJson: string(b),
	}
}

var _ tenderv1.TenderServiceServer = (*Server)(nil)

// RecommendConsortia implements the RPC.
func (s *Server) RecommendConsortia(ctx context.Context, r *tenderv1.RecommendConsortiaRequest) (*tenderv1.RecommendConsortiaResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	res, err := s.svc.RecommendConsortia(ctx, r.GetTenderId(), r.GetLotId(), app.RecommendOptions{
		MaxSize: int(r.GetMaxTeamSize()), TopK: int(r.GetTopK()), IncludeCommitted: r.GetIncludeCommitted(),
		Budget: time.Duration(r.GetBudgetMs()) * time.Millisecond,
	})
	if err != nil {
		return nil, err
	}
	out := &tenderv1.RecommendConsortiaResponse{
		Optimal: res.Optimal, PoolSize: int32(res.Stats.Pool), ReducedPoolSize: int32(res.Stats.Reduced),
		Nodes: res.Stats.Nodes, Ranking: app.Ranking,
	}
	for _, rec := range res.Teams {
		pr := &tenderv1.Recommendation{
			Rank: int32(rec.Rank), Score: rec.Score.Total, Explanation: rec.Why, ExplanationMessages: convert.Messages(rec.WhyMessages), Eligibility: convert.Report(rec.Report),
			EconomicNeededCents: rec.Economic.NeededCents, EconomicProvidedCents: rec.Economic.ProvidedCents,
			TechnicalNeededCents: rec.Technical.NeededCents, TechnicalProvidedCents: rec.Technical.ProvidedCents,
		}
		for _, d := range app.Drafts(rec) {
			pr.Members = append(pr.Members, convert.Draft(d))
			pr.MemberNames = append(pr.MemberNames, s.svc.Name(ctx, d.OrganizationID))
		}
		for _, c := range rec.Coverage {
			pr.Coverage = append(pr.Coverage, &tenderv1.Coverage{Requirement: c.Requirement, OrganizationIds: c.By})
		}
		out.Recommendations = append(out.Recommendations, pr)
	}
	return out, nil
}

// ImportTenders implements the RPC: progress messages while importing, then
// one with the summary.
func (s *Server) ImportTenders(r *tenderv1.ImportTendersRequest, stream tenderv1.TenderService_ImportTendersServer) error {
	if err := grpcserver.CheckIDs(grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return err
	}
	last := -1
	sum, err := s.svc.ImportDocument(stream.Context(), r.GetClusterId(), r.GetFormat(), r.GetContent(),
		app.ImportFilter{NUTSPrefix: r.GetNutsPrefix(), CPVPrefix: r.GetCpvPrefix(), ClusterProfile: r.GetClusterProfile()},
		func(done, total int) {
			// About a hundred progress messages per document at most.
			if step := max(total/100, 1); done-last >= step || done == total {
				last = done
				_ = stream.Send(&tenderv1.ImportTendersResponse{Done: int32(done), Total: int32(total)})
			}
		})
	if err != nil {
		return err
	}
	out := &tenderv1.ImportSummary{Created: int32(sum.Created), Updated: int32(sum.Updated), Unchanged: int32(sum.Unchanged), Tombstoned: int32(sum.Tombstoned), Filtered: int32(sum.Filtered), Withdrawn: int32(sum.Withdrawn)}
	for reason, n := range sum.FilteredBy {
		if out.FilteredBy == nil {
			out.FilteredBy = map[string]int32{}
		}
		out.FilteredBy[reason] = int32(n)
	}
	for _, rj := range sum.Rejected {
		out.Rejected = append(out.Rejected, &tenderv1.ImportRejection{Record: rj.Record, Reason: rj.Reason})
	}
	return stream.Send(&tenderv1.ImportTendersResponse{Done: int32(last), Total: int32(last), Summary: out})
}

// ListAwards implements the RPC.
func (s *Server) ListAwards(ctx context.Context, r *tenderv1.ListAwardsRequest) (*tenderv1.ListAwardsResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.OptionalID("tender_id", r.GetTenderId())); err != nil {
		return nil, err
	}
	recs, err := s.svc.ListAwards(ctx, app.AwardQuery{LikeTender: r.GetTenderId(), CPVPrefix: r.GetCpvPrefix(), WinnerTaxID: r.GetWinnerTaxId(), PageSize: int(r.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &tenderv1.ListAwardsResponse{}
	for _, a := range recs {
		out.Awards = append(out.Awards, &tenderv1.AwardRecord{SourceId: a.SourceID, Title: a.Title, Buyer: a.Buyer, CpvCodes: a.CPVs, Award: convert.Award(a.Award)})
	}
	return out, nil
}
