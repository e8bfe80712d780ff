package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/cpv"
)

// newTenderURL is the new tender form.
const newTenderURL = "/tenders/new"

// defaultNUTS is the place of performance offered by default (Cantabria).
const defaultNUTS = "ES130"

// contractTypes are the selectable contract types.
var contractTypes = []tenderv1.ContractType{
	tenderv1.ContractType_CONTRACT_TYPE_SERVICES, tenderv1.ContractType_CONTRACT_TYPE_SUPPLIES,
	tenderv1.ContractType_CONTRACT_TYPE_WORKS, tenderv1.ContractType_CONTRACT_TYPE_OTHER,
}

// procedureTypes are the selectable award procedures.
var procedureTypes = []tenderv1.ProcedureType{
	tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN_SIMPLIFIED,
	tenderv1.ProcedureType_PROCEDURE_TYPE_RESTRICTED, tenderv1.ProcedureType_PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICITY,
	tenderv1.ProcedureType_PROCEDURE_TYPE_NEGOTIATED_WITHOUT_PUBLICITY, tenderv1.ProcedureType_PROCEDURE_TYPE_COMPETITIVE_DIALOGUE,
	tenderv1.ProcedureType_PROCEDURE_TYPE_INNOVATION_PARTNERSHIP, tenderv1.ProcedureType_PROCEDURE_TYPE_MINOR,
	tenderv1.ProcedureType_PROCEDURE_TYPE_OTHER,
}

// tenderForm is what the user typed into the new tender form, kept as text so
// that the form can be shown again as entered.
type tenderForm struct {
	Cluster       string
	Title         string
	AuthorityName string
	AuthorityNIF  string
	Description   string
	ContractType  string // enum name
	Procedure     string // enum name
	CPV           string // codes separated by commas or spaces
	NUTS          string
	Value         string // euros
	Duration      string // months
	Date          string // YYYY-MM-DD, Madrid
	Time          string // HH:MM, Madrid
	Capabilities  []string
	ENS           string // "", "basica", "media" or "alta"
	ISO27001      bool
	Publish       bool
	BudgetNoVAT   string    // euros
	BudgetVAT     string    // euros
	MaxMembers    string    // most members of a consortium; "" = no limit
	Shared        []string  // ids of the other clusters the tender is shared with
	Lots          []lotForm // the lot rows (blank ones are ignored)
}

// lotForm is one lot row of the new tender form.
type lotForm struct{ ID, Title, Value string }

// lotRows is how many lot rows the new tender form offers.
const lotRows = 3

// newTenderData is the new tender page.
type newTenderData struct {
	F             tenderForm
	Clusters      []*memberv1.Cluster
	Capabilities  []capChoice
	ContractTypes []tenderv1.ContractType
	Procedures    []tenderv1.ProcedureType
	Levels        []string
	CPVQuery      string
	CPVHits       []cpv.Code
	Message       string              // the service's message when the form is refused
	ShareWith     []*memberv1.Cluster // every cluster, to share the tender with
	Errors        map[string][]string // form field → problems
	Other         []string            // problems with no field of the form
}

// Shares reports whether the form shares the tender with cluster id.
func (d newTenderData) Shares(id string) bool { return slices.Contains(d.F.Shared, id) }

// Err returns the problems of one form field (for the template).
func (d newTenderData) Err(field string) []string { return d.Errors[field] }

