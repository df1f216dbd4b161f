package candles_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// bundle is what most tests need.
type bundle struct {
	db    *gorm.DB
	cal   *candlestest.Calendar
	store *candles.Store
}

// setup gives a store on a rolled-back transaction, for tests that need not commit.
func setup(t *testing.T) bundle {
	t.Helper()
	cal := candlestest.NewCalendar()
	db := dbtest.Tx(t)
	return bundle{db: db, cal: cal, store: candles.NewStore(db, cal)}
}

// setupDB gives a store on a database of the test's own, for tests that commit.
func setupDB(t testing.TB) bundle {
	t.Helper()
	cal := candlestest.NewCalendar()
	db := dbtest.DB(t).Gorm
	return bundle{db: db, cal: cal, store: candles.NewStore(db, cal)}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func minute(start time.Time, price, volume string) market.Bar {
	p := dec(price)
	return market.Bar{Symbol: "T", Start: start, Open: p, High: p, Low: p, Close: p, Volume: dec(volume), TradeCount: 1, VWAP: p}
}

// stored reads every stored candle of tf for an asset, oldest first.
func stored(t testing.TB, db *gorm.DB, assetID int64, tf market.Timeframe) []models.Candle {
	t.Helper()
	rows, err := models.CandlesOldest(context.Background(), db, models.CandleRange{AssetID: assetID, Timeframe: string(tf)}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sameCandle(a models.Candle, b market.Bar) bool {
	return a.BucketStart.Equal(b.Start) && a.Open.Equal(b.Open) && a.High.Equal(b.High) && a.Low.Equal(b.Low) &&
		a.Close.Equal(b.Close) && a.Volume.Equal(b.Volume) && a.TradeCount == b.TradeCount && a.VWAP.Equal(b.VWAP)
}

// checkAgainstRollup asserts that every timeframe stored for the asset is exactly the rollup of
// the given minutes.
func checkAgainstRollup(t *testing.T, b bundle, assetID int64, class market.AssetClass, minutes []market.Bar) {
	t.Helper()
	for _, tf := range market.Timeframes() {
		want := market.Rollup(b.store.Bucketer(), tf, class, minutes)
		got := stored(t, b.db, assetID, tf)
		if len(got) != len(want) {
			t.Fatalf("%s: %d candles stored, want %d", tf, len(got), len(want))
		}
		for i := range want {
			if !sameCandle(got[i], want[i]) {
				t.Fatalf("%s candle %d: stored %+v, want %+v", tf, i, got[i], want[i])
			}
		}
	}
}
