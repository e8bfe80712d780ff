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
}

func (f ImportFilter) keep(t intake.Tender) bool {
	if t.Deleted {
		return true // tombstones carry no place or CPV
	}
	if f.NUTSPrefix != "" && !slices.ContainsFunc(t.NUTS, func(n string) bool { return strings.HasPrefix(n, strings.ToUpper(f.NUTSPrefix)) }) {
		return false
	}
	if f.CPVPrefix != "" {
		has := slices.ContainsFunc(t.CPVs, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) })
		for _, l := range t.Lots {
			has = has || slices.ContainsFunc(l.CPVs, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) })
		}
		return has
	}
	return true
}

// ImportSummary counts the outcome of an import.
type ImportSummary struct {
	Created, Updated, Unchanged, Tombstoned, Filtered int
	// Withdrawn counts, among Filtered, the tombstones of tenders never
	// imported here (records withdrawn at the source, such as the ANULADA rows
	// of an OpenPLACSP export): there is nothing to cancel and nothing to import.
	Withdrawn int
	Rejected  []intake.Rejected
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
	// Every new or changed tender is appended without waiting for the read
	// model; the import returns once the read model has the last of them.
	var last uint64
	for i, t := range res.Tenders {
		if progress != nil {
			progress(i, len(res.Tenders))
		}
		if !f.keep(t) {
			sum.Filtered++
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
			sum.Filtered++
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
