package alpaca

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/market"
)

// feedClient is what a feed needs of one SDK stream client. The stock and crypto clients differ
// only in their message types, which the adapters below convert.
type feedClient interface {
	// Connect dials and completes the first handshake; the SDK keeps the connection up after.
	Connect(ctx context.Context) error
	// Terminated yields the SDK's final error (nil when ctx ended) once it gives up.
	Terminated() <-chan error
	// changes lists the SDK calls that (un)subscribe quotes, trades and bars of symbols. Each
	// blocks until the server acknowledges it.
	changes(subscribe bool, symbols []string) []func() error
}

// clientConfig is everything needed to build an SDK client.
type clientConfig struct {
	baseURL  string
	feed     string
	key      string
	secret   string
	logger   stream.Logger
	symbols  []string // initial subscriptions, sent in the handshake
	onUp     func()
	onDown   func()
	handlers handlers
}

// handlers receive converted messages.
type handlers struct {
	quote func(market.Quote)
	trade func(market.Trade)
	bar   func(market.Bar)
}

// stocksClient adapts stream.StocksClient.
type stocksClient struct {
	*stream.StocksClient
	quote func(stream.Quote)
	trade func(stream.Trade)
	bar   func(stream.Bar)
}

func newStocksClient(cfg clientConfig) feedClient {
	c := &stocksClient{
		quote: func(q stream.Quote) { cfg.handlers.quote(quoteFromStream(q)) },
		trade: func(t stream.Trade) { cfg.handlers.trade(tradeFromStream(t)) },
		bar:   func(b stream.Bar) { cfg.handlers.bar(barFromStream(b)) },
	}
	c.StocksClient = stream.NewStocksClient(cfg.feed,
		stream.WithBaseURL(cfg.baseURL),
		stream.WithCredentials(cfg.key, cfg.secret),
		stream.WithLogger(cfg.logger),
		stream.WithConnectCallback(cfg.onUp),
		stream.WithDisconnectCallback(cfg.onDown),
		stream.WithQuotes(c.quote, cfg.symbols...),
		stream.WithTrades(c.trade, cfg.symbols...),
		stream.WithBars(c.bar, cfg.symbols...),
	)
	return c
}

func (c *stocksClient) changes(subscribe bool, symbols []string) []func() error {
	if subscribe {
		return []func() error{
			func() error { return c.SubscribeToQuotes(c.quote, symbols...) },
			func() error { return c.SubscribeToTrades(c.trade, symbols...) },
			func() error { return c.SubscribeToBars(c.bar, symbols...) },
		}
	}
	return []func() error{
		func() error { return c.UnsubscribeFromQuotes(symbols...) },
		func() error { return c.UnsubscribeFromTrades(symbols...) },
		func() error { return c.UnsubscribeFromBars(symbols...) },
	}
}

// cryptoClient adapts stream.CryptoClient.
type cryptoClient struct {
	*stream.CryptoClient
	quote func(stream.CryptoQuote)
	trade func(stream.CryptoTrade)
	bar   func(stream.CryptoBar)
}

func newCryptoClient(cfg clientConfig) feedClient {
	c := &cryptoClient{
		quote: func(q stream.CryptoQuote) { cfg.handlers.quote(quoteFromCryptoStream(q)) },
		trade: func(t stream.CryptoTrade) { cfg.handlers.trade(tradeFromCryptoStream(t)) },
		bar:   func(b stream.CryptoBar) { cfg.handlers.bar(barFromCryptoStream(b)) },
	}
	c.CryptoClient = stream.NewCryptoClient(cfg.feed,
		stream.WithBaseURL(cfg.baseURL),
		stream.WithCredentials(cfg.key, cfg.secret),
		stream.WithLogger(cfg.logger),
		stream.WithConnectCallback(cfg.onUp),
		stream.WithDisconnectCallback(cfg.onDown),
		stream.WithCryptoQuotes(c.quote, cfg.symbols...),
		stream.WithCryptoTrades(c.trade, cfg.symbols...),
		stream.WithCryptoBars(c.bar, cfg.symbols...),
	)
	return c
}

func (c *cryptoClient) changes(subscribe bool, symbols []string) []func() error {
	if subscribe {
		return []func() error{
			func() error { return c.SubscribeToQuotes(c.quote, symbols...) },
			func() error { return c.SubscribeToTrades(c.trade, symbols...) },
			func() error { return c.SubscribeToBars(c.bar, symbols...) },
		}
	}
	return []func() error{
		func() error { return c.UnsubscribeFromQuotes(symbols...) },
		func() error { return c.UnsubscribeFromTrades(symbols...) },
		func() error { return c.UnsubscribeFromBars(symbols...) },
	}
}

// sdkLogger sends the SDK's logs to slog. Its routine connection chatter goes to Debug, and its
// errors to Warn: the provider itself logs the failures that matter, once, at Error.
type sdkLogger struct {
	log    *slog.Logger
	notice func(msg string) // sees every message, so the feed can show what the SDK retries quietly; may be nil
}

// Infof logs at Debug.
func (l sdkLogger) Infof(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Debug(msg)
	if l.notice != nil {
		l.notice(msg) // the SDK reports a 406 it retries only here
	}
}

// Warnf logs at Warn.
func (l sdkLogger) Warnf(format string, v ...any) { l.warn(fmt.Sprintf(format, v...)) }

// Errorf logs at Warn.
func (l sdkLogger) Errorf(format string, v ...any) { l.warn(fmt.Sprintf(format, v...)) }

func (l sdkLogger) warn(msg string) {
	l.log.Warn(msg)
	if l.notice != nil {
		l.notice(msg)
	}
}
