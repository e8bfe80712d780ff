package xlsx

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// exportBytes returns the real OpenPLACSP export (week 30 Aug – 4 Sep 2021).
func exportBytes(t testing.TB) []byte {
	t.Helper()
	p, err := datadir.Path("placsp", "datos_sind_643.xlsx")
	if err != nil {
		t.Fatalf("locate export: %v", err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read export: %v", err)
	}
	return data
}

// parsed is the real export parsed once for all tests (it takes a few
// seconds under the race detector).
var parsed struct {
	once     sync.Once
	res      intake.Result
	err      error
	lastDone int
	lastTot  int
	calls    int
}

func realExport(t *testing.T) intake.Result {
	t.Helper()
	parsed.once.Do(func() {
		data := exportBytes(t)
		parsed.res, parsed.err = Parse(bytes.NewReader(data), func(done, total int) {
			parsed.calls++
			parsed.lastDone, parsed.lastTot = done, total
		})
	})
	if parsed.err != nil {
		t.Fatalf("Parse: %v", parsed.err)
	}
	return parsed.res
}

func findTender(t *testing.T, res intake.Result, id string) intake.Tender {
	t.Helper()
	for _, tn := range res.Tenders {
		if tn.SourceID == id {
			return tn
		}
	}
	t.Fatalf("tender %s not found", id)
	return intake.Tender{}
}

func madrid(y int, m time.Month, d, hh, mm, ss, ms int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, ms*int(time.Millisecond), intake.Madrid)
}

