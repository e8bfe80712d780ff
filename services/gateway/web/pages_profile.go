package web

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/cpv"
)

// certificationKinds are the certification kinds the member service accepts.
var certificationKinds = []string{"ENS", "ISO27001", "ISO9001", "ISO14001", "ISO20000", "ISO22301", "CMMI"}

// ensLevels are the ENS levels (RD 311/2022).
var ensLevels = []string{"basica", "media", "alta"}

// sizeBands are the selectable EU SME size classes.
var sizeBands = []memberv1.SizeBand{
	memberv1.SizeBand_SIZE_BAND_MICRO, memberv1.SizeBand_SIZE_BAND_SMALL,
	memberv1.SizeBand_SIZE_BAND_MEDIUM, memberv1.SizeBand_SIZE_BAND_LARGE,
}

// profileData is the company profile editor.
type profileData struct {
	Org          *memberv1.Organization
	Capabilities []capChoice
	CPVQuery     string
	CPVHits      []cpv.Code // search results, offered as unticked interests
	Kinds        []string
	Levels       []string
	SizeBands    []memberv1.SizeBand
	// Joinable are the clusters the organisation may ask to join (no membership yet).
	Joinable []*memberv1.Cluster
	// ClusterNames names every cluster, for the memberships line.
	ClusterNames map[string]string
}

// capChoice is one capability checkbox.
type capChoice struct {
	C       *memberv1.Capability
	Checked bool
}

// companyOrg returns the company user's organisation id or renders an error.
func (s *Server) companyOrg(w http.ResponseWriter, r *http.Request) (string, bool) {
	org := principal(r).Organization
	if org == "" {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.companyonly"))
		return "", false
	}
	return org, true
}

// profilePage is the company's profile editor: capabilities, CPV interests
// (search by code or label), certifications, turnover and references.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	ctx := rpc(r)
	resp, err := s.d.Member.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: org})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o := resp.GetOrganization()
	all, _ := s.capabilities(ctx)
	d := profileData{Org: o, Kinds: certificationKinds, Levels: ensLevels, SizeBands: sizeBands, CPVQuery: strings.TrimSpace(r.URL.Query().Get("cpvq"))}
	for _, c := range all {
		d.Capabilities = append(d.Capabilities, capChoice{C: c, Checked: slices.Contains(o.GetProfile().GetCapabilities(), c.GetId())})
	}
	names, clusters := s.clusterNames(r)
	d.ClusterNames = names
	for _, c := range clusters {
		if !slices.ContainsFunc(o.GetMemberships(), func(m *memberv1.Membership) bool { return m.GetClusterId() == c.GetId() }) {
			d.Joinable = append(d.Joinable, c)
		}
	}
	if d.CPVQuery != "" {
		for _, c := range s.d.Catalog.Search(d.CPVQuery, 20) {
			if !slices.Contains(o.GetProfile().GetCpvInterests(), c.ID) {
				d.CPVHits = append(d.CPVHits, c)
			}
		}
	}
	s.render(w, r, http.StatusOK, "profile", "profile.title", d)
}

// version reads the form's expected aggregate version (0 = no check).
func version(r *http.Request) uint64 {
	v, _ := strconv.ParseUint(r.FormValue("version"), 10, 64)
	return v
}

// updateProfile replaces the profile with the form's fields.
func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		invalidMessage(w, r, "/profile", err.Error())
		return
	}
	f := r.PostForm
	head, err := strconv.Atoi(strings.TrimSpace(f.Get("headcount")))
	if err != nil && f.Get("headcount") != "" {
		invalidInput(w, r, "/profile", "profile.badheadcount")
		return
	}
	var cpvs []string
	for _, c := range f["cpv"] {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cpvs, c) {
			cpvs = append(cpvs, c)
		}
	}
	for _, c := range parseCSV(f.Get("cpv_add")) {
		if !slices.Contains(cpvs, c) {
			cpvs = append(cpvs, c)
		}
	}
	band := memberv1.SizeBand(memberv1.SizeBand_value[f.Get("size_band")])
	profile := &memberv1.OrganizationProfile{
		SizeBand: band, Headcount: int32(head), Capabilities: f["capability"], CpvInterests: cpvs,
		Description: strings.TrimSpace(f.Get("description")), Website: strings.TrimSpace(f.Get("website")),
		Address: &memberv1.Address{
			Street: strings.TrimSpace(f.Get("street")), Locality: strings.TrimSpace(f.Get("locality")),
			PostalCode: strings.TrimSpace(f.Get("postal_code")), Province: strings.TrimSpace(f.Get("province")),
			Nuts: strings.TrimSpace(f.Get("nuts")),
		},
	}
	_, err = s.d.Member.UpdateOrganizationProfile(rpc(r), &memberv1.UpdateOrganizationProfileRequest{OrganizationId: org, Profile: profile, ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile")
		return
	}
	done(w, r, "/profile", "profile.saved")
}

