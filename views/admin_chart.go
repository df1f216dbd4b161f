package views

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Server-rendered SVG charts for the admin pages: no script, so they pass the strict CSP and
// render before anything loads. Geometry is computed here with decimals (money stays exact up to
// the drawing) in a fixed 300×100 box that the SVG stretches to its container; lines keep their
// width with vector-effect="non-scaling-stroke", and text lives outside the SVG so it is never
// stretched.

const (
	chartW = 300
	chartH = 100
)

// AdminChart is one chart, ready to draw.
type AdminChart struct {
	Label       string // what the chart shows, its accessible name
	Summary     string // the figures in words, for screen readers and under the chart
	Line        bool   // a line (equity); otherwise bars (counts per day)
	Bars        []AdminBar
	Points      string // a line's "x,y x,y …"
	Area        string // a line's area under it, closed along the bottom
	Top, Bottom string // the values at the top and bottom of the box
	First, Last string // the labels of the first and last point
	Empty       bool
}

// AdminBar is one bar of a bar chart; Title is shown on hover.
type AdminBar struct {
	X, Y, W, H string
	Title      string
}

var (
	chartWd = decimal.NewFromInt(chartW)
	chartHd = decimal.NewFromInt(chartH)
)

func coord(d decimal.Decimal) string { return d.Round(2).String() }

// NewBarChart draws counts per day: labels[i] names values[i] ("Dec 7"), titles[i] is its hover
// text. The scale starts at zero.
func NewBarChart(label string, labels []string, values []int64, titles []string, summary string) AdminChart {
	c := AdminChart{Label: label, Summary: summary, Empty: len(values) == 0}
	if c.Empty {
		return c
	}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	c.Top, c.Bottom = strconv.FormatInt(top, 10), "0"
	c.First, c.Last = labels[0], labels[len(labels)-1]
	slot := chartWd.Div(decimal.NewFromInt(int64(len(values))))
	gap := slot.Div(decimal.NewFromInt(5))
	scale := decimal.NewFromInt(max(top, 1))
	for i, v := range values {
		h := decimal.NewFromInt(v).Mul(chartHd).Div(scale)
		if v > 0 && h.LessThan(decimal.NewFromInt(1)) {
			h = decimal.NewFromInt(1) // a day with something is never invisible
		}
		c.Bars = append(c.Bars, AdminBar{X: coord(slot.Mul(decimal.NewFromInt(int64(i))).Add(gap.Div(decimal.NewFromInt(2)))),
			Y: coord(chartHd.Sub(h)), W: coord(slot.Sub(gap)), H: coord(h), Title: titles[i]})
	}
	return c
}

// NewLineChart draws values against times (Unix seconds, ascending); show formats a value for
// the axis, first and last label the ends. The scale spans the values' own range, padded a
// little, so a small change is visible.
func NewLineChart(label string, times []int64, values []decimal.Decimal, show func(decimal.Decimal) string, first, last, summary string) AdminChart {
	c := AdminChart{Label: label, Summary: summary, Line: true, Empty: len(values) < 2}
	if c.Empty {
		return c
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = decimal.Min(lo, v), decimal.Max(hi, v)
	}
	pad := hi.Sub(lo).Div(decimal.NewFromInt(10))
	if pad.IsZero() {
		pad = decimal.Max(hi.Abs().Div(decimal.NewFromInt(100)), decimal.NewFromInt(1))
	}
	lo, hi = lo.Sub(pad), hi.Add(pad)
	c.Top, c.Bottom, c.First, c.Last = show(hi), show(lo), first, last
	t0, span := times[0], times[len(times)-1]-times[0]
	var pts []string
	for i, v := range values {
		x := decimal.Zero
		if span > 0 {
			x = decimal.NewFromInt(times[i] - t0).Mul(chartWd).Div(decimal.NewFromInt(span))
		}
		y := chartHd.Sub(v.Sub(lo).Mul(chartHd).Div(hi.Sub(lo)))
		pts = append(pts, coord(x)+","+coord(y))
	}
	c.Points = strings.Join(pts, " ")
	c.Area = "0," + strconv.Itoa(chartH) + " " + c.Points + " " + strconv.Itoa(chartW) + "," + strconv.Itoa(chartH)
	return c
}
