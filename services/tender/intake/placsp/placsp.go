// Package placsp reads the syndication feed of the Plataforma de Contratación
// del Sector Público (PLACSP): ATOM pages whose entries carry a CODICE
// cac-place-ext:ContractFolderStatus, plus at:deleted-entry tombstones.
//
// ParseFeed reads one page; ReadFeed follows the pages' rel="next" links from a
// file, a directory or an http(s) URL and, with a Checkpoint, returns only what
// changed since the previous run.
//
// # Status mapping
//
// The folder status code (SyndicationContractFolderStatusCode) maps onto the
// OCDS tender status as follows:
//
//	PRE  (anuncio previo)        → planned
//	PUB  (en plazo)              → active
//	EV   (pendiente de adjudicar) → active
//	ADJ  (adjudicada)            → active   (awarded, contract not yet formalised)
//	RES  (resuelta)              → complete
//	ANUL (anulada)               → cancelled
//
// An ADJ or RES folder whose tender results name no winner at all (every lot
// declared void, desierto) is reported as unsuccessful. Unknown codes leave
// Status empty; SourceStatus always keeps the raw code.
package placsp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/intake"
)

// ErrNotFeed is returned when the document is not an ATOM feed.
var ErrNotFeed = errors.New("not an ATOM feed")

// Feed is one parsed page of the PLACSP feed.
type Feed struct {
	ID      string    // the feed's <id>
	Updated time.Time // the feed's <updated>; zero when absent or malformed
	Next    string    // href of <link rel="next">, as written; empty on the last page
	Result  intake.Result
}

// ParseFeed reads one ATOM page. Entries and tombstones become tenders (a
// tombstone has Deleted set and only SourceID, Updated and status filled in);
// entries that cannot be read are reported in Result.Rejected. Only a document
// that is not well-formed XML, or not a feed, is an error. progress, which may
// be nil, is called after each entry with total 0.
func ParseFeed(r io.Reader, progress func(done, total int)) (Feed, error) {
	var feed Feed
	dec := xml.NewDecoder(r)
	report := intake.Progress(progress)
	seenRoot := false
	done := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return feed, fmt.Errorf("read feed: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !seenRoot {
			if start.Name.Local != "feed" {
				return feed, fmt.Errorf("%w: root element is <%s>", ErrNotFeed, start.Name.Local)
			}
			seenRoot = true
			continue
		}
		// Every child of <feed> is consumed whole below, so start is a direct child.
		switch start.Name.Local {
		case "id":
			if err := dec.DecodeElement(&feed.ID, &start); err != nil {
				return feed, fmt.Errorf("read feed id: %w", err)
			}
			feed.ID = strings.TrimSpace(feed.ID)
		case "updated":
			var s string
			if err := dec.DecodeElement(&s, &start); err != nil {
				return feed, fmt.Errorf("read feed updated: %w", err)
			}
			feed.Updated, _ = parseAtomTime(s) // informational only
		case "link":
			var l atomLink
			if err := dec.DecodeElement(&l, &start); err != nil {
				return feed, fmt.Errorf("read feed link: %w", err)
			}
			if l.Rel == "next" {
				feed.Next = strings.TrimSpace(l.Href)
			}
		case "entry":
			var e atomEntry
			if err := dec.DecodeElement(&e, &start); err != nil {
				return feed, fmt.Errorf("read entry %d: %w", done+1, err)
			}
			t, err := entryTender(e)
			if err != nil {
				feed.Result.Reject(entryRecord(e.ID, done+1), err.Error())
			} else {
				feed.Result.Tenders = append(feed.Result.Tenders, t)
			}
			done++
			report.Report(done, 0)
		case "deleted-entry":
			var d deletedEntry
			if err := dec.DecodeElement(&d, &start); err != nil {
				return feed, fmt.Errorf("read deleted entry %d: %w", done+1, err)
			}
			t, err := tombstoneTender(d)
			if err != nil {
				feed.Result.Reject(entryRecord(d.Ref, done+1), err.Error())
			} else {
				feed.Result.Tenders = append(feed.Result.Tenders, t)
			}
			done++
			report.Report(done, 0)
		default:
			if err := dec.Skip(); err != nil {
				return feed, fmt.Errorf("read feed: %w", err)
			}
		}
	}
	if !seenRoot {
		return feed, fmt.Errorf("%w: no root element", ErrNotFeed)
	}
	return feed, nil
}

// entryRecord names an entry for a Rejected report.
func entryRecord(id string, n int) string {
	if id = strings.TrimSpace(id); id != "" {
		return id
	}
	return "entry " + strconv.Itoa(n)
}

