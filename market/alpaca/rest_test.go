package alpaca

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
)

func TestAssetsThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	assets, err := b.prov.Assets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testData{}.Assets(context.Background())
	if len(assets) != len(want) {
		t.Fatalf("got %d assets, want %d: %+v", len(assets), len(want), assets)
	}
	bySymbol := map[string]market.Asset{}
	for _, a := range assets {
		bySymbol[a.Symbol] = a
	}
	for _, w := range want {
		g, ok := bySymbol[w.Symbol]
		if !ok {
			t.Errorf("%s missing", w.Symbol)
			continue
		}
		if g.ProviderID != w.ProviderID || g.Name != w.Name || g.Class != w.Class || g.Exchange != w.Exchange ||
			g.Active != w.Active || g.Tradable != w.Tradable || g.Marginable != w.Marginable ||
			g.Shortable != w.Shortable || g.EasyToBorrow != w.EasyToBorrow || g.Fractionable != w.Fractionable ||
			!g.MarginRequirement.Equal(w.MarginRequirement) || !g.MinOrderSize.Equal(w.MinOrderSize) ||
			!g.MinTradeIncrement.Equal(w.MinTradeIncrement) || !g.PriceIncrement.Equal(w.PriceIncrement) {
			t.Errorf("%s:\n got  %+v\n want %+v", w.Symbol, g, w)
		}
	}
}

func TestCalendarThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	ny, _ := time.LoadLocation("America/New_York")
	days, err := b.prov.Calendar(context.Background(),
		time.Date(2024, 11, 25, 0, 0, 0, 0, ny), time.Date(2024, 12, 6, 0, 0, 0, 0, ny))
	if err != nil {
		t.Fatal(err)
	}
	want := testCalendar()
	if len(days) != len(want) {
		t.Fatalf("got %d days, want %d: %+v", len(days), len(want), days)
	}
	for i, w := range want {
		g := days[i]
		if !g.Date.Equal(w.Date) || !g.Open.Equal(w.Open) || !g.Close.Equal(w.Close) ||
			!g.SessionOpen.Equal(w.SessionOpen) || !g.SessionClose.Equal(w.SessionClose) {
			t.Errorf("day %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}

func TestLatestQuotesSplitsStocksAndCrypto(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	got, err := b.prov.LatestQuotes(context.Background(), []string{"AAPL", "BTC/USD", "NOPE", "MSFT", "AAPL"})
	if err != nil {
		t.Fatal(err)
	}
	want := testQuotes()
	if len(got) != 3 {
		t.Fatalf("got %d quotes, want AAPL, MSFT and BTC/USD only: %+v", len(got), got)
	}
	for sym, q := range got {
		if !sameQuote(q, want[sym]) {
			t.Errorf("%s:\n got  %+v\n want %+v", sym, q, want[sym])
		}
	}
	if b.fake.Requests("/v2/stocks/quotes/latest") != 1 || b.fake.Requests("/v1beta3/crypto/us/latest/quotes") != 1 {
		t.Errorf("want one stock and one crypto request, got %d and %d",
			b.fake.Requests("/v2/stocks/quotes/latest"), b.fake.Requests("/v1beta3/crypto/us/latest/quotes"))
	}
}

func TestSnapshotsThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	got, err := b.prov.Snapshots(context.Background(), []string{"AAPL", "BTC/USD", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testData{}.Snapshots(context.Background(), []string{"AAPL", "BTC/USD"})
	if len(got) != 2 {
		t.Fatalf("got %d snapshots, want 2: %+v", len(got), got)
	}
	for sym, w := range want {
		g := got[sym]
		if g.Symbol != sym || !sameQuote(*g.LatestQuote, *w.LatestQuote) || !sameBar(*g.DailyBar, *w.DailyBar) {
			t.Errorf("%s:\n got  %+v\n want %+v", sym, g, w)
		}
		if (g.LatestTrade == nil) != (w.LatestTrade == nil) || (g.MinuteBar == nil) != (w.MinuteBar == nil) ||
			(g.PrevDailyBar == nil) != (w.PrevDailyBar == nil) {
			t.Errorf("%s: parts differ:\n got  %+v\n want %+v", sym, g, w)
		}
	}
	aapl, w := got["AAPL"], want["AAPL"]
	if !sameTrade(*aapl.LatestTrade, *w.LatestTrade) || !sameBar(*aapl.MinuteBar, *w.MinuteBar) ||
		!sameBar(*aapl.PrevDailyBar, *w.PrevDailyBar) {
		t.Errorf("AAPL:\n got  %+v\n want %+v", aapl, w)
	}
}

func TestBarsFollowPaginationToTheEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	start := time.Date(2024, 11, 26, 0, 0, 0, 0, time.UTC)
	end := start.Add(8 * 24 * time.Hour) // 11,520 minutes: two pages of at most 10,000
	bars, err := b.prov.Bars(context.Background(), market.BarsRequest{
		Symbol: "AAPL", Timeframe: market.Min1, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testData{}.Bars(context.Background(), market.BarsRequest{
		Symbol: "AAPL", Timeframe: market.Min1, Start: start, End: end})
	if len(bars) != len(want) || len(want) != 8*24*60 {
		t.Fatalf("got %d bars, want %d", len(bars), len(want))
	}
	for i := range want {
		if !sameBar(bars[i], want[i]) {
			t.Fatalf("bar %d:\n got  %+v\n want %+v", i, bars[i], want[i])
		}
	}
	if pages := b.fake.Requests("/v2/stocks/bars"); pages != 2 {
		t.Errorf("the fake served %d pages, want 2 full-size ones", pages)
	}
}

func TestCryptoDailyBars(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	start := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 10)
	bars, err := b.prov.Bars(context.Background(), market.BarsRequest{
		Symbol: "BTC/USD", Timeframe: market.Day1, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testData{}.Bars(context.Background(), market.BarsRequest{
		Symbol: "BTC/USD", Timeframe: market.Day1, Start: start, End: end})
	if len(bars) != 10 || len(want) != 10 {
		t.Fatalf("got %d bars, want 10 (end is exclusive)", len(bars))
	}
	for i := range want {
		if !sameBar(bars[i], want[i]) {
			t.Errorf("bar %d:\n got  %+v\n want %+v", i, bars[i], want[i])
		}
	}
	if b.fake.Requests("/v1beta3/crypto/us/bars") == 0 {
		t.Error("crypto bars did not use the crypto endpoint")
	}
}

func TestRESTRejectsWrongKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{KeyID: "PKWRONG", SecretKey: "nope"})
	if _, err := b.prov.LatestQuotes(context.Background(), []string{"AAPL"}); err == nil {
		t.Error("LatestQuotes with wrong keys: no error")
	}
	if _, err := b.prov.Assets(context.Background()); err == nil {
		t.Error("Assets with wrong keys: no error")
	}
}

func TestRESTHonoursContext(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	b.fake.SetLatency(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := b.prov.Bars(ctx, market.BarsRequest{Symbol: "AAPL", Timeframe: market.Day1,
		Start: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC)})
	if err == nil {
		t.Fatal("no error after the context ended")
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("the call took %s after its context ended at 100ms", took)
	}
}
