package trading

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// ny is market time.
var ny, _ = time.LoadLocation("America/New_York")

// tuesday10am is a regular-session instant: Tuesday 2026-11-24, 10:00 New York.
var tuesday10am = time.Date(2026, 11, 24, 10, 0, 0, 0, ny)

// testClock is a settable clock shared by the service and the market clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *testClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// bundle is what an engine test works with.
type bundle struct {
	t      testing.TB
	db     *gorm.DB
	svc    *Service
	clock  *testClock
	quotes *Quotes
	user   int64
	seq    atomic.Int64
}

// setup builds a service on a fresh database with a few assets, the real NYSE calendar (from the
// simulated market) and quotes that only the test sets.
func setup(t testing.TB) *bundle {
	t.Helper()
	b := newBundle(t, dbtest.DB(t).Gorm, tuesday10am)
	if _, err := models.UpsertAssets(context.Background(), b.db, testAssets(), b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b.user = b.newUser()
	return b
}

// newBundle builds the service on db with the clock at start, without writing anything.
func newBundle(t testing.TB, db *gorm.DB, start time.Time) *bundle {
	t.Helper()
	clk := &testClock{t: start}
	cal := market.ProviderCalendar{Provider: sim.New(sim.Options{Seed: 7, Now: clk.Now})}
	mc := market.NewClock(cal, clk.Now)
	if err := mc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := NewQuotes(nil, clk.Now)
	b := &bundle{t: t, db: db, clock: clk, quotes: q}
	b.svc = New(Options{DB: db, Clock: mc, Quotes: q, Source: "test", Now: clk.Now})
	return b
}

// testAssets are the catalogue the tests trade.
func testAssets() []market.Asset {
	return []market.Asset{
		{ProviderID: "a1", Symbol: "AAPL", Name: "Apple", Class: market.USEquity, Exchange: "NASDAQ", Active: true, Tradable: true,
			Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true},
		{ProviderID: "a2", Symbol: "MSFT", Name: "Microsoft", Class: market.USEquity, Exchange: "NASDAQ", Active: true, Tradable: true,
			Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true},
		{ProviderID: "a3", Symbol: "HTB", Name: "Hard To Borrow", Class: market.USEquity, Exchange: "NYSE", Active: true, Tradable: true,
			Marginable: true, Shortable: true, EasyToBorrow: false},
		{ProviderID: "a4", Symbol: "BTC/USD", Name: "Bitcoin", Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true,
			Fractionable: true, MinOrderSize: d("0.0001"), MinTradeIncrement: d("0.000000001"), PriceIncrement: d("1")},
	}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func nd(s string) decimal.NullDecimal { return decimal.NullDecimal{Decimal: d(s), Valid: true} }

// newUser inserts a person to own accounts.
func (b *bundle) newUser() int64 {
	b.t.Helper()
	n := b.seq.Add(1)
	u := models.User{Email: fmt.Sprintf("trader%d@example.com", n), Name: "Trader", PasswordHash: "x", Role: "user",
		Active: true, TimeZone: "America/New_York", TermsAcceptedAt: b.clock.Now()}
	if err := b.db.Create(&u).Error; err != nil {
		b.t.Fatal(err)
	}
	return u.ID
}

// account opens an account for the bundle's user with the given settings.
func (b *bundle) account(cash string, st Settings) *models.PaperAccount {
	b.t.Helper()
	n := b.seq.Add(1)
	a, err := b.svc.OpenAccount(context.Background(), b.db, b.user, NewAccount{Name: fmt.Sprintf("Account %d", n), StartingCash: d(cash), Settings: st})
	if err != nil {
		b.t.Fatal(err)
	}
	return a
}

// quote sets the latest quote of a symbol, stamped now.
func (b *bundle) quote(symbol, bid, ask string) market.Quote {
	q := market.Quote{Symbol: symbol, BidPrice: d(bid), BidSize: d("500"), AskPrice: d(ask), AskSize: d("500"), Time: b.clock.Now()}
	b.quotes.Observe(q)
	return q
}

// place places an order and fails the test on a refusal.
func (b *bundle) place(a *models.PaperAccount, r order.Request) *models.Order {
	b.t.Helper()
	o, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, r, SourceAPI)
	if err != nil {
		b.t.Fatalf("place %+v: %v", r, err)
	}
	return o
}

// tick feeds a quote through the matcher as the engine loop does.
func (b *bundle) tick(q market.Quote) {
	b.t.Helper()
	if _, err := b.svc.Match(context.Background(), q, nil); err != nil {
		b.t.Fatal(err)
	}
}

// reload reads an order back.
func (b *bundle) reload(o *models.Order) *models.Order {
	b.t.Helper()
	got, err := models.OrderOf(context.Background(), b.db, o.AccountID, o.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return got
}

// reloadAccount reads an account back.
func (b *bundle) reloadAccount(a *models.PaperAccount) *models.PaperAccount {
	b.t.Helper()
	got, err := models.PaperAccountOf(context.Background(), b.db, b.user, a.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return got
}

// checkBooks asserts the engine's invariants for an account: cash equals the ledger's sum, each
// position equals the signed sum of its fills, each order's filled qty equals its fills' sum and
// never exceeds its qty.
func (b *bundle) checkBooks(a *models.PaperAccount) {
	b.t.Helper()
	checkBooks(b.t, b.db, a.ID)
}

// checkBooks reads every figure it compares in one snapshot (repeatable read), so a commit that
// lands between two of its queries, such as a killed child's last transaction, cannot make
// consistent books look unbalanced.
func checkBooks(t testing.TB, db *gorm.DB, accountID int64) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		checkBooksIn(t, tx, accountID)
		return nil
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
}

func checkBooksIn(t testing.TB, db *gorm.DB, accountID int64) {
	t.Helper()
	var acct models.PaperAccount
	if err := db.First(&acct, accountID).Error; err != nil {
		t.Fatal(err)
	}
	var ledger decimal.Decimal
	db.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ?", accountID).Scan(&ledger)
	if !ledger.Equal(acct.Cash) {
		t.Errorf("account %d: cash %s, ledger sums to %s", accountID, acct.Cash, ledger)
	}
	var bad []string
	db.Raw(`SELECT p.symbol FROM positions p LEFT JOIN (
	          SELECT symbol, period, sum(CASE WHEN side = 'buy' THEN qty ELSE -qty END) AS q FROM fills WHERE account_id = ? GROUP BY symbol, period
	        ) f ON f.symbol = p.symbol AND f.period = p.period
	        WHERE p.account_id = ? AND p.qty IS DISTINCT FROM f.q`, accountID, accountID).Scan(&bad)
	if len(bad) > 0 {
		t.Errorf("account %d: positions differ from their fills: %v", accountID, bad)
	}
	var flatButFilled []string
	db.Raw(`SELECT f.symbol FROM fills f WHERE f.account_id = ? AND f.period = ?
	        GROUP BY f.symbol HAVING sum(CASE WHEN side = 'buy' THEN qty ELSE -qty END) <> 0
	        AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.account_id = ? AND p.period = ? AND p.symbol = f.symbol)`,
		accountID, acct.Period, accountID, acct.Period).Scan(&flatButFilled)
	if len(flatButFilled) > 0 {
		t.Errorf("account %d: fills leave a position that has no row: %v", accountID, flatButFilled)
	}
	var overfilled []string
	db.Raw(`SELECT o.id::text FROM orders o LEFT JOIN (SELECT order_id, sum(qty) AS q FROM fills GROUP BY order_id) f ON f.order_id = o.id
	        WHERE o.account_id = ? AND (o.filled_qty <> coalesce(f.q, 0) OR (o.qty IS NOT NULL AND o.filled_qty > o.qty))`, accountID).Scan(&overfilled)
	if len(overfilled) > 0 {
		t.Errorf("account %d: orders whose fills disagree with filled_qty: %v", accountID, overfilled)
	}
	if !acct.Margin && acct.Cash.IsNegative() {
		t.Errorf("cash account %d went below zero: %s", accountID, acct.Cash)
	}
}

// marketOrder is a simple market order request.
func marketOrder(symbol string, side fill.Side, qty string) order.Request {
	return order.Request{Symbol: symbol, Qty: nd(qty), Side: side, Type: fill.Market, TimeInForce: fill.Day}
}

// limitOrder is a simple limit order request.
func limitOrder(symbol string, side fill.Side, qty, limit string, tif fill.TimeInForce) order.Request {
	return order.Request{Symbol: symbol, Qty: nd(qty), Side: side, Type: fill.Limit, TimeInForce: tif, LimitPrice: nd(limit)}
}

// cashSettings is a cash account without shorting or fees, easy fills.
func cashSettings() Settings { return Settings{Commission: "free", Realism: "easy"} }

// marginSettings is a margin account with shorting, easy fills.
func marginSettings() Settings {
	return Settings{Margin: true, ShortingEnabled: true, Commission: "free", Realism: "easy"}
}
