package views

// The set-up snippets of the "Use your bot" page, with this server's addresses filled in.

func goSetup(v BotsView) string {
	return `import (
	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
)

client := alpaca.NewClient(alpaca.ClientOpts{
	APIKey:     "PK…",          // your key id
	APISecret:  "…",            // its secret
	BaseURL:    "` + v.BaseURL + `",
	RetryLimit: -1,             // see Rate limits below
})
data := marketdata.NewClient(marketdata.ClientOpts{
	APIKey: "PK…", APISecret: "…", BaseURL: "` + v.BaseURL + `",
})
quotes := stream.NewStocksClient("iex",
	stream.WithCredentials("PK…", "…"), stream.WithBaseURL("` + v.BaseURL + `/v2"))
// Trade updates: client.StreamTradeUpdatesInBackground(ctx, handler)`
}

func pythonSetup(v BotsView) string {
	return `from alpaca.trading.client import TradingClient
from alpaca.trading.stream import TradingStream
from alpaca.data.historical import StockHistoricalDataClient

trading = TradingClient("PK…", "…", paper=True, url_override="` + v.BaseURL + `")
data = StockHistoricalDataClient("PK…", "…", url_override="` + v.BaseURL + `")
updates = TradingStream("PK…", "…", paper=True, url_override="` + v.StreamURL + `/stream")`
}

func jsSetup(v BotsView) string {
	return `import { trading, marketData } from "@alpacahq/alpaca-trade-api";

const config = { keyId: "PK…", secret: "…", basePath: "` + v.BaseURL + `" };
const account = await new trading.AccountsApi(new trading.Configuration(config)).getAccount();
const order = await new trading.OrdersApi(new trading.Configuration(config)).postOrder({
  postOrderRequest: { symbol: "AAPL", qty: "1", side: "buy", type: "market", timeInForce: "day" },
});
const stocks = new marketData.StockApi(new marketData.Configuration(config));`
}
