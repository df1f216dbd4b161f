package app

import (
	"context"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
)

// TestAlpacaGoSDKTradeUpdatesAndData extends the bot's day with the Go SDK's trade-update stream
// and its market-data client against the same app.
func TestAlpacaGoSDKTradeUpdatesAndData(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	cl := b.client(b.aliceKey)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	events := make(chan alpaca.TradeUpdate, 16)
	go func() {
		_ = cl.StreamTradeUpdates(ctx, func(u alpaca.TradeUpdate) { events <- u }, alpaca.StreamTradeUpdatesRequest{})
	}()
	var o *alpaca.Order
	deadline := time.After(15 * time.Second)
	seen := map[string]bool{}
	for !seen["fill"] {
		if o == nil {
			var err error
			if o, err = cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day}); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case u := <-events:
			if u.Order.ID == o.ID {
				seen[u.Event] = true
			}
		case <-time.After(2 * time.Second):
			o = nil // the stream was not yet listening: place another
		case <-deadline:
			t.Fatalf("no fill event; saw %v", seen)
		}
	}
	data := marketdata.NewClient(marketdata.ClientOpts{APIKey: b.aliceKey.KeyID, APISecret: b.aliceKey.Secret, BaseURL: b.url})
	q, err := data.GetLatestQuote("AAPL", marketdata.GetLatestQuoteRequest{})
	if err != nil || q == nil || q.AskPrice <= 0 {
		t.Fatalf("latest quote = %+v, %v", q, err)
	}
}
