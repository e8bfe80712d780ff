// Package xlsx reads the spreadsheet that the official OpenPLACSP tool exports
// from the PLACSP syndication feeds.
//
// The workbook has a "Licitaciones" sheet (one row per tender) and a
// "Resultados" sheet (one row per lot result and winner). Columns are found by
// their header text, not their position, and rows are streamed. Result rows are
// joined to their tender by "Identificador" into Tender.Lots and Tender.Awards.
//
// # Status mapping
//
// The "Estado" column holds the PLACSP folder status as Spanish text; it is
// mapped onto the PLACSP code and then onto the OCDS status as in package
// placsp:
//
//	Anuncio previo            → PRE → planned
//	En plazo                  → PUB → active
//	Pendiente de adjudicación → EV  → active   (also "Evaluación")
//	Adjudicada                → ADJ → active
//	Resuelta                  → RES → complete
//	Anulada                   → ANUL → cancelled
//
// A tender whose result rows exist but name no winner (every lot "Desierto",
// "Desistimiento" or "Renuncia") is unsuccessful when Adjudicada or Resuelta.
// A row marked ANULADA in "Vigente/Anulada/Archivada" is a tender that PLACSP
// withdrew with a tombstone: it is reported with Deleted set and status
// cancelled, whatever its last "Estado" was.
package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/intake/placsp"
)

// Sheet names of the OpenPLACSP export.
const (
	SheetTenders = "Licitaciones"
	SheetResults = "Resultados"
)

// Column headers of the Licitaciones sheet.
const (
	colID           = "Identificador"
	colLink         = "Link licitación"
	colUpdated      = "Fecha actualización"
	colVigente      = "Vigente/Anulada/Archivada"
	colEstado       = "Estado"
	colFileNumber   = "Número de expediente"
	colTitle        = "Objeto del Contrato"
	colEstimated    = "Valor estimado del contrato"
	colBudgetNoVAT  = "Presupuesto base sin impuestos"
	colBudgetVAT    = "Presupuesto base con impuestos"
	colCPV          = "CPV"
	colContractType = "Tipo de contrato"
	colPlace        = "Lugar de ejecución"
	colAuthority    = "Órgano de Contratación"
	colNIF          = "NIF OC"
	colDIR3         = "DIR3"
	colProcedure    = "Tipo de procedimiento"
)

// Column headers of the Resultados sheet.
const (
	resID          = "Identificador"
	resLot         = "Lote"
	resLotTitle    = "Objeto licitación/lote"
	resLotBudget   = "Presupuesto base sin impuestos licitación/lote"
	resLotCPV      = "CPV licitación/lote"
	resLotPlace    = "Lugar ejecución licitación/lote"
	resResult      = "Resultado licitación/lote"
	resDate        = "Fecha del acuerdo licitación/lote"
	resOffers      = "Número de ofertas recibidas por licitación/lote"
	resWinner      = "Adjudicatario licitación/lote"
	resWinnerID    = "Identificador Adjudicatario de la licitación/lote"
	resSME         = "El adjudicatario es o no PYME de la licitación/lote"
	resAmountNoVAT = "Importe adjudicación sin impuestos licitación/lote"
	resAmountVAT   = "Importe adjudicación con impuestos licitación/lote"
)

// noLots is the "Lote" value of a tender without lots.
const noLots = "Sin lotes"

// Limits applied when opening a workbook: the real export unzips to about
// 18 MB, so these leave ample room while keeping a hostile file in check.
const (
	unzipSizeLimit    = 256 << 20
	unzipXMLSizeLimit = 64 << 20
)

// ReadFile parses the OpenPLACSP workbook at path; see Parse.
func ReadFile(path string, progress func(done, total int)) (intake.Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return intake.Result{}, fmt.Errorf("read workbook: %w", err)
	}
	return Parse(bytes.NewReader(data), progress)
}

// Parse reads an OpenPLACSP workbook. Rows that cannot be read are reported in
// Result.Rejected as "Licitaciones row N" / "Resultados row N" and skipped.
// It fails only when the file is not a workbook or lacks the two sheets or
// their key columns. progress, which may be nil, is called after each data row
// of both sheets, with total the number of data rows when the sheets declare
// their dimensions (0 otherwise).
func Parse(r io.Reader, progress func(done, total int)) (res intake.Result, err error) {
	// excelize is a large third-party parser; make sure a malformed file can
	// never take the caller down with it.
	defer func() {
		if p := recover(); p != nil {
			res, err = intake.Result{}, fmt.Errorf("read workbook: malformed file (%v)", p)
		}
	}()
	f, err := excelize.OpenReader(r, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    unzipSizeLimit,
		UnzipXMLSizeLimit: unzipXMLSizeLimit,
	})
	if err != nil {
		return intake.Result{}, fmt.Errorf("open workbook: %w", err)
	}
	defer f.Close()

	p := &parser{f: f, report: intake.Progress(progress), index: map[string]int{}}
	p.total = p.dataRows(SheetTenders) + p.dataRows(SheetResults)
	if err := p.readTenders(); err != nil {
		return intake.Result{}, err
	}
	if err := p.readResults(); err != nil {
		return intake.Result{}, err
	}
	p.finish()
	return p.res, nil
}

