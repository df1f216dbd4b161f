package fees

import (
	"fmt"
	"time"
	_ "time/tzdata" // trade dates are New York dates whatever zoneinfo the machine ships

	"github.com/shopspring/decimal"
)

// DefaultRegulatoryTable is the known history of the SEC Section 31 fee and FINRA's Trading
// Activity Fee on stock sales, from 2023-02-27 on (earlier sales pay nothing).
//
// OPERATORS: this is the one place to update when the SEC or FINRA announce a new rate. Add an
// entry dated the first trade date of the new rate, repeating the rate that did not change.
//
//   - SEC Section 31 (dollars per million of sale proceeds). The SEC sets it each fiscal year
//     once its appropriation is enacted, and sometimes mid-year [sec.gov "Section 31
//     Transaction Fees"]:
//     $8.00 from 2023-02-27 (FY2023; it stayed in force until 2024-05-21);
//     $27.80 from 2024-05-22 (FY2024 order, Release 34-99973, 89 FR 29402);
//     $0.00 from 2025-05-14 (FY2025 order, Release 34-102779: the year's collections were met);
//     $20.60 from 2026-04-04 (FY2026 order, Release 34-104909 of 2026-02-27, published
//     2026-03-04 as 91 FR 10643; the rate is taken from several public fee tables citing the
//     SEC's FY2026 fee-rate advisory, as the stored Federal Register excerpt did not show it).
//     FY2027 began 2026-10-01; the FY2026 rate stays in force until the SEC orders a new one.
//   - FINRA TAF (dollars per share sold, maximum per trade), Schedule A to the FINRA By-Laws,
//     raised each 1 January under FINRA's multi-year fee plans (SR-FINRA-2020-032 for
//     2022–2024, SR-FINRA-2024-019 for 2026–2029):
//     $0.000145, max $7.27 in 2023; $0.000166, max $8.30 from 2024-01-01 (brokers' fee pages of
//     early 2024 list it beside the $8.00 SEC rate, which ended 2024-05-21); unchanged in 2025;
//     $0.000195, max $9.79 from 2026-01-01 (SR-FINRA-2024-019's schedule, as public fee tables
//     report it). The same schedule is reported to raise it to $0.000232, max $11.61, on
//     2027-01-01: add that entry once FINRA's notice confirms it.
func DefaultRegulatoryTable() RegulatoryTable {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		// time/tzdata is linked in, so this is a build defect rather than a runtime condition.
		panic(fmt.Sprintf("fees: load America/New_York: %v", err))
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ny) }
	usd := decimal.RequireFromString
	return RegulatoryTable{
		{From: day(2023, time.February, 27), SECPerMillion: usd("8.00"), TAFPerShare: usd("0.000145"), TAFMax: usd("7.27")},
		{From: day(2024, time.January, 1), SECPerMillion: usd("8.00"), TAFPerShare: usd("0.000166"), TAFMax: usd("8.30")},
		{From: day(2024, time.May, 22), SECPerMillion: usd("27.80"), TAFPerShare: usd("0.000166"), TAFMax: usd("8.30")},
		{From: day(2025, time.May, 14), SECPerMillion: usd("0.00"), TAFPerShare: usd("0.000166"), TAFMax: usd("8.30")},
		{From: day(2026, time.January, 1), SECPerMillion: usd("0.00"), TAFPerShare: usd("0.000195"), TAFMax: usd("9.79")},
		{From: day(2026, time.April, 4), SECPerMillion: usd("20.60"), TAFPerShare: usd("0.000195"), TAFMax: usd("9.79")},
	}
}
