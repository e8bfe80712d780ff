// Package ocds reads and writes Open Contracting Data Standard 1.1 packages.
//
// Parse turns a release package or a record package into tenders: the releases
// of one ocid are merged in date order (later values override earlier ones, as
// OCDS compilation does) and a record's compiledRelease is used as is. Export
// writes tenders as a release package that validates against the core schema.
// Validator checks documents against the schemas in the shared data folder.
//
// Mapping (both directions):
//
//	SourceID        ⇄ ocid (export: "ocds-<prefix>-<SourceID>")
//	Updated         ⇄ release date
//	Status          ⇄ tender.status ("planning" reads as planned)
//	FileNumber      ⇄ tender.id
//	Title, Description ⇄ tender.title, tender.description
//	Authority       ⇄ buyer (or tender.procuringEntity) → parties[]: name,
//	                  identifier.id (NIF), additionalIdentifiers ES-DIR3
//	ProcedureType   ⇄ tender.procurementMethodDetails (normalized value), else
//	                  procurementMethod: open → open, selective → restricted,
//	                  limited/direct → negotiated_without_publicity
//	ContractType    ⇄ tender.mainProcurementCategory (goods ⇄ supplies)
//	CPVs            ⇄ tender.items[].classification / additionalClassifications, scheme CPV
//	EstimatedValue  ⇄ tender.value (export falls back to the budget without VAT)
//	Deadline        ⇄ tender.tenderPeriod.endDate
//	DurationMonths  ⇄ tender.contractPeriod.durationInDays (intake.DaysPerMonth)
//	Documents       ⇄ tender.documents
//	Awards          ⇄ awards[] (active), one Award per supplier; amount ⇄ award.value;
//	                  SME ⇄ the supplier party's details.scale ("sme"/"large")
//
// OCDS 1.1 does not say whether value.amount includes VAT; award amounts are
// read into AmountNoVATCents and exported from it. Lots are read from the
// lots extension (tender.lots, awards[].relatedLots) when present but are not
// exported, to keep the output to the core schema.
package ocds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/intake"
)

// ErrNotPackage is returned for JSON that is neither a release nor a record package.
var ErrNotPackage = errors.New("not an OCDS release or record package")

// Parse reads a release package or a record package. With a non-nil
// validator, each release (or compiled release) is validated against the
// release schema and rejected when invalid. Records that cannot be mapped are
// reported in Result.Rejected under their ocid. It fails only when data is
// not JSON or not a package. progress, which may be nil, is called after each
// release of a release package, or each record of a record package.
func Parse(data []byte, v *Validator, progress func(done, total int)) (intake.Result, error) {
	var res intake.Result
	doc, err := decodeJSON(data)
	if err != nil {
		return res, err
	}
	pkg, ok := doc.(map[string]any)
	if !ok {
		return res, fmt.Errorf("%w: top level is not an object", ErrNotPackage)
	}
	uri, _ := pkg["uri"].(string)
	report := intake.Progress(progress)

	if rawRecords, isRecord := pkg["records"]; isRecord {
		records, ok := rawRecords.([]any)
		if !ok {
			return res, fmt.Errorf("%w: records is not an array", ErrNotPackage)
		}
		for i, r := range records {
			compiled, name, err := compileRecord(r, i)
			if err == nil {
				err = addTender(&res, compiled, v, uri)
			}
			if err != nil {
				res.Reject(name, err.Error())
			}
			report.Report(i+1, len(records))
		}
		return res, nil
	}

	rawReleases, isRelease := pkg["releases"]
	if !isRelease {
		return res, fmt.Errorf("%w: it has neither releases nor records", ErrNotPackage)
	}
	releases, ok := rawReleases.([]any)
	if !ok {
		return res, fmt.Errorf("%w: releases is not an array", ErrNotPackage)
	}
	// Group by ocid, keeping the order in which ocids first appear.
	var order []string
	groups := map[string][]map[string]any{}
	for i, r := range releases {
		rel, ok := r.(map[string]any)
		ocid, _ := rel["ocid"].(string)
		switch {
		case !ok:
			res.Reject(fmt.Sprintf("release %d", i), "release is not an object")
		case ocid == "":
			res.Reject(fmt.Sprintf("release %d", i), "release without ocid")
		default:
			if v != nil {
				if err := v.ValidateRelease(rel); err != nil {
					res.Reject(fmt.Sprintf("%s release %d", ocid, i), err.Error())
					break
				}
			}
			if _, seen := groups[ocid]; !seen {
				order = append(order, ocid)
			}
			groups[ocid] = append(groups[ocid], rel)
		}
		report.Report(i+1, len(releases))
	}
	for _, ocid := range order {
		if err := addTender(&res, mergeReleases(groups[ocid]), nil, uri); err != nil {
			res.Reject(ocid, err.Error())
		}
	}
	return res, nil
}

