package urls

import "testing"

func TestPathFillsParametersInOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		got    string
		expect string
	}{
		{"no parameters", Path(Login), "/login"},
		{"an id", Path(OrderCancel, "7f3c"), "/orders/7f3c/cancel"},
		{"an integer id", Path(WatchlistRename, int64(42)), "/watchlists/42/rename"},
		{"a segment is escaped", Path(SettingsSessionRevoke, "a b/c"), "/settings/sessions/a%20b%2Fc/revoke"},
		{"a symbol keeps its slash", Path(Instrument, "BTC/USD"), "/instruments/BTC/USD"},
		{"a symbol in the middle", Path(APIAssetCandles, "BTC/USD"), "/api/v1/assets/BTC/USD/candles"},
		{"an escaped colon is literal", Path(AlpacaOrdersByClientOrderID), "/v2/orders:by_client_order_id"},
		{"two parameters", Path(AlpacaWatchlistAsset, "w1", "AAPL"), "/v2/watchlists/w1/AAPL"},
		{"a query in the given order", Query(Path(Orders), "status", "all", "before", "2026-01-02T15:04:05Z"), "/orders?status=all&before=2026-01-02T15%3A04%3A05Z"},
	} {
		if tc.got != tc.expect {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.expect)
		}
	}
}

func TestPathPanicsOnTheWrongNumberOfParameters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"too few", func() { Path(OrderCancel) }},
		{"too many", func() { Path(Login, "x") }},
		{"too many for a pattern with parameters", func() { Path(OrderCancel, "a", "b") }},
		{"not a string or id", func() { Path(OrderCancel, 1.5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.call()
		})
	}
}

func TestEveryNameIsListedOnce(t *testing.T) {
	t.Parallel()
	seen := map[Name]bool{}
	for _, n := range All() {
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
	}
}