// parser holds the state of one Parse call.
type parser struct {
	f      *excelize.File
	report intake.Progress
	done   int
	total  int
	res    intake.Result
	index  map[string]int // Identificador → position in res.Tenders
	// results counts result rows per tender, winners those naming a winner.
	results, winners map[int]int
}

// dataRows returns the number of rows below the header that the sheet's
// declared dimension (e.g. "A1:Z5356") covers, or 0 when it declares none.
func (p *parser) dataRows(sheet string) int {
	dim, err := p.f.GetSheetDimension(sheet)
	if err != nil {
		return 0
	}
	_, last, ok := strings.Cut(dim, ":")
	if !ok {
		return 0
	}
	_, rows, err := excelize.CellNameToCoordinates(last)
	if err != nil || rows < 2 {
		return 0
	}
	return rows - 1
}

// tick reports progress after one data row.
func (p *parser) tick() {
	p.done++
	total := p.total
	if total < p.done {
		total = 0 // the declared dimension was wrong: stop pretending we know
	}
	p.report.Report(p.done, total)
}

// sheetRows streams a sheet: it calls fn for each data row with the row's
// spreadsheet number and a lookup of cell values by header. Missing required
// headers are an error.
func (p *parser) sheetRows(sheet string, required []string, fn func(row int, cell func(header string) string)) error {
	rows, err := p.f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("open sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return fmt.Errorf("sheet %q is empty", sheet)
	}
	header, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("sheet %q header: %w", sheet, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		key := headerKey(h)
		if _, dup := cols[key]; !dup {
			cols[key] = i
		}
	}
	for _, h := range required {
		if _, ok := cols[headerKey(h)]; !ok {
			return fmt.Errorf("sheet %q has no %q column", sheet, h)
		}
	}
	// Resolve each header the row callbacks ask for once, not once per row.
	resolved := map[string]int{}
	column := func(h string) int {
		i, ok := resolved[h]
		if !ok {
			if i, ok = cols[headerKey(h)]; !ok {
				i = -1
			}
			resolved[h] = i
		}
		return i
	}
	rowNum := 1
	for rows.Next() {
		rowNum++
		values, err := rows.Columns()
		if err != nil {
			p.res.Reject(fmt.Sprintf("%s row %d", sheet, rowNum), err.Error())
			p.tick()
			continue
		}
		empty := true
		for _, v := range values {
			if strings.TrimSpace(v) != "" {
				empty = false
				break
			}
		}
		if !empty {
			fn(rowNum, func(h string) string {
				i := column(h)
				if i < 0 || i >= len(values) { // trailing empty cells are not returned
					return ""
				}
				return strings.TrimSpace(values[i])
			})
		}
		p.tick()
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	return nil
}

// headerKey normalizes a header for lookup: trimmed, lower case, accents removed.
func headerKey(h string) string {
	return accents.Replace(strings.ToLower(strings.Join(strings.Fields(h), " ")))
}

var accents = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n")

func (p *parser) readTenders() error {
	required := []string{colID, colUpdated, colTitle}
	return p.sheetRows(SheetTenders, required, func(row int, cell func(string) string) {
		record := fmt.Sprintf("%s row %d", SheetTenders, row)
		t, err := tenderRow(cell)
		if err != nil {
			p.res.Reject(record, err.Error())
			return
		}
		if _, dup := p.index[t.SourceID]; dup {
			p.res.Reject(record, fmt.Sprintf("duplicate Identificador %s", t.SourceID))
			return
		}
		p.index[t.SourceID] = len(p.res.Tenders)
		p.res.Tenders = append(p.res.Tenders, t)
	})
}

// tenderRow maps one Licitaciones row.
func tenderRow(cell func(string) string) (intake.Tender, error) {
	t := intake.Tender{
		Source:       intake.SourceOpenPLACSPXLSX,
		SourceID:     cell(colID),
		SourceURL:    cell(colLink),
		SourceStatus: cell(colEstado),
		FileNumber:   cell(colFileNumber),
		Title:        cell(colTitle),
		Authority: intake.Authority{
			Name: cell(colAuthority),
			NIF:  cell(colNIF),
			DIR3: cell(colDIR3),
		},
		ProcedureType: ProcedureType(cell(colProcedure)),
		ContractType:  ContractType(cell(colContractType)),
	}
	if t.SourceID == "" {
		return intake.Tender{}, errors.New("no Identificador")
	}
	var err error
	if t.Updated, err = cellTime(cell(colUpdated)); err != nil {
		return intake.Tender{}, fmt.Errorf("%s: %w", colUpdated, err)
	}
	code := StatusCode(t.SourceStatus)
	t.Status = placsp.Status(code)
	t.NoticeType = noticeType(code)
	if strings.EqualFold(cell(colVigente), "ANULADA") {
		t.Deleted = true
		t.Status = intake.StatusCancelled
	}

	raw := cell(colCPV)
	var valid bool
	if t.CPVs, valid = splitCPVs(raw); !valid {
		return intake.Tender{}, fmt.Errorf("no valid CPV code in %q", raw)
	}
	if n, ok := intake.NormalizeNUTS(cell(colPlace)); ok {
		t.NUTS = []string{n}
	}

	amounts := []struct {
		header string
		dst    *int64
	}{
		{colEstimated, &t.EstimatedValueCents},
		{colBudgetNoVAT, &t.BudgetNoVATCents},
		{colBudgetVAT, &t.BudgetWithVATCents},
	}
	for _, a := range amounts {
		if *a.dst, err = cents(cell(a.header)); err != nil {
			return intake.Tender{}, fmt.Errorf("%s: %w", a.header, err)
		}
		if *a.dst != 0 {
			t.Currency = "EUR"
		}
	}
	return t, nil
}

func (p *parser) readResults() error {
	p.results, p.winners = map[int]int{}, map[int]int{}
	return p.sheetRows(SheetResults, []string{resID}, func(row int, cell func(string) string) {
		record := fmt.Sprintf("%s row %d", SheetResults, row)
		id := cell(resID)
		i, ok := p.index[id]
		if !ok {
			p.res.Reject(record, fmt.Sprintf("result for unknown tender %q", id))
			return
		}
		if err := p.addResult(&p.res.Tenders[i], i, cell); err != nil {
			p.res.Reject(record, err.Error())
		}
	})
}

// addResult adds one Resultados row to its tender: the lot (once) and the
// award. The row is read in full before the tender is touched, so a rejected
// row leaves no trace.
func (p *parser) addResult(t *intake.Tender, i int, cell func(string) string) error {
	lotID := cell(resLot)
	if strings.EqualFold(lotID, noLots) {
		lotID = ""
	}
	var newLot *intake.Lot
	if lotID != "" && !hasLot(t.Lots, lotID) {
		lot := intake.Lot{ID: lotID, Title: cell(resLotTitle)}
		lot.CPVs, _ = splitCPVs(cell(resLotCPV))
		if n, ok := intake.NormalizeNUTS(cell(resLotPlace)); ok {
			lot.NUTS = []string{n}
		}
		var err error
		if lot.BudgetNoVATCents, err = cents(cell(resLotBudget)); err != nil {
			return fmt.Errorf("%s: %w", resLotBudget, err)
		}
		newLot = &lot
	}
	award, err := resultAward(lotID, cell)
	if err != nil {
		return err
	}

	if newLot != nil {
		t.Lots = append(t.Lots, *newLot)
	}
	p.results[i]++
	if award == nil {
		return nil
	}
	if t.Currency == "" && (award.AmountNoVATCents != 0 || award.AmountWithVATCents != 0) {
		t.Currency = "EUR"
	}
	t.Awards = append(t.Awards, *award)
	p.winners[i]++
	return nil
}

// resultAward reads the award of a Resultados row; nil when the row names no
// winner (void, withdrawn or renounced lots).
func resultAward(lotID string, cell func(string) string) (*intake.Award, error) {
	winner := cell(resWinner)
	if winner == "" || !strings.EqualFold(cell(resResult), "Adjudicado") {
		return nil, nil
	}
	a := intake.Award{LotID: lotID, WinnerName: winner, WinnerNIF: cell(resWinnerID)}
	var err error
	if a.AmountNoVATCents, err = cents(cell(resAmountNoVAT)); err != nil {
		return nil, fmt.Errorf("%s: %w", resAmountNoVAT, err)
	}
	if a.AmountWithVATCents, err = cents(cell(resAmountVAT)); err != nil {
		return nil, fmt.Errorf("%s: %w", resAmountVAT, err)
	}
	if a.Date, err = optionalCellTime(cell(resDate)); err != nil {
		return nil, fmt.Errorf("%s: %w", resDate, err)
	}
	if s := cell(resOffers); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 0 || n > 1e6 || n != float64(int(n)) {
			return nil, fmt.Errorf("%s: not a count: %q", resOffers, s)
		}
		a.OffersReceived = int(n)
	}
	switch cell(resSME) {
	case "1", "Sí", "Si", "SI", "true":
		yes := true
		a.SME = &yes
	case "0", "No", "NO", "false":
		no := false
		a.SME = &no
	}
	return &a, nil
}

