package views

// HowFillsView is what the "How orders fill" page shows besides its fixed text: the realism
// presets, read from the fill model so that the page can never disagree with it.
type HowFillsView struct {
	Presets []FillPresetRow
}

// FillPresetRow is one realism preset as the page's table shows it.
type FillPresetRow struct {
	Name        string // "Easy"
	Limits      string // "On a touch" or "Only when traded through"
	Size        string // "Ignored: the whole order fills" or "Capped at the displayed size"
	MaxQuoteAge string // "5 minutes"
}

// fillComparison is one line of the page's comparison with Alpaca's paper trading.
type fillComparison struct {
	Topic, Here, Alpaca string
	Same                bool
}

// fillComparisons is the page's comparison table, rule by rule.
func fillComparisons() []fillComparison {
	return []fillComparison{
		{"Prices", "Buys at the ask, sells at the bid (the best quote across exchanges).", "The same (the NBBO).", true},
		{"A limit that can fill on arrival", "Fills at the quote, so you may get a better price than your limit.", "The same.", true},
		{"A resting limit", "Fills at its limit when the quote reaches it (easy and realistic), or goes through it (harsh).", "Fills once the quote reaches it; the price it then fills at is not documented.", true},
		{"A gap at the open", "Every order meets the session's first quote as a new order: a buy limit at 100 on a 95 opening ask fills at 95.", "Not documented.", false},
		{"Quote size", "Ignored in easy; in realistic and harsh a fill is capped at the displayed size, shared by the orders in line.", "Quote size is not checked.", false},
		{"Random partial fills", "Never: the same quote always gives the same fill, and each fill has a receipt.", "10% of eligible orders get a random-size partial fill.", false},
		{"Stale or odd quotes", "Nothing fills on a missing, one-sided, crossed or stale quote, or, for regular-hours orders, on a quote from before the open.", "Not documented.", false},
		{"Buy stops", "Become stop-limits 4% (stop under $50) or 2.5% above the stop; replacing the stop recomputes that limit.", "The same.", true},
		{"Trailing stops", "Move and trigger only on usable quotes in regular hours; changing the trail keeps the high-water mark.", "Never trigger outside regular hours; the trail can be changed, but what happens to the high-water mark is not documented.", false},
		{"Good-till-canceled", "Expires 90 days after it was placed.", "The same.", true},
		{"Bracket stop-loss while its take-profit works", "Shown as new: it is working and may fill.", "Shown as held.", false},
		{"Bracket entry partly filled, then canceled", "The exits are canceled with it; the shares you bought have no exits.", "The same: exits only start once the entry has filled completely.", true},
		{"Notional sells", "Never sell more than you hold (a long sale).", "The same.", true},
		{"Fees", "A commission schedule of your choice; SEC and FINRA fees on stock sales, rounded up and capped per order.", "No fees are simulated.", false},
		{"Cash", "Rounded to the cent, against you; realised profit and loss always matches the cash to the cent.", "Not documented.", false},
	}
}
