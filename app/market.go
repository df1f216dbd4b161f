package app

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/config"
	"alpacawrapper/market"
	"alpacawrapper/market/alpaca"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
)

// Market is the market-data side of the application: where data comes from, the hub that fans it
// out, the exchange clock, and the candle store.
//
// Every REST call to the provider draws on one budget (market.Budget): Provider is its background
// lane (jobs, the calendar), Trading its priority lane (placement and valuation), and Pages
// answers page and public API look-ups from the stream and a short cache, asking the provider
// only within what the budget leaves above the trading reserve.
type Market struct {
	Provider market.Provider
	Trading  market.Provider
	Pages    *market.LastKnown
	Budget   *market.Budget
	Hub      *market.Hub
	Clock    *market.Clock
	Candles  *candles.Store
}

// simRESTPerMinute is the simulated market's budget: it has no quota, so the budget only has to
// stay out of the way.
const simRESTPerMinute = 1_000_000

// newProvider picks Alpaca when keys are configured and the built-in simulated market otherwise,
// so the whole app works offline with no set-up.
func newProvider(cfg config.Config, log *slog.Logger, isOpen func(time.Time) bool) (market.Provider, error) {
	if !cfg.Alpaca.Enabled() {
		return sim.New(sim.Options{Seed: cfg.Sim.Seed, AlwaysOpen: cfg.Sim.AlwaysOpen, TickInterval: cfg.Sim.TickInterval}), nil
	}
	a := cfg.Alpaca
	return alpaca.New(alpaca.Options{
		KeyID: a.KeyID, SecretKey: a.SecretKey, TradingURL: a.TradingURL, DataURL: a.DataURL,
		StreamURL: a.StreamURL, CryptoStreamURL: a.CryptoStreamURL, Feed: a.Feed, SymbolLimit: a.SymbolLimit,
		Logger: log, IsMarketOpen: isOpen,
	})
}

// newMarket builds the market side. provider may be given (tests); otherwise configuration
// chooses it.
func newMarket(cfg config.Config, db *gorm.DB, log *slog.Logger, provider market.Provider, now func() time.Time) (*Market, error) {
	m := &Market{Hub: market.NewHub(market.HubOptions{})}
	// The clock reads the synced calendar from the database and, until the first sync has run,
	// straight from the provider, so a brand-new install knows the market hours at once.
	m.Clock = market.NewClock(market.CalendarFunc(func(ctx context.Context, from, to time.Time) ([]market.CalendarDay, error) {
		days, err := models.MarketDaysBetween(ctx, db, from, to)
		if err != nil || len(days) > 0 {
			return days, err
		}
		return m.Provider.Calendar(ctx, from, to)
	}), now, market.ClockOptions{AlwaysOpen: !cfg.Alpaca.Enabled() && cfg.Sim.AlwaysOpen,
		// Candles need the trading day of every backfilled minute, HISTORY_DAYS back.
		DaysBack: max(400, cfg.History.Days+31)})

	if provider == nil {
		var err error
		provider, err = newProvider(cfg, log, func(t time.Time) bool { return m.Clock.SessionAt(t) != market.SessionClosed })
		if err != nil {
			return nil, err
		}
	}
	bo := market.BudgetOptions{}
	if !cfg.Alpaca.Enabled() {
		bo.PerMinute = simRESTPerMinute
	}
	m.Budget = market.NewBudget(provider, bo)
	m.Provider = m.Budget.Lane(market.LaneBackground)
	m.Trading = m.Budget.Lane(market.LaneTrading)
	m.Pages = market.NewLastKnown(m.Budget.Lane(market.LanePages), m.Hub, market.LastKnownOptions{})
	m.Candles = candles.NewStore(db, m.Clock)
	return m, nil
}
