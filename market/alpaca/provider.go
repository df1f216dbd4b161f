// Package alpaca is the market.Provider backed by Alpaca, through Alpaca's official Go SDK
// (alpaca-trade-api-go v3): the trading API for the asset catalogue and the calendar, the
// market-data API for bars, latest quotes and snapshots, and the market-data websocket streams
// (one for stocks, one for crypto) for live quotes, trades and minute bars. The SDK's floats are
// turned into decimals here, at the boundary, and never travel further.
package alpaca

import (
	"context"
	"net/http"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
)

// Provider is the Alpaca market.Provider. It is safe for concurrent use.
type Provider struct {
	opts   Options
	ny     *time.Location
	http   *http.Client
	stream *Stream
}

var _ market.Provider = (*Provider)(nil)

// New checks the options and builds a Provider. It does not touch the network: the stream
// connects in Stream().Run, and REST calls are made when asked.
func New(opts Options) (*Provider, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ny, err := newYork()
	if err != nil {
		return nil, err
	}
	return &Provider{
		opts:   opts,
		ny:     ny,
		http:   &http.Client{Transport: http.DefaultTransport, Timeout: opts.RequestTimeout},
		stream: newStream(opts),
	}, nil
}

// Name identifies the provider in logs and on the feed badge.
func (p *Provider) Name() string { return "alpaca" }

// Stream is the live feed. There is one per provider: Alpaca allows one stream connection per key
// and feed.
func (p *Provider) Stream() market.Stream { return p.stream }

// tradingClient returns an SDK trading client whose requests are bound to ctx. The SDK's calls
// take no context, so the context travels in the HTTP transport instead; building a client is
// only filling a struct.
func (p *Provider) tradingClient(ctx context.Context) *alpaca.Client {
	return alpaca.NewClient(alpaca.ClientOpts{
		APIKey:     p.opts.KeyID,
		APISecret:  p.opts.SecretKey,
		BaseURL:    p.opts.TradingURL,
		HTTPClient: p.httpClient(ctx),
	})
}

// dataClient returns an SDK market-data client whose requests are bound to ctx.
func (p *Provider) dataClient(ctx context.Context) *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{
		APIKey:     p.opts.KeyID,
		APISecret:  p.opts.SecretKey,
		BaseURL:    p.opts.DataURL,
		Feed:       p.opts.Feed,
		HTTPClient: p.httpClient(ctx),
	})
}

func (p *Provider) httpClient(ctx context.Context) *http.Client {
	return &http.Client{
		Transport: ctxTransport{ctx: ctx, base: p.http.Transport},
		Timeout:   p.http.Timeout,
	}
}

// ctxTransport attaches a context to every request, so that cancelling the caller's context
// aborts an SDK call (and its pagination) that has no context parameter of its own.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

// RoundTrip sends req under the transport's context.
func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(t.ctx))
}
