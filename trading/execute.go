package trading

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// evaluate runs the fill model on an open order against a quote and applies its decision, inside
// the caller's transaction (which holds the account lock).
func (s *Service) evaluate(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, now time.Time, ch *changes) error {
	qty := o.LeavesQty()
	if !o.Qty.Valid { // a notional order is sized from the price it would fill at
		var why string
		var err error
		qty, why, err = s.sizeNotional(ctx, tx, a, o, q)
		switch {
		case err != nil:
			return err
		case why != "":
			return s.finish(ctx, tx, a, o, models.OrderRejected, why, now, ch)
		case !qty.IsPositive():
			return nil // no side to size against: the fill model would wait too
		}
	}
	fo := fillOrder(o, qty)
	si := s.sessionInfo(o.AssetClass, now)
	d := fill.Evaluate(fo, q, now, si, realism(a))
	if d.Trail.Changed {
		o.HWM, o.StopPrice = nullable(d.Trail.WaterMark), nullable(d.Trail.Stop)
	}
	// An order that met a usable quote in a session that trades it rests from now on (a queued
	// order arrives at the open once, and so does yesterday's resting order).
	if d.Rested {
		o.RestedAt = &now
	}
	switch d.Action {
	case fill.Wait:
		return s.saveState(tx, o, now)
	case fill.Trigger:
		o.Triggered = true
		if err := s.saveState(tx, o, now); err != nil {
			return err
		}
		ch.event(a, o, EventTriggered, now)
		return nil
	case fill.Execute:
		if d.Triggered {
			o.Triggered = true
		}
		if !o.Qty.Valid {
			o.Qty = nullable(qty)
		}
		if err := s.applyFill(ctx, tx, a, o, q, d.Fill, now, ch); err != nil {
			return err
		}
		if d.CancelRemainder && o.IsOpen() {
			return s.finish(ctx, tx, a, o, models.OrderCanceled, "The rest of an immediate-or-cancel order was canceled.", now, ch)
		}
		return nil
	case fill.Cancel:
		return s.finish(ctx, tx, a, o, models.OrderCanceled, d.Detail, now, ch)
	default:
		return s.finish(ctx, tx, a, o, models.OrderRejected, d.Detail, now, ch)
	}
}

// saveState persists what an evaluation changed without a fill: the trigger flag, a trailing
// stop's water mark and stop, and whether the order rests.
func (s *Service) saveState(tx *gorm.DB, o *models.Order, now time.Time) error {
	o.UpdatedAt = now
	err := tx.Model(o).Select("triggered", "rested_at", "hwm", "stop_price", "updated_at").Updates(o).Error
	if err != nil {
		return fmt.Errorf("trading: save order state: %w", err)
	}
	return nil
}