// finish applies what can only be decided once all results are read.
func (p *parser) finish() {
	for i := range p.res.Tenders {
		t := &p.res.Tenders[i]
		code := StatusCode(t.SourceStatus)
		if !t.Deleted && p.results[i] > 0 && p.winners[i] == 0 && (code == "ADJ" || code == "RES") {
			t.Status = intake.StatusUnsuccessful
		}
	}
}

func hasLot(lots []intake.Lot, id string) bool {
	for _, l := range lots {
		if l.ID == id {
			return true
		}
	}
	return false
}

// splitCPVs splits a ";"-separated CPV cell ("48000000;48820000;"), keeping
// valid codes. It reports false when the cell held codes but none was valid.
func splitCPVs(s string) ([]string, bool) {
	var list []string
	seen, valid := 0, 0
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		seen++
		var ok bool
		if list, ok = intake.AppendCPV(list, part); ok {
			valid++
		}
	}
	return list, seen == 0 || valid > 0
}

// cents parses a raw amount cell. OpenPLACSP writes plain numbers, with an
// exponent from ten million up ("5.256434302E7"); a formatted cell
// ("6,986,970.67 €") is accepted too.
func cents(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	if strings.Contains(s, ",") && strings.Contains(s, ".") {
		s = strings.ReplaceAll(s, ",", "")
	}
	return intake.ParseCents(s)
}

