package trading

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
)

// applyFill books one execution of o at the fill model's price, in the transaction that holds the
// account's lock. The steps, in order:
//
//  0. checkFence: a matcher that is no longer the elected feed fills nothing (trading/fence.go);
//  1. positionForFill: the position the fill changes (known from placement's valuation, or read);
//  2. fillable: how much may fill against that position now (exit legs, shorting rules);
//  3. priceFill: fees, the cash the fill moves, the position after it and the P&L it realises;
//  4. affordable: the fill-time buying-power backstop;
//  5. advanceOrder: the order's filled quantity, average price, status and held buying power;
//  6. models.BookFill: the fill, position, ledger lines, cash and order in one statement (the
//     order's whole row when placement left it to the booking, changes.unsaved);
//  7. the trade update, then afterFill: the order class's consequences (legs activate, siblings
//     cancel or shrink).
//
// A fill the account can no longer afford, or whose position has gone, cancels the order instead;
// a fill capped to the position it closes cancels the rest.
func (s *Service) applyFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, f fill.Fill, now time.Time, ch *changes) error {
	if err := checkFence(ctx, tx); err != nil {
		return err
	}
	pos, had, err := s.positionForFill(ctx, tx, a, o.Symbol, ch)
	if err != nil {
		return err
	}
	allowed, why, err := s.fillable(ctx, tx, a, o, pos, had, f.Qty)
	if err != nil {
		return err
	}
	if why != "" {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, why, now, ch)
	}
	capped := allowed.LessThan(f.Qty)
	f.Qty = allowed

	p, err := s.priceFill(ctx, tx, a, o, pos, had, f, now)
	if err != nil {
		return err
	}
	reason, err := s.affordable(ctx, tx, a, p.cash, p.next, pos, had, o.AssetClass == string(market.Crypto))
	if err != nil {
		return err
	}
	if reason != "" {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, reason, now, ch)
	}

	leaves := advanceOrder(o, f, now)
	b, err := p.booking(a, o, f, leaves, now)
	if err != nil {
		return err
	}
	b.InsertOrder = ch.unsaved[o.ID]
	delete(ch.unsaved, o.ID)
	if err := models.BookFill(ctx, tx, b); err != nil {
		return fmt.Errorf("trading: %w", err)
	}
	a.Cash = p.cash
	ch.knowPosition(a, o.Symbol, b.Position)

	up := ch.event(a, o, EventFill, now)
	if leaves.IsPositive() {
		up.Event = EventPartialFill
	}
	up.Price, up.Qty, up.PositionQty, up.FillID = f.Price, f.Qty, p.next.Qty, b.Fill.ID.String()
	if err := s.afterFill(ctx, tx, a, o, q, now, ch); err != nil {
		return err
	}
	if capped {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, "The rest was canceled: the position this order closes was smaller.", now, ch)
	}
	return nil
}

// positionForFill is the account's position in symbol and whether it has one: from what this
// transaction already knows (placement valued the account under the same lock, and every fill in
// it records the position it leaves), else read from the store.
func (s *Service) positionForFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, symbol string, ch *changes) (models.Position, bool, error) {
	if pos, had, ok := ch.knownPosition(a, symbol); ok {
		return pos, had, nil
	}
	pos, err := models.PositionOf(ctx, tx, a.ID, a.Period, symbol)
	switch {
	case err == nil:
		return *pos, true, nil
	case errors.Is(err, models.ErrNotFound):
		return models.Position{}, false, nil
	}
	return models.Position{}, false, fmt.Errorf("trading: position: %w", err)
}

// pricedFill is a fill's arithmetic before anything is written.
type pricedFill struct {
	schedule  fees.Schedule
	cost      fees.Breakdown
	value     decimal.Decimal // the trade's value, to the cent, against the customer
	cash      decimal.Decimal // the account's cash after the fill and its fees
	next      models.Position // the position after the fill
	had       bool            // whether there was a position before
	realized  decimal.Decimal // the P&L the fill realised, before fees
	tradeCash decimal.Decimal // the cash the trade moved, before fees: negative for a buy
}

