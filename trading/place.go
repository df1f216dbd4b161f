package trading

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// Refusal codes beyond trading/order's: Alpaca's 403 code for buying power and quantity, and its
// 422 code for everything else.
const (
	CodeForbidden = "40310000"
	CodeNotFound  = "40410000"
)

// Sources of an order.
const (
	SourceWeb = "web"
	SourceAPI = "api"
)

func forbidden(msg string) error {
	return &apperr.Error{Kind: apperr.KindForbidden, Code: CodeForbidden, Message: msg}
}

func unprocessable(field, msg string) error {
	e := &apperr.Error{Kind: apperr.KindInvalid, Code: order.CodeUnprocessable, Message: msg}
	if field != "" {
		e.Fields = map[string]string{field: msg}
	}
	return e
}

// PlaceOrder validates an Alpaca-shaped order request and places it on the account: one
// transaction that locks the account, checks quantity, shorting and buying power, writes the
// order (and its legs), and fills it at once when the latest quote makes it marketable. A refusal
// is an *apperr.Error with Alpaca's code and message; nothing is written then.
func (s *Service) PlaceOrder(ctx context.Context, userID, accountID int64, req order.Request, source string) (*models.Order, error) {
	asset, err := s.tradableAsset(ctx, req.Symbol)
	if err != nil {
		return nil, err
	}
	info := order.AssetInfoFrom(asset.MarketAsset())
	n, err := order.Validate(req, info, order.Options{})
	if err != nil {
		return nil, err
	}
	ch := newChanges()
	var placed *models.Order
	err = s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		// One statement reads what placement needs under the lock: the holdings to value the
		// account, and whether the client_order_id is taken. A retry is answered before anything
		// that depends on the moment (the market, the window, buying power the first placement
		// already holds).
		h, err := models.PlacementReadOf(ctx, tx, a.ID, a.Period, n.ClientOrderID)
		if err != nil {
			return fmt.Errorf("trading: %w", err)
		}
		if h.ClientOrderIDUsed {
			if placed, err = retried(ctx, tx, a, asset, n); err != nil || placed != nil {
				return err
			}
		}
		if base := s.marketBase(ctx, asset.Symbol, req); base.IsPositive() {
			sameID := func() string { return n.ClientOrderID }
			if _, err := order.Validate(req, info, order.Options{MarketPrice: base, NewClientOrderID: sameID}); err != nil {
				return err
			}
		}
		placed, err = s.admit(ctx, tx, a, asset, n, source, nil, &h, ch)
		return err
	})
	if err != nil {
		if isUniqueClientID(err) {
			// Another placement with this client_order_id committed first: a retry racing
			// the original gets the original too.
			if prev, rerr := s.retriedAfterRace(ctx, userID, accountID, asset, n); rerr == nil && prev != nil {
				return prev, nil
			}
		}
		return nil, uniqueClientID(err)
	}
	s.commit(ch)
	if o, ok := ch.orders[placed.ID]; ok {
		return o, nil
	}
	return placed, nil // an idempotent retry: the order placed before, unchanged
}

// marketBase is the base price a market bracket's or OTO's legs are checked against: the side
// of the latest quote the entry would fill at (the ask for a buy, the bid for a sell), as Alpaca
// measures a market entry's legs from the market price. Zero for other orders or without a quote.
func (s *Service) marketBase(ctx context.Context, symbol string, req order.Request) decimal.Decimal {
	if req.Type != fill.Market || (req.OrderClass != order.Bracket && req.OrderClass != order.OTO) {
		return decimal.Zero
	}
	quotes, _ := s.quotes.Latest(ctx, []string{symbol})
	q, ok := quotes[symbol]
	if !ok {
		return decimal.Zero
	}
	return fillSide(req.Side, q)
}

// tradableAsset looks the order's asset up.
func (s *Service) tradableAsset(ctx context.Context, symbol string) (*models.Asset, error) {
	symbol = strings.ToUpper(strings.TrimSpace(symbol))
	if symbol == "" {
		return nil, &apperr.Error{Kind: apperr.KindInvalid, Code: order.CodeMalformed, Message: "symbol is required",
			Fields: map[string]string{"symbol": "symbol is required"}}
	}
	a, err := models.AssetBySymbol(ctx, s.db, symbol)
	if errors.Is(err, models.ErrNotFound) {
		return nil, unprocessable("symbol", fmt.Sprintf("asset %q not found", symbol))
	}
	return a, err
}

