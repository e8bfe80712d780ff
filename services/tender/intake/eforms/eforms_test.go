package eforms

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// noticePath returns the path of a notice under ted-eforms/<dir>.
func noticePath(t testing.TB, dir, file string) string {
	t.Helper()
	p, err := datadir.Path("ted-eforms", dir, file)
	if err != nil {
		t.Fatalf("locate notice: %v", err)
	}
	return p
}

func noticeBytes(t testing.TB, dir, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(noticePath(t, dir, file))
	if err != nil {
		t.Fatalf("read notice: %v", err)
	}
	return data
}

// allNotices lists the 13 shared notices.
var allNotices = []struct{ dir, file string }{
	{"real-notices", "262891-2023.xml"},
	{"real-notices", "291858-2023.xml"},
	{"real-notices", "309890-2023.xml"},
	{"real-notices", "402363-2023.xml"},
	{"real-notices", "574413-2023.xml"},
	{"real-notices", "615708-2023.xml"},
	{"real-notices", "646400-2023.xml"},
	{"real-notices", "761524-2023.xml"},
	{"real-notices", "787442-2023.xml"},
	{"sdk-examples", "can_24_maximal.xml"},
	{"sdk-examples", "cn_24_maximal.xml"},
	{"sdk-examples", "cn_24_minimal.xml"},
	{"sdk-examples", "t02_ESP.xml"},
}