// newTenderPage shows the new tender form (cluster managers only).
func (s *Server) newTenderPage(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	f := tenderForm{NUTS: defaultNUTS, Time: "14:00", ContractType: contractTypes[0].String(), Procedure: procedureTypes[0].String()}
	d, err := s.newTenderData(r, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.CPVQuery = strings.TrimSpace(r.URL.Query().Get("cpvq")); d.CPVQuery != "" {
		d.CPVHits = s.d.Catalog.Search(d.CPVQuery, 20)
	}
	s.render(w, r, http.StatusOK, "tendernew", "tendernew.title", d)
}

// newTenderData fills the form's choices around f.
func (s *Server) newTenderData(r *http.Request, f tenderForm) (newTenderData, error) {
	cs, err := s.importClusters(r)
	if err != nil {
		return newTenderData{}, err
	}
	d := newTenderData{F: f, Clusters: cs, ContractTypes: contractTypes, Procedures: procedureTypes, Levels: ensLevels, Errors: map[string][]string{}}
	for len(d.F.Lots) < lotRows {
		d.F.Lots = append(d.F.Lots, lotForm{})
	}
	if all, err := s.d.Member.ListClusters(rpc(r), &memberv1.ListClustersRequest{}); err == nil {
		d.ShareWith = all.GetClusters()
	}
	all, _ := s.capabilities(rpc(r))
	for _, c := range all {
		d.Capabilities = append(d.Capabilities, capChoice{C: c, Checked: slices.Contains(f.Capabilities, c.GetId())})
	}
	return d, nil
}

// cpvSplit splits CPV codes separated by commas, semicolons or white space.
var cpvSplit = regexp.MustCompile(`[\s,;]+`)

// tenderFormOf reads the posted form.
func tenderFormOf(r *http.Request) tenderForm {
	p := r.PostForm
	tr := func(k string) string { return strings.TrimSpace(p.Get(k)) }
	f := tenderForm{
		Cluster: tr("cluster"), Title: tr("title"), AuthorityName: tr("authority_name"), AuthorityNIF: tr("authority_nif"),
		Description: tr("description"), ContractType: tr("contract_type"), Procedure: tr("procedure"), NUTS: tr("nuts"),
		Value: tr("value"), Duration: tr("duration"), Date: tr("deadline_date"), Time: tr("deadline_time"),
		ENS: tr("ens"), ISO27001: p.Get("iso27001") != "", Publish: p.Get("publish") != "",
		BudgetNoVAT: tr("budget"), BudgetVAT: tr("budget_vat"), MaxMembers: tr("max_members"),
	}
	for _, c := range p["share"] {
		if c != "" && c != f.Cluster && !slices.Contains(f.Shared, c) {
			f.Shared = append(f.Shared, c)
		}
	}
	ids, titles, values := p["lot_id"], p["lot_title"], p["lot_value"]
	for i := range ids {
		l := lotForm{ID: strings.TrimSpace(ids[i])}
		if i < len(titles) {
			l.Title = strings.TrimSpace(titles[i])
		}
		if i < len(values) {
			l.Value = strings.TrimSpace(values[i])
		}
		if l != (lotForm{}) {
			f.Lots = append(f.Lots, l)
		}
	}
	codes := cpvSplit.Split(tr("cpv_codes"), -1)
	codes = append(codes, p["cpv"]...) // ticked search results
	var out []string
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	f.CPV = strings.Join(out, ", ")
	for _, c := range p["capability"] {
		if c != "" && !slices.Contains(f.Capabilities, c) {
			f.Capabilities = append(f.Capabilities, c)
		}
	}
	if !slices.Contains(ensLevels, f.ENS) {
		f.ENS = ""
	}
	return f
}

// createTenderRequest builds CreateTender from the form; problems found before
// calling the service are returned by form field (message keys).
func createTenderRequest(f tenderForm) (*tenderv1.CreateTenderRequest, map[string]string) {
	bad := map[string]string{}
	det := &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: f.AuthorityName, Nif: f.AuthorityNIF},
		Title:     f.Title, Description: f.Description,
		ContractType:  tenderv1.ContractType(tenderv1.ContractType_value[f.ContractType]),
		ProcedureType: tenderv1.ProcedureType(tenderv1.ProcedureType_value[f.Procedure]),
		Requirements:  &tenderv1.Requirements{Capabilities: f.Capabilities},
	}
	if f.CPV != "" {
		det.CpvCodes = strings.Split(f.CPV, ", ")
	}
	if f.NUTS != "" {
		det.Nuts = []string{f.NUTS}
	}
	if f.Value != "" {
		if cents, ok := parseEuros(f.Value); ok {
			det.EstimatedValueCents = cents
		} else {
			bad["value"] = "tendernew.badvalue"
		}
	}
	if f.Duration != "" {
		if n, err := strconv.Atoi(f.Duration); err == nil && n >= 0 {
			det.DurationMonths = int32(n)
		} else {
			bad["duration"] = "tendernew.badduration"
		}
	}
	if f.Date != "" {
		if ts, ok := madridTime(f.Date, f.Time); ok {
			det.SubmissionDeadline = ts
		} else {
			bad["deadline"] = "tendernew.baddeadline"
		}
	}
	euros := func(field, in string, to *int64) {
		if in == "" {
			return
		}
		if cents, ok := parseEuros(in); ok {
			*to = cents
		} else {
			bad[field] = "tendernew.badvalue"
		}
	}
	euros("budget", f.BudgetNoVAT, &det.BudgetWithoutVatCents)
	euros("budget", f.BudgetVAT, &det.BudgetWithVatCents)
	if f.MaxMembers != "" {
		if n, err := strconv.Atoi(f.MaxMembers); err == nil && n >= 0 {
			det.Requirements.MaxMembers = int32(n)
		} else {
			bad["max_members"] = "tendernew.badmaxmembers"
		}
	}
	for _, l := range f.Lots {
		if l == (lotForm{}) {
			continue
		}
		lot := &tenderv1.Lot{Id: l.ID, Title: l.Title}
		euros("lots", l.Value, &lot.EstimatedValueCents)
		det.Lots = append(det.Lots, lot)
	}
	if f.ENS != "" {
		det.Requirements.Certifications = append(det.Requirements.Certifications, &tenderv1.CertificationRequirement{Kind: "ENS", Level: f.ENS})
	}
	if f.ISO27001 {
		det.Requirements.Certifications = append(det.Requirements.Certifications, &tenderv1.CertificationRequirement{Kind: "ISO27001"})
	}
	return &tenderv1.CreateTenderRequest{ClusterId: f.Cluster, Details: det, Publish: f.Publish, SharedWith: f.Shared}, bad
}