// uniqueClientID turns the unique index's refusal (two placements racing with one id) into the
// same answer the explicit check gives.
func uniqueClientID(err error) error {
	if isUniqueClientID(err) {
		return unprocessable("client_order_id", "client_order_id must be unique")
	}
	return err
}

// isUniqueClientID reports whether err is the client_order_id unique index's refusal.
func isUniqueClientID(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505" && strings.Contains(pg.ConstraintName, "client_id")
}

// admit places a validated order on a locked account: the checks that need the account, the
// rows, and an immediate evaluation against the latest quote. replaces is the order a replace
// supersedes (its buying power is already released). The caller has checked that the
// client_order_id is new (retried, or uniqueClientOrderID). held are the account's holdings if
// the caller read them under the lock with nothing written since; nil: admit reads them.
func (s *Service) admit(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, asset *models.Asset, n order.Normalized, source string, replaces *models.Order, held *models.Holdings, ch *changes) (*models.Order, error) {
	if a.Status != "ACTIVE" {
		return nil, forbidden("account is not active")
	}
	if a.TradingFrozenAt != nil {
		return nil, ErrFrozen
	}
	now := s.now().UTC()
	crypto := asset.Class == market.Crypto
	placeAs(&n, crypto)
	if err := s.checkWindow(n, crypto, now); err != nil {
		return nil, err
	}

	quotes, _ := s.quotes.Latest(ctx, []string{asset.Symbol})
	q, hasQuote := quotes[asset.Symbol]
	var v Valuation
	if held != nil {
		v = s.valueOfHoldings(ctx, a, *held)
	} else {
		var err error
		if v, err = s.Value(ctx, tx, a); err != nil {
			return nil, err
		}
	}
	ch.knowValuation(a, v, asset.Symbol) // the fill below books against these positions
	reserve, err := s.checkSize(a, asset, n, v, q, hasQuote, replaces)
	if err != nil {
		return nil, err
	}
	power := v.BuyingPower
	if crypto {
		power = v.NonMarginableBuyingPower
	}
	if reserve.GreaterThan(power) {
		return nil, forbidden("insufficient buying power")
	}

	o := s.newOrder(a, asset, n, source, now)
	o.Reserved = reserve
	if replaces != nil {
		o.Replaces = &replaces.ID
		s.carryTrail(o, replaces)
	}
	o.Status = models.OrderNew
	if !s.mayTradeNow(o, now) {
		o.Status = models.OrderAccepted
	}
	// A simple order that meets its quote at once is written by whatever the evaluation does
	// (the booking of its fill, most often): one write of its row instead of two.
	evaluateNow := o.Status == models.OrderNew && hasQuote
	if evaluateNow && n.OrderClass == order.Simple {
		ch.unsaved[o.ID] = true
	} else if err := models.InsertOrders(ctx, tx, o); err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	if err := s.createLegs(ctx, tx, a, o, n, now, ch); err != nil {
		return nil, err
	}
	event := EventNew
	if o.Status == models.OrderAccepted {
		event = EventAccepted
	}
	ch.event(a, o, event, now)
	if evaluateNow {
		if err := s.evaluate(ctx, tx, a, o, q, now, ch); err != nil {
			return nil, err
		}
		if ch.unsaved[o.ID] { // the evaluation changed nothing: no quote side to size against yet
			delete(ch.unsaved, o.ID)
			if err := models.InsertOrders(ctx, tx, o); err != nil {
				return nil, fmt.Errorf("trading: %w", err)
			}
		}
	} else if o.Status == models.OrderNew && (o.TimeInForce == string(fill.IOC) || o.TimeInForce == string(fill.FOK)) {
		return o, s.finish(ctx, tx, a, o, models.OrderCanceled, "No quote to fill against.", now, ch)
	}
	return o, nil
}