func TestParseEveryNotice(t *testing.T) {
	tests := []struct {
		file       string
		sourceID   string
		noticeType string
		status     intake.Status
		buyer      string
		buyerID    string
		mainCPV    string
		cpvs       int
		lots       int
		estimated  int64
		procedure  string
		contract   string
		nuts       string
		months     int
		deadline   string // RFC 3339 UTC, "" when none
	}{
		{"262891-2023.xml", "262891-2023", intake.NoticePriorInformation, intake.StatusPlanned, "AYUNTAMIENTO DE RIPOLL", "P1715600A", "90911200", 2, 4, 0, intake.ProcedureOpen, intake.ContractServices, "", 0, "2023-06-02T12:00:00Z"},
		{"291858-2023.xml", "291858-2023", intake.NoticeContract, intake.StatusActive, "aktsiaselts TALLINNA SADAM", "10137319", "72262000", 1, 1, 0, intake.ProcedureOpen, intake.ContractServices, "", 38, "2023-05-30T07:00:00Z"},
		{"309890-2023.xml", "309890-2023", intake.NoticeContract, intake.StatusActive, "Joint Research Centre", "JRC", "73210000", 4, 1, 46000000, intake.ProcedureOpen, intake.ContractServices, "", 18, "2023-07-11T14:00:00Z"},
		{"402363-2023.xml", "402363-2023", intake.NoticeContract, intake.StatusActive, "Autoridad Portuaria de Barcelona", "Q0867012G", "63721200", 1, 1, 5000000000, "", intake.ContractServices, "ES511", 0, ""},
		{"574413-2023.xml", "574413-2023", intake.NoticePriorInformation, intake.StatusPlanned, "Salon kaupunki", "0139533-1", "92000000", 3, 1, 0, intake.ProcedureOpen, intake.ContractServices, "", 60, "2023-10-18T09:00:00Z"},
		{"615708-2023.xml", "615708-2023", intake.NoticeContract, intake.StatusActive, "Puolustusvoimien logistiikkalaitos", "0952029-9", "72000000", 1, 1, 1000000000, intake.ProcedureRestricted, intake.ContractServices, "", 60, "2023-11-10T12:00:00Z"},
		{"646400-2023.xml", "646400-2023", intake.NoticePriorInformation, intake.StatusPlanned, "Ajuntament de Barcelona", "P-0801900-B", "92610000", 1, 1, 99896958, "", intake.ContractServices, "", 0, "2023-12-04T22:59:00Z"},
		{"761524-2023.xml", "761524-2023", intake.NoticePriorInformation, intake.StatusPlanned, "Fires, Congressos i Esdeveniments d'Eivissa, S.A.U.", "A07837602", "55300000", 1, 1, 173970100, "", intake.ContractServices, "ES531", 0, "2024-01-16T15:00:00Z"},
		{"787442-2023.xml", "787442-2023", intake.NoticePriorInformation, intake.StatusPlanned, "Vattenfall", "556036-2138", "30230000", 1, 1, 0, intake.ProcedureOther, intake.ContractSupplies, "", 0, "2024-01-16T11:00:00Z"},
		{"can_24_maximal.xml", "15377ca1-6cf7-4060-90f0-9290128957a3", intake.NoticeContractAward, intake.StatusComplete, "Financial Adinistration for ...", "998298", "79710000", 4, 2, 999999999, intake.ProcedureNegotiatedWithPublicity, intake.ContractServices, "LU000", 5, ""},
		{"cn_24_maximal.xml", "14549263-b47b-4e59-96a1-2d0d13e19343", intake.NoticeContract, intake.StatusActive, "Financial Adinistration for ...", "998298", "79710000", 3, 2, 999999999, intake.ProcedureNegotiatedWithPublicity, intake.ContractServices, "LU000", 5, "2023-05-22T19:59:32Z"},
		{"cn_24_minimal.xml", "f42be27e-09cf-4f0e-a745-63ec689631e6", intake.NoticeContract, intake.StatusActive, "Publications Office of the European Union", "EU-PO", "72230000", 1, 1, 0, intake.ProcedureOpen, intake.ContractServices, "FRD22", 48, "2020-02-04T08:00:00Z"},
		{"t02_ESP.xml", "17f00f55-7178-4597-822a-545d2f55a150", intake.NoticeContractAward, intake.StatusComplete, "Ministerio de Transportes, Movilidad y Agenda Urbana", "S 2800113 I", "60210000", 1, 1, 0, intake.ProcedureOther, intake.ContractServices, "", 120, ""},
	}
	if len(tests) != len(allNotices) {
		t.Fatalf("table covers %d notices, want all %d", len(tests), len(allNotices))
	}
	for i, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(noticePath(t, allNotices[i].dir, tt.file))
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			nuts := ""
			if len(got.NUTS) > 0 {
				nuts = got.NUTS[0]
			}
			deadline := ""
			if !got.Deadline.IsZero() {
				deadline = got.Deadline.UTC().Format(time.RFC3339)
			}
			checks := []struct {
				name      string
				got, want any
			}{
				{"Source", got.Source, intake.SourceTEDeForms},
				{"SourceID", got.SourceID, tt.sourceID},
				{"NoticeType", got.NoticeType, tt.noticeType},
				{"Status", got.Status, tt.status},
				{"buyer", got.Authority.Name, tt.buyer},
				{"buyer company id", got.Authority.NIF, tt.buyerID},
				{"main CPV", got.CPVs[0], tt.mainCPV},
				{"CPV count", len(got.CPVs), tt.cpvs},
				{"lots", len(got.Lots), tt.lots},
				{"EstimatedValueCents", got.EstimatedValueCents, tt.estimated},
				{"ProcedureType", got.ProcedureType, tt.procedure},
				{"ContractType", got.ContractType, tt.contract},
				{"first NUTS", nuts, tt.nuts},
				{"DurationMonths", got.DurationMonths, tt.months},
				{"Deadline", deadline, tt.deadline},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			if got.Updated.IsZero() {
				t.Error("Updated is zero")
			}
		})
	}
}

