package candlestest

import (
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/market"
)

// InsertAsset adds an asset row with plain SQL (every column given, so it does not lean on the
// catalogue's defaults) and returns its id.
func InsertAsset(t testing.TB, db *gorm.DB, symbol string, class market.AssetClass) int64 {
	t.Helper()
	exchange := "NASDAQ"
	if class == market.Crypto {
		exchange = "CRYPTO"
	}
	var id int64
	err := db.Raw(`INSERT INTO assets (provider_id, symbol, name, class, exchange, active, tradable,
			marginable, shortable, easy_to_borrow, fractionable, margin_requirement, min_order_size,
			min_trade_increment, price_increment, synced_at)
		VALUES (gen_random_uuid()::text, ?, ?, ?, ?, true, true, false, false, false, true, 0, 0, 0, 0, now())
		RETURNING id`, symbol, symbol+" fixture", string(class), exchange).Scan(&id).Error
	if err != nil {
		t.Fatalf("candlestest: insert asset %s: %v", symbol, err)
	}
	return id
}
