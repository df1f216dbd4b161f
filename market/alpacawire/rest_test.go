package alpacawire

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
)

// roundTrip marshals v and unmarshals it into a fresh T.
func roundTrip[T any](t *testing.T, v any) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return out
}

func TestRESTMarketDataRoundTrip(t *testing.T) {
	t.Parallel()
	trade := market.Trade{Symbol: "AAPL", ID: 9, Price: dec("187.23"), Size: dec("25"), Exchange: "V", Time: when}
	quote := market.Quote{Symbol: "AAPL", BidPrice: dec("187.2"), BidSize: dec("100"), AskPrice: dec("187.24"), AskSize: dec("300"), BidExchange: "V", AskExchange: "Q", Time: when}
	bar := market.Bar{Symbol: "AAPL", Start: when.Truncate(time.Minute), Open: dec("187"), High: dec("187.5"), Low: dec("186.99"), Close: dec("187.23"), Volume: dec("4100"), TradeCount: 33, VWAP: dec("187.2012")}

	assertTrade(t, roundTrip[Trade](t, NewTrade(trade)).Market("AAPL"), trade)
	assertQuote(t, roundTrip[Quote](t, NewQuote(quote)).Market("AAPL"), quote)
	assertBar(t, roundTrip[Bar](t, NewBar(bar)).Market("AAPL"), bar)

	ctrade := market.Trade{Symbol: "BTC/USD", ID: 3, Price: dec("64000.5"), Size: dec("0.0001"), Time: when}
	cquote := market.Quote{Symbol: "BTC/USD", BidPrice: dec("63999.5"), BidSize: dec("0.25"), AskPrice: dec("64001"), AskSize: dec("1.5"), Time: when}
	cbar := market.Bar{Symbol: "BTC/USD", Start: when.Truncate(time.Minute), Open: dec("64000"), High: dec("64010"), Low: dec("63990"), Close: dec("64005"), Volume: dec("0.123"), TradeCount: 4, VWAP: dec("64002.5")}
	assertTrade(t, roundTrip[CryptoTrade](t, NewCryptoTrade(ctrade)).Market("BTC/USD"), ctrade)
	assertQuote(t, roundTrip[CryptoQuote](t, NewCryptoQuote(cquote)).Market("BTC/USD"), cquote)
	assertBar(t, roundTrip[CryptoBar](t, NewCryptoBar(cbar)).Market("BTC/USD"), cbar)

	snap := market.Snapshot{Symbol: "AAPL", LatestTrade: &trade, LatestQuote: &quote, MinuteBar: &bar, DailyBar: &bar}
	got := roundTrip[SnapshotsResponse](t, SnapshotsResponse{"AAPL": NewSnapshot(snap)})["AAPL"].Market("AAPL")
	assertTrade(t, *got.LatestTrade, trade)
	assertQuote(t, *got.LatestQuote, quote)
	// A daily bar is stamped at midnight New York time on Alpaca's wire, not at the open.
	daily := bar
	daily.Start = time.Date(2024, 4, 9, 4, 0, 0, 0, time.UTC)
	assertBar(t, *got.DailyBar, daily)
	if got.PrevDailyBar != nil {
		t.Error("missing prevDailyBar came back")
	}
	csnap := market.Snapshot{Symbol: "BTC/USD", LatestQuote: &cquote, MinuteBar: &cbar}
	cgot := roundTrip[CryptoSnapshotsResponse](t, CryptoSnapshotsResponse{Snapshots: map[string]CryptoSnapshot{"BTC/USD": NewCryptoSnapshot(csnap)}})
	cm := cgot.Snapshots["BTC/USD"].Market("BTC/USD")
	assertQuote(t, *cm.LatestQuote, cquote)
	assertBar(t, *cm.MinuteBar, cbar)
}