// compileRecord returns a record's compiled release: its compiledRelease, or
// else its embedded releases merged. name identifies the record in reports.
func compileRecord(r any, i int) (map[string]any, string, error) {
	name := fmt.Sprintf("record %d", i)
	rec, ok := r.(map[string]any)
	if !ok {
		return nil, name, errors.New("record is not an object")
	}
	if ocid, _ := rec["ocid"].(string); ocid != "" {
		name = ocid
	}
	if compiled, ok := rec["compiledRelease"].(map[string]any); ok {
		return compiled, name, nil
	}
	list, _ := rec["releases"].([]any)
	var embedded []map[string]any
	for _, x := range list {
		if rel, ok := x.(map[string]any); ok {
			if _, full := rel["ocid"]; full {
				embedded = append(embedded, rel)
			}
		}
	}
	if len(embedded) == 0 {
		return nil, name, errors.New("record has no compiledRelease and only linked releases")
	}
	return mergeReleases(embedded), name, nil
}

// addTender validates (when v is set) and maps one compiled release.
func addTender(res *intake.Result, compiled map[string]any, v *Validator, uri string) error {
	if v != nil {
		if err := v.ValidateRelease(compiled); err != nil {
			return err
		}
	}
	t, err := releaseTender(compiled)
	if err != nil {
		return err
	}
	t.SourceURL = uri
	res.Tenders = append(res.Tenders, t)
	return nil
}

// mergeReleases compiles releases of one ocid: sorted by date, each one merged
// over the previous result. Objects merge key by key, arrays of objects with
// an "id" merge item by item, other values (and arrays) are replaced, and null
// removes a field.
func mergeReleases(releases []map[string]any) map[string]any {
	sorted := append([]map[string]any(nil), releases...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return releaseDate(sorted[i]).Before(releaseDate(sorted[j]))
	})
	compiled := map[string]any{}
	for _, r := range sorted {
		mergeObject(compiled, r)
	}
	return compiled
}

func releaseDate(r map[string]any) time.Time {
	s, _ := r["date"].(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func mergeObject(dst, src map[string]any) {
	for k, sv := range src {
		switch s := sv.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			if d, ok := dst[k].(map[string]any); ok {
				mergeObject(d, s)
			} else {
				dst[k] = cloneValue(s)
			}
		case []any:
			if d, ok := dst[k].([]any); ok && identified(s) && identified(d) {
				dst[k] = mergeByID(d, s)
			} else {
				dst[k] = cloneValue(s)
			}
		default:
			dst[k] = sv
		}
	}
}

// identified reports whether every item is an object with an id.
func identified(list []any) bool {
	for _, x := range list {
		obj, ok := x.(map[string]any)
		if !ok || obj["id"] == nil {
			return false
		}
	}
	return len(list) > 0
}

func mergeByID(dst, src []any) []any {
	out := dst
	for _, x := range src {
		obj := x.(map[string]any)
		id := fmt.Sprint(obj["id"])
		merged := false
		for _, y := range out {
			if o := y.(map[string]any); fmt.Sprint(o["id"]) == id {
				mergeObject(o, obj)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, cloneValue(obj))
		}
	}
	return out
}

// cloneValue deep-copies decoded JSON so that merging never aliases an input.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneValue(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = cloneValue(e)
		}
		return l
	}
	return v
}

