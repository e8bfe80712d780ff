// Package eforms reads TED eForms notices (UBL 2.3 XML with the eForms
// extension): contract notices, prior information notices and contract award
// notices, whatever their SDK version.
//
// What is read, and from where:
//
//   - SourceID: the OJ S publication number (efbc:NoticePublicationID
//     "00615708-2023" → "615708-2023"); the notice's cbc:ID when unpublished.
//   - Updated: cbc:IssueDate + cbc:IssueTime.
//   - Authority: the organisation (efac:Organizations) whose id the first
//     cac:ContractingParty names; NIF holds its cbc:CompanyID.
//   - CPVs: main then additional cbc:ItemClassificationCode of the procedure,
//     then of each lot. NUTS: cbc:CountrySubentityCode of the places of
//     performance (not of the organisations' addresses).
//   - EstimatedValueCents: the procedure's cbc:EstimatedOverallContractAmount,
//     or the sum over lots when only lots give one. eForms amounts exclude VAT.
//   - Deadline: the earliest lot TenderSubmissionDeadlinePeriod; for
//     restricted procedures without one, ParticipationRequestReceptionPeriod;
//     for prior information notices, InterestExpressionReceptionPeriod.
//   - Awards (result notices): every efac:LotResult with TenderResultCode
//     "selec-w" → its efac:LotTender (amount) → efac:TenderingParty → each
//     efac:Tenderer organisation, one Award per organisation.
//
// Status follows the notice type: pin-* → planned, cn-* → active, can-* and
// veat → complete (unsuccessful when no lot has a winner). SourceStatus keeps
// the notice type code.
package eforms

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/intake"
)

// ErrNotNotice is returned for XML that is not an eForms notice.
var ErrNotNotice = errors.New("not an eForms notice")

// maxNoticeBytes caps one notice; real notices are well under 1 MB.
const maxNoticeBytes = 64 << 20

// Parse reads one eForms notice.
func Parse(r io.Reader) (intake.Tender, error) {
	var n notice
	dec := xml.NewDecoder(io.LimitReader(r, maxNoticeBytes))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return intake.Tender{}, fmt.Errorf("%w: no root element", ErrNotNotice)
			}
			return intake.Tender{}, fmt.Errorf("read notice: %w", err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			root = s
			break
		}
	}
	switch root.Name.Local {
	case "ContractNotice", "PriorInformationNotice", "ContractAwardNotice":
	default:
		return intake.Tender{}, fmt.Errorf("%w: root element is <%s>", ErrNotNotice, root.Name.Local)
	}
	if err := dec.DecodeElement(&n, &root); err != nil {
		return intake.Tender{}, fmt.Errorf("read notice: %w", err)
	}
	return n.tender()
}

