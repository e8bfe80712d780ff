package ocds

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/intake"
)

// DefaultPrefix is the ocid prefix used by Export. Consortia has no prefix
// registered with the Open Contracting Partnership yet; set Exporter.Prefix
// to the registered one (the part after "ocds-", e.g. "213czf") when it does.
const DefaultPrefix = "consortia"

// Identifier schemes written for Spanish organisations. ES-DIR3 is the
// org-id.guide list for DIR3 codes; NIFs have no org-id.guide list, so
// "ES-NIF" is our own label.
const (
	schemeNIF  = "ES-NIF"
	schemeDIR3 = "ES-DIR3"
)

// Exporter writes OCDS release packages.
type Exporter struct {
	// Prefix builds each ocid as "ocds-<Prefix>-<SourceID>"; empty means DefaultPrefix.
	Prefix string
	// PackageURI is the package's uri; empty means "urn:consortia:ocds:<prefix>:<publishedAt>".
	PackageURI string
}

// Export writes tenders as an OCDS 1.1 release package with DefaultPrefix.
// See Exporter.Export.
func Export(tenders []intake.Tender, publisher string, publishedAt time.Time) ([]byte, error) {
	var e Exporter
	return e.Export(tenders, publisher, publishedAt)
}

// Export writes one release per tender, tagged "award" when it has awards and
// "tender" otherwise, with the buyer and the suppliers as parties. The output
// keeps to the core release schema, so lots are not written (award titles
// name the lot instead). Tombstones without data (Deleted and no Title) are
// skipped; it is an error when nothing is left to export.
func (e *Exporter) Export(tenders []intake.Tender, publisher string, publishedAt time.Time) ([]byte, error) {
	if strings.TrimSpace(publisher) == "" {
		return nil, errors.New("export OCDS: publisher name is required")
	}
	if publishedAt.IsZero() {
		return nil, errors.New("export OCDS: publishedAt is required")
	}
	prefix := e.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	uri := e.PackageURI
	if uri == "" {
		uri = "urn:consortia:ocds:" + prefix + ":" + publishedAt.UTC().Format("20060102T150405Z")
	}
	pkg := packageOut{
		URI:           uri,
		Version:       "1.1",
		PublishedDate: formatTime(publishedAt),
		Publisher:     publisherOut{Name: publisher},
	}
	ids := map[string]bool{}
	for i, t := range tenders {
		if t.Deleted && t.Title == "" {
			continue
		}
		if strings.TrimSpace(t.SourceID) == "" {
			return nil, fmt.Errorf("export OCDS: tender %d has no SourceID", i)
		}
		r := releaseOf(t, "ocds-"+prefix+"-"+strings.TrimSpace(t.SourceID), publishedAt)
		if ids[r.ID] {
			return nil, fmt.Errorf("export OCDS: two tenders give release id %s", r.ID)
		}
		ids[r.ID] = true
		pkg.Releases = append(pkg.Releases, r)
	}
	if len(pkg.Releases) == 0 {
		return nil, errors.New("export OCDS: no tenders to export")
	}
	data, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export OCDS: %w", err)
	}
	return data, nil
}

type packageOut struct {
	URI           string       `json:"uri"`
	Version       string       `json:"version"`
	PublishedDate string       `json:"publishedDate"`
	Publisher     publisherOut `json:"publisher"`
	Releases      []releaseOut `json:"releases"`
}

type publisherOut struct {
	Name string `json:"name"`
}

type releaseOut struct {
	OCID           string     `json:"ocid"`
	ID             string     `json:"id"`
	Date           string     `json:"date"`
	Tag            []string   `json:"tag"`
	InitiationType string     `json:"initiationType"`
	Parties        []partyOut `json:"parties,omitempty"`
	Buyer          *orgRefOut `json:"buyer,omitempty"`
	Tender         tenderOut  `json:"tender"`
	Awards         []awardOut `json:"awards,omitempty"`
}

type orgRefOut struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type identifierOut struct {
	Scheme    string `json:"scheme,omitempty"`
	ID        string `json:"id"`
	LegalName string `json:"legalName,omitempty"`
}

type partyOut struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name,omitempty"`
	Identifier            *identifierOut  `json:"identifier,omitempty"`
	AdditionalIdentifiers []identifierOut `json:"additionalIdentifiers,omitempty"`
	Roles                 []string        `json:"roles"`
	Details               *detailsOut     `json:"details,omitempty"`
}