// priceFill computes what a fill of f on o moves: its fees (per-order fees count o's earlier
// fills), the cash, and the position after it with the P&L it realises.
func (s *Service) priceFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, pos models.Position, had bool, f fill.Fill, now time.Time) (pricedFill, error) {
	buy := o.Side == string(fill.Buy)
	before, err := chargedSoFar(ctx, tx, o)
	if err != nil {
		return pricedFill{}, err
	}
	p := pricedFill{schedule: commission(a), had: had}
	p.cost = fees.Compute(p.schedule, a.RegulatoryFees, s.regulatory, fees.Trade{Sell: !buy, Crypto: o.AssetClass == string(market.Crypto),
		Qty: f.Qty, Price: f.Price, Date: now, Before: before})
	p.value = tradeValue(f.Qty, f.Price, buy)
	signed, tradeCash := f.Qty, p.value.Neg()
	if !buy {
		signed, tradeCash = f.Qty.Neg(), p.value
	}
	p.tradeCash = tradeCash
	p.cash = a.Cash.Add(tradeCash).Sub(p.cost.Total())
	p.next, p.realized = applyToPosition(pos, had, signed, f.Price, tradeCash)
	return p, nil
}

// chargedSoFar is what o's earlier fills executed and were charged, for fees applied per order.
func chargedSoFar(ctx context.Context, tx *gorm.DB, o *models.Order) (fees.OrderSoFar, error) {
	if !o.FilledQty.IsPositive() {
		return fees.OrderSoFar{}, nil
	}
	t, err := models.OrderFillTotals(ctx, tx, o.ID)
	if err != nil {
		return fees.OrderSoFar{}, fmt.Errorf("trading: charged so far: %w", err)
	}
	return fees.OrderSoFar{Qty: t.Qty, Value: t.Value, Charged: t.Commission, SEC: t.SEC, TAF: t.TAF}, nil
}

// advanceOrder applies a fill to the order: filled quantity, average price, status, and the
// buying power it still holds (pro rata to what is left; none once filled). It returns the
// quantity left to fill.
func advanceOrder(o *models.Order, f fill.Fill, now time.Time) decimal.Decimal {
	prev := o.FilledQty
	cum := prev.Add(f.Qty)
	leaves := decimal.Zero
	if o.Qty.Valid {
		leaves = o.Qty.Decimal.Sub(cum)
	}
	avg := f.Price
	if o.FilledAvgPrice.Valid && prev.IsPositive() {
		avg = o.FilledAvgPrice.Decimal.Mul(prev).Add(f.Price.Mul(f.Qty)).DivRound(cum, 9)
	}
	o.FilledQty, o.FilledAvgPrice = cum, nullable(avg)
	if leaves.IsPositive() {
		o.Status = models.OrderPartiallyFilled
		if before := leaves.Add(f.Qty); before.IsPositive() {
			o.Reserved = o.Reserved.Mul(leaves).DivRound(before, 2)
		}
	} else {
		o.Status, o.Reserved, o.FilledAt = models.OrderFilled, decimal.Zero, &now
	}
	o.UpdatedAt = now
	return leaves
}

