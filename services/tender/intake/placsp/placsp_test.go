package placsp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// sampleFile returns the path of the real PLACSP feed head.
func sampleFile(t testing.TB) string {
	t.Helper()
	p, err := datadir.Path("placsp", "sample_placsp.atom")
	if err != nil {
		t.Fatalf("locate sample feed: %v", err)
	}
	return p
}

// sampleBytes returns the real PLACSP feed head.
func sampleBytes(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(sampleFile(t))
	if err != nil {
		t.Fatalf("read sample feed: %v", err)
	}
	return data
}

// Facts of sample_placsp.atom used below.
const (
	rtveID      = "18526649"
	cadizID     = "18294555"
	tombstoneID = "18735551"
	// feedUpdated is the feed's <updated>, after which the next link is inserted.
	feedUpdated = "<updated>2025-12-29T19:05:23.981+01:00</updated>"
)

func madrid(y int, m time.Month, d, hh, mm, ss, ms int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, ms*int(time.Millisecond), intake.Madrid)
}

func byID(t *testing.T, tenders []intake.Tender) map[string]intake.Tender {
	t.Helper()
	m := map[string]intake.Tender{}
	for _, tn := range tenders {
		if _, dup := m[tn.SourceID]; dup {
			t.Fatalf("SourceID %s returned twice", tn.SourceID)
		}
		m[tn.SourceID] = tn
	}
	return m
}