type detailsOut struct {
	Scale string `json:"scale"`
}

type valueOut struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency,omitempty"`
}

type classificationOut struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

type itemOut struct {
	ID                        string              `json:"id"`
	Description               string              `json:"description,omitempty"`
	Classification            *classificationOut  `json:"classification,omitempty"`
	AdditionalClassifications []classificationOut `json:"additionalClassifications,omitempty"`
}

type periodOut struct {
	EndDate        string `json:"endDate,omitempty"`
	DurationInDays int    `json:"durationInDays,omitempty"`
}

type documentOut struct {
	ID           string `json:"id"`
	DocumentType string `json:"documentType,omitempty"`
	Title        string `json:"title,omitempty"`
	URL          string `json:"url,omitempty"`
}

type tenderOut struct {
	ID                       string        `json:"id"`
	Title                    string        `json:"title,omitempty"`
	Description              string        `json:"description,omitempty"`
	Status                   string        `json:"status,omitempty"`
	ProcuringEntity          *orgRefOut    `json:"procuringEntity,omitempty"`
	Items                    []itemOut     `json:"items,omitempty"`
	Value                    *valueOut     `json:"value,omitempty"`
	ProcurementMethod        string        `json:"procurementMethod,omitempty"`
	ProcurementMethodDetails string        `json:"procurementMethodDetails,omitempty"`
	MainProcurementCategory  string        `json:"mainProcurementCategory,omitempty"`
	TenderPeriod             *periodOut    `json:"tenderPeriod,omitempty"`
	ContractPeriod           *periodOut    `json:"contractPeriod,omitempty"`
	Documents                []documentOut `json:"documents,omitempty"`
}

type awardOut struct {
	ID        string      `json:"id"`
	Title     string      `json:"title,omitempty"`
	Status    string      `json:"status"`
	Date      string      `json:"date,omitempty"`
	Value     *valueOut   `json:"value,omitempty"`
	Suppliers []orgRefOut `json:"suppliers,omitempty"`
}

// releaseOf builds the release of one tender.
func releaseOf(t intake.Tender, ocid string, publishedAt time.Time) releaseOut {
	date := t.Updated
	if date.IsZero() {
		date = publishedAt
	}
	r := releaseOut{
		OCID:           ocid,
		ID:             ocid + "-" + date.UTC().Format("20060102T150405.000Z"),
		Date:           formatTime(date),
		Tag:            []string{"tender"},
		InitiationType: "tender",
	}
	spanish := t.Source == intake.SourcePLACSP || t.Source == intake.SourceOpenPLACSPXLSX
	parties := &partyList{spanish: spanish}

	if t.Authority.Name != "" || t.Authority.NIF != "" || t.Authority.DIR3 != "" {
		id := parties.add(t.Authority.Name, t.Authority.NIF, t.Authority.DIR3, "buyer", nil)
		r.Buyer = &orgRefOut{ID: id, Name: t.Authority.Name}
	}

	tn := tenderOut{
		ID:                       t.FileNumber,
		Title:                    t.Title,
		Description:              t.Description,
		Status:                   string(t.Status),
		ProcurementMethod:        procurementMethod(t.ProcedureType),
		ProcurementMethodDetails: t.ProcedureType,
		MainProcurementCategory:  procurementCategory(t.ContractType),
	}
	if tn.ID == "" {
		tn.ID = ocid + "-tender"
	}
	if r.Buyer != nil {
		tn.ProcuringEntity = r.Buyer
	}
	if len(t.CPVs) > 0 {
		it := itemOut{ID: "1", Description: t.Title, Classification: &classificationOut{Scheme: "CPV", ID: t.CPVs[0]}}
		for _, c := range t.CPVs[1:] {
			it.AdditionalClassifications = append(it.AdditionalClassifications, classificationOut{Scheme: "CPV", ID: c})
		}
		tn.Items = []itemOut{it}
	}
	amount := t.EstimatedValueCents
	if amount == 0 {
		amount = t.BudgetNoVATCents
	}
	tn.Value = valueOf(amount, t.Currency)
	if !t.Deadline.IsZero() {
		tn.TenderPeriod = &periodOut{EndDate: formatTime(t.Deadline)}
	}
	if t.DurationMonths > 0 {
		tn.ContractPeriod = &periodOut{DurationInDays: int(float64(t.DurationMonths) * intake.DaysPerMonth)}
	}
	for _, d := range t.Documents {
		doc := documentOut{ID: strconv.Itoa(len(tn.Documents) + 1), DocumentType: documentType(d.Kind), Title: d.Title}
		if absoluteURL(d.URL) {
			doc.URL = d.URL
		}
		tn.Documents = append(tn.Documents, doc)
	}
	r.Tender = tn

	for i, a := range t.Awards {
		amount := a.AmountNoVATCents
		if amount == 0 {
			amount = a.AmountWithVATCents
		}
		aw := awardOut{
			ID:     fmt.Sprintf("%s-award-%d", ocid, i+1),
			Status: "active",
			Value:  valueOf(amount, t.Currency),
		}
		if a.LotID != "" {
			aw.Title = "Lot " + a.LotID
		}
		if !a.Date.IsZero() {
			aw.Date = formatTime(a.Date)
		}
		if a.WinnerName != "" || a.WinnerNIF != "" {
			id := parties.add(a.WinnerName, a.WinnerNIF, "", "supplier", a.SME)
			aw.Suppliers = []orgRefOut{{ID: id, Name: a.WinnerName}}
		}
		r.Awards = append(r.Awards, aw)
	}
	if len(r.Awards) > 0 {
		r.Tag = []string{"award"}
	}
	r.Parties = parties.list
	return r
}