// booking is what the priced fill writes: the fill row with its receipt, the position's row, the
// ledger lines (the trade's value, then each fee as its own line so the activity page can show
// what was charged) and the cash; o already carries its progress (advanceOrder).
func (p pricedFill) booking(a *models.PaperAccount, o *models.Order, f fill.Fill, leaves decimal.Decimal, now time.Time) (models.Booking, error) {
	receipt, err := json.Marshal(receiptOf(f.Receipt))
	if err != nil {
		return models.Booking{}, fmt.Errorf("trading: receipt: %w", err)
	}
	b := models.Booking{
		Fill: models.Fill{
			ID: newID(), OrderID: o.ID, AccountID: a.ID, Period: a.Period, Symbol: o.Symbol, Side: o.Side,
			Qty: f.Qty, Price: f.Price, Commission: p.cost.Commission, SECFee: p.cost.SEC, TAFFee: p.cost.TAF, RealizedPL: p.realized,
			Partial: leaves.IsPositive(), CumQty: o.FilledQty, LeavesQty: leaves, PositionQty: p.next.Qty, Receipt: receipt, ExecutedAt: now,
		},
		Position: p.next, Cash: p.cash, Order: o, At: now,
	}
	b.Position.AccountID, b.Position.Period, b.Position.Symbol = a.ID, a.Period, o.Symbol
	b.Position.UpdatedAt = now
	switch {
	case p.next.Qty.IsZero() && p.had:
		b.PositionWrite = models.PositionDelete
	case p.next.Qty.IsZero():
		b.PositionWrite = models.PositionUnchanged
	case p.had:
		b.PositionWrite = models.PositionUpdate
	default:
		b.PositionWrite = models.PositionInsert
		b.Position.AssetID, b.Position.AssetClass, b.Position.OpenedAt = o.AssetID, o.AssetClass, now
	}
	verb := "Bought"
	if o.Side != string(fill.Buy) {
		verb = "Sold"
	}
	lines := []struct {
		kind   string
		amount decimal.Decimal
		what   string
	}{
		{models.LedgerFill, p.tradeCash, fmt.Sprintf("%s %s %s @ %s", verb, f.Qty, o.Symbol, f.Price)},
		{models.LedgerCommission, p.cost.Commission.Neg(), "Commission (" + p.schedule.Label + ")"},
		{models.LedgerRegulatoryFee, p.cost.SEC.Neg(), "SEC Section 31 fee"},
		{models.LedgerRegulatoryFee, p.cost.TAF.Neg(), "FINRA trading activity fee"},
	}
	balance := a.Cash
	for _, l := range lines {
		if l.amount.IsZero() {
			continue
		}
		balance = balance.Add(l.amount)
		b.Ledger = append(b.Ledger, models.LedgerEntry{AccountID: a.ID, Period: a.Period, Kind: l.kind, Amount: l.amount,
			BalanceAfter: balance, OrderID: &o.ID, FillID: &b.Fill.ID, Description: l.what, CreatedAt: now})
	}
	return b, nil
}

// receiptOf is the stored receipt of the fill model's explanation.
func receiptOf(r fill.Receipt) models.FillReceipt {
	return models.FillReceipt{
		Bid: r.Bid, Ask: r.Ask, BidSize: r.BidSize, AskSize: r.AskSize, BidExchange: r.BidExchange, AskExchange: r.AskExchange,
		QuoteTime: r.QuoteTime, Source: r.Source, Rule: string(r.Rule), Detail: r.Detail, Mid: r.Mid, CostVsMid: r.CostVsMid,
	}
}

// tradeValue is the cash a fill of qty at price moves, to the cent and rounded against the
// customer: a buy pays any fraction of a cent, a sale does not receive it. Rounding each fill
// half away from zero let fractional trades create cash (five sales of 0.1 shares each gaining
// half a cent).
func tradeValue(qty, price decimal.Decimal, buy bool) decimal.Decimal {
	v := qty.Abs().Mul(price)
	if buy {
		return v.RoundCeil(2)
	}
	return v.RoundFloor(2)
}