// The typed view of a compiled release, for mapping.

type release struct {
	OCID    text        `json:"ocid"`
	Date    text        `json:"date"`
	Parties []party     `json:"parties"`
	Buyer   *orgRef     `json:"buyer"`
	Tender  *tenderJSON `json:"tender"`
	Awards  []awardJSON `json:"awards"`
}

type orgRef struct {
	ID   text `json:"id"`
	Name text `json:"name"`
}

type identifier struct {
	Scheme text `json:"scheme"`
	ID     text `json:"id"`
}

type party struct {
	ID                    text         `json:"id"`
	Name                  text         `json:"name"`
	Identifier            *identifier  `json:"identifier"`
	AdditionalIdentifiers []identifier `json:"additionalIdentifiers"`
	Roles                 []text       `json:"roles"`
	Details               *struct {
		Scale text `json:"scale"`
	} `json:"details"`
}

type value struct {
	Amount   text `json:"amount"`
	Currency text `json:"currency"`
}

type period struct {
	StartDate      text `json:"startDate"`
	EndDate        text `json:"endDate"`
	DurationInDays text `json:"durationInDays"`
}

type classification struct {
	Scheme text `json:"scheme"`
	ID     text `json:"id"`
}

type item struct {
	Classification            *classification  `json:"classification"`
	AdditionalClassifications []classification `json:"additionalClassifications"`
}

type document struct {
	DocumentType text `json:"documentType"`
	Title        text `json:"title"`
	URL          text `json:"url"`
}

type lotJSON struct {
	ID    text   `json:"id"`
	Title text   `json:"title"`
	Value *value `json:"value"`
}

type tenderJSON struct {
	ID                       text       `json:"id"`
	Title                    text       `json:"title"`
	Description              text       `json:"description"`
	Status                   text       `json:"status"`
	ProcuringEntity          *orgRef    `json:"procuringEntity"`
	Items                    []item     `json:"items"`
	Value                    *value     `json:"value"`
	ProcurementMethod        text       `json:"procurementMethod"`
	ProcurementMethodDetails text       `json:"procurementMethodDetails"`
	MainProcurementCategory  text       `json:"mainProcurementCategory"`
	TenderPeriod             *period    `json:"tenderPeriod"`
	ContractPeriod           *period    `json:"contractPeriod"`
	Documents                []document `json:"documents"`
	Lots                     []lotJSON  `json:"lots"`
}

type awardJSON struct {
	Status      text     `json:"status"`
	Date        text     `json:"date"`
	Value       *value   `json:"value"`
	Suppliers   []orgRef `json:"suppliers"`
	RelatedLots []text   `json:"relatedLots"`
}

// text accepts a JSON string, number, boolean or null as a string: OCDS ids
// may be strings or integers, and publishers are not always careful.
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(strings.TrimSpace(s))
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("expected a string or number, got %.20s", b)
	default:
		*t = text(b)
	}
	return nil
}

func (t text) String() string { return string(t) }