// madridTime reads a date (YYYY-MM-DD) and an optional time (HH:MM, default
// 23:59) in Madrid time.
func madridTime(date, clock string) (*timestamppb.Timestamp, bool) {
	if clock == "" {
		clock = "23:59"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, madrid)
	if err != nil {
		return nil, false
	}
	return timestamppb.New(t), true
}

// formFields maps the service's field paths (after "details.") to the new
// tender form's fields, longest prefix first.
var formFields = []struct{ prefix, field string }{
	{"cluster_id", "cluster"},
	{"details.title", "title"},
	{"details.authority.name", "authority_name"},
	{"details.authority.nif", "authority_nif"},
	{"details.authority", "authority_name"},
	{"details.description", "description"},
	{"details.contract_type", "contract_type"},
	{"details.procedure_type", "procedure"},
	{"details.cpv_codes", "cpv_codes"},
	{"details.nuts", "nuts"},
	{"details.estimated_value_cents", "value"},
	{"details.duration_months", "duration"},
	{"details.budget_", "budget"},
	{"details.lots", "lots"},
	{"details.requirements.max_members", "max_members"},
	{"shared_with", "share"},
	{"details.submission_deadline", "deadline"},
	{"details.requirements.capabilities", "capability"},
	{"details.requirements.certifications", "certifications"},
}

// indexRE finds a list index in a field path, e.g. "[0]".
var indexRE = regexp.MustCompile(`\[(\d+)\]`)

// fieldErrors sorts a refused CreateTender's violations onto the form.
func fieldErrors(d *newTenderData, err error, f tenderForm) {
	st := status.Convert(err)
	d.Message = st.Message()
	codesList := []string{}
	if f.CPV != "" {
		codesList = strings.Split(f.CPV, ", ")
	}
	for _, det := range st.Details() {
		br, ok := det.(*errdetails.BadRequest)
		if !ok {
			continue
		}
		for _, v := range br.GetFieldViolations() {
			field, msg := "", v.GetDescription()
			for _, m := range formFields {
				if strings.HasPrefix(v.GetField(), m.prefix) {
					field = m.field
					break
				}
			}
			if field == "cpv_codes" {
				// Name the code: "details.cpv_codes[1]" is the second one typed.
				if m := indexRE.FindStringSubmatch(v.GetField()); m != nil {
					if i, _ := strconv.Atoi(m[1]); i < len(codesList) {
						msg = codesList[i] + ": " + msg
					}
				}
			}
			if field == "" {
				d.Other = append(d.Other, v.GetField()+": "+msg)
				continue
			}
			d.Errors[field] = append(d.Errors[field], msg)
		}
	}
}