// SourceID returns the stable id of a PLACSP entry: the last path segment of
// its ATOM id or tombstone ref (".../licitacionesPerfilContratante/18526649"
// → "18526649"). This is also the "Identificador" of the OpenPLACSP export.
func SourceID(entryID string) string {
	id := strings.TrimRight(strings.TrimSpace(entryID), "/")
	if i := strings.LastIndex(id, "/"); i >= 0 {
		return id[i+1:]
	}
	return id
}

// parseAtomTime parses an ATOM date-time such as 2025-12-29T18:57:52.718+01:00.
func parseAtomTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", intake.ErrDate, strings.TrimSpace(s))
	}
	return t, nil
}

// tombstoneTender turns an at:deleted-entry into a Deleted tender.
func tombstoneTender(d deletedEntry) (intake.Tender, error) {
	id := SourceID(d.Ref)
	if id == "" {
		return intake.Tender{}, errors.New("deleted-entry without ref")
	}
	when, err := parseAtomTime(d.When)
	if err != nil {
		return intake.Tender{}, fmt.Errorf("deleted-entry when: %w", err)
	}
	t := intake.Tender{
		Source:       intake.SourcePLACSP,
		SourceID:     id,
		Updated:      when,
		Deleted:      true,
		SourceStatus: d.Comment.Type,
	}
	if strings.EqualFold(d.Comment.Type, "ANULADA") {
		t.Status = intake.StatusCancelled
	}
	return t, nil
}

// entryTender maps one ATOM entry with its ContractFolderStatus.
func entryTender(e atomEntry) (intake.Tender, error) {
	id := SourceID(e.ID)
	if id == "" {
		return intake.Tender{}, errors.New("entry without id")
	}
	updated, err := parseAtomTime(e.Updated)
	if err != nil {
		return intake.Tender{}, fmt.Errorf("entry updated: %w", err)
	}
	f := e.Folder
	if f == nil {
		return intake.Tender{}, errors.New("entry without ContractFolderStatus")
	}
	code := strings.TrimSpace(f.StatusCode)
	t := intake.Tender{
		Source:        intake.SourcePLACSP,
		SourceID:      id,
		Updated:       updated,
		Status:        Status(code),
		SourceStatus:  code,
		FileNumber:    strings.TrimSpace(f.ContractFolderID),
		Title:         strings.TrimSpace(e.Title),
		Description:   strings.TrimSpace(f.Project.Description),
		Authority:     authority(f.Party),
		ProcedureType: ProcedureType(f.Process.ProcedureCode),
		ContractType:  ContractType(f.Project.TypeCode),
	}
	for _, l := range e.Links {
		if l.Rel == "" || l.Rel == "alternate" {
			t.SourceURL = strings.TrimSpace(l.Href)
			break
		}
	}
	if t.Title == "" {
		t.Title = strings.TrimSpace(f.Project.Name)
	}

	// CPV and NUTS: the folder's own first, then each lot's.
	cpvSeen, cpvValid := 0, 0
	addCPVs := func(list []string, codes []string) []string {
		for _, c := range codes {
			cpvSeen++
			var ok bool
			if list, ok = intake.AppendCPV(list, c); ok {
				cpvValid++
			}
		}
		return list
	}
	t.CPVs = addCPVs(t.CPVs, f.Project.CPVs)
	t.NUTS = appendNUTS(t.NUTS, f.Project.NUTS)

	var currency string
	if t.EstimatedValueCents, err = money(f.Project.Budget.Estimated, &currency); err != nil {
		return intake.Tender{}, fmt.Errorf("EstimatedOverallContractAmount: %w", err)
	}
	if t.BudgetNoVATCents, err = money(f.Project.Budget.TaxExclusive, &currency); err != nil {
		return intake.Tender{}, fmt.Errorf("TaxExclusiveAmount: %w", err)
	}
	if t.BudgetWithVATCents, err = money(f.Project.Budget.Total, &currency); err != nil {
		return intake.Tender{}, fmt.Errorf("TotalAmount: %w", err)
	}

	t.DurationMonths = duration(f.Project.Planned)

	if f.Process.Deadline.EndDate != "" {
		if t.Deadline, err = intake.ParseXSDDateTime(f.Process.Deadline.EndDate, f.Process.Deadline.EndTime, intake.Madrid); err != nil {
			return intake.Tender{}, fmt.Errorf("TenderSubmissionDeadlinePeriod: %w", err)
		}
	}

	t.Documents = appendDocuments(t.Documents, f.LegalDocs, "legal")
	t.Documents = appendDocuments(t.Documents, f.TechnicalDocs, "technical")
	t.Documents = appendDocuments(t.Documents, f.AdditionalDocs, "additional")
	t.Documents = appendDocuments(t.Documents, f.GeneralDocs, "general")

	for _, l := range f.Lots {
		lot := intake.Lot{
			ID:    strings.TrimSpace(l.ID),
			Title: strings.TrimSpace(l.Project.Name),
			NUTS:  appendNUTS(nil, l.Project.NUTS),
		}
		lot.CPVs = addCPVs(lot.CPVs, l.Project.CPVs)
		if lot.EstimatedValueCents, err = money(l.Project.Budget.Estimated, &currency); err != nil {
			return intake.Tender{}, fmt.Errorf("lot %s EstimatedOverallContractAmount: %w", lot.ID, err)
		}
		if lot.BudgetNoVATCents, err = money(l.Project.Budget.TaxExclusive, &currency); err != nil {
			return intake.Tender{}, fmt.Errorf("lot %s TaxExclusiveAmount: %w", lot.ID, err)
		}
		for _, c := range lot.CPVs {
			t.CPVs = intake.AppendUnique(t.CPVs, c)
		}
		for _, n := range lot.NUTS {
			t.NUTS = intake.AppendUnique(t.NUTS, n)
		}
		t.Lots = append(t.Lots, lot)
	}
	if cpvSeen > 0 && cpvValid == 0 {
		return intake.Tender{}, fmt.Errorf("no valid CPV code among %d published", cpvSeen)
	}

	winners := 0
	for _, r := range f.Results {
		awards, err := resultAwards(r, &currency)
		if err != nil {
			return intake.Tender{}, fmt.Errorf("TenderResult: %w", err)
		}
		winners += len(awards)
		t.Awards = append(t.Awards, awards...)
	}
	if len(f.Results) > 0 && winners == 0 && (code == "ADJ" || code == "RES") {
		t.Status = intake.StatusUnsuccessful
	}
	t.Currency = currency
	t.NoticeType = noticeType(f.Notices, code)
	return t, nil
}