// applyFill books one execution: the fill with its receipt and fees, the position, the cash and
// its ledger entries, and the order's progress; then the order-class consequences (legs activate
// when an entry fills, an exit fill cancels or shrinks its siblings). A fill the account can no
// longer afford (the price moved since placement) cancels the order instead.
func (s *Service) applyFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, f fill.Fill, now time.Time, ch *changes) error {
	buy := o.Side == string(fill.Buy)
	crypto := o.AssetClass == string(market.Crypto)
	schedule := commission(a)
	before, err := chargedSoFar(ctx, tx, o)
	if err != nil {
		return err
	}
	var pos models.Position
	err = tx.Where("account_id = ? AND period = ? AND symbol = ?", a.ID, a.Period, o.Symbol).Take(&pos).Error
	hadPosition := err == nil
	if err != nil && err != gorm.ErrRecordNotFound {
		return fmt.Errorf("trading: position: %w", err)
	}
	allowed, why, err := s.fillable(ctx, tx, a, o, pos, hadPosition, f.Qty)
	if err != nil {
		return err
	}
	if why != "" {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, why, now, ch)
	}
	capped := allowed.LessThan(f.Qty)
	f.Qty = allowed

	cost := fees.Compute(schedule, a.RegulatoryFees, s.regulatory, fees.Trade{Sell: !buy, Crypto: crypto, Qty: f.Qty, Price: f.Price, Date: now, Before: before})
	value := tradeValue(f.Qty, f.Price, buy)
	signed := f.Qty
	cashDelta := value.Neg()
	if !buy {
		signed, cashDelta = f.Qty.Neg(), value
	}
	cashDelta = cashDelta.Sub(cost.Total())
	newCash := a.Cash.Add(cashDelta)
	next, realized := applyToPosition(pos, hadPosition, signed, f.Price, cashDelta.Add(cost.Total()))
	reason, err := s.affordable(ctx, tx, a, newCash, next, pos, hadPosition, crypto)
	if err != nil {
		return err
	}
	if reason != "" {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, reason, now, ch)
	}

	cum := o.FilledQty.Add(f.Qty)
	leaves := decimal.Zero
	if o.Qty.Valid {
		leaves = o.Qty.Decimal.Sub(cum)
	}
	receipt, err := json.Marshal(receiptJSON(f.Receipt))
	if err != nil {
		return fmt.Errorf("trading: receipt: %w", err)
	}
	row := models.Fill{
		ID: newID(), OrderID: o.ID, AccountID: a.ID, Period: a.Period, Symbol: o.Symbol, Side: o.Side,
		Qty: f.Qty, Price: f.Price, Commission: cost.Commission, SECFee: cost.SEC, TAFFee: cost.TAF, RealizedPL: realized,
		Partial: leaves.IsPositive(), CumQty: cum, LeavesQty: leaves, PositionQty: next.Qty, Receipt: receipt, ExecutedAt: now,
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("trading: insert fill: %w", err)
	}

	// Position.
	switch {
	case next.Qty.IsZero() && hadPosition:
		err = tx.Where("account_id = ? AND period = ? AND symbol = ?", a.ID, a.Period, o.Symbol).Delete(&models.Position{}).Error
	case next.Qty.IsZero():
	case hadPosition:
		next.UpdatedAt = now
		err = tx.Model(&models.Position{}).Where("account_id = ? AND period = ? AND symbol = ?", a.ID, a.Period, o.Symbol).
			Updates(map[string]any{"qty": next.Qty, "avg_entry_price": next.AvgEntryPrice, "cost_basis": next.CostBasis,
				"opened_at": next.OpenedAt, "updated_at": now}).Error
	default:
		next.AccountID, next.Period, next.Symbol, next.AssetID, next.AssetClass = a.ID, a.Period, o.Symbol, o.AssetID, o.AssetClass
		next.OpenedAt, next.UpdatedAt = now, now
		err = tx.Create(&next).Error
	}
	if err != nil {
		return fmt.Errorf("trading: position: %w", err)
	}

	// Cash and ledger: the trade's value, then each fee as its own line so the activity page can
	// show what was charged.
	verb := "Bought"
	if !buy {
		verb = "Sold"
	}
	lines := []struct {
		kind   string
		amount decimal.Decimal
		what   string
	}{
		{models.LedgerFill, cashDelta.Add(cost.Total()), fmt.Sprintf("%s %s %s @ %s", verb, f.Qty, o.Symbol, f.Price)},
		{models.LedgerCommission, cost.Commission.Neg(), "Commission (" + schedule.Label + ")"},
		{models.LedgerRegulatoryFee, cost.SEC.Neg(), "SEC Section 31 fee"},
		{models.LedgerRegulatoryFee, cost.TAF.Neg(), "FINRA trading activity fee"},
	}
	balance := a.Cash
	for _, l := range lines {
		if l.amount.IsZero() {
			continue
		}
		balance = balance.Add(l.amount)
		e := models.LedgerEntry{AccountID: a.ID, Period: a.Period, Kind: l.kind, Amount: l.amount, BalanceAfter: balance,
			OrderID: &o.ID, FillID: &row.ID, Description: l.what, CreatedAt: now}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("trading: ledger: %w", err)
		}
	}
	a.Cash = newCash
	if err := tx.Model(a).Updates(map[string]any{"cash": a.Cash, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("trading: cash: %w", err)
	}

	// The order.
	prevFilled := o.FilledQty
	o.FilledQty = cum
	avg := f.Price
	if o.FilledAvgPrice.Valid && prevFilled.IsPositive() {
		avg = o.FilledAvgPrice.Decimal.Mul(prevFilled).Add(f.Price.Mul(f.Qty)).DivRound(cum, 9)
	}
	o.FilledAvgPrice = nullable(avg)
	if leaves.IsPositive() {
		o.Status = models.OrderPartiallyFilled
		if before := leaves.Add(f.Qty); before.IsPositive() {
			o.Reserved = o.Reserved.Mul(leaves).DivRound(before, 2)
		}
	} else {
		o.Status, o.Reserved, o.FilledAt = models.OrderFilled, decimal.Zero, &now
	}
	o.UpdatedAt = now
	if err := tx.Model(o).Select("qty", "filled_qty", "filled_avg_price", "status", "reserved", "filled_at", "triggered",
		"rested_at", "hwm", "stop_price", "updated_at").Updates(o).Error; err != nil {
		return fmt.Errorf("trading: order progress: %w", err)
	}
	up := ch.event(a, o, EventFill, now)
	if leaves.IsPositive() {
		up.Event = EventPartialFill
	}
	up.Price, up.Qty, up.PositionQty, up.FillID = f.Price, f.Qty, next.Qty, row.ID.String()
	if err := s.afterFill(ctx, tx, a, o, q, now, ch); err != nil {
		return err
	}
	if capped {
		return s.finish(ctx, tx, a, o, models.OrderCanceled, "The rest was canceled: the position this order closes was smaller.", now, ch)
	}
	return nil
}

