package jobs

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"

	"alpacawrapper/apperr"
	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
)

// simCalendar is the simulated market's own calendar as a TradingCalendar, so that the store
// buckets minutes by the very sessions the simulator traded.
type simCalendar map[string]market.CalendarDay

func newSimCalendar(t testing.TB, p *sim.Provider, from, to time.Time) simCalendar {
	t.Helper()
	days, err := p.Calendar(context.Background(), from, to)
	if err != nil || len(days) == 0 {
		t.Fatalf("sim calendar: %d days, %v", len(days), err)
	}
	c := simCalendar{}
	for _, d := range days {
		c[d.Open.In(newYork(t)).Format(time.DateOnly)] = d
	}
	return c
}

func (c simCalendar) TradingDay(t time.Time) (market.CalendarDay, bool) {
	ny, _ := time.LoadLocation("America/New_York")
	d, ok := c[t.In(ny).Format(time.DateOnly)]
	return d, ok
}

func newYork(t testing.TB) *time.Location {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return ny
}

// historyBundle backfills from the simulated market at a fixed instant: Friday 4 December 2026,
// after the close.
type historyBundle struct {
	db    *database.DB
	sim   *sim.Provider
	cal   simCalendar
	store *candles.Store
	now   time.Time
}

func setupHistory(t *testing.T) historyBundle {
	t.Helper()
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	p := sim.New(sim.Options{Seed: 7, Now: func() time.Time { return now }})
	cal := newSimCalendar(t, p, now.AddDate(-6, 0, 0), now.AddDate(0, 0, 2))
	db := dbtest.DB(t)
	return historyBundle{db: db, sim: p, cal: cal, store: candles.NewStore(db.Gorm, cal), now: now}
}

func (b historyBundle) work(t *testing.T, p market.Provider, opts BackfillOptions, args BackfillCandlesArgs) (*rivertest.WorkResult, error) {
	t.Helper()
	w := rivertest.NewWorker(t, riverdatabasesql.New(b.db.SQL), &river.Config{}, NewBackfillCandlesWorker(b.db.Gorm, b.store, p, opts))
	return workInTx(t, b.db, func(tx *sql.Tx) (*rivertest.WorkResult, error) {
		return w.Work(context.Background(), t, tx, args, nil)
	})
}

// countingProvider counts Bars calls by timeframe and can fail them after a number of calls.
type countingProvider struct {
	market.Provider
	mu       sync.Mutex
	calls    map[market.Timeframe]int
	failFrom int // fail every call from this one on (0: never)
	n        int
}

func (p *countingProvider) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	p.mu.Lock()
	p.n++
	n := p.n
	if p.calls == nil {
		p.calls = map[market.Timeframe]int{}
	}
	p.calls[req.Timeframe]++
	p.mu.Unlock()
	if p.failFrom > 0 && n >= p.failFrom {
		return nil, errors.New("provider: 503 service unavailable")
	}
	return p.Provider.Bars(ctx, req)
}

func (p *countingProvider) count(tf market.Timeframe) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[tf]
}