// certificationFrom reads a certification from the form.
func certificationFrom(r *http.Request) *memberv1.Certification {
	c := &memberv1.Certification{
		Kind: r.FormValue("kind"), Level: r.FormValue("level"),
		IssueDate: r.FormValue("issue_date"), ExpiryDate: r.FormValue("expiry_date"),
		Scope: strings.TrimSpace(r.FormValue("scope")),
	}
	if c.Kind != "ENS" {
		c.Level = ""
	}
	return c
}

// addCertification adds a certification.
func (s *Server) addCertification(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	_, err := s.d.Member.AddCertification(rpc(r), &memberv1.AddCertificationRequest{OrganizationId: org, Certification: certificationFrom(r), ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile#certifications")
		return
	}
	done(w, r, "/profile#certifications", "cert.added")
}

// editCertification replaces a certification (renewal or correction) in one event.
func (s *Server) editCertification(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	_, err := s.d.Member.ReplaceCertification(rpc(r), &memberv1.ReplaceCertificationRequest{
		OrganizationId: org, CertificationId: r.PathValue("cid"), Certification: certificationFrom(r), ExpectedVersion: version(r),
	})
	if err != nil {
		s.actionFail(w, r, err, "/profile#certifications")
		return
	}
	done(w, r, "/profile#certifications", "cert.updated")
}

// removeCertification removes a certification.
func (s *Server) removeCertification(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	_, err := s.d.Member.RemoveCertification(rpc(r), &memberv1.RemoveCertificationRequest{OrganizationId: org, CertificationId: r.PathValue("cid"), ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile#certifications")
		return
	}
	done(w, r, "/profile#certifications", "cert.removed")
}

// parseEuros reads an amount in euros ("1.234.567,89", "1234567.89", "1,234,567")
// as cents. A single separator followed by exactly three digits is a thousands
// separator.
func parseEuros(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.Trim(strings.TrimSpace(s), "€ "), " ", "")
	if s == "" {
		return 0, false
	}
	dot, comma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	decSep := ""
	switch {
	case dot >= 0 && comma >= 0:
		decSep = "."
		if comma > dot {
			decSep = ","
		}
	case dot >= 0 && (strings.Count(s, ".") > 1 || len(s)-dot-1 == 3):
		decSep = ","
	case comma >= 0 && (strings.Count(s, ",") > 1 || len(s)-comma-1 == 3):
		decSep = "."
	case dot >= 0:
		decSep = "."
	case comma >= 0:
		decSep = ","
	}
	thousands := map[string]string{".": ",", ",": "."}[decSep]
	if thousands != "" {
		s = strings.ReplaceAll(s, thousands, "")
	}
	s = strings.ReplaceAll(s, ",", ".")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e13 {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// reportTurnover records one year's turnover.
func (s *Server) reportTurnover(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	year, err := strconv.Atoi(strings.TrimSpace(r.FormValue("year")))
	cents, ok := parseEuros(r.FormValue("amount"))
	if err != nil || !ok {
		invalidInput(w, r, "/profile#turnover", "turnover.invalid")
		return
	}
	_, err = s.d.Member.ReportTurnover(rpc(r), &memberv1.ReportTurnoverRequest{OrganizationId: org, Turnover: &memberv1.Turnover{Year: int32(year), AmountCents: cents}, ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile#turnover")
		return
	}
	done(w, r, "/profile#turnover", "turnover.saved")
}

// addReference adds a past contract.
func (s *Server) addReference(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	year, err := strconv.Atoi(strings.TrimSpace(r.FormValue("year")))
	cents, ok := parseEuros(r.FormValue("amount"))
	if err != nil || !ok {
		invalidInput(w, r, "/profile#references", "reference.invalid")
		return
	}
	ref := &memberv1.Reference{
		Buyer: strings.TrimSpace(r.FormValue("buyer")), Title: strings.TrimSpace(r.FormValue("title")),
		Cpv: strings.TrimSpace(r.FormValue("cpv")), AmountCents: cents, Year: int32(year),
	}
	_, err = s.d.Member.AddReference(rpc(r), &memberv1.AddReferenceRequest{OrganizationId: org, Reference: ref, ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile#references")
		return
	}
	done(w, r, "/profile#references", "reference.added")
}

// removeReference removes a past contract.
func (s *Server) removeReference(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	_, err := s.d.Member.RemoveReference(rpc(r), &memberv1.RemoveReferenceRequest{OrganizationId: org, ReferenceId: r.PathValue("rid"), ExpectedVersion: version(r)})
	if err != nil {
		s.actionFail(w, r, err, "/profile#references")
		return
	}
	done(w, r, "/profile#references", "reference.removed")
}
