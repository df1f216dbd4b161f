package app

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
)

// A fill at the ask whose cost against the mid rounds to nothing (a small crypto order) is still
// not a fill at the mid-price; only a fill exactly at the mid says so.
func TestReceiptNamesTheSpreadPaidUnderACent(t *testing.T) {
	t.Parallel()
	receipt := func(price, cost string) []byte {
		return []byte(`{"bid":"92000","ask":"92010","mid":"92005","rule":"market_at_ask","cost_vs_mid":"` + cost + `","price":"` + price + `"}`)
	}
	for _, c := range []struct {
		name, price, cost, want string
		paid, saved             bool
	}{
		{"at the ask, under a cent", "92010", "0.0005", "You paid less than $0.01 more than the mid-price", true, false},
		{"at the ask, cents", "92010", "0.5", "You paid $0.50 more than the mid-price", true, false},
		{"better than the mid, under a cent", "92004.99", "-0.000001", "You did less than $0.01 better than the mid-price", false, true},
		{"at the mid", "92005", "0", "Filled at the mid-price", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &models.Fill{Symbol: "BTC/USD", Side: "buy", Qty: decimal.RequireFromString("0.0001"),
				Price: decimal.RequireFromString(c.price), ExecutedAt: time.Now(), Receipt: receipt(c.price, c.cost)}
			rv := receiptView(&models.OwnedFill{Fill: *f}, time.UTC)
			if !strings.HasPrefix(rv.CostNote, c.want) || rv.CostPaid != c.paid || rv.CostSaved != c.saved {
				t.Errorf("note %q (paid %v, saved %v), want %q (paid %v, saved %v)", rv.CostNote, rv.CostPaid, rv.CostSaved, c.want, c.paid, c.saved)
			}
		})
	}
}
