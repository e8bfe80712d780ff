package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/intake/eforms"
	"github.com/consortia-dev/consortia/services/tender/intake/ocds"
	"github.com/consortia-dev/consortia/services/tender/intake/placsp"
	"github.com/consortia-dev/consortia/services/tender/intake/xlsx"
)

// Formats accepted by ImportDocument. "intake-json" is a JSON array of
// already-parsed records (intake.Tender), as `consortia import placsp` sends
// after reading a paged feed with its checkpoint.
var Formats = []string{"placsp", "xlsx", "eforms", "ocds", "intake-json"}

// ImportFilter keeps only some records of a document.
type ImportFilter struct {
	NUTSPrefix string // e.g. "ES13" (Cantabria)
	CPVPrefix  string // e.g. "72"
	// ClusterProfile keeps only the tenders that fit the owning cluster:
	// performed in its region (the NUTS 2 region of the cluster's region_nuts,
	// ES13 for ES130) and with a CPV code in the branch of one of its active
	// members' CPV interests (72000000 covers every 72…; 72212000 covers
	// 72212…, and a tender coded 72000000 falls in its branch too). Either part
	// is skipped when the cluster has no region or its members no interests.
	ClusterProfile bool
}

// Reasons a record is filtered out, as the summary counts them.
const (
	FilteredNUTS         = "outside the NUTS filter"
	FilteredCPV          = "outside the CPV filter"
	FilteredRegion       = "performed outside the cluster's region"
	FilteredNoPlace      = "no place of performance (cannot match the cluster's region)"
	FilteredCPVInterests = "no CPV code in the cluster members' interests"
	FilteredWithdrawn    = "withdrawn at the source, never imported here"
)

// profile is the resolved cluster profile of a ClusterProfile filter.
type profile struct {
	region      string   // NUTS prefix, "" = any
	cpvBranches []string // CPV interests without trailing zeros (at least 2 digits), nil = any
}

// codes returns every CPV code of the tender and its lots.
func codesOf(t intake.Tender) []string {
	out := slices.Clone(t.CPVs)
	for _, l := range t.Lots {
		out = append(out, l.CPVs...)
	}
	return out
}

// reject returns why the filter drops t ("" = kept).
func (f ImportFilter) reject(t intake.Tender, p profile) string {
	if t.Deleted {
		return "" // tombstones carry no place or CPV
	}
	if f.NUTSPrefix != "" && !slices.ContainsFunc(t.NUTS, func(n string) bool { return strings.HasPrefix(n, strings.ToUpper(f.NUTSPrefix)) }) {
		return FilteredNUTS
	}
	codes := codesOf(t)
	if f.CPVPrefix != "" && !slices.ContainsFunc(codes, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) }) {
		return FilteredCPV
	}
	if !f.ClusterProfile {
		return ""
	}
	if p.region != "" {
		if len(t.NUTS) == 0 {
			return FilteredNoPlace
		}
		if !slices.ContainsFunc(t.NUTS, func(n string) bool { return strings.HasPrefix(strings.ToUpper(n), p.region) }) {
			return FilteredRegion
		}
	}
	if p.cpvBranches != nil && !slices.ContainsFunc(codes, func(c string) bool {
		return slices.ContainsFunc(p.cpvBranches, func(b string) bool { return strings.HasPrefix(c, b) || strings.HasPrefix(b, cpvBranch(c)) })
	}) {
		return FilteredCPVInterests
	}
	return ""
}

// ClusterRegions looks up the region a cluster operates in (the member
// service; membership.Checker implements it next to Memberships).
type ClusterRegions interface {
	ClusterRegion(ctx context.Context, clusterID string) (string, error)
}

// clusterProfile resolves the owning cluster's profile: its region at NUTS 2
// (from the member service, when the service's Memberships can tell) and the
// CPV groups of its active members' interests (from the company index).
func (s *Service) clusterProfile(ctx context.Context, clusterID string) (profile, error) {
	var p profile
	if r, ok := s.members.(ClusterRegions); ok {
		region, err := r.ClusterRegion(ctx, clusterID)
		if err != nil {
			return p, err
		}
		p.region = strings.ToUpper(region)
		if len(p.region) > 4 {
			p.region = p.region[:4] // NUTS 2: ES130 (Cantabria, NUTS 3) → ES13
		}
	}
	cos, err := s.store.ListCompanies(ctx, []string{clusterID})
	if err != nil {
		return p, err
	}
	for _, c := range cos {
		for _, code := range c.CPVInterests {
			if b := cpvBranch(code); len(b) >= 2 && !slices.Contains(p.cpvBranches, b) {
				p.cpvBranches = append(p.cpvBranches, b)
			}
		}
	}
	slices.Sort(p.cpvBranches)
	return p, nil
}

// cpvBranch is a CPV code without its trailing zeros, at least its 2-digit
// division: the codes it stands for ("72000000" → "72", "72212000" → "72212").
func cpvBranch(code string) string {
	b := strings.TrimRight(code, "0")
	if len(b) < 2 && len(code) >= 2 {
		b = code[:2]
	}
	return b
}

