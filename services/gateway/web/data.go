package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// maxListed bounds how many tenders a page collects over several list pages.
const maxListed = 2000

// listTenders pages through ListTenders until the end or maxListed tenders.
func (s *Server) listTenders(ctx context.Context, req *tenderv1.ListTendersRequest) ([]*tenderv1.Tender, error) {
	var out []*tenderv1.Tender
	if req.PageSize == 0 {
		req.PageSize = 500
	}
	for {
		resp, err := s.d.Tender.ListTenders(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list tenders: %w", err)
		}
		out = append(out, resp.GetTenders()...)
		if resp.GetNextPageToken() == "" || len(out) >= maxListed {
			return out, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

// consortiumRow is a consortium with its tender and member counts, for lists.
type consortiumRow struct {
	C        *tenderv1.Consortium
	Tender   *tenderv1.Tender           // nil when the tender could not be read
	Mine     *tenderv1.ConsortiumMember // the viewing company's membership, if any
	Invited  int
	Joined   int
	Declined int
	ShareBP  int32 // sum of the joined members' shares
}

// Open reports whether the consortium still takes answers and shares.
func (r consortiumRow) Open() bool { return open(r.C) }

// rowOf counts a consortium's members by status.
func rowOf(c *tenderv1.Consortium, org string) consortiumRow {
	row := consortiumRow{C: c}
	for _, m := range c.GetMembers() {
		switch m.GetStatus() {
		case tenderv1.MemberStatus_MEMBER_STATUS_INVITED:
			row.Invited++
		case tenderv1.MemberStatus_MEMBER_STATUS_JOINED:
			row.Joined++
			row.ShareBP += m.GetShareBp()
		case tenderv1.MemberStatus_MEMBER_STATUS_DECLINED:
			row.Declined++
		}
		if org != "" && m.GetOrganizationId() == org {
			row.Mine = m
		}
	}
	return row
}

// tenderCache reads each tender once per page.
type tenderCache struct {
	s  *Server
	ts map[string]*tenderv1.Tender
}

func (s *Server) newTenderCache() *tenderCache {
	return &tenderCache{s: s, ts: map[string]*tenderv1.Tender{}}
}

// get returns the tender or nil when it cannot be read (the row still shows).
func (c *tenderCache) get(ctx context.Context, id string) *tenderv1.Tender {
	if t, ok := c.ts[id]; ok {
		return t
	}
	resp, err := c.s.d.Tender.GetTender(ctx, &tenderv1.GetTenderRequest{TenderId: id})
	var t *tenderv1.Tender
	if err == nil {
		t = resp.GetTender()
	} else {
		c.s.d.Logger.WarnContext(ctx, "tender for a consortium row", "tender", id, "err", err)
	}
	c.ts[id] = t
	return t
}

// consortiaOf lists the consortia an organisation is invited to or in.
func (s *Server) consortiaOf(ctx context.Context, org string) ([]consortiumRow, error) {
	resp, err := s.d.Tender.ListConsortia(ctx, &tenderv1.ListConsortiaRequest{OrganizationId: org})
	if err != nil {
		return nil, fmt.Errorf("list consortia of %s: %w", org, err)
	}
	tc := s.newTenderCache()
	var rows []consortiumRow
	for _, c := range resp.GetConsortia() {
		row := rowOf(c, org)
		row.Tender = tc.get(ctx, c.GetTenderId())
		rows = append(rows, row)
	}
	return rows, nil
}

// matchRow is a tender matching a company's CPV interests.
type matchRow struct {
	T      *tenderv1.Tender
	Groups []string // the CPV groups (3 digits) it shares with the company
}

// cpvGroups returns the distinct CPV groups (first 3 digits) of codes.
func cpvGroups(codes []string) []string {
	var gs []string
	for _, c := range codes {
		if len(c) >= 3 && !slices.Contains(gs, c[:3]) {
			gs = append(gs, c[:3])
		}
	}
	slices.Sort(gs)
	return gs
}

// matchingTenders returns the open tenders (deadline ahead) whose CPV codes
// share a group (3 digits) with the organisation's CPV interests, soonest
// deadline first.
func (s *Server) matchingTenders(ctx context.Context, org *memberv1.Organization) ([]matchRow, error) {
	byID := map[string]*matchRow{}
	var order []string
	for _, g := range cpvGroups(org.GetProfile().GetCpvInterests()) {
		ts, err := s.listTenders(ctx, &tenderv1.ListTendersRequest{CpvPrefix: g, DeadlineAfter: timestamppb.Now()})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE && t.GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_PLANNED {
				continue
			}
			row, ok := byID[t.GetId()]
			if !ok {
				row = &matchRow{T: t}
				byID[t.GetId()] = row
				order = append(order, t.GetId())
			}
			row.Groups = append(row.Groups, g)
		}
	}
	out := make([]matchRow, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	slices.SortStableFunc(out, func(a, b matchRow) int {
		return a.T.GetSubmissionDeadline().AsTime().Compare(b.T.GetSubmissionDeadline().AsTime())
	})
	return out, nil
}

// newest returns up to n tenders, most recently added first.
func newest[T interface{ GetCreateTime() *timestamppb.Timestamp }](ts []T, n int) []T {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b T) int { return b.GetCreateTime().AsTime().Compare(a.GetCreateTime().AsTime()) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// dueWithin reports whether a deadline falls between now and now+d.
func dueWithin(ts *timestamppb.Timestamp, d time.Duration) bool {
	if ts == nil {
		return false
	}
	until := time.Until(ts.AsTime())
	return until >= 0 && until <= d
}

// parseCSV splits "a, b,c" into trimmed non-empty parts.
func parseCSV(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
