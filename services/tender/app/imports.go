package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// Outcome of importing one tender.
type Outcome int

// Import outcomes.
const (
	Created Outcome = iota + 1
	Updated
	Unchanged
	Tombstoned
	// Withdrawn is a tombstone for a tender never imported here (an ANULADA
	// row of an OpenPLACSP export): nothing to cancel, nothing imported. Import
	// summaries count it as filtered out (ImportSummary.Withdrawn).
	Withdrawn
)

func (o Outcome) String() string {
	return [...]string{"", "created", "updated", "unchanged", "tombstoned", "withdrawn"}[o]
}

var importNamespace = uuid.MustParse("5e0c2a77-9d4f-4b61-8f3e-7a2b1c0d9e44")

// ImportedTenderID is the id of the tender imported from a source record, so
// the log itself makes importing the same record twice create one tender.
func ImportedTenderID(system, sourceID string) string {
	return uuid.NewSHA1(importNamespace, []byte(system+"\x00"+sourceID)).String()
}

var procedures = map[string]tenderv1.ProcedureType{
	intake.ProcedureOpen:                       tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN,
	intake.ProcedureOpenSimplified:             tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN_SIMPLIFIED,
	intake.ProcedureRestricted:                 tenderv1.ProcedureType_PROCEDURE_TYPE_RESTRICTED,
	intake.ProcedureNegotiatedWithPublicity:    tenderv1.ProcedureType_PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICITY,
	intake.ProcedureNegotiatedWithoutPublicity: tenderv1.ProcedureType_PROCEDURE_TYPE_NEGOTIATED_WITHOUT_PUBLICITY,
	intake.ProcedureCompetitiveDialogue:        tenderv1.ProcedureType_PROCEDURE_TYPE_COMPETITIVE_DIALOGUE,
	intake.ProcedureInnovationPartnership:      tenderv1.ProcedureType_PROCEDURE_TYPE_INNOVATION_PARTNERSHIP,
	intake.ProcedureMinor:                      tenderv1.ProcedureType_PROCEDURE_TYPE_MINOR,
	intake.ProcedureOther:                      tenderv1.ProcedureType_PROCEDURE_TYPE_OTHER,
}

var contracts = map[string]tenderv1.ContractType{
	intake.ContractServices: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
	intake.ContractSupplies: tenderv1.ContractType_CONTRACT_TYPE_SUPPLIES,
	intake.ContractWorks:    tenderv1.ContractType_CONTRACT_TYPE_WORKS,
	intake.ContractOther:    tenderv1.ContractType_CONTRACT_TYPE_OTHER,
}

var statuses = map[intake.Status]domain.Status{
	intake.StatusPlanned:      domain.StatusPlanned,
	intake.StatusActive:       domain.StatusActive,
	intake.StatusComplete:     domain.StatusComplete,
	intake.StatusCancelled:    domain.StatusCancelled,
	intake.StatusUnsuccessful: domain.StatusUnsuccessful,
	intake.StatusWithdrawn:    domain.StatusCancelled,
}

// FromIntake maps a parsed source record to tender details, status and source.
// Sources publish no structured requirements: the LCSP defaults apply (economic
// threshold from art. 87, technical solvency 70 % / 3 CPV digits from art. 90).
func FromIntake(it intake.Tender) (domain.Details, domain.Status, domain.Source) {
	d := domain.Details{
		Authority: domain.Authority{Name: it.Authority.Name, NIF: it.Authority.NIF, DIR3: it.Authority.DIR3},
		Title:     it.Title, Description: it.Description,
		Procedure: int(procedures[it.ProcedureType]), ContractType: int(contracts[it.ContractType]),
		CPVs: append([]string(nil), it.CPVs...), NUTS: append([]string(nil), it.NUTS...),
		EstimatedCents: it.EstimatedValueCents, BudgetNoVATCents: it.BudgetNoVATCents, BudgetWithVATCents: it.BudgetWithVATCents,
		DurationMonths: it.DurationMonths, Deadline: it.Deadline,
	}
	if d.EstimatedCents == 0 {
		// Some notices give only the budget; it is the best available base.
		d.EstimatedCents = it.BudgetNoVATCents
	}
	for _, doc := range it.Documents {
		if strings.HasPrefix(doc.URL, "http://") || strings.HasPrefix(doc.URL, "https://") {
			d.Documents = append(d.Documents, domain.Document{Title: doc.Title, URL: doc.URL})
		}
	}
	for _, l := range it.Lots {
		d.Lots = append(d.Lots, domain.Lot{ID: l.ID, Title: l.Title, CPVs: append([]string(nil), l.CPVs...), EstimatedCents: l.EstimatedValueCents, BudgetNoVATCents: l.BudgetNoVATCents})
	}
	for _, a := range it.Awards {
		d.Awards = append(d.Awards, domain.Award{LotID: a.LotID, WinnerName: a.WinnerName, WinnerTaxID: a.WinnerNIF, SME: a.SME, AmountCents: a.AmountNoVATCents, Date: a.Date, OffersReceived: a.OffersReceived})
	}
	status := statuses[it.Status]
	if status == domain.StatusUnspecified {
		status = domain.StatusActive
	}
	return d, status, domain.Source{System: string(it.Source), SourceID: it.SourceID, URL: it.SourceURL, Updated: it.Updated, SourceStatus: it.SourceStatus}
}

