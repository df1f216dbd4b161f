package trading

import (
	"context"

	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// Preview is what an order would do if placed now, for the order ticket: the estimated price and
// cost, the fees, and buying power before and after. It is an estimate against the latest quote;
// the fill itself happens against the quote at the time.
type Preview struct {
	Symbol  string
	Side    fill.Side
	Qty     decimal.Decimal // estimated for a notional order
	Price   decimal.Decimal // the estimated execution price
	Value   decimal.Decimal // Qty × Price
	Fees    fees.Breakdown
	Total   decimal.Decimal // what a buy costs (value + fees) or a sell brings in (value − fees)
	Reserve decimal.Decimal // buying power the order holds while it works
	BuyingPowerBefore,
	BuyingPowerAfter decimal.Decimal
	Quote      market.Quote
	HasQuote   bool
	Marketable bool // fills at once against the latest quote
	Queued     bool // outside its session: accepted now, working from the next open
	Realism    string
	Schedule   string // the commission schedule's label
}

// Preview validates an order request exactly as PlaceOrder does and estimates its effect, writing
// nothing. A request PlaceOrder would refuse is refused here with the same error.
func (s *Service) Preview(ctx context.Context, userID, accountID int64, req order.Request) (Preview, error) {
	a, err := s.Account(ctx, userID, accountID)
	if err != nil {
		return Preview{}, err
	}
	asset, err := s.tradableAsset(ctx, req.Symbol)
	if err != nil {
		return Preview{}, err
	}
	opts := order.Options{NewClientOrderID: func() string { return "preview" }}
	n, err := order.Validate(req, order.AssetInfoFrom(asset.MarketAsset()), opts)
	if err != nil {
		return Preview{}, err
	}
	crypto := asset.Class == market.Crypto
	placeAs(&n, crypto)
	now := s.now().UTC()
	if err := s.checkWindow(n, crypto, now); err != nil {
		return Preview{}, err
	}
	quotes, _ := s.quotes.Latest(ctx, []string{asset.Symbol})
	q, hasQuote := quotes[asset.Symbol]
	v, err := s.Value(ctx, s.db, a)
	if err != nil {
		return Preview{}, err
	}
	reserve, err := s.checkSize(a, asset, n, v, q, hasQuote, nil)
	if err != nil {
		return Preview{}, err
	}
	power := v.BuyingPower
	if crypto {
		power = v.NonMarginableBuyingPower
	}
	p := Preview{Symbol: asset.Symbol, Side: n.Side, Quote: q, HasQuote: hasQuote, Reserve: reserve,
		BuyingPowerBefore: power, BuyingPowerAfter: power.Sub(reserve), Realism: a.Realism}
	if reserve.GreaterThan(power) {
		return p, forbidden("insufficient buying power")
	}
	probe := &models.Order{AssetClass: string(asset.Class), TimeInForce: string(n.TimeInForce), ExtendedHours: n.ExtendedHours}
	p.Queued = !s.mayTradeNow(probe, now)

	side := q.AskPrice
	if n.Side == fill.Sell {
		side = q.BidPrice
	}
	p.Price = side
	switch n.Type {
	case fill.Market:
		p.Marketable = hasQuote && side.IsPositive()
	case fill.Limit:
		p.Marketable = hasQuote && side.IsPositive() && (n.Side == fill.Buy && side.LessThanOrEqual(n.LimitPrice) || n.Side == fill.Sell && side.GreaterThanOrEqual(n.LimitPrice))
		if !p.Marketable {
			p.Price = n.LimitPrice
		}
	default:
		if n.StopPrice.IsPositive() {
			p.Price = n.StopPrice
		}
	}
	p.Qty = n.Qty
	if p.Qty.IsZero() && p.Price.IsPositive() {
		p.Qty = n.Notional.Div(p.Price).RoundDown(9)
	}
	p.Value = p.Qty.Mul(p.Price).Round(2)
	schedule := commission(a)
	p.Schedule = schedule.Label
	p.Fees = fees.Compute(schedule, a.RegulatoryFees, s.regulatory, fees.Trade{Sell: n.Side == fill.Sell, Crypto: crypto, Qty: p.Qty, Price: p.Price, Date: now})
	if n.Side == fill.Buy {
		p.Total = p.Value.Add(p.Fees.Total())
	} else {
		p.Total = p.Value.Sub(p.Fees.Total())
	}
	return p, nil
}

// ClosePosition sells a long or buys back a short with a market order, for all of the position or
// a part of it (qty, or percentage of the position, like Alpaca's DELETE /v2/positions/{symbol}).
// Shares already held by open closing orders are not available.
func (s *Service) ClosePosition(ctx context.Context, userID, accountID int64, symbol string, qty, percentage decimal.NullDecimal, source string) (*models.Order, error) {
	a, err := s.Account(ctx, userID, accountID)
	if err != nil {
		return nil, err
	}
	pos, err := models.PositionOf(ctx, s.db, a.ID, a.Period, symbol)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.KindNotFound, Code: CodeNotFound, Message: "position does not exist"}
	}
	size := pos.Qty.Abs()
	switch {
	case qty.Valid:
		size = qty.Decimal
	case percentage.Valid:
		if !percentage.Decimal.IsPositive() || percentage.Decimal.GreaterThan(hundred) {
			return nil, unprocessable("percentage", "percentage must be between 0 and 100")
		}
		size = size.Mul(percentage.Decimal).Div(hundred).RoundDown(9)
	}
	if !size.IsPositive() || size.GreaterThan(pos.Qty.Abs()) {
		return nil, forbidden("insufficient qty available for order (requested: " + size.String() + ", available: " + pos.Qty.Abs().String() + ")")
	}
	side := fill.Sell
	if pos.Qty.IsNegative() {
		side = fill.Buy
	}
	tif := fill.Day
	if pos.AssetClass == string(market.Crypto) {
		tif = fill.GTC
	}
	return s.PlaceOrder(ctx, userID, accountID, order.Request{
		Symbol: symbol, Qty: decimal.NullDecimal{Decimal: size, Valid: true}, Side: side, Type: fill.Market, TimeInForce: tif,
	}, source)
}