// The JSON must decode in the SDK's own (easyjson) types: that is the contract.
func TestRESTShapesDecodeInSDK(t *testing.T) {
	t.Parallel()
	bar := market.Bar{Symbol: "AAPL", Start: when, Open: dec("1.5"), High: dec("2"), Low: dec("1"), Close: dec("1.75"), Volume: dec("100"), TradeCount: 3, VWAP: dec("1.6")}
	b, _ := json.Marshal(NewBar(bar))
	var sdkBar marketdata.Bar
	if err := sdkBar.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if sdkBar.Close != 1.75 || sdkBar.Volume != 100 || !sdkBar.Timestamp.Equal(when) {
		t.Errorf("SDK read %+v", sdkBar)
	}

	quote := market.Quote{Symbol: "BTC/USD", BidPrice: dec("64000"), BidSize: dec("0.5"), AskPrice: dec("64001"), AskSize: dec("0.25"), Time: when}
	b, _ = json.Marshal(CryptoSnapshotsResponse{Snapshots: map[string]CryptoSnapshot{"BTC/USD": NewCryptoSnapshot(market.Snapshot{LatestQuote: &quote})}})
	var sdkSnaps marketdata.CryptoSnapshots
	if err := sdkSnaps.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if q := sdkSnaps.Snapshots["BTC/USD"].LatestQuote; q == nil || q.BidSize != 0.5 {
		t.Errorf("SDK read crypto snapshot %+v", sdkSnaps)
	}

	asset := market.Asset{Symbol: "BTC/USD", Name: "Bitcoin / US Dollar", Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true,
		Fractionable: true, MarginRequirement: dec("100"), MinOrderSize: dec("0.000018777"), MinTradeIncrement: dec("0.000000001"), PriceIncrement: dec("1")}
	b, _ = json.Marshal(NewAsset(asset))
	var sdkAsset alpaca.Asset
	if err := sdkAsset.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if sdkAsset.Symbol != "BTC/USD" || sdkAsset.Status != alpaca.AssetActive || sdkAsset.Class != alpaca.Crypto || sdkAsset.MaintenanceMarginRequirement != 100 {
		t.Errorf("SDK read asset %+v", sdkAsset)
	}
	if !strings.Contains(string(b), `"min_order_size":"0.000018777"`) {
		t.Errorf("crypto increments must be decimal strings: %s", b)
	}
}

func TestAssetRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []market.Asset{
		{ProviderID: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", Symbol: "AAPL", Name: "Apple Inc.", Class: market.USEquity, Exchange: "NASDAQ",
			Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true, Fractionable: true, MarginRequirement: dec("30")},
		{Symbol: "OLD", Name: "Delisted", Class: market.USEquity, Exchange: "OTC", MarginRequirement: dec("12.5")},
		{Symbol: "ETH/USD", Name: "Ethereum", Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true,
			MarginRequirement: dec("100"), MinOrderSize: dec("0.001"), MinTradeIncrement: dec("0.000000001"), PriceIncrement: dec("0.1")},
	}
	for _, want := range cases {
		got, err := roundTrip[Asset](t, NewAsset(want)).Market()
		if err != nil {
			t.Fatal(err)
		}
		if want.ProviderID == "" {
			want.ProviderID = AssetID(want.Symbol)
		}
		if got.ProviderID != want.ProviderID || got.Symbol != want.Symbol || got.Name != want.Name || got.Class != want.Class ||
			got.Exchange != want.Exchange || got.Active != want.Active || got.Tradable != want.Tradable || got.Marginable != want.Marginable ||
			got.Shortable != want.Shortable || got.EasyToBorrow != want.EasyToBorrow || got.Fractionable != want.Fractionable ||
			!got.MarginRequirement.Equal(want.MarginRequirement) || !got.MinOrderSize.Equal(want.MinOrderSize) ||
			!got.MinTradeIncrement.Equal(want.MinTradeIncrement) || !got.PriceIncrement.Equal(want.PriceIncrement) {
			t.Errorf("asset round trip\n got %+v\nwant %+v", got, want)
		}
	}
	if first, again := AssetID("AAPL"), AssetID("AAPL"); first != again || first == AssetID("MSFT") {
		t.Error("derived asset ids must be stable and distinct")
	}
}

func etDay(t *testing.T, date string, open, closeAt string) market.CalendarDay {
	t.Helper()
	ny := NewYork()
	d, err := time.ParseInLocation(DateLayout, date, ny)
	if err != nil {
		t.Fatal(err)
	}
	at := func(hhmm string) time.Time {
		c, _ := time.Parse("15:04", hhmm)
		return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, ny).UTC()
	}
	sessionClose := "20:00"
	if closeAt != "16:00" {
		sessionClose = "17:00"
	}
	return market.CalendarDay{Date: d, Open: at(open), Close: at(closeAt), SessionOpen: at("04:00"), SessionClose: at(sessionClose)}
}

