// Package export writes the cross-cluster report and the commission list as
// files: CSV (UTF-8, one table per file, money in euros with two decimals and
// a dot) and XLSX (one sheet per table, money as numbers formatted in euros).
// Column headers are in Spanish or English.
package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/consortia-dev/consortia/services/commission/domain"
)

// Format of an export (values match the proto enum).
type Format int

// Formats.
const (
	CSV  Format = 1
	XLSX Format = 2
)

// Section is a table of the report (values match the proto enum).
type Section int

// Sections; 0 means clusters.
const (
	SectionClusters    Section = 1
	SectionMatrix      Section = 2
	SectionCommissions Section = 3
	SectionMonths      Section = 4
	SectionConsortia   Section = 5
)

// File is an export.
type File struct {
	Name, ContentType string
	Content           []byte
}

// Media types.
const (
	ContentTypeCSV  = "text/csv; charset=utf-8"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// kind of a cell: how it is written.
type kind int

const (
	text kind = iota
	integer
	money // cents in, euros out
)

// cell is one value of a table.
type cell struct {
	k kind
	s string
	n int64
}

func s(v string) cell  { return cell{k: text, s: v} }
func i(v int) cell     { return cell{k: integer, n: int64(v)} }
func eur(c int64) cell { return cell{k: money, n: c} }

// Euros formats cents as euros with two decimals and a dot ("-12.05").
func Euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

func (c cell) csv() string {
	switch c.k {
	case integer:
		return fmt.Sprint(c.n)
	case money:
		return Euros(c.n)
	}
	return c.s
}

// table is one table of an export: a sheet name, column ids and rows.
type table struct {
	sheet   string // message id of the sheet name
	columns []string
	rows    [][]cell
}

func (t table) headers(lang string) []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = label(lang, c)
	}
	return out
}

func (t table) writeCSV(lang string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(t.headers(lang)); err != nil {
		return nil, err
	}
	for _, r := range t.rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.csv()
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func writeXLSX(tables []table, lang string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	euro := "#,##0.00 \"€\""
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &euro})
	if err != nil {
		return nil, err
	}
	for n, t := range tables {
		name := label(lang, t.sheet)
		if n == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		for c, h := range t.headers(lang) {
			ref, _ := excelize.CoordinatesToCellName(c+1, 1)
			if err := f.SetCellStr(name, ref, h); err != nil {
				return nil, err
			}
			if err := f.SetCellStyle(name, ref, ref, bold); err != nil {
				return nil, err
			}
		}
		for r, row := range t.rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+2)
				switch v.k {
				case integer:
					err = f.SetCellInt(name, ref, v.n)
				case money:
					err = f.SetCellFloat(name, ref, float64(v.n)/100, 2, 64)
					if err == nil {
						err = f.SetCellStyle(name, ref, ref, moneyStyle)
					}
				default:
					err = f.SetCellStr(name, ref, v.s)
				}
				if err != nil {
					return nil, err
				}
			}
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func projectCells(p domain.ProjectCounts) []cell {
	return []cell{i(p.Proposed), i(p.Active), i(p.Completed), i(p.Cancelled)}
}

var projectColumns = []string{"projects_proposed", "projects_active", "projects_completed", "projects_cancelled"}

