package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// Assets is the whole catalogue, active and inactive, stocks and crypto. Other asset classes
// (options) are left out: the app does not trade them.
func (p *Provider) Assets(ctx context.Context) ([]market.Asset, error) {
	// An empty status asks for every status: Alpaca's documented default.
	raw, err := p.tradingClient(ctx).GetAssets(alpaca.GetAssetsRequest{})
	if err != nil {
		return nil, fmt.Errorf("alpaca: assets: %w", err)
	}
	increments, err := p.cryptoIncrements(ctx)
	if err != nil {
		return nil, err
	}
	assets := make([]market.Asset, 0, len(raw))
	for _, a := range raw {
		asset, ok := assetFromSDK(a)
		if !ok {
			continue
		}
		if inc, found := increments[a.Symbol]; found && asset.Class == market.Crypto {
			asset.MinOrderSize = inc.MinOrderSize
			asset.MinTradeIncrement = inc.MinTradeIncrement
			asset.PriceIncrement = inc.PriceIncrement
		}
		assets = append(assets, asset)
	}
	return assets, nil
}

// assetFromSDK maps one SDK asset; ok is false for classes the app does not handle.
func assetFromSDK(a alpaca.Asset) (market.Asset, bool) {
	var class market.AssetClass
	switch a.Class {
	case alpaca.USEquity:
		class = market.USEquity
	case alpaca.Crypto:
		class = market.Crypto
	default:
		return market.Asset{}, false
	}
	return market.Asset{
		ProviderID:        a.ID,
		Symbol:            a.Symbol,
		Name:              a.Name,
		Class:             class,
		Exchange:          a.Exchange,
		Active:            a.Status == alpaca.AssetActive,
		Tradable:          a.Tradable,
		Marginable:        a.Marginable,
		Shortable:         a.Shortable,
		EasyToBorrow:      a.EasyToBorrow,
		Fractionable:      a.Fractionable,
		MarginRequirement: decimal.NewFromInt(int64(a.MaintenanceMarginRequirement)),
	}, true
}

// cryptoIncrement holds the order-size and price steps of a crypto pair.
type cryptoIncrement struct {
	Symbol            string          `json:"symbol"`
	MinOrderSize      decimal.Decimal `json:"min_order_size"`
	MinTradeIncrement decimal.Decimal `json:"min_trade_increment"`
	PriceIncrement    decimal.Decimal `json:"price_increment"`
}

// cryptoIncrements reads the crypto pairs' size and price steps, which the API sends but SDK
// v3.9.1's Asset type does not decode. The crypto list is small, so asking for it a second time
// costs little, and everything else still goes through the SDK.
func (p *Provider) cryptoIncrements(ctx context.Context) (map[string]cryptoIncrement, error) {
	u := p.opts.TradingURL + "/v2/assets?" + url.Values{"asset_class": {"crypto"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("alpaca: crypto increments: %w", err)
	}
	req.Header.Set("APCA-API-KEY-ID", p.opts.KeyID)
	req.Header.Set("APCA-API-SECRET-KEY", p.opts.SecretKey)
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("alpaca: crypto increments: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("alpaca: crypto increments: %w", alpaca.APIErrorFromResponse(resp))
	}
	var list []cryptoIncrement
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("alpaca: crypto increments: decode: %w", err)
	}
	out := make(map[string]cryptoIncrement, len(list))
	for _, inc := range list {
		out[inc.Symbol] = inc
	}
	return out, nil
}
