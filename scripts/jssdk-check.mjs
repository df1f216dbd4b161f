// jssdk-check drives this app with Alpaca's official JavaScript SDK (@alpacahq/alpaca-trade-api,
// pinned in package.json), unchanged: only the base URLs and the key differ from Alpaca's. The Go
// test app.TestJavaScriptSDK starts a test server, makes a key, publishes into the market hub and
// runs this script with:
//
//   ALPACA_BASE_URL  http://127.0.0.1:PORT (trading and market-data REST)
//   ALPACA_STREAM_URL ws://127.0.0.1:PORT/v2/iex (the stock data stream; /v2/test beside it is
//                    Alpaca's test stream)
//   ALPACA_KEY_ID, ALPACA_SECRET_KEY
//   ALPACA_TRADING_STREAM_URL ws://127.0.0.1:PORT/stream (trade updates; the check is left out
//                    when it is not set)
//
// It prints one line per check and exits non-zero on the first failure.
import { trading, marketData, streaming } from "@alpacahq/alpaca-trade-api";

const base = process.env.ALPACA_BASE_URL;
const streamURL = process.env.ALPACA_STREAM_URL;
const keyId = process.env.ALPACA_KEY_ID;
const secret = process.env.ALPACA_SECRET_KEY;
const tradingStreamURL = process.env.ALPACA_TRADING_STREAM_URL;
if (!base || !streamURL || !keyId || !secret) {
  console.error("jssdk-check: set ALPACA_BASE_URL, ALPACA_STREAM_URL, ALPACA_KEY_ID and ALPACA_SECRET_KEY");
  process.exit(2);
}

const creds = { keyId, secret, basePath: base, retry: undefined, rateLimit: undefined };
const tradingConfig = new trading.Configuration(creds);
const dataConfig = new marketData.Configuration(creds);

function check(name, ok, detail) {
  if (!ok) {
    throw new Error(`${name}: ${detail}`);
  }
  console.log(`ok ${name}: ${detail}`);
}

