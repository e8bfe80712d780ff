// Package intake holds the neutral tender type that every importer produces.
//
// Each sub-package reads one kind of real procurement document and turns it
// into [Tender] values:
//
//   - intake/placsp: the PLACSP ATOM syndication feed (CODICE entries);
//   - intake/xlsx: the OpenPLACSP spreadsheet export;
//   - intake/eforms: TED eForms UBL 2.3 notices;
//   - intake/ocds: OCDS 1.1 release and record packages (and the reverse export).
//
// The tender service maps a [Tender] onto its ImportTender command. SourceID and
// Updated together decide whether an imported tender is new, an update or stale.
//
// Parsers never abort a file because of one bad record: the record is reported
// in [Result.Rejected] and skipped. Long-running parsers accept a [Progress]
// callback so a command-line tool can draw a progress bar.
package intake

import "time"

// Source names the kind of document a tender was read from.
type Source string

// The sources an importer can report.
const (
	SourcePLACSP         Source = "placsp"          // PLACSP ATOM/CODICE feed
	SourceOpenPLACSPXLSX Source = "openplacsp-xlsx" // OpenPLACSP spreadsheet export
	SourceTEDeForms      Source = "ted-eforms"      // TED eForms UBL notice
	SourceOCDS           Source = "ocds"            // OCDS release or record package
)

// Status is an OCDS tender status (closed tenderStatus codelist, without the
// deprecated "planning").
type Status string

// The OCDS tender statuses.
const (
	StatusPlanned      Status = "planned"
	StatusActive       Status = "active"
	StatusComplete     Status = "complete"
	StatusCancelled    Status = "cancelled"
	StatusUnsuccessful Status = "unsuccessful"
	StatusWithdrawn    Status = "withdrawn"
)

// Normalized procedure types (Tender.ProcedureType).
const (
	ProcedureOpen                       = "open"
	ProcedureRestricted                 = "restricted"
	ProcedureNegotiatedWithPublicity    = "negotiated_with_publicity"
	ProcedureNegotiatedWithoutPublicity = "negotiated_without_publicity"
	ProcedureCompetitiveDialogue        = "competitive_dialogue"
	ProcedureInnovationPartnership      = "innovation_partnership"
	ProcedureOpenSimplified             = "open_simplified"
	ProcedureMinor                      = "minor"
	ProcedureOther                      = "other"
)

// Normalized contract types (Tender.ContractType).
const (
	ContractSupplies = "supplies"
	ContractServices = "services"
	ContractWorks    = "works"
	ContractOther    = "other"
)

// Normalized notice types (Tender.NoticeType).
const (
	NoticePriorInformation = "prior-information"
	NoticeContract         = "contract-notice"
	NoticeContractAward    = "contract-award"
)

// Tender is one procurement procedure as published by a source, in a neutral
// shape shared by all importers. Amounts are euro cents (or cents of Currency);
// zero means unknown. Times are zero when unknown.
type Tender struct {
	Source       Source    // where the tender was read from
	SourceID     string    // the source's own stable id (PLACSP entry id, TED notice id, OCDS ocid)
	SourceURL    string    // a human-readable page for the tender, when the source gives one
	Updated      time.Time // the source's update time; with SourceID decides new/update/stale
	Deleted      bool      // a tombstone: the source withdrew the record (PLACSP at:deleted-entry)
	Status       Status    // OCDS tender status; empty when the source state is unknown
	SourceStatus string    // the raw source state, e.g. "PUB", "En plazo", "cn-standard"
	NoticeType   string    // NoticePriorInformation, NoticeContract, NoticeContractAward or a raw code
	FileNumber   string    // the buyer's file number (expediente)

	Title       string
	Description string
	Authority   Authority // the contracting authority (buyer)

	ProcedureType string   // one of the Procedure* constants, or "" when unknown
	ContractType  string   // one of the Contract* constants, or "" when unknown
	CPVs          []string // CPV 2008 codes, 8 digits without check digit, deduplicated, main first
	NUTS          []string // NUTS codes of the place of performance, e.g. "ES130"

	EstimatedValueCents int64 // estimated value of the contract (valor estimado), VAT excluded
	BudgetNoVATCents    int64 // tender budget without VAT (presupuesto base sin impuestos)
	BudgetWithVATCents  int64 // tender budget with VAT (presupuesto base con impuestos)
	Currency            string

	DurationMonths int       // contract duration in months, rounded up; 0 when unknown
	Deadline       time.Time // submission deadline; zero when unknown

	Documents []Document
	Lots      []Lot
	Awards    []Award
}

// Authority identifies a contracting authority.
type Authority struct {
	Name string
	NIF  string // Spanish tax id for PLACSP; the national company/registration id for other sources
	DIR3 string // Spanish DIR3 administrative unit code, when known
}

// Document is a link to a tender document.
type Document struct {
	Title string
	URL   string
	Kind  string // "legal", "technical", "additional", "general", or the source's own document type
}

// Lot is one lot of a tender.
type Lot struct {
	ID                  string
	Title               string
	CPVs                []string
	EstimatedValueCents int64
	BudgetNoVATCents    int64
	NUTS                []string
}

// Award is one winner of a tender or of one of its lots. When several
// organisations win the same lot (framework agreements, joint bids) there is
// one Award per organisation, each with the amounts as published.
type Award struct {
	LotID              string // empty when the tender has no lots
	WinnerName         string
	WinnerNIF          string // the winner's tax/company id as published
	SME                *bool  // nil when the source does not say
	AmountNoVATCents   int64
	AmountWithVATCents int64
	Date               time.Time // award decision date
	OffersReceived     int
}

// Rejected reports one record that could not be imported.
type Rejected struct {
	Record string // where the record is: "row 17", an entry id, a file name
	Reason string
}

// Result is what a parser returns for one document: the tenders it could read
// and the records it had to skip.
type Result struct {
	Tenders  []Tender
	Rejected []Rejected
}

// Reject records that the given record was skipped for reason.
func (r *Result) Reject(record, reason string) {
	r.Rejected = append(r.Rejected, Rejected{Record: record, Reason: reason})
}

// Progress is called by parsers as records are processed. total is 0 when the
// number of records is not known in advance.
type Progress func(done, total int)

// Report calls p when it is not nil.
func (p Progress) Report(done, total int) {
	if p != nil {
		p(done, total)
	}
}