// newOrder builds the order row from a validated request.
func (s *Service) newOrder(a *models.PaperAccount, asset *models.Asset, n order.Normalized, source string, now time.Time) *models.Order {
	o := &models.Order{
		ID: newID(), AccountID: a.ID, Period: a.Period, ClientOrderID: n.ClientOrderID, AssetID: asset.ID,
		Symbol: asset.Symbol, AssetClass: string(asset.Class), Side: string(n.Side), Type: string(n.Type),
		TimeInForce: string(n.TimeInForce), OrderClass: string(n.OrderClass),
		Qty: nullable(n.Qty), Notional: nullable(n.Notional), LimitPrice: nullable(n.LimitPrice),
		StopPrice: nullable(n.StopPrice), TrailPrice: nullable(n.TrailPrice), TrailPercent: nullable(n.TrailPercent),
		ExtendedHours: n.ExtendedHours, Source: source, CreatedAt: now, UpdatedAt: now, SubmittedAt: now,
	}
	o.ExpiresAt = s.expiry(o, now)
	return o
}

func nullable(d decimal.Decimal) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: d, Valid: !d.IsZero()}
}

// placeAs turns a validated request into the order the engine places: an OCO's parent takes its
// take-profit's limit, and a stock buy stop gets Alpaca's price protection.
func placeAs(n *order.Normalized, crypto bool) {
	if n.OrderClass == order.OCO && n.TakeProfit != nil {
		n.LimitPrice = n.TakeProfit.LimitPrice // an OCO's parent is its take-profit
	}
	protectBuyStop(n, crypto)
}

// uniqueClientOrderID refuses a client_order_id the account has used before. The unique index
// backs this up for two placements racing (uniqueClientID maps its refusal to the same answer).
func uniqueClientOrderID(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, id string) error {
	used, err := models.ClientOrderIDUsed(ctx, tx, a.ID, id)
	if err != nil {
		return fmt.Errorf("trading: %w", err)
	}
	if used {
		return unprocessable("client_order_id", "client_order_id must be unique")
	}
	return nil
}

// protectBuyStop applies Alpaca's price protection to stock buy stops: the order becomes a
// stop-limit with its limit 4% above the stop (2.5% from $50), so a gap up cannot fill it at any
// price.
func protectBuyStop(n *order.Normalized, crypto bool) {
	if crypto || n.Side != fill.Buy || n.Type != fill.Stop || n.OrderClass != order.Simple {
		return
	}
	n.Type, n.LimitPrice = fill.StopLimit, protectedLimit(n.StopPrice)
}

// protectedLimit is the limit Alpaca's price protection gives a buy stop at stop: 4% above it
// (2.5% from $50), rounded down to the tick.
func protectedLimit(stop decimal.Decimal) decimal.Decimal {
	pct := decimal.RequireFromString("1.04")
	if stop.GreaterThanOrEqual(decimal.NewFromInt(50)) {
		pct = decimal.RequireFromString("1.025")
	}
	limit := stop.Mul(pct)
	places := int32(2)
	if limit.LessThan(decimal.NewFromInt(1)) {
		places = 4
	}
	return limit.RoundDown(places)
}

// checkWindow refuses orders placed when their time in force cannot work: opg between 9:28 and
// 19:00 ET, cls between 15:50 and 19:00 ET (Alpaca's windows), IOC and FOK outside the session
// they could fill in.
func (s *Service) checkWindow(n order.Normalized, crypto bool, now time.Time) error {
	if crypto {
		return nil
	}
	st := s.clock.At(now)
	if st.Day != nil {
		ny := now.In(st.Day.Open.Location())
		day := st.Day.Open
		at := func(h, m int) time.Time {
			return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
		}
		switch n.TimeInForce {
		case fill.OPG:
			if !ny.Before(at(9, 28)) && ny.Before(at(19, 0)) {
				return unprocessable("time_in_force", "opg orders are not accepted between 9:28am and 7:00pm ET")
			}
		case fill.CLS:
			if !ny.Before(st.Day.Close.Add(-10*time.Minute)) && ny.Before(at(19, 0)) {
				return unprocessable("time_in_force", "cls orders are not accepted from 10 minutes before the close until 7:00pm ET")
			}
		}
	}
	if (n.TimeInForce == fill.IOC || n.TimeInForce == fill.FOK) && st.Session != market.SessionRegular &&
		!(n.ExtendedHours && st.Session != market.SessionClosed) {
		return unprocessable("time_in_force", fmt.Sprintf("%s orders can only be placed while the market is open", n.TimeInForce))
	}
	return nil
}