// releaseTender maps a compiled release onto a tender.
func releaseTender(compiled map[string]any) (intake.Tender, error) {
	data, err := json.Marshal(compiled)
	if err != nil {
		return intake.Tender{}, fmt.Errorf("re-encode release: %w", err)
	}
	var r release
	if err := json.Unmarshal(data, &r); err != nil {
		return intake.Tender{}, fmt.Errorf("release: %w", err)
	}
	t := intake.Tender{Source: intake.SourceOCDS, SourceID: r.OCID.String()}
	if t.SourceID == "" {
		return intake.Tender{}, errors.New("release without ocid")
	}
	if t.Updated, err = parseDate(r.Date); err != nil {
		return intake.Tender{}, fmt.Errorf("date: %w", err)
	}
	parties := map[string]party{}
	for _, p := range r.Parties {
		parties[p.ID.String()] = p
	}

	buyer := r.Buyer
	if tn := r.Tender; buyer == nil && tn != nil {
		buyer = tn.ProcuringEntity
	}
	if buyer != nil {
		t.Authority = authority(*buyer, parties)
	} else {
		for _, p := range r.Parties {
			if hasRole(p, "buyer") {
				t.Authority = authority(orgRef{ID: p.ID, Name: p.Name}, parties)
				break
			}
		}
	}

	var currency string
	if tn := r.Tender; tn != nil {
		t.FileNumber = tn.ID.String()
		t.Title = tn.Title.String()
		t.Description = tn.Description.String()
		t.SourceStatus = tn.Status.String()
		t.Status = status(tn.Status.String())
		t.ProcedureType = procedureType(tn.ProcurementMethod.String(), tn.ProcurementMethodDetails.String())
		t.ContractType = contractType(tn.MainProcurementCategory.String())
		for _, it := range tn.Items {
			var cls []classification
			if it.Classification != nil {
				cls = append(cls, *it.Classification)
			}
			cls = append(cls, it.AdditionalClassifications...)
			for _, c := range cls {
				if strings.EqualFold(c.Scheme.String(), "CPV") {
					t.CPVs, _ = intake.AppendCPV(t.CPVs, c.ID.String())
				}
			}
		}
		if t.EstimatedValueCents, err = money(tn.Value, &currency); err != nil {
			return intake.Tender{}, fmt.Errorf("tender.value: %w", err)
		}
		if tn.TenderPeriod != nil && tn.TenderPeriod.EndDate != "" {
			if t.Deadline, err = parseDate(tn.TenderPeriod.EndDate); err != nil {
				return intake.Tender{}, fmt.Errorf("tender.tenderPeriod.endDate: %w", err)
			}
		}
		t.DurationMonths = durationMonths(tn.ContractPeriod)
		for _, d := range tn.Documents {
			if d.URL == "" {
				continue
			}
			t.Documents = append(t.Documents, intake.Document{Title: d.Title.String(), URL: d.URL.String(), Kind: d.DocumentType.String()})
		}
		for _, l := range tn.Lots {
			lot := intake.Lot{ID: l.ID.String(), Title: l.Title.String()}
			if lot.EstimatedValueCents, err = money(l.Value, &currency); err != nil {
				return intake.Tender{}, fmt.Errorf("tender.lots %s value: %w", lot.ID, err)
			}
			t.Lots = append(t.Lots, lot)
		}
	}

	for i, a := range r.Awards {
		switch a.Status.String() {
		case "pending", "cancelled", "unsuccessful":
			continue
		}
		base := intake.Award{}
		if len(a.RelatedLots) > 0 {
			base.LotID = a.RelatedLots[0].String()
		}
		if base.AmountNoVATCents, err = money(a.Value, &currency); err != nil {
			return intake.Tender{}, fmt.Errorf("awards[%d].value: %w", i, err)
		}
		if a.Date != "" {
			if base.Date, err = parseDate(a.Date); err != nil {
				return intake.Tender{}, fmt.Errorf("awards[%d].date: %w", i, err)
			}
		}
		for _, s := range a.Suppliers {
			aw := base
			p, known := parties[s.ID.String()]
			aw.WinnerName = s.Name.String()
			if aw.WinnerName == "" && known {
				aw.WinnerName = p.Name.String()
			}
			if known && p.Identifier != nil {
				aw.WinnerNIF = p.Identifier.ID.String()
			}
			if known && p.Details != nil {
				switch p.Details.Scale.String() {
				case "sme":
					yes := true
					aw.SME = &yes
				case "large":
					no := false
					aw.SME = &no
				}
			}
			t.Awards = append(t.Awards, aw)
		}
	}
	t.Currency = currency
	switch {
	case len(t.Awards) > 0:
		t.NoticeType = intake.NoticeContractAward
	case t.Status == intake.StatusPlanned:
		t.NoticeType = intake.NoticePriorInformation
	case r.Tender != nil:
		t.NoticeType = intake.NoticeContract
	}
	return t, nil
}