// TestBackfillYearOfHistory loads a fresh stock's default history, a year of minutes and years of
// daily bars before them, from the simulated market, and checks the daily series across the
// boundary: every trading day exactly once, minute-built from the boundary on, the provider's
// daily bar before it, and the same values either way.
func TestBackfillYearOfHistory(t *testing.T) {
	t.Parallel()
	b := setupHistory(t)
	ctx := context.Background()
	id := candlestest.InsertAsset(t, b.db.Gorm, "AAPL", market.USEquity)
	opts := BackfillOptions{DailyDepth: 5 * 365 * 24 * time.Hour, Now: func() time.Time { return b.now }} // Depth: the default year

	started := time.Now()
	res, err := b.work(t, b.sim, opts, BackfillCandlesArgs{AssetID: id, Symbol: "AAPL"})
	took := time.Since(started)
	if err != nil || res.EventKind != river.EventKindJobCompleted {
		t.Fatalf("result %+v, err %v", res, err)
	}
	// The bound: a year of minutes on a shared, loaded machine. It took 1m46s there.
	t.Logf("a year of minutes and five years of days backfilled in %s", took.Round(time.Millisecond))
	if took > 5*time.Minute {
		t.Errorf("backfill took %s, more than the 5 minutes allowed", took)
	}

	ny := newYork(t)
	boundary := time.Date(2025, 12, 4, 0, 0, 0, 0, ny).UTC()   // the start of the day a year ago
	dailyFloor := time.Date(2021, 12, 5, 0, 0, 0, 0, ny).UTC() // 5×365 days back
	s := backfillState(t, b.db.Gorm, id)
	if s.Status != models.BackfillDone || !s.BackfilledFrom.Equal(boundary) || s.DailyFrom == nil || !s.DailyFrom.Equal(dailyFloor) {
		t.Fatalf("state %+v, want done with minutes from %s and days from %s", s, boundary, dailyFloor)
	}

	minutes, err := b.sim.Bars(ctx, market.BarsRequest{Symbol: "AAPL", Timeframe: market.Min1, Start: boundary, End: b.now})
	if err != nil {
		t.Fatal(err)
	}
	if got := storedCandles(t, b.db.Gorm, id, market.Min1); len(got) != len(minutes) || s.BarsLoaded != int64(len(minutes)) {
		t.Errorf("%d minutes stored (%d counted), the simulator has %d", len(got), s.BarsLoaded, len(minutes))
	}

	// The provider's own daily bars over the whole span are the reference.
	want, err := b.sim.Bars(ctx, market.BarsRequest{Symbol: "AAPL", Timeframe: market.Day1, Start: dailyFloor, End: b.now})
	if err != nil {
		t.Fatal(err)
	}
	days := storedCandles(t, b.db.Gorm, id, market.Day1)
	if len(days) != len(want) {
		t.Fatalf("%d daily candles, want one per trading day: %d", len(days), len(want))
	}
	tradingDays := 0
	for d := dailyFloor; d.Before(b.now); d = d.AddDate(0, 0, 1) {
		if _, ok := b.cal.TradingDay(d.Add(12 * time.Hour)); ok {
			tradingDays++
		}
	}
	if len(days) != tradingDays {
		t.Errorf("%d daily candles over %d trading days", len(days), tradingDays)
	}
	bySource := map[string]int{}
	for i, d := range days {
		w := want[i]
		if !d.BucketStart.Equal(w.Start) {
			t.Fatalf("day %d at %s, want %s (a gap or an extra day)", i, d.BucketStart, w.Start)
		}
		fromMinutes := !d.BucketStart.Before(boundary)
		if fromMinutes != (d.Source == models.CandleSourceBackfill) || (!fromMinutes && d.Source != models.CandleSourceDaily) {
			t.Errorf("day %s has source %q; days from %s on are built from minutes, earlier ones are daily bars", d.BucketStart, d.Source, boundary)
		}
		bySource[d.Source]++
		// No double count: a day's volume is the day's, whichever way it was built.
		if !d.Open.Equal(w.Open) || !d.High.Equal(w.High) || !d.Low.Equal(w.Low) || !d.Close.Equal(w.Close) || !d.Volume.Equal(w.Volume) {
			t.Errorf("day %s: %s/%s/%s/%s vol %s, the provider's daily bar %s/%s/%s/%s vol %s", d.BucketStart,
				d.Open, d.High, d.Low, d.Close, d.Volume, w.Open, w.High, w.Low, w.Close, w.Volume)
		}
	}
	if bySource[models.CandleSourceDaily] < 4*250 || bySource[models.CandleSourceBackfill] < 250 || s.DailyBars < int64(bySource[models.CandleSourceDaily]) {
		t.Errorf("days by source %v, daily bars counted %d", bySource, s.DailyBars)
	}
}

func TestBackfillHistoryResumesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setupHistory(t)
	id := candlestest.InsertAsset(t, b.db.Gorm, "MSFT", market.USEquity)
	opts := BackfillOptions{Depth: 20 * 24 * time.Hour, DailyDepth: 2 * 365 * 24 * time.Hour, ChunkDays: 5, Now: func() time.Time { return b.now }}

	// Interrupted after the newest minute chunk and the daily bars: the third call fails.
	failing := &countingProvider{Provider: b.sim, failFrom: 3}
	res, err := b.work(t, failing, opts, BackfillCandlesArgs{AssetID: id})
	if err == nil || res.EventKind != river.EventKindJobFailed {
		t.Fatalf("want a failure for River to retry; got %+v, %v", res, err)
	}
	s := backfillState(t, b.db.Gorm, id)
	if s.Status != models.BackfillFailed || s.DailyFrom == nil || s.BackfilledFrom == nil {
		t.Fatalf("state after the failure %+v, want failed with a chunk and the days loaded", s)
	}

	// The retry loads only the minutes still missing: no daily bars again.
	retry := &countingProvider{Provider: b.sim}
	if res, err := b.work(t, retry, opts, BackfillCandlesArgs{AssetID: id}); err != nil || res.EventKind != river.EventKindJobCompleted {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	if retry.count(market.Day1) != 0 || retry.count(market.Min1) == 0 {
		t.Errorf("retry asked for %d daily and %d minute spans, want minutes only", retry.count(market.Day1), retry.count(market.Min1))
	}
	resumed := map[market.Timeframe][]models.Candle{}
	for _, tf := range market.Timeframes() {
		resumed[tf] = storedCandles(t, b.db.Gorm, id, tf)
	}

	// The same history loaded in one go, for another asset of the same symbol's prices.
	clean := candlestest.InsertAsset(t, b.db.Gorm, "MSFT2", market.USEquity)
	if _, err := b.work(t, &renamed{Provider: b.sim, as: "MSFT"}, opts, BackfillCandlesArgs{AssetID: clean}); err != nil {
		t.Fatal(err)
	}
	for _, tf := range market.Timeframes() {
		if err := sameCandles(resumed[tf], storedCandles(t, b.db.Gorm, clean, tf)); err != nil {
			t.Errorf("%s after an interruption differs from one run: %v", tf, err)
		}
	}

	// Run again with nothing new: nothing fetched but the (empty) top-up, nothing changed.
	again := &countingProvider{Provider: b.sim}
	if _, err := b.work(t, again, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
		t.Fatal(err)
	}
	if again.count(market.Day1) != 0 || again.count(market.Min1) != 0 {
		t.Errorf("a complete history asked for %d daily and %d minute spans again", again.count(market.Day1), again.count(market.Min1))
	}
	for _, tf := range market.Timeframes() {
		if err := sameCandles(resumed[tf], storedCandles(t, b.db.Gorm, id, tf)); err != nil {
			t.Errorf("%s changed on a second run: %v", tf, err)
		}
	}
}

