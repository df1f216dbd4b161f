package alpacawire

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vmihailenco/msgpack/v5"

	"alpacawrapper/market"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var when = time.Date(2024, 4, 9, 14, 30, 1, 123456789, time.UTC)

// unmarshalFrame decodes a frame into a slice of one message type, in either format.
func unmarshalFrame[T any](t *testing.T, f Format, frame []byte) []T {
	t.Helper()
	var out []T
	var err error
	if f == MsgPack {
		err = msgpack.Unmarshal(frame, &out)
	} else {
		err = json.Unmarshal(frame, &out)
	}
	if err != nil {
		t.Fatalf("decode %s frame: %v", f, err)
	}
	return out
}

// encodeChecked encodes messages and checks, as the SDK does, that every element starts with T.
func encodeChecked(t *testing.T, f Format, wantT string, msgs ...any) []byte {
	t.Helper()
	frame, err := Encode(f, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	types, err := MessageTypes(f, frame)
	if err != nil {
		t.Fatalf("%s frame breaks the T-first rule: %v", f, err)
	}
	for _, ty := range types {
		if ty != wantT {
			t.Fatalf("T = %q, want %q", ty, wantT)
		}
	}
	return frame
}

func TestStreamMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	stockTrade := market.Trade{Symbol: "AAPL", ID: 52983525029461, Price: dec("187.23"), Size: dec("100"), Exchange: "V", Time: when}
	cryptoTrade := market.Trade{Symbol: "BTC/USD", ID: 7, Price: dec("64123.45"), Size: dec("0.00012345"), Time: when}
	stockQuote := market.Quote{Symbol: "AAPL", BidPrice: dec("187.22"), BidSize: dec("300"), AskPrice: dec("187.25"), AskSize: dec("200"), BidExchange: "V", AskExchange: "V", Time: when}
	cryptoQuote := market.Quote{Symbol: "ETH/USD", BidPrice: dec("3120.5"), BidSize: dec("1.25"), AskPrice: dec("3121.75"), AskSize: dec("0.5"), Time: when}
	stockBar := market.Bar{Symbol: "MSFT", Start: when.Truncate(time.Minute), Open: dec("420.1"), High: dec("420.55"), Low: dec("419.9"), Close: dec("420.01"), Volume: dec("12345"), TradeCount: 87, VWAP: dec("420.2231")}
	cryptoBar := market.Bar{Symbol: "BTC/USD", Start: when.Truncate(time.Minute), Open: dec("64000"), High: dec("64100.5"), Low: dec("63999.99"), Close: dec("64050.25"), Volume: dec("1.23456789"), TradeCount: 12, VWAP: dec("64042.1")}

	for _, f := range []Format{MsgPack, JSON} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			frame := encodeChecked(t, f, TypeTrade, NewTradeMsg(stockTrade), NewTradeMsg(stockTrade))
			got := unmarshalFrame[TradeMsg](t, f, frame)
			if len(got) != 2 {
				t.Fatalf("batch of 2 decoded as %d", len(got))
			}
			assertTrade(t, got[0].Market(), stockTrade)

			frame = encodeChecked(t, f, TypeTrade, NewCryptoTradeMsg(cryptoTrade))
			assertTrade(t, unmarshalFrame[CryptoTradeMsg](t, f, frame)[0].Market(), cryptoTrade)

			frame = encodeChecked(t, f, TypeQuote, NewQuoteMsg(stockQuote))
			assertQuote(t, unmarshalFrame[QuoteMsg](t, f, frame)[0].Market(), stockQuote)

			frame = encodeChecked(t, f, TypeQuote, NewCryptoQuoteMsg(cryptoQuote))
			assertQuote(t, unmarshalFrame[CryptoQuoteMsg](t, f, frame)[0].Market(), cryptoQuote)

			for _, typ := range []string{TypeBar, TypeUpdatedBar, TypeDailyBar} {
				frame = encodeChecked(t, f, typ, NewBarMsg(typ, stockBar))
				assertBar(t, unmarshalFrame[BarMsg](t, f, frame)[0].Market(), stockBar)
				frame = encodeChecked(t, f, typ, NewCryptoBarMsg(typ, cryptoBar))
				assertBar(t, unmarshalFrame[CryptoBarMsg](t, f, frame)[0].Market(), cryptoBar)
			}
		})
	}
}

