package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// stock is a listed, tradable US equity.
func testStock(symbol, name, exchange string) market.Asset {
	return market.Asset{ProviderID: "id-" + symbol, Symbol: symbol, Name: name, Class: market.USEquity,
		Exchange: exchange, Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true,
		MarginRequirement: decimal.NewFromInt(30)}
}

// coin is a crypto pair as Alpaca lists it.
func testCoin(symbol, name string) market.Asset {
	return market.Asset{ProviderID: "id-" + symbol, Symbol: symbol, Name: name, Class: market.Crypto,
		Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true,
		MinOrderSize: decimal.RequireFromString("0.0001"), MinTradeIncrement: decimal.RequireFromString("0.000000001"),
		PriceIncrement: decimal.RequireFromString("1")}
}

// catalogue is a small provider catalogue with names as Alpaca writes them.
func testCatalogue() []market.Asset {
	inactive := testStock("OLDCO", "Old Company Inc.", "NYSE")
	inactive.Active, inactive.Tradable = false, false
	fractional := testStock("AAPL", "Apple Inc. Common Stock", "NASDAQ")
	fractional.Fractionable = true
	return []market.Asset{
		testStock("A", "Agilent Technologies Inc.", "NYSE"),
		testStock("AA", "Alcoa Corporation", "NYSE"),
		testStock("AAL", "American Airlines Group Inc.", "NASDAQ"),
		fractional,
		testStock("APLE", "Apple Hospitality REIT, Inc.", "NYSE"),
		testStock("AMAT", "Applied Materials, Inc.", "NASDAQ"),
		testStock("MSFT", "Microsoft Corporation Common Stock", "NASDAQ"),
		testStock("MU", "Micron Technology, Inc.", "NASDAQ"),
		testStock("GM", "General Motors Company", "NYSE"),
		testStock("GOOGL", "Alphabet Inc. Class A", "NASDAQ"),
		testStock("BAC", "Bank of America Corporation", "NYSE"),
		testStock("BRK.B", "Berkshire Hathaway Inc. Class B", "NYSE"),
		testStock("NATF", "100% Natural Foods Inc.", "ARCA"),
		testStock("ISLE", "1000 Islands Corp", "ARCA"),
		testCoin("BTC/USD", "Bitcoin / US Dollar"),
		testCoin("ETH/USD", "Ethereum / US Dollar"),
		inactive,
	}
}

var catalogueT0 = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// seeded is a database of the test's own holding the catalogue. It is a whole database rather
// than a rolled-back transaction because parallel tests inserting the same symbols would wait on
// each other's unique-index locks.
func seededCatalogue(t *testing.T) *gorm.DB {
	t.Helper()
	db := dbtest.DB(t).Gorm
	n, err := models.UpsertAssets(context.Background(), db, testCatalogue(), catalogueT0)
	if err != nil || n != len(testCatalogue()) {
		t.Fatalf("seed: %d upserted, %v", n, err)
	}
	return db
}

func assetSymbols(assets []models.Asset) []string {
	out := make([]string, len(assets))
	for i, a := range assets {
		out[i] = a.Symbol
	}
	return out
}

func assetFlag(v bool) *bool { return &v }