func reportTables(r domain.Report, lang string) []table {
	clusters := table{sheet: "sheet.clusters", columns: append([]string{"cluster_id", "cluster", "member_organizations", "commission_members",
		"tenders_pursued", "tenders_submitted", "tenders_won", "tenders_lost", "pursued_value_eur", "awarded_value_eur",
		"inter_cluster_consortia", "meetings_attended", "meetings_expected"}, projectColumns...)}
	for _, c := range r.Clusters {
		b := c.Bids
		clusters.rows = append(clusters.rows, append([]cell{s(c.ClusterID), s(c.ClusterName), i(c.MemberOrganizations), i(c.CommissionMembers),
			i(b.TendersPursued), i(b.TendersSubmitted), i(b.TendersWon), i(b.TendersLost), eur(b.PursuedValueCents), eur(b.AwardedValueCents),
			i(c.InterClusterConsortia), i(c.MeetingsAttended), i(c.MeetingsExpected)}, projectCells(c.Projects)...))
	}
	matrix := table{sheet: "sheet.matrix", columns: []string{"cluster_a_id", "cluster_a", "cluster_b_id", "cluster_b", "consortia", "awarded", "awarded_value_eur"}}
	for _, p := range r.Matrix {
		matrix.rows = append(matrix.rows, []cell{s(p.A), s(r.Names[p.A]), s(p.B), s(r.Names[p.B]), i(p.Consortia), i(p.Awarded), eur(p.AwardedValueCents)})
	}
	commissions := table{sheet: "sheet.commissions", columns: append(append([]string{"commission_id", "commission", "convening_cluster", "status", "members",
		"meetings_held", "meetings_attended", "meetings_expected", "decisions_open", "decisions_done"}, projectColumns...),
		"linked_tenders", "tenders_submitted", "tenders_won", "awarded_value_eur")}
	for _, c := range r.Commissions {
		convener := r.Names[c.ConvenerID]
		if c.ConvenerID == "" {
			convener = label(lang, "agency")
		}
		row := []cell{s(c.CommissionID), s(c.Name), s(convener), s(label(lang, "status."+c.Status.String())), i(c.Members),
			i(c.MeetingsHeld), i(c.MeetingsAttended), i(c.MeetingsExpected), i(c.DecisionsOpen), i(c.DecisionsDone)}
		row = append(row, projectCells(c.Projects)...)
		row = append(row, i(c.LinkedTenders), i(c.Bids.TendersSubmitted), i(c.Bids.TendersWon), eur(c.Bids.AwardedValueCents))
		commissions.rows = append(commissions.rows, row)
	}
	months := table{sheet: "sheet.months", columns: []string{"month", "cluster_id", "cluster", "tenders_won", "awarded_value_eur"}}
	for _, m := range r.Months {
		months.rows = append(months.rows, []cell{s(m.Month), s(m.ClusterID), s(r.Names[m.ClusterID]), i(m.TendersWon), eur(m.AwardedValueCents)})
	}
	consortia := table{sheet: "sheet.consortia", columns: []string{"consortium_id", "consortium", "tender_id", "tender", "clusters", "status", "awarded_value_eur", "formed"}}
	for _, b := range r.InterBids {
		names := make([]string, len(b.ClusterIDs))
		for i, id := range b.ClusterIDs {
			names[i] = r.Names[id]
		}
		consortia.rows = append(consortia.rows, []cell{s(b.Bid.ID), s(b.Bid.Name), s(b.Bid.TenderID), s(b.TenderTitle), s(strings.Join(names, "; ")),
			s(label(lang, "bid."+b.Bid.Status.String())), eur(b.AwardedValueCents), s(b.Bid.Formed.UTC().Format(domain.DateLayout))})
	}
	return []table{clusters, matrix, commissions, months, consortia}
}

func periodName(p domain.Period) string {
	from, to := "start", "today"
	if !p.From.IsZero() {
		from = p.From.Format(domain.DateLayout)
	}
	if !p.To.IsZero() {
		to = p.To.Format(domain.DateLayout)
	}
	return from + "_" + to
}

// Report exports the report: a CSV file of one section, or an XLSX workbook of all.
func Report(r domain.Report, f Format, sec Section, lang string) (File, error) {
	tables := reportTables(r, lang)
	base := "cross-cluster-report_" + periodName(r.Period)
	switch f {
	case CSV:
		if sec == 0 {
			sec = SectionClusters
		}
		t := tables[sec-1]
		b, err := t.writeCSV(lang)
		if err != nil {
			return File{}, err
		}
		return File{Name: base + "_" + strings.TrimPrefix(t.sheet, "sheet.") + ".csv", ContentType: ContentTypeCSV, Content: b}, nil
	case XLSX:
		b, err := writeXLSX(tables, lang)
		if err != nil {
			return File{}, err
		}
		return File{Name: base + ".xlsx", ContentType: ContentTypeXLSX, Content: b}, nil
	}
	return File{}, fmt.Errorf("export: unknown format %d", f)
}

// CommissionRow is one commission of the list export.
type CommissionRow struct {
	ID, Name, Theme string
	Convener        string // cluster name; "" for the agency
	Status          domain.Status
	Members         int
	Clusters        []string // names of the clusters its sitting members come from
	MeetingsHeld    int
	NextMeeting     time.Time
	LinkedTenders   int
	Projects        int
}

// Commissions exports the commission list.
func Commissions(rows []CommissionRow, f Format, lang string) (File, error) {
	t := table{sheet: "sheet.commission_list", columns: []string{"commission_id", "commission", "theme", "convening_cluster", "status", "members",
		"clusters", "meetings_held", "next_meeting", "linked_tenders", "projects"}}
	for _, r := range rows {
		convener := r.Convener
		if convener == "" {
			convener = label(lang, "agency")
		}
		next := ""
		if !r.NextMeeting.IsZero() {
			next = r.NextMeeting.UTC().Format("2006-01-02 15:04") + " UTC"
		}
		t.rows = append(t.rows, []cell{s(r.ID), s(r.Name), s(r.Theme), s(convener), s(label(lang, "status."+r.Status.String())), i(r.Members),
			s(strings.Join(r.Clusters, "; ")), i(r.MeetingsHeld), s(next), i(r.LinkedTenders), i(r.Projects)})
	}
	switch f {
	case CSV:
		b, err := t.writeCSV(lang)
		return File{Name: "commissions.csv", ContentType: ContentTypeCSV, Content: b}, err
	case XLSX:
		b, err := writeXLSX([]table{t}, lang)
		return File{Name: "commissions.xlsx", ContentType: ContentTypeXLSX, Content: b}, err
	}
	return File{}, fmt.Errorf("export: unknown format %d", f)
}
