// Package membership answers "is this organisation an active member of one of
// these clusters?" by asking the member service over gRPC, and falls back to
// the tender service's own projection of member events when the member service
// cannot answer (down, overloaded), so consortia keep working.
package membership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// Index is the local company index.
type Index interface {
	GetCompany(ctx context.Context, id string) (domain.Company, error)
}

// Checker implements app.Memberships.
type Checker struct {
	client memberv1.MemberServiceClient // nil: index only
	index  Index
	log    *slog.Logger
	// Timeout bounds each call to the member service before falling back.
	Timeout time.Duration
}

// New returns a checker; client may be nil (index only).
func New(client memberv1.MemberServiceClient, index Index, log *slog.Logger) *Checker {
	if log == nil {
		log = slog.Default()
	}
	return &Checker{client: client, index: index, log: log, Timeout: 2 * time.Second}
}

// ActiveIn reports whether orgID is an active member of any of clusters.
func (c *Checker) ActiveIn(ctx context.Context, orgID string, clusters []string) (bool, error) {
	if c.client != nil {
		ok, err := c.ask(ctx, orgID, clusters)
		if err == nil {
			return ok, nil
		}
		if !fallback(err) {
			return false, err
		}
		c.log.WarnContext(ctx, "member service unavailable; using the local member index", "organization", orgID, "err", err)
	}
	co, err := c.index.GetCompany(ctx, orgID)
	if errors.Is(err, domainerr.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return co.ActiveInAny(clusters), nil
}

func (c *Checker) ask(ctx context.Context, orgID string, clusters []string) (bool, error) {
	for _, cl := range clusters {
		cctx, cancel := context.WithTimeout(ctx, c.Timeout)
		resp, err := c.client.CheckMembership(cctx, &memberv1.CheckMembershipRequest{OrganizationId: orgID, ClusterId: cl})
		cancel()
		if status.Code(err) == codes.NotFound {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if resp.GetActive() {
			return true, nil
		}
	}
	return false, nil
}

// fallback: errors that say the member service could not answer, as opposed to
// answers (permission denied, invalid argument) that must reach the caller.
func fallback(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Internal, codes.Unknown:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// ClusterRegion returns the NUTS code of the region a cluster operates in
// (the member service's Cluster.region_nuts; "" when the cluster has none or
// no member service is configured).
func (c *Checker) ClusterRegion(ctx context.Context, clusterID string) (string, error) {
	if c.client == nil {
		return "", nil
	}
	cctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	resp, err := c.client.GetCluster(cctx, &memberv1.GetClusterRequest{ClusterId: clusterID})
	if err != nil {
		return "", fmt.Errorf("cluster %s: %w", clusterID, err)
	}
	return resp.GetCluster().GetRegionNuts(), nil
}
