package fees

import (
	"time"

	"github.com/shopspring/decimal"
)

// RegulatoryRate is the SEC and FINRA fee rates in force from a date on.
type RegulatoryRate struct {
	// From is midnight America/New_York of the first trade date the rates apply to.
	From time.Time
	// SECPerMillion is the Section 31 fee in dollars per million dollars of sale proceeds.
	SECPerMillion decimal.Decimal
	// TAFPerShare is FINRA's Trading Activity Fee in dollars per share sold.
	TAFPerShare decimal.Decimal
	// TAFMax caps the TAF per trade; zero means no cap.
	TAFMax decimal.Decimal
}

// SEC is the Section 31 fee on a sale with the given proceeds: rate × proceeds, rounded up to
// the cent (any fraction of a cent becomes a cent, as brokers pass it on). Signs are ignored.
func (r RegulatoryRate) SEC(proceeds decimal.Decimal) decimal.Decimal {
	return r.SECPerMillion.Mul(proceeds.Abs()).Shift(-6).RoundCeil(2)
}

// TAF is FINRA's Trading Activity Fee on a sale of qty shares: rate × qty rounded up to the
// cent, then capped at TAFMax. A fractional quantity is charged the same way (FINRA rounds up),
// so any sale pays at least a cent while the rate is non-zero. Signs are ignored.
func (r RegulatoryRate) TAF(qty decimal.Decimal) decimal.Decimal {
	fee := r.TAFPerShare.Mul(qty.Abs()).RoundCeil(2)
	if r.TAFMax.IsPositive() {
		fee = decimal.Min(fee, r.TAFMax)
	}
	return fee
}

// RegulatoryTable is a history of regulatory rates. Each entry carries both rates in force from
// its date, so when only one of them changes the new entry repeats the other. Entries may be in
// any order.
type RegulatoryTable []RegulatoryRate

// At returns the rates in force on date: the entry with the latest From not after date. From is
// midnight in New York, so comparing instants compares New York trade dates (a sale at 22:00 New
// York time on the eve of a change still pays the old rate, whatever zone date is in). A date
// before every entry gets the zero RegulatoryRate, which charges nothing.
func (t RegulatoryTable) At(date time.Time) RegulatoryRate {
	var best RegulatoryRate
	found := false
	for _, r := range t {
		if r.From.After(date) {
			continue
		}
		if !found || r.From.After(best.From) {
			best, found = r, true
		}
	}
	return best
}