// renamed serves another symbol's bars under the asked one, so two assets can hold one history.
type renamed struct {
	market.Provider
	as string
}

func (r *renamed) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	req.Symbol = r.as
	return r.Provider.Bars(ctx, req)
}

func TestBackfillsRequestBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupHistory(t)
	client, err := b.db.NewRiver(&river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, sym := range []string{"AAPL", "MSFT", "NVDA", "AMZN"} {
		ids[sym] = candlestest.InsertAsset(t, b.db.Gorm, sym, market.USEquity)
	}
	bf := NewBackfills(b.db.Gorm, client, b.store, BackfillOptions{Now: func() time.Time { return b.now }}, BackfillLimits{PerPerson: 1, Total: 2})
	request := func(sym, person string) (History, error) {
		return bf.Request(ctx, BackfillRequest{AssetID: ids[sym], Person: person})
	}

	h, err := request("AAPL", "user:1")
	if err != nil || !h.Loading || h.Status != models.BackfillPending || h.Complete {
		t.Fatalf("first request: %+v, %v", h, err)
	}
	// The same symbol again, by anyone, is the backfill already loading: not a new one.
	if h, err := request("AAPL", "user:2"); err != nil || !h.Loading {
		t.Errorf("the same symbol again: %+v, %v", h, err)
	}
	_, err = request("MSFT", "user:1")
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindRateLimited || e.Code != "backfill_limit_person" ||
		e.Message != "You are already loading the history of 1 symbol, the most one person may at once. Open this chart again when one of them has finished." {
		t.Errorf("a second symbol for one person: %v", err)
	}
	if h, err := request("MSFT", "ip:192.0.2.7"); err != nil || !h.Loading {
		t.Errorf("another person's: %+v, %v", h, err)
	}
	_, err = request("NVDA", "user:3")
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindRateLimited || e.Code != "backfill_limit_total" || e.RetryAfterSeconds <= 0 {
		t.Errorf("beyond the total: %v", err)
	}
	active, err := models.ActiveJobsOfKind(ctx, b.db.Gorm, BackfillCandlesArgs{}.Kind())
	if err != nil || len(active) != 2 {
		t.Errorf("%d backfills queued, want 2: %v", len(active), err)
	}
	if h, err := bf.Progress(ctx, ids["AMZN"]); err != nil || h.Loading || h.Status != "" || h.Percent != 0 {
		t.Errorf("progress of a symbol never loaded: %+v, %v", h, err)
	}
}

func TestBackfillsCompleteHistoryQueuesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupHistory(t)
	client, err := b.db.NewRiver(&river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	id := candlestest.InsertAsset(t, b.db.Gorm, "SPY", market.USEquity)
	opts := BackfillOptions{Depth: 3 * 24 * time.Hour, DailyDepth: 30 * 24 * time.Hour, Now: func() time.Time { return b.now }}
	if _, err := b.work(t, b.sim, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
		t.Fatal(err)
	}
	bf := NewBackfills(b.db.Gorm, client, b.store, opts, BackfillLimits{PerPerson: 1, Total: 1})
	h, err := bf.Request(ctx, BackfillRequest{AssetID: id, Person: "user:1"})
	if err != nil || h.Loading || !h.Complete || h.Percent != 100 {
		t.Errorf("a complete history: %+v, %v", h, err)
	}
	h, err = bf.Request(ctx, BackfillRequest{AssetID: id, Person: "user:1", Force: true})
	if err != nil || !h.Loading {
		t.Errorf("forced: %+v, %v", h, err)
	}
}