// partyList collects a release's parties, merging roles of the same organisation.
type partyList struct {
	spanish bool
	list    []partyOut
}

// add registers an organisation in a role and returns its party id:
// "ES-NIF-<nif>" for Spanish sources, the id itself otherwise, or a
// sequence number when the organisation has no id.
func (p *partyList) add(name, nif, dir3, role string, sme *bool) string {
	id := nif
	if nif != "" && p.spanish {
		id = schemeNIF + "-" + nif
	}
	if id == "" {
		for _, q := range p.list {
			if q.Identifier == nil && q.Name == name {
				id = q.ID
			}
		}
		if id == "" {
			id = "party-" + strconv.Itoa(len(p.list)+1)
		}
	}
	for i := range p.list {
		if p.list[i].ID == id {
			p.list[i].Roles = appendRole(p.list[i].Roles, role)
			return id
		}
	}
	party := partyOut{ID: id, Name: name, Roles: []string{role}}
	if nif != "" {
		party.Identifier = &identifierOut{ID: nif, LegalName: name}
		if p.spanish {
			party.Identifier.Scheme = schemeNIF
		}
	}
	if dir3 != "" {
		party.AdditionalIdentifiers = []identifierOut{{Scheme: schemeDIR3, ID: dir3}}
	}
	if sme != nil {
		scale := "large"
		if *sme {
			scale = "sme"
		}
		party.Details = &detailsOut{Scale: scale}
	}
	p.list = append(p.list, party)
	return id
}

func appendRole(roles []string, role string) []string {
	for _, r := range roles {
		if r == role {
			return roles
		}
	}
	return append(roles, role)
}

// valueOf returns an OCDS value, or nil for an unknown (zero) amount.
func valueOf(cents int64, currency string) *valueOut {
	if cents == 0 {
		return nil
	}
	if currency == "" {
		currency = "EUR"
	}
	return &valueOut{Amount: json.Number(intake.FormatCents(cents)), Currency: currency}
}

func formatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && u.Host != ""
}

func procurementMethod(procedure string) string {
	switch procedure {
	case intake.ProcedureOpen, intake.ProcedureOpenSimplified:
		return "open"
	case intake.ProcedureRestricted, intake.ProcedureCompetitiveDialogue,
		intake.ProcedureInnovationPartnership, intake.ProcedureNegotiatedWithPublicity:
		return "selective"
	case intake.ProcedureNegotiatedWithoutPublicity:
		return "limited"
	case intake.ProcedureMinor:
		return "direct"
	}
	return ""
}

func procurementCategory(contract string) string {
	switch contract {
	case intake.ContractSupplies:
		return "goods"
	case intake.ContractServices:
		return "services"
	case intake.ContractWorks:
		return "works"
	}
	return ""
}

// documentType maps document kinds onto the OCDS documentType codelist.
func documentType(kind string) string {
	switch kind {
	case "legal":
		return "biddingDocuments"
	case "technical":
		return "technicalSpecifications"
	}
	return ""
}