async function main() {
  const account = await new trading.AccountsApi(tradingConfig).getAccount();
  check("account", account && account.id && account.status, `id ${account.id}, status ${account.status}, cash ${account.cash}`);

  const order = await new trading.OrdersApi(tradingConfig).postOrder({
    postOrderRequest: { symbol: "AAPL", qty: "1", side: "buy", type: "market", timeInForce: "day" },
  });
  check("order", order && order.id && order.symbol === "AAPL", `id ${order.id}, status ${order.status}`);

  const stocks = new marketData.StockApi(dataConfig);
  const start = new Date("2024-04-09T13:30:00Z");
  const end = new Date("2024-04-09T20:00:00Z");
  let bars = [];
  let pages = 0;
  let pageToken;
  do {
    const page = await stocks.stockBarSingle({ symbol: "AAPL", timeframe: "1Min", start, end, limit: 200, pageToken });
    bars = bars.concat(page.bars);
    pageToken = page.nextPageToken ?? undefined;
    pages++;
  } while (pageToken);
  check("bars", bars.length >= 390 && pages > 1 && bars.every((b, i) => i === 0 || b.t > bars[i - 1].t),
    `${bars.length} minute bars in ${pages} pages`);
  const daily = await stocks.stockBars({ symbols: "AAPL,MSFT", timeframe: "1Day", start: new Date("2024-04-08T04:00:00Z"), end: new Date("2024-04-10T04:00:00Z") });
  // The multi-symbol answer is passed through as JSON: times are strings there.
  const stamp = new Date(daily.bars.AAPL?.[0]?.t ?? 0).toISOString();
  check("daily bars", daily.bars.AAPL?.length === 3 && stamp === "2024-04-08T04:00:00.000Z",
    `AAPL ${daily.bars.AAPL?.length} daily bars, first at ${stamp} (midnight New York)`);

  const latest = await stocks.stockLatestQuoteSingle({ symbol: "AAPL" });
  check("latest quote", latest.symbol === "AAPL" && latest.quote.bp > 0 && latest.quote.ap >= latest.quote.bp,
    `bid ${latest.quote.bp} ask ${latest.quote.ap}`);
  const snap = await stocks.stockSnapshotSingle({ symbol: "AAPL" });
  check("snapshot", snap.latestTrade && snap.latestQuote, `last trade ${snap.latestTrade?.p}`);

  // Historical prints and quotes: the single-symbol path page by page, the multi-symbol ones with
  // a limit that counts across symbols, newest first (passed through as JSON: times are strings).
  const open = new Date("2024-04-09T13:30:00Z");
  const fiveMin = new Date("2024-04-09T13:35:00Z");
  let prints = [];
  pages = 0;
  pageToken = undefined;
  do {
    const page = await stocks.stockTradeSingle({ symbol: "AAPL", start: open, end: fiveMin, limit: 100, pageToken });
    prints = prints.concat(page.trades);
    pageToken = page.nextPageToken ?? undefined;
    pages++;
  } while (pageToken);
  check("trades", prints.length > 100 && pages > 1 && prints.every((p, i) => p.p > 0 && (i === 0 || p.t >= prints[i - 1].t)),
    `${prints.length} AAPL prints in ${pages} pages`);
  const recent = await stocks.stockQuotes({ symbols: "MSFT,AAPL", start: open, end: fiveMin, limit: 50, sort: "desc" });
  const aq = recent.quotes.AAPL ?? [];
  check("quotes", aq.length === 50 && !recent.quotes.MSFT && recent.nextPageToken && aq.every((q, i) => q.ap >= q.bp && (i === 0 || new Date(q.t) <= new Date(aq[i - 1].t))),
    `${aq.length} AAPL quotes newest first, then a page token towards MSFT's`);
  const oneQuote = await stocks.stockQuoteSingle({ symbol: "MSFT", start: open, end: fiveMin, limit: 1 });
  const multiPrints = await stocks.stockTrades({ symbols: "AAPL,MSFT", start: open, end: fiveMin, limit: 10000 });
  check("quote and trades", oneQuote.quotes.length === 1 && oneQuote.quotes[0].bp > 0 && multiPrints.trades.AAPL?.length === prints.length && multiPrints.trades.MSFT?.length > 0,
    `MSFT's first quote bid ${oneQuote.quotes[0]?.bp}; ${multiPrints.trades.AAPL?.length} AAPL and ${multiPrints.trades.MSFT?.length} MSFT prints in one page`);

  // Crypto market data without keys, as the SDK does it.
  const crypto = new marketData.CryptoApi(new marketData.Configuration({ basePath: base }));
  const cq = await crypto.cryptoLatestQuotes({ loc: "us", symbols: "BTC/USD" });
  check("crypto quote without keys", cq.quotes["BTC/USD"]?.bp > 0, `BTC/USD bid ${cq.quotes["BTC/USD"]?.bp}`);
  const midnight = new Date("2024-04-09T00:00:00Z");
  const minute = new Date("2024-04-09T00:01:00Z");
  const ct = await crypto.cryptoTrades({ loc: "us", symbols: "BTC/USD,ETH/USD", start: midnight, end: minute });
  const cqs = await crypto.cryptoQuotes({ loc: "us", symbols: "ETH/USD", start: midnight, end: minute, limit: 20 });
  check("crypto trades and quotes without keys", ct.trades["BTC/USD"]?.length > 0 && ct.trades["ETH/USD"]?.length > 0 && ct.trades["BTC/USD"][0].tks &&
    cqs.quotes["ETH/USD"]?.length === 20 && cqs.nextPageToken,
    `${ct.trades["BTC/USD"]?.length} BTC/USD and ${ct.trades["ETH/USD"]?.length} ETH/USD prints, ${cqs.quotes["ETH/USD"]?.length} ETH/USD quotes and a next page`);

  // The stock stream (msgpack): quotes and trades the Go test publishes into the hub.
  await new Promise((resolve, reject) => {
    const s = new streaming.StockDataStream({ url: streamURL, credentials: { keyId, secret }, reconnect: false });
    const seen = { quote: null, trade: null };
    const timer = setTimeout(() => { s.disconnect(); reject(new Error("stream: no quote and trade within 15s")); }, 15000);
    const done = () => {
      if (seen.quote && seen.trade) {
        clearTimeout(timer);
        s.disconnect();
        check("stream", true, `quote bid ${seen.quote.bidPrice}, trade ${seen.trade.price} x ${seen.trade.size}`);
        resolve();
      }
    };
    s.onQuote((q) => { if (q.symbol === "AAPL") { seen.quote = q; done(); } });
    s.onTrade((t) => { if (t.symbol === "AAPL") { seen.trade = t; done(); } });
    s.onError((e) => { clearTimeout(timer); s.disconnect(); reject(new Error(`stream: ${e}`)); });
    s.onConnect(() => { s.subscribeForQuotes(["AAPL"]); s.subscribeForTrades(["AAPL"]); });
    s.connect();
  });

  // Alpaca's test stream: FAKEPACA around the clock, from the app's own test market.
  await new Promise((resolve, reject) => {
    const s = new streaming.StockDataStream({ url: streamURL.replace(/\/v2\/iex$/, "/v2/test"), credentials: { keyId, secret }, reconnect: false });
    const timer = setTimeout(() => { s.disconnect(); reject(new Error("test stream: no FAKEPACA quote within 15s")); }, 15000);
    s.onQuote((q) => {
      if (q.symbol === "FAKEPACA" && q.bidPrice > 0) {
        clearTimeout(timer);
        s.disconnect();
        check("test stream", true, `FAKEPACA bid ${q.bidPrice} ask ${q.askPrice}`);
        resolve();
      }
    });
    s.onError((e) => { clearTimeout(timer); s.disconnect(); reject(new Error(`test stream: ${e}`)); });
    s.onConnect(() => s.subscribeForQuotes(["FAKEPACA"]));
    s.connect();
  });
}

