package sim

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// Exceptions to a listing's default flags. Most of the catalogue is tradable, marginable,
// shortable, easy to borrow and fractionable, as on Alpaca; these mark the few that are not, so
// the app's rules for them get exercised offline.
const (
	notFractionable = 1 << iota
	notShortable
	hardToBorrow
	notMarginable
	delisted
)

// listing is one line of the catalogue: what the asset is, plus the parameters of its simulated
// price. Prices and volatilities here are model inputs, not money: the prices quoted from them
// are rounded to the tick and turned into decimals.
type listing struct {
	symbol   string
	name     string
	exchange string
	price    float64 // reference price in dollars, which the path wanders around
	vol      float64 // typical daily move, percent
	adv      float64 // average daily volume: millions of shares, or coins for crypto
	flags    int
	margin   int64 // maintenance margin percent; 0 derives it from vol
}

// cryptoSpec is what a crypto pair adds: Alpaca's order-size and price steps, the size decimals
// of its quotes and prints, a typical quote size in coins and a spread in basis points.
type cryptoSpec struct {
	minOrder, minIncrement, priceIncrement string
	sizeExp                                int32
	quoteSize                              float64
	spreadBps                              float64
}

// equityListings is the simulated stock and ETF catalogue: well-known names with roughly
// their real exchange, price, volatility and volume (late 2025), plus delisted symbols that an
// asset sync must deactivate.
func equityListings() []listing {
	return []listing{
		// Mega caps and other large NASDAQ names.
		{"AAPL", "Apple Inc. Common Stock", "NASDAQ", 230, 1.6, 55, 0, 0},
		{"MSFT", "Microsoft Corporation Common Stock", "NASDAQ", 420, 1.4, 22, 0, 0},
		{"NVDA", "NVIDIA Corporation Common Stock", "NASDAQ", 180, 3.0, 220, 0, 0},
		{"AMZN", "Amazon.com, Inc. Common Stock", "NASDAQ", 220, 2.0, 45, 0, 0},
		{"GOOGL", "Alphabet Inc. Class A Common Stock", "NASDAQ", 250, 1.8, 35, 0, 0},
		{"GOOG", "Alphabet Inc. Class C Capital Stock", "NASDAQ", 251, 1.8, 22, 0, 0},
		{"META", "Meta Platforms, Inc. Class A Common Stock", "NASDAQ", 700, 2.2, 14, 0, 0},
		{"TSLA", "Tesla, Inc. Common Stock", "NASDAQ", 400, 3.8, 100, 0, 40},
		{"AVGO", "Broadcom Inc. Common Stock", "NASDAQ", 330, 2.6, 25, 0, 0},
		{"COST", "Costco Wholesale Corporation Common Stock", "NASDAQ", 920, 1.2, 2.2, 0, 0},
		{"NFLX", "Netflix, Inc. Common Stock", "NASDAQ", 1150, 2.2, 3.5, 0, 0},
		{"AMD", "Advanced Micro Devices, Inc. Common Stock", "NASDAQ", 160, 3.2, 45, 0, 0},
		{"ADBE", "Adobe Inc. Common Stock", "NASDAQ", 360, 2.0, 3.5, 0, 0},
		{"PEP", "PepsiCo, Inc. Common Stock", "NASDAQ", 145, 1.1, 6, 0, 0},
		{"CSCO", "Cisco Systems, Inc. Common Stock", "NASDAQ", 68, 1.3, 18, 0, 0},
		{"INTC", "Intel Corporation Common Stock", "NASDAQ", 35, 3.0, 80, 0, 0},
		{"QCOM", "QUALCOMM Incorporated Common Stock", "NASDAQ", 165, 2.0, 8, 0, 0},
		{"TXN", "Texas Instruments Incorporated Common Stock", "NASDAQ", 180, 1.7, 6, 0, 0},
		{"INTU", "Intuit Inc. Common Stock", "NASDAQ", 650, 1.8, 1.6, 0, 0},
		{"AMAT", "Applied Materials, Inc. Common Stock", "NASDAQ", 200, 2.6, 7, 0, 0},
		{"ISRG", "Intuitive Surgical, Inc. Common Stock", "NASDAQ", 480, 1.7, 1.8, 0, 0},
		{"BKNG", "Booking Holdings Inc. Common Stock", "NASDAQ", 5200, 1.6, 0.25, 0, 0},
		{"MU", "Micron Technology, Inc. Common Stock", "NASDAQ", 180, 3.2, 25, 0, 0},
		{"PYPL", "PayPal Holdings, Inc. Common Stock", "NASDAQ", 68, 2.2, 12, 0, 0},
		{"SBUX", "Starbucks Corporation Common Stock", "NASDAQ", 85, 1.8, 9, 0, 0},
		{"GILD", "Gilead Sciences, Inc. Common Stock", "NASDAQ", 120, 1.4, 8, 0, 0},
		{"AMGN", "Amgen Inc. Common Stock", "NASDAQ", 290, 1.4, 3, 0, 0},
		{"CMCSA", "Comcast Corporation Class A Common Stock", "NASDAQ", 30, 1.6, 25, 0, 0},
		{"ABNB", "Airbnb, Inc. Class A Common Stock", "NASDAQ", 125, 2.4, 5, 0, 0},
		{"ASML", "ASML Holding N.V. New York Registry Shares", "NASDAQ", 950, 2.4, 1.5, 0, 0},
		{"PDD", "PDD Holdings Inc. American Depositary Shares", "NASDAQ", 120, 3.0, 8, 0, 0},
		{"MELI", "MercadoLibre, Inc. Common Stock", "NASDAQ", 2100, 2.2, 0.4, 0, 0},
		{"LULU", "lululemon athletica inc. Common Stock", "NASDAQ", 170, 2.8, 4, 0, 0},
		{"CRWD", "CrowdStrike Holdings, Inc. Class A Common Stock", "NASDAQ", 480, 2.8, 3, 0, 0},
		{"DDOG", "Datadog, Inc. Class A Common Stock", "NASDAQ", 150, 3.0, 5, 0, 0},
		{"ZM", "Zoom Communications, Inc. Class A Common Stock", "NASDAQ", 80, 2.0, 3, 0, 0},
		{"SHOP", "Shopify Inc. Class A Subordinate Voting Shares", "NASDAQ", 150, 3.2, 10, 0, 0},
		{"SIRI", "Sirius XM Holdings Inc. Common Stock", "NASDAQ", 22, 2.2, 4, 0, 0},
		// Volatile NASDAQ names: higher margin, some hard to borrow.
		{"PLTR", "Palantir Technologies Inc. Class A Common Stock", "NASDAQ", 180, 4.2, 60, 0, 0},
		{"COIN", "Coinbase Global, Inc. Class A Common Stock", "NASDAQ", 320, 4.5, 10, 0, 0},
		{"MSTR", "Strategy Inc Class A Common Stock", "NASDAQ", 320, 5.0, 12, hardToBorrow, 0},
		{"HOOD", "Robinhood Markets, Inc. Class A Common Stock", "NASDAQ", 120, 4.5, 35, 0, 0},
		{"ARM", "Arm Holdings plc American Depositary Shares", "NASDAQ", 150, 4.0, 5, 0, 0},
		{"SMCI", "Super Micro Computer, Inc. Common Stock", "NASDAQ", 45, 5.5, 30, hardToBorrow, 0},
		{"MARA", "MARA Holdings, Inc. Common Stock", "NASDAQ", 17, 6.0, 40, hardToBorrow, 0},
		{"RIVN", "Rivian Automotive, Inc. Class A Common Stock", "NASDAQ", 14, 4.0, 35, 0, 0},
		{"LCID", "Lucid Group, Inc. Common Stock", "NASDAQ", 20, 4.5, 5, hardToBorrow, 0},
		{"MRNA", "Moderna, Inc. Common Stock", "NASDAQ", 27, 4.0, 10, 0, 0},
		// NYSE.
		{"BRK.B", "Berkshire Hathaway Inc. Class B Common Stock", "NYSE", 490, 1.0, 4, 0, 0},
		{"BRK.A", "Berkshire Hathaway Inc. Class A Common Stock", "NYSE", 735000, 1.0, 0.0003, notFractionable, 0},
		{"JPM", "JPMorgan Chase & Co. Common Stock", "NYSE", 300, 1.4, 9, 0, 0},
		{"V", "Visa Inc. Class A Common Stock", "NYSE", 340, 1.2, 7, 0, 0},
		{"MA", "Mastercard Incorporated Class A Common Stock", "NYSE", 570, 1.3, 3, 0, 0},
		{"UNH", "UnitedHealth Group Incorporated Common Stock", "NYSE", 330, 2.4, 12, 0, 0},
		{"JNJ", "Johnson & Johnson Common Stock", "NYSE", 190, 1.0, 8, 0, 0},
		{"LLY", "Eli Lilly and Company Common Stock", "NYSE", 800, 1.8, 4, 0, 0},
		{"ABBV", "AbbVie Inc. Common Stock", "NYSE", 220, 1.3, 6, 0, 0},
		{"MRK", "Merck & Co., Inc. Common Stock", "NYSE", 85, 1.4, 12, 0, 0},
		{"PFE", "Pfizer, Inc. Common Stock", "NYSE", 25, 1.5, 40, 0, 0},
		{"TMO", "Thermo Fisher Scientific Inc. Common Stock", "NYSE", 520, 1.5, 2, 0, 0},
		{"XOM", "Exxon Mobil Corporation Common Stock", "NYSE", 115, 1.4, 15, 0, 0},
		{"CVX", "Chevron Corporation Common Stock", "NYSE", 155, 1.4, 8, 0, 0},
		{"WMT", "Walmart Inc. Common Stock", "NYSE", 100, 1.2, 18, 0, 0},
		{"PG", "Procter & Gamble Company (The) Common Stock", "NYSE", 155, 1.0, 7, 0, 0},
		{"KO", "Coca-Cola Company (The) Common Stock", "NYSE", 70, 0.9, 14, 0, 0},
		{"HD", "Home Depot, Inc. (The) Common Stock", "NYSE", 380, 1.4, 4, 0, 0},
		{"MCD", "McDonald's Corporation Common Stock", "NYSE", 300, 1.0, 3.5, 0, 0},
		{"NKE", "Nike, Inc. Class B Common Stock", "NYSE", 70, 2.2, 12, 0, 0},
		{"DIS", "Walt Disney Company (The) Common Stock", "NYSE", 112, 1.6, 9, 0, 0},
		{"BAC", "Bank of America Corporation Common Stock", "NYSE", 50, 1.6, 38, 0, 0},
		{"WFC", "Wells Fargo & Company Common Stock", "NYSE", 82, 1.7, 16, 0, 0},
		{"C", "Citigroup, Inc. Common Stock", "NYSE", 98, 1.8, 15, 0, 0},
		{"GS", "Goldman Sachs Group, Inc. (The) Common Stock", "NYSE", 760, 1.8, 2.5, 0, 0},
		{"MS", "Morgan Stanley Common Stock", "NYSE", 150, 1.8, 7, 0, 0},
		{"ORCL", "Oracle Corporation Common Stock", "NYSE", 250, 3.0, 20, 0, 0},
		{"CRM", "Salesforce, Inc. Common Stock", "NYSE", 250, 2.0, 7, 0, 0},
		{"IBM", "International Business Machines Corporation Common Stock", "NYSE", 280, 1.6, 5, 0, 0},
		{"NOW", "ServiceNow, Inc. Common Stock", "NYSE", 900, 2.3, 1.3, 0, 0},
		{"BA", "Boeing Company (The) Common Stock", "NYSE", 215, 2.2, 9, 0, 0},
		{"CAT", "Caterpillar, Inc. Common Stock", "NYSE", 480, 1.8, 3, 0, 0},
		{"GE", "GE Aerospace Common Stock", "NYSE", 290, 1.8, 6, 0, 0},
		{"F", "Ford Motor Company Common Stock", "NYSE", 12, 2.0, 60, 0, 0},
		{"GM", "General Motors Company Common Stock", "NYSE", 65, 2.0, 9, 0, 0},
		{"T", "AT&T Inc. Common Stock", "NYSE", 26, 1.2, 35, 0, 0},
		{"VZ", "Verizon Communications Inc. Common Stock", "NYSE", 41, 1.1, 18, 0, 0},
		{"UBER", "Uber Technologies, Inc. Common Stock", "NYSE", 95, 2.5, 18, 0, 0},
		{"SNOW", "Snowflake Inc. Common Stock", "NYSE", 230, 3.2, 5, 0, 0},
		{"SPOT", "Spotify Technology S.A. Ordinary Shares", "NYSE", 650, 2.6, 2, 0, 0},
		{"XYZ", "Block, Inc. Class A Common Stock", "NYSE", 70, 3.0, 8, 0, 0},
		{"TSM", "Taiwan Semiconductor Manufacturing Company Ltd. American Depositary Shares", "NYSE", 290, 2.2, 12, 0, 0},
		{"BABA", "Alibaba Group Holding Limited American Depositary Shares", "NYSE", 160, 3.0, 15, 0, 0},
		{"NIO", "NIO Inc. American Depositary Shares", "NYSE", 6, 4.5, 45, notFractionable, 0},
		{"GME", "GameStop Corporation Class A Common Stock", "NYSE", 24, 4.0, 8, hardToBorrow, 100},
		{"AMC", "AMC Entertainment Holdings, Inc. Class A Common Stock", "NYSE", 3, 5.0, 15, notFractionable | hardToBorrow, 100},
		// NYSE American and Cboe BZX.
		{"UEC", "Uranium Energy Corp. Common Stock", "AMEX", 12, 4.5, 10, 0, 0},
		{"BTG", "B2Gold Corp Common Shares", "AMEX", 4, 3.0, 25, notFractionable, 0},
		{"CBOE", "Cboe Global Markets, Inc. Common Stock", "BATS", 240, 1.1, 1, 0, 0},
		// ETFs.
		{"SPY", "SPDR S&P 500 ETF Trust", "ARCA", 660, 0.9, 70, 0, 0},
		{"VOO", "Vanguard S&P 500 ETF", "ARCA", 610, 0.9, 6, 0, 0},
		{"VTI", "Vanguard Total Stock Market ETF", "ARCA", 325, 0.9, 4, 0, 0},
		{"QQQ", "Invesco QQQ Trust, Series 1", "NASDAQ", 590, 1.2, 40, 0, 0},
		{"IWM", "iShares Russell 2000 ETF", "ARCA", 240, 1.4, 30, 0, 0},
		{"DIA", "SPDR Dow Jones Industrial Average ETF Trust", "ARCA", 460, 0.9, 3, 0, 0},
		{"GLD", "SPDR Gold Shares", "ARCA", 380, 1.0, 8, 0, 0},
		{"SLV", "iShares Silver Trust", "ARCA", 42, 2.0, 25, 0, 0},
		{"TLT", "iShares 20+ Year Treasury Bond ETF", "NASDAQ", 90, 0.8, 35, 0, 0},
		{"BND", "Vanguard Total Bond Market ETF", "NASDAQ", 74, 0.3, 6, 0, 0},
		{"HYG", "iShares iBoxx $ High Yield Corporate Bond ETF", "ARCA", 80, 0.3, 35, 0, 0},
		{"LQD", "iShares iBoxx $ Investment Grade Corporate Bond ETF", "ARCA", 110, 0.4, 20, 0, 0},
		{"XLF", "Financial Select Sector SPDR Fund", "ARCA", 52, 1.2, 40, 0, 0},
		{"XLK", "Technology Select Sector SPDR Fund", "ARCA", 280, 1.5, 7, 0, 0},
		{"XLE", "Energy Select Sector SPDR Fund", "ARCA", 90, 1.4, 15, 0, 0},
		{"XLV", "Health Care Select Sector SPDR Fund", "ARCA", 140, 1.0, 8, 0, 0},
		{"XLY", "Consumer Discretionary Select Sector SPDR Fund", "ARCA", 230, 1.4, 4, 0, 0},
		{"XLI", "Industrial Select Sector SPDR Fund", "ARCA", 150, 1.1, 8, 0, 0},
		{"XLU", "Utilities Select Sector SPDR Fund", "ARCA", 85, 1.0, 10, 0, 0},
		{"SMH", "VanEck Semiconductor ETF", "NASDAQ", 300, 2.2, 7, 0, 0},
		{"EEM", "iShares MSCI Emerging Markets ETF", "ARCA", 52, 1.1, 25, 0, 0},
		{"EFA", "iShares MSCI EAFE ETF", "ARCA", 92, 0.9, 15, 0, 0},
		{"VNQ", "Vanguard Real Estate ETF", "ARCA", 90, 1.2, 4, 0, 0},
		{"GDX", "VanEck Gold Miners ETF", "ARCA", 70, 2.2, 20, 0, 0},
		{"KRE", "SPDR S&P Regional Banking ETF", "ARCA", 60, 1.8, 12, 0, 0},
		{"USO", "United States Oil Fund, LP", "ARCA", 75, 2.2, 5, 0, 0},
		{"SCHD", "Schwab U.S. Dividend Equity ETF", "ARCA", 27, 0.8, 15, 0, 0},
		{"JEPI", "JPMorgan Equity Premium Income ETF", "ARCA", 57, 0.6, 4, 0, 0},
		{"IBIT", "iShares Bitcoin Trust ETF", "NASDAQ", 62, 3.0, 45, 0, 0},
		{"ARKK", "ARK Innovation ETF", "BATS", 75, 3.0, 10, 0, 0},
		// Leveraged and volatility products: the strictest margin and borrow.
		{"TQQQ", "ProShares UltraPro QQQ", "NASDAQ", 100, 3.6, 60, 0, 75},
		{"SQQQ", "ProShares UltraPro Short QQQ", "NASDAQ", 15, 3.6, 90, notShortable, 75},
		{"SOXL", "Direxion Daily Semiconductor Bull 3X Shares", "ARCA", 30, 6.5, 80, notFractionable, 100},
		{"UVXY", "ProShares Ultra VIX Short-Term Futures ETF", "BATS", 12, 6.0, 30, notShortable | notFractionable, 100},
		// Delisted: present so an asset sync sees them go inactive.
		{"TWTR", "Twitter, Inc. Common Stock", "NYSE", 0, 0, 0, delisted, 0},
		{"ATVI", "Activision Blizzard, Inc. Common Stock", "NASDAQ", 0, 0, 0, delisted, 0},
		{"SIVB", "SVB Financial Group Common Stock", "NASDAQ", 0, 0, 0, delisted, 0},
	}
}

