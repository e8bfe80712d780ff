package app_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Every real file in ../shared/data/placsp, ted-eforms and ocds imports, and a
// second import of the same file appends nothing and reports all unchanged.
func TestImportEveryRealFileTwice(t *testing.T) {
	dir, err := datadir.Dir()
	if err != nil {
		t.Fatalf("shared data: %v", err)
	}
	type doc struct {
		format, path string
		filter       app.ImportFilter
		wantCreated  int
	}
	docs := []doc{
		// The whole spreadsheet would be 5,355 tenders; Cantabria keeps the test fast.
		{"xlsx", "placsp/datos_sind_643.xlsx", app.ImportFilter{NUTSPrefix: "ES13"}, 0},
		{"placsp", "placsp/sample_placsp.atom", app.ImportFilter{}, 2},
		{"ocds", "ocds/release-package/ocds-213czf-000-00001.json", app.ImportFilter{}, 1},
		{"ocds", "ocds/record-package/ocds-213czf-000-00001.json", app.ImportFilter{}, 0},
	}
	for _, sub := range []string{"ted-eforms/real-notices", "ted-eforms/sdk-examples"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			docs = append(docs, doc{"eforms", filepath.Join(sub, e.Name()), app.ImportFilter{}, 1})
		}
	}
	if len(docs) != 17 {
		t.Fatalf("expected 13 eForms notices + 4 other documents, found %d documents", len(docs))
	}

	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	ctx := e.AppCtx(testenv.Manager(tera))
	svc := e.Tender.Service
	for _, d := range docs {
		content, err := os.ReadFile(filepath.Join(dir, d.path))
		if err != nil {
			t.Fatal(err)
		}
		first, err := svc.ImportDocument(ctx, tera, d.format, content, d.filter, nil)
		if err != nil {
			t.Fatalf("%s: %v", d.path, err)
		}
		if len(first.Rejected) != 0 {
			t.Errorf("%s: rejected %v", d.path, first.Rejected)
		}
		if d.wantCreated > 0 && first.Created != d.wantCreated {
			t.Errorf("%s: created %d, want %d", d.path, first.Created, d.wantCreated)
		}
		before := e.Messages("")
		second, err := svc.ImportDocument(ctx, tera, d.format, content, d.filter, nil)
		if err != nil {
			t.Fatalf("%s again: %v", d.path, err)
		}
		if second.Created+second.Updated+second.Tombstoned != 0 || second.Unchanged != first.Created+first.Updated+first.Unchanged+first.Tombstoned {
			t.Errorf("%s: second import %+v after first %+v, want everything unchanged", d.path, second, first)
		}
		if after := e.Messages(""); after != before {
			t.Errorf("%s: second import appended %d events", d.path, after-before)
		}
	}
	// The 110 Cantabrian tenders of the spreadsheet (README of the data) are all there.
	ts, _, err := svc.ListTenders(ctx, storeFilterCluster(tera))
	if err != nil {
		t.Fatal(err)
	}
	cantabrian := 0
	for _, tn := range ts {
		if tn.Source.System == "openplacsp-xlsx" {
			cantabrian++
		}
	}
	if cantabrian != 110 {
		t.Errorf("%d Cantabrian tenders from the spreadsheet, want 110", cantabrian)
	}
}

func storeFilterCluster(id string) store.TenderFilter {
	return store.TenderFilter{ClusterID: id, PageSize: 500}
}
