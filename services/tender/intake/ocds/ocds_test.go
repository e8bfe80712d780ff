package ocds

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/intake/eforms"
	"github.com/consortia-dev/consortia/services/tender/intake/placsp"
	"github.com/consortia-dev/consortia/services/tender/intake/xlsx"
)

func validator(t testing.TB) *Validator {
	t.Helper()
	v, err := DefaultValidator()
	if err != nil {
		t.Fatalf("DefaultValidator: %v", err)
	}
	return v
}

func dataFile(t testing.TB, elem ...string) []byte {
	t.Helper()
	p, err := datadir.Path(elem...)
	if err != nil {
		t.Fatalf("locate %v: %v", elem, err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return data
}

func releasePackage(t testing.TB) []byte {
	return dataFile(t, "ocds", "release-package", "ocds-213czf-000-00001.json")
}

func recordPackage(t testing.TB) []byte {
	return dataFile(t, "ocds", "record-package", "ocds-213czf-000-00001.json")
}

// modify decodes a JSON document, applies change and encodes it again.
func modify(t *testing.T, data []byte, change func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	change(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return out
}

// at walks a decoded JSON document along keys and array indexes.
func at(doc any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			doc = doc.(map[string]any)[k]
		case int:
			doc = doc.([]any)[k]
		}
	}
	return doc.(map[string]any)
}

func TestValidateSamplePackages(t *testing.T) {
	v := validator(t)
	for name, data := range map[string][]byte{"release package": releasePackage(t), "record package": recordPackage(t)} {
		if err := v.ValidatePackage(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateBrokenPackages(t *testing.T) {
	v := validator(t)
	tests := []struct {
		name string
		data []byte
		want []string // fragments of the error message
	}{
		{
			"tender status outside the closed codelist",
			modify(t, releasePackage(t), func(d map[string]any) { at(d, "releases", 1, "tender")["status"] = "open" }),
			[]string{"/releases/1/tender/status", "value must be one of"},
		},
		{
			"publisher missing",
			modify(t, releasePackage(t), func(d map[string]any) { delete(d, "publisher") }),
			[]string{"missing property 'publisher'"},
		},
		{
			"release date not a date-time",
			modify(t, releasePackage(t), func(d map[string]any) { at(d, "releases", 0)["date"] = "15/03/2009" }),
			[]string{"/releases/0/date", "date-time"},
		},
		{
			"award value amount is text",
			modify(t, releasePackage(t), func(d map[string]any) {
				at(d, "releases", 3, "awards", 0, "value")["amount"] = "11 million"
			}),
			[]string{"/releases/3/awards/0/value/amount"},
		},
		{
			"compiled release with an unknown tag",
			modify(t, recordPackage(t), func(d map[string]any) {
				at(d, "records", 0, "compiledRelease")["tag"] = []any{"compiled", "finished"}
			}),
			[]string{"/records/0/compiledRelease/tag/1"},
		},
		{"not JSON", []byte("<releases/>"), []string{"not JSON"}},
		{
			"absurd exponent",
			modify(t, releasePackage(t), func(d map[string]any) {
				at(d, "releases", 1, "tender", "value")["amount"] = json.Number("1e999999999")
			}),
			[]string{"out of range"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ValidatePackage(tt.data)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ValidatePackage error = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// checkSampleTender asserts the compiled state of the fictional sample process.
func checkSampleTender(t *testing.T, got intake.Tender) {
	t.Helper()
	checks := []struct {
		name      string
		got, want any
	}{
		{"SourceID", got.SourceID, "ocds-213czf-000-00001"},
		{"Updated", got.Updated, time.Date(2011, 1, 10, 9, 30, 0, 0, time.UTC)},
		{"Status", got.Status, intake.StatusComplete},
		{"Title", got.Title, "Planned cycle lane improvements"},
		{"FileNumber", got.FileNumber, "ocds-213czf-000-00001-01-tender"},
		{"Authority", got.Authority, intake.Authority{Name: "London Borough of Barnet", NIF: "E09000003"}},
		{"CPVs", strings.Join(got.CPVs, " "), "45233130 45233162"}, // "45233130.0" and "45233162-2" in the file
		{"EstimatedValueCents", got.EstimatedValueCents, int64(110000000)},
		{"Currency", got.Currency, "GBP"},
		// The tender amendment release moved the deadline from 1 to 8 April.
		{"Deadline", got.Deadline, time.Date(2010, 4, 8, 18, 0, 0, 0, time.UTC)},
		{"DurationMonths (365 days)", got.DurationMonths, 12},
		{"ProcedureType", got.ProcedureType, intake.ProcedureOpen},
		{"ContractType", got.ContractType, intake.ContractWorks},
		{"NoticeType", got.NoticeType, intake.NoticeContractAward},
		{"documents with a URL", len(got.Documents), 3},
		{"awards", len(got.Awards), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(got.Awards) == 1 {
		a := got.Awards[0]
		// The award was "pending" in the award release and "active" from the contract release on.
		if a.WinnerName != "AnyCorp Cycle Provision" || a.WinnerNIF != "11111111.0" || a.AmountNoVATCents != 1100000000 ||
			!a.Date.Equal(time.Date(2010, 5, 10, 10, 30, 0, 0, time.UTC)) {
			t.Errorf("award = %+v", a)
		}
	}
}

func TestParseReleasePackage(t *testing.T) {
	var calls int
	res, err := Parse(releasePackage(t), validator(t), func(done, total int) {
		calls++
		if total != 6 {
			t.Errorf("progress total = %d, want 6 releases", total)
		}
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Tenders) != 1 || len(res.Rejected) != 0 || calls != 6 {
		t.Fatalf("got %d tenders, %v rejected, %d progress calls; want 1, none, 6", len(res.Tenders), res.Rejected, calls)
	}
	checkSampleTender(t, res.Tenders[0])

	// Releases are merged in date order, whatever their order in the file.
	reversed := modify(t, releasePackage(t), func(d map[string]any) { slices.Reverse(d["releases"].([]any)) })
	res2, err := Parse(reversed, validator(t), nil)
	if err != nil {
		t.Fatalf("Parse reversed: %v", err)
	}
	checkSampleTender(t, res2.Tenders[0])
}

func TestParseRecordPackage(t *testing.T) {
	res, err := Parse(recordPackage(t), validator(t), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Tenders) != 1 || len(res.Rejected) != 0 {
		t.Fatalf("got %d tenders, %v rejected; want 1, none", len(res.Tenders), res.Rejected)
	}
	checkSampleTender(t, res.Tenders[0])
}

func TestParseRejectsInvalidReleases(t *testing.T) {
	data := modify(t, releasePackage(t), func(d map[string]any) {
		at(d, "releases", 2, "tender")["status"] = "open" // the tender amendment
	})
	res, err := Parse(data, validator(t), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Record != "ocds-213czf-000-00001 release 2" || !strings.Contains(res.Rejected[0].Reason, "/tender/status") {
		t.Errorf("rejected = %v, want the amendment release", res.Rejected)
	}
	// Without the amendment the deadline stays where the tender release put it.
	if len(res.Tenders) != 1 || !res.Tenders[0].Deadline.Equal(time.Date(2010, 4, 1, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("tenders = %+v", res.Tenders)
	}

	linkedOnly := modify(t, recordPackage(t), func(d map[string]any) { delete(at(d, "records", 0), "compiledRelease") })
	res, err = Parse(linkedOnly, nil, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Tenders) != 0 || len(res.Rejected) != 1 || !strings.Contains(res.Rejected[0].Reason, "linked releases") {
		t.Errorf("linked-only record: %d tenders, rejected %v", len(res.Tenders), res.Rejected)
	}
}

func TestParseNotAPackage(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"array", `[1, 2]`, ErrNotPackage},
		{"no releases", `{"uri": "x"}`, ErrNotPackage},
		{"releases not an array", `{"releases": {}}`, ErrNotPackage},
		{"not JSON", `{"releases": [`, ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.data), nil, nil); !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// exportSample parses a few real tenders: the PLACSP feed head (RTVE, Cádiz
// and the tombstone), five rows of the OpenPLACSP export and two eForms
// notices (a contract notice and the award notice with a consortium).
func exportSample(t *testing.T) []intake.Tender {
	t.Helper()
	feed, err := placsp.ParseFeed(bytes.NewReader(dataFile(t, "placsp", "sample_placsp.atom")), nil)
	if err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	tenders := feed.Result.Tenders
	sheet, err := xlsx.Parse(bytes.NewReader(dataFile(t, "placsp", "datos_sind_643.xlsx")), nil)
	if err != nil {
		t.Fatalf("parse export: %v", err)
	}
	want := map[string]bool{"8237180": true, "8239978": true, "8030377": true, "6842707": true, "8234733": true}
	for _, tn := range sheet.Tenders {
		if want[tn.SourceID] {
			tenders = append(tenders, tn)
		}
	}
	for _, n := range []struct{ dir, file string }{{"real-notices", "615708-2023.xml"}, {"sdk-examples", "can_24_maximal.xml"}} {
		p, err := datadir.Path("ted-eforms", n.dir, n.file)
		if err != nil {
			t.Fatal(err)
		}
		tn, err := eforms.ParseFile(p)
		if err != nil {
			t.Fatalf("parse notice: %v", err)
		}
		tenders = append(tenders, tn)
	}
	if len(tenders) != 10 {
		t.Fatalf("sample has %d tenders, want 10", len(tenders))
	}
	return tenders
}

func TestExportValidatesAndRoundTrips(t *testing.T) {
	v := validator(t)
	tenders := exportSample(t)
	publishedAt := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	data, err := Export(tenders, "Consortia", publishedAt)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if err := v.ValidatePackage(data); err != nil {
		t.Fatalf("exported package does not validate: %v", err)
	}

	res, err := Parse(data, v, nil)
	if err != nil {
		t.Fatalf("Parse exported: %v", err)
	}
	if len(res.Rejected) != 0 {
		t.Fatalf("rejected: %v", res.Rejected)
	}
	// The PLACSP tombstone carries no data and is not exported.
	if len(res.Tenders) != 9 {
		t.Fatalf("round trip gave %d tenders, want 9", len(res.Tenders))
	}
	back := map[string]intake.Tender{}
	for _, tn := range res.Tenders {
		back[tn.SourceID] = tn
	}
	for _, orig := range tenders {
		if orig.Deleted && orig.Title == "" {
			continue
		}
		got, ok := back["ocds-"+DefaultPrefix+"-"+orig.SourceID]
		if !ok {
			t.Errorf("tender %s missing after the round trip", orig.SourceID)
			continue
		}
		value := orig.EstimatedValueCents
		if value == 0 {
			value = orig.BudgetNoVATCents
		}
		contract := orig.ContractType
		if contract == intake.ContractOther {
			contract = "" // OCDS has no category for it
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"Title", got.Title, orig.Title},
			{"FileNumber", got.FileNumber, orig.FileNumber},
			{"Status", got.Status, orig.Status},
			{"Updated", got.Updated.Equal(orig.Updated), true},
			{"Authority", got.Authority, orig.Authority},
			{"CPVs", strings.Join(got.CPVs, " "), strings.Join(orig.CPVs, " ")},
			{"value", got.EstimatedValueCents, value},
			{"Deadline", got.Deadline.Equal(orig.Deadline), true},
			{"DurationMonths", got.DurationMonths, orig.DurationMonths},
			{"ProcedureType", got.ProcedureType, orig.ProcedureType},
			{"ContractType", got.ContractType, contract},
			{"documents", len(got.Documents), len(orig.Documents)},
			{"awards", len(got.Awards), len(orig.Awards)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: %s = %v, want %v", orig.SourceID, c.name, c.got, c.want)
			}
		}
		for i := 0; i < len(got.Awards) && i < len(orig.Awards); i++ {
			g, o := got.Awards[i], orig.Awards[i]
			amount := o.AmountNoVATCents
			if amount == 0 {
				amount = o.AmountWithVATCents
			}
			smeOK := (g.SME == nil) == (o.SME == nil) && (g.SME == nil || *g.SME == *o.SME)
			if g.WinnerName != o.WinnerName || g.WinnerNIF != o.WinnerNIF || g.AmountNoVATCents != amount || !g.Date.Equal(o.Date) || !smeOK {
				t.Errorf("%s award %d = %+v, want %+v", orig.SourceID, i, g, o)
			}
		}
	}

	// Spot-check the written JSON for the RTVE release.
	var pkg struct {
		URI      string `json:"uri"`
		Releases []struct {
			OCID    string   `json:"ocid"`
			Tag     []string `json:"tag"`
			Parties []struct {
				ID    string   `json:"id"`
				Roles []string `json:"roles"`
			} `json:"parties"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	rtve := pkg.Releases[0]
	if pkg.URI != "urn:consortia:ocds:consortia:20260115T100000Z" || rtve.OCID != "ocds-consortia-18526649" || !slices.Equal(rtve.Tag, []string{"award"}) {
		t.Errorf("uri %q, first release %s tagged %v", pkg.URI, rtve.OCID, rtve.Tag)
	}
	if len(rtve.Parties) != 2 || rtve.Parties[0].ID != "ES-NIF-A84818558" || rtve.Parties[0].Roles[0] != "buyer" ||
		rtve.Parties[1].ID != "ES-NIF-B60707239" || rtve.Parties[1].Roles[0] != "supplier" {
		t.Errorf("RTVE parties = %+v", rtve.Parties)
	}
	if tag := pkg.Releases[1].Tag; !slices.Equal(tag, []string{"tender"}) {
		t.Errorf("Cádiz release tag = %v, want [tender]", tag)
	}
}

func TestExporterPrefixAndErrors(t *testing.T) {
	tender := intake.Tender{Source: intake.SourcePLACSP, SourceID: "18294555", Title: "Plan de asfaltado 2025", Updated: time.Date(2025, 12, 29, 17, 44, 42, 0, time.UTC)}
	e := Exporter{Prefix: "213czf", PackageURI: "https://example.org/packages/1.json"}
	data, err := e.Export([]intake.Tender{tender}, "Consortia", time.Now())
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if !bytes.Contains(data, []byte(`"ocid": "ocds-213czf-18294555"`)) || !bytes.Contains(data, []byte(`"uri": "https://example.org/packages/1.json"`)) {
		t.Errorf("export ignores Prefix or PackageURI:\n%s", data)
	}
	if err := validator(t).ValidatePackage(data); err != nil {
		t.Errorf("minimal export does not validate: %v", err)
	}

	tombstone := intake.Tender{SourceID: "18735551", Deleted: true, Updated: time.Now()}
	tests := []struct {
		name      string
		tenders   []intake.Tender
		publisher string
		at        time.Time
	}{
		{"no publisher", []intake.Tender{tender}, " ", time.Now()},
		{"no publication time", []intake.Tender{tender}, "Consortia", time.Time{}},
		{"nothing to export", []intake.Tender{tombstone}, "Consortia", time.Now()},
		{"no SourceID", []intake.Tender{{Title: "x"}}, "Consortia", time.Now()},
		{"duplicate", []intake.Tender{tender, tender}, "Consortia", time.Now()},
	}
	for _, tt := range tests {
		if _, err := Export(tt.tenders, tt.publisher, tt.at); err == nil {
			t.Errorf("%s: Export succeeded, want an error", tt.name)
		}
	}
}

func FuzzParseOCDS(f *testing.F) {
	v := validator(f)
	f.Add(releasePackage(f))
	f.Add(recordPackage(f))
	f.Add([]byte(`{"releases":[{"ocid":"ocds-x-1","date":"2020-01-01T00:00:00Z","tender":{"id":1,"value":{"amount":"1e400"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, val := range []*Validator{nil, v} {
			res, err := Parse(data, val, nil)
			if err != nil {
				continue
			}
			for _, tn := range res.Tenders {
				if tn.SourceID == "" {
					t.Errorf("tender without SourceID")
				}
			}
		}
	})
}