// cryptoListing is a crypto pair's line of the catalogue.
type cryptoListing struct {
	listing
	cryptoSpec
}

// cryptoListings is the simulated crypto catalogue, with Alpaca-like order steps.
func cryptoListings() []cryptoListing {
	return []cryptoListing{
		{listing{"BTC/USD", "Bitcoin / US Dollar", "CRYPTO", 110000, 2.8, 400, 0, 0},
			cryptoSpec{"0.0001", "0.000000001", "1", -5, 0.6, 2}},
		{listing{"ETH/USD", "Ethereum / US Dollar", "CRYPTO", 4000, 3.5, 6000, 0, 0},
			cryptoSpec{"0.001", "0.000000001", "0.1", -4, 8, 3}},
		{listing{"SOL/USD", "Solana / US Dollar", "CRYPTO", 190, 4.5, 90000, 0, 0},
			cryptoSpec{"0.01", "0.000000001", "0.01", -3, 150, 6}},
		{listing{"LTC/USD", "Litecoin / US Dollar", "CRYPTO", 100, 4.0, 30000, 0, 0},
			cryptoSpec{"0.01", "0.000000001", "0.005", -3, 200, 10}},
		{listing{"DOGE/USD", "Dogecoin / US Dollar", "CRYPTO", 0.22, 5.0, 60000000, 0, 0},
			cryptoSpec{"1", "0.000000001", "0.00001", 0, 100000, 10}},
		{listing{"AVAX/USD", "Avalanche / US Dollar", "CRYPTO", 25, 5.0, 150000, 0, 0},
			cryptoSpec{"0.1", "0.000000001", "0.005", -2, 400, 12}},
	}
}

