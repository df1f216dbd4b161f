package alpacafake_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// testProvider is a small deterministic market: a few assets, a 2024 calendar with holidays and
// early closes, minute bars every regular-session minute for stocks and every minute for crypto,
// and quotes that move a cent on every LatestQuotes call (so auto-publishing has news to send).
type testProvider struct {
	mu         sync.Mutex
	quoteCalls int
	barsCalls  int
}

var _ market.Provider = (*testProvider)(nil)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func (*testProvider) Name() string { return "test" }

func (*testProvider) Stream() market.Stream { return nil }

func (*testProvider) Assets(context.Context) ([]market.Asset, error) {
	return []market.Asset{
		{Symbol: "AAPL", Name: "Apple Inc.", Class: market.USEquity, Exchange: "NASDAQ", Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true, MarginRequirement: d("30")},
		{Symbol: "MSFT", Name: "Microsoft Corporation", Class: market.USEquity, Exchange: "NASDAQ", Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true, MarginRequirement: d("30")},
		{Symbol: "SPY", Name: "SPDR S&P 500 ETF Trust", Class: market.USEquity, Exchange: "ARCA", Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true, MarginRequirement: d("30")},
		{Symbol: "OLDCO", Name: "Old Company", Class: market.USEquity, Exchange: "NYSE", Active: false, MarginRequirement: d("100")},
		{ProviderID: "276e2673-764b-4ab6-a611-caf665ca6340", Symbol: "BTC/USD", Name: "Bitcoin / US Dollar", Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true, MarginRequirement: d("100"), MinOrderSize: d("0.000018777"), MinTradeIncrement: d("0.000000001"), PriceIncrement: d("1")},
		{Symbol: "ETH/USD", Name: "Ethereum / US Dollar", Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true, MarginRequirement: d("100"), MinOrderSize: d("0.001"), MinTradeIncrement: d("0.000000001"), PriceIncrement: d("0.1")},
	}, nil
}

var (
	holidays    = []string{"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"}
	earlyCloses = []string{"2024-07-03", "2024-11-29", "2024-12-24"}
)

func (*testProvider) Calendar(_ context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	ny := alpacawire.NewYork()
	var out []market.CalendarDay
	first := start.In(ny)
	day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, ny)
	last := end.In(ny)
	for ; !day.After(last); day = day.AddDate(0, 0, 1) {
		date := day.Format(time.DateOnly)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || slices.Contains(holidays, date) {
			continue
		}
		at := func(h, m int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, ny).UTC() }
		cd := market.CalendarDay{Date: day, Open: at(9, 30), Close: at(16, 0), SessionOpen: at(4, 0), SessionClose: at(20, 0)}
		if slices.Contains(earlyCloses, date) {
			cd.Close, cd.SessionClose = at(13, 0), at(17, 0)
		}
		out = append(out, cd)
	}
	return out, nil
}

// minuteBar is the deterministic bar of a symbol at a minute: the price walks with the minute.
func minuteBar(symbol string, start time.Time) market.Bar {
	n := start.Unix() / 60
	base := d("100")
	if market.ClassOf(symbol) == market.Crypto {
		base = d("64000")
	}
	p := base.Add(decimal.New(n%997, -2)) // cents
	vol := decimal.NewFromInt(100 + n%50)
	if market.ClassOf(symbol) == market.Crypto {
		vol = decimal.New(1000+n%50, -4) // fractional coins
	}
	return market.Bar{Symbol: symbol, Start: start.UTC(), Open: p, High: p.Add(d("0.05")), Low: p.Sub(d("0.05")), Close: p.Add(d("0.01")), Volume: vol, TradeCount: 10, VWAP: p}
}