// authority resolves an organization reference against the parties.
func authority(ref orgRef, parties map[string]party) intake.Authority {
	a := intake.Authority{Name: ref.Name.String()}
	p, ok := parties[ref.ID.String()]
	if !ok {
		return a
	}
	if a.Name == "" {
		a.Name = p.Name.String()
	}
	if p.Identifier != nil {
		a.NIF = p.Identifier.ID.String()
	}
	for _, id := range p.AdditionalIdentifiers {
		if strings.EqualFold(id.Scheme.String(), schemeDIR3) {
			a.DIR3 = id.ID.String()
		}
	}
	return a
}

func hasRole(p party, role string) bool {
	for _, r := range p.Roles {
		if r.String() == role {
			return true
		}
	}
	return false
}

// parseDate parses an OCDS date-time.
func parseDate(s text) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s.String())
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", intake.ErrDate, s.String())
	}
	return t, nil
}

// money parses an optional value; the first currency seen is kept in currency.
func money(v *value, currency *string) (int64, error) {
	if v == nil || v.Amount == "" {
		return 0, nil
	}
	c, err := intake.ParseCents(v.Amount.String())
	if err != nil {
		return 0, err
	}
	if *currency == "" {
		*currency = v.Currency.String()
	}
	return c, nil
}

// durationMonths reads a contract period: durationInDays, or start and end dates.
func durationMonths(p *period) int {
	if p == nil {
		return 0
	}
	if m := intake.ParseDuration(p.DurationInDays.String(), "DAY"); m > 0 {
		return m
	}
	start, err1 := parseDate(p.StartDate)
	end, err2 := parseDate(p.EndDate)
	if err1 != nil || err2 != nil {
		return 0
	}
	return intake.MonthsBetween(start, end)
}

// status maps the OCDS tender status; the deprecated "planning" reads as planned.
func status(s string) intake.Status {
	switch st := intake.Status(s); st {
	case intake.StatusPlanned, intake.StatusActive, intake.StatusComplete,
		intake.StatusCancelled, intake.StatusUnsuccessful, intake.StatusWithdrawn:
		return st
	case "planning":
		return intake.StatusPlanned
	}
	return ""
}

// normalizedProcedures are the values Export writes to procurementMethodDetails.
var normalizedProcedures = map[string]bool{
	intake.ProcedureOpen: true, intake.ProcedureRestricted: true,
	intake.ProcedureNegotiatedWithPublicity: true, intake.ProcedureNegotiatedWithoutPublicity: true,
	intake.ProcedureCompetitiveDialogue: true, intake.ProcedureInnovationPartnership: true,
	intake.ProcedureOpenSimplified: true, intake.ProcedureMinor: true, intake.ProcedureOther: true,
}

func procedureType(method, details string) string {
	if normalizedProcedures[details] {
		return details
	}
	switch method {
	case "open":
		return intake.ProcedureOpen
	case "selective":
		return intake.ProcedureRestricted
	case "limited", "direct":
		return intake.ProcedureNegotiatedWithoutPublicity
	case "":
		return ""
	}
	return intake.ProcedureOther
}

func contractType(category string) string {
	switch category {
	case "goods":
		return intake.ContractSupplies
	case "services":
		return intake.ContractServices
	case "works":
		return intake.ContractWorks
	case "":
		return ""
	}
	return intake.ContractOther
}