func TestSearchAssetsRanking(t *testing.T) {
	t.Parallel()
	db := seededCatalogue(t)
	cases := []struct {
		name, text string
		want       []string // the whole result, in order
	}{
		{"one letter: exact symbol, symbol prefixes, then name prefixes only",
			"A", []string{"A", "AA", "AAL", "AAPL", "AMAT", "APLE", "GOOGL"}},
		{"three letters also match words inside names", "ame", []string{"AAL", "BAC"}},
		{"exact symbol beats longer symbols", "AA", []string{"AA", "AAL", "AAPL"}},
		{"full symbol, any case", "aapl", []string{"AAPL"}},
		{"name prefix, ties by symbol, then similar names", "apple", []string{"AAPL", "APLE", "AMAT"}},
		{"ticker typo still finds the company first", "APPL", []string{"AAPL", "AMAT", "APLE"}},
		{"name typo found by trigram similarity", "microsft", []string{"MSFT"}},
		{"a word inside the name", "motors", []string{"GM"}},
		{"dots are literal", "brk.b", []string{"BRK.B"}},
		{"crypto pair by its base", "btc", []string{"BTC/USD"}},
		{"crypto pair without its slash", "btcusd", []string{"BTC/USD"}},
		{"ticker without its dot", "BRKB", []string{"BRK.B"}},
		{"percent is literal, not a wildcard", "%", nil},
		{"underscore is literal, not a wildcard", "_", nil},
		{"escaped wildcard keeps the literal name prefix first", "100%", []string{"NATF", "ISLE"}},
		{"padding is ignored", "  msft  ", []string{"MSFT"}},
		{"nothing like it", "zzzz", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, total, err := models.SearchAssets(context.Background(), db, models.AssetQuery{Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(assetSymbols(got), tc.want) || total != int64(len(tc.want)) {
				t.Errorf("%q: got %v (total %d), want %v", tc.text, assetSymbols(got), total, tc.want)
			}
		})
	}
}

func TestSearchAssetsFiltersAndPages(t *testing.T) {
	t.Parallel()
	db := seededCatalogue(t)
	cases := []struct {
		name  string
		q     models.AssetQuery
		want  []string
		total int64
	}{
		{"empty text lists active assets alphabetically", models.AssetQuery{Limit: 4},
			[]string{"A", "AA", "AAL", "AAPL"}, 16},
		{"second page", models.AssetQuery{Limit: 4, Offset: 4}, []string{"AMAT", "APLE", "BAC", "BRK.B"}, 16},
		{"past the end", models.AssetQuery{Offset: 100}, nil, 16},
		{"class", models.AssetQuery{Class: "crypto"}, []string{"BTC/USD", "ETH/USD"}, 2},
		{"exchange with text", models.AssetQuery{Text: "a", Exchange: "NASDAQ"},
			[]string{"AAL", "AAPL", "AMAT", "GOOGL"}, 4},
		{"fractionable stocks", models.AssetQuery{Class: "us_equity", Fractionable: assetFlag(true)}, []string{"AAPL"}, 1},
		{"not fractionable, with text", models.AssetQuery{Text: "apple", Fractionable: assetFlag(false)},
			[]string{"APLE", "AMAT"}, 2},
		{"not shortable", models.AssetQuery{Shortable: assetFlag(false)}, []string{"BTC/USD", "ETH/USD"}, 2},
		{"inactive hidden by default", models.AssetQuery{Text: "old"}, nil, 0},
		{"inactive on request", models.AssetQuery{Text: "old", IncludeInactive: true}, []string{"OLDCO"}, 1},
		{"tradable false finds only the delisted", models.AssetQuery{Tradable: assetFlag(false), IncludeInactive: true},
			[]string{"OLDCO"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, total, err := models.SearchAssets(context.Background(), db, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(assetSymbols(got), tc.want) || total != tc.total {
				t.Errorf("got %v (total %d), want %v (total %d)", assetSymbols(got), total, tc.want, tc.total)
			}
		})
	}
}

func TestAssetCountsAreFacets(t *testing.T) {
	t.Parallel()
	db := seededCatalogue(t)
	ctx := context.Background()

	// Choosing crypto must not hide the other class from the class facet, but does narrow exchanges.
	byClass, byExchange, err := models.AssetCounts(ctx, db, models.AssetQuery{Class: "crypto"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(byClass) != "map[crypto:2 us_equity:14]" || fmt.Sprint(byExchange) != "map[CRYPTO:2]" {
		t.Errorf("class=crypto: by class %v, by exchange %v", byClass, byExchange)
	}

	byClass, byExchange, err = models.AssetCounts(ctx, db, models.AssetQuery{Text: "apple", Exchange: "NYSE"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(byClass) != "map[us_equity:1]" || fmt.Sprint(byExchange) != "map[NASDAQ:2 NYSE:1]" {
		t.Errorf("apple on NYSE: by class %v, by exchange %v", byClass, byExchange)
	}
}

func TestUpsertAssetsRefreshesAndRetires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := seededCatalogue(t)
	before, err := models.AssetBySymbol(ctx, db, "AAPL")
	if err != nil {
		t.Fatal(err)
	}
	if !before.MarginRequirement.Valid || !before.MarginRequirement.Decimal.Equal(decimal.NewFromInt(30)) ||
		before.MinOrderSize.Valid || !before.SyncedAt.Equal(catalogueT0) {
		t.Errorf("stored AAPL %+v: want margin 30, no crypto sizes, synced at catalogueT0", before)
	}
	btc, err := models.AssetBySymbol(ctx, db, "btc/usd")
	if err != nil || !btc.MinOrderSize.Decimal.Equal(decimal.RequireFromString("0.0001")) || btc.MarginRequirement.Valid {
		t.Errorf("stored BTC/USD %+v (%v)", btc, err)
	}
	if got := btc.MarketAsset(); got.Symbol != "BTC/USD" || !got.PriceIncrement.Equal(decimal.NewFromInt(1)) ||
		!got.MarginRequirement.IsZero() {
		t.Errorf("BTC/USD as market asset: %+v", got)
	}

	// The next day's catalogue: MSFT renamed, Meta's ticker moved from FB (its provider id with
	// it), AAPL unchanged, MU delisted (absent).
	t1 := catalogueT0.Add(24 * time.Hour)
	next := testCatalogue()
	next = slices.DeleteFunc(next, func(a market.Asset) bool { return a.Symbol == "MU" })
	for i := range next {
		if next[i].Symbol == "MSFT" {
			next[i].Name = "Microsoft Corp"
		}
	}
	fb := testStock("FB", "Meta Platforms, Inc.", "NASDAQ")
	fb.ProviderID = "id-meta"
	if _, err := models.UpsertAssets(ctx, db, []market.Asset{fb}, catalogueT0); err != nil {
		t.Fatal(err)
	}
	meta := fb
	meta.Symbol = "META"
	next = append(next, meta)

	n, err := models.UpsertAssets(ctx, db, next, t1)
	if err != nil || n != len(next) {
		t.Fatalf("upserted %d, %v; want %d", n, err, len(next))
	}
	seen := make([]string, len(next))
	for i, a := range next {
		seen[i] = a.Symbol
	}
	retired, err := models.DeactivateAssetsMissing(ctx, db, seen, t1)
	if err != nil || retired != 2 {
		t.Fatalf("retired %d, %v; want MU and FB", retired, err)
	}

	got, err := models.AssetsBySymbols(ctx, db, []string{"aapl", "MSFT", "MU", "FB", "META", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("found %d of 5: %v", len(got), got)
	}
	aapl, msft, mu, old, meta2 := got["AAPL"], got["MSFT"], got["MU"], got["FB"], got["META"]
	if !aapl.SyncedAt.Equal(t1) || !aapl.UpdatedAt.Equal(before.UpdatedAt) || aapl.ID != before.ID {
		t.Errorf("unchanged AAPL: synced %s, updated %s (was %s)", aapl.SyncedAt, aapl.UpdatedAt, before.UpdatedAt)
	}
	if msft.Name != "Microsoft Corp" || !msft.UpdatedAt.Equal(t1) {
		t.Errorf("renamed MSFT: %q updated %s", msft.Name, msft.UpdatedAt)
	}
	if mu.Active || mu.Tradable || !mu.SyncedAt.Equal(catalogueT0) {
		t.Errorf("delisted MU: active %v tradable %v synced %s", mu.Active, mu.Tradable, mu.SyncedAt)
	}
	if old.Active || old.ProviderID != nil || meta2.ProviderID == nil || *meta2.ProviderID != "id-meta" || !meta2.Active {
		t.Errorf("ticker change: FB %+v, META %+v", old, meta2)
	}
	if _, err := models.AssetBySymbol(ctx, db, "NOPE"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown symbol: %v", err)
	}
}

func TestUpsertAssetsInBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t).Gorm
	var many []market.Asset
	for i := range 1203 { // three statements, the last one partial
		many = append(many, testStock(fmt.Sprintf("T%04d", i), fmt.Sprintf("Test Company %d", i), "NYSE"))
	}
	many = append(many, testStock("T0001", "Test Company One, listed twice", "NYSE")) // the last listing wins
	option := testStock("AAPL250620C00100000", "AAPL Jun 20 2025 100 Call", "OPRA")
	option.Class = "us_option"
	many = append(many, option) // not traded here: skipped rather than failing the class check
	n, err := models.UpsertAssets(ctx, db, many, catalogueT0)
	if err != nil || n != 1203 {
		t.Fatalf("upserted %d, %v", n, err)
	}
	_, total, err := models.SearchAssets(ctx, db, models.AssetQuery{})
	if err != nil || total != 1203 {
		t.Errorf("total %d, %v", total, err)
	}
	if a, err := models.AssetBySymbol(ctx, db, "T0001"); err != nil || a.Name != "Test Company One, listed twice" {
		t.Errorf("T0001 = %+v, %v", a, err)
	}
}

func TestSyncRuns(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	ok, err := models.StartSyncRun(ctx, tx, models.SyncAssets, 42, catalogueT0)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.FinishSyncRun(ctx, tx, ok, catalogueT0.Add(time.Second), 10, 2, nil); err != nil {
		t.Fatal(err)
	}
	failed, _ := models.StartSyncRun(ctx, tx, models.SyncAssets, 0, catalogueT0.Add(time.Minute))
	if err := models.FinishSyncRun(ctx, tx, failed, catalogueT0.Add(2*time.Minute), 0, 0, errors.New("provider: 503")); err != nil {
		t.Fatal(err)
	}
	runs, err := models.RecentSyncRuns(ctx, tx, models.SyncAssets, 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if runs[0].ID != failed || runs[0].Succeeded() || *runs[0].Error != "provider: 503" || runs[0].JobID != nil {
		t.Errorf("newest run %+v", runs[0])
	}
	if !runs[1].Succeeded() || runs[1].Upserted != 10 || runs[1].Deactivated != 2 || *runs[1].JobID != 42 {
		t.Errorf("older run %+v", runs[1])
	}
	last, err := models.LastSuccessfulSyncRun(ctx, tx, models.SyncAssets)
	if err != nil || last.ID != ok {
		t.Errorf("last successful %+v, %v", last, err)
	}
	if _, err := models.LastSuccessfulSyncRun(ctx, tx, models.SyncCalendar); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("no calendar sync yet: %v", err)
	}
}
