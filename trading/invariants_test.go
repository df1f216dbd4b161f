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
)

// TestInvariantsUnderConcurrency has 32 goroutines place, cancel and fill random orders on a few
// shared accounts (cash and margin) while quotes move, then checks the books: cash equals starting
// cash plus the ledger, each position equals the sum of its fills, no order filled beyond its
// quantity (so none twice), and no cash account below zero. Every refusal along the way must be a
// typed refusal, never an error.
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
					qty := fmt.Sprint(r.IntN(20) + 1)
					req := marketOrder(sym, side, qty)
					if r.IntN(2) == 0 {
						q, _ := b.quotes.latestCached(sym)
						off := decimal.NewFromFloat((r.Float64() - 0.5) * 2).Round(2)
						req = limitOrder(sym, side, qty, q.BidPrice.Add(off).StringFixed(2), fill.GTC)
					}
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
	for _, a := range accounts {
		checkBooks(t, b.db, a.ID)
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