func TestCalendarDayRoundTrip(t *testing.T) {
	t.Parallel()
	for _, want := range []market.CalendarDay{etDay(t, "2024-04-09", "09:30", "16:00"), etDay(t, "2024-11-29", "09:30", "13:00"), etDay(t, "2024-01-02", "09:30", "16:00")} {
		wire := NewCalendarDay(want)
		got, err := roundTrip[CalendarDay](t, wire).Market()
		if err != nil {
			t.Fatal(err)
		}
		if !got.Date.Equal(want.Date) || !got.Open.Equal(want.Open) || !got.Close.Equal(want.Close) ||
			!got.SessionOpen.Equal(want.SessionOpen) || !got.SessionClose.Equal(want.SessionClose) {
			t.Errorf("calendar round trip\n got %+v\nwant %+v", got, want)
		}
		// The SDK's shape: strings in exchange wall-clock time.
		var sdk alpaca.CalendarDay
		b, _ := json.Marshal(wire)
		if err := sdk.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if sdk.Date != want.Date.In(NewYork()).Format("2006-01-02") || sdk.Open != "09:30" {
			t.Errorf("SDK read %+v", sdk)
		}
	}
	// Without session times (the SDK's own shape) an early close ends after-hours at 17:00.
	got, err := CalendarDay{Date: "2024-11-29", Open: "09:30", Close: "13:00"}.Market()
	if err != nil {
		t.Fatal(err)
	}
	if want := etDay(t, "2024-11-29", "09:30", "13:00"); !got.SessionClose.Equal(want.SessionClose) || !got.SessionOpen.Equal(want.SessionOpen) {
		t.Errorf("defaults: got %+v", got)
	}
	if _, err := (CalendarDay{Date: "2024-13-01", Open: "09:30", Close: "16:00"}).Market(); err == nil {
		t.Error("bad date accepted")
	}
}

func TestClockAt(t *testing.T) {
	t.Parallel()
	days := []market.CalendarDay{
		etDay(t, "2024-04-05", "09:30", "16:00"), // Friday
		etDay(t, "2024-04-08", "09:30", "16:00"), // Monday
		etDay(t, "2024-04-09", "09:30", "16:00"),
	}
	ny := NewYork()
	et := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		now                 string
		open                bool
		nextOpen, nextClose string
	}{
		{"2024-04-08 10:00", true, "2024-04-09 09:30", "2024-04-08 16:00"},
		{"2024-04-08 09:30", true, "2024-04-09 09:30", "2024-04-08 16:00"},
		{"2024-04-08 16:00", false, "2024-04-09 09:30", "2024-04-09 16:00"},
		{"2024-04-06 12:00", false, "2024-04-08 09:30", "2024-04-08 16:00"}, // Saturday
		{"2024-04-08 08:00", false, "2024-04-08 09:30", "2024-04-08 16:00"},
	}
	for _, c := range cases {
		clock, err := ClockAt(et(c.now), days)
		if err != nil {
			t.Fatal(err)
		}
		if clock.IsOpen != c.open || !clock.NextOpen.Equal(et(c.nextOpen)) || !clock.NextClose.Equal(et(c.nextClose)) {
			t.Errorf("at %s: got %+v", c.now, clock)
		}
		b, _ := json.Marshal(clock)
		if !strings.Contains(string(b), "-04:00") {
			t.Errorf("clock must carry the exchange offset: %s", b)
		}
		var sdk alpaca.Clock
		if err := sdk.UnmarshalJSON(b); err != nil || sdk.IsOpen != c.open || !sdk.NextOpen.Equal(et(c.nextOpen)) {
			t.Errorf("SDK read %+v (%v)", sdk, err)
		}
	}
	if _, err := ClockAt(et("2024-04-10 10:00"), days); err == nil {
		t.Error("clock past the calendar's end must fail")
	}
}

func TestParseTimeFrame(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"1Min": "1Min", "15T": "15Min", "59Min": "59Min", "1Hour": "1Hour", "4H": "4Hour", "1Day": "1Day", "1D": "1Day", "1Week": "1Week", "3Month": "3Month", "12M": "12Month"}
	for in, want := range ok {
		tf, err := ParseTimeFrame(in)
		if err != nil || tf.String() != want {
			t.Errorf("ParseTimeFrame(%q) = %v, %v; want %s", in, tf, err, want)
		}
	}
	for _, bad := range []string{"", "0Min", "60Min", "24Hour", "2Day", "5Month", "1Year", "Min", "1min"} {
		if _, err := ParseTimeFrame(bad); err == nil {
			t.Errorf("ParseTimeFrame(%q) accepted", bad)
		}
	}
	if d, ok := (TimeFrame{N: 5, Unit: UnitMin}).Intraday(); !ok || d != 5*time.Minute {
		t.Error("5Min width")
	}
	if _, ok := (TimeFrame{N: 1, Unit: UnitDay}).Intraday(); ok {
		t.Error("1Day is not intraday")
	}
}

func TestPageToken(t *testing.T) {
	t.Parallel()
	tok := EncodePageToken("BTC/USD", when)
	if strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	sym, at, err := DecodePageToken(tok)
	if err != nil || sym != "BTC/USD" || !at.Equal(when) {
		t.Errorf("DecodePageToken = %q %v %v", sym, at, err)
	}
	for _, bad := range []string{"", "!!!", rawToken("nopipe"), rawToken("X|notatime")} {
		if _, _, err := DecodePageToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// rawToken wraps arbitrary text as a token, to feed DecodePageToken broken input.
func rawToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
