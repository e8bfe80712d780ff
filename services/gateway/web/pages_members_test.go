package web

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// pagedMembers is a member service that lists organisations two per page.
type pagedMembers struct {
	memberv1.MemberServiceClient // other methods are not called
	orgs                         []*memberv1.Organization
	calls                        int
}

func (p *pagedMembers) ListOrganizations(_ context.Context, r *memberv1.ListOrganizationsRequest, _ ...grpc.CallOption) (*memberv1.ListOrganizationsResponse, error) {
	p.calls++
	start := 0
	if r.GetPageToken() != "" {
		if _, err := fmt.Sscan(r.GetPageToken(), &start); err != nil {
			return nil, err
		}
	}
	end := min(start+2, len(p.orgs))
	resp := &memberv1.ListOrganizationsResponse{Organizations: p.orgs[start:end]}
	if end < len(p.orgs) {
		resp.NextPageToken = fmt.Sprint(end)
	}
	return resp, nil
}

// member returns an organisation with one membership of cluster.
func member(name, cluster string, st memberv1.MembershipStatus) *memberv1.Organization {
	return &memberv1.Organization{Id: name, LegalName: name, Memberships: []*memberv1.Membership{{ClusterId: cluster, Status: st}}}
}

// TestMembersOf: every page is read, organisations without a membership of
// the cluster are left out, and pending requests come first, then active and
// suspended members, each in the service's order.
func TestMembersOf(t *testing.T) {
	const (
		requested = memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED
		active    = memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
		suspended = memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED
	)
	fake := &pagedMembers{orgs: []*memberv1.Organization{
		member("a", "c1", suspended), member("b", "c1", active), member("c", "c2", requested),
		member("d", "c1", requested), member("e", "c1", active), member("f", "c1", requested),
	}}
	s := &Server{d: Deps{Member: fake}}
	rows, err := s.membersOf(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Org.GetId())
	}
	if want := []string{"d", "f", "b", "e", "a"}; !slices.Equal(got, want) {
		t.Errorf("members of c1: %v, want %v", got, want)
	}
	if fake.calls != 3 {
		t.Errorf("%d ListOrganizations calls, want 3 (every page)", fake.calls)
	}
	if !rows[0].CanApprove() || rows[0].CanSuspend() || !rows[2].CanSuspend() || rows[2].CanApprove() || !rows[4].CanApprove() || !rows[4].Suspended() {
		t.Error("actions offered do not match the membership status")
	}
}
