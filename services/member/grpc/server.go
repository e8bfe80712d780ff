// Package grpc exposes the member service over gRPC: it translates protobuf
// requests to application calls and results back. Errors go through
// grpcserver.Status in the server's interceptor, the one place codes are chosen.
package grpc

import (
	"context"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member/app"
	"github.com/consortia-dev/consortia/services/member/convert"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

// Server implements memberv1.MemberServiceServer.
type Server struct {
	memberv1.UnimplementedMemberServiceServer
	svc *app.Service
	// orgs are the organisations already converted for a list page.
	orgs *grpcserver.RowCache[*memberv1.Organization]
}

// NewServer returns the gRPC adapter for svc.
func NewServer(svc *app.Service) *Server {
	return &Server{svc: svc, orgs: grpcserver.NewRowCache[*memberv1.Organization](0)}
}

var key = grpcserver.IdempotencyKey

func orgResult(o domain.Organization, err error) (*memberv1.Organization, error) {
	if err != nil {
		return nil, err
	}
	return convert.Organization(o), nil
}

// CreateCluster implements the RPC.
func (s *Server) CreateCluster(ctx context.Context, r *memberv1.CreateClusterRequest) (*memberv1.CreateClusterResponse, error) {
	c, err := s.svc.CreateCluster(ctx, r.GetName(), r.GetRegionNuts(), r.GetDescription(), r.GetDemo(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &memberv1.CreateClusterResponse{Cluster: convert.Cluster(c)}, nil
}

// GetCluster implements the RPC.
func (s *Server) GetCluster(ctx context.Context, r *memberv1.GetClusterRequest) (*memberv1.GetClusterResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	c, err := s.svc.GetCluster(ctx, r.GetClusterId())
	if err != nil {
		return nil, err
	}
	return &memberv1.GetClusterResponse{Cluster: convert.Cluster(c)}, nil
}

// ListClusters implements the RPC.
func (s *Server) ListClusters(ctx context.Context, _ *memberv1.ListClustersRequest) (*memberv1.ListClustersResponse, error) {
	cs, err := s.svc.ListClusters(ctx)
	if err != nil {
		return nil, err
	}
	out := &memberv1.ListClustersResponse{}
	for _, c := range cs {
		out.Clusters = append(out.Clusters, convert.Cluster(c))
	}
	return out, nil
}

// RegisterOrganization implements the RPC.
func (s *Server) RegisterOrganization(ctx context.Context, r *memberv1.RegisterOrganizationRequest) (*memberv1.RegisterOrganizationResponse, error) {
	reg := domain.Registration{
		Kind: domain.Kind(r.GetKind()), LegalName: r.GetLegalName(), TaxID: r.GetTaxId(),
		Profile: convert.ProfileFrom(r.GetProfile()), Demo: r.GetDemo(),
	}
	for _, c := range r.GetCertifications() {
		reg.Certifications = append(reg.Certifications, convert.CertificationInput(c))
	}
	for _, t := range r.GetTurnover() {
		reg.Turnover = append(reg.Turnover, convert.TurnoverFrom(t))
	}
	for _, ref := range r.GetReferences() {
		reg.References = append(reg.References, convert.ReferenceFrom(ref))
	}
	o, err := orgResult(s.svc.RegisterOrganization(ctx, reg, key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.RegisterOrganizationResponse{Organization: o}, nil
}

// GetOrganization implements the RPC.
func (s *Server) GetOrganization(ctx context.Context, r *memberv1.GetOrganizationRequest) (*memberv1.GetOrganizationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.GetOrganization(ctx, r.GetOrganizationId()))
	if err != nil {
		return nil, err
	}
	return &memberv1.GetOrganizationResponse{Organization: o}, nil
}

// ListOrganizations implements the RPC.
func (s *Server) ListOrganizations(ctx context.Context, r *memberv1.ListOrganizationsRequest) (*memberv1.ListOrganizationsResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.OptionalID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	orgs, next, err := s.svc.ListOrganizations(ctx, store.Filter{
		ClusterID: r.GetClusterId(), Capability: r.GetCapability(), CPVPrefix: r.GetCpvPrefix(),
		PageSize: int(r.GetPageSize()), PageToken: r.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	out := &memberv1.ListOrganizationsResponse{NextPageToken: next, Organizations: make([]*memberv1.Organization, len(orgs))}
	for i := range orgs {
		o := &orgs[i]
		out.Organizations[i] = s.orgs.Get(grpcserver.Key(o.ID, o.Version, o.Updated), func() *memberv1.Organization { return convert.Organization(*o) })
	}
	return out, nil
}

// UpdateOrganizationProfile implements the RPC.
func (s *Server) UpdateOrganizationProfile(ctx context.Context, r *memberv1.UpdateOrganizationProfileRequest) (*memberv1.UpdateOrganizationProfileResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.UpdateProfile(ctx, r.GetOrganizationId(), convert.ProfileFrom(r.GetProfile()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.UpdateOrganizationProfileResponse{Organization: o}, nil
}

// AddCertification implements the RPC.
func (s *Server) AddCertification(ctx context.Context, r *memberv1.AddCertificationRequest) (*memberv1.AddCertificationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.AddCertification(ctx, r.GetOrganizationId(), convert.CertificationInput(r.GetCertification()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.AddCertificationResponse{Organization: o}, nil
}

// ReplaceCertification implements the RPC.
func (s *Server) ReplaceCertification(ctx context.Context, r *memberv1.ReplaceCertificationRequest) (*memberv1.ReplaceCertificationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("certification_id", r.GetCertificationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.ReplaceCertification(ctx, r.GetOrganizationId(), r.GetCertificationId(), convert.CertificationInput(r.GetCertification()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.ReplaceCertificationResponse{Organization: o}, nil
}

// RemoveCertification implements the RPC.
func (s *Server) RemoveCertification(ctx context.Context, r *memberv1.RemoveCertificationRequest) (*memberv1.RemoveCertificationResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("certification_id", r.GetCertificationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.RemoveCertification(ctx, r.GetOrganizationId(), r.GetCertificationId(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.RemoveCertificationResponse{Organization: o}, nil
}

// ReportTurnover implements the RPC.
func (s *Server) ReportTurnover(ctx context.Context, r *memberv1.ReportTurnoverRequest) (*memberv1.ReportTurnoverResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.ReportTurnover(ctx, r.GetOrganizationId(), convert.TurnoverFrom(r.GetTurnover()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.ReportTurnoverResponse{Organization: o}, nil
}

// AddReference implements the RPC.
func (s *Server) AddReference(ctx context.Context, r *memberv1.AddReferenceRequest) (*memberv1.AddReferenceResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.AddReference(ctx, r.GetOrganizationId(), convert.ReferenceFrom(r.GetReference()), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.AddReferenceResponse{Organization: o}, nil
}

// RemoveReference implements the RPC.
func (s *Server) RemoveReference(ctx context.Context, r *memberv1.RemoveReferenceRequest) (*memberv1.RemoveReferenceResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("reference_id", r.GetReferenceId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.RemoveReference(ctx, r.GetOrganizationId(), r.GetReferenceId(), r.GetExpectedVersion(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.RemoveReferenceResponse{Organization: o}, nil
}

// RequestMembership implements the RPC.
func (s *Server) RequestMembership(ctx context.Context, r *memberv1.RequestMembershipRequest) (*memberv1.RequestMembershipResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.RequestMembership(ctx, r.GetOrganizationId(), r.GetClusterId(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.RequestMembershipResponse{Organization: o}, nil
}

// ApproveMembership implements the RPC.
func (s *Server) ApproveMembership(ctx context.Context, r *memberv1.ApproveMembershipRequest) (*memberv1.ApproveMembershipResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.ApproveMembership(ctx, r.GetOrganizationId(), r.GetClusterId(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.ApproveMembershipResponse{Organization: o}, nil
}

// SuspendMembership implements the RPC.
func (s *Server) SuspendMembership(ctx context.Context, r *memberv1.SuspendMembershipRequest) (*memberv1.SuspendMembershipResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	o, err := orgResult(s.svc.SuspendMembership(ctx, r.GetOrganizationId(), r.GetClusterId(), r.GetReason(), key(ctx)))
	if err != nil {
		return nil, err
	}
	return &memberv1.SuspendMembershipResponse{Organization: o}, nil
}

// CheckMembership implements the RPC.
func (s *Server) CheckMembership(ctx context.Context, r *memberv1.CheckMembershipRequest) (*memberv1.CheckMembershipResponse, error) {
	if err := grpcserver.CheckIDs(grpcserver.ID("organization_id", r.GetOrganizationId()), grpcserver.ID("cluster_id", r.GetClusterId())); err != nil {
		return nil, err
	}
	st, err := s.svc.CheckMembership(ctx, r.GetOrganizationId(), r.GetClusterId())
	if err != nil {
		return nil, err
	}
	return &memberv1.CheckMembershipResponse{Status: memberv1.MembershipStatus(st), Active: st == domain.MembershipActive}, nil
}

// ListCapabilities implements the RPC.
func (s *Server) ListCapabilities(context.Context, *memberv1.ListCapabilitiesRequest) (*memberv1.ListCapabilitiesResponse, error) {
	out := &memberv1.ListCapabilitiesResponse{}
	for _, c := range domain.Capabilities {
		out.Capabilities = append(out.Capabilities, &memberv1.Capability{Id: c.ID, LabelEn: c.LabelEN, LabelEs: c.LabelES, DrivingForce: c.DrivingForce})
	}
	return out, nil
}

var _ memberv1.MemberServiceServer = (*Server)(nil)