func TestParse615708Details(t *testing.T) {
	got, err := ParseFile(noticePath(t, "real-notices", "615708-2023.xml"))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if want := "https://ted.europa.eu/en/notice/-/detail/615708-2023"; got.SourceURL != want {
		t.Errorf("SourceURL = %q, want %q", got.SourceURL, want)
	}
	if want := time.Date(2023, 10, 10, 11, 51, 31, 0, time.UTC); !got.Updated.Equal(want) {
		t.Errorf("Updated = %s, want %s", got.Updated, want)
	}
	if got.Title != "ICT-järjestelmien rakentamisen tukipalvelut" || got.FileNumber != "3629/2023" || got.SourceStatus != "cn-standard" {
		t.Errorf("Title %q, FileNumber %q, SourceStatus %q", got.Title, got.FileNumber, got.SourceStatus)
	}
	if got.Lots[0].ID != "LOT-0000" || got.Lots[0].EstimatedValueCents != 1000000000 || got.Currency != "EUR" {
		t.Errorf("lot %+v, currency %q", got.Lots[0], got.Currency)
	}
	if len(got.Documents) != 1 || !strings.HasPrefix(got.Documents[0].URL, "https://tarjouspalvelu.fi/pvlogl?id=478051") || got.Documents[0].Kind != "non-restricted-document" {
		t.Errorf("documents = %+v", got.Documents)
	}
}

func TestLotsAndAdditionalCPVs(t *testing.T) {
	ripoll, err := ParseFile(noticePath(t, "real-notices", "262891-2023.xml"))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	var ids, cpvs []string
	for _, l := range ripoll.Lots {
		ids = append(ids, l.ID)
		cpvs = append(cpvs, l.CPVs...)
	}
	if want := []string{"LOT-0001", "LOT-0002", "LOT-0003", "LOT-0004"}; !slices.Equal(ids, want) {
		t.Errorf("Ripoll lot ids = %v, want %v", ids, want)
	}
	if want := []string{"90911200", "90919300", "90911200", "90911200"}; !slices.Equal(cpvs, want) {
		t.Errorf("Ripoll lot CPVs = %v, want %v", cpvs, want)
	}
	jrc, err := ParseFile(noticePath(t, "real-notices", "309890-2023.xml"))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if want := []string{"73210000", "72321000", "73110000", "72320000"}; !slices.Equal(jrc.CPVs, want) {
		t.Errorf("JRC CPVs = %v, want %v", jrc.CPVs, want)
	}
	// The maximal notice also has a lots group (GLO-0001), which is not a lot.
	cn, err := ParseFile(noticePath(t, "sdk-examples", "cn_24_maximal.xml"))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if cn.Lots[0].ID != "LOT-0001" || cn.Lots[1].ID != "LOT-0002" || cn.Lots[1].Title != "Title Lot 2---" {
		t.Errorf("lots = %+v", cn.Lots)
	}
}