// resultAwards returns one award per winning party of a TenderResult.
func resultAwards(r tenderResult, currency *string) ([]intake.Award, error) {
	if len(r.Winners) == 0 {
		return nil, nil
	}
	base := intake.Award{LotID: strings.TrimSpace(r.LotID)}
	var err error
	if base.AmountNoVATCents, err = money(r.TaxExclusive, currency); err != nil {
		return nil, fmt.Errorf("TaxExclusiveAmount: %w", err)
	}
	if base.AmountWithVATCents, err = money(r.Payable, currency); err != nil {
		return nil, fmt.Errorf("PayableAmount: %w", err)
	}
	if r.AwardDate != "" {
		if base.Date, err = intake.ParseXSDDate(r.AwardDate, intake.Madrid); err != nil {
			return nil, fmt.Errorf("AwardDate: %w", err)
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(r.Received)); err == nil && n >= 0 {
		base.OffersReceived = n
	}
	if b, err := strconv.ParseBool(strings.TrimSpace(r.SMEAwarded)); err == nil {
		base.SME = &b
	}
	awards := make([]intake.Award, 0, len(r.Winners))
	for _, w := range r.Winners {
		a := base
		if a.SME != nil {
			sme := *a.SME // each award owns its flag
			a.SME = &sme
		}
		a.WinnerName = strings.TrimSpace(w.Name)
		a.WinnerNIF = partyIdentifier(w, "NIF")
		if a.WinnerNIF == "" && len(w.IDs) > 0 {
			a.WinnerNIF = strings.TrimSpace(w.IDs[0].Value)
		}
		awards = append(awards, a)
	}
	return awards, nil
}

// authority reads the contracting party's name, NIF and DIR3 code.
func authority(p codiceParty) intake.Authority {
	return intake.Authority{
		Name: strings.TrimSpace(p.Name),
		NIF:  partyIdentifier(p, "NIF"),
		DIR3: partyIdentifier(p, "DIR3"),
	}
}

// partyIdentifier returns the party's PartyIdentification ID with the given schemeName.
func partyIdentifier(p codiceParty, scheme string) string {
	for _, id := range p.IDs {
		if strings.EqualFold(strings.TrimSpace(id.SchemeName), scheme) {
			return strings.TrimSpace(id.Value)
		}
	}
	return ""
}

// money parses an optional amount; the first currency seen is kept in currency.
func money(a *amount, currency *string) (int64, error) {
	if a == nil {
		return 0, nil
	}
	c, err := intake.ParseCents(a.Value)
	if err != nil {
		return 0, err
	}
	if *currency == "" {
		*currency = strings.TrimSpace(a.Currency)
	}
	return c, nil
}

// duration reads a PlannedPeriod: a DurationMeasure, or else start and end dates.
func duration(p plannedPeriod) int {
	if m := intake.ParseDuration(p.Duration.Value, p.Duration.Unit); m > 0 {
		return m
	}
	if p.StartDate == "" || p.EndDate == "" {
		return 0
	}
	start, err1 := intake.ParseXSDDate(p.StartDate, intake.Madrid)
	end, err2 := intake.ParseXSDDate(p.EndDate, intake.Madrid)
	if err1 != nil || err2 != nil {
		return 0
	}
	return intake.MonthsBetween(start, end)
}

func appendNUTS(list []string, codes []string) []string {
	for _, c := range codes {
		if n, ok := intake.NormalizeNUTS(c); ok {
			list = intake.AppendUnique(list, n)
		}
	}
	return list
}

func appendDocuments(list []intake.Document, refs []documentReference, kind string) []intake.Document {
	for _, r := range refs {
		uri := strings.TrimSpace(r.URI)
		if uri == "" {
			continue
		}
		title := strings.TrimSpace(r.FileName)
		if title == "" {
			title = strings.TrimSpace(r.ID)
		}
		list = append(list, intake.Document{Title: title, URL: uri, Kind: kind})
	}
	return list
}

// Status maps a PLACSP folder status code onto the OCDS tender status (see the
// package documentation); unknown codes give "".
func Status(code string) intake.Status {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "PRE":
		return intake.StatusPlanned
	case "PUB", "EV", "ADJ":
		return intake.StatusActive
	case "RES":
		return intake.StatusComplete
	case "ANUL":
		return intake.StatusCancelled
	}
	return ""
}

