package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/export"
	"github.com/consortia-dev/consortia/services/commission/follow"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// ReportQuery asks for the cross-cluster report.
type ReportQuery struct {
	FromDate, ToDate string
	ClusterIDs       []string
}

// Report computes the cross-cluster report from the service's own
// projections; sequences are the last events of each followed stream it
// reflects. Agency staff get any clusters, a cluster manager their own.
func (s *Service) Report(ctx context.Context, q ReportQuery) (domain.Report, map[string]uint64, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Report{}, nil, err
	}
	period, err := domain.ParsePeriod(q.FromDate, q.ToDate)
	var v domainerr.Violations
	var inv *domainerr.InvalidError
	if errors.As(err, &inv) {
		v = append(v, inv.Violations...)
	} else if err != nil {
		return domain.Report{}, nil, err
	}
	for i, id := range q.ClusterIDs {
		domain.CheckID(&v, fmt.Sprintf("cluster_ids[%d]", i), id)
	}
	if err := v.Err(); err != nil {
		return domain.Report{}, nil, err
	}
	selected, err := reportClusters(p, q.ClusterIDs)
	if err != nil {
		return domain.Report{}, nil, err
	}
	in := domain.ReportInput{Period: period, Selected: selected, Now: s.now(), Organizations: map[string]domain.Organization{}, Tenders: map[string]domain.Tender{}}
	if in.Clusters, err = s.store.ListClusters(ctx); err != nil {
		return domain.Report{}, nil, err
	}
	known := map[string]bool{}
	for _, c := range in.Clusters {
		known[c.ID] = true
	}
	for i, id := range selected {
		if !known[id] {
			v.Add(fmt.Sprintf("cluster_ids[%d]", i), "no cluster %s exists", id)
		}
	}
	if err := v.Err(); err != nil {
		return domain.Report{}, nil, err
	}
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		return domain.Report{}, nil, err
	}
	for _, o := range orgs {
		in.Organizations[o.ID] = o
	}
	ts, err := s.store.ListTenders(ctx)
	if err != nil {
		return domain.Report{}, nil, err
	}
	for _, t := range ts {
		in.Tenders[t.ID] = t
	}
	if in.Bids, err = s.store.ListBids(ctx); err != nil {
		return domain.Report{}, nil, err
	}
	if in.Commissions, err = s.allVisible(ctx, ListQuery{}); err != nil {
		return domain.Report{}, nil, err
	}
	seqs := map[string]uint64{}
	for name, f := range map[string]func(context.Context) (uint64, error){
		"COMMISSION": s.store.Checkpoint, follow.MemberStream: s.store.DirectoryCheckpoint, follow.TenderStream: s.store.BidsCheckpoint,
	} {
		if seqs[name], err = f(ctx); err != nil {
			return domain.Report{}, nil, err
		}
	}
	return domain.ComputeReport(in), seqs, nil
}

// ExportQuery asks for an export file.
type ExportQuery struct {
	Format   export.Format
	Section  export.Section // CSV of the report: which table
	Language string         // "es" or "en"
}

func checkExport(q ExportQuery) error {
	var v domainerr.Violations
	if q.Format != export.CSV && q.Format != export.XLSX {
		v.Add("format", "want CSV or XLSX")
	}
	if q.Section < 0 || q.Section > export.SectionConsortia {
		v.Add("section", "unknown report section %d", int(q.Section))
	}
	if q.Language != "" && q.Language != "es" && q.Language != "en" {
		v.Add("language_code", "want \"es\" or \"en\", got %q", q.Language)
	}
	return v.Err()
}

// ExportReport exports the report (same authorisation as Report).
func (s *Service) ExportReport(ctx context.Context, q ReportQuery, x ExportQuery) (export.File, error) {
	if err := checkExport(x); err != nil {
		return export.File{}, err
	}
	r, _, err := s.Report(ctx, q)
	if err != nil {
		return export.File{}, err
	}
	return export.Report(r, x.Format, x.Section, x.Language)
}

// ExportCommissions exports the commissions matching q that the caller may read.
func (s *Service) ExportCommissions(ctx context.Context, q ListQuery, x ExportQuery) (export.File, error) {
	if _, err := requireAuth(ctx); err != nil {
		return export.File{}, err
	}
	if err := checkExport(x); err != nil {
		return export.File{}, err
	}
	cs, err := s.allVisible(ctx, q)
	if err != nil {
		return export.File{}, err
	}
	n, err := s.Names(ctx)
	if err != nil {
		return export.File{}, err
	}
	now := s.now()
	rows := make([]export.CommissionRow, 0, len(cs))
	for _, c := range cs {
		row := export.CommissionRow{ID: c.ID, Name: c.Name, Theme: c.Theme, Convener: n.Clusters[c.ConvenerID], Status: c.Status,
			LinkedTenders: len(c.Tenders), Projects: len(c.Projects)}
		seen := map[string]bool{}
		for _, m := range c.Sitting() {
			row.Members++
			for _, cl := range n.Organizations[m.OrganizationID].ActiveIn {
				if !seen[cl] {
					seen[cl] = true
					row.Clusters = append(row.Clusters, n.Clusters[cl])
				}
			}
		}
		for _, m := range c.Meetings {
			if m.Held(now) {
				row.MeetingsHeld++
			}
		}
		if m, ok := c.NextMeeting(now); ok {
			row.NextMeeting = m.Start
		}
		rows = append(rows, row)
	}
	return export.Commissions(rows, x.Format, x.Language)
}