// tradeUpdates listens on the /stream WebSocket, places an order once listening, and waits for its
// new and fill events.
async function tradeUpdates() {
  await new Promise((resolve, reject) => {
    const s = new streaming.TradingStream({ url: tradingStreamURL, credentials: { keyId, secret }, reconnect: false });
    const events = [];
    // Matched by client order id: the events may come before the order's own answer.
    const clientOrderId = `jssdk-${Date.now()}`;
    const timer = setTimeout(() => { s.disconnect(); reject(new Error(`trade updates: got ${events.join(",") || "nothing"} within 15s`)); }, 15000);
    s.onTradeUpdate((u) => {
      if (u.order?.clientOrderId !== clientOrderId) {
        return;
      }
      events.push(u.event);
      if (u.event === "fill") {
        clearTimeout(timer);
        s.disconnect();
        check("trade updates", events.includes("new") && u.order.symbol === "MSFT" && u.qty && u.price && u.positionQty,
          `${events.join(", ")} for ${u.order.symbol}: ${u.qty} @ ${u.price}, position ${u.positionQty}`);
        resolve();
      }
    });
    s.on("subscription", async () => {
      try {
        await new trading.OrdersApi(tradingConfig).postOrder({
          postOrderRequest: { symbol: "MSFT", qty: "2", side: "buy", type: "market", timeInForce: "day", clientOrderId },
        });
      } catch (err) {
        clearTimeout(timer);
        s.disconnect();
        reject(err);
      }
    });
    s.onError((e) => { clearTimeout(timer); s.disconnect(); reject(new Error(`trade updates: ${e}`)); });
    s.onConnect(() => s.subscribeTradeUpdates());
    s.connect();
  });
}

main().then(() => (tradingStreamURL ? tradeUpdates() : console.log("skip trade updates: ALPACA_TRADING_STREAM_URL not set"))).then(() => process.exit(0), (err) => {
  console.error(`FAIL ${err.message ?? err}`);
  process.exit(1);
});