// ProcedureType maps a CODICE SyndicationTenderingProcessCode onto the
// normalized procedure types:
//
//	1 abierto → open; 2 restringido → restricted;
//	3 negociado sin publicidad → negotiated_without_publicity;
//	4 negociado con publicidad, 13 licitación con negociación → negotiated_with_publicity;
//	5 diálogo competitivo → competitive_dialogue; 6 contrato menor → minor;
//	9 abierto simplificado → open_simplified; 10 asociación para la innovación → innovation_partnership;
//	anything else (7 derivado de acuerdo marco, 8 concurso de proyectos, 11, 12, 100 normas internas, 999) → other.
func ProcedureType(code string) string {
	switch strings.TrimSpace(code) {
	case "":
		return ""
	case "1":
		return intake.ProcedureOpen
	case "2":
		return intake.ProcedureRestricted
	case "3":
		return intake.ProcedureNegotiatedWithoutPublicity
	case "4", "13":
		return intake.ProcedureNegotiatedWithPublicity
	case "5":
		return intake.ProcedureCompetitiveDialogue
	case "6":
		return intake.ProcedureMinor
	case "9":
		return intake.ProcedureOpenSimplified
	case "10":
		return intake.ProcedureInnovationPartnership
	}
	return intake.ProcedureOther
}

// ContractType maps a CODICE ContractCode onto the normalized contract types:
// 1 → supplies; 2, 21, 22 (services, public service management, service
// concessions) → services; 3, 31, 32 (works, works concessions) → works;
// anything else (administrative special, private, patrimonial, PPP) → other.
func ContractType(code string) string {
	switch strings.TrimSpace(code) {
	case "":
		return ""
	case "1":
		return intake.ContractSupplies
	case "2", "21", "22":
		return intake.ContractServices
	case "3", "31", "32":
		return intake.ContractWorks
	}
	return intake.ContractOther
}

// noticeType derives the notice type from the folder's published notices
// (ValidNoticeInfo codes such as DOC_PIN, DOC_CN, DOC_CAN_ADJ, DOC_FORM), or
// from the status code when none is given.
func noticeType(codes []string, status string) string {
	has := func(pred func(string) bool) bool {
		for _, c := range codes {
			if pred(strings.ToUpper(strings.TrimSpace(c))) {
				return true
			}
		}
		return false
	}
	switch {
	case has(func(c string) bool { return strings.HasPrefix(c, "DOC_CAN") || c == "DOC_FORM" }):
		return intake.NoticeContractAward
	case has(func(c string) bool { return c == "DOC_CN" }):
		return intake.NoticeContract
	case has(func(c string) bool { return c == "DOC_PIN" }):
		return intake.NoticePriorInformation
	}
	switch status {
	case "PRE":
		return intake.NoticePriorInformation
	case "ADJ", "RES":
		return intake.NoticeContractAward
	case "":
		return ""
	}
	return intake.NoticeContract
}
