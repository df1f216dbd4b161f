package alpaca

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/market"
)

func TestAssetFromSDK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     alpaca.Asset
		want   market.Asset
		wantOK bool
	}{
		{
			name: "active marginable stock",
			in: alpaca.Asset{ID: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", Class: alpaca.USEquity, Exchange: "NASDAQ",
				Symbol: "AAPL", Name: "Apple Inc.", Status: alpaca.AssetActive, Tradable: true, Marginable: true,
				MaintenanceMarginRequirement: 30, Shortable: true, EasyToBorrow: true, Fractionable: true},
			want: market.Asset{ProviderID: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", Symbol: "AAPL", Name: "Apple Inc.",
				Class: market.USEquity, Exchange: "NASDAQ", Active: true, Tradable: true, Marginable: true, Shortable: true,
				EasyToBorrow: true, Fractionable: true, MarginRequirement: d("30")},
			wantOK: true,
		},
		{
			name: "inactive stock",
			in: alpaca.Asset{ID: "x", Class: alpaca.USEquity, Exchange: "OTC", Symbol: "GONE", Name: "Gone Corp",
				Status: alpaca.AssetInactive, MaintenanceMarginRequirement: 100},
			want: market.Asset{ProviderID: "x", Symbol: "GONE", Name: "Gone Corp", Class: market.USEquity,
				Exchange: "OTC", MarginRequirement: d("100")},
			wantOK: true,
		},
		{
			name: "crypto",
			in: alpaca.Asset{ID: "c", Class: alpaca.Crypto, Exchange: "CRYPTO", Symbol: "BTC/USD", Name: "Bitcoin",
				Status: alpaca.AssetActive, Tradable: true, Fractionable: true},
			want: market.Asset{ProviderID: "c", Symbol: "BTC/USD", Name: "Bitcoin", Class: market.Crypto,
				Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true, MarginRequirement: d("0")},
			wantOK: true,
		},
		{
			name:   "options are left out",
			in:     alpaca.Asset{ID: "o", Class: "us_option", Symbol: "AAPL240719C00190000"},
			wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := assetFromSDK(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if !got.MarginRequirement.Equal(tt.want.MarginRequirement) {
				t.Errorf("MarginRequirement = %s, want %s", got.MarginRequirement, tt.want.MarginRequirement)
			}
			got.MarginRequirement = tt.want.MarginRequirement // compared by value above
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSDKTimeframe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      market.Timeframe
		want    marketdata.TimeFrame
		wantErr bool
	}{
		{market.Min1, marketdata.OneMin, false},
		{market.Day1, marketdata.OneDay, false},
		{market.Min5, marketdata.TimeFrame{}, true},
		{market.Hour1, marketdata.TimeFrame{}, true},
	}
	for _, tt := range tests {
		got, err := sdkTimeframe(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("sdkTimeframe(%s) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if marketdata.OneMin.String() != "1Min" || marketdata.OneDay.String() != "1Day" {
		t.Errorf("SDK timeframe names changed: %s, %s", marketdata.OneMin, marketdata.OneDay)
	}
}

func TestSymbolHelpers(t *testing.T) {
	t.Parallel()
	stocks, cryptos := splitByClass([]string{"AAPL", "BTC/USD", "", "MSFT", "AAPL", "ETH/USD", "BTC/USD"})
	if !slices.Equal(stocks, []string{"AAPL", "MSFT"}) || !slices.Equal(cryptos, []string{"BTC/USD", "ETH/USD"}) {
		t.Errorf("splitByClass = %v, %v", stocks, cryptos)
	}
	got := chunks([]string{"a", "b", "c", "d", "e"}, 2)
	if fmt.Sprint(got) != "[[a b] [c d] [e]]" {
		t.Errorf("chunks = %v", got)
	}
	if chunks(nil, 3) != nil {
		t.Error("chunks of nothing should be nothing")
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	o, err := Options{KeyID: "k", SecretKey: "s"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.TradingURL != DefaultTradingURL || o.DataURL != DefaultDataURL || o.StreamURL != DefaultStreamURL ||
		o.CryptoStreamURL != DefaultCryptoStreamURL || o.Feed != "iex" || o.SilenceTimeout != 30*time.Second ||
		o.Backoff.Initial != time.Second || o.Backoff.Max != time.Minute || o.Backoff.Jitter != 0.5 ||
		o.Logger == nil || o.IsMarketOpen == nil || !o.IsMarketOpen(time.Now()) {
		t.Errorf("defaults: %+v", o)
	}
	o, err = Options{KeyID: "k", SecretKey: "s", DataURL: "http://127.0.0.1:9/", Feed: "sip"}.withDefaults()
	if err != nil || o.DataURL != "http://127.0.0.1:9" || o.Feed != "sip" {
		t.Errorf("trailing slash or feed: %q %q %v", o.DataURL, o.Feed, err)
	}
	for _, bad := range []Options{{KeyID: "k"}, {SecretKey: "s"}, {KeyID: "k", SecretKey: "s", Feed: "otc"}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v): no error", bad)
		}
	}
}

func TestBackoffGrowsToMaxWithJitter(t *testing.T) {
	t.Parallel()
	b := backoff{cfg: Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: -1}.withDefaults()}
	var got []time.Duration
	for range 6 {
		got = append(got, b.next())
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays without jitter = %v", got)
		}
	}
	b.reset()
	if first := b.next(); first != 100*time.Millisecond {
		t.Errorf("after reset: %v", first)
	}

	j := backoff{cfg: Backoff{Initial: time.Second, Max: time.Second, Jitter: 0.5}.withDefaults()}
	distinct := map[time.Duration]bool{}
	for range 50 {
		v := j.next()
		if v < 500*time.Millisecond || v > time.Second {
			t.Fatalf("jittered delay %v outside [0.5s, 1s]", v)
		}
		distinct[v] = true
	}
	if len(distinct) < 10 {
		t.Errorf("jitter produced only %d distinct delays", len(distinct))
	}
}

func TestRejection(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("irrecoverable error: %w", err) }
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantText string
	}{
		{"bad keys", wrap(stream.ErrInvalidCredentials), 402,
			"alpaca: the stream rejected the API keys (402 auth failed): check ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY"},
		{"plan without the feed", wrap(stream.ErrInsufficientSubscription), 409, `the "sip" feed`},
		{"no data scope", wrap(stream.ErrInsufficientScope), 411, "411"},
		{"connection limit is retried", stream.ErrConnectionLimitExceeded, 0, ""},
		{"dropped connection is retried", errors.New("max reconnect limit has been reached"), 0, ""},
		{"nothing", nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rej := rejection(tt.err, "sip")
			if tt.wantCode == 0 {
				if rej != nil {
					t.Fatalf("rejection = %v, want none", rej)
				}
				return
			}
			if rej == nil || rej.Code != tt.wantCode || !strings.Contains(rej.Error(), tt.wantText) {
				t.Fatalf("rejection = %v, want code %d containing %q", rej, tt.wantCode, tt.wantText)
			}
			if !errors.Is(rej, tt.err) {
				t.Error("the SDK's error does not unwrap")
			}
		})
	}
}
