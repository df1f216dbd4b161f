package views

import "github.com/shopspring/decimal"

// ScaleOf places bid, mid, ask and a fill's price on the receipt's price line, in percent of its
// width, with a margin either side so that a fill beyond the quote still shows.
func ScaleOf(bid, mid, ask, price decimal.Decimal) PriceScale {
	lo, hi := decimal.Min(bid, price), decimal.Max(ask, price)
	span := hi.Sub(lo)
	if !span.IsPositive() {
		span = decimal.Max(price.Abs().Shift(-3), decimal.New(1, -2)) // a locked quote: any small width
	}
	pad := span.Mul(decimal.New(2, -1))
	start, width := lo.Sub(pad), span.Add(pad.Add(pad))
	at := func(x decimal.Decimal) decimal.Decimal { return x.Sub(start).Shift(2).DivRound(width, 2) }
	fillX, midX, bidX, askX := at(price), at(mid), at(bid), at(ask)
	ps := PriceScale{BidX: bidX.String(), MidX: midX.String(), AskX: askX.String(), FillX: fillX.String(),
		SpreadWidth: askX.Sub(bidX).String(), Squeezed: askX.Sub(bidX).LessThan(decimal.NewFromInt(30)), FillAnchor: "middle",
		MidLabel: fillX.Sub(midX).Abs().GreaterThan(decimal.NewFromInt(16))}
	switch {
	case fillX.LessThan(decimal.NewFromInt(20)):
		ps.FillAnchor = "start"
	case fillX.GreaterThan(decimal.NewFromInt(80)):
		ps.FillAnchor = "end"
	}
	return ps
}