// createTender creates a tender from the form. Bad input shows the form again
// as entered, with each problem next to its field.
func (s *Server) createTender(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		invalidMessage(w, r, newTenderURL, err.Error())
		return
	}
	f := tenderFormOf(r)
	req, bad := createTenderRequest(f)
	l := localeOf(r)
	if len(bad) > 0 {
		d, err := s.newTenderData(r, f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Message = l.T("tendernew.invalid")
		for field, key := range bad {
			d.Errors[field] = append(d.Errors[field], l.T(key))
		}
		s.render(w, r, http.StatusUnprocessableEntity, "tendernew", "tendernew.title", d)
		return
	}
	resp, err := s.d.Tender.CreateTender(rpc(r), req)
	if err != nil {
		if status.Code(err) != codes.InvalidArgument {
			s.actionFail(w, r, err, newTenderURL)
			return
		}
		d, derr := s.newTenderData(r, f)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		fieldErrors(&d, err, f)
		s.render(w, r, http.StatusUnprocessableEntity, "tendernew", "tendernew.title", d)
		return
	}
	t := resp.GetTender()
	key := "tendernew.created"
	if t.GetStatus() == tenderv1.TenderStatus_TENDER_STATUS_ACTIVE {
		key = "tendernew.published"
	}
	done(w, r, "/tenders/"+url.PathEscape(t.GetId()), key, t.GetTitle())
}

// tenderURL is a tender's page.
func tenderURL(id string) string { return "/tenders/" + url.PathEscape(id) }

// publishTender opens a planned tender for bids.
func (s *Server) publishTender(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, err := s.d.Tender.PublishTender(rpc(r), &tenderv1.PublishTenderRequest{TenderId: id}); err != nil {
		s.actionFail(w, r, err, tenderURL(id))
		return
	}
	done(w, r, tenderURL(id), "tender.publish.done")
}

// changeDeadline moves the submission deadline; the service requires a reason.
func (s *Server) changeDeadline(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	id := r.PathValue("id")
	back := tenderURL(id) + "#manage"
	ts, ok := madridTime(strings.TrimSpace(r.FormValue("deadline_date")), strings.TrimSpace(r.FormValue("deadline_time")))
	if !ok {
		invalidInput(w, r, back, "tendernew.baddeadline")
		return
	}
	_, err := s.d.Tender.ChangeDeadline(rpc(r), &tenderv1.ChangeDeadlineRequest{TenderId: id, Deadline: ts, Reason: strings.TrimSpace(r.FormValue("reason"))})
	if err != nil {
		s.actionFail(w, r, err, back)
		return
	}
	done(w, r, tenderURL(id), "tender.deadline.changed", localeOf(r).DateTime(ts))
}

// awardTender records the award of the tender (or one lot).
func (s *Server) awardTender(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	id := r.PathValue("id")
	back := tenderURL(id) + "#manage"
	var cents int64
	if amount := strings.TrimSpace(r.FormValue("amount")); amount != "" {
		var ok bool
		if cents, ok = parseEuros(amount); !ok {
			invalidInput(w, r, back, "tender.award.badamount")
			return
		}
	}
	a := &tenderv1.Award{
		LotId: strings.TrimSpace(r.FormValue("lot")), WinnerName: strings.TrimSpace(r.FormValue("winner_name")),
		WinnerTaxId: strings.TrimSpace(r.FormValue("winner_tax_id")), AmountCents: cents,
		ConsortiumId: strings.TrimSpace(r.FormValue("consortium")), AwardTime: timestamppb.Now(),
	}
	if _, err := s.d.Tender.AwardTender(rpc(r), &tenderv1.AwardTenderRequest{TenderId: id, Award: a}); err != nil {
		s.actionFail(w, r, err, back)
		return
	}
	done(w, r, tenderURL(id), "tender.award.done", a.GetWinnerName())
}

// cancelTender records the cancellation; the service requires a reason.
func (s *Server) cancelTender(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	id := r.PathValue("id")
	_, err := s.d.Tender.CancelTender(rpc(r), &tenderv1.CancelTenderRequest{TenderId: id, Reason: strings.TrimSpace(r.FormValue("reason"))})
	if err != nil {
		s.actionFail(w, r, err, tenderURL(id)+"#manage")
		return
	}
	done(w, r, tenderURL(id), "tender.cancel.done")
}

// DeadlineDate is the current deadline's date in Madrid (YYYY-MM-DD), to prefill the change form.
func (d tenderData) DeadlineDate() string {
	if d.T.GetSubmissionDeadline() == nil {
		return ""
	}
	return d.T.GetSubmissionDeadline().AsTime().In(madrid).Format("2006-01-02")
}

// DeadlineTime is the current deadline's time in Madrid (HH:MM).
func (d tenderData) DeadlineTime() string {
	if d.T.GetSubmissionDeadline() == nil {
		return "14:00"
	}
	return d.T.GetSubmissionDeadline().AsTime().In(madrid).Format("15:04")
}
