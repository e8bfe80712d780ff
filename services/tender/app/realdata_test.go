package app_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/intake/xlsx"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// The real OpenPLACSP export of the shared data, parsed once for the package
// (parsing it takes most of a minute under the race detector).
var (
	sheetOnce    sync.Once
	sheetRecords intake.Result
	sheetErr     error
)

func spreadsheet(t *testing.T) intake.Result {
	t.Helper()
	sheetOnce.Do(func() {
		dir, err := datadir.Dir()
		if err != nil {
			sheetErr = err
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, "placsp", "datos_sind_643.xlsx"))
		if err != nil {
			sheetErr = err
			return
		}
		sheetRecords, sheetErr = xlsx.Parse(bytes.NewReader(b), nil)
	})
	if sheetErr != nil {
		t.Fatalf("datos_sind_643.xlsx: %v", sheetErr)
	}
	return sheetRecords
}

// Real data is not invalid input: the tenders of the real export with titles
// over 1,000 characters and with places of performance outside the EU (PLACSP
// gives an ISO country code) import (issue 10 §4).
func TestRealTendersWithLongTitlesOrPlacesOutsideTheEUImport(t *testing.T) {
	res := spreadsheet(t)
	want := []string{"7528489", "8230281", "8107742", "8217910", "8229367", "8229307", "7610775", "7447916"}
	var recs []intake.Tender
	for _, r := range res.Tenders {
		if slices.Contains(want, r.SourceID) {
			recs = append(recs, r)
		}
	}
	if len(recs) != len(want) {
		t.Fatalf("found %d of the %d records in the spreadsheet", len(recs), len(want))
	}
	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	ctx := e.AppCtx(testenv.Manager(tera))
	for _, r := range recs {
		tn, out, err := e.Tender.Service.ImportTender(ctx, tera, app.Import{Tender: r})
		if err != nil || out != app.Created {
			t.Errorf("%s (title %d characters, places %v): %v, %v", r.SourceID, len([]rune(r.Title)), r.NUTS, out, err)
			continue
		}
		if tn.Details.Title != r.Title || !slices.Equal(tn.Details.NUTS, r.NUTS) {
			t.Errorf("%s: stored title or places differ: %d characters, %v", r.SourceID, len([]rune(tn.Details.Title)), tn.Details.NUTS)
		}
	}
}

// The 12 ANULADA rows of the real export are tombstones of tenders never
// imported here: the summary counts them as filtered out and says so
// (Withdrawn), never as unchanged; nothing is appended for them (issue 10 §4).
// The rows go through ImportDocument as the parsed records (intake-json, what
// `consortia import placsp` sends), so the spreadsheet is parsed once.
func TestWithdrawnRowsAreCountedAsFilteredNotUnchanged(t *testing.T) {
	var rows []intake.Tender
	live := 0
	for _, r := range spreadsheet(t).Tenders {
		switch {
		case r.Deleted:
			rows = append(rows, r)
		case live < 20:
			rows = append(rows, r)
			live++
		}
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	ctx := e.AppCtx(testenv.Manager(tera))
	before := e.Messages("")
	// A CPV filter no live record matches: only the tombstones get through it
	// (they carry no CPV), so nothing is imported.
	sum, err := e.Tender.Service.ImportDocument(ctx, tera, "intake-json", doc, app.ImportFilter{CPVPrefix: "00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Withdrawn != 12 || sum.Unchanged != 0 || sum.Created != 0 || sum.Tombstoned != 0 || sum.Filtered != 32 {
		t.Errorf("summary %+v: want the 12 ANULADA rows withdrawn (among 32 filtered out), none unchanged", sum)
	}
	if after := e.Messages(""); after != before {
		t.Errorf("the import appended %d events", after-before)
	}
}