// cellTime reads a date cell: an Excel serial number (the raw value) or the
// "dd/mm/yyyy hh:mm" / "dd/mm/yyyy" text OpenPLACSP displays, in Madrid time.
func cellTime(s string) (time.Time, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return intake.ExcelSerialTime(v, intake.Madrid)
	}
	for _, layout := range []string{"02/01/2006 15:04", "02/01/2006 15:04:05", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, intake.Madrid); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", intake.ErrDate, s)
}

// optionalCellTime reads a date cell that may be empty. OpenPLACSP writes -1
// (and sometimes 0) for dates it does not know; those are zero too.
func optionalCellTime(s string) (time.Time, error) {
	if v, err := strconv.ParseFloat(s, 64); s == "" || err == nil && v <= 0 {
		return time.Time{}, nil
	}
	return cellTime(s)
}

// StatusCode maps the "Estado" text of the export onto the PLACSP folder status
// code (PRE, PUB, EV, ADJ, RES, ANUL); unknown text gives "".
func StatusCode(estado string) string {
	switch headerKey(estado) {
	case "anuncio previo":
		return "PRE"
	case "en plazo", "publicada":
		return "PUB"
	case "pendiente de adjudicacion", "evaluacion", "en evaluacion", "evaluada":
		return "EV"
	case "adjudicada", "parcialmente adjudicada":
		return "ADJ"
	case "resuelta", "parcialmente resuelta":
		return "RES"
	case "anulada":
		return "ANUL"
	}
	return ""
}

// noticeType derives the notice type from the status code.
func noticeType(code string) string {
	switch code {
	case "PRE":
		return intake.NoticePriorInformation
	case "ADJ", "RES":
		return intake.NoticeContractAward
	case "":
		return ""
	}
	return intake.NoticeContract
}

// ProcedureType maps the "Tipo de procedimiento" text onto the normalized
// procedure types; see placsp.ProcedureType for the code list it mirrors.
func ProcedureType(s string) string {
	switch headerKey(s) {
	case "":
		return ""
	case "abierto":
		return intake.ProcedureOpen
	case "abierto simplificado":
		return intake.ProcedureOpenSimplified
	case "restringido":
		return intake.ProcedureRestricted
	case "negociado sin publicidad":
		return intake.ProcedureNegotiatedWithoutPublicity
	case "negociado con publicidad", "licitacion con negociacion":
		return intake.ProcedureNegotiatedWithPublicity
	case "dialogo competitivo":
		return intake.ProcedureCompetitiveDialogue
	case "asociacion para la innovacion":
		return intake.ProcedureInnovationPartnership
	case "contrato menor":
		return intake.ProcedureMinor
	}
	return intake.ProcedureOther
}

// ContractType maps the "Tipo de contrato" text onto the normalized contract
// types, like placsp.ContractType does for the codes.
func ContractType(s string) string {
	switch headerKey(s) {
	case "":
		return ""
	case "suministros":
		return intake.ContractSupplies
	case "servicios", "concesion de servicios", "gestion de servicios publicos":
		return intake.ContractServices
	case "obras", "concesion de obras", "concesion de obras publicas":
		return intake.ContractWorks
	}
	return intake.ContractOther
}