func TestContractAwardNotices(t *testing.T) {
	yes, no := true, false
	type award struct {
		lot, name, id string
		sme           *bool
		cents         int64
		date          string
		offers        int
	}
	tests := []struct {
		file string
		want []award
	}{
		{"can_24_maximal.xml", []award{
			// LOT-0001's result selects two tenders: a consortium (TPA-0001)
			// of two organisations and a single tenderer (TPA-0002).
			{"LOT-0001", "Gyro Soft SA", "927384203", &no, 999999999, "2023-03-23", 9},
			{"LOT-0001", "The best App Ltd.", "928374653", &yes, 999999999, "2023-03-23", 9},
			{"LOT-0001", "Competitor", "1223456789", &no, 999999999, "2023-03-23", 9},
		}},
		{"t02_ESP.xml", []award{
			{"LOT-0000", "Sociedad Mercantil Estatal Renfe Viajeros, Sociedad Anónima", "AB12345", nil, 969375900000, "2020-04-09", 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(noticePath(t, "sdk-examples", tt.file))
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			if len(got.Awards) != len(tt.want) {
				t.Fatalf("awards = %+v, want %d", got.Awards, len(tt.want))
			}
			for i, w := range tt.want {
				a := got.Awards[i]
				smeOK := (a.SME == nil) == (w.sme == nil) && (a.SME == nil || *a.SME == *w.sme)
				if a.LotID != w.lot || a.WinnerName != w.name || a.WinnerNIF != w.id || !smeOK ||
					a.AmountNoVATCents != w.cents || a.Date.Format(time.DateOnly) != w.date || a.OffersReceived != w.offers {
					t.Errorf("award %d = %+v (SME %v), want %+v", i, a, a.SME, w)
				}
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	for _, dir := range []struct {
		name  string
		count int
	}{{"real-notices", 9}, {"sdk-examples", 4}} {
		p, err := datadir.Path("ted-eforms", dir.name)
		if err != nil {
			t.Fatal(err)
		}
		var lastDone, lastTotal int
		res, err := ReadDir(p, func(done, total int) { lastDone, lastTotal = done, total })
		if err != nil {
			t.Fatalf("ReadDir(%s): %v", dir.name, err)
		}
		if len(res.Tenders) != dir.count || len(res.Rejected) != 0 {
			t.Errorf("%s: %d tenders, %v rejected; want %d, none", dir.name, len(res.Tenders), res.Rejected, dir.count)
		}
		if lastDone != dir.count || lastTotal != dir.count {
			t.Errorf("%s: last progress (%d, %d), want (%d, %d)", dir.name, lastDone, lastTotal, dir.count, dir.count)
		}
	}
}

func TestParseRejectsBrokenNotices(t *testing.T) {
	real := noticeBytes(t, "real-notices", "615708-2023.xml")
	tests := []struct {
		name     string
		data     []byte
		notice   bool // want ErrNotNotice
		contains string
	}{
		{"not a notice", []byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`), true, "Invoice"},
		{"empty", nil, true, "no root"},
		{"truncated", real[:len(real)/2], false, "read notice"},
		{"bad issue date", bytes.Replace(real, []byte("<cbc:IssueDate>2023-10-10+00:00</cbc:IssueDate>"), []byte("<cbc:IssueDate>10.10.2023</cbc:IssueDate>"), 1), false, "IssueDate"},
		{"junk CPV only", bytes.ReplaceAll(real, []byte(">72000000<"), []byte(">ICT<")), false, "no valid CPV"},
		{"bad amount", bytes.Replace(real, []byte(`currencyID="EUR">10000000</cbc:EstimatedOverallContractAmount>`), []byte(`currencyID="EUR">10 M€</cbc:EstimatedOverallContractAmount>`), 1), false, "EstimatedOverallContractAmount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.data))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if errors.Is(err, ErrNotNotice) != tt.notice || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error = %v; want ErrNotNotice %v and mention of %q", err, tt.notice, tt.contains)
			}
		})
	}

	// ParseFiles reports bad files as rejected and goes on.
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(bad, real[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	res := ParseFiles([]string{noticePath(t, "real-notices", "615708-2023.xml"), bad, filepath.Join(dir, "missing.xml")}, nil)
	if len(res.Tenders) != 1 || len(res.Rejected) != 2 || res.Rejected[0].Record != bad {
		t.Errorf("ParseFiles = %d tenders, rejected %v; want 1 and the two bad files", len(res.Tenders), res.Rejected)
	}
}

func TestSourceID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"00615708-2023", "615708-2023"},
		{"00000001-2024", "1-2024"},
		{"615708-2023", "615708-2023"},
		{"0-2023", "0-2023"},
		{"weird", "weird"},
	}
	for _, tt := range tests {
		if got := SourceID(tt.in); got != tt.want {
			t.Errorf("SourceID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseNotice(f *testing.F) {
	for _, n := range allNotices {
		f.Add(noticeBytes(f, n.dir, n.file))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if got.SourceID == "" || got.Updated.IsZero() {
			t.Errorf("parsed notice without SourceID or Updated: %+v", got)
		}
	})
}