// applyToPosition is the position after a signed fill whose cash leg (before fees) is cash,
// negative for a buy, with the P&L the fill realised. The average entry price is the
// quantity-weighted price; the cost basis is the cash the open quantity cost. Adding to a
// position adds the fill's cash to its basis; reducing it releases the basis pro rata (all of it
// when the position closes) and realises the closing cash less the basis released; crossing
// through zero splits the fill's cash between the part that closes and the part that opens.
// Realised P&L is thus made of the same cents as the cash, so over any sequence of fills the cash
// they moved equals the realised P&L less the open cost basis, exactly.
func applyToPosition(pos models.Position, had bool, signed, price, cash decimal.Decimal) (models.Position, decimal.Decimal) {
	next := pos
	if !had || pos.Qty.IsZero() {
		next.Qty, next.AvgEntryPrice, next.CostBasis = signed, price, cash.Neg()
		return next, decimal.Zero
	}
	if pos.Qty.Sign() == signed.Sign() { // adding
		total := pos.Qty.Add(signed)
		next.AvgEntryPrice = pos.Qty.Abs().Mul(pos.AvgEntryPrice).Add(signed.Abs().Mul(price)).DivRound(total.Abs(), 9)
		next.Qty, next.CostBasis = total, pos.CostBasis.Sub(cash)
		return next, decimal.Zero
	}
	closed := decimal.Min(signed.Abs(), pos.Qty.Abs())
	closeCash := cash
	if closed.LessThan(signed.Abs()) {
		closeCash = cash.Mul(closed).DivRound(signed.Abs(), 2)
	}
	released := pos.CostBasis
	if closed.LessThan(pos.Qty.Abs()) {
		released = pos.CostBasis.Mul(closed).DivRound(pos.Qty.Abs(), 2)
	}
	realized := closeCash.Sub(released)
	next.Qty, next.CostBasis = pos.Qty.Add(signed), pos.CostBasis.Sub(released)
	if next.Qty.Sign() != 0 && next.Qty.Sign() != pos.Qty.Sign() { // reversed: the rest opens
		next.AvgEntryPrice, next.CostBasis = price, cash.Sub(closeCash).Neg()
	}
	return next, realized
}

// fillMarginSlack is how far gross exposure may exceed equity times the multiplier when a margin
// account's fill is re-checked (5%). The binding check is at placement, which holds buying power
// for the whole order at its reference price (a market order's with marketBuffer on top); the
// fill-time check is a backstop against a price that gapped since then. Without slack an order
// admitted at the edge of its buying power would be cancelled by an ordinary move of its own
// price or of the other positions' marks between placement and fill; a gap of more than 5% of the
// account's exposure is refused.
var fillMarginSlack = decimal.RequireFromString("1.05")

// affordable re-checks buying power at fill time: a cash account may not go below zero cash or
// hold a short; a margin account may not hold more than its multiplier times its equity (with
// fillMarginSlack). It returns why not, or "". If a margin account cannot be valued it returns
// the error, which refuses the fill: the transaction rolls back and the order stays open for the
// next quote, rather than filling an exposure nobody has checked.
func (s *Service) affordable(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, newCash decimal.Decimal, next, prev models.Position, had bool, crypto bool) (string, error) {
	grows := next.Qty.Abs().GreaterThan(prev.Qty.Abs()) || (had && next.Qty.Sign() != prev.Qty.Sign() && !next.Qty.IsZero()) || !had
	if !grows {
		return "", nil // closing or reducing a position never needs buying power
	}
	if !a.Margin || crypto {
		if newCash.IsNegative() {
			return "Insufficient buying power at fill time: the price moved since the order was placed.", nil
		}
		if !a.Margin && next.Qty.IsNegative() {
			return "A cash account cannot hold a short position.", nil
		}
		return "", nil
	}
	v, err := s.Value(ctx, tx, a)
	if err != nil {
		return "", fmt.Errorf("trading: fill-time margin check: %w", err)
	}
	price := next.AvgEntryPrice
	if q, ok := s.quotes.latestCached(next.Symbol); ok && Mark(q).IsPositive() {
		price = Mark(q)
	}
	// Equity does not change by trading at the mark; exposure does.
	gross := decimal.Zero
	for _, p := range v.Positions {
		if p.Symbol != next.Symbol {
			gross = gross.Add(p.MarketValue.Abs())
		}
	}
	gross = gross.Add(next.Qty.Abs().Mul(price))
	limit := v.Equity.Mul(decimal.NewFromInt(int64(v.Multiplier)))
	if gross.GreaterThan(limit.Mul(fillMarginSlack)) {
		return "Insufficient buying power at fill time: the position would exceed the account's margin.", nil
	}
	return "", nil
}
