package trading

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestInvariantsUnderConcurrency has 32 goroutines place, cancel and fill random orders (market,
// limit, bracket, OCO, notional and fractional) on a few shared accounts (cash and margin, with
// and without fees) while quotes move, then checks the books: cash equals starting cash plus the
// ledger, each position equals the sum of its fills, no order filled beyond its quantity (so none
// twice), no cash account below zero, and the cash the trading moved equals the realised P&L less
// the fees and the open positions' cost basis, to the cent. Every refusal along the way must be
// a typed refusal, never an error.
func TestInvariantsUnderConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	accounts := []*models.PaperAccount{
		b.account("20000", cashSettings()), b.account("20000", cashSettings()),
		b.account("20000", marginSettings()), b.account("20000", Settings{Margin: true, ShortingEnabled: true, Commission: "per_share", RegulatoryFees: true, Realism: "realistic"}),
	}
	symbols := []string{"AAPL", "MSFT"}
	var mu sync.Mutex
	mid := map[string]float64{"AAPL": 100, "MSFT": 50}
	quote := func(r *rand.Rand, sym string) market.Quote {
		mu.Lock()
		m := mid[sym] * (1 + (r.Float64()-0.5)*0.01)
		mid[sym] = m
		mu.Unlock()
		center := decimal.NewFromFloat(m).Round(2)
		q := market.Quote{Symbol: sym, BidPrice: center.Sub(d("0.01")), AskPrice: center.Add(d("0.01")),
			BidSize: decimal.NewFromInt(int64(r.IntN(500) + 1)), AskSize: decimal.NewFromInt(int64(r.IntN(500) + 1)), Time: b.clock.Add(time.Millisecond)}
		return q
	}
	for _, s := range symbols {
		b.quotes.Observe(quote(rand.New(rand.NewPCG(1, 1)), s))
	}

	ctx := context.Background()
	const workers, steps = 32, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	var placed, refused, canceled, ticks int64
	var counts sync.Mutex
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for range steps {
				a := accounts[r.IntN(len(accounts))]
				sym := symbols[r.IntN(len(symbols))]
				var err error
				switch k := r.IntN(10); {
				case k < 4: // place
					side := fill.Buy
					if r.IntN(2) == 0 {
						side = fill.Sell
					}
					q, _ := b.quotes.latestCached(sym)
					req := randomOrder(r, sym, side, q)
					_, err = b.svc.PlaceOrder(ctx, b.user, a.ID, req, SourceAPI)
					counts.Lock()
					if err == nil {
						placed++
					} else if _, ok := apperr.As(err); ok {
						refused++
						err = nil
					}
					counts.Unlock()
				case k < 6: // cancel one of the account's open orders
					open, lerr := models.ListOrders(ctx, b.db, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: "open", Limit: 20})
					if lerr != nil || len(open) == 0 {
						err = lerr
						break
					}
					_, err = b.svc.CancelOrder(ctx, b.user, a.ID, open[r.IntN(len(open))].ID)
					if _, ok := apperr.As(err); ok {
						err = nil // filled or canceled meanwhile
					} else if err == nil {
						counts.Lock()
						canceled++
						counts.Unlock()
					}
				default: // a quote arrives and the matcher acts on it
					q := quote(r, sym)
					_, err = b.svc.Match(ctx, q, nil)
					counts.Lock()
					ticks++
					counts.Unlock()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var fills int64
	b.db.Model(&models.Fill{}).Count(&fills)
	t.Logf("%d placed, %d refused, %d canceled, %d quotes, %d fills", placed, refused, canceled, ticks, fills)
	if placed < 100 || fills < 50 {
		t.Fatalf("too little happened to test anything: %d placed, %d fills", placed, fills)
	}
	// Every kind of order the sequence places must have filled somewhere, or the books below
	// would not cover it.
	var kinds []struct {
		Kind  string
		Fills int64
	}
	b.db.Raw(`SELECT CASE WHEN o.leg IS NOT NULL THEN 'bracket leg' WHEN o.order_class <> 'simple' THEN o.order_class
	                 WHEN o.notional IS NOT NULL THEN 'notional' WHEN o.qty <> trunc(o.qty) THEN 'fractional' ELSE o.type END AS kind,
	                 count(*) AS fills
	          FROM fills f JOIN orders o ON o.id = f.order_id GROUP BY 1 ORDER BY 1`).Scan(&kinds)
	filled := map[string]int64{}
	for _, k := range kinds {
		filled[k.Kind] = k.Fills
	}
	t.Logf("fills by kind: %v", filled)
	for _, k := range []string{"market", "limit", "bracket", "bracket leg", "oco", "notional", "fractional"} {
		if filled[k] == 0 {
			t.Errorf("no %s order filled: the sequence does not exercise it", k)
		}
	}
	for _, a := range accounts {
		checkBooks(t, b.db, a.ID)
		checkCashReconciles(t, b, a)
		var starting, ledgerAfterDeposit decimal.Decimal
		b.db.Raw("SELECT starting_cash FROM paper_accounts WHERE id = ?", a.ID).Scan(&starting)
		b.db.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ? AND kind <> 'deposit'", a.ID).Scan(&ledgerAfterDeposit)
		acct := b.reloadAccount(a)
		if !acct.Cash.Equal(starting.Add(ledgerAfterDeposit)) {
			t.Errorf("account %d: cash %s ≠ starting %s + ledger %s", a.ID, acct.Cash, starting, ledgerAfterDeposit)
		}
	}
	// The index holds exactly the working orders.
	var working []uuid.UUID
	b.db.Model(&models.Order{}).Where("status IN ?", []string{models.OrderNew, models.OrderAccepted, models.OrderPartiallyFilled}).Pluck("id", &working)
	if b.svc.index.Len() != len(working) {
		t.Errorf("index holds %d orders, the database %d working ones", b.svc.index.Len(), len(working))
	}
}

// randomOrder is one of the orders a trader places: a market or limit order for whole shares, a
// bracket, an OCO exit, a notional order or a fractional one, priced around the quote q.
func randomOrder(r *rand.Rand, sym string, side fill.Side, q market.Quote) order.Request {
	qty := fmt.Sprint(r.IntN(20) + 1)
	near := func(spread float64) decimal.Decimal { // a price within ±spread of the bid
		return q.BidPrice.Add(decimal.NewFromFloat((r.Float64() - 0.5) * 2 * spread).Round(2))
	}
	away := func(sign int64) decimal.Decimal { // a price 0.10 to 1.10 from the bid, up (1) or down (-1)
		return q.BidPrice.Add(decimal.NewFromFloat(0.1 + r.Float64()).Round(2).Mul(decimal.NewFromInt(sign)))
	}
	exit := int64(1) // where a buy's take-profit sits
	if side == fill.Sell {
		exit = -1
	}
	switch k := r.IntN(12); {
	case k < 4:
		return marketOrder(sym, side, qty)
	case k < 6:
		return limitOrder(sym, side, qty, near(1).StringFixed(2), fill.GTC)
	case k < 8: // a bracket around the market, with a market or a limit entry
		req := marketOrder(sym, side, qty)
		req.TimeInForce = fill.GTC
		if r.IntN(2) == 0 {
			req = limitOrder(sym, side, qty, near(0.2).StringFixed(2), fill.GTC)
		}
		req.OrderClass = order.Bracket
		req.TakeProfit = &order.TakeProfit{LimitPrice: decimal.NewNullDecimal(away(exit).Add(decimal.NewFromInt(exit)))}
		req.StopLoss = &order.StopLoss{StopPrice: decimal.NewNullDecimal(away(-exit).Sub(decimal.NewFromInt(exit)))}
		return req
	case k < 10: // an OCO exit of a position on the other side
		req := order.Request{Symbol: sym, Qty: nd(fmt.Sprint(r.IntN(5) + 1)), Side: side, Type: fill.Limit, TimeInForce: fill.GTC, OrderClass: order.OCO,
			TakeProfit: &order.TakeProfit{LimitPrice: decimal.NewNullDecimal(away(-exit))},
			StopLoss:   &order.StopLoss{StopPrice: decimal.NewNullDecimal(away(exit))}}
		return req
	case k < 11: // notional, in dollars and cents
		notional := decimal.NewFromFloat(1 + r.Float64()*500).Round(2)
		return order.Request{Symbol: sym, Notional: decimal.NewNullDecimal(notional), Side: side, Type: fill.Market, TimeInForce: fill.Day}
	default: // fractional
		frac := decimal.NewFromFloat(0.001 + r.Float64()*3).Round(3)
		if r.IntN(2) == 0 {
			return marketOrder(sym, side, frac.String())
		}
		return limitOrder(sym, side, frac.String(), near(0.5).StringFixed(2), fill.Day)
	}
}

// checkCashReconciles asserts that the cash an account's trading moved equals its fills'
// realised P&L less their fees and the open positions' cost basis, to the cent: realised P&L is
// made of the same cents as the cash (nothing created or lost by rounding).
func checkCashReconciles(t *testing.T, b *bundle, a *models.PaperAccount) {
	t.Helper()
	var deposits, realised, fees, basis decimal.Decimal
	b.db.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ? AND kind = 'deposit'", a.ID).Scan(&deposits)
	b.db.Raw("SELECT coalesce(sum(realized_pl), 0), coalesce(sum(commission + sec_fee + taf_fee), 0) FROM fills WHERE account_id = ?", a.ID).
		Row().Scan(&realised, &fees)
	b.db.Raw("SELECT coalesce(sum(cost_basis), 0) FROM positions WHERE account_id = ?", a.ID).Scan(&basis)
	change := b.reloadAccount(a).Cash.Sub(deposits)
	if want := realised.Sub(fees).Sub(basis); !change.Equal(want) {
		t.Errorf("account %d: cash changed by %s; realised %s − fees %s − open cost basis %s = %s", a.ID, change, realised, fees, basis, want)
	}
	if !realised.Equal(realised.Round(2)) {
		t.Errorf("account %d: realised P&L %s is not in cents", a.ID, realised)
	}
}