func TestMessageShapePicksStockOrCrypto(t *testing.T) {
	t.Parallel()
	if _, ok := TradeMessage(market.Trade{Symbol: "BTC/USD"}).(CryptoTradeMsg); !ok {
		t.Error("BTC/USD trade is not a CryptoTradeMsg")
	}
	if _, ok := TradeMessage(market.Trade{Symbol: "AAPL"}).(TradeMsg); !ok {
		t.Error("AAPL trade is not a TradeMsg")
	}
	if _, ok := QuoteMessage(market.Quote{Symbol: "ETH/USD"}).(CryptoQuoteMsg); !ok {
		t.Error("ETH/USD quote is not a CryptoQuoteMsg")
	}
	if _, ok := BarMessage(TypeBar, market.Bar{Symbol: "SPY"}).(BarMsg); !ok {
		t.Error("SPY bar is not a BarMsg")
	}
}

func TestStockSizesAreWholeShares(t *testing.T) {
	t.Parallel()
	m := NewTradeMsg(market.Trade{Symbol: "AAPL", Price: dec("1"), Size: dec("10.75")})
	if m.Size != 10 {
		t.Errorf("size 10.75 sent as %d, want 10 (whole shares)", m.Size)
	}
	b := NewBarMsg(TypeBar, market.Bar{Symbol: "AAPL", Volume: dec("-3")})
	if b.Volume != 0 {
		t.Errorf("negative volume sent as %d, want 0", b.Volume)
	}
}

func TestControlMessagesKeepTFirst(t *testing.T) {
	t.Parallel()
	set := map[string][]string{ChanTrades: {"AAPL"}, ChanQuotes: {"AAPL", "MSFT"}, ChanBars: {"*"}}
	cases := []struct {
		msg   any
		wantT string
	}{
		{NewSuccessMsg(MsgConnected), TypeSuccess},
		{NewErrorMsg(CodeAuthFailed), TypeError},
		{NewStockSubscriptionMsg(set), TypeSubscription},
		{NewCryptoSubscriptionMsg(set), TypeSubscription},
	}
	for _, f := range []Format{MsgPack, JSON} {
		for _, c := range cases {
			encodeChecked(t, f, c.wantT, c.msg)
		}
	}
	ack := NewStockSubscriptionMsg(set)
	if len(ack.CancelErrors) != 1 || ack.CancelErrors[0] != "AAPL" || len(ack.Corrections) != 1 {
		t.Errorf("cancelErrors/corrections must mirror trades: %+v", ack)
	}
	if ack.Statuses == nil || len(ack.Statuses) != 0 {
		t.Errorf("unused lists must be empty, not null: %#v", ack.Statuses)
	}
	b, _ := json.Marshal(ack)
	want := `{"T":"subscription","trades":["AAPL"],"quotes":["AAPL","MSFT"],"bars":["*"],"updatedBars":[],"dailyBars":[],"statuses":[],"imbalances":[],"lulds":[],"cancelErrors":["AAPL"],"corrections":["AAPL"]}`
	if string(b) != want {
		t.Errorf("stock ack JSON\n got %s\nwant %s", b, want)
	}
}

func TestErrorTexts(t *testing.T) {
	t.Parallel()
	// The SDK matches code and text together; these are its texts (marketdata/stream/errors.go).
	want := map[int]string{
		400: "invalid syntax", 401: "not authenticated", 402: "auth failed", 403: "already authenticated",
		404: "auth timeout", 405: "symbol limit exceeded", 406: "connection limit exceeded", 407: "slow client",
		409: "insufficient subscription", 410: "invalid subscribe action for this feed", 411: "insufficient scope",
		500: "internal error",
	}
	for code, text := range want {
		if got := ErrorText(code); got != text {
			t.Errorf("ErrorText(%d) = %q, want %q", code, got, text)
		}
		if m := NewErrorMsg(code); m.Code != code || m.Msg != text || m.T != TypeError {
			t.Errorf("NewErrorMsg(%d) = %+v", code, m)
		}
	}
}