// mayTradeNow reports whether the order could fill in the session at now; an order that cannot
// is accepted and queued for its session, as Alpaca does.
func (s *Service) mayTradeNow(o *models.Order, now time.Time) bool {
	if o.AssetClass == string(market.Crypto) {
		return true
	}
	switch o.TimeInForce {
	case string(fill.OPG):
		return false
	case string(fill.CLS):
		return s.clock.SessionAt(now) == market.SessionRegular
	}
	switch s.clock.SessionAt(now) {
	case market.SessionRegular:
		return true
	case market.SessionPre, market.SessionPost:
		return o.ExtendedHours
	}
	return false
}

// expiry is when an order stops working: the close of its trading day for day, opg and cls
// orders (8pm for extended-hours day orders), never for gtc. An order placed after its day's
// close works on the next trading day.
func (s *Service) expiry(o *models.Order, now time.Time) *time.Time {
	if o.AssetClass == string(market.Crypto) {
		return nil
	}
	switch o.TimeInForce {
	case string(fill.Day), string(fill.OPG), string(fill.CLS):
	default:
		return nil
	}
	st := s.clock.At(now)
	end := func(d market.CalendarDay) time.Time {
		if o.ExtendedHours && !d.SessionClose.IsZero() {
			return d.SessionClose
		}
		return d.Close
	}
	if st.Day != nil && now.Before(end(*st.Day)) {
		t := end(*st.Day).UTC()
		return &t
	}
	next := st.NextClose
	if d, ok := s.clock.TradingDay(next); ok {
		next = end(d)
	}
	t := next.UTC()
	return &t
}

// checkSize checks the quantity against the position (selling more than is held, shorting
// rules) and returns the buying power the order must hold: opening buys and shorts hold their
// cost (at the limit, or 3% beyond the quote for orders without one); closing orders hold none.
func (s *Service) checkSize(a *models.PaperAccount, asset *models.Asset, n order.Normalized, v Valuation, q market.Quote, hasQuote bool, replaces *models.Order) (decimal.Decimal, error) {
	var pos *PositionValue
	for i := range v.Positions {
		if v.Positions[i].Symbol == asset.Symbol {
			pos = &v.Positions[i]
		}
	}
	crypto := asset.Class == market.Crypto
	price := referencePrice(n, q, hasQuote)
	qty := n.Qty
	if qty.IsZero() { // notional
		if !price.IsPositive() {
			return decimal.Zero, forbidden("no quote to size a notional order against")
		}
		qty = n.Notional.Div(price).RoundDown(9)
		if fillAt := fillSide(n.Side, q); hasQuote && fillAt.IsPositive() {
			// The size rules are checked at the price it would fill at now; the buffered
			// reference price only holds buying power.
			if _, why := notionalQty(n.Notional, fillAt, asset.MarketAsset()); why != "" {
				return decimal.Zero, unprocessable("notional", why)
			}
		}
	}
	released := decimal.Zero // a replaced order's quantity no longer counts as held
	if replaces != nil && replaces.IsOpen() && replaces.Side == string(n.Side) {
		released = replaces.LeavesQty()
	}
	if n.Side == fill.Sell {
		long := decimal.Zero
		avail := decimal.Zero
		if pos != nil && pos.Qty.IsPositive() {
			long, avail = pos.Qty, pos.QtyAvailable.Add(released)
		}
		if n.OrderClass == order.OCO || long.IsPositive() {
			if qty.GreaterThan(avail) {
				return decimal.Zero, forbidden(fmt.Sprintf("insufficient qty available for order (requested: %s, available: %s)", qty, avail))
			}
			return decimal.Zero, nil
		}
		switch {
		case crypto:
			return decimal.Zero, forbidden(fmt.Sprintf("insufficient balance for %s (requested: %s, available: 0)", asset.Symbol, qty))
		case !a.Margin || !a.ShortingEnabled:
			return decimal.Zero, forbidden("account is not allowed to short")
		case n.Fractional:
			return decimal.Zero, forbidden("fractional orders cannot be sold short")
		case !asset.Shortable:
			return decimal.Zero, forbidden(fmt.Sprintf("asset %s is not shortable", asset.Symbol))
		case !asset.EasyToBorrow:
			return decimal.Zero, forbidden(fmt.Sprintf("asset %s is hard to borrow and cannot be sold short here", asset.Symbol))
		}
		shortPrice := price
		if hasQuote && q.AskPrice.IsPositive() {
			shortPrice = decimal.Max(n.LimitPrice, q.AskPrice.Mul(marketBuffer))
		}
		if !shortPrice.IsPositive() {
			return decimal.Zero, forbidden("no quote to price the short sale")
		}
		return qty.Mul(shortPrice).Round(2), nil
	}
	// A buy: covering a short holds nothing for the part it covers.
	opening := qty
	if pos != nil && pos.Qty.IsNegative() {
		cover := pos.QtyAvailable.Neg().Add(released)
		opening = decimal.Max(qty.Sub(cover), decimal.Zero)
	}
	if !n.Notional.IsZero() {
		return n.Notional, nil
	}
	if !price.IsPositive() {
		return decimal.Zero, forbidden("no quote to estimate the order's cost against")
	}
	return opening.Mul(price).Round(2), nil
}

