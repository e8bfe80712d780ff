package membership_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/membership"
)

// fakeMembers answers CheckMembership from a table, or fails with err.
type fakeMembers struct {
	memberv1.MemberServiceClient // other methods are not used
	mu                           sync.Mutex
	active                       map[string][]string // org → clusters
	err                          error
	block                        bool // wait for the call's deadline
	asked                        []string
}

func (f *fakeMembers) CheckMembership(ctx context.Context, r *memberv1.CheckMembershipRequest, _ ...grpc.CallOption) (*memberv1.CheckMembershipResponse, error) {
	f.mu.Lock()
	f.asked = append(f.asked, r.GetClusterId())
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	}
	if f.err != nil {
		return nil, f.err
	}
	clusters, ok := f.active[r.GetOrganizationId()]
	if !ok {
		return nil, status.Error(codes.NotFound, "no such organisation")
	}
	active := slices.Contains(clusters, r.GetClusterId())
	st := memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED
	if active {
		st = memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
	}
	return &memberv1.CheckMembershipResponse{Active: active, Status: st}, nil
}

// index is the local member index.
type index map[string]domain.Company

func (i index) GetCompany(_ context.Context, id string) (domain.Company, error) {
	c, ok := i[id]
	if !ok {
		return c, domainerr.ErrNotFound
	}
	return c, nil
}

var quiet = slog.New(slog.DiscardHandler)

func TestActiveIn(t *testing.T) {
	// The member service and the index disagree on purpose, to see who answered.
	remote := map[string][]string{"A": {"gira"}, "B": {}}
	local := index{"A": {ID: "A", ActiveIn: []string{"tera"}}, "B": {ID: "B", ActiveIn: []string{"tera", "gira"}}}
	cases := []struct {
		name     string
		err      error
		org      string
		clusters []string
		want     bool
		wantErr  codes.Code
	}{
		{name: "member service: active in the second cluster", org: "A", clusters: []string{"tera", "gira"}, want: true},
		{name: "member service: not active", org: "A", clusters: []string{"tera"}, want: false},
		{name: "member service: only requested", org: "B", clusters: []string{"tera", "gira"}, want: false},
		{name: "member service: unknown organisation", org: "Z", clusters: []string{"tera"}, want: false},
		{name: "no clusters", org: "A", clusters: nil, want: false},
		{name: "unavailable: index says active", err: status.Error(codes.Unavailable, "down"), org: "A", clusters: []string{"tera"}, want: true},
		{name: "unavailable: index says not active", err: status.Error(codes.Unavailable, "down"), org: "A", clusters: []string{"gira"}, want: false},
		{name: "unavailable: not in the index", err: status.Error(codes.Unavailable, "down"), org: "Z", clusters: []string{"tera"}, want: false},
		{name: "internal: falls back", err: status.Error(codes.Internal, "boom"), org: "B", clusters: []string{"gira"}, want: true},
		{name: "overloaded: falls back", err: status.Error(codes.ResourceExhausted, "busy"), org: "B", clusters: []string{"gira"}, want: true},
		{name: "deadline: falls back", err: status.Error(codes.DeadlineExceeded, "slow"), org: "B", clusters: []string{"gira"}, want: true},
		{name: "permission denied is an answer", err: status.Error(codes.PermissionDenied, "no"), org: "A", clusters: []string{"tera"}, wantErr: codes.PermissionDenied},
		{name: "invalid argument is an answer", err: status.Error(codes.InvalidArgument, "bad"), org: "A", clusters: []string{"tera"}, wantErr: codes.InvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := membership.New(&fakeMembers{active: remote, err: tc.err}, local, quiet)
			got, err := c.ActiveIn(context.Background(), tc.org, tc.clusters)
			if tc.wantErr != codes.OK {
				if status.Code(err) != tc.wantErr {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ActiveIn(%s, %q) = %v, %v; want %v", tc.org, tc.clusters, got, err, tc.want)
			}
		})
	}
}

func TestActiveInStopsAtTheFirstActiveCluster(t *testing.T) {
	f := &fakeMembers{active: map[string][]string{"A": {"tera", "gira"}}}
	if ok, err := membership.New(f, index{}, quiet).ActiveIn(context.Background(), "A", []string{"x", "tera", "gira"}); !ok || err != nil {
		t.Fatalf("ActiveIn = %v, %v", ok, err)
	}
	if !slices.Equal(f.asked, []string{"x", "tera"}) {
		t.Errorf("asked %q", f.asked)
	}
}

func TestActiveInWithoutClientUsesTheIndex(t *testing.T) {
	c := membership.New(nil, index{"A": {ID: "A", ActiveIn: []string{"tera"}}}, nil)
	for org, want := range map[string]bool{"A": true, "Z": false} {
		if got, err := c.ActiveIn(context.Background(), org, []string{"tera"}); got != want || err != nil {
			t.Errorf("ActiveIn(%s) = %v, %v", org, got, err)
		}
	}
}

type brokenIndex struct{}

func (brokenIndex) GetCompany(context.Context, string) (domain.Company, error) {
	return domain.Company{}, errors.New("disk on fire")
}

func TestActiveInIndexErrorIsReturned(t *testing.T) {
	c := membership.New(&fakeMembers{err: status.Error(codes.Unavailable, "down")}, brokenIndex{}, quiet)
	if _, err := c.ActiveIn(context.Background(), "A", []string{"tera"}); err == nil {
		t.Fatal("an index failure was taken as an answer")
	}
}

func TestActiveInSlowMemberServiceFallsBackAfterTimeout(t *testing.T) {
	c := membership.New(&fakeMembers{block: true}, index{"A": {ID: "A", ActiveIn: []string{"tera"}}}, quiet)
	c.Timeout = 50 * time.Millisecond
	start := time.Now()
	ok, err := c.ActiveIn(context.Background(), "A", []string{"tera"})
	if !ok || err != nil {
		t.Fatalf("ActiveIn = %v, %v", ok, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