func TestDecodeAction(t *testing.T) {
	t.Parallel()
	// Exactly what the SDK writes: a msgpack map with every list key, nil for unused ones.
	sdkSub, err := msgpack.Marshal(map[string]interface{}{
		"action": "subscribe", "trades": []string{"AAPL"}, "quotes": []string{"AAPL", "MSFT"},
		"bars": []string{}, "updatedBars": nil, "dailyBars": nil, "statuses": nil, "imbalances": nil,
		"lulds": nil, "orderbooks": nil, "news": nil, "pricing": nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	sdkAuth, _ := msgpack.Marshal(map[string]string{"action": "auth", "key": "K", "secret": "S"})

	cases := []struct {
		name    string
		f       Format
		data    []byte
		want    string
		wantErr bool
		lists   int
	}{
		{"sdk subscribe", MsgPack, sdkSub, ActionSubscribe, false, 2},
		{"sdk auth", MsgPack, sdkAuth, ActionAuth, false, 0},
		{"json auth", JSON, []byte(`{"action":"auth","key":"K","secret":"S"}`), ActionAuth, false, 0},
		{"json array", JSON, []byte(`[{"action":"unsubscribe","bars":["*"]}]`), ActionUnsubscribe, false, 1},
		{"json garbage", JSON, []byte(`{"action":`), "", true, 0},
		{"msgpack garbage", MsgPack, []byte{0xc1}, "", true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := DecodeAction(c.f, c.data)
			if c.wantErr {
				if err == nil {
					t.Fatalf("decoded garbage as %+v", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Action != c.want || len(a.Lists()) != c.lists {
				t.Errorf("got %+v (lists %v), want action %s with %d lists", a, a.Lists(), c.want, c.lists)
			}
			if c.want == ActionAuth && (a.Key != "K" || a.Secret != "S") {
				t.Errorf("credentials lost: %+v", a)
			}
		})
	}
}

func TestMalformedFramesDoNotDecode(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{MsgPack, JSON} {
		if _, err := MessageTypes(f, Malformed(f)); err == nil {
			t.Errorf("%s malformed frame decoded", f)
		}
	}
	if FormatFor("application/msgpack") != MsgPack || FormatFor("") != JSON || FormatFor("application/json") != JSON {
		t.Error("FormatFor picks the wrong format")
	}
}

func TestMessageTypesRejectsMapsWithoutTFirst(t *testing.T) {
	t.Parallel()
	// A Go map has no key order: this is the mistake the ordered structs exist to avoid.
	frame, _ := msgpack.Marshal([]any{map[string]any{"S": "AAPL"}})
	if _, err := MessageTypes(MsgPack, frame); err == nil {
		t.Error("map without T accepted")
	}
	if _, err := MessageTypes(JSON, []byte(`[{"S":"AAPL","T":"q"}]`)); err == nil {
		t.Error("JSON object with T second accepted")
	}
}

func assertTrade(t *testing.T, got, want market.Trade) {
	t.Helper()
	if got.Symbol != want.Symbol || got.ID != want.ID || !got.Price.Equal(want.Price) || !got.Size.Equal(want.Size) ||
		got.Exchange != want.Exchange || !got.Time.Equal(want.Time) {
		t.Errorf("trade round trip\n got %+v\nwant %+v", got, want)
	}
}

func assertQuote(t *testing.T, got, want market.Quote) {
	t.Helper()
	if got.Symbol != want.Symbol || !got.BidPrice.Equal(want.BidPrice) || !got.BidSize.Equal(want.BidSize) ||
		!got.AskPrice.Equal(want.AskPrice) || !got.AskSize.Equal(want.AskSize) ||
		got.BidExchange != want.BidExchange || got.AskExchange != want.AskExchange || !got.Time.Equal(want.Time) {
		t.Errorf("quote round trip\n got %+v\nwant %+v", got, want)
	}
}

func assertBar(t *testing.T, got, want market.Bar) {
	t.Helper()
	if got.Symbol != want.Symbol || !got.Start.Equal(want.Start) || !got.Open.Equal(want.Open) || !got.High.Equal(want.High) ||
		!got.Low.Equal(want.Low) || !got.Close.Equal(want.Close) || !got.Volume.Equal(want.Volume) ||
		got.TradeCount != want.TradeCount || !got.VWAP.Equal(want.VWAP) {
		t.Errorf("bar round trip\n got %+v\nwant %+v", got, want)
	}
}