// fillSide is the side of q an order on side fills against: the ask for a buy, the bid for a sale.
func fillSide(side fill.Side, q market.Quote) decimal.Decimal {
	if side == fill.Sell {
		return q.BidPrice
	}
	return q.AskPrice
}

// referencePrice prices an order for holding buying power: its limit, else (market, stop,
// trailing stop) 3% beyond the side of the quote it would fill against, else its stop.
func referencePrice(n order.Normalized, q market.Quote, hasQuote bool) decimal.Decimal {
	if n.LimitPrice.IsPositive() {
		return n.LimitPrice
	}
	if hasQuote {
		if n.Side == fill.Buy && q.AskPrice.IsPositive() {
			return q.AskPrice.Mul(marketBuffer)
		}
		if n.Side == fill.Sell && q.BidPrice.IsPositive() {
			return q.BidPrice
		}
	}
	if n.StopPrice.IsPositive() {
		return n.StopPrice.Mul(marketBuffer)
	}
	return decimal.Zero
}

// createLegs writes a bracket's, OTO's or OCO's other orders. Bracket and OTO exit legs are held
// until the entry fills completely; an OCO's stop-loss works at once beside its take-profit.
func (s *Service) createLegs(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, parent *models.Order, n order.Normalized, now time.Time, ch *changes) error {
	if n.OrderClass == order.Simple {
		return nil
	}
	exit := fill.Sell
	if n.Side == fill.Sell {
		exit = fill.Buy
	}
	status := models.OrderHeld
	if n.OrderClass == order.OCO {
		status = parent.Status
	}
	var legs []*models.Order
	leg := func(kind string) *models.Order {
		k := kind
		l := *parent
		l.ID, l.ClientOrderID, l.ParentID, l.Leg, l.Status, l.Reserved = newID(), newID().String(), &parent.ID, &k, status, decimal.Zero
		l.Side, l.Notional = string(exit), decimal.NullDecimal{}
		l.LimitPrice, l.StopPrice, l.TrailPrice, l.TrailPercent = decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}
		l.Replaces = nil
		return &l
	}
	if n.TakeProfit != nil && n.OrderClass != order.OCO {
		l := leg("take_profit")
		l.Type, l.LimitPrice = string(fill.Limit), nullable(n.TakeProfit.LimitPrice)
		legs = append(legs, l)
	}
	if n.StopLoss != nil {
		l := leg("stop_loss")
		l.Type, l.StopPrice = string(fill.Stop), nullable(n.StopLoss.StopPrice)
		if n.StopLoss.LimitPrice.IsPositive() {
			l.Type, l.LimitPrice = string(fill.StopLimit), nullable(n.StopLoss.LimitPrice)
		}
		if n.OrderClass == order.OCO {
			l.Side = parent.Side
		}
		legs = append(legs, l)
	}
	if err := models.InsertOrders(ctx, tx, legs...); err != nil {
		return fmt.Errorf("trading: leg: %w", err)
	}
	for _, l := range legs {
		ch.touch(a, l)
	}
	return nil
}
