package app

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"
)

// TestAlpacaBotsDayThroughTheGoSDK drives the official Go SDK's trading client through a bot's
// whole day against the app: every trading call the SDK has for the endpoints the app serves.
func TestAlpacaBotsDayThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	cl := b.client(b.aliceKey)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Morning: the clock, the calendar, the account and its settings, the catalogue.
	clock, err := cl.GetClock()
	must(err)
	if !clock.IsOpen || clock.NextClose.IsZero() {
		t.Fatalf("clock = %+v, want open (the simulated market is always open)", clock)
	}
	today := clock.Timestamp
	cal, err := cl.GetCalendar(alpaca.GetCalendarRequest{Start: today.AddDate(0, 0, -10), End: today.AddDate(0, 0, 10)})
	must(err)
	if len(cal) < 5 || len(cal[0].Date) != 10 || cal[0].Open == "" {
		t.Fatalf("calendar = %+v", cal)
	}
	acct, err := cl.GetAccount()
	must(err)
	if !acct.Equity.Equal(decimal.NewFromInt(100000)) || acct.ShortingEnabled != true {
		t.Fatalf("account = equity %s shorting %v", acct.Equity, acct.ShortingEnabled)
	}
	cfg, err := cl.GetAccountConfigurations()
	must(err)
	if cfg.NoShorting {
		t.Fatal("configurations say no_shorting on a margin account with shorting")
	}
	cfg, err = cl.UpdateAccountConfigurations(alpaca.UpdateAccountConfigurationsRequest{NoShorting: true})
	must(err)
	if !cfg.NoShorting {
		t.Fatal("no_shorting did not stick")
	}
	if acct, _ := cl.GetAccount(); acct.ShortingEnabled {
		t.Fatal("the account still shorts after no_shorting")
	}
	_, err = cl.UpdateAccountConfigurations(alpaca.UpdateAccountConfigurationsRequest{NoShorting: false})
	must(err)
	assets, err := cl.GetAssets(alpaca.GetAssetsRequest{Status: "active", AssetClass: "us_equity"})
	must(err)
	if len(assets) < 10 || assets[0].Class != alpaca.USEquity {
		t.Fatalf("assets = %d", len(assets))
	}
	aapl, err := cl.GetAsset("AAPL")
	must(err)
	byID, err := cl.GetAsset(aapl.ID)
	must(err)
	if byID.Symbol != "AAPL" || !aapl.Tradable {
		t.Fatalf("asset by id = %+v", byID)
	}
	btc, err := cl.GetAsset("BTCUSD")
	must(err)
	if btc.Symbol != "BTC/USD" || btc.Class != alpaca.Crypto {
		t.Fatalf("BTCUSD = %+v", btc)
	}

	// Trading: market, limit, stop, trailing stop, bracket.
	buy := func(r alpaca.PlaceOrderRequest) *alpaca.Order {
		t.Helper()
		o, err := cl.PlaceOrder(r)
		must(err)
		b.clock.Advance(time.Millisecond) // distinct creation times, as a bot's orders have
		return o
	}
	mkt := buy(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("10"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day})
	if mkt.Status != "filled" {
		t.Fatalf("market buy = %s", mkt.Status)
	}
	buy(alpaca.PlaceOrderRequest{Symbol: "MSFT", Qty: dec("3"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC})
	limit := buy(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: dec("100.00"), TimeInForce: alpaca.GTC, ClientOrderID: "dip-buyer"})
	stop := buy(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("2"), Side: alpaca.Sell, Type: alpaca.Stop,
		StopPrice: dec("150.00"), TimeInForce: alpaca.GTC})
	trail := buy(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("2"), Side: alpaca.Sell, Type: alpaca.TrailingStop,
		TrailPercent: dec("5"), TimeInForce: alpaca.GTC})
	bracket := buy(alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: dec("300.00"), TimeInForce: alpaca.GTC, OrderClass: alpaca.Bracket,
		TakeProfit: &alpaca.TakeProfit{LimitPrice: dec("900.00")}, StopLoss: &alpaca.StopLoss{StopPrice: dec("250.00")}})
	for _, o := range []*alpaca.Order{limit, stop, trail, bracket} {
		if o.Status != "new" {
			t.Fatalf("%s %s order = %s, want new (resting)", o.Type, o.Side, o.Status)
		}
	}
	if len(bracket.Legs) != 2 || bracket.Legs[0].Status != "held" {
		t.Fatalf("bracket legs = %+v", bracket.Legs)
	}
	if trail.HWM == nil || trail.TrailPercent == nil {
		t.Fatalf("trailing stop has no water mark: %+v", trail)
	}

	// Replace the limit order: a new order with a new id that replaces the old one.
	repl, err := cl.ReplaceOrder(limit.ID, alpaca.ReplaceOrderRequest{LimitPrice: dec("101.00"), Qty: dec("2")})
	must(err)
	if repl.ID == limit.ID || repl.Replaces == nil || *repl.Replaces != limit.ID || !repl.LimitPrice.Equal(decimal.RequireFromString("101")) {
		t.Fatalf("replacement = %+v", repl)
	}
	old, err := cl.GetOrderByClientOrderID("dip-buyer")
	must(err)
	if old.Status != "replaced" || old.ReplacedBy == nil || *old.ReplacedBy != repl.ID {
		t.Fatalf("replaced order = %s by %v", old.Status, old.ReplacedBy)
	}
	got, err := cl.GetOrder(repl.ID)
	must(err)
	if got.Status != "new" {
		t.Fatalf("replacement status = %s", got.Status)
	}

	// Orders listed: open ones nested, all of them flat, by symbol and side.
	open, err := cl.GetOrders(alpaca.GetOrdersRequest{Status: "open", Nested: true})
	must(err)
	if len(open) != 4 { // replacement, stop, trailing stop, bracket entry (legs nested)
		t.Fatalf("open orders = %d, want 4", len(open))
	}
	all, err := cl.GetOrders(alpaca.GetOrdersRequest{Status: "all", Limit: 500, Direction: "asc"})
	must(err)
	if len(all) != 9 || all[0].ID != mkt.ID { // 7 placed + 2 legs, oldest first
		t.Fatalf("all orders = %d, first %s", len(all), all[0].ID)
	}
	sells, err := cl.GetOrders(alpaca.GetOrdersRequest{Status: "all", Side: "sell", Symbols: []string{"AAPL"}})
	must(err)
	if len(sells) != 2 {
		t.Fatalf("AAPL sells = %d, want the stop and the trailing stop", len(sells))
	}

	// Cancel one; cancel the rest.
	must(cl.CancelOrder(stop.ID))
	must(cl.CancelAllOrders())
	if open, _ := cl.GetOrders(alpaca.GetOrdersRequest{Status: "open"}); len(open) != 0 {
		t.Fatalf("open orders after cancel all = %d", len(open))
	}

	// Positions: list, one, close part, close all.
	positions, err := cl.GetPositions()
	must(err)
	if len(positions) != 2 {
		t.Fatalf("positions = %d, want AAPL and MSFT", len(positions))
	}
	pos, err := cl.GetPosition("AAPL")
	must(err)
	if !pos.Qty.Equal(decimal.NewFromInt(10)) || pos.Side != "long" || pos.CurrentPrice == nil {
		t.Fatalf("AAPL position = %+v", pos)
	}
	closed, err := cl.ClosePosition("AAPL", alpaca.ClosePositionRequest{Qty: decimal.NewFromInt(4)})
	must(err)
	if closed.Side != alpaca.Sell || !closed.Qty.Equal(decimal.NewFromInt(4)) {
		t.Fatalf("close 4 AAPL = %+v", closed)
	}
	b.clock.Advance(time.Millisecond)
	if pos, _ := cl.GetPosition("AAPL"); !pos.Qty.Equal(decimal.NewFromInt(6)) {
		t.Fatalf("AAPL after closing 4 = %s", pos.Qty)
	}
	closedAll, err := cl.CloseAllPositions(alpaca.CloseAllPositionsRequest{CancelOrders: true})
	must(err)
	if len(closedAll) != 2 {
		t.Fatalf("close all = %d orders", len(closedAll))
	}
	if positions, _ := cl.GetPositions(); len(positions) != 0 {
		t.Fatalf("positions after close all = %d", len(positions))
	}
	_, err = cl.GetPosition("AAPL")
	apiErr(t, err, http.StatusNotFound, 40410000)

	// Evening: the day's activities, page by page, and the portfolio history.
	whole, err := cl.GetAccountActivities(alpaca.GetAccountActivitiesRequest{})
	must(err)
	if len(whole) < 6 {
		t.Fatalf("activities = %d", len(whole))
	}
	var paged []string
	token := ""
	for range 20 {
		page, err := cl.GetAccountActivities(alpaca.GetAccountActivitiesRequest{PageSize: 2, PageToken: token})
		must(err)
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			paged = append(paged, a.ID)
		}
		token = page[len(page)-1].ID
	}
	var wholeIDs []string
	for _, a := range whole {
		wholeIDs = append(wholeIDs, a.ID)
	}
	if !slices.Equal(paged, wholeIDs) {
		t.Fatalf("paged activities differ from the whole list:\n%v\n%v", paged, wholeIDs)
	}
	fills, err := cl.GetAccountActivities(alpaca.GetAccountActivitiesRequest{ActivityTypes: []string{"FILL"}})
	must(err)
	for _, f := range fills {
		if f.ActivityType != "FILL" || f.OrderID == "" || f.Qty.IsZero() {
			t.Fatalf("fill activity = %+v", f)
		}
	}
	if len(fills) != len(whole)-1 { // everything but the opening deposit
		t.Fatalf("fills = %d of %d activities", len(fills), len(whole))
	}
	hist, err := cl.GetPortfolioHistory(alpaca.GetPortfolioHistoryRequest{Period: "1W", TimeFrame: alpaca.Hour1})
	must(err)
	if len(hist.Timestamp) == 0 || len(hist.Timestamp) != len(hist.Equity) || len(hist.Equity) != len(hist.ProfitLoss) ||
		!hist.BaseValue.Equal(decimal.NewFromInt(100000)) {
		t.Fatalf("portfolio history = %+v", hist)
	}

	// Watchlists.
	wl, err := cl.CreateWatchlist(alpaca.CreateWatchlistRequest{Name: "Bot picks", Symbols: []string{"AAPL", "MSFT"}})
	must(err)
	if len(wl.Assets) != 2 || wl.Assets[0].Symbol != "AAPL" {
		t.Fatalf("watchlist = %+v", wl)
	}
	wl, err = cl.AddSymbolToWatchlist(wl.ID, alpaca.AddSymbolToWatchlistRequest{Symbol: "SPY"})
	must(err)
	must(cl.RemoveSymbolFromWatchlist(wl.ID, alpaca.RemoveSymbolFromWatchlistRequest{Symbol: "MSFT"}))
	wl, err = cl.UpdateWatchlist(wl.ID, alpaca.UpdateWatchlistRequest{Name: "Bot picks 2", Symbols: []string{"SPY", "AAPL", "BTC/USD"}})
	must(err)
	got2, err := cl.GetWatchlist(wl.ID)
	must(err)
	var syms []string
	for _, a := range got2.Assets {
		syms = append(syms, a.Symbol)
	}
	if got2.Name != "Bot picks 2" || !slices.Equal(syms, []string{"SPY", "AAPL", "BTC/USD"}) {
		t.Fatalf("watchlist after update = %s %v", got2.Name, syms)
	}
	lists, err := cl.GetWatchlists()
	must(err)
	if !slices.ContainsFunc(lists, func(w alpaca.Watchlist) bool { return w.ID == wl.ID }) {
		t.Fatalf("watchlists = %+v", lists)
	}
	_, err = b.client(b.bobKey).GetWatchlist(wl.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
	must(cl.DeleteWatchlist(wl.ID))
	_, err = cl.GetWatchlist(wl.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
}