// Import is a tender to import with optional enrichment (demo requirements).
type Import struct {
	Tender intake.Tender
	// Requirements, when set, replace the LCSP defaults.
	Requirements *domain.Requirements
	SharedWith   []string
	Demo         bool
}

// ImportTender imports one source record for a cluster: new, an update (newer
// at the source), unchanged (same or older), or tombstoned (deleted at the
// source: the tender is cancelled). Invalid records return an InvalidError.
// It returns once the read model has the tender.
func (s *Service) ImportTender(ctx context.Context, clusterID string, in Import) (domain.Tender, Outcome, error) {
	cur, id, outcome, seq, err := s.importTender(ctx, clusterID, in)
	if err != nil || seq == 0 {
		return cur, outcome, err
	}
	if err := s.proj.WaitFor(ctx, seq); err != nil {
		return cur, outcome, fmt.Errorf("waiting for read model: %w", err)
	}
	t, err := s.store.GetTender(ctx, id)
	if err == nil && outcome == Created && len(in.SharedWith) > 0 {
		t, err = s.ShareTender(ctx, id, in.SharedWith, "")
	}
	return t, outcome, err
}

// importTender decides and appends one record without waiting for the read
// model (a bulk import waits once, at the end). It returns the tender as
// loaded from the log, its id, the outcome and the sequence of the event
// appended (0 when nothing was).
func (s *Service) importTender(ctx context.Context, clusterID string, in Import) (domain.Tender, string, Outcome, uint64, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Tender{}, "", 0, 0, err
	}
	if clusterID == "" {
		return domain.Tender{}, "", 0, 0, domainerr.Invalid("cluster_id", "required")
	}
	if !p.Has(auth.RoleAdmin) && !p.ManagesCluster(clusterID) {
		return domain.Tender{}, "", 0, 0, denied(p, "import tenders for cluster "+clusterID)
	}
	it := in.Tender
	if it.SourceID == "" {
		return domain.Tender{}, "", 0, 0, domainerr.Invalid("source_id", "the record has no source id")
	}
	d, status, src := FromIntake(it)
	// The status follows the dates: an open tender whose deadline has passed
	// arrives under evaluation (the scheduler closes the others as they pass).
	status = domain.StatusAt(status, d.Deadline, s.now())
	if in.Requirements != nil {
		d.Requirements = *in.Requirements
	}
	id := ImportedTenderID(src.System, src.SourceID)
	for attempt := 0; ; attempt++ {
		cur, err := s.loadTender(ctx, id)
		exists := err == nil
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return cur, id, 0, 0, err
		}
		var e domain.Event
		outcome := Unchanged
		switch {
		case it.Deleted && !exists:
			return cur, id, Withdrawn, 0, nil
		case it.Deleted && cur.Status.Decided():
			return cur, id, Unchanged, 0, nil
		case it.Deleted:
			e, outcome = domain.TenderCancelled{TenderID: id, Reason: "deleted at the source (" + src.System + ")"}, Tombstoned
		case !exists:
			if d, err = domain.ValidateDetails(d, s.codes, s.now(), false); err != nil {
				return cur, id, 0, 0, err
			}
			e, outcome = domain.TenderCreated{TenderID: id, ClusterID: clusterID, Details: d, Status: status, Source: src, Demo: in.Demo}, Created
		case src.Updated.After(cur.Source.Updated):
			if d, err = domain.ValidateDetails(d, s.codes, s.now(), false); err != nil {
				return cur, id, 0, 0, err
			}
			if in.Requirements == nil {
				d.Requirements = cur.Details.Requirements // keep what the manager set
			}
			e, outcome = domain.TenderRevised{TenderID: id, Details: d, Status: status, Source: src}, Updated
		default:
			return cur, id, Unchanged, 0, nil
		}
		subject := domain.TenderSubject(id)
		// The source's update time is the key: the same record imported twice
		// is one event.
		res, err := s.write(ctx, subject, e, int64(cur.Version), eventlog.Mark{MsgID: eventlog.MsgID(fmt.Sprint(src.Updated.UnixNano()), "import", fmt.Sprintf("%T", e), subject)})
		if errors.Is(err, domainerr.ErrConflict) && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return cur, id, 0, 0, err
			}
			continue
		}
		if err != nil {
			return cur, id, 0, 0, err
		}
		return cur, id, outcome, res.Sequence, nil
	}
}