// ImportSummary counts the outcome of an import.
type ImportSummary struct {
	Created, Updated, Unchanged, Tombstoned, Filtered int
	// Withdrawn counts, among Filtered, the tombstones of tenders never
	// imported here (records withdrawn at the source, such as the ANULADA rows
	// of an OpenPLACSP export): there is nothing to cancel and nothing to import.
	Withdrawn int
	// FilteredBy counts the filtered records by reason (the Filtered* constants).
	FilteredBy map[string]int
	Rejected   []intake.Rejected
}

func (s *ImportSummary) filter(reason string) {
	s.Filtered++
	if s.FilteredBy == nil {
		s.FilteredBy = map[string]int{}
	}
	s.FilteredBy[reason]++
}

// ParseDocument parses a source document of a format into tenders and
// rejected records. Only an unreadable document is an error.
func ParseDocument(format string, content []byte, progress func(done, total int)) (intake.Result, error) {
	switch format {
	case "placsp":
		feed, err := placsp.ParseFeed(bytes.NewReader(content), progress)
		return feed.Result, err
	case "xlsx":
		return xlsx.Parse(bytes.NewReader(content), progress)
	case "eforms":
		t, err := eforms.Parse(bytes.NewReader(content))
		if err != nil {
			return intake.Result{}, err
		}
		return intake.Result{Tenders: []intake.Tender{t}}, nil
	case "intake-json":
		var ts []intake.Tender
		dec := json.NewDecoder(bytes.NewReader(content))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ts); err != nil {
			return intake.Result{}, fmt.Errorf("intake JSON: %w", err)
		}
		return intake.Result{Tenders: ts}, nil
	case "ocds":
		v, err := ocds.DefaultValidator()
		if err != nil {
			return intake.Result{}, fmt.Errorf("OCDS schema: %w", err)
		}
		return ocds.Parse(content, v, progress)
	}
	return intake.Result{}, domainerr.Invalid("format", "want one of %s, got %q", strings.Join(Formats, ", "), format)
}

// ImportDocument parses a document and imports every record for a cluster. A
// bad record is reported in the summary and skipped; it never aborts the rest
// or half-imports a tender (each tender is one event). progress is called
// after each record with the phase's counts.
func (s *Service) ImportDocument(ctx context.Context, clusterID, format string, content []byte, f ImportFilter, progress func(done, total int)) (ImportSummary, error) {
	var sum ImportSummary
	var v domainerr.Violations
	if clusterID == "" {
		v.Add("cluster_id", "required")
	}
	if len(content) == 0 {
		v.Add("content", "the document is empty")
	}
	if !slices.Contains(Formats, format) {
		v.Add("format", "want one of %s, got %q", strings.Join(Formats, ", "), format)
	}
	if err := v.Err(); err != nil {
		return sum, err
	}
	// Refuse before parsing, so the caller gets a plain PermissionDenied
	// rather than a refusal in the middle of a progress stream.
	p, err := requireAuth(ctx)
	if err != nil {
		return sum, err
	}
	if !p.Has(auth.RoleAdmin) && !p.ManagesCluster(clusterID) {
		return sum, denied(p, "import tenders for cluster "+clusterID)
	}
	res, err := ParseDocument(format, content, nil)
	if err != nil {
		var inv *domainerr.InvalidError
		if errors.As(err, &inv) {
			return sum, err
		}
		return sum, domainerr.Invalid("content", "not a readable %s document: %v", format, err)
	}
	sum.Rejected = append(sum.Rejected, res.Rejected...)
	var prof profile
	if f.ClusterProfile {
		if prof, err = s.clusterProfile(ctx, clusterID); err != nil {
			return sum, fmt.Errorf("profile of cluster %s: %w", clusterID, err)
		}
		s.logger.InfoContext(ctx, "import filtered by the cluster's profile", "cluster", clusterID, "region", prof.region, "cpv_branches", prof.cpvBranches)
	}
	// Every new or changed tender is appended without waiting for the read
	// model; the import returns once the read model has the last of them.
	var last uint64
	for i, t := range res.Tenders {
		if progress != nil {
			progress(i, len(res.Tenders))
		}
		if reason := f.reject(t, prof); reason != "" {
			sum.filter(reason)
			continue
		}
		_, _, outcome, seq, err := s.importTender(ctx, clusterID, Import{Tender: t})
		var inv *domainerr.InvalidError
		switch {
		case errors.As(err, &inv):
			sum.Rejected = append(sum.Rejected, intake.Rejected{Record: string(t.Source) + " " + t.SourceID, Reason: inv.Error()})
			continue
		case err != nil:
			return sum, fmt.Errorf("import %s %s: %w", t.Source, t.SourceID, err)
		}
		last = max(last, seq)
		switch outcome {
		case Created:
			sum.Created++
		case Updated:
			sum.Updated++
		case Tombstoned:
			sum.Tombstoned++
		case Withdrawn:
			sum.filter(FilteredWithdrawn)
			sum.Withdrawn++
		default:
			sum.Unchanged++
		}
	}
	if last > 0 {
		if err := s.proj.WaitFor(ctx, last); err != nil {
			return sum, fmt.Errorf("waiting for read model: %w", err)
		}
	}
	if progress != nil {
		progress(len(res.Tenders), len(res.Tenders))
	}
	return sum, nil
}