func TestParseFeedSample(t *testing.T) {
	var calls []int
	feed, err := ParseFeed(bytes.NewReader(sampleBytes(t)), func(done, total int) {
		if total != 0 {
			t.Errorf("progress total = %d, want 0 (unknown)", total)
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatalf("ParseFeed: %v", err)
	}
	if len(feed.Result.Rejected) != 0 {
		t.Fatalf("rejected: %v", feed.Result.Rejected)
	}
	if got, want := calls, []int{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("progress calls = %v, want %v", got, want)
	}
	if want := "https://contrataciondelestado.es/sindicacion/sindicacion_643/licitacionesPerfilesContratanteCompleto3.atom"; feed.ID != want {
		t.Errorf("feed ID = %q, want %q", feed.ID, want)
	}
	if want := madrid(2025, 12, 29, 19, 5, 23, 981); !feed.Updated.Equal(want) {
		t.Errorf("feed Updated = %s, want %s", feed.Updated, want)
	}
	if feed.Next != "" {
		t.Errorf("feed Next = %q, want none (the sample is a single page)", feed.Next)
	}
	tenders := byID(t, feed.Result.Tenders)
	if len(tenders) != 3 {
		t.Fatalf("got %d tenders, want 2 entries and 1 tombstone", len(tenders))
	}

	t.Run("tombstone", func(t *testing.T) {
		got := tenders[tombstoneID]
		if !got.Deleted || got.Status != intake.StatusCancelled || got.SourceStatus != "ANULADA" {
			t.Errorf("tombstone = Deleted %v, Status %q, SourceStatus %q; want true, cancelled, ANULADA", got.Deleted, got.Status, got.SourceStatus)
		}
		if want := madrid(2025, 12, 29, 15, 2, 42, 626); !got.Updated.Equal(want) {
			t.Errorf("tombstone Updated = %s, want %s", got.Updated, want)
		}
	})

	t.Run("RTVE lot-based supply", func(t *testing.T) {
		got := tenders[rtveID]
		checks := []struct {
			name      string
			got, want any
		}{
			{"Source", got.Source, intake.SourcePLACSP},
			{"FileNumber", got.FileNumber, "S-05669-2025"},
			{"Title", got.Title, "Alquiler equipos filmación-  Benidorm Fest 2026"},
			{"SourceStatus", got.SourceStatus, "ADJ"},
			{"Status", got.Status, intake.StatusActive},
			{"NoticeType", got.NoticeType, intake.NoticeContractAward},
			{"Authority", got.Authority, intake.Authority{Name: "Dirección de Compras de la Corporación de Radio y Televisión Española S.A.", NIF: "A84818558", DIR3: "EA0008275"}},
			{"ProcedureType", got.ProcedureType, intake.ProcedureOpen},
			{"ContractType", got.ContractType, intake.ContractSupplies},
			{"main CPV", got.CPVs[0], "32000000"},
			{"CPVs", strings.Join(got.CPVs, ","), "32000000,42414100"},
			{"NUTS", strings.Join(got.NUTS, ","), "ES521"},
			{"EstimatedValueCents", got.EstimatedValueCents, int64(19500000)},
			{"BudgetNoVATCents", got.BudgetNoVATCents, int64(19500000)},
			{"BudgetWithVATCents", got.BudgetWithVATCents, int64(23595000)},
			{"Currency", got.Currency, "EUR"},
			{"DurationMonths (24 days)", got.DurationMonths, 1},
			{"Deadline", got.Deadline.UTC(), madrid(2025, 12, 22, 9, 30, 0, 0).UTC()},
			{"Updated", got.Updated.UTC(), madrid(2025, 12, 29, 18, 57, 52, 718).UTC()},
			{"lots", len(got.Lots), 3},
			{"awards", len(got.Awards), 3},
			{"documents", len(got.Documents), 9},
			{"first document", got.Documents[0].Title + " " + got.Documents[0].Kind, "PLIEGOCONDGENERALES.pdf legal"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		lots := []intake.Lot{
			{ID: "1", Title: "grua telescopica", CPVs: []string{"42414100"}, BudgetNoVATCents: 4500000, NUTS: []string{"ES521"}},
			{ID: "2", Title: "cablecam", CPVs: []string{"32000000"}, BudgetNoVATCents: 6000000, NUTS: []string{"ES521"}},
			{ID: "3", Title: "Alquiler 2 Camrail robotizados y telescópicos", CPVs: []string{"32000000"}, BudgetNoVATCents: 9000000, NUTS: []string{"ES521"}},
		}
		for i, want := range lots {
			l := got.Lots[i]
			if l.ID != want.ID || l.Title != want.Title || !slices.Equal(l.CPVs, want.CPVs) || l.BudgetNoVATCents != want.BudgetNoVATCents || !slices.Equal(l.NUTS, want.NUTS) {
				t.Errorf("lot %d = %+v, want %+v", i, l, want)
			}
		}
		awards := []struct {
			lot           string
			noVAT, payble int64
			offers        int
		}{
			{"1", 4250000, 5142500, 1},
			{"2", 4735000, 5729350, 2},
			{"3", 8800000, 10648000, 2},
		}
		for i, want := range awards {
			a := got.Awards[i]
			if a.LotID != want.lot || a.AmountNoVATCents != want.noVAT || a.AmountWithVATCents != want.payble || a.OffersReceived != want.offers {
				t.Errorf("award %d = lot %s, %d/%d cents, %d offers; want lot %s, %d/%d, %d", i, a.LotID, a.AmountNoVATCents, a.AmountWithVATCents, a.OffersReceived, want.lot, want.noVAT, want.payble, want.offers)
			}
			if a.WinnerName != "SERVEIS DE PRODUCCIÓ MUXART, S.L." || a.WinnerNIF != "B60707239" {
				t.Errorf("award %d winner = %q %q", i, a.WinnerName, a.WinnerNIF)
			}
			if a.SME == nil || !*a.SME {
				t.Errorf("award %d SME = %v, want true", i, a.SME)
			}
			if want := madrid(2025, 12, 29, 0, 0, 0, 0); !a.Date.Equal(want) {
				t.Errorf("award %d Date = %s, want %s", i, a.Date, want)
			}
		}
	})

	t.Run("Cádiz works", func(t *testing.T) {
		got := tenders[cadizID]
		checks := []struct {
			name      string
			got, want any
		}{
			{"FileNumber", got.FileNumber, "2025/159"},
			{"Title", got.Title, "Plan de asfaltado 2025 (Plan Cádiz Marcha 2025)."},
			{"SourceStatus", got.SourceStatus, "EV"},
			{"Status", got.Status, intake.StatusActive},
			{"NoticeType", got.NoticeType, intake.NoticeContract},
			{"Authority", got.Authority, intake.Authority{Name: "Junta de Gobierno del Ayuntamiento de Cádiz", NIF: "P1101200B", DIR3: "L01110125"}},
			{"ProcedureType (code 9)", got.ProcedureType, intake.ProcedureOpenSimplified},
			{"ContractType", got.ContractType, intake.ContractWorks},
			{"CPVs", strings.Join(got.CPVs, ","), "45233222,45233223"},
			{"NUTS", strings.Join(got.NUTS, ","), "ES612"},
			{"EstimatedValueCents", got.EstimatedValueCents, int64(36776859)},
			{"BudgetNoVATCents", got.BudgetNoVATCents, int64(36776859)},
			{"BudgetWithVATCents", got.BudgetWithVATCents, int64(44499999)},
			{"DurationMonths", got.DurationMonths, 1},
			{"Deadline", got.Deadline.UTC(), madrid(2025, 11, 20, 10, 0, 0, 0).UTC()},
			{"lots", len(got.Lots), 0},
			{"awards", len(got.Awards), 0},
			{"documents", len(got.Documents), 13},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
	})
}

func TestParseFeedRejectsBadEntryAndKeepsTheRest(t *testing.T) {
	data := bytes.Replace(sampleBytes(t),
		[]byte("<updated>2025-12-29T18:44:42.366+01:00</updated>"),
		[]byte("<updated>yesterday</updated>"), 1)
	data = bytes.Replace(data,
		[]byte(`<cbc:TaxExclusiveAmount currencyID="EUR">195000</cbc:TaxExclusiveAmount>`),
		[]byte(`<cbc:TaxExclusiveAmount currencyID="EUR">195.000,00</cbc:TaxExclusiveAmount>`), 1)
	feed, err := ParseFeed(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatalf("ParseFeed: %v", err)
	}
	if len(feed.Result.Tenders) != 1 || feed.Result.Tenders[0].SourceID != tombstoneID {
		t.Errorf("tenders = %d, want only the tombstone", len(feed.Result.Tenders))
	}
	want := []struct{ record, reason string }{
		{"https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/" + rtveID, "TaxExclusiveAmount"},
		{"https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/" + cadizID, "entry updated"},
	}
	if len(feed.Result.Rejected) != len(want) {
		t.Fatalf("rejected = %v, want %d", feed.Result.Rejected, len(want))
	}
	for i, w := range want {
		r := feed.Result.Rejected[i]
		if r.Record != w.record || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("rejected[%d] = %+v, want record %s and reason mentioning %q", i, r, w.record, w.reason)
		}
	}
}

func TestParseFeedNotAFeed(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		notFeed bool
	}{
		{"html", "<html><body/></html>", true},
		{"empty", "", true},
		{"truncated", string(sampleBytes(t)[:5000]), false},
		{"not xml", "{\"feed\": 1}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeed(strings.NewReader(tt.in), nil)
			if err == nil {
				t.Fatal("ParseFeed succeeded, want an error")
			}
			if errors.Is(err, ErrNotFeed) != tt.notFeed {
				t.Errorf("error %v: errors.Is(ErrNotFeed) = %v, want %v", err, !tt.notFeed, tt.notFeed)
			}
		})
	}
}

func TestReadFeedCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cpFile := filepath.Join(dir, "checkpoint.json")

	cp, err := LoadCheckpoint(cpFile)
	if err != nil {
		t.Fatalf("LoadCheckpoint (missing file): %v", err)
	}
	first, err := ReadFeed(ctx, sampleFile(t), cp, nil)
	if err != nil {
		t.Fatalf("first ReadFeed: %v", err)
	}
	if len(first.Tenders) != 3 {
		t.Fatalf("first run: %d tenders, want 3", len(first.Tenders))
	}
	if err := cp.Save(cpFile); err != nil {
		t.Fatalf("Save: %v", err)
	}

	cp, err = LoadCheckpoint(cpFile)
	if err != nil {
		t.Fatalf("LoadCheckpoint: %v", err)
	}
	if want := madrid(2025, 12, 29, 18, 57, 52, 718); !cp.Newest.Equal(want) || len(cp.Seen) != 3 {
		t.Errorf("checkpoint = newest %s, %d seen; want %s, 3", cp.Newest, len(cp.Seen), want)
	}
	second, err := ReadFeed(ctx, sampleFile(t), cp, nil)
	if err != nil {
		t.Fatalf("second ReadFeed: %v", err)
	}
	if len(second.Tenders) != 0 || len(second.Rejected) != 0 {
		t.Errorf("second run returned %d tenders, %d rejected; want nothing new", len(second.Tenders), len(second.Rejected))
	}

	// The Cádiz folder changes: PLACSP republishes it with a newer <updated>.
	changed := bytes.Replace(sampleBytes(t),
		[]byte("<updated>2025-12-29T18:44:42.366+01:00</updated>"),
		[]byte("<updated>2025-12-30T09:00:00.000+01:00</updated>"), 1)
	changedFile := filepath.Join(dir, "changed.atom")
	if err := os.WriteFile(changedFile, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := ReadFeed(ctx, changedFile, cp, nil)
	if err != nil {
		t.Fatalf("third ReadFeed: %v", err)
	}
	if len(third.Tenders) != 1 || third.Tenders[0].SourceID != cadizID {
		t.Fatalf("third run = %d tenders, want only %s", len(third.Tenders), cadizID)
	}
}

// pagedFeed splits the real sample into two linked pages: the first is the
// sample with a next link; the second is the sample with the two entries
// renumbered (so they are different folders) and the same tombstone.
func pagedFeed(t *testing.T, nextHref string) (page1, page2 []byte) {
	t.Helper()
	sample := sampleBytes(t)
	link := []byte(feedUpdated + "\n    <link rel=\"next\" href=\"" + nextHref + "\"/>")
	page1 = bytes.Replace(sample, []byte(feedUpdated), link, 1)
	if bytes.Equal(page1, sample) {
		t.Fatal("sample feed header changed: cannot insert the next link")
	}
	page2 = bytes.ReplaceAll(sample, []byte("/"+rtveID+"<"), []byte("/10000001<"))
	page2 = bytes.ReplaceAll(page2, []byte("/"+cadizID+"<"), []byte("/10000002<"))
	return page1, page2
}

func TestReadFeedFollowsNextInDirectory(t *testing.T) {
	dir := t.TempDir()
	page1, page2 := pagedFeed(t, "https://contrataciondelestado.es/sindicacion/sindicacion_643/licitacionesPerfilesContratanteCompleto3_20251229_170523.atom")
	if err := os.WriteFile(filepath.Join(dir, "licitacionesPerfilesContratanteCompleto3.atom"), page1, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "licitacionesPerfilesContratanteCompleto3_20251229_170523.atom"), page2, 0o644); err != nil {
		t.Fatal(err)
	}
	var last int
	res, err := ReadFeed(context.Background(), dir, nil, func(done, _ int) { last = done })
	if err != nil {
		t.Fatalf("ReadFeed: %v", err)
	}
	got := byID(t, res.Tenders)
	for _, id := range []string{rtveID, cadizID, tombstoneID, "10000001", "10000002"} {
		if _, ok := got[id]; !ok {
			t.Errorf("tender %s missing", id)
		}
	}
	if len(got) != 5 {
		t.Errorf("got %d tenders, want 5 (the tombstone on both pages counts once)", len(got))
	}
	if last != 6 {
		t.Errorf("last progress = %d, want 6 records read over two pages", last)
	}
}

func TestReadFeedDirectoryErrors(t *testing.T) {
	page1, page2 := pagedFeed(t, "missing_page.atom")
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"no pages", map[string][]byte{"notes.txt": []byte("x")}, "no .atom files"},
		{"two unrelated pages", map[string][]byte{"a.atom": sampleBytes(t), "b.atom": page2}, "cannot tell the first page"},
		{"next page missing", map[string][]byte{"head.atom": page1}, "missing_page.atom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadFeed(context.Background(), dir, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadFeed error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestReadFeedOverHTTP(t *testing.T) {
	var mu sync.Mutex
	requests := map[string]int{}
	var page1, page2 []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/atom+xml")
		switch r.URL.Path {
		case "/sindicacion/feed.atom":
			w.Write(page1)
		case "/sindicacion/feed_2.atom":
			w.Write(page2)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	page1, page2 = pagedFeed(t, "feed_2.atom") // relative to the page URL

	reader := Reader{Client: srv.Client()}
	cp := &Checkpoint{}
	res, err := reader.Read(context.Background(), srv.URL+"/sindicacion/feed.atom", cp, nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(res.Tenders) != 5 {
		t.Errorf("first run: %d tenders, want 5", len(res.Tenders))
	}
	res, err = reader.Read(context.Background(), srv.URL+"/sindicacion/feed.atom", cp, nil)
	if err != nil {
		t.Fatalf("second Read: %v", err)
	}
	if len(res.Tenders) != 0 {
		t.Errorf("second run: %d tenders, want 0", len(res.Tenders))
	}
	mu.Lock()
	// The second run stops at page 1: nothing on it is newer than the checkpoint.
	if requests["/sindicacion/feed.atom"] != 2 || requests["/sindicacion/feed_2.atom"] != 1 {
		t.Errorf("requests = %v, want page 1 twice and page 2 once", requests)
	}
	mu.Unlock()

	_, err = reader.Read(context.Background(), srv.URL+"/missing.atom", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing page: error = %v, want a 404", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := reader.Read(ctx, srv.URL+"/sindicacion/feed.atom", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error = %v, want context.Canceled", err)
	}
}

func TestCheckpointFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(bad); err == nil {
		t.Error("LoadCheckpoint of a corrupt file succeeded")
	}
	cp := &Checkpoint{}
	if err := cp.Save(filepath.Join(dir, "missing-dir", "cp.json")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

func TestMappings(t *testing.T) {
	statuses := []struct {
		code string
		want intake.Status
	}{
		{"PRE", intake.StatusPlanned},
		{"PUB", intake.StatusActive},
		{"EV", intake.StatusActive},
		{"ADJ", intake.StatusActive},
		{"RES", intake.StatusComplete},
		{"ANUL", intake.StatusCancelled},
		{"XYZ", ""},
	}
	for _, tt := range statuses {
		if got := Status(tt.code); got != tt.want {
			t.Errorf("Status(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	procedures := []struct{ code, want string }{
		{"1", intake.ProcedureOpen},
		{"2", intake.ProcedureRestricted},
		{"3", intake.ProcedureNegotiatedWithoutPublicity},
		{"4", intake.ProcedureNegotiatedWithPublicity},
		{"5", intake.ProcedureCompetitiveDialogue},
		{"6", intake.ProcedureMinor},
		{"7", intake.ProcedureOther},
		{"9", intake.ProcedureOpenSimplified},
		{"10", intake.ProcedureInnovationPartnership},
		{"13", intake.ProcedureNegotiatedWithPublicity},
		{"", ""},
	}
	for _, tt := range procedures {
		if got := ProcedureType(tt.code); got != tt.want {
			t.Errorf("ProcedureType(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	contracts := []struct{ code, want string }{
		{"1", intake.ContractSupplies},
		{"2", intake.ContractServices},
		{"22", intake.ContractServices},
		{"3", intake.ContractWorks},
		{"31", intake.ContractWorks},
		{"8", intake.ContractOther},
		{"", ""},
	}
	for _, tt := range contracts {
		if got := ContractType(tt.code); got != tt.want {
			t.Errorf("ContractType(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func FuzzParseFeed(f *testing.F) {
	f.Add(sampleBytes(f))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x/1</id><updated>2025-01-01T00:00:00Z</updated></entry></feed>`))
	f.Add([]byte(`<feed><at:deleted-entry xmlns:at="http://purl.org/atompub/tombstones/1.0" ref="a/2" when="bad"/></feed>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseFeed(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		for _, tn := range feed.Result.Tenders {
			if tn.SourceID == "" {
				t.Errorf("tender without SourceID: %+v", tn)
			}
			for _, c := range tn.CPVs {
				if _, ok := intake.NormalizeCPV(c); !ok || len(c) != 8 {
					t.Errorf("CPV %q is not normalized", c)
				}
			}
		}
	})
}