func TestParseRealExport(t *testing.T) {
	res := realExport(t)
	if len(res.Tenders) != 5355 {
		t.Errorf("tenders = %d, want 5355", len(res.Tenders))
	}
	if len(res.Rejected) != 0 {
		t.Errorf("rejected = %v, want none", res.Rejected)
	}
	// One progress call per data row: 5,355 tenders + 5,340 results. The
	// export's sheets declare the dimension "A1", so the total is unknown (0).
	if parsed.calls != 10695 || parsed.lastDone != 10695 || parsed.lastTot != 0 {
		t.Errorf("progress: %d calls, last (%d, %d); want 10695 calls ending at (10695, 0)", parsed.calls, parsed.lastDone, parsed.lastTot)
	}
	awards, lots, deleted := 0, 0, 0
	statuses := map[intake.Status]int{}
	for _, tn := range res.Tenders {
		awards += len(tn.Awards)
		lots += len(tn.Lots)
		statuses[tn.Status]++
		if tn.Deleted {
			deleted++
		}
		if tn.Source != intake.SourceOpenPLACSPXLSX || tn.Updated.IsZero() {
			t.Fatalf("tender %s: Source %q, Updated %s", tn.SourceID, tn.Source, tn.Updated)
		}
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"awards (result rows Adjudicado with a winner)", awards, 4934},
		{"distinct lots", lots, 2147},
		{"deleted (Vigente/Anulada/Archivada = ANULADA)", deleted, 12},
		{"cancelled", statuses[intake.StatusCancelled], 12},
		{"unsuccessful (Adjudicada/Resuelta, every result void)", statuses[intake.StatusUnsuccessful], 152},
		{"planned (Anuncio Previo, not withdrawn)", statuses[intake.StatusPlanned], 25},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestCantabrianTenders(t *testing.T) {
	res := realExport(t)
	var cantabria, scs, winners int
	for _, tn := range res.Tenders {
		if len(tn.NUTS) == 0 || !strings.HasPrefix(tn.NUTS[0], "ES13") {
			continue
		}
		cantabria++
		if tn.Authority.Name == "Servicio Cántabro de Salud" {
			scs++
		}
		winners += len(tn.Awards)
	}
	if cantabria != 110 {
		t.Errorf("Cantabrian tenders = %d, want 110", cantabria)
	}
	if scs != 27 {
		t.Errorf("Servicio Cántabro de Salud tenders = %d, want 27", scs)
	}
	if winners != 80 {
		t.Errorf("Cantabrian awards naming a winner = %d, want 80", winners)
	}
}

func TestRealTenders(t *testing.T) {
	res := realExport(t)

	t.Run("8237180 Cantabria justice recording system", func(t *testing.T) {
		got := findTender(t, res, "8237180")
		checks := []struct {
			name      string
			got, want any
		}{
			{"CPVs", strings.Join(got.CPVs, " "), "48000000 48820000 50324100 80500000"},
			{"EstimatedValueCents", got.EstimatedValueCents, int64(27438017)},
			{"BudgetNoVATCents", got.BudgetNoVATCents, int64(27438017)},
			{"BudgetWithVATCents", got.BudgetWithVATCents, int64(33200000)},
			{"Currency", got.Currency, "EUR"},
			{"NUTS", strings.Join(got.NUTS, " "), "ES130"},
			{"SourceStatus", got.SourceStatus, "En plazo"},
			{"Status", got.Status, intake.StatusActive},
			{"NoticeType", got.NoticeType, intake.NoticeContract},
			{"FileNumber", got.FileNumber, "2.2.39/21"},
			{"Authority", got.Authority, intake.Authority{Name: "Consejería de Presidencia, Interior, Justicia y Acción Exterior", NIF: "S3933002B"}},
			{"ContractType", got.ContractType, intake.ContractSupplies},
			{"ProcedureType", got.ProcedureType, intake.ProcedureOpen},
			{"Updated", got.Updated.UTC(), madrid(2021, 9, 3, 16, 19, 36, 918).UTC()},
			{"title", strings.HasPrefix(got.Title, "Suministro e implantación de un nuevo sistema de grabación de salas de vista"), true},
			{"awards", len(got.Awards), 0},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
	})

	t.Run("8239978 SCS with DIR3 and five CPVs", func(t *testing.T) {
		got := findTender(t, res, "8239978")
		if want := "48313100 30216100 72267000 51410000 30216120"; strings.Join(got.CPVs, " ") != want {
			t.Errorf("CPVs = %v, want %s", got.CPVs, want)
		}
		if want := (intake.Authority{Name: "Servicio Cántabro de Salud", NIF: "Q3900738J", DIR3: "A06009280"}); got.Authority != want {
			t.Errorf("Authority = %+v, want %+v", got.Authority, want)
		}
		if got.ProcedureType != intake.ProcedureOpenSimplified || !slices.Equal(got.NUTS, []string{"ES13"}) || got.EstimatedValueCents != 5190000 {
			t.Errorf("procedure %q, NUTS %v, estimated %d; want open_simplified, [ES13], 5190000", got.ProcedureType, got.NUTS, got.EstimatedValueCents)
		}
	})

	t.Run("8030377 MARE Azure services, awarded", func(t *testing.T) {
		got := findTender(t, res, "8030377")
		if got.Status != intake.StatusComplete || got.SourceStatus != "Resuelta" || got.NoticeType != intake.NoticeContractAward {
			t.Errorf("status = %q (%q, %q), want complete (Resuelta, contract-award)", got.Status, got.SourceStatus, got.NoticeType)
		}
		if len(got.Awards) != 1 {
			t.Fatalf("awards = %d, want 1", len(got.Awards))
		}
		a := got.Awards[0]
		want := intake.Award{
			WinnerName: "EMPATIZA CONSULTING S.L.", WinnerNIF: "B74368127",
			AmountNoVATCents: 1495800, AmountWithVATCents: 1809918,
			Date: madrid(2021, 8, 25, 0, 0, 0, 0), OffersReceived: 3,
		}
		if a.LotID != "" || a.WinnerName != want.WinnerName || a.WinnerNIF != want.WinnerNIF ||
			a.AmountNoVATCents != want.AmountNoVATCents || a.AmountWithVATCents != want.AmountWithVATCents ||
			!a.Date.Equal(want.Date) || a.OffersReceived != want.OffersReceived || a.SME != nil {
			t.Errorf("award = %+v, want %+v (SME unknown)", a, want)
		}
		if !slices.Equal(got.CPVs, []string{"72321000"}) || got.EstimatedValueCents != 2642580 || got.BudgetNoVATCents != 1495800 {
			t.Errorf("CPVs %v, estimated %d, budget %d", got.CPVs, got.EstimatedValueCents, got.BudgetNoVATCents)
		}
	})

	t.Run("8246601 amounts written with an exponent", func(t *testing.T) {
		got := findTender(t, res, "8246601")
		// Raw cells: 5.256434302E7, 2.190180959E7, 2.650118962E7.
		if got.EstimatedValueCents != 5256434302 || got.BudgetNoVATCents != 2190180959 || got.BudgetWithVATCents != 2650118962 {
			t.Errorf("amounts = %d / %d / %d", got.EstimatedValueCents, got.BudgetNoVATCents, got.BudgetWithVATCents)
		}
	})

	t.Run("6842707 framework agreement with three winners", func(t *testing.T) {
		got := findTender(t, res, "6842707")
		var names []string
		for _, a := range got.Awards {
			names = append(names, a.WinnerNIF)
			if a.AmountNoVATCents != 455672000 || a.AmountWithVATCents != 551363120 || a.OffersReceived != 5 {
				t.Errorf("award %s = %d/%d, %d offers", a.WinnerNIF, a.AmountNoVATCents, a.AmountWithVATCents, a.OffersReceived)
			}
		}
		if want := []string{"U16683815", "U16677791", "A78301934"}; !slices.Equal(names, want) {
			t.Errorf("winners = %v, want %v", names, want)
		}
		if !slices.Equal(got.NUTS, []string{"ES"}) || got.EstimatedValueCents != 698697067 {
			t.Errorf("NUTS %v, estimated %d", got.NUTS, got.EstimatedValueCents)
		}
	})

	t.Run("8234733 withdrawn (ANULADA)", func(t *testing.T) {
		got := findTender(t, res, "8234733")
		if !got.Deleted || got.Status != intake.StatusCancelled || got.SourceStatus != "Anulada" {
			t.Errorf("Deleted %v, Status %q, SourceStatus %q; want true, cancelled, Anulada", got.Deleted, got.Status, got.SourceStatus)
		}
	})

	t.Run("SME flag", func(t *testing.T) {
		var yes, no int
		for _, tn := range res.Tenders {
			for _, a := range tn.Awards {
				switch {
				case a.SME == nil:
				case *a.SME:
					yes++
				default:
					no++
				}
			}
		}
		if yes != 1348 || no != 651 {
			t.Errorf("SME yes/no = %d/%d, want 1348/651", yes, no)
		}
	})
}

// sourceRows holds the header and first tenders of the real export, with
// their result rows, read once (opening the export is slow under -race).
var sourceRows struct {
	once             sync.Once
	tenders, results [][]string
}

// realRows returns the header row and the first n (at most 20) tender rows
// of the real export, and the header and result rows of those tenders.
func realRows(t testing.TB, n int) (tenders, results [][]string) {
	t.Helper()
	sourceRows.once.Do(func() {
		src, err := excelize.OpenReader(bytes.NewReader(exportBytes(t)), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("open export: %v", err)
		}
		defer src.Close()
		// read returns the header and the following rows while keep accepts them.
		read := func(sheet string, keep func(row []string) bool) [][]string {
			rows, err := src.Rows(sheet)
			if err != nil {
				t.Fatalf("rows %s: %v", sheet, err)
			}
			defer rows.Close()
			var out [][]string
			for rows.Next() {
				cols, err := rows.Columns()
				if err != nil {
					t.Fatalf("columns %s: %v", sheet, err)
				}
				if len(out) > 0 && !keep(cols) {
					break
				}
				out = append(out, cols)
			}
			return out
		}
		n := 0
		sourceRows.tenders = read(SheetTenders, func([]string) bool { n++; return n <= 20 })
		ids := map[string]bool{}
		for _, r := range sourceRows.tenders[1:] {
			ids[r[0]] = true
		}
		// The export lists results in tender order: those of the first 20
		// tenders are the first rows of Resultados (rows 2 to 11).
		sourceRows.results = read(SheetResults, func(r []string) bool { return len(r) > 0 && ids[r[0]] })
	})
	if len(sourceRows.tenders) < n+1 {
		t.Fatalf("only %d source rows", len(sourceRows.tenders))
	}
	tenders = sourceRows.tenders[:n+1]
	ids := map[string]bool{}
	for _, r := range tenders[1:] {
		ids[r[0]] = true
	}
	results = [][]string{sourceRows.results[0]}
	for _, r := range sourceRows.results[1:] {
		if ids[r[0]] {
			results = append(results, r)
		}
	}
	return tenders, results
}

// smallWorkbook builds an OpenPLACSP-shaped workbook from the real export's
// header rows and its first n tenders with their results, with the columns of
// both sheets in reverse order (the parser must find them by header), and
// then the extra rows given.
func smallWorkbook(t testing.TB, n int, extraTenders, extraResults [][]string) []byte {
	t.Helper()
	tenders, results := realRows(t, n)
	dst := excelize.NewFile()
	defer dst.Close()
	write := func(sheet string, rows [][]string, extra [][]string) {
		width := len(rows[0])
		if _, err := dst.NewSheet(sheet); err != nil {
			t.Fatalf("new sheet: %v", err)
		}
		for i, r := range append(append([][]string(nil), rows...), extra...) {
			cells := make([]any, width)
			for j := range cells {
				if j < len(r) {
					cells[width-1-j] = r[j] // reversed column order
				} else {
					cells[width-1-j] = ""
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := dst.SetSheetRow(sheet, cell, &cells); err != nil {
				t.Fatalf("write row: %v", err)
			}
		}
		// Declare the used range, which the real export does not ("A1").
		last, _ := excelize.CoordinatesToCellName(width, len(rows)+len(extra))
		if err := dst.SetSheetDimension(sheet, "A1:"+last); err != nil {
			t.Fatalf("set dimension: %v", err)
		}
	}
	write(SheetTenders, tenders, extraTenders)
	write(SheetResults, results, extraResults)
	if err := dst.DeleteSheet("Sheet1"); err != nil {
		t.Fatalf("delete sheet: %v", err)
	}
	var buf bytes.Buffer
	if err := dst.Write(&buf); err != nil {
		t.Fatalf("write workbook: %v", err)
	}
	return buf.Bytes()
}

// tenderRowOf returns a Licitaciones row (in the export's column order) with
// the given Identificador, Fecha actualización, CPV and Valor estimado.
func tenderRowOf(id, updated, cpv, estimated string) []string {
	row := make([]string, 26)
	row[0], row[2], row[5], row[7], row[8], row[11] = id, updated, "En plazo", "Synthetic tender "+id, estimated, cpv
	return row
}

func TestParseRejectsBadRowsAndFindsColumnsByHeader(t *testing.T) {
	extraTenders := [][]string{
		tenderRowOf("9000001", "44442.5", "72000000;", "1000.5"),       // row 22: fine
		tenderRowOf("9000002", "ayer", "72000000;", "1000"),            // row 23: bad date
		tenderRowOf("9000003", "44442.5", "ABCDEFGH;1234;", "1000"),    // row 24: only junk CPVs
		tenderRowOf("9000004", "44442.5", "72000000;", "1.000,00 EUR"), // row 25: bad amount
		tenderRowOf("", "44442.5", "72000000;", "1000"),                // row 26: no id
		tenderRowOf("9000001", "44442.5", "72000000;", "1000"),         // row 27: duplicate
		tenderRowOf("9000005", "44442.5", "72000000;junk;48000000-3;", ""),
	}
	result := func(id, lot, result, offers string) []string {
		row := make([]string, 25)
		row[0], row[4], row[10], row[12], row[19], row[21], row[23] = id, lot, result, offers, "ACME SL", "B00000000", "10.0"
		return row
	}
	extraResults := [][]string{
		result("9999999", "Sin lotes", "Adjudicado", "1"), // unknown tender
		result("9000001", "1", "Adjudicado", "muchos"),    // bad offers count
		result("9000001", "2", "Adjudicado", "2.0"),       // fine
	}
	data := smallWorkbook(t, 20, extraTenders, extraResults)
	var lastDone, lastTotal int
	res, err := Parse(bytes.NewReader(data), func(done, total int) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	// This workbook declares its dimensions, so the total is known: 27 tender
	// rows, the 10 real result rows of the first 20 tenders and 3 extra ones.
	if rows := 27 + 10 + 3; lastDone != rows || lastTotal != rows {
		t.Errorf("last progress = (%d, %d), want (%d, %d)", lastDone, lastTotal, rows, rows)
	}
	if len(res.Tenders) != 22 {
		t.Errorf("tenders = %d, want the 20 real ones plus 9000001 and 9000005", len(res.Tenders))
	}
	first := findTender(t, res, "6842707") // the first real row, read through reversed columns
	if first.EstimatedValueCents != 698697067 || len(first.Awards) != 3 || first.Authority.NIF != "Q2801660H" {
		t.Errorf("6842707 = estimated %d, %d awards, NIF %q", first.EstimatedValueCents, len(first.Awards), first.Authority.NIF)
	}
	synthetic := findTender(t, res, "9000001")
	if synthetic.EstimatedValueCents != 100050 || len(synthetic.Awards) != 1 || synthetic.Awards[0].OffersReceived != 2 || len(synthetic.Lots) != 1 {
		t.Errorf("9000001 = estimated %d, awards %+v, %d lots", synthetic.EstimatedValueCents, synthetic.Awards, len(synthetic.Lots))
	}
	if got := findTender(t, res, "9000005").CPVs; !slices.Equal(got, []string{"72000000", "48000000"}) {
		t.Errorf("9000005 CPVs = %v, want junk skipped", got)
	}
	want := []struct{ record, reason string }{
		{"Licitaciones row 23", "Fecha actualización"},
		{"Licitaciones row 24", "no valid CPV"},
		{"Licitaciones row 25", "Valor estimado del contrato"},
		{"Licitaciones row 26", "no Identificador"},
		{"Licitaciones row 27", "duplicate Identificador 9000001"},
		{"Resultados row", "unknown tender \"9999999\""},
		{"Resultados row", "not a count"},
	}
	if len(res.Rejected) != len(want) {
		t.Fatalf("rejected = %v, want %d", res.Rejected, len(want))
	}
	for i, w := range want {
		r := res.Rejected[i]
		if !strings.HasPrefix(r.Record, w.record) || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("rejected[%d] = %+v, want %s… with reason mentioning %q", i, r, w.record, w.reason)
		}
	}
}

func TestParseErrors(t *testing.T) {
	noSheet := excelize.NewFile()
	var noSheetBuf bytes.Buffer
	if err := noSheet.Write(&noSheetBuf); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("Identificador;CPV\n1;72000000\n"), "open workbook"},
		{"truncated", exportBytes(t)[:100000], "open workbook"},
		{"no Licitaciones sheet", noSheetBuf.Bytes(), "Licitaciones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.data), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestMappings(t *testing.T) {
	estados := []struct{ in, code string }{
		{"Anuncio Previo", "PRE"},
		{"En plazo", "PUB"},
		{"Pendiente de adjudicación", "EV"},
		{"Evaluación", "EV"},
		{"Adjudicada", "ADJ"},
		{"Resuelta", "RES"},
		{"Anulada", "ANUL"},
		{"Otra cosa", ""},
	}
	for _, tt := range estados {
		if got := StatusCode(tt.in); got != tt.code {
			t.Errorf("StatusCode(%q) = %q, want %q", tt.in, got, tt.code)
		}
	}
	procedures := []struct{ in, want string }{
		{"Abierto", intake.ProcedureOpen},
		{"Abierto simplificado", intake.ProcedureOpenSimplified},
		{"Negociado sin publicidad", intake.ProcedureNegotiatedWithoutPublicity},
		{"Negociado con publicidad", intake.ProcedureNegotiatedWithPublicity},
		{"Licitación con negociación", intake.ProcedureNegotiatedWithPublicity},
		{"Restringido", intake.ProcedureRestricted},
		{"Derivado de acuerdo marco", intake.ProcedureOther},
		{"Normas internas", intake.ProcedureOther},
		{"", ""},
	}
	for _, tt := range procedures {
		if got := ProcedureType(tt.in); got != tt.want {
			t.Errorf("ProcedureType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	contracts := []struct{ in, want string }{
		{"Servicios", intake.ContractServices},
		{"Suministros", intake.ContractSupplies},
		{"Obras", intake.ContractWorks},
		{"Concesión de Servicios", intake.ContractServices},
		{"Concesión de Obras Públicas", intake.ContractWorks},
		{"Privado", intake.ContractOther},
		{"Patrimonial", intake.ContractOther},
	}
	for _, tt := range contracts {
		if got := ContractType(tt.in); got != tt.want {
			t.Errorf("ContractType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseXLSX(f *testing.F) {
	// A compact workbook made of real rows (header and first tenders of the
	// export, columns reversed) mutates well.
	f.Add(smallWorkbook(f, 5, nil, nil))
	f.Add([]byte("PK\x03\x04"))
	// The full export (2.7 MB) joins the corpus only when fuzzing: in a plain
	// `go test` run it would just repeat TestParseRealExport, which costs
	// seconds under -race.
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		f.Add(exportBytes(f))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		for _, tn := range res.Tenders {
			if tn.SourceID == "" {
				t.Errorf("tender without SourceID")
			}
		}
	})
}