// marginFor is the maintenance margin Alpaca tends to ask of a stock that moves vol percent a
// day: 30% for ordinary names, more for the wild ones.
func marginFor(vol float64) int64 {
	switch {
	case vol >= 5:
		return 75
	case vol >= 4:
		return 50
	case vol >= 3.5:
		return 40
	default:
		return 30
	}
}

// providerID is a stable UUID per symbol (independent of the seed), so an asset sync keyed on it
// sees the same asset on every run.
func providerID(symbol string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("alpacawrapper-sim:"+symbol)).String()
}

// catalogue builds the instruments from the listings.
func catalogue() []*instrument {
	var out []*instrument
	for _, l := range equityListings() {
		margin := l.margin
		if margin == 0 {
			margin = marginFor(l.vol)
		}
		active := l.flags&delisted == 0
		out = append(out, &instrument{
			asset: market.Asset{
				ProviderID:        providerID(l.symbol),
				Symbol:            l.symbol,
				Name:              l.name,
				Class:             market.USEquity,
				Exchange:          l.exchange,
				Active:            active,
				Tradable:          active,
				Marginable:        active && l.flags&notMarginable == 0,
				Shortable:         active && l.flags&notShortable == 0,
				EasyToBorrow:      active && l.flags&(notShortable|hardToBorrow) == 0,
				Fractionable:      active && l.flags&notFractionable == 0,
				MarginRequirement: decimal.NewFromInt(margin),
			},
			ref:      l.price,
			dailyVol: l.vol / 100,
			adv:      l.adv * 1e6,
		})
	}
	for _, c := range cryptoListings() {
		inc := decimal.RequireFromString(c.priceIncrement)
		out = append(out, &instrument{
			asset: market.Asset{
				ProviderID:        providerID(c.symbol),
				Symbol:            c.symbol,
				Name:              c.name,
				Class:             market.Crypto,
				Exchange:          c.exchange,
				Active:            true,
				Tradable:          true,
				Fractionable:      true,
				MarginRequirement: decimal.NewFromInt(100),
				MinOrderSize:      decimal.RequireFromString(c.minOrder),
				MinTradeIncrement: decimal.RequireFromString(c.minIncrement),
				PriceIncrement:    inc,
			},
			ref:       c.price,
			dailyVol:  c.vol / 100,
			adv:       c.adv,
			sizeExp:   c.sizeExp,
			quoteSize: c.quoteSize,
			spreadBps: c.spreadBps,
			priceExp:  inc.Exponent(),
			priceStep: inc.Coefficient().Int64(),
		})
	}
	for _, in := range out {
		in.init()
	}
	return out
}