// ParseFile reads one notice file.
func ParseFile(path string) (intake.Tender, error) {
	f, err := os.Open(path)
	if err != nil {
		return intake.Tender{}, fmt.Errorf("open notice: %w", err)
	}
	defer f.Close()
	t, err := Parse(f)
	if err != nil {
		return intake.Tender{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return t, nil
}

// ParseFiles reads several notice files. A file that cannot be read is
// reported in Result.Rejected under its path. progress, which may be nil, is
// called after each file.
func ParseFiles(paths []string, progress func(done, total int)) intake.Result {
	var res intake.Result
	for i, p := range paths {
		t, err := ParseFile(p)
		if err != nil {
			res.Reject(p, err.Error())
		} else {
			res.Tenders = append(res.Tenders, t)
		}
		intake.Progress(progress).Report(i+1, len(paths))
	}
	return res
}

// ReadDir reads every *.xml notice in dir, in file name order; see ParseFiles.
func ReadDir(dir string, progress func(done, total int)) (intake.Result, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		return intake.Result{}, fmt.Errorf("list notices: %w", err)
	}
	sort.Strings(paths)
	return ParseFiles(paths, progress), nil
}

// SourceID turns an OJ S publication number into TED's usual form:
// "00615708-2023" → "615708-2023".
func SourceID(publicationID string) string {
	id := strings.TrimSpace(publicationID)
	num, year, ok := strings.Cut(id, "-")
	if !ok {
		return id
	}
	if trimmed := strings.TrimLeft(num, "0"); trimmed != "" {
		num = trimmed
	}
	return num + "-" + year
}

// tender maps the decoded notice.
func (n *notice) tender() (intake.Tender, error) {
	typeCode := strings.TrimSpace(n.NoticeTypeCode)
	lang := strings.TrimSpace(n.NoticeLanguageCode)
	t := intake.Tender{
		Source:        intake.SourceTEDeForms,
		SourceStatus:  typeCode,
		NoticeType:    noticeType(typeCode),
		FileNumber:    strings.TrimSpace(n.Project.ID),
		Title:         pick(n.Project.Names, lang),
		Description:   pick(n.Project.Descriptions, lang),
		ProcedureType: ProcedureType(n.ProcedureCode),
		ContractType:  contractType(n.Project.TypeCodes),
	}
	if pub := strings.TrimSpace(n.Ext.PublicationID); pub != "" {
		t.SourceID = SourceID(pub)
		t.SourceURL = "https://ted.europa.eu/en/notice/-/detail/" + t.SourceID
	} else {
		t.SourceID = strings.TrimSpace(n.ID)
	}
	if t.SourceID == "" {
		return intake.Tender{}, errors.New("notice has neither NoticePublicationID nor ID")
	}
	var err error
	if strings.TrimSpace(n.IssueTime) == "" {
		t.Updated, err = intake.ParseXSDDate(n.IssueDate, time.UTC)
	} else {
		t.Updated, err = intake.ParseXSDDateTime(n.IssueDate, n.IssueTime, time.UTC)
	}
	if err != nil {
		return intake.Tender{}, fmt.Errorf("IssueDate/IssueTime: %w", err)
	}

	orgs := map[string]organization{}
	for _, o := range n.Ext.Organizations {
		orgs[strings.TrimSpace(o.ID)] = o
	}
	if len(n.ContractingParties) > 0 {
		if o, ok := orgs[strings.TrimSpace(n.ContractingParties[0].PartyID)]; ok {
			t.Authority = intake.Authority{Name: pick(o.Names, lang), NIF: strings.TrimSpace(o.CompanyID)}
		}
	}

	cpvSeen, cpvValid := 0, 0
	addCPVs := func(list []string, p project) []string {
		for _, codes := range [][]listCode{p.MainCPVs, p.AdditionalCPV} {
			for _, c := range codes {
				if c.ListName != "" && c.ListName != "cpv" {
					continue
				}
				cpvSeen++
				var ok bool
				if list, ok = intake.AppendCPV(list, c.Value); ok {
					cpvValid++
				}
			}
		}
		return list
	}
	t.CPVs = addCPVs(t.CPVs, n.Project)
	t.NUTS = appendNUTS(t.NUTS, n.Project.NUTS)
	var currency string
	if t.EstimatedValueCents, err = money(n.Project.Estimated, &currency); err != nil {
		return intake.Tender{}, fmt.Errorf("EstimatedOverallContractAmount: %w", err)
	}
	projectMonths := duration(n.Project)
	t.DurationMonths = projectMonths

	var lotsValue int64
	lotsValued := 0
	var submission, participation, interest time.Time
	for _, l := range n.Lots {
		if l.ID.SchemeName != "" && l.ID.SchemeName != "Lot" {
			continue // a group of lots (LotsGroup), not a lot
		}
		lot := intake.Lot{
			ID:    strings.TrimSpace(l.ID.Value),
			Title: pick(l.Project.Names, lang),
			NUTS:  appendNUTS(nil, l.Project.NUTS),
		}
		lot.CPVs = addCPVs(nil, l.Project)
		if lot.EstimatedValueCents, err = money(l.Project.Estimated, &currency); err != nil {
			return intake.Tender{}, fmt.Errorf("lot %s EstimatedOverallContractAmount: %w", lot.ID, err)
		}
		if l.Project.Estimated != nil {
			lotsValue += lot.EstimatedValueCents
			lotsValued++
		}
		for _, c := range lot.CPVs {
			t.CPVs = intake.AppendUnique(t.CPVs, c)
		}
		for _, c := range lot.NUTS {
			t.NUTS = intake.AppendUnique(t.NUTS, c)
		}
		if m := duration(l.Project); projectMonths == 0 && m > t.DurationMonths {
			t.DurationMonths = m // the longest lot, when the procedure gives none
		}
		for _, d := range []struct {
			p   period
			dst *time.Time
		}{{l.Process.Submission, &submission}, {l.Process.Participation, &participation}, {l.Process.Interest, &interest}} {
			if d.p.EndDate == "" {
				continue
			}
			at, err := intake.ParseXSDDateTime(d.p.EndDate, d.p.EndTime, time.UTC)
			if err != nil {
				return intake.Tender{}, fmt.Errorf("lot %s deadline: %w", lot.ID, err)
			}
			if d.dst.IsZero() || at.Before(*d.dst) {
				*d.dst = at
			}
		}
		for _, d := range l.Docs {
			uri := strings.TrimSpace(d.URI)
			if uri == "" || hasDocument(t.Documents, uri) {
				continue
			}
			t.Documents = append(t.Documents, intake.Document{
				Title: strings.TrimSpace(d.ID),
				URL:   uri,
				Kind:  strings.TrimSpace(d.DocumentType),
			})
		}
		t.Lots = append(t.Lots, lot)
	}
	if cpvSeen > 0 && cpvValid == 0 {
		return intake.Tender{}, fmt.Errorf("no valid CPV code among %d published", cpvSeen)
	}
	if n.Project.Estimated == nil && lotsValued > 0 && lotsValued == len(t.Lots) {
		t.EstimatedValueCents = lotsValue
	}
	switch {
	case !submission.IsZero():
		t.Deadline = submission
	case !participation.IsZero():
		t.Deadline = participation
	default:
		t.Deadline = interest
	}

	winners := 0
	if t.Awards, winners, err = n.awards(orgs, lang, &currency); err != nil {
		return intake.Tender{}, err
	}
	t.Status = status(typeCode, len(n.Ext.Result.LotResults), winners)
	t.Currency = currency
	return t, nil
}

// awards follows LotResult → LotTender → TenderingParty → Tenderer →
// Organization for every lot result with a winner. It returns the awards and
// the number of lot results that selected a winner.
func (n *notice) awards(orgs map[string]organization, lang string, currency *string) ([]intake.Award, int, error) {
	res := n.Ext.Result
	tenders := map[string]lotTender{}
	for _, lt := range res.LotTenders {
		tenders[strings.TrimSpace(lt.ID)] = lt
	}
	parties := map[string]tenderingParty{}
	for _, p := range res.Parties {
		parties[strings.TrimSpace(p.ID)] = p
	}
	awardDates := map[string]time.Time{} // LotTender id → decision date
	for _, c := range res.Contracts {
		date := c.AwardDate
		if date == "" {
			date = c.IssueDate // contract conclusion date, when the decision date is not given
		}
		if date == "" {
			continue
		}
		d, err := intake.ParseXSDDate(date, time.UTC)
		if err != nil {
			return nil, 0, fmt.Errorf("SettledContract date: %w", err)
		}
		for _, id := range c.TenderIDs {
			awardDates[strings.TrimSpace(id)] = d
		}
	}

	var awards []intake.Award
	winners := 0
	for _, lr := range res.LotResults {
		if strings.TrimSpace(lr.ResultCode) != "selec-w" {
			continue
		}
		winners++
		offers := 0
		for _, s := range lr.Statistics {
			if strings.TrimSpace(s.Code) == "tenders" {
				if v, err := strconv.Atoi(strings.TrimSpace(s.Number)); err == nil && v >= 0 {
					offers = v
				}
			}
		}
		for _, tid := range lr.TenderIDs {
			tid = strings.TrimSpace(tid)
			lt, ok := tenders[tid]
			if !ok {
				continue
			}
			amountCents, err := money(lt.Amount, currency)
			if err != nil {
				return nil, 0, fmt.Errorf("LotTender %s PayableAmount: %w", tid, err)
			}
			base := intake.Award{
				LotID:            strings.TrimSpace(lr.LotID),
				AmountNoVATCents: amountCents,
				Date:             awardDates[tid],
				OffersReceived:   offers,
			}
			party := parties[strings.TrimSpace(lt.PartyID)]
			if len(party.Tenderers) == 0 {
				if name := pick(party.Names, lang); name != "" {
					a := base
					a.WinnerName = name
					awards = append(awards, a)
				}
				continue
			}
			for _, oid := range party.Tenderers {
				o := orgs[strings.TrimSpace(oid)]
				a := base
				a.WinnerName = pick(o.Names, lang)
				if a.WinnerName == "" {
					a.WinnerName = pick(party.Names, lang)
				}
				a.WinnerNIF = strings.TrimSpace(o.CompanyID)
				a.SME = sme(o.Size)
				awards = append(awards, a)
			}
		}
	}
	return awards, winners, nil
}

// sme reads an economic-operator-size code.
func sme(size string) *bool {
	var v bool
	switch strings.TrimSpace(size) {
	case "micro", "small", "medium", "sme":
		v = true
	case "large":
		v = false
	default:
		return nil
	}
	return &v
}

// status derives the OCDS tender status from the notice type.
func status(typeCode string, lotResults, winners int) intake.Status {
	switch {
	case strings.HasPrefix(typeCode, "pin-"):
		return intake.StatusPlanned
	case strings.HasPrefix(typeCode, "cn-"), typeCode == "qu-sy", typeCode == "subco":
		return intake.StatusActive
	case strings.HasPrefix(typeCode, "can-"), typeCode == "veat":
		if lotResults > 0 && winners == 0 {
			return intake.StatusUnsuccessful
		}
		return intake.StatusComplete
	}
	return ""
}

// noticeType maps the eForms notice type code onto the neutral notice types;
// other codes (veat, corr, ...) are kept as they are.
func noticeType(code string) string {
	switch {
	case strings.HasPrefix(code, "pin-"):
		return intake.NoticePriorInformation
	case strings.HasPrefix(code, "cn-"):
		return intake.NoticeContract
	case strings.HasPrefix(code, "can-"):
		return intake.NoticeContractAward
	}
	return code
}

// ProcedureType maps the eForms procurement-procedure-type code onto the
// normalized procedure types: open, restricted, neg-w-call
// (negotiated_with_publicity), neg-wo-call (negotiated_without_publicity),
// comp-dial (competitive_dialogue), innovation (innovation_partnership);
// anything else (comp-tend, oth-single, oth-mult) → other.
func ProcedureType(code string) string {
	switch strings.TrimSpace(code) {
	case "":
		return ""
	case "open":
		return intake.ProcedureOpen
	case "restricted":
		return intake.ProcedureRestricted
	case "neg-w-call":
		return intake.ProcedureNegotiatedWithPublicity
	case "neg-wo-call":
		return intake.ProcedureNegotiatedWithoutPublicity
	case "comp-dial":
		return intake.ProcedureCompetitiveDialogue
	case "innovation":
		return intake.ProcedureInnovationPartnership
	}
	return intake.ProcedureOther
}

// contractType reads the contract-nature code: supplies, services, works;
// combined → other.
func contractType(codes []listCode) string {
	for _, c := range codes {
		if c.ListName != "contract-nature" {
			continue
		}
		switch strings.TrimSpace(c.Value) {
		case "supplies":
			return intake.ContractSupplies
		case "services":
			return intake.ContractServices
		case "works":
			return intake.ContractWorks
		case "":
			continue
		}
		return intake.ContractOther
	}
	return ""
}

// pick returns the text in the notice language, else the first one.
func pick(texts []langText, lang string) string {
	for _, t := range texts {
		if lang != "" && strings.EqualFold(t.Lang, lang) {
			return strings.TrimSpace(t.Value)
		}
	}
	for _, t := range texts {
		if v := strings.TrimSpace(t.Value); v != "" {
			return v
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
func duration(p project) int {
	if m := intake.ParseDuration(p.Duration.Value, p.Duration.Unit); m > 0 {
		return m
	}
	if p.StartDate == "" || p.EndDate == "" {
		return 0
	}
	start, err1 := intake.ParseXSDDate(p.StartDate, time.UTC)
	end, err2 := intake.ParseXSDDate(p.EndDate, time.UTC)
	if err1 != nil || err2 != nil {
		return 0
	}
	return intake.MonthsBetween(start, end)
}

func appendNUTS(list []string, codes []listCode) []string {
	for _, c := range codes {
		if c.ListName != "" && c.ListName != "nuts" {
			continue
		}
		if n, ok := intake.NormalizeNUTS(c.Value); ok {
			list = intake.AppendUnique(list, n)
		}
	}
	return list
}

func hasDocument(docs []intake.Document, url string) bool {
	for _, d := range docs {
		if d.URL == url {
			return true
		}
	}
	return false
}
