package web

// Charts of the agency overview, drawn on the server as inline SVG: they work
// without JavaScript, their labels and figures are text in the page (readable
// by screen readers and assertable in tests), and they obey the console's
// Content-Security-Policy. go-analyze/charts (v0.6.4) was tried first: its SVG
// carries inline style="" attributes, which the policy (style-src 'self')
// blocks when the SVG is in the page, and it dropped colliding category
// labels (long cluster names); as a data: image the figures would no longer be
// text in the page. Colours are presentation attributes (fill, fill-opacity),
// which the policy allows; sizes and fonts come from app.css.

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// palette colours series (clusters) in order.
var palette = []string{"#2563a8", "#d9822b", "#2f9e6e", "#9b59b6", "#c0392b", "#16a2b8", "#7f8c8d"}

func colour(i int) string { return palette[i%len(palette)] }

// svgText escapes text for SVG content and attributes.
func svgText(s string) string { return template.HTMLEscapeString(s) }

// bar is one bar of a horizontal bar chart.
type bar struct {
	Label string
	Value float64
	Text  string // the value as shown
	Key   string // data-key attribute (an id), for tests and links
}

// hbarChart draws labelled horizontal bars, one row each, the value written
// after the bar.
func hbarChart(id, title string, bars []bar, empty string) template.HTML {
	const barW, rowH, top = 200.0, 26.0, 8.0
	labelW, valueW := 40.0, 60.0
	for _, x := range bars {
		labelW = math.Max(labelW, textWidth(x.Label)+16)
		valueW = math.Max(valueW, textWidth(x.Text)+16)
	}
	labelW = math.Min(labelW, 300)
	width := labelW + barW + valueW
	height := top*2 + rowH*float64(max(len(bars), 1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title"><title id="%s-title">%s</title>`,
		id, width, height, id, id, svgText(title))
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="%.0f" y="%.0f">%s</text></svg>`, 10.0, top+rowH/2+4, svgText(empty))
		return template.HTML(b.String())
	}
	maxV := 0.0
	for _, x := range bars {
		maxV = math.Max(maxV, x.Value)
	}
	for i, x := range bars {
		y := top + float64(i)*rowH
		w := 0.0
		if maxV > 0 {
			w = barW * x.Value / maxV
		}
		fmt.Fprintf(&b, `<g class="bar" data-key="%s"><text class="label" x="%.0f" y="%.1f" text-anchor="end">%s</text>`,
			svgText(x.Key), labelW-8, y+rowH/2+4, svgText(x.Label))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			labelW, y+4, math.Max(w, 1), rowH-8, colour(i), svgText(x.Label), svgText(x.Text))
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%s</text></g>`, labelW+math.Max(w, 1)+6, y+rowH/2+4, svgText(x.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// series is one cluster's values over the months of a grouped bar chart.
type series struct {
	Name   string
	Values []float64
	Texts  []string
}

// groupedBars draws, per month, one vertical bar per series, with a legend.
func groupedBars(id, title string, months []string, ss []series, empty string) template.HTML {
	const left, top, plotH, legendH = 10.0, 10.0, 200.0, 20.0
	groupW := math.Max(70, float64(40+30*len(ss)))
	width := math.Max(520, left*2+groupW*float64(len(months)))
	height := top + plotH + 34 + legendH*float64(len(ss))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title"><title id="%s-title">%s</title>`,
		id, width, height, id, id, svgText(title))
	if len(months) == 0 || len(ss) == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="10" y="30">%s</text></svg>`, svgText(empty))
		return template.HTML(b.String())
	}
	maxV := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			maxV = math.Max(maxV, v)
		}
	}
	base := top + plotH
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#9aa5b1"/>`, left, base, width-left, base)
	barW := (groupW - 20) / float64(len(ss))
	for mi, m := range months {
		x0 := left + float64(mi)*groupW + 10
		fmt.Fprintf(&b, `<g class="month" data-month="%s">`, svgText(m))
		for si, s := range ss {
			v := s.Values[mi]
			h := 0.0
			if maxV > 0 {
				h = (plotH - 80) * v / maxV
			}
			x := x0 + float64(si)*barW
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
				x, base-h, barW-3, h, colour(si), svgText(s.Name), svgText(m), svgText(s.Texts[mi]))
			if v > 0 {
				// Written upwards from the top of the bar, so neighbours never overlap.
				tx, ty := x+(barW-3)/2+4, base-h-6
				fmt.Fprintf(&b, `<text class="value small" x="%.1f" y="%.1f" transform="rotate(-90 %.1f %.1f)">%s</text>`, tx, ty, tx, ty, svgText(s.Texts[mi]))
			}
		}
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.0f" text-anchor="middle">%s</text></g>`, x0+(groupW-20)/2, base+16, svgText(m))
	}
	for si, s := range ss {
		x := left
		y := base + 40 + float64(si)*legendH
		fmt.Fprintf(&b, `<g class="legend"><rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text class="label" x="%.0f" y="%.0f">%s</text></g>`,
			x, y-10, colour(si), x+18, y, svgText(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// cell is one cell of the heat map (both orders of a pair are drawn).
type cell struct {
	Count int
	Text  string // what the cell says, e.g. "1 · 250.000 €"
	Title string
}

// heatMap draws an n × n grid of the named clusters: a cell's opacity grows
// with its count; the diagonal is left blank.
func heatMap(id, title string, names []string, cells map[[2]int]cell, empty string) template.HTML {
	const cellW, cellH, top = 130.0, 44.0, 44.0
	labelW := 40.0
	for _, n := range names {
		labelW = math.Max(labelW, textWidth(n)+16)
	}
	labelW = math.Min(labelW, 260)
	n := len(names)
	width := labelW + cellW*float64(max(n, 1)) + 10
	height := top + cellH*float64(max(n, 1)) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title"><title id="%s-title">%s</title>`,
		id, width, height, id, id, svgText(title))
	if n == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="10" y="30">%s</text></svg>`, svgText(empty))
		return template.HTML(b.String())
	}
	maxC := 0
	for _, c := range cells {
		maxC = max(maxC, c.Count)
	}
	for j, name := range names {
		x := labelW + cellW*float64(j) + cellW/2
		lines := wrap(name, 20)
		fmt.Fprintf(&b, `<text class="label small" x="%.1f" y="%.0f" text-anchor="middle">`, x, top-8-14*float64(len(lines)-1))
		for i, l := range lines {
			dy := "0"
			if i > 0 {
				dy = "14"
			}
			fmt.Fprintf(&b, `<tspan x="%.1f" dy="%s">%s</tspan>`, x, dy, svgText(l))
		}
		b.WriteString(`</text>`)
	}
	for i, row := range names {
		y := top + cellH*float64(i)
		fmt.Fprintf(&b, `<text class="label small" x="%.0f" y="%.1f" text-anchor="end">%s</text>`, labelW-8, y+cellH/2+4, svgText(row))
		for j := range names {
			x := labelW + cellW*float64(j)
			c, ok := cells[[2]int{i, j}]
			switch {
			case i == j:
				fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#f3f4f6" stroke="#fff"/>`, x, y, cellW, cellH)
			case !ok || c.Count == 0:
				fmt.Fprintf(&b, `<rect class="cell" x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#2563a8" fill-opacity="0.04" stroke="#fff"/><text class="value small" x="%.1f" y="%.1f" text-anchor="middle">0</text>`,
					x, y, cellW, cellH, x+cellW/2, y+cellH/2+4)
			default:
				op := 0.15 + 0.45*float64(c.Count)/float64(maxC)
				fmt.Fprintf(&b, `<g class="cell pair" data-pair="%d-%d"><rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#2563a8" fill-opacity="%.2f" stroke="#fff"><title>%s</title></rect><text class="value small" x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
					i, j, x, y, cellW, cellH, op, svgText(c.Title), x+cellW/2, y+cellH/2+4, svgText(c.Text))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// textWidth estimates the width of a label at the charts' 12px font (the
// server has no font metrics; an average glyph is about 6.6px wide).
func textWidth(s string) float64 { return 6.6 * float64(len([]rune(s))) }

// wrap splits s at spaces into lines of at most n characters (a longer word
// stays whole).
func wrap(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= n:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