func (p *testProvider) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	p.mu.Lock()
	p.barsCalls++
	p.mu.Unlock()
	crypto := market.ClassOf(req.Symbol) == market.Crypto
	in := func(t time.Time) bool { return !t.Before(req.Start) && t.Before(req.End) }
	var out []market.Bar
	switch req.Timeframe {
	case market.Min1:
		if crypto {
			for t := req.Start.Truncate(time.Minute); t.Before(req.End); t = t.Add(time.Minute) {
				if in(t) {
					out = append(out, minuteBar(req.Symbol, t))
				}
			}
			return out, nil
		}
		days, _ := p.Calendar(ctx, req.Start.Add(-24*time.Hour), req.End)
		for _, day := range days {
			for t := day.Open; t.Before(day.Close); t = t.Add(time.Minute) {
				if in(t) {
					out = append(out, minuteBar(req.Symbol, t))
				}
			}
		}
		return out, nil
	case market.Day1:
		if crypto {
			for t := time.Date(req.Start.Year(), req.Start.Month(), req.Start.Day(), 0, 0, 0, 0, time.UTC); t.Before(req.End); t = t.AddDate(0, 0, 1) {
				if in(t) {
					out = append(out, minuteBar(req.Symbol, t))
				}
			}
			return out, nil
		}
		days, _ := p.Calendar(ctx, req.Start.Add(-24*time.Hour), req.End)
		// Stamped at the open, as the app's own providers stamp a daily candle: the fake moves
		// the stamp to midnight New York time on the wire, as Alpaca's is.
		for _, day := range days {
			if in(day.Open) {
				out = append(out, minuteBar(req.Symbol, day.Open))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("test provider: timeframe %s not served", req.Timeframe)
}

// known are the symbols with market data.
func known(sym string) bool {
	return slices.Contains([]string{"AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD"}, sym)
}

var quoteTime = time.Date(2024, 4, 9, 14, 30, 0, 123000000, time.UTC)

// quoteOf is the deterministic quote of a symbol after n LatestQuotes calls.
func quoteOf(sym string, n int) market.Quote {
	step := decimal.New(int64(n), -2)
	switch sym {
	case "BTC/USD", "ETH/USD":
		return market.Quote{Symbol: sym, BidPrice: d("64123.45").Add(step), BidSize: d("0.12345678"), AskPrice: d("64125.5").Add(step), AskSize: d("1.5"), Time: quoteTime.Add(time.Duration(n) * time.Second)}
	default:
		return market.Quote{Symbol: sym, BidPrice: d("187.23").Add(step), BidSize: d("300"), AskPrice: d("187.25").Add(step), AskSize: d("200"), BidExchange: "V", AskExchange: "V", Time: quoteTime.Add(time.Duration(n) * time.Second)}
	}
}

func (p *testProvider) LatestQuotes(_ context.Context, symbols []string) (map[string]market.Quote, error) {
	p.mu.Lock()
	n := p.quoteCalls
	p.quoteCalls++
	p.mu.Unlock()
	out := map[string]market.Quote{}
	for _, sym := range symbols {
		if known(sym) {
			out[sym] = quoteOf(sym, n)
		}
	}
	return out, nil
}

func (p *testProvider) Snapshots(_ context.Context, symbols []string) (map[string]market.Snapshot, error) {
	out := map[string]market.Snapshot{}
	for _, sym := range symbols {
		if !known(sym) {
			continue
		}
		q := quoteOf(sym, 0)
		size := d("25")
		if market.ClassOf(sym) == market.Crypto {
			size = d("0.0042")
		}
		t := market.Trade{Symbol: sym, ID: 4242, Price: q.BidPrice.Add(d("0.01")), Size: size, Exchange: "V", Time: q.Time}
		if market.ClassOf(sym) == market.Crypto {
			t.Exchange = ""
		}
		minute := minuteBar(sym, q.Time.Truncate(time.Minute))
		daily := minuteBar(sym, time.Date(2024, 4, 9, 4, 0, 0, 0, time.UTC))
		prev := minuteBar(sym, time.Date(2024, 4, 8, 4, 0, 0, 0, time.UTC))
		out[sym] = market.Snapshot{Symbol: sym, LatestTrade: &t, LatestQuote: &q, MinuteBar: &minute, DailyBar: &daily, PrevDailyBar: &prev}
	}
	return out, nil
}

// errProvider fails every call, for the server's internal-error path.
type errProvider struct{ *testProvider }

func (errProvider) Assets(context.Context) ([]market.Asset, error) {
	return nil, errors.New("provider down")
}

// tapeSeconds are the whole seconds of [req.Start, req.End) in the order asked, at most req.Limit:
// the test tape has a quote and a print every second, around the clock.
func tapeSeconds(req market.TicksRequest) []time.Time {
	first := req.Start.UTC().Truncate(time.Second)
	if first.Before(req.Start) {
		first = first.Add(time.Second)
	}
	last := req.End.UTC().Add(-time.Nanosecond).Truncate(time.Second)
	var out []time.Time
	for i := 0; len(out) < req.Limit; i++ {
		t := first.Add(time.Duration(i) * time.Second)
		if req.Desc {
			t = last.Add(-time.Duration(i) * time.Second)
		}
		if t.Before(first) || t.After(last) {
			break
		}
		out = append(out, t)
	}
	return out
}

func (*testProvider) Trades(_ context.Context, req market.TicksRequest) ([]market.Trade, error) {
	if !known(req.Symbol) {
		return nil, nil
	}
	var out []market.Trade
	for _, t := range tapeSeconds(req) {
		p := d("100").Add(decimal.New(t.Unix()%1000, -2))
		out = append(out, market.Trade{Symbol: req.Symbol, ID: t.Unix(), Price: p, Size: d("10"), Exchange: "V", Time: t})
	}
	return out, nil
}

func (*testProvider) Quotes(_ context.Context, req market.TicksRequest) ([]market.Quote, error) {
	if !known(req.Symbol) {
		return nil, nil
	}
	var out []market.Quote
	for _, t := range tapeSeconds(req) {
		p := d("100").Add(decimal.New(t.Unix()%1000, -2))
		out = append(out, market.Quote{Symbol: req.Symbol, BidPrice: p, AskPrice: p.Add(d("0.01")), BidSize: d("100"), AskSize: d("200"), Time: t})
	}
	return out, nil
}