// chargedSoFar is what o's earlier fills executed and were charged, for fees applied per order.
func chargedSoFar(ctx context.Context, tx *gorm.DB, o *models.Order) (fees.OrderSoFar, error) {
	var so fees.OrderSoFar
	if !o.FilledQty.IsPositive() {
		return so, nil
	}
	var row struct {
		Qty, Value, Commission, SEC, TAF decimal.Decimal
	}
	err := tx.WithContext(ctx).Model(&models.Fill{}).Where("order_id = ?", o.ID).Select(
		"coalesce(sum(qty), 0) AS qty, coalesce(sum(qty * price), 0) AS value, coalesce(sum(commission), 0) AS commission, " +
			"coalesce(sum(sec_fee), 0) AS sec, coalesce(sum(taf_fee), 0) AS taf").Scan(&row).Error
	if err != nil {
		return so, fmt.Errorf("trading: charged so far: %w", err)
	}
	return fees.OrderSoFar{Qty: row.Qty, Value: row.Value, Charged: row.Commission, SEC: row.SEC, TAF: row.TAF}, nil
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

// receiptJSON is the stored form of a receipt.
func receiptJSON(r fill.Receipt) map[string]any {
	return map[string]any{
		"bid": r.Bid, "ask": r.Ask, "bid_size": r.BidSize, "ask_size": r.AskSize,
		"bid_exchange": r.BidExchange, "ask_exchange": r.AskExchange, "quote_time": r.QuoteTime,
		"source": r.Source, "rule": r.Rule, "detail": r.Detail, "mid": r.Mid, "cost_vs_mid": r.CostVsMid,
	}
}

// finish ends an open order without (further) fills: canceled, expired or rejected. It releases
// the buying power the order held.
func (s *Service) finish(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, status, reason string, now time.Time, ch *changes) error {
	if !o.IsOpen() {
		return nil
	}
	o.Status, o.Reason, o.Reserved, o.UpdatedAt = status, reason, decimal.Zero, now
	event := EventCanceled
	switch status {
	case models.OrderCanceled:
		o.CanceledAt = &now
	case models.OrderExpired:
		o.ExpiredAt, event = &now, EventExpired
	case models.OrderRejected:
		o.FailedAt, event = &now, EventRejected
	case models.OrderReplaced:
		o.ReplacedAt, event = &now, EventReplaced
	}
	err := tx.Model(o).Select("status", "reason", "reserved", "canceled_at", "expired_at", "failed_at", "replaced_at",
		"replaced_by", "hwm", "stop_price", "triggered", "rested_at", "updated_at").Updates(o).Error
	if err != nil {
		return fmt.Errorf("trading: finish order: %w", err)
	}
	ch.event(a, o, event, now)
	return nil
}

// afterFill applies an order class's rules once an order has (partly) filled. Legs that activate
// meet the quote that filled their entry at once, so they arrive in the market at that instant and
// rest from then on.
func (s *Service) afterFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, now time.Time, ch *changes) error {
	group, err := s.group(ctx, tx, o)
	if err != nil {
		return err
	}
	if o.ParentID == nil && o.OrderClass != string(order.OCO) {
		// An entry: its held legs activate once it has filled completely, sized to the fill.
		if o.Status != models.OrderFilled {
			return nil
		}
		// All legs activate first; then each meets the quote. A leg that fills there cancels its
		// sibling, so each one is read again before it is evaluated: acting on the copy loaded
		// before the first leg ran would bring a canceled stop-loss back to life.
		var active []uuid.UUID
		for i := range group {
			l := &group[i]
			if l.Status != models.OrderHeld {
				continue
			}
			l.Status, l.Qty, l.UpdatedAt = models.OrderNew, nullable(o.FilledQty), now
			if !s.mayTradeNow(l, now) {
				l.Status = models.OrderAccepted
			}
			if err := tx.Model(l).Select("status", "qty", "updated_at").Updates(l).Error; err != nil {
				return fmt.Errorf("trading: activate leg: %w", err)
			}
			ch.event(a, l, EventNew, now)
			if l.Status == models.OrderNew {
				active = append(active, l.ID)
			}
		}
		for _, id := range active {
			l, err := lockOrder(ctx, tx, a.ID, id)
			if err != nil {
				return err
			}
			if l.Status != models.OrderNew {
				continue // its sibling filled on this quote and canceled it
			}
			ch.touch(a, l)
			if err := s.evaluate(ctx, tx, a, l, q, now, ch); err != nil {
				return err
			}
		}
		return nil
	}
	// An exit: a complete fill cancels its siblings; a partial one shrinks them to what is left.
	for i := range group {
		sib := &group[i]
		if sib.ID == o.ID || !sib.IsOpen() || sib.ParentID == nil && sib.OrderClass != string(order.OCO) {
			continue
		}
		if o.Status == models.OrderFilled {
			if err := s.finish(ctx, tx, a, sib, models.OrderCanceled, "Its other leg filled (one cancels the other).", now, ch); err != nil {
				return err
			}
			continue
		}
		left := sib.FilledQty.Add(o.LeavesQty())
		if sib.Qty.Valid && left.LessThan(sib.Qty.Decimal) && left.GreaterThan(sib.FilledQty) {
			sib.Qty, sib.UpdatedAt = nullable(left), now
			if err := tx.Model(sib).Select("qty", "updated_at").Updates(sib).Error; err != nil {
				return fmt.Errorf("trading: resize leg: %w", err)
			}
			ch.touch(a, sib)
		}
	}
	return nil
}

// group loads the other orders of o's bracket, OTO or OCO group (not o itself), locked.
func (s *Service) group(ctx context.Context, tx *gorm.DB, o *models.Order) ([]models.Order, error) {
	if o.OrderClass == string(order.Simple) {
		return nil, nil
	}
	root := o.ID
	if o.ParentID != nil {
		root = *o.ParentID
	}
	var out []models.Order
	err := tx.WithContext(ctx).Clauses(lockRows()).Where("(id = ? OR parent_id = ?) AND id <> ?", root, root, o.ID).
		Order("created_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("trading: order group: %w", err)
	}
	return out, nil
}
